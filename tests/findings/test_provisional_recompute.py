"""Issue 4 §4: a ticket crossing into a year the calendar does not cover is provisional;
adding the year to the override file recomputes it as an audited event."""

from __future__ import annotations

from uuid import UUID

from sqlmodel import select

from backend.audit.models import AuditEvent
from backend.config import get_settings
from backend.findings import deadlines
from backend.findings.models import Ticket, TicketEvent
from backend.findings.recompute import recompute_provisional_tickets


def test_late_december_7_workdays_is_provisional_then_recomputed(api, clock, db, world):
    """私搭乱建 (WJ01) has 7 工作日. Dispatched Mon 2026-12-28 10:00: 2027 is not published, so
    the count uses weekends only: 12-29, 12-30, 12-31, 01-01 (a weekday; the 元旦 holiday is
    unknown to the provisional count), 01-04, 01-05, 01-06 → due 2027-01-06 17:30,
    provisional. Once the admin adds 2027 with 01-01 as a holiday, the count skips 01-01:
    due 2027-01-07 17:30, no longer provisional."""
    override = get_settings().calendar_override_file
    override.parent.mkdir(parents=True, exist_ok=True)
    override.unlink(missing_ok=True)
    deadlines.reload()
    try:
        clock.set(2026, 12, 28, 10, 0)
        body = api.finding("inspector", code="WJ01", observed_at="2026-12-28T09:50:00+08:00")
        ticket = api.post_finding("inspector", body).json()["ticket"]
        assert ticket["due_provisional"] is True
        assert ticket["due_at"] == "2027-01-06T17:30:00+08:00"

        override.write_text("years: [2027]\nholidays:\n  - {date: 2027-01-01, name: 元旦}\n",
                            encoding="utf-8")
        changes = recompute_provisional_tickets(db, actor_id=world.users["admin"].id)
        assert [c["ticket_id"] for c in changes] == [body["id"]]
        stored = db.get(Ticket, UUID(body["id"]))
        assert stored.due_provisional is False
        assert stored.due_at.isoformat().startswith("2027-01-07T09:30")  # 17:30 +08:00 in UTC
        event = db.exec(select(TicketEvent).where(TicketEvent.ticket_id == stored.id,
                                                  TicketEvent.kind == "due_recomputed")).one()
        assert event.detail["old_due_at"].startswith("2027-01-06")
        audit = db.exec(select(AuditEvent).where(AuditEvent.action == "ticket.due_recomputed")).one()
        assert audit.actor_id == world.users["admin"].id
    finally:
        override.unlink(missing_ok=True)
        deadlines.reload()
