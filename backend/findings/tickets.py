"""The rectification ticket's rules, as pure functions over plain values.

    open ──rectify (manager, ≥1 after-photo)──▶ rectified ──close (verifier)──▶ closed
      ▲                                            │
      └──────────── reject (verifier, reason) ─────┘   (the original due time keeps running)
    open | rectified ──cancel (supervisor, reason)──▶ cancelled
    open | rectified ──merge (supervisor, into another finding; the server's)──▶ cancelled
    open | rectified ──supplement (a reporter, ≥1 photo of the problem)──▶ (the same state)
    open | rectified ──retype (supervisor, reason; the server's)──▶ (the same state)

The ticket's state is the fold of its events; the row stores that projection so that lists and
roll-ups read one table (`changes` says how each event moves it). When a ticket is overdue is
overdue.py. The phone applies the same rules to its unsent actions (frontend/logic/tickets.js).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backend.auth.models import Role
from backend.findings.models import EventKind, TicketState
from backend.findings.overdue import OPEN_STATES, is_overdue

VERIFIERS = frozenset({Role.inspector, Role.grid_worker, Role.supervisor, Role.admin})
REPORTERS = VERIFIERS  # who log findings: the service's check too
_LIVE = frozenset(OPEN_STATES)

# kind → (states it may start from, resulting state, roles that may do it)
TRANSITIONS: dict[EventKind, tuple[frozenset[TicketState], TicketState, frozenset[Role]]] = {
    EventKind.rectify: (frozenset({TicketState.open}), TicketState.rectified,
                        frozenset({Role.property_manager, Role.admin})),
    EventKind.close: (frozenset({TicketState.rectified}), TicketState.closed, VERIFIERS),
    EventKind.reject: (frozenset({TicketState.rectified}), TicketState.open, VERIFIERS),
    EventKind.cancel: (_LIVE, TicketState.cancelled, frozenset({Role.supervisor, Role.admin})),
    EventKind.merge: (_LIVE, TicketState.cancelled, frozenset({Role.supervisor, Role.admin})),
    # None: the state stays as it is
    EventKind.supplement: (_LIVE, None, REPORTERS),
    EventKind.retype: (_LIVE, None, frozenset({Role.supervisor, Role.admin})),
}
# Events a phone may send (the others are the server's own: dispatch, retimed, and merge and
# retype, which name another finding or type).
FROM_PHONES = frozenset({EventKind.rectify, EventKind.close, EventKind.reject, EventKind.cancel,
                         EventKind.supplement})
NEEDS_REASON = frozenset({EventKind.reject, EventKind.cancel, EventKind.retype})
NEEDS_PHOTO = frozenset({EventKind.rectify, EventKind.supplement})

# The words of ../shared/ux.md; the phone's copy is frontend/logic/tickets.js (tested equal).
STATE_LABELS = {TicketState.open: "待整改", TicketState.rectified: "待核查",
                TicketState.closed: "已办结", TicketState.cancelled: "已撤销"}
KIND_LABELS = {EventKind.dispatch: "派单", EventKind.rectify: "整改", EventKind.close: "核查通过",
               EventKind.reject: "退回", EventKind.cancel: "撤销",
               EventKind.due_recomputed: "时限重算", EventKind.retimed: "记录时间更正",
               EventKind.supplement: "补充照片", EventKind.merge: "合并为重复问题",
               EventKind.hotline_update: "热线工单更新", EventKind.retype: "更正问题类型"}


class TransitionRefused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def check_transition(kind: EventKind, state: TicketState, role: Role, *, note: str | None,
                     photo_count: int, from_phone: bool = True) -> TicketState:
    """The state after `kind`, or TransitionRefused saying why not."""
    if kind not in TRANSITIONS or (from_phone and kind not in FROM_PHONES):
        raise TransitionRefused("event_kind_invalid", "该操作不能由客户端提交")
    starts, result, roles = TRANSITIONS[kind]
    if role not in roles:
        raise TransitionRefused("role_not_allowed", "您的角色不能执行此操作")
    if state not in starts:
        raise TransitionRefused("ticket_state_conflict",
                                f"工单当前状态为“{STATE_LABELS[state]}”，不能{KIND_LABELS[kind]}")
    if kind in NEEDS_REASON and not (note or "").strip():
        raise TransitionRefused("reason_required", "请填写原因")
    if kind in NEEDS_PHOTO and photo_count < 1:
        if kind == EventKind.supplement:
            raise TransitionRefused("photo_required", "补充照片需要至少一张照片")
        raise TransitionRefused("after_photo_required", "整改需要至少一张整改后照片")
    return state if result is None else result


def changes(kind: EventKind, ticket: Any, at: datetime) -> dict:
    """How an event at `at` moves the ticket's stored projection (its other columns)."""
    if kind == EventKind.rectify:
        return {"rectified_at": at}
    if kind == EventKind.reject:
        return {"rectified_at": None}
    if kind == EventKind.close:
        return {"closed_at": at, "overdue_at_close": is_overdue(
            TicketState.closed, ticket.due_at, ticket.rectified_at, at)}
    if kind in (EventKind.cancel, EventKind.merge):
        return {"cancelled_at": at}
    if kind == EventKind.retimed:
        moved: dict = {"rectified_at": at}
        if ticket.state == TicketState.closed:
            moved["overdue_at_close"] = is_overdue(TicketState.closed, ticket.due_at, at,
                                                   ticket.closed_at)
        return moved
    return {}


@dataclass(frozen=True)
class Projection:
    state: TicketState
    rectified_at: datetime | None  # the rectification now pending or accepted
    closed_at: datetime | None
    cancelled_at: datetime | None


def fold(events: Iterable[tuple[EventKind, datetime]]) -> Projection:
    """The ticket's state from its events in order: the state is derived, never edited."""
    state, rectified_at, closed_at, cancelled_at = TicketState.open, None, None, None
    for kind, at in events:
        if kind == EventKind.rectify:
            state, rectified_at = TicketState.rectified, at
        elif kind == EventKind.retimed:
            rectified_at = at
        elif kind == EventKind.reject:
            state, rectified_at = TicketState.open, None
        elif kind == EventKind.close:
            state, closed_at = TicketState.closed, at
        elif kind in (EventKind.cancel, EventKind.merge):
            state, cancelled_at = TicketState.cancelled, at
    return Projection(state, rectified_at, closed_at, cancelled_at)
