"""Issue 13 §4: one set of ticket rules on the phone (frontend/logic/tickets.js) and the server
(backend/findings/overdue.py, tickets.py), held equal over the same generated tickets, as
test_worktime_parity.py does for work time.

Before this test the phone never counted a ticket rectified late (awaiting verification or
closed) as overdue, and it called 待核查 "待核验"."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from backend.auth.models import Role
from backend.findings.models import EventKind, TicketState
from backend.findings.overdue import is_overdue
from backend.findings.tickets import KIND_LABELS, STATE_LABELS, TRANSITIONS
from tests.frontend.node import run_module

NODE = """
import * as t from './logic/tickets.js';
let input = '';
process.stdin.on('data', (c) => { input += c; });
process.stdin.on('end', () => {
  const { tickets, now, roles } = JSON.parse(input);
  process.stdout.write(JSON.stringify({
    overdue: tickets.map((x) => t.isOverdue(x, now)),
    actions: tickets.map((x) => Object.fromEntries(roles.map((r) => [r, t.nextActions(x, r)]))),
    states: t.STATE_LABELS, events: t.EVENT_LABELS,
  }));
});
"""


def _node(payload: dict) -> dict:
    return run_module(NODE, payload)


def _generated(rng: random.Random, now: datetime, n: int) -> list[dict]:
    tickets = []
    zones = [timezone.utc, timezone(timedelta(hours=8))]
    for _ in range(n):
        state = rng.choice(list(TicketState))
        due = None if rng.random() < 0.15 else now + timedelta(minutes=rng.randrange(-5000, 5000))
        rectified = None
        if rng.random() < 0.7:
            base = due or now
            rectified = base + timedelta(minutes=rng.choice([-90, -1, 0, 1, 90,
                                                             rng.randrange(-3000, 3000)]))
        zone = rng.choice(zones)
        tickets.append({"state": state.value,
                        "due_at": due.astimezone(zone).isoformat() if due else None,
                        "rectified_at": rectified.astimezone(zone).isoformat() if rectified else None})
    return tickets


def test_the_phone_says_overdue_exactly_when_the_server_does():
    rng = random.Random(13)
    now = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
    tickets = _generated(rng, now, 2000)
    got = _node({"tickets": tickets, "now": int(now.timestamp() * 1000), "roles": []})["overdue"]
    expected = [is_overdue(t["state"], datetime.fromisoformat(t["due_at"]) if t["due_at"] else None,
                           datetime.fromisoformat(t["rectified_at"]) if t["rectified_at"] else None,
                           now) for t in tickets]
    mismatches = [(t, e, g) for t, e, g in zip(tickets, expected, got) if e != g]
    assert not mismatches, mismatches[:5]
    late = [t for t, e in zip(tickets, expected) if e and t["state"] in ("rectified", "closed")]
    assert len(late) > 50  # the states the phone used to get wrong are well represented


def test_the_phone_offers_the_transitions_the_server_allows_with_the_same_words():
    roles = [r.value for r in Role]
    tickets = [{"state": s.value} for s in TicketState]
    got = _node({"tickets": tickets, "now": 0, "roles": roles})
    for ticket, actions in zip(tickets, got["actions"]):
        for role in roles:
            allowed = [k.value for k, (starts, _, who) in TRANSITIONS.items()
                       if TicketState(ticket["state"]) in starts and Role(role) in who]
            assert actions[role] == allowed, (ticket, role)
    assert got["states"] == {s.value: label for s, label in STATE_LABELS.items()}
    assert got["events"] == {k.value: label for k, label in KIND_LABELS.items()}
    assert set(KIND_LABELS) == set(EventKind)
