"""Rubric inspections: start, submit (scored by the engine), read, and the coverage plan. The
phone's outbox sends whole inspections to `POST /api/sync/inspections` (backend/sync)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from backend.auth.dependencies import CurrentUser, ScopeDep
from backend.clock import ClockDep
from backend.transaction import SessionDep
from backend.dbtypes import as_local
from backend.errors import error_responses
from backend.inspections import coverage, service
from backend.inspections.dependencies import InspectionDep
from backend.inspections.schemas import InspectionPublic, InspectionStart, InspectionSubmit, Plan
from backend.pagination import Page, PageDep
from backend.reports.dependencies import PeriodQueryDep

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


@router.get("/plan", response_model=Plan, responses=error_responses(401, 422))
def inspection_plan(session: SessionDep, scope: ScopeDep, clock: ClockDep,
                    period: PeriodQueryDep) -> Plan:
    """The inspections due in a period (default: this month) across the caller's scope, by
    the rubrics' frequencies: which are done, by whom, and which are missing."""
    today = as_local(clock.now).date()
    return coverage.plan(session, scope, period(today), today=today)


@router.post("/{inspection_id}/submit", response_model=InspectionPublic,
             responses=error_responses(401, 403, 404, 409, 422))
def submit_inspection(inspection: InspectionDep, body: InspectionSubmit, session: SessionDep,
                      user: CurrentUser, clock: ClockDep) -> InspectionPublic:
    """Submit the observations; the rubric's scoring engine gives the score at once."""
    inspection, _ = service.submit(session, user, inspection, body, clock=clock)
    return service.public(session, inspection)


@router.get("/{inspection_id}", response_model=InspectionPublic,
            responses=error_responses(401, 404))
def get_inspection(inspection: InspectionDep, session: SessionDep) -> InspectionPublic:
    return service.public(session, inspection)


@router.get("", response_model=Page[InspectionPublic], responses=error_responses(401))
def list_inspections(session: SessionDep, user: CurrentUser, scope: ScopeDep, page: PageDep,
                     compound_id: uuid.UUID | None = None, mine: bool = False
                     ) -> Page[InspectionPublic]:
    items, total = service.list_inspections(session, user, scope, limit=page.limit,
                                            offset=page.offset, compound_id=compound_id,
                                            mine=mine)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)
