"""The holiday calendar as the admin keeps it: which years are covered, and recomputing the
provisional due times once a missing year is added."""

from __future__ import annotations

from fastapi import APIRouter

from backend.auth.dependencies import AdminUser, CurrentUser
from backend.calendar import service
from backend.clock import ClockDep
from backend.transaction import SessionDep
from backend.errors import error_responses

router = APIRouter(prefix="/api/calendar", tags=["calendar"])


@router.get("/status", responses=error_responses(401))
def calendar_status(_user: CurrentUser, clock: ClockDep) -> dict:
    """Which holiday years are covered; a warning when the coming year is not yet."""
    return service.status(clock.now)


@router.post("/recompute", responses=error_responses(401, 403))
def calendar_recompute(session: SessionDep, admin: AdminUser) -> dict:
    """After the calendar gained a year: recompute provisional due times (audited)."""
    return {"changes": service.recompute(session, actor_id=admin.id)}
