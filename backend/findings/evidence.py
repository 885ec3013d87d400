"""Photo evidence of findings: the bytes of a declared photo arriving, and who may see them.

The photo domain (backend/photos) receives, checks and stores bytes; this module decides what
they prove. A declared photo is held only once its bytes are uploaded by someone whose scope
covers the finding (or, when declared, if the declarer could already see those bytes:
repository.visible_photos). An after-photo taken before the ticket's dispatch is refused; one
taken after the time its rectification claimed moves that rectification to its arrival
(a `retimed` event, backend/clock.py).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import BinaryIO

from sqlalchemy import select
from sqlmodel import Session

from backend.config import get_settings
from backend.dbtypes import as_local
from backend.findings import repository, tickets
from backend.findings.errors import not_found
from backend.findings.models import EventKind, Finding, PhotoRef, Ticket, TicketEvent, TicketState
from backend.findings.views import ticket_filter
from backend.organisation.models import Compound
from backend.photos.errors import PhotoRejected
from backend.photos.models import Photo
from backend.photos.service import capture_instant, receive_declared
from backend.photos.storage import PhotoStore


def finding_in_scope(session: Session, finding_id: uuid.UUID, scope, user) -> Finding:  # noqa: ANN001
    finding = session.execute(select(Finding).join(Ticket, Ticket.id == Finding.id)
                              .where(Finding.id == finding_id, ticket_filter(scope, user))
                              ).scalars().first()
    if finding is None:
        raise not_found("finding_not_found")
    return finding


def attach_upload(session: Session, user, scope, *, finding_id: uuid.UUID,  # noqa: ANN001
                  stream: BinaryIO, sha256: str | None, store: PhotoStore, now: datetime) -> dict:
    """Receive one declared photo of a finding (before) or of its ticket's events (after).

    Safe to repeat: the same bytes are stored once. Answers which declared photos the server
    now holds, so the phone dequeues only what is confirmed."""
    finding = finding_in_scope(session, finding_id, scope, user)
    refs = session.execute(select(PhotoRef.sha256, PhotoRef.kind, PhotoRef.owner_id)
                           .where(PhotoRef.finding_id == finding.id)).all()
    photo = receive_declared(session, stream, sha256=sha256, declared={r.sha256 for r in refs},
                             place=session.get(Compound, finding.compound_id).name, uploader=user,
                             store=store, now=now)
    taken = capture_instant(photo.taken_at)
    after_events = [r.owner_id for r in refs if r.sha256 == photo.sha256 and r.kind == "after"]
    ticket = repository.load_ticket(session, finding.id)
    # A phone's clock a few minutes behind the server's is not a photo from before dispatch.
    tolerance = timedelta(seconds=get_settings().clock_tolerance_seconds)
    if after_events and taken is not None and taken < ticket.dispatched_at - tolerance:
        raise PhotoRejected("photo_before_dispatch", detail={
            "taken_at": taken.isoformat(), "dispatched_at": ticket.dispatched_at.isoformat()})
    repository.receive_photo(session, finding.id, photo.sha256, now)
    if taken is not None:
        for event_id in after_events:
            _retime(session, ticket, event_id, photo.sha256, taken, now)
    held, missing = repository.photo_status(session, finding.id)
    return {"sha256": photo.sha256, "stored": True, "already_had": photo.already_stored,
            "finding_id": str(finding.id), "complete": not missing, "photos_held": held,
            "photos_missing": missing,
            "evidence": {"taken_at": photo.taken_at.isoformat() if photo.taken_at else None,
                         "latitude": photo.lat, "longitude": photo.lon}}


def _retime(session: Session, ticket, event_id: uuid.UUID, sha256: str,  # noqa: ANN001
            taken: datetime, now: datetime) -> None:
    """A rectification that claimed a time before its own after-photo was taken counts from
    its arrival instead (never before the photo), recorded as a `retimed` event."""
    event = session.get(TicketEvent, event_id)
    if event is None or event.kind != EventKind.rectify or event.at >= taken:
        return
    if ticket.state not in (TicketState.rectified, TicketState.closed) or \
            ticket.rectified_at != event.at:
        return  # not the rectification the ticket now counts (rejected since, or retimed)
    at = max(event.received_at, taken)
    repository.append_event(
        session, ticket, event_id=uuid.uuid4(), kind=EventKind.retimed, actor_id=None, at=at,
        received_at=now, time_flag="before_photo",
        note="整改照片拍摄时间晚于离线记录时间，按到达时间计",
        detail={"event_id": str(event_id), "claimed_at": event.at.isoformat(),
                "photo_taken_at": taken.isoformat(), "sha256": sha256},
        changes=tickets.changes(EventKind.retimed, ticket, at))


def photo_visible(session: Session, sha256: str, scope, user) -> bool:  # noqa: ANN001
    """Whether the caller may see these bytes: held for a finding whose ticket they see."""
    return bool(repository.visible_photos(session, {sha256}, ticket_filter(scope, user)))


def photo_evidence(session: Session, finding: Finding) -> list[dict]:
    """What each held photo of a finding shows a verifier: before or after (and of which
    event), its EXIF capture time and place, and when its bytes arrived. `check` on an
    after-photo: `no_capture_time` (it cannot show it was taken after the dispatch), or
    `taken_before_dispatch` (bytes the server already held, e.g. an old photo declared again:
    never uploaded, so never refused on upload)."""
    dispatched = repository.load_ticket(session, finding.id).dispatched_at
    tolerance = timedelta(seconds=get_settings().clock_tolerance_seconds)
    rows = session.execute(
        select(PhotoRef.sha256, PhotoRef.kind, PhotoRef.owner_id, PhotoRef.received_at,
               Photo.taken_at, Photo.taken_at_local, Photo.latitude, Photo.longitude)
        .outerjoin(Photo, Photo.sha256 == PhotoRef.sha256)
        .where(PhotoRef.finding_id == finding.id, PhotoRef.received_at.is_not(None))
        .order_by(PhotoRef.kind, PhotoRef.position)).all()
    out = []
    for sha, kind, owner, received, taken_utc, taken_local, lat, lon in rows:
        taken = capture_instant(taken_utc or (datetime.fromisoformat(taken_local) if taken_local else None))
        out.append({"sha256": sha, "kind": kind, "event_id": str(owner) if kind == "after" else None,
                    "taken_at": as_local(taken), "latitude": lat, "longitude": lon,
                    "received_at": as_local(received), "dispatched_at": as_local(dispatched),
                    "check": None if kind != "after" else "no_capture_time" if taken is None
                    else "taken_before_dispatch" if taken < dispatched - tolerance else None})
    return out
