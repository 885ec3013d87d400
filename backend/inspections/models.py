"""An inspection: an inspector applies a rubric to a compound (or a street), item by item, and
submits.

The phone records the observations offline (counts, yes/no, dates, measured values, notes and
photos per item) and submits them once; the server scores them with the pure engine and keeps
both the observations and the result. Findings logged during the inspection carry its id. The
request and answer shapes are in schemas.py.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Index, Numeric, String, event, inspect, text
from sqlmodel import Field, SQLModel

from backend.dbtypes import Position, UTCDateTime


# Sources of an assessment that counts for a period's scores; a patrol (巡查) counts for the
# coverage plan only (rubrics/README.md).
ASSESSMENTS = ("announced", "unannounced")


class Inspection(SQLModel, table=True):
    __tablename__ = "inspection"
    __table_args__ = (
        # Period roll-ups: the inspections assessing a period (by their declared period) of
        # every compound, without reading the other months' rows (migration 0006), nor the
        # rows themselves: the index holds what picks the latest and what identifies its
        # observations (migration 0007).
        Index("ix_inspection_rubric_period", "rubric_id", "period_start", "period_end",
              "compound_id", "submitted_at", "id", "observations_digest", "source"),
        # …and those declaring no period, by the month they were started in, from the index
        # alone: not the month's other inspections and their ~6 KB rows (migration 0010); the
        # source too, so that patrols are left out from the index alone (migration 0013).
        Index("ix_inspection_undeclared_month", "month", "rubric_id", "compound_id",
              "submitted_at", "id", "observations_digest", "source",
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
    # An amendment is a new inspection naming the one it replaces; the replaced one is kept,
    # marked, and no longer counts (migration 0013).
    amends_id: uuid.UUID | None = Field(default=None, foreign_key="inspection.id")
    # not indexed: only ever filtered as IS NULL, which nearly every row is (0015)
    superseded_by_id: uuid.UUID | None = None


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


class InspectionPhoto(SQLModel, table=True):
    """A photo declared on an inspection's item, by its SHA-256; `received_at` once the bytes
    are stored (photos/ holds them, shared with findings' photos)."""

    __tablename__ = "inspection_photo"
    # Who may see a photo's bytes asks by SHA-256 alone (photos.photo_visible), 0015.
    __table_args__ = (Index("ix_inspection_photo_sha256", "sha256"),)

    inspection_id: uuid.UUID = Field(foreign_key="inspection.id", primary_key=True)
    sha256: str = Field(max_length=64, primary_key=True)
    item_id: str = Field(max_length=32)
    position: int = 0
    received_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
