"""What the hotline API reads and answers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class OrderErrorOut(BaseModel):
    line: int = Field(description="the line in the file (0: the file as a whole)")
    column: str | None = None
    message: str


class ImportReportOut(BaseModel):
    import_id: uuid.UUID | None
    filename: str
    lines: int
    created: int = Field(description="new cases")
    updated: int = Field(description="orders whose later statement moved their case")
    unchanged: int
    review: int = Field(description="orders waiting in the review queue")
    conflicts: int = Field(description="changes to a published period, not applied")
    duplicates: int = Field(description="lines repeating an earlier line of the file")
    errors: list[OrderErrorOut]


class MappingIn(BaseModel):
    columns: dict[str, str] = Field(description="field → the column's label in the export")


class MappingOut(BaseModel):
    name: str
    columns: dict[str, str]
    updated_at: datetime


class FieldOut(BaseModel):
    field: str
    label: str
    required: bool


class ReviewItem(BaseModel):
    case_no: str
    accepted_at: datetime
    address: str
    content: str
    category: str
    building: str | None
    compound_reason: str
    type_reason: str
    catalog_code: str | None
    candidates: list[dict[str, Any]] = Field(description="the closest compounds: id, name, score")
    suggested_alias: str = Field(description="the address without its building, to save as an alias")


class ResolveIn(BaseModel):
    compound_id: uuid.UUID
    catalog_code: str = Field(min_length=1, max_length=16)
    alias: str | None = Field(default=None, max_length=200,
                              description="save this variant as the compound's alias")


class DismissIn(BaseModel):
    reason: str = Field(min_length=2, max_length=300, description="why it is no compound's problem")


class ConflictOut(BaseModel):
    id: uuid.UUID
    case_no: str
    line: int
    period: str
    changes: list[dict[str, Any]]
    created_at: datetime
    filename: str | None = None


class ImportOut(BaseModel):
    id: uuid.UUID
    filename: str
    mapping_name: str | None
    imported_at: datetime
    summary: dict[str, int]
