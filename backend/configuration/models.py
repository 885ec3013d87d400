"""The deployment's settings, one row per version.

The files in rubrics/ stay the seeds' defaults. What a deployment decides for itself lies in
layers over them, saved whole at every change so that any version can be read back alone:

- `values`: the numbers the seeds leave blank or doubtful (ConfigValues, `needs_configuration`),
  by their address (`backend/rubrics/loader.py value_key`): prize amounts, rubric P's points,
  the credit-grade thresholds;
- `calendar`: holiday entries beyond the State Council data the package ships;
- `schedules`: the working schedules (windows, effective dates, which catalog type or
  responsible unit follows which), in rubrics/worktime.yaml's shape, instead of that file;
- `rubric_files`: rubric files an admin uploaded, by file name (one named like a file in
  rubrics/ takes its place).

Every score computed names the version it was computed under (`PeriodReport.settings_version`).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field as PydField
from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from backend.dbtypes import UTCDateTime, utcnow


class SettingsVersion(SQLModel, table=True):
    __tablename__ = "settings_version"

    version: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor_id: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    reason: str = Field(max_length=500)
    values: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    calendar: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    schedules: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    rubric_files: dict[str, Any] = Field(default_factory=dict,
                                         sa_column=Column(JSON, nullable=False))
    # The notification rules (backend/notifications/rules.py NotifyRules); {}: the defaults.
    notifications: dict[str, Any] = Field(default_factory=dict,
                                          sa_column=Column(JSON, nullable=False, server_default="{}"))


# ------------------------------------------------------------------ what the API reads and takes

class ConfigurableValue(BaseModel):
    """A value the seeds leave to each deployment, as the admin edits it."""

    key: str
    document: str
    document_name: str
    file: str
    line: int | None
    label: str
    reason: str = PydField(description="why the seed leaves it open (中文)")
    seed_value: str | None = PydField(description="what rubrics/ says (null: blank in the seed)")
    value: str | None = PydField(description="the value in force")
    configured: bool = PydField(description="set in the deployment's settings")
    local: bool = PydField(False, description=(
        "the seed states the value and leaves it to each deployment (no warning until changed)"))


class CalendarEntry(BaseModel):
    start: date = PydField(description="first day")
    end: date = PydField(description="last day (the same day for one day)")
    name: str = PydField(min_length=1, max_length=50)
    kind: Literal["holiday", "workday"] = PydField(description="holiday 放假, workday 调休上班")

    def days(self) -> list[date]:
        return [date.fromordinal(d) for d in range(self.start.toordinal(), self.end.toordinal() + 1)]


class CalendarSettings(BaseModel):
    years: list[int] = PydField(default_factory=list,
                                description="years the entries cover completely (the State Council notice is in)")
    entries: list[CalendarEntry] = PydField(default_factory=list)


class _Change(BaseModel):
    reason: str = PydField(min_length=2, max_length=500, description="why (shown in the history)")
    base_version: int | None = PydField(
        None, description="the version the admin edited: refused (409) if another has been saved since")


class ValuesChange(_Change):
    values: dict[str, Decimal | None] = PydField(description="key → value (null: back to the file's)")


class CalendarChange(CalendarSettings, _Change):
    pass


class SchedulesChange(_Change):
    schedules: dict[str, Any] = PydField(description="rubrics/worktime.yaml's shape: workday_rule, "
                                         "default, schedules, catalog_types, responsible_units")


class RuleSummary(BaseModel):
    """A composite or company rule in force, in sentences (the rubrics come with the pull)."""

    id: str
    name: str
    source: str
    lines: list[str]


class SettingsPublic(BaseModel):
    version: int
    at: datetime | None
    actor_name: str | None
    reason: str | None
    values: list[ConfigurableValue]
    calendar: CalendarSettings
    schedules: dict[str, Any] = PydField(description="in force: the settings' or the file's")
    schedules_configured: bool
    rubric_files: list[str]
    combined_rules: list[RuleSummary] = PydField(description="the composite and company rules in force")


class SettingsHistoryRow(BaseModel):
    version: int
    at: datetime
    actor_name: str | None
    reason: str
