"""Load-and-check dependencies of the reports domain: the period in the path, and the unit a
report covers (the caller's own unit when none is named)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query

from backend.auth.dependencies import ScopeDep
from backend.db import SessionDep
from backend.organisation.models import OrgUnit
from backend.reports import service
from backend.reports.periods import Period


def path_period(period: str) -> Period:
    return service.period_or_422(period)


def report_unit(session: SessionDep, scope: ScopeDep, unit_id: Annotated[
        uuid.UUID | None, Query(description="统计范围（区、街道/镇或社区）；默认为本人管辖的单位")] = None
                ) -> OrgUnit:
    if unit_id is None:
        return service.own_unit(session, scope)
    return service.scope_unit(session, scope, unit_id)


PeriodDep = Annotated[Period, Depends(path_period)]
UnitDep = Annotated[OrgUnit, Depends(report_unit)]
