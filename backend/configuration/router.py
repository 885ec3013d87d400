"""Rules in force for admins: the values the seeds leave open, the holiday calendar, uploaded
rubric files, and the history of versions."""

from __future__ import annotations

from fastapi import APIRouter, UploadFile

from backend.auth.dependencies import AdminUser
from backend.calendar import service as calendar_service
from backend.configuration import service
from backend.configuration.models import CalendarChange, SchedulesChange, SettingsHistoryRow, \
    SettingsPublic, ValuesChange
from backend.errors import error_responses
from backend.transaction import SessionDep

router = APIRouter(prefix="/api/settings", tags=["settings"])


@router.get("", response_model=SettingsPublic, responses=error_responses(401, 403))
def settings_in_force(session: SessionDep, _admin: AdminUser) -> SettingsPublic:
    """The version in force: every value the seeds leave open (seed value, value in force,
    where it is in the files and why), the calendar entries and the uploaded rubric files."""
    return service.public(session)


@router.put("/values", response_model=SettingsPublic, responses=error_responses(401, 403, 409, 422))
def set_values(body: ValuesChange, session: SessionDep, admin: AdminUser) -> SettingsPublic:
    """Set values the seeds leave open (null: back to blank); a new, audited version."""
    service.set_values(session, body, actor_id=admin.id)
    return service.public(session)


@router.put("/calendar", responses=error_responses(401, 403, 409, 422))
def set_calendar(body: CalendarChange, session: SessionDep, admin: AdminUser) -> dict:
    """Replace the holiday entries (a new year from the State Council notice, a local day);
    the provisional due times are recomputed at once, each change audited."""
    row = service.set_calendar(session, body, actor_id=admin.id)
    changes = calendar_service.recompute(session, actor_id=admin.id,
                                         config=service.worktime_for(row))
    return {"version": row.version, "changes": changes}


@router.put("/schedules", response_model=SettingsPublic,
            responses=error_responses(401, 403, 409, 422))
def set_schedules(body: SchedulesChange, session: SessionDep, admin: AdminUser) -> SettingsPublic:
    """Replace the working schedules (windows, summer and winter hours, which catalog type or
    responsible unit follows which): in force for tickets dispatched from now on."""
    service.set_schedules(session, body, actor_id=admin.id)
    return service.public(session)


@router.post("/rubrics", responses=error_responses(401, 403, 409, 413, 422))
async def upload_rubric(file: UploadFile, session: SessionDep, admin: AdminUser,
                        base_version: int | None = None) -> dict:
    """A new or changed rubric file (YAML): refused with the line and the reason, or in force
    as a new version."""
    raw = await file.read(service.MAX_RUBRIC_BYTES + 1)
    row, document = service.upload_rubric(session, file.filename or "", raw, actor_id=admin.id,
                                           base=base_version)
    return {"version": row.version, "document": document}


@router.get("/history", response_model=list[SettingsHistoryRow], responses=error_responses(401, 403))
def settings_history(session: SessionDep, _admin: AdminUser) -> list[SettingsHistoryRow]:
    return service.history(session)
