"""Moving a ticket: rectify, close, reject, cancel. Idempotent by the phone's event id; the
ticket's state is the projection of its append-only events (see tickets.py for the rules)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from backend.auth.models import Role, User
from backend.auth.scope import Scope
from backend.findings.models import EventIn, EventKind, Finding, ItemResult, PhotoKind, Ticket, \
    TicketEvent, TicketState
from backend.findings.service import _declare_photos, _refuse, content_hash, next_change_seq, \
    refresh_photo_counts
from backend.findings.tickets import TransitionRefused, check_transition, is_overdue
from backend.findings.views import tickets_public


def _event_payload(data: EventIn) -> dict:
    return data.model_dump(mode="json")


def apply_event(session: Session, user: User, scope: Scope, data: EventIn, *, now: datetime,
                skew: timedelta) -> ItemResult:
    digest = content_hash(_event_payload(data))
    existing = session.get(TicketEvent, data.id)
    if existing is not None:
        ticket = session.get(Ticket, existing.ticket_id)
        if existing.content_hash != digest or existing.ticket_id != data.ticket_id:
            return _refuse(data.id, "conflict", "uuid_reused", "该编号已用于另一个不同的操作，未覆盖")
        return ItemResult(id=data.id, status="duplicate",
                          ticket=tickets_public(session, [ticket], now)[0])
    ticket = session.exec(select(Ticket).where(Ticket.id == data.ticket_id,
                                               Ticket.compound_id.in_(scope.compound_ids()))).first()
    if ticket is None or (user.role == Role.property_manager and ticket.company_id != user.company_id):
        return _refuse(data.id, "invalid", "ticket_not_found", "工单不存在或不在您的管辖范围内")
    try:
        new_state = check_transition(data.kind, TicketState(ticket.state), Role(user.role),
                                     note=data.note, photo_count=len(data.photos))
    except TransitionRefused as refusal:
        status = "conflict" if refusal.code == "ticket_state_conflict" else "invalid"
        result = _refuse(data.id, status, refusal.code, refusal.message)
        result.ticket = tickets_public(session, [ticket], now)[0]
        return result

    last_at, last_seq = session.exec(select(func.max(TicketEvent.at), func.max(TicketEvent.seq))
                                     .where(TicketEvent.ticket_id == ticket.id)).one()
    # When it happened: the phone's time corrected by its clock skew, but never before the
    # ticket's previous event nor after the server received it.
    at = min(now, max((data.at or now) + skew, last_at))
    event = TicketEvent(id=data.id, ticket_id=ticket.id, seq=last_seq + 1, kind=data.kind,
                        actor_id=user.id, at=at, client_at=data.at, received_at=now,
                        clock_skew_seconds=int(skew.total_seconds()), from_state=ticket.state,
                        to_state=new_state, note=data.note, content_hash=digest)
    session.add(event)
    session.flush()
    if data.photos:
        _declare_photos(session, ticket.id, event.id, PhotoKind.after, data.photos)
        refresh_photo_counts(session, session.get(Finding, ticket.id))
    if data.kind == EventKind.rectify:
        ticket.rectified_at = at
    elif data.kind == EventKind.reject:
        ticket.rectified_at = None
    elif data.kind == EventKind.close:
        ticket.closed_at = at
        ticket.overdue_at_close = is_overdue(TicketState.closed, ticket.due_at, ticket.rectified_at, at)
    elif data.kind == EventKind.cancel:
        ticket.cancelled_at = at
    ticket.state = new_state
    ticket.version += 1
    ticket.change_seq = next_change_seq(session)
    session.add(ticket)
    session.flush()
    return ItemResult(id=data.id, status="created", ticket=tickets_public(session, [ticket], now)[0])
