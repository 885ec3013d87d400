"""Period scores, rankings, drill-down, publication, and the notice as Excel or CSV."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Path, Response

from backend.auth.dependencies import CurrentUser, ScopeDep, SupervisorUser
from backend.clock import ClockDep
from backend.transaction import SessionDep
from backend.errors import CSV, XLSX, error_responses, file_responses
from backend.findings.schemas import TicketPublic
from backend.findings.views import tickets_public
from backend.pagination import Page, PageDep
from backend.reports import notice, records, service
from backend.reports.dependencies import NoticeUnitDep, PeriodDep, UnitDep
from backend.reports.models import CaseFlagsIn, DemonstrationIn, DirectScoreIn, ReopenIn
from backend.reports.schemas import PeriodReport

router = APIRouter(prefix="/api", tags=["reports"])


@router.get("/reports/{period}", response_model=PeriodReport,
            responses=error_responses(401, 404, 422))
def get_report(period: PeriodDep, unit: UnitDep, session: SessionDep, clock: ClockDep,
               detail: bool = False) -> PeriodReport:
    """Scores of every compound, community, street and company in the unit for the period,
    ranked, with prizes, subsidies, recurrent problems and the counts behind each score;
    `detail=true` adds each compound's findings by catalog code and the full scoring trace."""
    return service.report(session, unit, period, now=clock.now, detail=detail)


@router.get("/reports/{year}/monthly", responses=error_responses(401, 404, 422))
def monthly_rankings(year: Annotated[int, Path(ge=2000, le=2100)], unit: UnitDep,
                     session: SessionDep, clock: ClockDep) -> dict:
    """The year's twelve monthly rankings of the unit's compounds (score and rank of each, the
    prizes, streets and communities), computed in one pass; a published month as published.
    (Recurrent problems are the monthly report's: not computed here.)"""
    return service.monthly_rankings(session, unit, year, now=clock.now)


@router.get("/reports/{period}/compounds/{compound_id}/findings", response_model=Page[TicketPublic],
            responses=error_responses(401, 404, 422))
def drill_down(period: PeriodDep, compound_id: uuid.UUID, session: SessionDep, user: CurrentUser,
               scope: ScopeDep, page: PageDep, clock: ClockDep) -> Page[TicketPublic]:
    """The tickets behind a compound's long-term-management score for the period."""
    rows, total = service.period_tickets(session, user, scope, period, compound_id,
                                         limit=page.limit, offset=page.offset)
    return Page(items=tickets_public(session, rows, clock.now, with_events=False), total=total,
                limit=page.limit, offset=page.offset)


@router.post("/reports/{period}/freeze", response_model=PeriodReport,
             responses=error_responses(401, 403, 404, 409, 422))
def freeze(period: PeriodDep, unit: UnitDep, session: SessionDep, supervisor: SupervisorUser,
           clock: ClockDep) -> PeriodReport:
    """Publish the period: its numbers and inputs are stored and no longer change."""
    row = service.freeze(session, unit, period, actor_id=supervisor.id, now=clock.now)
    return service.published_report(row)


@router.post("/reports/{period}/reopen", responses=error_responses(401, 403, 404, 422))
def reopen(period: PeriodDep, unit: UnitDep, body: ReopenIn, session: SessionDep,
           supervisor: SupervisorUser, clock: ClockDep) -> dict:
    """Re-open a published period (audited, with a reason)."""
    row = service.reopen(session, unit, period, actor_id=supervisor.id, reason=body.reason,
                         now=clock.now)
    return {"publication_id": str(row.id), "reopened_at": row.reopened_at}


@router.get("/reports/{period}/notice.{fmt}", response_class=Response,
            responses=file_responses(XLSX, CSV, errors=(401, 404, 422)))
def notice_file(period: PeriodDep, fmt: Literal["xlsx", "csv"], unit: NoticeUnitDep,
                session: SessionDep, clock: ClockDep,
                rubric: Literal["X", "S"] | None = None) -> Response:
    """The notice laid out like seed 001's table: streets (rubric X or S) or compounds."""
    tables = service.notice_tables(session, unit, period, rubric, now=clock.now)
    if fmt == "csv":
        body, media = notice.write_csv(tables[0]), CSV
    else:
        body, media = notice.write_workbook(tables), XLSX
    filename = quote(f"{unit.name}-{period.key}-通报表.{fmt}")
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"})


# ------------------------------------------------------------------ inputs supervisors record


@router.post("/findings/{finding_id}/case-flags", responses=error_responses(401, 403, 404))
def set_case_flags(finding_id: uuid.UUID, body: CaseFlagsIn, session: SessionDep,
                   scope: ScopeDep, supervisor: SupervisorUser) -> dict:
    """Mark a hotline case as shirked (推诿) or failing its callback check (核查不符)."""
    return records.set_case_flags(session, scope, finding_id, body, actor_id=supervisor.id)


@router.post("/demonstration-projects", status_code=201, responses=error_responses(401, 403, 404))
def add_demonstration(body: DemonstrationIn, session: SessionDep, scope: ScopeDep,
                      supervisor: SupervisorUser) -> dict:
    return {"id": str(records.add_demonstration(session, scope, body, actor_id=supervisor.id).id)}


@router.put("/company-direct-scores", responses=error_responses(401, 403, 404, 422))
def set_direct_score(body: DirectScoreIn, session: SessionDep, scope: ScopeDep,
                     supervisor: SupervisorUser) -> dict:
    """The housing department's direct score of a company for a period (seed 004: 30%)."""
    period = service.period_or_422(body.period)
    row = records.set_direct_score(session, scope, body, period, actor_id=supervisor.id)
    return {"company_id": str(row.company_id), "period": period.key, "score": str(row.score)}
