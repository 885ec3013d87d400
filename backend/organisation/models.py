"""The organisation tree and the things inspected in it.

district 区 → street 街道 / town 镇 → community 社区 → grid 网格; compounds 小区 belong to a
community, lie in one or more grids, and are served by one property-service company (or none:
无物业小区). Every unit and compound stores its ancestors' ids so that a scope check is an
indexed equality, not a recursive query.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import field_validator
from sqlalchemy import Column, ColumnElement, Numeric, String
from sqlmodel import Field, SQLModel, select

from backend.dbtypes import FiniteFloat, UTCDateTime, utcnow
from backend.ids import new_id


class UnitLevel(StrEnum):
    district = "district"
    street = "street"
    town = "town"
    community = "community"
    grid = "grid"


LEVEL_LABELS = {"district": "区", "street": "街道", "town": "镇", "community": "社区", "grid": "网格"}

# Which level may sit under which: a street and a town are the same tier.
ALLOWED_PARENT: dict[UnitLevel, tuple[UnitLevel, ...]] = {
    UnitLevel.district: (),
    UnitLevel.street: (UnitLevel.district,),
    UnitLevel.town: (UnitLevel.district,),
    UnitLevel.community: (UnitLevel.street, UnitLevel.town),
    UnitLevel.grid: (UnitLevel.community,),
}


class CreditGrade(StrEnum):
    """Seed 004 §10.1.2: five grades from high to low."""

    AAA = "AAA"
    AA = "AA"
    A = "A"
    B = "B"
    C = "C"


# ---------------------------------------------------------------- org units

class OrgUnitBase(SQLModel):
    name: str = Field(min_length=1, max_length=100)
    level: UnitLevel = Field(sa_column=Column(String(16), nullable=False, index=True))
    code: str | None = Field(default=None, max_length=64)


class OrgUnitCreate(OrgUnitBase):
    parent_id: uuid.UUID | None = None


class OrgUnitUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    code: str | None = None
    parent_id: uuid.UUID | None = Field(default=None, description="move under this unit")
    is_active: bool | None = None


class OrgUnit(OrgUnitBase, table=True):
    __tablename__ = "org_unit"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    parent_id: uuid.UUID | None = Field(default=None, foreign_key="org_unit.id", index=True)
    # Ancestors at each tier, the unit itself included (a street has street_id == id).
    district_id: uuid.UUID | None = Field(default=None, index=True)
    street_id: uuid.UUID | None = Field(default=None, index=True)
    community_id: uuid.UUID | None = Field(default=None, index=True)
    is_active: bool = True  # retired, never deleted: findings and scores refer to it
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class OrgUnitPublic(OrgUnitBase):
    id: uuid.UUID
    parent_id: uuid.UUID | None
    is_active: bool = True
    district_id: uuid.UUID | None
    street_id: uuid.UUID | None
    community_id: uuid.UUID | None


class OrgTreeNode(OrgUnitPublic):
    """A unit of the admin's tree, with how many compounds lie under it (active ones)."""

    compounds: int = 0


# ---------------------------------------------------------------- companies

class CompanyBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    credit_code: str | None = Field(default=None, max_length=32, description="统一社会信用代码")
    credit_grade: CreditGrade | None = Field(default=None, sa_column=Column(String(4)))
    community_run: bool = Field(default=False, description="社区领办物业 (seed 004 §7.2)")
    phone: str | None = Field(default=None, max_length=32)


class CompanyCreate(CompanyBase):
    pass


class CompanyUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    credit_code: str | None = None
    credit_grade: CreditGrade | None = None
    community_run: bool | None = None
    phone: str | None = None
    is_active: bool | None = None


class Company(CompanyBase, table=True):
    __tablename__ = "company"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CompanyPublic(CompanyBase):
    id: uuid.UUID
    is_active: bool = True


# ---------------------------------------------------------------- compounds

class CompoundBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    address: str | None = Field(default=None, max_length=300)
    building_area_m2: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2,
                                             sa_column=Column(Numeric(14, 2)))
    households: int | None = Field(default=None, ge=0)
    company_moved_in_on: date | None = Field(default=None, description="物业进驻日期")
    is_old: bool = Field(default=False, description="老旧小区")
    has_party_branch: bool = Field(default=False, description="成立(临时)党支部")
    latitude: FiniteFloat | None = Field(default=None, ge=-90, le=90)
    longitude: FiniteFloat | None = Field(default=None, ge=-180, le=180)


class CompoundCreate(CompoundBase):
    community_id: uuid.UUID
    company_id: uuid.UUID | None = None
    grid_ids: list[uuid.UUID] = []


class CompoundUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    address: str | None = None
    building_area_m2: Decimal | None = Field(default=None, ge=0)
    households: int | None = Field(default=None, ge=0)
    company_id: uuid.UUID | None = None
    company_moved_in_on: date | None = None
    is_old: bool | None = None
    has_party_branch: bool | None = None
    latitude: FiniteFloat | None = Field(default=None, ge=-90, le=90)
    longitude: FiniteFloat | None = Field(default=None, ge=-180, le=180)
    grid_ids: list[uuid.UUID] | None = None
    community_id: uuid.UUID | None = Field(default=None, description="move to this community")
    is_active: bool | None = None


class Compound(CompoundBase, table=True):
    __tablename__ = "compound"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    community_id: uuid.UUID = Field(foreign_key="org_unit.id", index=True)
    street_id: uuid.UUID = Field(foreign_key="org_unit.id", index=True)
    district_id: uuid.UUID = Field(foreign_key="org_unit.id", index=True)
    company_id: uuid.UUID | None = Field(default=None, foreign_key="company.id", index=True)
    is_active: bool = True  # a retired compound is no longer offered to the phones
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class CompoundGrid(SQLModel, table=True):
    __tablename__ = "compound_grid"

    compound_id: uuid.UUID = Field(foreign_key="compound.id", primary_key=True, ondelete="CASCADE")
    grid_id: uuid.UUID = Field(foreign_key="org_unit.id", primary_key=True, index=True)


class CompoundPublic(CompoundBase):
    id: uuid.UUID
    community_id: uuid.UUID
    street_id: uuid.UUID
    district_id: uuid.UUID
    company_id: uuid.UUID | None
    grid_ids: list[uuid.UUID] = []
    is_active: bool = True
    community_name: str | None = None
    street_name: str | None = None
    company_name: str | None = None
    updated_at: datetime | None = None

    @field_validator("building_area_m2", mode="before")
    @classmethod
    def _area(cls, v):  # noqa: ANN001, ANN206
        return None if v is None else Decimal(str(v))


# ---------------------------------------------------------------- what lies under a unit

# The column each unit stores its ancestor of a level in (a street and a town are one tier).
_TIER_COLUMN = {UnitLevel.district: "district_id", UnitLevel.street: "street_id",
                UnitLevel.town: "street_id", UnitLevel.community: "community_id"}


def units_under(unit: OrgUnit) -> ColumnElement[bool]:
    """Over `org_unit`: the unit itself and every unit below it (an indexed equality)."""
    if unit.level == UnitLevel.grid:
        return OrgUnit.id == unit.id
    return getattr(OrgUnit, _TIER_COLUMN[UnitLevel(unit.level)]) == unit.id


def compounds_under(unit: OrgUnit) -> ColumnElement[bool]:
    """Over `compound`: the compounds lying under the unit (in it, for a grid)."""
    if unit.level == UnitLevel.grid:
        return Compound.id.in_(select(CompoundGrid.compound_id).where(CompoundGrid.grid_id == unit.id))
    return getattr(Compound, _TIER_COLUMN[UnitLevel(unit.level)]) == unit.id
