"""An inspection: an inspector applies a rubric to a compound, item by item, and submits.

The phone records the observations offline (counts, yes/no, dates, measured values, notes per
item) and submits them once; the server scores them with the pure engine and keeps both the
observations and the result. Findings logged during the inspection carry its id.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field as PydField, model_validator
from sqlalchemy import JSON, Column, Index, Numeric, String, event, inspect, text
from sqlmodel import Field, SQLModel

from backend.dbtypes import AwareDatetime, Position, UTCDateTime


class Inspection(SQLModel, table=True):
    __tablename__ = "inspection"
    __table_args__ = (
        # Period roll-ups: the inspections assessing a period (by their declared period) of
        # every compound, without reading the other months' rows (migration 0006), nor the
        # rows themselves: the index holds what picks the latest and what identifies its
        # observations (migration 0007).
        Index("ix_inspection_rubric_period", "rubric_id", "period_start", "period_end",
              "compound_id", "submitted_at", "id", "observations_digest"),
        # …and those declaring no period, by the month they were started in, from the index
        # alone: not the month's other inspections and their ~6 KB rows (migration 0010).
        Index("ix_inspection_undeclared_month", "month", "rubric_id", "compound_id",
              "submitted_at", "id", "observations_digest",
              sqlite_where=text("period_start IS NULL"),
              postgresql_where=text("period_start IS NULL")),
    )

    id: uuid.UUID = Field(primary_key=True, description="client-generated UUIDv7")
    # The subject: a compound (rubrics D, E, P) or a street/town (rubrics S, X assess streets).
    compound_id: uuid.UUID | None = Field(default=None, foreign_key="compound.id", index=True)
    unit_id: uuid.UUID | None = Field(default=None, foreign_key="org_unit.id", index=True)
    district_id: uuid.UUID | None = None
    street_id: uuid.UUID | None = Field(default=None, index=True)
    company_id: uuid.UUID | None = None
    rubric_id: str = Field(max_length=32)
    inspector_id: uuid.UUID = Field(foreign_key="user_account.id", index=True)
    source: str = Field(sa_column=Column(String(16), nullable=False))
    period_start: date | None = None
    period_end: date | None = None
    started_at: datetime = Field(sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Why the phone's start time was not believed (backend/clock.py FLAGS).
    time_flag: str | None = Field(default=None, max_length=32)
    observations: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # observations_digest(observations), kept by the ORM events below
    observations_digest: str | None = Field(default=None, max_length=32)
    notes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    total: Decimal | None = Field(default=None, sa_column=Column(Numeric(8, 2)))
    grade: str | None = Field(default=None, max_length=16)
    complete: bool = False
    month: int = Field(index=True)
    content_hash: str | None = Field(default=None, max_length=64)
    change_seq: int = Field(default=0, index=True, sa_type=Position)


def observations_digest(observations: dict[str, Any]) -> str:
    """Equal for observations equal as JSON values (key order aside), so that the period
    roll-up scores each distinct set of observations once, read by its digest from the index
    instead of from every inspection row."""
    canonical = json.dumps(observations, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


@event.listens_for(Inspection, "before_insert")
@event.listens_for(Inspection, "before_update")
def _keep_observations_digest(mapper, connection, target: Inspection) -> None:  # noqa: ANN001
    if target.observations_digest is None or \
            inspect(target).attrs.observations.history.has_changes():
        target.observations_digest = observations_digest(target.observations)


class InspectionStart(BaseModel):
    id: uuid.UUID
    compound_id: uuid.UUID | None = PydField(default=None, description="a compound, or…")
    unit_id: uuid.UUID | None = PydField(default=None, description="…a street/town (rubrics S, X)")
    rubric_id: str = PydField(max_length=32)
    source: str = PydField(default="announced", pattern="^(announced|unannounced|patrol)$")
    period_start: date | None = PydField(
        default=None, description="the assessed period's first day; with period_end, or neither")
    period_end: date | None = None
    started_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _period_is_whole(self) -> "InspectionStart":
        # A report counts an inspection for the period its declared dates lie in: half a
        # period, or one ending before it starts, would count for none (or the wrong one).
        if (self.period_start is None) != (self.period_end is None):
            raise ValueError("考核期间请同时填写开始和结束日期 / give both period_start and period_end")
        if self.period_start is not None and self.period_end < self.period_start:
            raise ValueError("考核期间的结束日期不能早于开始日期 / period_end is before period_start")
        return self


class InspectionSubmit(BaseModel):
    observations: dict[str, dict[str, Any]] = PydField(
        description="{item id: {clause id: value}} as in rubrics/README.md")
    notes: dict[str, str] = PydField(default_factory=dict, description="{item id: note}")
    not_assessed: list[str] = PydField(default_factory=list)
    submitted_at: AwareDatetime | None = None


class InspectionPublic(BaseModel):
    id: uuid.UUID
    compound_id: uuid.UUID | None
    unit_id: uuid.UUID | None
    rubric_id: str
    inspector_id: uuid.UUID
    source: str
    started_at: datetime
    submitted_at: datetime | None
    observations: dict[str, Any]
    notes: dict[str, Any]
    total: Decimal | None
    grade: str | None
    complete: bool
    result: dict[str, Any] | None
    finding_ids: list[uuid.UUID] = []
