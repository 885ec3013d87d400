"""Reports for a period and a scope: computed live, or the published (frozen) snapshot."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import Session, select

from backend.audit.models import record
from backend.errors import DomainError
from backend.auth.models import User
from backend.auth.scope import Scope
from backend.reports.errors import REFUSALS
from backend.findings.models import Ticket
from backend.findings.views import ticket_filter
from backend.organisation.models import OrgUnit, UnitLevel
from backend.config import get_settings
from backend.reports import aggregate, notice, rollup
from backend.reports.models import PeriodPublication
from backend.reports.periods import Period, PeriodError, parse_period
from backend.reports.schemas import PeriodReport
from backend.rubrics import library

SCOPE_LEVELS = (UnitLevel.district, UnitLevel.street, UnitLevel.town, UnitLevel.community)


def period_or_422(text: str) -> Period:
    try:
        return parse_period(text)
    except PeriodError as exc:
        raise REFUSALS("period_invalid", reason=str(exc)) from None


def scope_unit(session: Session, scope: Scope, unit_id: uuid.UUID) -> OrgUnit:
    unit = session.get(OrgUnit, unit_id)
    if unit is None or not scope.covers_unit(unit) or unit.level not in SCOPE_LEVELS:
        raise REFUSALS("unit_not_found")
    return unit


def notice_unit(session: Session, scope: Scope, unit_id: uuid.UUID, period: Period) -> OrgUnit:
    """The unit whose notice the caller may download: one in their scope, or, once published,
    one whose notice covers them (a street reads its district's published notice)."""
    try:
        return scope_unit(session, scope, unit_id)
    except DomainError:
        unit = session.get(OrgUnit, unit_id)
        covered = unit is not None and publication(session, unit, period) is not None and \
            session.exec(select(OrgUnit.id).where(scope.unit_filter(), or_(
                OrgUnit.district_id == unit.id, OrgUnit.street_id == unit.id))).first()
        if not covered:
            raise
        return unit


def own_unit(session: Session, scope: Scope) -> OrgUnit:
    """The highest unit of the caller's scope that a report can cover (a district before a
    street before a community)."""
    units = session.exec(select(OrgUnit).where(scope.unit_filter(),
                                               OrgUnit.level.in_(SCOPE_LEVELS))).all()
    tiers = [UnitLevel.district, UnitLevel.street, UnitLevel.town, UnitLevel.community]
    units = sorted(units, key=lambda u: (tiers.index(UnitLevel(u.level)), u.name))
    if not units:
        raise REFUSALS("no_unit_in_scope")
    return units[0]


def publication(session: Session, unit: OrgUnit, period: Period) -> PeriodPublication | None:
    return session.exec(select(PeriodPublication).where(
        PeriodPublication.scope_unit_id == unit.id, PeriodPublication.period_key == period.key,
        PeriodPublication.reopened_at.is_(None))).first()


def published_report(row: PeriodPublication) -> PeriodReport:
    report = PeriodReport.from_json(row.snapshot)
    report.frozen, report.frozen_at, report.publication_id = \
        True, row.frozen_at.isoformat(), str(row.id)
    return report


def report(session: Session, unit: OrgUnit, period: Period, *, now: datetime,
           detail: bool = False) -> PeriodReport:
    """The live report (scores of every compound; with `detail`, each compound's findings by
    catalog code and the engine's trace too), or the published snapshot (always detailed)."""
    published = publication(session, unit, period)
    if published is not None:
        return published_report(published)
    return rollup.compute(session, unit, period, as_of=now, detail=detail)


def monthly(session: Session, unit: OrgUnit, year: int, *, now: datetime,
            recurrence: bool = True) -> list[PeriodReport]:
    """The twelve monthly reports of a year: published months as published, the others
    computed together (rollup.compute_months; without `recurrence`, their recurrent
    problems are not computed)."""
    months = [parse_period(f"{year}-{m:02d}") for m in range(1, 13)]
    published = {p.key: publication(session, unit, p) for p in months}
    live = rollup.compute_months(session, unit, [p for p in months if published[p.key] is None],
                                 as_of=now, recurrence=recurrence)
    return [live[p.key] if published[p.key] is None else published_report(published[p.key])
            for p in months]


def monthly_rankings(session: Session, unit: OrgUnit, year: int, *, now: datetime) -> dict:
    """The year's twelve monthly rankings: each compound's score and rank, the prizes,
    streets and communities (recurrence is the monthly report's, not computed here)."""
    keep = ("compound_id", "name", "street_id", "community_id", "total", "rank", "complete")
    return {"year": year, "scope": {"id": str(unit.id), "name": unit.name, "level": unit.level},
            "months": [{"period": asdict(r.period), "frozen": r.frozen,
                        "compounds": [{k: getattr(c, k) for k in keep} for c in r.compounds],
                        "prizes": [asdict(p) for p in r.prizes],
                        "streets": [asdict(s) for s in r.streets],
                        "communities": [asdict(c) for c in r.communities]}
                       for r in monthly(session, unit, year, now=now, recurrence=False)]}


def period_tickets(session: Session, user, scope: Scope, period: Period,  # noqa: ANN001
                   compound_id: uuid.UUID, *, limit: int, offset: int) -> tuple[list, int]:
    """The tickets behind a compound's long-term-management score for the period."""
    where = [Ticket.compound_id == compound_id, ticket_filter(scope, user),
             *aggregate.in_period(period, get_settings().timezone)]
    total = session.exec(select(func.count()).select_from(Ticket).where(*where)).one()
    rows = list(session.exec(select(Ticket).where(*where).order_by(Ticket.dispatched_at)
                             .limit(limit).offset(offset)))
    return rows, total


def freeze(session: Session, unit: OrgUnit, period: Period, *, actor_id: uuid.UUID,
           now: datetime) -> PeriodPublication:
    if publication(session, unit, period) is not None:
        raise REFUSALS("period_frozen")
    snapshot = rollup.compute(session, unit, period, as_of=now, detail=True)  # the inputs too
    row = PeriodPublication(period_key=period.key, scope_unit_id=unit.id, frozen_at=now,
                            frozen_by=actor_id, snapshot=snapshot.to_json())
    session.add(row)
    session.flush()
    record(session, actor_id=actor_id, action="period.freeze", object_type="period_publication",
           object_id=row.id, period=period.key, unit=unit.name)
    return row


def reopen(session: Session, unit: OrgUnit, period: Period, *, actor_id: uuid.UUID, reason: str,
           now: datetime) -> PeriodPublication:
    row = publication(session, unit, period)
    if row is None:
        raise REFUSALS("period_not_frozen")
    row.reopened_at, row.reopened_by, row.reopen_reason = now, actor_id, reason
    session.add(row)
    record(session, actor_id=actor_id, action="period.reopen", object_type="period_publication",
           object_id=row.id, period=period.key, unit=unit.name, reason=reason)
    session.flush()
    return row


def publication_history(session: Session, unit: OrgUnit, period: Period) -> list[dict]:
    """Each publication of the period for the unit, oldest first: who froze it, and who
    re-opened it, when and why (the audit trail a supervisor sees beside the ranking)."""
    rows = session.exec(select(PeriodPublication).where(
        PeriodPublication.scope_unit_id == unit.id, PeriodPublication.period_key == period.key)
        .order_by(PeriodPublication.frozen_at)).all()
    actors = ({r.frozen_by for r in rows} | {r.reopened_by for r in rows}) - {None}
    people = {u.id: u.display_name for u in session.exec(
        select(User).where(User.id.in_(actors)))} if actors else {}
    return [{"id": str(r.id), "frozen_at": r.frozen_at, "frozen_by": people.get(r.frozen_by),
             "reopened_at": r.reopened_at, "reopened_by": people.get(r.reopened_by),
             "reopen_reason": r.reopen_reason} for r in rows]


def street_scores(session: Session, unit: OrgUnit, period: Period) -> list[dict]:
    """A district's streets as assessed with X and with S in the period, ranked."""
    if unit.level != UnitLevel.district:
        return []
    out = []
    for rubric_id in ("X", "S"):
        assessed = notice.street_assessments(session, unit, period, rubric_id)
        if assessed:
            out.append({"rubric_id": rubric_id, "rubric_name": library.rubric(rubric_id).name,
                        "rows": [{"unit_id": str(a.unit.id), "name": a.unit.name,
                                  "total": str(a.total), "rank": a.rank,
                                  "inspection_id": str(a.inspection.id)} for a in assessed]})
    return out


def notice_tables(session: Session, unit: OrgUnit, period: Period, rubric: str | None, *,
                  now: datetime) -> list[notice.NoticeTable]:
    """The street notice (rubric X or S, from street inspections) and the town notice."""
    tables = []
    for rubric_id in ([rubric] if rubric else ["X", "S"]):
        table = notice.street_notice(session, unit, period, rubric_id)
        if table is not None:
            tables.append(table)
    computed = report(session, unit, period, now=now)
    if any(c.total is not None for c in computed.compounds):
        tables.append(notice.town_notice(computed))
    if not tables:
        raise REFUSALS("nothing_to_publish")
    return tables

