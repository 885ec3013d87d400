"""Photo upload and serving. Uploads are declared first by a finding or event (by SHA-256);
what a photo proves is backend/findings/evidence.py's."""

from __future__ import annotations

import uuid
from functools import lru_cache
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import FileResponse

from backend.auth.dependencies import CurrentUser, ScopeDep
from backend.clock import ClockDep
from backend.config import get_settings
from backend.transaction import SessionDep
from backend.errors import error_responses
from backend.photos.errors import REFUSALS
from backend.findings import evidence, repository
from backend.inspections import photos as inspection_photos
from backend.photos.storage import PhotoStore

router = APIRouter(prefix="/api", tags=["photos"])


@lru_cache
def photo_store() -> PhotoStore:
    return PhotoStore(get_settings().photo_dir)


@router.post("/photos", responses=error_responses(401, 404, 413, 415, 422))
def upload_photo(session: SessionDep, user: CurrentUser, scope: ScopeDep, clock: ClockDep,
                 file: Annotated[UploadFile, File(description="JPEG, PNG, WebP or HEIC")],
                 finding_id: Annotated[uuid.UUID | None, Form()] = None,
                 inspection_id: Annotated[uuid.UUID | None, Form()] = None,
                 sha256: Annotated[str | None, Form(pattern=r"^[0-9a-f]{64}$")] = None) -> dict:
    """Upload one declared photo of a finding (before), of its ticket's events (after), or of
    an inspection's items: name the finding or the inspection.

    Safe to repeat: the same bytes are stored once. Answers which declared photos the server
    now holds, so the phone dequeues only what is confirmed.
    """
    if (finding_id is None) == (inspection_id is None):
        raise REFUSALS("photo_owner_required")
    if inspection_id is not None:
        return inspection_photos.attach_upload(session, user, scope, inspection_id=inspection_id,
                                               stream=file.file, sha256=sha256,
                                               store=photo_store(), now=clock.now)
    return evidence.attach_upload(session, user, scope, finding_id=finding_id, stream=file.file,
                                  sha256=sha256, store=photo_store(), now=clock.now)


@router.get("/findings/{finding_id}/photos", responses=error_responses(401, 404))
def finding_photos(finding_id: uuid.UUID, session: SessionDep, user: CurrentUser,
                   scope: ScopeDep) -> dict:
    """Which declared photos the server holds, and what each held one shows a verifier (its
    capture time and place beside the time it arrived)."""
    finding = evidence.finding_in_scope(session, finding_id, scope, user)
    held, missing = repository.photo_status(session, finding.id)
    return {"complete": not missing, "photos_held": held, "photos_missing": missing,
            "photos": evidence.photo_evidence(session, finding)}


@router.get("/photos/{sha256}/{variant}", responses=error_responses(401, 404),
            response_class=FileResponse)
def serve_photo(sha256: str, variant: Literal["display", "thumb", "original"],
                session: SessionDep, user: CurrentUser, scope: ScopeDep) -> FileResponse:
    """A photo, to users whose scope covers a finding or an inspection it belongs to."""
    visible = evidence.photo_visible(session, sha256, scope, user) or \
        inspection_photos.photo_visible(session, sha256, scope)
    path = photo_store().path(sha256, variant) if visible else None
    if path is None or not path.is_file():
        raise REFUSALS("photo_not_found")
    media = "image/jpeg" if variant != "original" else "application/octet-stream"
    return FileResponse(path, media_type=media,
                        headers={"Cache-Control": "private, max-age=31536000, immutable"})
