"""Reports for a period and a scope: computed live, or the published (frozen) snapshot."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Session, select

from backend.audit.models import record
from backend.auth.scope import Scope
from backend.errors import Conflict, Invalid, NotFound
from backend.organisation.models import OrgUnit, UnitLevel
from backend.reports import notice, rollup
from backend.reports.models import PeriodPublication
from backend.reports.periods import Period, PeriodError, parse_period

SCOPE_LEVELS = (UnitLevel.district, UnitLevel.street, UnitLevel.town, UnitLevel.community)


def period_or_422(text: str) -> Period:
    try:
        return parse_period(text)
    except PeriodError as exc:
        raise Invalid(str(exc), code="period_invalid") from None


def scope_unit(session: Session, scope: Scope, unit_id: uuid.UUID) -> OrgUnit:
    unit = session.get(OrgUnit, unit_id)
    if unit is None or not scope.covers_unit(unit) or unit.level not in SCOPE_LEVELS:
        raise NotFound("统计范围不存在或不在您的管辖范围内", code="unit_not_found")
    return unit


def publication(session: Session, unit: OrgUnit, period: Period) -> PeriodPublication | None:
    return session.exec(select(PeriodPublication).where(
        PeriodPublication.scope_unit_id == unit.id, PeriodPublication.period_key == period.key,
        PeriodPublication.reopened_at.is_(None))).first()


def report(session: Session, unit: OrgUnit, period: Period, *, now: datetime,
           detail: bool = False) -> dict:
    """The live report (scores of every compound; with `detail`, each compound's findings by
    catalog code and the engine's trace too), or the published snapshot (always detailed)."""
    published = publication(session, unit, period)
    if published is not None:
        return published.snapshot | {"frozen": True, "frozen_at": published.frozen_at.isoformat(),
                                     "publication_id": str(published.id)}
    return rollup.compute(session, unit, period, as_of=now, detail=detail)


def monthly(session: Session, unit: OrgUnit, year: int, *, now: datetime,
            recurrence: bool = True) -> list[dict]:
    """The twelve monthly reports of a year: published months as published, the others
    computed together (rollup.compute_months; without `recurrence`, their recurrent
    problems are not computed)."""
    months = [parse_period(f"{year}-{m:02d}") for m in range(1, 13)]
    published = {p.key: publication(session, unit, p) for p in months}
    live = rollup.compute_months(session, unit, [p for p in months if published[p.key] is None],
                                 as_of=now, recurrence=recurrence)
    out = []
    for p in months:
        row = published[p.key]
        out.append(live[p.key] if row is None else row.snapshot | {
            "frozen": True, "frozen_at": row.frozen_at.isoformat(), "publication_id": str(row.id)})
    return out


def freeze(session: Session, unit: OrgUnit, period: Period, *, actor_id: uuid.UUID,
           now: datetime) -> PeriodPublication:
    if publication(session, unit, period) is not None:
        raise Conflict("该期间已发布；如需修改请先撤回发布", code="period_frozen")
    snapshot = rollup.compute(session, unit, period, as_of=now, detail=True)  # the inputs too
    row = PeriodPublication(period_key=period.key, scope_unit_id=unit.id, frozen_at=now,
                            frozen_by=actor_id, snapshot=snapshot)
    session.add(row)
    session.flush()
    record(session, actor_id=actor_id, action="period.freeze", object_type="period_publication",
           object_id=row.id, period=period.key, unit=unit.name)
    return row


def reopen(session: Session, unit: OrgUnit, period: Period, *, actor_id: uuid.UUID, reason: str,
           now: datetime) -> PeriodPublication:
    row = publication(session, unit, period)
    if row is None:
        raise NotFound("该期间尚未发布", code="period_not_frozen")
    row.reopened_at, row.reopened_by, row.reopen_reason = now, actor_id, reason
    session.add(row)
    record(session, actor_id=actor_id, action="period.reopen", object_type="period_publication",
           object_id=row.id, period=period.key, unit=unit.name, reason=reason)
    session.flush()
    return row


def notice_tables(session: Session, unit: OrgUnit, period: Period, rubric: str | None, *,
                  now: datetime) -> list[notice.NoticeTable]:
    """The street notice (rubric X or S, from street inspections) and the town notice."""
    tables = []
    for rubric_id in ([rubric] if rubric else ["X", "S"]):
        table = notice.street_notice(session, unit, period, rubric_id)
        if table is not None:
            tables.append(table)
    computed = report(session, unit, period, now=now)
    if any(c["total"] is not None for c in computed["compounds"]):
        tables.append(notice.town_notice(computed))
    if not tables:
        raise NotFound("该范围本期没有可发布的考核结果", code="nothing_to_publish")
    return tables
