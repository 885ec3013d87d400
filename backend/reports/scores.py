"""`GET /api/scores`: the phone's view of the period's ranking for the caller's own scope."""

from __future__ import annotations

from dataclasses import asdict
from zoneinfo import ZoneInfo

from fastapi import APIRouter

from backend.auth.dependencies import ScopeDep
from backend.clock import ClockDep
from backend.config import get_settings
from backend.transaction import SessionDep
from backend.errors import error_responses
from backend.reports import service

router = APIRouter(prefix="/api", tags=["reports"])


@router.get("/scores", responses=error_responses(401, 404, 422))
def scores(session: SessionDep, scope: ScopeDep, clock: ClockDep,
           period: str | None = None) -> dict:
    """The ranking of the compounds in the caller's scope for a period (default: this month)."""
    if period is None:
        local = clock.now.astimezone(ZoneInfo(get_settings().timezone))
        period = f"{local.year}-{local.month:02d}"
    unit, period = service.own_unit(session, scope), service.period_or_422(period)
    report = service.report(session, unit, period, now=clock.now)
    prizes = {p.compound_id: p for p in report.prizes}
    items = [{"rank": c.rank, "name": c.name, "compound_id": c.compound_id, "score": c.total,
              "parts": c.parts, "bonus": c.bonus, "finding_counts": c.finding_counts,
              "complete": c.complete,
              "prize": prizes[c.compound_id].prize if c.compound_id in prizes else None,
              "prize_amount": prizes[c.compound_id].amount if c.compound_id in prizes else None,
              "old_compound": asdict(c.old_compound) if c.old_compound else None,
              "inspections": c.inspections}
             for c in report.compounds]
    return {"period": asdict(report.period), "scope": asdict(report.scope),
            "frozen": report.frozen, "frozen_at": report.frozen_at, "items": items,
            "settings_version": report.settings_version,
            "street_assessments": service.street_scores(session, unit, period),
            "publications": service.publication_history(session, unit, period),
            "streets": [asdict(s) for s in report.streets],
            "companies": [asdict(c) for c in report.companies], "warnings": report.warnings}
