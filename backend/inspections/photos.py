"""Photos of an inspection's items: declared with the inspection (by SHA-256), uploaded after
it like a finding's, and seen by whoever sees the inspection."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import BinaryIO

from sqlmodel import Session, select

from backend.auth.models import User
from backend.auth.scope import Scope
from backend.inspections.models import Inspection, InspectionPhoto
from backend.inspections.service import get_inspection, in_scope
from backend.organisation.models import Compound, OrgUnit
from backend.photos.service import receive_declared
from backend.photos.storage import PhotoStore


def attach_upload(session: Session, user: User, scope: Scope, *, inspection_id: uuid.UUID,
                  stream: BinaryIO, sha256: str | None, store: PhotoStore, now: datetime) -> dict:
    """Receive one declared photo of an inspection. Safe to repeat; answers which declared
    photos the server now holds, so the phone dequeues only what is confirmed."""
    inspection = get_inspection(session, scope, inspection_id)
    rows = session.exec(select(InspectionPhoto).where(
        InspectionPhoto.inspection_id == inspection.id)).all()
    subject = (session.get(Compound, inspection.compound_id) if inspection.compound_id
               else session.get(OrgUnit, inspection.unit_id))
    photo = receive_declared(session, stream, sha256=sha256, declared={r.sha256 for r in rows},
                             place=subject.name, uploader=user, store=store, now=now)
    for row in rows:
        if row.sha256 == photo.sha256 and row.received_at is None:
            row.received_at = now
            session.add(row)
    session.flush()
    held = [r.sha256 for r in rows if r.received_at is not None]
    missing = [r.sha256 for r in rows if r.received_at is None]
    return {"sha256": photo.sha256, "stored": True, "already_had": photo.already_stored,
            "inspection_id": str(inspection.id), "complete": not missing, "photos_held": held,
            "photos_missing": missing,
            "evidence": {"taken_at": photo.taken_at.isoformat() if photo.taken_at else None,
                         "latitude": photo.lat, "longitude": photo.lon}}


def photo_visible(session: Session, sha256: str, scope: Scope) -> bool:
    """Held for an inspection the caller sees."""
    return session.exec(select(InspectionPhoto.sha256).join(
        Inspection, Inspection.id == InspectionPhoto.inspection_id).where(
        InspectionPhoto.sha256 == sha256, InspectionPhoto.received_at.is_not(None),
        in_scope(scope))).first() is not None
