"""What a user may see: the one place where every read and write is filtered by scope.

A scope is the set of compounds a user covers, derived from their role and scope units:

- admin: everything;
- supervisor, inspector: every compound under their district / street / town / community;
- grid worker: the compounds lying in their grids;
- property manager: the compounds their company serves.

Other records (findings, tickets, photos, inspections) are filtered through the compound they
belong to, with `Scope.compound_ids()` as a sub-select, so no endpoint re-implements this.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, false, or_, true
from sqlmodel import Session, select

from backend.auth.models import Role, User, UserScopeUnit
from backend.organisation.models import Company, Compound, CompoundGrid, OrgUnit, UnitLevel


@dataclass(frozen=True)
class Scope:
    user_id: uuid.UUID
    role: Role
    is_global: bool = False
    district_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)
    street_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)
    community_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)
    grid_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)
    company_id: uuid.UUID | None = None

    @property
    def areas_only(self) -> bool:
        """Districts and streets and nothing finer, and no company: what a ticket's own
        district and street columns answer (the ticket lists' indexes serve them)."""
        return not (self.is_global or self.community_ids or self.grid_ids
                    or self.company_id is not None) and bool(self.district_ids or self.street_ids)

    # -------------------------------------------------------------- SQL filters

    def compound_filter(self) -> ColumnElement[bool]:
        """A WHERE clause over `compound` selecting the compounds in scope."""
        if self.is_global:
            return true()
        clauses: list[ColumnElement[bool]] = []
        if self.district_ids:
            clauses.append(Compound.district_id.in_(self.district_ids))
        if self.street_ids:
            clauses.append(Compound.street_id.in_(self.street_ids))
        if self.community_ids:
            clauses.append(Compound.community_id.in_(self.community_ids))
        if self.grid_ids:
            clauses.append(Compound.id.in_(
                select(CompoundGrid.compound_id).where(CompoundGrid.grid_id.in_(self.grid_ids))))
        if self.company_id is not None:
            clauses.append(Compound.company_id == self.company_id)
        return or_(*clauses) if clauses else false()

    def compound_ids(self):  # noqa: ANN201 - a SQLAlchemy scalar sub-select
        """Sub-select of compound ids in scope, for filtering records that hang off a compound."""
        return select(Compound.id).where(self.compound_filter())

    def company_filter(self) -> ColumnElement[bool]:
        """Companies serving a compound in scope, and a manager's own company."""
        if self.is_global:
            return true()
        serving = Company.id.in_(select(Compound.company_id).where(self.compound_filter()))
        if self.company_id is not None:
            return or_(serving, Company.id == self.company_id)
        return serving

    def unit_filter(self) -> ColumnElement[bool]:
        """Org units at or below the user's scope units (a manager sees none: they see compounds)."""
        if self.is_global:
            return true()
        clauses: list[ColumnElement[bool]] = []
        if self.district_ids:
            clauses.append(OrgUnit.district_id.in_(self.district_ids))
        if self.street_ids:
            clauses.append(OrgUnit.street_id.in_(self.street_ids))
        if self.community_ids:
            clauses.append(OrgUnit.community_id.in_(self.community_ids))
        if self.grid_ids:
            clauses.append(OrgUnit.id.in_(self.grid_ids))
        return or_(*clauses) if clauses else false()

    # -------------------------------------------------------------- in-memory checks

    def covers_compound(self, compound: Compound, grid_ids: set[uuid.UUID] | None = None) -> bool:
        if self.is_global:
            return True
        return (compound.district_id in self.district_ids
                or compound.street_id in self.street_ids
                or compound.community_id in self.community_ids
                or (self.company_id is not None and compound.company_id == self.company_id)
                or bool(grid_ids and self.grid_ids & grid_ids))

    def oversees(self, unit: OrgUnit) -> bool:
        """Whether the caller covers `unit` from above (its district, or everything): a
        street's assessment (S, X) is the district's, never the street's own."""
        return self.is_global or unit.district_id in self.district_ids

    def covers_unit(self, unit: OrgUnit) -> bool:
        if self.is_global:
            return True
        return (unit.district_id in self.district_ids or unit.street_id in self.street_ids
                or unit.community_id in self.community_ids or unit.id in self.grid_ids)


def scope_for(session: Session, user: User) -> Scope:
    if user.role == Role.admin:
        return Scope(user_id=user.id, role=user.role, is_global=True)
    units = session.exec(
        select(OrgUnit.id, OrgUnit.level).join(UserScopeUnit, UserScopeUnit.unit_id == OrgUnit.id)
        .where(UserScopeUnit.user_id == user.id)
    ).all()
    return scope_from_units(user, units)


def scope_from_units(user: User, units: Iterable[tuple[uuid.UUID, str]]) -> Scope:
    """The scope of `user` given their scope units as (unit id, level) pairs."""
    if user.role == Role.admin:
        return Scope(user_id=user.id, role=user.role, is_global=True)
    by_level: dict[str, set[uuid.UUID]] = {"district": set(), "street": set(), "community": set(),
                                           "grid": set()}
    for unit_id, level in units:
        tier = "street" if level == UnitLevel.town else str(level)
        by_level[tier].add(unit_id)
    return Scope(
        user_id=user.id, role=user.role,
        district_ids=frozenset(by_level["district"]), street_ids=frozenset(by_level["street"]),
        community_ids=frozenset(by_level["community"]), grid_ids=frozenset(by_level["grid"]),
        company_id=user.company_id if user.role == Role.property_manager else None,
    )
