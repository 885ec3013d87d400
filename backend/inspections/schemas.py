"""What the API takes and gives for inspections (the table is models.py)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field as PydField, model_validator

from backend.dbtypes import AwareDatetime
from backend.findings.schemas import PhotoDecl


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


_OBSERVATIONS = "{item id: {clause id: value}} as in rubrics/README.md"


class InspectionIn(InspectionStart):
    """A whole inspection as the phone's outbox sends it (`POST /api/sync/inspections`): its
    start, its observations and its photos, scored once on arrival. Idempotent by `id`; an
    amendment is a new id naming the inspection it replaces (`amends`)."""

    observations: dict[str, dict[str, Any]] = PydField(default_factory=dict,
                                                       description=_OBSERVATIONS)
    notes: dict[str, str] = PydField(default_factory=dict, description="{item id: note}")
    not_assessed: list[str] = PydField(default_factory=list)
    submitted_at: AwareDatetime | None = None
    photos: dict[str, list[PhotoDecl]] = PydField(
        default_factory=dict, description="{item id: photos declared by SHA-256}")
    amends: uuid.UUID | None = PydField(default=None, description="the inspection it replaces")

    def start(self) -> InspectionStart:
        return InspectionStart.model_validate(self.model_dump(include=set(InspectionStart.model_fields)))

    def submission(self) -> InspectionSubmit:
        return InspectionSubmit.model_validate(self.model_dump(include=set(InspectionSubmit.model_fields)))


class InspectionPublic(BaseModel):
    id: uuid.UUID
    compound_id: uuid.UUID | None
    unit_id: uuid.UUID | None
    subject_name: str | None = None
    rubric_id: str
    rubric_name: str | None = None
    inspector_id: uuid.UUID
    inspector_name: str | None = None
    source: str
    period_start: date | None = None
    period_end: date | None = None
    started_at: datetime
    submitted_at: datetime | None
    observations: dict[str, Any]
    notes: dict[str, Any]
    total: Decimal | None
    grade: str | None
    complete: bool
    result: dict[str, Any] | None
    finding_ids: list[uuid.UUID] = []
    photos: dict[str, list[str]] = PydField(default_factory=dict,
                                            description="{item id: SHA-256 of its photos}")
    photos_missing: list[str] = []
    amends_id: uuid.UUID | None = None
    superseded_by_id: uuid.UUID | None = None


class InspectionItemResult(BaseModel):
    """One inspection's answer in `POST /api/sync/inspections`."""

    id: uuid.UUID
    status: str  # created | duplicate | conflict | invalid
    code: str | None = None
    message: str | None = None
    photos_held: list[str] = []
    photos_missing: list[str] = []
    inspection: InspectionPublic | None = None


class PlanDone(BaseModel):
    id: uuid.UUID
    inspector_name: str | None
    started_at: datetime
    total: Decimal | None
    grade: str | None


class PlanRow(BaseModel):
    """One inspection a rubric's `due` asks for: a subject, a rubric, a source, a window."""

    subject_kind: str  # compound | street
    subject_id: uuid.UUID
    subject_name: str
    place: str | None = PydField(None, description="the street (a compound's) or the district")
    rubric_id: str
    rubric_name: str
    source: str
    due_label: str
    window_start: date
    window_end: date
    window_label: str
    status: str = PydField(description="done 已完成 | missing 未完成 | upcoming 未到期")
    done: list[PlanDone] = []


class Plan(BaseModel):
    period: str
    period_label: str
    start: date
    end: date
    rows: list[PlanRow]
    counts: dict[str, int]
