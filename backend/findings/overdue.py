"""When a ticket is overdue (seed 002 §四(一): 未按要求及时整改到位的双倍扣分): the one rule.

The rectification counts when it was done, not when someone came round to verify it. In order:

1. no due time, or cancelled        → never overdue;
2. closed                           → overdue when its rectification came after the due time;
3. rectified in time, not yet verified → not overdue (the wait is not the company's delay);
4. otherwise (open, or rectified late) → overdue once the due time has passed.

A rejected rectification does not count: the ticket is open again and the original due time
keeps running. The rule is written once, in `_rule`, over a small set of operations; evaluated
with Python values it is `is_overdue`, with SQL columns it is what the roll-ups count by
(`overdue_flag`). Python's operations follow SQL's three-valued logic (a comparison with NULL
is unknown, and unknown is not true), so the two cannot disagree. One restatement exists for
the query planner's sake: `overdue_clause`, the open branches as plain conditions that the
lists filter by. tests/findings/test_overdue_rule.py holds all three equal on every state (the
phone's copy, frontend/logic/tickets.js, is held equal by tests/frontend/test_ticket_parity.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, literal, or_, text

from backend.findings.models import Ticket, TicketState

OPEN_STATES = (TicketState.open, TicketState.rectified)
# The predicate of the partial indexes ix_ticket_open_street_due / ix_ticket_open_company_due,
# written literally so that the planner can use them (a bound parameter cannot prove it).
OPEN_LITERAL = text("ticket.state IN ('open', 'rectified')")


def _rule(o: Any, state: Any, due_at: Any, rectified_at: Any, now: Any) -> Any:
    return o.case(
        (o.or_(o.is_null(due_at), o.eq(state, TicketState.cancelled.value)), False),
        (o.eq(state, TicketState.closed.value),
         o.or_(o.is_null(rectified_at), o.gt(rectified_at, due_at))),
        (o.and_(o.eq(state, TicketState.rectified.value), o.le(rectified_at, due_at)), False),
        else_=o.gt(now, due_at))


class _Python:
    """SQL's three-valued logic on Python values: None is NULL, and NULL compared is unknown."""

    @staticmethod
    def is_null(x: Any) -> bool:
        return x is None

    @staticmethod
    def eq(x: Any, y: Any) -> bool | None:
        return None if x is None or y is None else x == y

    @staticmethod
    def gt(x: Any, y: Any) -> bool | None:
        return None if x is None or y is None else x > y

    @staticmethod
    def le(x: Any, y: Any) -> bool | None:
        return None if x is None or y is None else x <= y

    @staticmethod
    def or_(*xs: bool | None) -> bool | None:
        return True if any(x is True for x in xs) else (None if None in xs else False)

    @staticmethod
    def and_(*xs: bool | None) -> bool | None:
        return False if any(x is False for x in xs) else (None if None in xs else True)

    @staticmethod
    def case(*branches: tuple[bool | None, Any], else_: Any) -> bool:
        for condition, value in branches:
            if condition is True:
                return value is True
        return else_ is True


class _SQL:
    is_null = staticmethod(lambda x: x.is_(None))
    eq = staticmethod(lambda x, y: x == y)
    gt = staticmethod(lambda x, y: x > y)
    le = staticmethod(lambda x, y: x <= y)
    or_ = staticmethod(or_)
    and_ = staticmethod(and_)

    @staticmethod
    def case(*branches: tuple, else_: Any) -> ColumnElement[int]:
        def one(v: Any) -> Any:
            return literal(1) if v is True else literal(0) if v is False else \
                case((v, literal(1)), else_=literal(0))
        return case(*((condition, one(value)) for condition, value in branches), else_=one(else_))


def is_overdue(state: str, due_at: datetime | None, rectified_at: datetime | None,
               now: datetime) -> bool:
    """Whether a ticket in `state` is overdue at `now`: the rule above."""
    return _rule(_Python, str(state), due_at, rectified_at, now)


def overdue_flag(now: datetime) -> ColumnElement[int]:
    """1 for an overdue ticket, else 0 (roll-ups sum it): the rule in SQL."""
    return _rule(_SQL, Ticket.state, Ticket.due_at, Ticket.rectified_at, now)


def overdue_clause(now: datetime) -> ColumnElement[bool]:
    """Open tickets that are overdue: the rule's branches for an open or rectified ticket
    (3 and 4), as plain conditions. The planner estimates these; it cannot estimate the
    rule's CASE, and on PostgreSQL it then sorted a whole street's open tickets instead of
    reading the partial index in due order (tests/bench/RESULTS.md, issue 13). Held equal to
    the rule on every state by tests/findings/test_overdue_rule.py."""
    return and_(OPEN_LITERAL, Ticket.due_at.is_not(None), Ticket.due_at < now,
                or_(Ticket.state == TicketState.open.value, Ticket.rectified_at.is_(None),
                    Ticket.rectified_at > Ticket.due_at))
