"""The audit log for admins: a filtered page, and the same as a CSV file."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter
from fastapi.responses import Response

from backend.audit import service
from backend.audit.models import AuditPublic
from backend.auth.dependencies import AdminUser
from backend.errors import CSV, error_responses, file_responses
from backend.pagination import Page, PageDep
from backend.transaction import SessionDep

router = APIRouter(prefix="/api/audit", tags=["audit"])


@router.get("", response_model=Page[AuditPublic], responses=error_responses(401, 403, 422))
def audit_log(session: SessionDep, _admin: AdminUser, page: PageDep,
              actor_id: uuid.UUID | None = None, action: str | None = None,
              unit_id: uuid.UUID | None = None, since: date | None = None,
              until: date | None = None) -> Page[AuditPublic]:
    """Who did what and when, newest first. `action`: a kind (user) or one action
    (user.create); `unit_id`: about the unit, what lies under it and the users scoped there;
    `since`/`until`: Beijing days, both included."""
    items, total = service.search(session, actor_id=actor_id, action=action, unit_id=unit_id,
                                  since=since, until=until, limit=page.limit, offset=page.offset)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/export", response_class=Response, responses=file_responses(CSV, errors=(401, 403, 422)))
def audit_export(session: SessionDep, _admin: AdminUser, actor_id: uuid.UUID | None = None,
                 action: str | None = None, unit_id: uuid.UUID | None = None,
                 since: date | None = None, until: date | None = None) -> Response:
    """The same events as a CSV file (UTF-8 with a BOM, for Excel)."""
    body = service.export_csv(session, actor_id=actor_id, action=action, unit_id=unit_id,
                              since=since, until=until)
    return Response(body, media_type=CSV,
                    headers={"Content-Disposition": 'attachment; filename="audit.csv"'})
