"""What the roll-ups need beyond findings and inspections, and published (frozen) periods."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field as PydField
from sqlalchemy import JSON, Column, Numeric, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from backend.dbtypes import UTCDateTime, utcnow
from backend.ids import new_id


class DemonstrationProject(SQLModel, table=True):
    """Seed 002 §五.2: a completed demonstration project earns its compound a bonus
    (district +3, city +5, province +7, national +10) in the period it was completed."""

    __tablename__ = "demonstration_project"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    compound_id: uuid.UUID = Field(foreign_key="compound.id", index=True)
    level: str = Field(sa_column=Column(String(16), nullable=False))
    title: str = Field(max_length=200)
    completed_on: date
    recorded_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CompanyDirectScore(SQLModel, table=True):
    """Seed 004 10.3.1: the housing department's direct score of a company (30%)."""

    __tablename__ = "company_direct_score"
    __table_args__ = (UniqueConstraint("company_id", "period_key"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    company_id: uuid.UUID = Field(foreign_key="company.id", index=True)
    period_key: str = Field(max_length=32)
    score: Decimal = Field(sa_column=Column(Numeric(6, 2), nullable=False))
    recorded_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PeriodPublication(SQLModel, table=True):
    """A published (frozen) report: its numbers and the inputs behind them, as they were.

    Later edits to findings do not change it. Re-opening is an audited supervisor action; the
    row is kept (reopened_at set) and a new publication is a new row.
    """

    __tablename__ = "period_publication"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    period_key: str = Field(max_length=32, index=True)
    scope_unit_id: uuid.UUID = Field(foreign_key="org_unit.id", index=True)
    frozen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    frozen_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    snapshot: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    reopened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reopened_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    reopen_reason: str | None = Field(default=None, max_length=500)


class DemonstrationIn(BaseModel):
    compound_id: uuid.UUID
    level: str = PydField(pattern="^(district|city|province|national)$")
    title: str = PydField(min_length=1, max_length=200)
    completed_on: date


class DirectScoreIn(BaseModel):
    company_id: uuid.UUID
    period: str
    score: Decimal = PydField(ge=0, le=100)


class CaseFlagsIn(BaseModel):
    shirking: bool | None = PydField(default=None, description="推诿: 经确认责任主体推诿扯皮")
    callback_failed: bool | None = PydField(default=None, description="核查不符: 回访核查不符合结案标准")
    note: str = PydField(min_length=1, max_length=500)


class ReopenIn(BaseModel):
    reason: str = PydField(min_length=2, max_length=500)
