"""When the calendar gains a year (or a correction), recompute provisional due times.

A due time computed into a year the holiday calendar does not cover yet is provisional
(weekends off only). Once the admin adds that year, this flow recomputes every open
provisional ticket and records each change twice: as a `due_recomputed` event in the ticket's
own history (old and new due time) and in the audit log, with who asked for it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Session, select

from backend.audit.models import record
from backend.dbtypes import utcnow
from backend.findings import deadlines, repository
from backend.findings.models import EventKind, Ticket
from backend.findings.overdue import OPEN_STATES
from backend.ids import new_id
from backend.worktime.loader import WorktimeConfig
from backend.worktime.recompute import ProvisionalTicket, recompute_provisional


def recompute_provisional_tickets(session: Session, *, actor_id: uuid.UUID | None,
                                  now: datetime | None = None,
                                  config: WorktimeConfig | None = None) -> list[dict]:
    """`config`: the rules to recompute by; default: those in force, with the calendar file
    read again as it is now."""
    now = now or utcnow()
    if config is None:
        deadlines.reload()
        config = deadlines.worktime()
    ids = list(session.execute(select(Ticket.id).where(
        Ticket.due_provisional.is_(True), Ticket.state.in_(OPEN_STATES))).scalars())
    tickets = {i: repository.load_ticket(session, i) for i in ids}
    changes = recompute_provisional(
        [ProvisionalTicket(t.id, t.dispatched_at, t.deadline_amount, t.deadline_unit,
                           t.schedule_key or config.default, t.due_at, config.workday_rule)
         for t in tickets.values()],
        schedules=config.schedules, calendar=config.calendar)
    report = []
    for change in changes:
        ticket = tickets[change.id]
        detail = {"old_due_at": change.old_due.isoformat(), "new_due_at": change.new_due.isoformat(),
                  "provisional": change.provisional, "missing_years": list(change.missing_years)}
        repository.append_event(
            session, ticket, event_id=new_id(), kind=EventKind.due_recomputed,
            actor_id=actor_id, at=now, received_at=now, note="节假日日历更新，重算整改期限",
            detail=detail, changes={"due_at": change.new_due,
                                    "due_provisional": change.provisional})
        record(session, actor_id=actor_id, action="ticket.due_recomputed", object_type="ticket",
               object_id=ticket.id, **detail)
        report.append({"ticket_id": str(ticket.id), **detail})
    session.flush()
    return report
