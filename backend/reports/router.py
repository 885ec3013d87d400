"""Period scores, rankings, drill-down, publication, and the notice as Excel or CSV."""

from __future__ import annotations

import uuid
from typing import Literal
from urllib.parse import quote

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response
from sqlalchemy import func
from sqlmodel import select

from backend.audit.models import record
from backend.auth.dependencies import CurrentUser, ScopeDep, require_roles
from backend.auth.models import Role, User
from backend.db import SessionDep
from backend.errors import NotFound, error_responses
from backend.findings.models import Finding, Ticket
from backend.findings.views import OPEN_STATES, overdue_clause, ticket_filter, tickets_public
from backend.organisation.models import Company, Compound, OrgUnit
from backend.pagination import Page, PageDep
from backend.reports import aggregate, notice, service
from backend.reports.models import CaseFlagsIn, CompanyDirectScore, DemonstrationIn, \
    DemonstrationProject, DirectScoreIn, ReopenIn
from backend.sync.clock import ClockDep

router = APIRouter(prefix="/api", tags=["reports"])
Supervisor = Annotated[User, Depends(require_roles(Role.supervisor, Role.admin))]


@router.get("/reports/{period}", responses=error_responses(401, 404, 422))
def get_report(period: str, unit_id: uuid.UUID, session: SessionDep, scope: ScopeDep,
               clock: ClockDep, detail: bool = False) -> dict:
    """Scores of every compound, community, street and company in the unit for the period,
    ranked, with prizes, subsidies, recurrent problems and the counts behind each score;
    `detail=true` adds each compound's findings by catalog code and the full scoring trace."""
    unit = service.scope_unit(session, scope, unit_id)
    return service.report(session, unit, service.period_or_422(period), now=clock.now,
                          detail=detail)


@router.get("/reports/{year}/monthly", responses=error_responses(401, 404, 422))
def monthly_rankings(year: Annotated[int, Path(ge=2000, le=2100)], unit_id: uuid.UUID,
                     session: SessionDep, scope: ScopeDep, clock: ClockDep) -> dict:
    """The year's twelve monthly rankings of the unit's compounds (score and rank of each, the
    prizes, streets and communities), computed in one pass; a published month as published.
    (Recurrent problems are the monthly report's: not computed here.)"""
    unit = service.scope_unit(session, scope, unit_id)
    keep = ("compound_id", "name", "street_id", "community_id", "total", "rank", "complete")
    return {"year": year, "scope": {"id": str(unit.id), "name": unit.name, "level": unit.level},
            "months": [{"period": r["period"], "frozen": r["frozen"],
                        "compounds": [{k: c.get(k) for k in keep} for c in r["compounds"]],
                        "prizes": r["prizes"], "streets": r["streets"],
                        "communities": r["communities"]}
                       for r in service.monthly(session, unit, year, now=clock.now,
                                                recurrence=False)]}


@router.get("/reports/{period}/compounds/{compound_id}/findings", response_model=Page,
            responses=error_responses(401, 404, 422))
def drill_down(period: str, compound_id: uuid.UUID, session: SessionDep, user: CurrentUser,
               scope: ScopeDep, page: PageDep, clock: ClockDep) -> Page:
    """The tickets behind a compound's long-term-management score for the period."""
    parsed = service.period_or_422(period)
    where = [Ticket.compound_id == compound_id, ticket_filter(scope, user),
             *aggregate.in_period(parsed, "Asia/Shanghai")]
    total = session.exec(select(func.count()).select_from(Ticket).where(*where)).one()
    rows = list(session.exec(select(Ticket).where(*where).order_by(Ticket.dispatched_at)
                             .limit(page.limit).offset(page.offset)))
    return Page(items=tickets_public(session, rows, clock.now, with_events=False), total=total,
                limit=page.limit, offset=page.offset)


@router.post("/reports/{period}/freeze", responses=error_responses(401, 403, 404, 409, 422))
def freeze(period: str, unit_id: uuid.UUID, session: SessionDep, scope: ScopeDep,
           supervisor: Supervisor, clock: ClockDep) -> dict:
    """Publish the period: its numbers and inputs are stored and no longer change."""
    unit = service.scope_unit(session, scope, unit_id)
    row = service.freeze(session, unit, service.period_or_422(period), actor_id=supervisor.id,
                         now=clock.now)
    return row.snapshot | {"frozen": True, "publication_id": str(row.id)}


@router.post("/reports/{period}/reopen", responses=error_responses(401, 403, 404, 422))
def reopen(period: str, unit_id: uuid.UUID, body: ReopenIn, session: SessionDep, scope: ScopeDep,
           supervisor: Supervisor, clock: ClockDep) -> dict:
    """Re-open a published period (audited, with a reason)."""
    unit = service.scope_unit(session, scope, unit_id)
    row = service.reopen(session, unit, service.period_or_422(period), actor_id=supervisor.id,
                         reason=body.reason, now=clock.now)
    return {"publication_id": str(row.id), "reopened_at": row.reopened_at}


@router.get("/reports/{period}/notice.{fmt}", responses=error_responses(401, 404, 422))
def notice_file(period: str, fmt: Literal["xlsx", "csv"], unit_id: uuid.UUID,
                session: SessionDep, scope: ScopeDep, clock: ClockDep,
                rubric: str | None = None) -> Response:
    """The notice laid out like seed 001's table: streets (rubric X or S) or compounds."""
    unit = service.scope_unit(session, scope, unit_id)
    parsed = service.period_or_422(period)
    tables = service.notice_tables(session, unit, parsed, rubric, now=clock.now)
    if fmt == "csv":
        body, media = notice.write_csv(tables[0]), "text/csv; charset=utf-8"
    else:
        body = notice.write_workbook(tables)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    filename = quote(f"{unit.name}-{parsed.key}-通报表.{fmt}")
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"})


# ------------------------------------------------------------------ dashboard


@router.get("/dashboard/overdue", responses=error_responses(401))
def overdue_dashboard(session: SessionDep, user: CurrentUser, scope: ScopeDep,
                      clock: ClockDep) -> dict:
    """Overdue tickets in scope, counted by street, compound and company."""
    where = [ticket_filter(scope, user), Ticket.state.in_(OPEN_STATES), overdue_clause(clock.now)]

    def counts(column, name_model):  # noqa: ANN001, ANN202
        rows = session.exec(select(column, func.count()).where(*where).group_by(column)
                            .order_by(func.count().desc())).all()
        ids = [r[0] for r in rows if r[0] is not None]
        names = dict(session.exec(select(name_model.id, name_model.name)
                                  .where(name_model.id.in_(ids))).all()) if ids else {}
        return [{"id": str(k) if k else None, "name": names.get(k, "无物业"), "overdue": n}
                for k, n in rows]

    by_street = counts(Ticket.street_id, OrgUnit)
    # every ticket has a street: the total is the sum by street (no fourth scan)
    return {"total": sum(row["overdue"] for row in by_street), "by_street": by_street,
            "by_compound": counts(Ticket.compound_id, Compound),
            "by_company": counts(Ticket.company_id, Company)}


# ------------------------------------------------------------------ inputs supervisors record


@router.post("/findings/{finding_id}/case-flags", responses=error_responses(401, 403, 404))
def set_case_flags(finding_id: uuid.UUID, body: CaseFlagsIn, session: SessionDep,
                   scope: ScopeDep, supervisor: Supervisor) -> dict:
    """Mark a hotline case as shirked (推诿) or failing its callback check (核查不符)."""
    finding = session.exec(select(Finding).where(Finding.id == finding_id,
                                                 Finding.compound_id.in_(scope.compound_ids()))).first()
    if finding is None or finding.source != "hotline":
        raise NotFound("热线案卷不存在或不在您的管辖范围内", code="case_not_found")
    changes = body.model_dump(exclude_unset=True, exclude={"note"}, exclude_none=True)
    for key, value in changes.items():
        setattr(finding, f"case_{key}", value)
    session.add(finding)
    record(session, actor_id=supervisor.id, action="case.flags", object_type="finding",
           object_id=finding.id, note=body.note, **changes)
    return {"shirking": finding.case_shirking, "callback_failed": finding.case_callback_failed}


@router.post("/demonstration-projects", status_code=201, responses=error_responses(401, 403, 404))
def add_demonstration(body: DemonstrationIn, session: SessionDep, scope: ScopeDep,
                      supervisor: Supervisor) -> dict:
    compound = session.exec(select(Compound).where(Compound.id == body.compound_id,
                                                   scope.compound_filter())).first()
    if compound is None:
        raise NotFound("小区不存在或不在您的管辖范围内", code="compound_not_found")
    row = DemonstrationProject(**body.model_dump(), recorded_by=supervisor.id)
    session.add(row)
    session.flush()
    return {"id": str(row.id)}


@router.put("/company-direct-scores", responses=error_responses(401, 403, 404, 422))
def set_direct_score(body: DirectScoreIn, session: SessionDep, scope: ScopeDep,
                     supervisor: Supervisor) -> dict:
    """The housing department's direct score of a company for a period (seed 004: 30%)."""
    period = service.period_or_422(body.period)
    if session.exec(select(Company).where(Company.id == body.company_id,
                                          scope.company_filter())).first() is None:
        raise NotFound("物业服务企业不存在或不在您的管辖范围内", code="company_not_found")
    row = session.exec(select(CompanyDirectScore).where(
        CompanyDirectScore.company_id == body.company_id,
        CompanyDirectScore.period_key == period.key)).first() or CompanyDirectScore(
        company_id=body.company_id, period_key=period.key, score=body.score)
    row.score, row.recorded_by = body.score, supervisor.id
    session.add(row)
    record(session, actor_id=supervisor.id, action="company.direct_score", object_type="company",
           object_id=body.company_id, period=period.key, score=str(body.score))
    return {"company_id": str(body.company_id), "period": period.key, "score": str(body.score)}
