"""Photo upload and serving. Uploads are declared first by a finding or event (by SHA-256)."""

from __future__ import annotations

import uuid
from functools import lru_cache
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import FileResponse
from sqlmodel import Session, select

from backend.auth.dependencies import CurrentUser, ScopeDep
from backend.config import get_settings
from backend.db import SessionDep
from backend.dbtypes import utcnow
from backend.errors import Invalid, NotFound, error_responses
from backend.findings.models import Finding, PhotoRef, Ticket
from backend.findings.service import next_change_seq, photo_status, refresh_photo_counts
from backend.findings.views import ticket_filter
from backend.organisation.models import Compound
from backend.photos.models import Photo
from backend.photos.processing import PhotoLimits
from backend.photos.service import ingest_photo
from backend.photos.storage import PhotoStore
from backend.photos.watermark import WatermarkInfo

router = APIRouter(prefix="/api", tags=["photos"])


@lru_cache
def photo_store() -> PhotoStore:
    return PhotoStore(get_settings().photo_dir)


def _finding_in_scope(session: Session, finding_id: uuid.UUID, scope, user) -> Finding:  # noqa: ANN001
    finding = session.exec(select(Finding).join(Ticket, Ticket.id == Finding.id)
                           .where(Finding.id == finding_id, ticket_filter(scope, user))).first()
    if finding is None:
        raise NotFound("问题记录不存在或不在您的管辖范围内", code="finding_not_found")
    return finding


@router.post("/photos", responses=error_responses(401, 404, 413, 415, 422))
def upload_photo(session: SessionDep, user: CurrentUser, scope: ScopeDep,
                 file: Annotated[UploadFile, File(description="JPEG, PNG, WebP or HEIC")],
                 finding_id: Annotated[uuid.UUID, Form()],
                 sha256: Annotated[str | None, Form(pattern=r"^[0-9a-f]{64}$")] = None) -> dict:
    """Upload one declared photo of a finding (before) or of its ticket's events (after).

    Safe to repeat: the same bytes are stored once. Answers which declared photos the server
    now holds, so the phone dequeues only what is confirmed.
    """
    finding = _finding_in_scope(session, finding_id, scope, user)
    declared = {r.sha256 for r in session.exec(select(PhotoRef).where(PhotoRef.finding_id == finding.id))}
    if sha256 is not None and sha256 not in declared:
        raise Invalid("该照片未在问题记录中登记", code="photo_not_declared")
    compound = session.get(Compound, finding.compound_id)
    # Undeclared bytes are refused after hashing, before anything is decoded or stored.
    photo = ingest_photo(file.file, store=photo_store(), limits=PhotoLimits.from_settings(),
                         watermark=WatermarkInfo(compound=compound.name, author=user.display_name,
                                                 uploaded_at=utcnow()),
                         allowed_sha256=declared)
    if session.get(Photo, photo.sha256) is None:
        taken = photo.taken_at
        session.add(Photo(
            sha256=photo.sha256, byte_size=photo.byte_size, format=photo.format,
            width=photo.oriented_width, height=photo.oriented_height,
            taken_at=taken if taken and taken.tzinfo else None,
            taken_at_local=taken.isoformat() if taken and not taken.tzinfo else None,
            latitude=photo.lat, longitude=photo.lon, make=photo.make, model=photo.model,
            uploaded_by=user.id))
    now = utcnow()
    for ref in session.exec(select(PhotoRef).where(PhotoRef.finding_id == finding.id,
                                                   PhotoRef.sha256 == photo.sha256,
                                                   PhotoRef.received_at.is_(None))):
        ref.received_at = now
        session.add(ref)
    refresh_photo_counts(session, finding)
    ticket = session.get(Ticket, finding.id)
    ticket.change_seq = next_change_seq(session)  # phones pulling learn the photo arrived
    session.add(ticket)
    held, missing = photo_status(session, finding.id)
    return {"sha256": photo.sha256, "stored": True, "already_had": photo.already_stored,
            "finding_id": str(finding.id), "complete": not missing, "photos_held": held,
            "photos_missing": missing,
            "evidence": {"taken_at": photo.taken_at.isoformat() if photo.taken_at else None,
                         "latitude": photo.lat, "longitude": photo.lon}}


@router.get("/findings/{finding_id}/photos", responses=error_responses(401, 404))
def finding_photos(finding_id: uuid.UUID, session: SessionDep, user: CurrentUser,
                   scope: ScopeDep) -> dict:
    finding = _finding_in_scope(session, finding_id, scope, user)
    held, missing = photo_status(session, finding.id)
    return {"complete": not missing, "photos_held": held, "photos_missing": missing}


@router.get("/photos/{sha256}/{variant}", responses=error_responses(401, 404),
            response_class=FileResponse)
def serve_photo(sha256: str, variant: Literal["display", "thumb", "original"],
                session: SessionDep, user: CurrentUser, scope: ScopeDep) -> FileResponse:
    """A photo, to users whose scope covers a finding it belongs to."""
    visible = session.exec(select(PhotoRef.id).join(Ticket, Ticket.id == PhotoRef.finding_id)
                           .where(PhotoRef.sha256 == sha256, PhotoRef.received_at.is_not(None),
                                  ticket_filter(scope, user)).limit(1)).first()
    path = photo_store().path(sha256, variant) if visible else None
    if path is None or not path.is_file():
        raise NotFound("照片不存在或不在您的管辖范围内", code="photo_not_found")
    media = "image/jpeg" if variant != "original" else "application/octet-stream"
    return FileResponse(path, media_type=media,
                        headers={"Cache-Control": "private, max-age=31536000, immutable"})
