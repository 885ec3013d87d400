"""Issue 13 §4: one overdue rule (seed 002 §四(一): 未按要求及时整改到位的双倍扣分), written once
in backend/findings/overdue.py and evaluated as Python and as SQL: the two agree on every state.

Every combination of state, due time (none, past, future), rectification time (none, before,
at and after the due time) and closure, stored as real ticket rows and read back through the
SQL the roll-ups count by (`overdue_flag`) and the lists filter by (`overdue_clause`)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from backend.findings import repository
from backend.findings.models import Ticket, TicketState
from backend.findings.overdue import OPEN_STATES, is_overdue, overdue_clause, overdue_flag
from backend.findings.repository import NewFinding
from backend.ids import new_id

NOW = datetime(2026, 10, 12, 9, 0, tzinfo=timezone.utc)
DUE = {"none": None, "past": NOW - timedelta(days=2), "future": NOW + timedelta(days=2)}


def _rectified(due: datetime | None) -> dict:
    base = due or NOW - timedelta(days=1)
    return {"none": None, "before": base - timedelta(hours=3), "at": base,
            "after": base + timedelta(hours=3)}


def _cases() -> list[tuple]:
    return [(state, due_key, rect_key)
            for state, due_key in itertools.product(list(TicketState), DUE)
            for rect_key in _rectified(DUE[due_key])]


def test_the_rule_reads_as_the_seed_says():
    past, future = DUE["past"], DUE["future"]
    assert is_overdue("open", past, None, NOW) and not is_overdue("open", future, None, NOW)
    assert not is_overdue("open", None, None, NOW)  # no deadline, never overdue
    assert not is_overdue("cancelled", past, None, NOW)
    # the company is judged by when it rectified, not by when a verifier came round
    assert not is_overdue("rectified", past, past - timedelta(hours=1), NOW)
    assert is_overdue("rectified", past, past + timedelta(hours=1), NOW)
    assert is_overdue("closed", past, past + timedelta(hours=1), NOW)
    assert not is_overdue("closed", past, past, NOW)  # at the due time is in time


def test_python_and_sql_agree_on_every_state(db, world):
    compound = world.compounds["east_a"]
    expected: dict = {}
    rows = []
    for state, due_key, rect_key in _cases():
        due, rectified = DUE[due_key], _rectified(DUE[due_key])[rect_key]
        fid = new_id()
        expected[fid] = is_overdue(state, due, rectified, NOW)
        common = {"id": fid, "compound_id": compound.id, "district_id": compound.district_id,
                  "street_id": compound.street_id, "company_id": compound.company_id,
                  "source": "patrol", "month": 202610, "change_seq": 0}
        finding = {**common, "community_id": compound.community_id, "catalog_code": "JC04",
                   "inspection_id": None, "rubric_item": None, "description": "", "building": None,
                   "location_text": None, "latitude": None, "longitude": None,
                   "accuracy_m": None, "case_no": None, "case_level": None,
                   "reporter_id": world.users["inspector"].id, "case_shirking": False,
                   "case_callback_failed": False, "observed_at": NOW, "client_observed_at": NOW,
                   "received_at": NOW, "clock_skew_seconds": 0, "time_flag": None,
                   "photos_declared": 0, "photos_held": 0, "content_hash": fid.hex * 2}
        ticket = {**common, "catalog_code": "JC04", "state": state.value,
                  "dispatched_at": NOW - timedelta(days=5), "deadline_amount": None,
                  "deadline_unit": None, "schedule_key": None, "due_at": due,
                  "due_provisional": False, "rectified_at": rectified,
                  "closed_at": NOW if state == TicketState.closed else None,
                  "cancelled_at": None, "overdue_at_close": None, "version": 1}
        event = {"id": new_id(), "ticket_id": fid, "seq": 1, "kind": "dispatch",
                 "actor_id": None, "at": NOW, "client_at": None, "received_at": NOW,
                 "clock_skew_seconds": 0, "time_flag": None, "from_state": None,
                 "to_state": "open", "note": None, "detail": {}, "content_hash": None}
        rows.append(NewFinding(finding, ticket, [event], []))
    repository.insert(db, rows)
    flags = dict(db.execute(select(Ticket.id, overdue_flag(NOW))
                            .where(Ticket.id.in_(list(expected)))).all())
    assert {k: bool(v) for k, v in flags.items()} == expected
    listed = set(db.execute(select(Ticket.id).where(Ticket.id.in_(list(expected)),
                                                     overdue_clause(NOW))).scalars())
    assert listed == {fid for fid, late in expected.items() if late
                      and next(r.ticket["state"] for r in rows if r.finding["id"] == fid)
                      in OPEN_STATES}
    assert sum(expected.values()) >= 10 and not all(expected.values())
