"""Work orders as hotline cases: making a matched order's case, moving a case when a later
export states its order otherwise, and refusing both in a published (frozen) period.

A case is a finding (source=hotline) with its ticket, written through the findings' write path
(backend/findings/repository.py). Its id is derived from the order's number, so two imports at
once store one case.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session

from backend.config import get_settings
from backend.findings import deadlines, repository, tickets
from backend.findings.models import CaseLevel, EventKind, Source, TicketState
from backend.findings.schemas import FindingIn
from backend.findings.service import month_of
from backend.hotline import matching, orders
from backend.hotline.models import HotlineConflict, WorkOrder
from backend.reports.models import PeriodPublication
from backend.reports.periods import PeriodError, parse_period

_CASE_IDS = uuid.UUID("8f0c2b54-3a55-4d0e-9b61-12345a000018")


def case_id(case_no: str) -> uuid.UUID:
    """The case's finding id, derived from the order's number."""
    return uuid.uuid5(_CASE_IDS, case_no)


@dataclass
class Outcome:
    """What an import (or a review) did; the API's report."""

    import_id: uuid.UUID | None = None
    filename: str = ""
    lines: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    review: int = 0
    conflicts: int = 0
    duplicates: int = 0
    errors: list[orders.OrderError] = field(default_factory=list)

    def summary(self) -> dict:
        return {"lines": self.lines, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "review": self.review,
                "conflicts": self.conflicts, "duplicates": self.duplicates,
                "errors": len(self.errors)}


class Frozen:
    """The published periods not reopened, by unit: which compound-days nothing may change."""

    def __init__(self, session: Session) -> None:
        self.by_unit: dict[uuid.UUID, list] = {}
        for key, unit in session.execute(select(PeriodPublication.period_key,
                                                PeriodPublication.scope_unit_id)
                                         .where(PeriodPublication.reopened_at.is_(None))):
            try:
                self.by_unit.setdefault(unit, []).append(parse_period(key))
            except PeriodError:
                continue

    def period(self, compound: repository.CompoundRow, at: datetime) -> str | None:
        """The label of the published period of the compound's units holding `at`, if any."""
        if not self.by_unit:
            return None
        day = at.astimezone(ZoneInfo(get_settings().timezone)).date()
        for unit in (compound.district_id, compound.street_id, compound.community_id):
            for p in self.by_unit.get(unit, ()):
                if p.start <= day <= p.end:
                    return p.label
        return None


def due(order: orders.OrderRow, code: str) -> deadlines.Deadline:
    """The order's own 办理时限 (a time, or a duration under the type's schedule), else the
    catalog type's. Raises ValueError for one the work-time engine cannot place."""
    if order.due_at is not None:
        return deadlines.fixed_deadline(order.due_at)
    return deadlines.deadline_for(deadlines.catalog_entry(code), order.accepted_at,
                                  limit=order.limit)


def _history(order: orders.OrderRow, detail: dict) -> list[tuple[EventKind, datetime, dict]]:
    """What already happened on the platform: the reply is the rectification, 办结 closes."""
    steps: list = []
    if order.replied_at is not None:
        steps.append((EventKind.rectify, order.replied_at, detail))
        if order.status == "办结":
            steps.append((EventKind.close, order.replied_at, detail))
    return steps


def _new_case(user, order: orders.OrderRow, match: dict, compound: repository.CompoundRow,  # noqa: ANN001
              seq: int, now: datetime, detail: dict, words: Sequence[str]) -> repository.NewFinding:
    item = FindingIn(id=case_id(order.case_no), compound_id=compound.id,
                     catalog_code=match["catalog_code"], description=order.content[:2000],
                     building=(match["building"] or None) and match["building"][:100],
                     location_text=order.address[:200] or None, source=Source.hotline,
                     case_no=order.case_no,
                     case_level=CaseLevel(order.level) if order.level else None,
                     observed_at=order.accepted_at)
    new = repository.new_finding(
        item, compound=compound, reporter_id=user.id, observed_at=order.accepted_at,
        time_flag=None, skew_seconds=0, month=month_of(order.accepted_at),
        digest=order.digest, seq=seq, now=order.accepted_at,
        deadline=due(order, match["catalog_code"]), visible=set(), received_at=now)
    new.events[0]["detail"] = {**new.events[0]["detail"], **detail,
                               "due_from": "办理时限" if order.due_at or order.limit else "问题类型"}
    new.finding["case_callback_failed"] = matching.callback_failed(
        words, order.callback, order.satisfaction)
    repository.add_history(new, _history(order, detail), actor_id=user.id, received_at=now)
    return new


def make(session: Session, user, cases: list[tuple[orders.OrderRow, dict]], outcome: Outcome,  # noqa: ANN001
         frozen: Frozen, detail: dict, words: Sequence[str], now: datetime) -> set[str]:
    """Store the matched orders' cases; the numbers made. One of a published period is listed
    as a conflict instead; one whose time limit the engine cannot place is an error of its line."""
    if not cases:
        return set()
    rows, _ = repository.compounds(session, {m["compound_id"] for _, m in cases},
                                   with_grids=False)
    compounds = {c.id: c for c in rows}
    todo = []
    for order, match in cases:
        compound = compounds[match["compound_id"]]
        period = frozen.period(compound, order.accepted_at)
        if period:
            conflict(session, outcome, order, compound.id, period,
                     [{"field": "新工单", "from": None, "to": order.case_no}])
        else:
            todo.append((order, match, compound))
    seqs = repository.change_seqs(session, len(todo)) if todo else []
    new = []
    for (order, match, compound), seq in zip(todo, seqs):
        try:
            new.append(_new_case(user, order, match, compound, seq, now, detail, words))
        except ValueError as exc:
            outcome.errors.append(orders.OrderError(order.line, "办理时限", f"无法计算期限：{exc}"))
    return {n.finding["case_no"] for n in repository.insert(session, new)}


def conflict(session: Session, outcome: Outcome, order: orders.OrderRow,
             compound_id: uuid.UUID, period: str, changes: list[dict]) -> None:
    """A change nothing may apply to a published period: listed once per statement."""
    outcome.conflicts += 1
    if session.execute(select(HotlineConflict.id).where(
            HotlineConflict.case_no == order.case_no,
            HotlineConflict.digest == order.digest)).first() is None:
        session.add(HotlineConflict(case_no=order.case_no, compound_id=compound_id,
                                    digest=order.digest, import_id=outcome.import_id,
                                    line=order.line, period=period, changes=changes))


def update(session: Session, user, stored: WorkOrder, order: orders.OrderRow,  # noqa: ANN001
           outcome: Outcome, frozen: Frozen, detail: dict, words: Sequence[str],
           now: datetime) -> bool:
    """A later statement of an order that is a case: its ticket moves by events naming the
    file. False (and an error or a conflict recorded) when nothing could be applied."""
    before, after = stored.stated, order.stated()
    changed = {k for k in after if k != "case_no" and before.get(k) != after[k]}
    changes = [{"field": orders.stated_label(k), "from": before.get(k), "to": after[k]}
               for k in sorted(changed)]
    if before.get("accepted_at") and "accepted_at" in changed:
        # the case's month, dispatch and deadline are its acceptance's: not moved silently
        outcome.errors.append(orders.OrderError(order.line, orders.field_label("accepted_at"),
                              f"受理时间与此前导入的不同（原为 {before['accepted_at'][:16]}），未更新："
                              "案卷的月份和期限以原受理时间为准，如确有误请撤销该案卷后重新导入"))
        return False
    ticket = repository.load_ticket(session, stored.finding_id, lock=True)
    rows, _ = repository.compounds(session, {ticket.compound_id}, with_grids=False)
    period = frozen.period(rows[0], order.accepted_at)
    if period:
        conflict(session, outcome, order, ticket.compound_id, period, changes)
        return False

    applied: set[str] = set()

    def event(kind: EventKind, at: datetime, note: str, to_state: str | None = None,
              moved: dict | None = None, **extra) -> None:  # noqa: ANN003
        repository.append_event(
            session, ticket, event_id=uuid.uuid4(), kind=kind, actor_id=user.id, at=at,
            received_at=now, to_state=to_state, detail={**detail, **extra}, note=note,
            changes=moved if moved is not None else tickets.changes(kind, ticket, at))

    live = ticket.state in (TicketState.open, TicketState.rectified)
    if changed & {"due_at", "limit"} and live and ticket.catalog_code:
        deadline = due(order, ticket.catalog_code)
        if deadline.due_at != ticket.due_at:
            event(EventKind.due_recomputed, now, "热线平台调整办理时限",
                  moved={"due_at": deadline.due_at, "due_provisional": deadline.provisional},
                  due_at=deadline.due_at.isoformat())
        applied |= {"due_at", "limit"}
    if "replied_at" in changed and order.replied_at is not None:
        if ticket.state == TicketState.open:
            event(EventKind.rectify, order.replied_at, "热线平台回复", TicketState.rectified.value)
            applied.add("replied_at")
        elif ticket.rectified_at is not None and live:
            event(EventKind.retimed, order.replied_at, "热线平台更正回复时间")
            applied.add("replied_at")
    if order.status == "办结" and ticket.state == TicketState.rectified \
            and changed & {"status", "replied_at"}:
        event(EventKind.close, order.replied_at or now, "热线平台办结", TicketState.closed.value)
        applied.add("status")
    if changed & {"callback", "satisfaction"} and matching.callback_failed(
            words, order.callback, order.satisfaction):
        # set, never cleared: a supervisor's 核查不符 stands whatever a later export says
        repository.set_case_flags(session, ticket.id, callback_failed=True)
    rest = [c for k, c in zip(sorted(changed), changes) if k not in applied]
    if rest:
        event(EventKind.hotline_update, now, "热线平台更新：" + "、".join(
            dict.fromkeys(c["field"] for c in rest)), moved={}, changes=rest)
    return True
