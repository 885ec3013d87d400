"""Load-and-check dependencies of the reports domain: the period in the path, and the unit a
report covers (the caller's own unit when none is named)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import Depends, Query

from backend.auth.dependencies import ScopeDep
from backend.transaction import SessionDep
from backend.organisation.models import OrgUnit
from backend.reports import service
from backend.reports.periods import Period, parse_period


# The trivial dependencies are `async def`: no I/O, no worker-thread hop.
async def path_period(period: str) -> Period:
    return service.period_or_422(period)


def report_unit(session: SessionDep, scope: ScopeDep, unit_id: Annotated[
        uuid.UUID | None, Query(description="统计范围（区、街道/镇或社区）；默认为本人管辖的单位")] = None
                ) -> OrgUnit:
    if unit_id is None:
        return service.own_unit(session, scope)
    return service.scope_unit(session, scope, unit_id)


async def query_period(period: Annotated[str | None, Query(
        max_length=32, description="期间：2026-12、2026Q4、2026H2 或 2026；默认为本月")] = None
        ) -> Callable[[date], Period]:
    """The period asked for, or (given today) this month."""
    asked = service.period_or_422(period) if period else None
    return lambda today: asked or parse_period(f"{today.year}-{today.month:02d}")


def notice_unit(session: SessionDep, scope: ScopeDep, period: Annotated[Period, Depends(path_period)],
                unit_id: Annotated[uuid.UUID | None, Query(
                    description="通报的单位；默认为本人管辖的单位。已发布的上级通报，其所辖单位也可下载")] = None
                ) -> OrgUnit:
    if unit_id is None:
        return service.own_unit(session, scope)
    return service.notice_unit(session, scope, unit_id, period)


PeriodDep = Annotated[Period, Depends(path_period)]
NoticeUnitDep = Annotated[OrgUnit, Depends(notice_unit)]
PeriodQueryDep = Annotated[Callable[[date], Period], Depends(query_period)]
UnitDep = Annotated[OrgUnit, Depends(report_unit)]
