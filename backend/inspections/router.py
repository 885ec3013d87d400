"""Rubric inspections: start, submit (scored by the engine), read."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from backend.auth.dependencies import CurrentUser, ScopeDep
from backend.db import SessionDep
from backend.errors import error_responses
from backend.inspections import service
from backend.inspections.models import InspectionPublic, InspectionStart, InspectionSubmit
from backend.pagination import Page, PageDep
from backend.clock import ClockDep

router = APIRouter(prefix="/api/inspections", tags=["inspections"])


@router.post("", response_model=InspectionPublic, status_code=status.HTTP_201_CREATED,
             responses=error_responses(401, 403, 404, 409, 422))
def start_inspection(body: InspectionStart, response: Response, session: SessionDep,
                     user: CurrentUser, scope: ScopeDep, clock: ClockDep) -> InspectionPublic:
    """Start inspecting a compound with a rubric (idempotent by the phone's id)."""
    inspection, created = service.start(session, user, scope, body, clock=clock)
    if not created:
        response.status_code = status.HTTP_200_OK
    return service.public(session, inspection)


@router.post("/{inspection_id}/submit", response_model=InspectionPublic,
             responses=error_responses(401, 403, 404, 409, 422))
def submit_inspection(inspection_id: uuid.UUID, body: InspectionSubmit, session: SessionDep,
                      user: CurrentUser, scope: ScopeDep, clock: ClockDep) -> InspectionPublic:
    """Submit the observations; the rubric's scoring engine gives the score at once."""
    inspection = service.get_inspection(session, scope, inspection_id)
    inspection, _ = service.submit(session, user, inspection, body, clock=clock)
    return service.public(session, inspection)


@router.get("/{inspection_id}", response_model=InspectionPublic, responses=error_responses(401, 404))
def get_inspection(inspection_id: uuid.UUID, session: SessionDep, scope: ScopeDep
                   ) -> InspectionPublic:
    return service.public(session, service.get_inspection(session, scope, inspection_id))


@router.get("", response_model=Page[InspectionPublic], responses=error_responses(401))
def list_inspections(session: SessionDep, user: CurrentUser, scope: ScopeDep, page: PageDep,
                     compound_id: uuid.UUID | None = None, mine: bool = False
                     ) -> Page[InspectionPublic]:
    items, total = service.list_inspections(session, user, scope, limit=page.limit,
                                            offset=page.offset, compound_id=compound_id,
                                            mine=mine)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)
