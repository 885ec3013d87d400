"""12345 hotline work orders (issue 18): the tables.

- `WorkOrder`: one work order as the last import stated it, keyed by its number (工单编号), with
  how it was matched (compound and catalog type, each with its score and reason) and the hotline
  case (a finding with source=hotline) it became. An order that matched nothing waits in the
  review queue (`needs_review`) and has no case until a supervisor assigns it.
- `HotlineImport`: one imported file: who, when, which mapping, and what it did.
- `HotlineMapping`: a platform's column mapping (field → column label), saved and reused.
- `CompoundAlias`: another name residents use for a compound (saved from the review queue), so
  the next import matches it.
- `HotlineConflict`: a change an import brought to a work order of a published (frozen)
  period, which the import did not apply: listed for the supervisor.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from backend.dbtypes import UTCDateTime, utcnow
from backend.ids import new_id


class WorkOrder(SQLModel, table=True):
    __tablename__ = "hotline_order"
    __table_args__ = (
        # the review queue: only the orders waiting, oldest first
        Index("ix_hotline_order_review", "accepted_at", sqlite_where=text("needs_review"),
              postgresql_where=text("needs_review")),
    )

    case_no: str = Field(primary_key=True, max_length=64)
    # the case it became (= the finding's and the ticket's id); none while in review
    finding_id: uuid.UUID | None = Field(default=None, foreign_key="finding.id", unique=True)
    accepted_at: datetime = Field(sa_type=UTCDateTime)
    # everything the export stated (orders.OrderRow.stated), and its digest: an unchanged
    # line of a later import is known by it
    stated: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    digest: str = Field(max_length=64)
    compound_id: uuid.UUID | None = Field(default=None, foreign_key="compound.id")
    compound_score: float = 0
    compound_reason: str = Field(default="", max_length=300)
    catalog_code: str | None = Field(default=None, max_length=16)
    type_reason: str = Field(default="", max_length=300)
    # the closest compounds [[id, name, score], …], offered in the review queue
    candidates: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    building: str | None = Field(default=None, max_length=100)
    needs_review: bool = False
    # Set when a supervisor leaves a waiting order out (not a compound's problem): why
    dismissed_reason: str | None = Field(default=None, max_length=300)
    reviewed_by: uuid.UUID | None = None
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    first_import_id: uuid.UUID = Field(foreign_key="hotline_import.id")
    last_import_id: uuid.UUID = Field(foreign_key="hotline_import.id")
    line: int = 0  # in the last import's file
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class HotlineImport(SQLModel, table=True):
    __tablename__ = "hotline_import"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    filename: str = Field(max_length=255)
    sha256: str = Field(max_length=64)
    mapping_name: str | None = Field(default=None, max_length=100)
    imported_by: uuid.UUID = Field(foreign_key="user_account.id")
    imported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    summary: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The importer's units (ids as text; [] for an admin's, which every supervisor sees): who
    # sees the import, its waiting orders (they have no compound yet) and its history
    scope_units: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class HotlineMapping(SQLModel, table=True):
    __tablename__ = "hotline_mapping"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    columns: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_by: uuid.UUID | None = None
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CompoundAlias(SQLModel, table=True):
    __tablename__ = "compound_alias"
    __table_args__ = (UniqueConstraint("compound_id", "alias", name="uq_compound_alias"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    compound_id: uuid.UUID = Field(foreign_key="compound.id", index=True)
    alias: str = Field(max_length=200)
    created_by: uuid.UUID | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class HotlineConflict(SQLModel, table=True):
    __tablename__ = "hotline_conflict"
    __table_args__ = (UniqueConstraint("case_no", "digest", name="uq_hotline_conflict"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    case_no: str = Field(max_length=64, index=True)
    compound_id: uuid.UUID = Field(foreign_key="compound.id")  # who sees it: its compound's scope
    digest: str = Field(max_length=64)  # the refused statement's: listed once however often imported
    import_id: uuid.UUID = Field(foreign_key="hotline_import.id")
    line: int = 0
    period: str = Field(max_length=64)  # the published period's label
    changes: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
