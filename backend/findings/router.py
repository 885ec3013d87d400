"""Findings and tickets, one at a time and as the lists the screens need."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from sqlmodel import Session

from backend.auth.dependencies import INGEST_OPENAPI, BearerToken, CurrentUser, ScopeDep
from backend.auth.service import authenticate
from backend.clock import ClockDep, RequestClock, request_clock
from backend.config import get_settings
from backend.transaction import SessionDep, run_write
from backend.findings import dashboard, service, transitions
from backend.findings.dependencies import TicketDep, ticket_in_scope
from backend.findings.errors import RESPONSES, raise_for, refused
from backend.findings.schemas import (EventIn, FindingIn, ItemResult, MergeIn, RetypeIn, LadderBoard, OverdueBoard,
                                      TicketNarrowing, TicketPublic, TicketQuery)
from backend.findings.views import list_findings, list_tickets, tickets_public
from backend.pagination import Page, PageDep

router = APIRouter(prefix="/api", tags=["findings"])


@router.post("/findings", response_model=ItemResult, status_code=status.HTTP_201_CREATED,
             responses=RESPONSES, openapi_extra=INGEST_OPENAPI)
async def create_finding(body: FindingIn, token: BearerToken, request: Request) -> Response:
    """Log one finding; it is dispatched at once as a ticket. Repeating it is harmless."""
    clock = await request_clock(request.headers.get("x-client-time"))
    result = await run_write(request, lambda session: _create_finding(session, token, body, clock))
    return Response(result.model_dump_json(), media_type="application/json",
                    status_code=status.HTTP_200_OK if result.status == "duplicate"
                    else status.HTTP_201_CREATED)


def _create_finding(session: Session, token: str, body: FindingIn, clock: RequestClock
                    ) -> ItemResult:
    """The whole request in one step (`run_write`): authentication with the scope (one
    statement) and the create. The answer is the one FastAPI would serialise from
    `ItemResult` (pydantic's JSON), built here without validating it again."""
    user, scope = authenticate(session, get_settings(), token)
    result = service.create_finding(session, user, scope, body, clock=clock)
    raise_for(result)
    return result


@router.get("/findings", response_model=Page[TicketPublic], responses=RESPONSES)
def get_findings(session: SessionDep, user: CurrentUser, scope: ScopeDep, page: PageDep,
                 clock: ClockDep, mine: bool = True, compound_id: uuid.UUID | None = None
                 ) -> Page[TicketPublic]:
    """Recent findings (newest first) with their tickets: by default the caller's own."""
    items, total = list_findings(session, user, scope, limit=page.limit, offset=page.offset,
                                 now=clock.now, mine=mine, compound_id=compound_id)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/tickets", response_model=Page[TicketPublic], responses=RESPONSES)
def get_tickets(session: SessionDep, user: CurrentUser, scope: ScopeDep, page: PageDep,
                clock: ClockDep, query: Annotated[TicketQuery, Query()]) -> Page[TicketPublic]:
    """Tickets in scope by due time, filtered: a manager's open tickets, a supervisor's overdue
    list, a worklist by street, community, compound, company, type, source, dispatch dates, or
    a case number or words of the description (`q`)."""
    items, total = list_tickets(session, user, scope, query, limit=page.limit,
                                offset=page.offset, now=clock.now)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/dashboard/overdue", response_model=OverdueBoard, responses=RESPONSES)
def overdue_dashboard(session: SessionDep, user: CurrentUser, scope: ScopeDep, clock: ClockDep,
                      query: Annotated[TicketNarrowing, Query()]) -> OverdueBoard:
    """Overdue tickets of a selection (the worklist's filters), counted one level down (street
    → community → compound) and by company."""
    return dashboard.overdue_board(session, user, scope, query, now=clock.now)


@router.get("/dashboard/ladder", response_model=LadderBoard, responses=RESPONSES)
def ladder_dashboard(session: SessionDep, user: CurrentUser, scope: ScopeDep,
                     query: Annotated[TicketNarrowing, Query()]) -> LadderBoard:
    """Open tickets of a selection up the 催办 → 督办 ladder, by step (backend/notifications)."""
    return dashboard.ladder_board(session, user, scope, query)


@router.get("/tickets/{ticket_id}", response_model=TicketPublic, responses=RESPONSES)
def get_ticket(ticket: TicketDep, session: SessionDep, clock: ClockDep) -> TicketPublic:
    return tickets_public(session, [ticket], clock.now)[0]


@router.post("/tickets/{ticket_id}/merge", response_model=TicketPublic, responses=RESPONSES)
def merge_ticket(ticket: TicketDep, body: MergeIn, session: SessionDep, user: CurrentUser,
                 scope: ScopeDep, clock: ClockDep) -> TicketPublic:
    """Close this finding as a duplicate of another (supervisors): it then costs points once."""
    into = ticket_in_scope(body.into, session, user, scope)
    transitions.merge(session, user, scope, ticket, into=into, note=body.note, clock=clock)
    return tickets_public(session, [ticket], clock.now)[0]


@router.post("/tickets/{ticket_id}/retype", response_model=TicketPublic, responses=RESPONSES)
def retype_ticket(ticket: TicketDep, body: RetypeIn, session: SessionDep, user: CurrentUser,
                  clock: ClockDep) -> TicketPublic:
    """Correct the finding's catalog type (supervisors), with the reason."""
    ticket = transitions.retype(session, user, ticket, catalog_code=body.catalog_code, note=body.note,
                                clock=clock)
    return tickets_public(session, [ticket], clock.now)[0]


@router.post("/tickets/{ticket_id}/events", response_model=ItemResult,
             status_code=status.HTTP_201_CREATED, responses=RESPONSES)
def post_event(ticket_id: uuid.UUID, body: EventIn, response: Response, session: SessionDep,
               user: CurrentUser, scope: ScopeDep, clock: ClockDep) -> ItemResult:
    """Rectify, close, reject or cancel a ticket. Repeating the same event id is harmless."""
    result = refused(body.id, "ticket_id_mismatch") if body.ticket_id != ticket_id else \
        transitions.apply_event(session, user, scope, body, clock=clock)
    raise_for(result)
    if result.status == "duplicate":
        response.status_code = status.HTTP_200_OK
    return result
