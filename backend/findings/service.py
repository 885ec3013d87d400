"""Logging findings and moving tickets, idempotently: the same id sent twice is stored once.

Every create and transition is identified by the phone's UUID. A second arrival with the same
content answers exactly like the first (`duplicate`); the same id with other content is a
`conflict` (`uuid_reused`) and changes nothing. A refusal is an item result, not an exception,
so that one bad item in a sync batch never blocks the others.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, update
from sqlmodel import Session, select

from backend.auth.models import Role, User
from backend.auth.scope import Scope
from backend.config import get_settings
from backend.dbtypes import utcnow
from backend.findings import deadlines
from backend.findings.models import EventIn, EventKind, Finding, FindingIn, ItemResult, \
    PhotoDecl, PhotoKind, PhotoRef, SyncCounter, Ticket, TicketEvent, TicketState
from backend.findings.tickets import TransitionRefused, check_transition, is_overdue
from backend.organisation.models import Compound

REPORTERS = frozenset({Role.inspector, Role.grid_worker, Role.supervisor, Role.admin})
SKEW_FLAG_SECONDS = 300


def next_change_seq(session: Session) -> int:
    """The next value of the change sequence (see SyncCounter for why it is a locked row)."""
    return session.exec(update(SyncCounter).where(SyncCounter.id == 1)  # type: ignore[call-overload]
                        .values(value=SyncCounter.value + 1).returning(SyncCounter.value)).scalar_one()


def content_hash(payload: dict) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def month_of(moment: datetime) -> int:
    local = moment.astimezone(ZoneInfo(get_settings().timezone))
    return local.year * 100 + local.month


def _refuse(item_id: uuid.UUID, status: str, code: str, message: str) -> ItemResult:
    return ItemResult(id=item_id, status=status, code=code, message=message)


def photo_status(session: Session, finding_id: uuid.UUID) -> tuple[list[str], list[str]]:
    refs = session.exec(select(PhotoRef).where(PhotoRef.finding_id == finding_id)
                        .order_by(PhotoRef.kind, PhotoRef.position)).all()
    held = [r.sha256 for r in refs if r.received_at is not None]
    missing = [r.sha256 for r in refs if r.received_at is None]
    return held, missing


def _declare_photos(session: Session, finding_id: uuid.UUID, owner_id: uuid.UUID, kind: PhotoKind,
                    photos: list[PhotoDecl]) -> None:
    from backend.photos.models import Photo  # the photo domain owns the stored bytes

    seen: set[str] = set()
    for position, photo in enumerate(photos):
        if photo.sha256 in seen:
            continue
        seen.add(photo.sha256)
        # Bytes already on the server (the same photo sent for another record) count at once.
        held = session.get(Photo, photo.sha256) is not None
        session.add(PhotoRef(finding_id=finding_id, owner_id=owner_id, kind=kind,
                             sha256=photo.sha256, position=position, declared_bytes=photo.bytes,
                             received_at=utcnow() if held else None))


def refresh_photo_counts(session: Session, finding: Finding) -> None:
    session.flush()
    held, missing = photo_status(session, finding.id)
    finding.photos_held, finding.photos_declared = len(held), len(held) + len(missing)
    session.add(finding)


# ------------------------------------------------------------------ findings


def _finding_payload(data: FindingIn) -> dict:
    return data.model_dump(mode="json")


def create_finding(session: Session, user: User, scope: Scope, data: FindingIn, *,
                   now: datetime, skew: timedelta) -> ItemResult:
    digest = content_hash(_finding_payload(data))
    existing = session.get(Finding, data.id)
    if existing is not None:
        if existing.content_hash != digest:
            return _refuse(data.id, "conflict", "uuid_reused",
                           "该编号已用于另一条不同内容的问题记录，未覆盖")
        return finding_result(session, existing, "duplicate", now)
    if user.role not in REPORTERS:
        return _refuse(data.id, "invalid", "role_not_allowed", "您的角色不能登记问题")
    compound = session.exec(select(Compound).where(Compound.id == data.compound_id,
                                                   scope.compound_filter())).first()
    if compound is None:
        return _refuse(data.id, "invalid", "compound_not_found", "小区不存在或不在您的管辖范围内")
    entry = None
    if data.catalog_code:
        entry = deadlines.catalog_entry(data.catalog_code)
        if entry is None:
            return _refuse(data.id, "invalid", "catalog_code_unknown",
                           f"问题类型代码不存在: {data.catalog_code}")
    elif not data.rubric_item:
        return _refuse(data.id, "invalid", "catalog_code_required", "请选择问题类型")
    if data.source == "hotline" and not data.case_no:
        return _refuse(data.id, "invalid", "case_no_required", "热线案卷请填写案卷号")

    observed = data.observed_at + skew
    seq = next_change_seq(session)
    finding = Finding(
        id=data.id, compound_id=compound.id, district_id=compound.district_id,
        street_id=compound.street_id, community_id=compound.community_id,
        company_id=compound.company_id, reporter_id=user.id, catalog_code=data.catalog_code,
        inspection_id=data.inspection_id, rubric_item=data.rubric_item,
        description=data.description, building=data.building, location_text=data.location_text,
        latitude=data.latitude, longitude=data.longitude, accuracy_m=data.accuracy_m,
        source=data.source, case_no=data.case_no,
        case_level=data.case_level.value if data.case_level else None,
        observed_at=observed, client_observed_at=data.observed_at, received_at=now,
        clock_skew_seconds=int(skew.total_seconds()), month=month_of(observed),
        content_hash=digest, change_seq=seq)
    session.add(finding)
    session.flush()
    _declare_photos(session, finding.id, finding.id, PhotoKind.before, data.photos)
    refresh_photo_counts(session, finding)
    ticket = dispatch(session, finding, entry, now=now, actor_id=user.id, seq=seq)
    return finding_result(session, finding, "created", now, ticket=ticket)


def dispatch(session: Session, finding: Finding, entry, *, now: datetime,  # noqa: ANN001
             actor_id: uuid.UUID, seq: int) -> Ticket:
    """Turn a finding into a ticket for the compound's company, with its due time."""
    ticket = Ticket(id=finding.id, compound_id=finding.compound_id,
                    district_id=finding.district_id, street_id=finding.street_id,
                    company_id=finding.company_id, catalog_code=finding.catalog_code,
                    dispatched_at=now, month=month_of(now), version=1, change_seq=seq)
    detail: dict = {}
    if entry is not None:
        deadline = deadlines.deadline_for(entry, now)
        ticket.deadline_amount, ticket.deadline_unit = deadline.amount, deadline.unit
        ticket.schedule_key, ticket.due_at = deadline.schedule_key, deadline.due_at
        ticket.due_provisional = deadline.provisional
        detail = {"due_at": deadline.due_at.isoformat(), "provisional": deadline.provisional,
                  "missing_years": list(deadline.missing_years)}
    session.add(ticket)
    session.flush()
    session.add(TicketEvent(id=uuid.uuid5(finding.id, "dispatch"), ticket_id=ticket.id, seq=1,
                            kind=EventKind.dispatch, actor_id=actor_id, at=now, received_at=now,
                            from_state=None, to_state=TicketState.open, detail=detail))
    return ticket


def finding_result(session: Session, finding: Finding, status: str, now: datetime,
                   ticket: Ticket | None = None) -> ItemResult:
    from backend.findings.views import tickets_public

    held, missing = photo_status(session, finding.id)
    ticket = ticket or session.get(Ticket, finding.id)
    return ItemResult(id=finding.id, status=status, complete=not missing, photos_held=held,
                      photos_missing=missing,
                      ticket=tickets_public(session, [ticket], now)[0] if ticket else None)


# ------------------------------------------------------------------ transitions


def _event_payload(data: EventIn) -> dict:
    return data.model_dump(mode="json")


def apply_event(session: Session, user: User, scope: Scope, data: EventIn, *, now: datetime,
                skew: timedelta) -> ItemResult:
    from backend.findings.views import tickets_public

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
