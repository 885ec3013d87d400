"""Moving a ticket: rectify, close, reject, cancel, supplement; a supervisor's merge of a
duplicate and correction of the type (retype). Idempotent by the phone's event id; the
ticket's state is the projection of its append-only events (tickets.py has the rules,
repository.py writes them)."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import update
from sqlmodel import Session

from backend.audit.models import record
from backend.auth.models import Role
from backend.auth.scope import Scope
from backend.clock import ClaimRefused, ClaimRule, RequestClock
from backend.digest import digest, same_content
from backend.findings import deadlines, repository, tickets
from backend.findings.errors import raise_for, refused
from backend.ids import new_id
from backend.findings.models import Finding, Source, TicketEvent, TicketState
from backend.findings.schemas import EventIn, ItemResult
from backend.findings.views import ticket_filter, tickets_public
from backend.photos.service import capture_times

EVENT_V0_FIELDS = ("id", "ticket_id", "kind", "at", "note", "photos")


def apply_event(session: Session, user, scope: Scope, data: EventIn, *,  # noqa: ANN001
                clock: RequestClock) -> ItemResult:
    now = clock.now
    item_digest = digest(data)
    visible_tickets = ticket_filter(scope, user)
    existing = session.get(TicketEvent, data.id)
    if existing is not None:
        ticket = repository.load_ticket(session, existing.ticket_id, visible_tickets)
        if ticket is None:
            # Someone else's event: answered as this content would be, never with theirs.
            mine = repository.load_ticket(session, data.ticket_id, visible_tickets)
            return refused(data.id, "uuid_reused" if mine else "ticket_not_found")
        if existing.ticket_id != data.ticket_id or not same_content(
                existing.content_hash, data, legacy_fields=EVENT_V0_FIELDS, current=item_digest):
            return refused(data.id, "uuid_reused")
        return _answer(session, data.id, "duplicate", ticket, now)
    ticket = repository.load_ticket(session, data.ticket_id, visible_tickets)
    if ticket is None:
        return refused(data.id, "ticket_not_found")
    try:
        new_state = tickets.check_transition(data.kind, TicketState(ticket.state), Role(user.role),
                                             note=data.note, photo_count=len(data.photos))
    except tickets.TransitionRefused as refusal:
        result = refused(data.id, refusal.code, refusal.message)
        if result.status == "conflict":
            result.ticket = tickets_public(session, [ticket], now)[0]
        return result

    declared = {p.sha256 for p in data.photos}
    visible = repository.visible_photos(session, declared, visible_tickets) if declared else set()
    _, last_at = repository.last_event(session, ticket.id)
    try:
        claim = ClaimRule.of(clock)(data.at, not_before=max(ticket.dispatched_at, last_at),
                                    evidence_after=max(capture_times(session, visible).values(),
                                                       default=None))
    except ClaimRefused as refusal:
        return refused(data.id, refusal.code, refusal.message)
    repository.append_event(
        session, ticket, event_id=data.id, kind=data.kind, actor_id=user.id, at=claim.at,
        received_at=now, client_at=data.at, skew_seconds=int(clock.skew.total_seconds()),
        time_flag=claim.flag, to_state=new_state.value, note=data.note,
        content_hash=item_digest, photos=data.photos, visible=visible,
        changes=tickets.changes(data.kind, ticket, claim.at))
    return _answer(session, data.id, "created", ticket, now)


def _answer(session: Session, event_id, status: str, ticket, now) -> ItemResult:  # noqa: ANN001
    """The event's answer: the ticket as it now stands, and which of the event's own photos
    the server holds (the phone uploads the others)."""
    public = tickets_public(session, [ticket], now)[0]
    mine = next(e.photos for e in public.events if e.id == event_id)
    missing = [sha for sha in mine if sha in public.photos_missing]
    return ItemResult(id=event_id, status=status, complete=not missing,
                      photos_held=[sha for sha in mine if sha not in missing],
                      photos_missing=missing, ticket=public)


def merge(session: Session, user, scope: Scope, ticket, *, into, note: str | None,  # noqa: ANN001
          clock: RequestClock) -> None:
    """A supervisor closes `ticket` as a duplicate of `into` (the same compound, the same
    catalog type, not itself cancelled): a `merge` event, state cancelled, so it costs points
    once (cancelled tickets count nowhere); the finding names the one it repeats. Audited by
    its event (who, when, into which) and in the audit log."""
    if into.id == ticket.id or into.compound_id != ticket.compound_id or \
            into.catalog_code != ticket.catalog_code or into.state == TicketState.cancelled:
        raise_for(refused(ticket.id, "merge_target_invalid"))
    try:
        new_state = tickets.check_transition(tickets.EventKind.merge, TicketState(ticket.state),
                                             Role(user.role), note=note, photo_count=0,
                                             from_phone=False)
    except tickets.TransitionRefused as refusal:
        raise_for(refused(ticket.id, refusal.code, refusal.message))
    repository.append_event(
        session, ticket, event_id=new_id(), kind=tickets.EventKind.merge, actor_id=user.id,
        at=clock.now, received_at=clock.now, to_state=new_state.value,
        note=note or "与另一条问题重复，已合并", detail={"duplicate_of": str(into.id)},
        changes=tickets.changes(tickets.EventKind.merge, ticket, clock.now))
    session.execute(update(Finding).where(Finding.id == ticket.id)
                    .values(duplicate_of_id=into.id))
    record(session, actor_id=user.id, action="ticket.merge", object_type="ticket",
           object_id=ticket.id, into=str(into.id))


def retype(session: Session, user, ticket, *, catalog_code: str, note: str,  # noqa: ANN001, ANN201
           clock: RequestClock):
    """A supervisor corrects the finding's catalog type (a 其他问题 that the catalog does list, a
    wrong pick), with a reason: a `retype` event names both types and the due times. The due
    time follows the new type from the dispatch, as if it had been picked then; a 12345 case
    keeps its own (the work order's 办理时限 governs it). It then counts as the new type.
    Returns the ticket as stored now."""
    try:  # who, in which state, and why first; then the type asked for
        tickets.check_transition(tickets.EventKind.retype, TicketState(ticket.state), Role(user.role),
                                 note=note, photo_count=0, from_phone=False)
    except tickets.TransitionRefused as refusal:
        raise_for(refused(ticket.id, refusal.code, refusal.message))
    entry = deadlines.catalog_entry(catalog_code)
    if entry is None:
        raise_for(refused(ticket.id, "catalog_code_unknown", f"问题类型代码不存在: {catalog_code}"))
    if catalog_code == ticket.catalog_code:
        raise_for(refused(ticket.id, "retype_same"))
    detail = {"from": ticket.catalog_code, "to": catalog_code, "old_due_at": _utc_text(ticket.due_at)}
    changes: dict = {"catalog_code": catalog_code}
    if ticket.source != Source.hotline:
        changes.update(deadlines.deadline_for(entry, ticket.dispatched_at).ticket_columns)
    detail["new_due_at"] = _utc_text(changes.get("due_at", ticket.due_at))
    repository.append_event(
        session, ticket, event_id=new_id(), kind=tickets.EventKind.retype, actor_id=user.id,
        at=clock.now, received_at=clock.now, note=note.strip(), detail=detail, changes=changes)
    session.execute(update(Finding).where(Finding.id == ticket.id).values(catalog_code=catalog_code))
    record(session, actor_id=user.id, action="ticket.retype", object_type="ticket",
           object_id=ticket.id, **detail, reason=note.strip())
    return repository.load_ticket(session, ticket.id)  # as stored: the amount at the column's scale


def _utc_text(at: datetime | None) -> str | None:
    return at.astimezone(timezone.utc).isoformat() if at else None
