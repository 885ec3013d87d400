"""Findings and tickets, one at a time and as the lists the screens need."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, Request, Response, status
from sqlalchemy import func
from sqlmodel import select

from sqlmodel import Session

from backend import hotpath
from backend.auth.dependencies import AdminUser, CurrentUser, ScopeDep
from backend.auth.service import authenticate
from backend.config import get_settings
from backend.db import SessionDep
from backend.errors import Conflict, DomainError, Forbidden, NotFound, error_responses
from backend.findings import service, transitions
from backend.findings.models import EventIn, Finding, FindingIn, ItemResult, Ticket, \
    TicketPublic, TicketState
from backend.findings.views import OPEN_STATES, overdue_clause, ticket_filter, tickets_public
from backend.pagination import Page, PageDep
from backend.sync.clock import ClockDep, RequestClock

router = APIRouter(prefix="/api", tags=["findings"])

_STATUS_FOR_CODE = {"role_not_allowed": 403, "compound_not_found": 404, "ticket_not_found": 404}


def raise_for(result: ItemResult) -> None:
    """Single-item endpoints answer refusals with an HTTP error in the common shape."""
    if result.status == "conflict":
        raise Conflict(result.message, code=result.code,
                       detail=result.ticket.model_dump(mode="json") if result.ticket else None)
    if result.status == "invalid":
        code = _STATUS_FOR_CODE.get(result.code, 422)
        cls = {403: Forbidden, 404: NotFound}.get(code, DomainError)
        raise cls(result.message, code=result.code, status_code=code)


@router.post("/findings", response_model=ItemResult, status_code=status.HTTP_201_CREATED,
             responses=error_responses(401, 403, 404, 409, 422), openapi_extra=hotpath.OPENAPI)
async def create_finding(body: FindingIn, token: hotpath.BearerToken,
                         request: Request) -> Response:
    """Log one finding; it is dispatched at once as a ticket. Repeating it is harmless."""
    clock = await hotpath.clock(request)
    result = await hotpath.run_write(
        request, lambda session: _create_finding(session, token, body, clock))
    return Response(result.model_dump_json(), media_type="application/json",
                    status_code=status.HTTP_200_OK if result.status == "duplicate"
                    else status.HTTP_201_CREATED)


def _create_finding(session: Session, token: str, body: FindingIn, clock: RequestClock
                    ) -> ItemResult:
    """The whole request in one step (`hotpath.run_write`): authentication with the scope (one
    statement), the create, the commit. The answer is the one FastAPI would serialise from
    `ItemResult` (pydantic's JSON), built here without validating it again."""
    user, scope = authenticate(session, get_settings(), token)
    result = service.create_finding(session, user, scope, body, now=clock.now, skew=clock.skew)
    raise_for(result)
    session.commit()
    return result


@router.get("/findings", response_model=Page[TicketPublic], responses=error_responses(401))
def list_findings(session: SessionDep, user: CurrentUser, scope: ScopeDep, page: PageDep,
                  clock: ClockDep, mine: bool = True, compound_id: uuid.UUID | None = None
                  ) -> Page[TicketPublic]:
    """Recent findings (newest first) with their tickets: by default the caller's own."""
    where = [ticket_filter(scope, user)]
    if mine:
        where.append(Finding.reporter_id == user.id)
    if compound_id:
        where.append(Ticket.compound_id == compound_id)
    query = select(Ticket).join(Finding, Finding.id == Ticket.id).where(*where)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(Finding.received_at.desc(), Ticket.id)
                        .limit(page.limit).offset(page.offset)).all()
    return Page(items=tickets_public(session, list(rows), clock.now, with_events=False),
                total=total, limit=page.limit, offset=page.offset)


@router.get("/tickets", response_model=Page[TicketPublic], responses=error_responses(401))
def list_tickets(session: SessionDep, user: CurrentUser, scope: ScopeDep, page: PageDep,
                 clock: ClockDep, state: Literal["open", "all", "closed", "cancelled"] = "open",
                 overdue: bool = False, street_id: uuid.UUID | None = None,
                 company_id: uuid.UUID | None = None, compound_id: uuid.UUID | None = None
                 ) -> Page[TicketPublic]:
    """Tickets in scope by due time: a manager's open tickets, a supervisor's overdue list."""
    where = [ticket_filter(scope, user)]
    if state == "open":
        where.append(Ticket.state.in_(OPEN_STATES))
    elif state in ("closed", "cancelled"):
        where.append(Ticket.state == TicketState(state))
    if overdue:
        where.append(overdue_clause(clock.now))
    for column, value in ((Ticket.street_id, street_id), (Ticket.company_id, company_id),
                          (Ticket.compound_id, compound_id)):
        if value:
            where.append(column == value)
    total = session.exec(select(func.count()).select_from(Ticket).where(*where)).one()
    # Overdue tickets all have a due time: `due_at, id` is the same order, and the partial
    # index ix_ticket_open_street_due serves it (the page stops after `limit` rows).
    order = (Ticket.due_at, Ticket.id) if overdue else \
        (Ticket.due_at.is_(None), Ticket.due_at, Ticket.id)
    rows = session.exec(select(Ticket).where(*where).order_by(*order)
                        .limit(page.limit).offset(page.offset)).all()
    return Page(items=tickets_public(session, list(rows), clock.now, with_events=False),
                total=total, limit=page.limit, offset=page.offset)


@router.get("/tickets/{ticket_id}", response_model=TicketPublic, responses=error_responses(401, 404))
def get_ticket(ticket_id: uuid.UUID, session: SessionDep, user: CurrentUser, scope: ScopeDep,
               clock: ClockDep) -> TicketPublic:
    ticket = session.exec(select(Ticket).where(Ticket.id == ticket_id,
                                               ticket_filter(scope, user))).first()
    if ticket is None:
        raise NotFound("工单不存在或不在您的管辖范围内", code="ticket_not_found")
    return tickets_public(session, [ticket], clock.now)[0]


@router.post("/tickets/{ticket_id}/events", response_model=ItemResult,
             status_code=status.HTTP_201_CREATED, responses=error_responses(401, 403, 404, 409, 422))
def post_event(ticket_id: uuid.UUID, body: EventIn, response: Response, session: SessionDep,
               user: CurrentUser, scope: ScopeDep, clock: ClockDep) -> ItemResult:
    """Rectify, close, reject or cancel a ticket. Repeating the same event id is harmless."""
    if body.ticket_id != ticket_id:
        raise DomainError("路径与请求体中的工单编号不一致", code="ticket_id_mismatch", status_code=422)
    result = transitions.apply_event(session, user, scope, body, now=clock.now, skew=clock.skew)
    raise_for(result)
    if result.status == "duplicate":
        response.status_code = status.HTTP_200_OK
    return result


@router.get("/calendar/status", responses=error_responses(401))
def calendar_status(_user: CurrentUser, clock: ClockDep) -> dict:
    """Which holiday years are covered; a warning when the coming year is not yet."""
    from backend.findings import deadlines

    calendar = deadlines.worktime().calendar
    this_year = clock.now.year
    missing = [y for y in (this_year, this_year + 1) if not calendar.is_covered(y)]
    return {"covered": [list(r) for r in calendar.covered_ranges()], "missing": missing,
            "warning": (f"{'、'.join(map(str, missing))} 年节假日安排尚未录入：跨入该年的整改期限按"
                        "仅双休日临时计算（标注“临时”）。请在日历覆盖文件中补录后重算。")
            if missing else None}


@router.post("/calendar/recompute", responses=error_responses(401, 403))
def calendar_recompute(session: SessionDep, admin: AdminUser) -> dict:
    """After the calendar file gained a year: recompute provisional due times (audited)."""
    from backend.findings.recompute import recompute_provisional_tickets

    return {"changes": recompute_provisional_tickets(session, actor_id=admin.id)}
