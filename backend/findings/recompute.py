"""When the calendar gains a year (or a correction), recompute provisional due times.

A due time computed into a year the holiday calendar does not cover yet is provisional
(weekends off only). Once the admin adds that year to the override file, this flow recomputes
every open provisional ticket and records each change twice: as a `due_recomputed` event in
the ticket's own history (old and new due time) and in the audit log, with who asked for it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Session, select

from backend.audit.models import record
from backend.dbtypes import utcnow
from backend.findings import deadlines
from backend.findings.models import EventKind, Ticket, TicketEvent
from backend.findings.service import next_change_seq
from backend.findings.views import OPEN_STATES
from backend.worktime.recompute import ProvisionalTicket, recompute_provisional


def recompute_provisional_tickets(session: Session, *, actor_id: uuid.UUID | None,
                                  now: datetime | None = None) -> list[dict]:
    now = now or utcnow()
    deadlines.reload()  # read the calendar file as it is now
    config = deadlines.worktime()
    tickets = {t.id: t for t in session.exec(select(Ticket).where(
        Ticket.due_provisional.is_(True), Ticket.state.in_(OPEN_STATES)))}
    changes = recompute_provisional(
        [ProvisionalTicket(t.id, t.dispatched_at, t.deadline_amount, t.deadline_unit,
                           t.schedule_key or config.default, t.due_at, config.workday_rule)
         for t in tickets.values()],
        schedules=config.schedules, calendar=config.calendar)
    report = []
    for change in changes:
        ticket = tickets[change.id]
        last_seq = max(session.exec(select(TicketEvent.seq).where(TicketEvent.ticket_id == ticket.id)))
        detail = {"old_due_at": change.old_due.isoformat(), "new_due_at": change.new_due.isoformat(),
                  "provisional": change.provisional, "missing_years": list(change.missing_years)}
        session.add(TicketEvent(id=uuid.uuid4(), ticket_id=ticket.id, seq=last_seq + 1,
                                kind=EventKind.due_recomputed, actor_id=actor_id, at=now,
                                received_at=now, from_state=ticket.state, to_state=ticket.state,
                                note="节假日日历更新，重算整改期限", detail=detail))
        ticket.due_at, ticket.due_provisional = change.new_due, change.provisional
        ticket.version += 1
        ticket.change_seq = next_change_seq(session)
        session.add(ticket)
        record(session, actor_id=actor_id, action="ticket.due_recomputed", object_type="ticket",
               object_id=ticket.id, **detail)
        report.append({"ticket_id": str(ticket.id), **detail})
    session.flush()
    return report
