"""`GET /api/scores`: the phone's view of the period's ranking for the caller's own scope."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from fastapi import APIRouter
from sqlmodel import select

from backend.auth.dependencies import CurrentUser, ScopeDep
from backend.config import get_settings
from backend.db import SessionDep
from backend.errors import NotFound, error_responses
from backend.organisation.models import OrgUnit, UnitLevel
from backend.reports import service
from backend.sync.clock import ClockDep

router = APIRouter(prefix="/api", tags=["reports"])


@router.get("/scores", responses=error_responses(401, 404, 422))
def scores(session: SessionDep, user: CurrentUser, scope: ScopeDep, clock: ClockDep,
           period: str | None = None) -> dict:
    """The ranking of the compounds in the caller's scope for a period (default: this month)."""
    if period is None:
        local = clock.now.astimezone(ZoneInfo(get_settings().timezone))
        period = f"{local.year}-{local.month:02d}"
    parsed = service.period_or_422(period)
    units = session.exec(select(OrgUnit).where(scope.unit_filter(),
                                               OrgUnit.level.in_(service.SCOPE_LEVELS))
                         .order_by(OrgUnit.level)).all()
    tiers = [UnitLevel.district, UnitLevel.street, UnitLevel.town, UnitLevel.community]
    units = sorted(units, key=lambda u: tiers.index(UnitLevel(u.level)))
    if not units:
        raise NotFound("您的管辖范围内没有可统计的单位", code="unit_not_found")
    report = service.report(session, units[0], parsed, now=clock.now)
    prizes = {p["compound_id"]: p["prize"] for p in report["prizes"]}
    items = [{"rank": c["rank"], "name": c["name"], "compound_id": c["compound_id"],
              "score": c["total"], "complete": c["complete"], "prize": prizes.get(c["compound_id"])}
             for c in report["compounds"]]
    return {"period": report["period"], "scope": report["scope"], "frozen": report["frozen"],
            "items": items, "streets": report["streets"], "companies": report["companies"],
            "warnings": report["warnings"]}
