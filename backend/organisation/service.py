"""Creating and reading the organisation tree, companies and compounds."""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import delete, func
from sqlmodel import Session, select

from backend.audit.models import record
from backend.auth.scope import Scope
from backend.dbtypes import utcnow
from backend.organisation.errors import REFUSALS
from backend.organisation.models import ALLOWED_PARENT, LEVEL_LABELS, Company, CompanyCreate, \
    CompanyUpdate, Compound, CompoundCreate, CompoundGrid, CompoundPublic, CompoundUpdate, \
    OrgUnit, OrgUnitCreate, OrgUnitUpdate, UnitLevel

# ------------------------------------------------------------------ units


def _required(changes: dict, *names: str) -> None:
    """A PATCH may leave a field out, never blank out one that must have a value."""
    for name in names:
        if name in changes and changes[name] is None:
            raise REFUSALS("field_required", field=name, detail={"field": name})


def _audited(session: Session, actor_id: uuid.UUID | None, action: str, object_type: str,
             object_id: uuid.UUID, changes: dict) -> None:
    record(session, actor_id=actor_id, action=action, object_type=object_type,
           object_id=object_id, **{k: None if v is None else str(v) for k, v in changes.items()})


def _apply(session: Session, row, changes: dict, *, actor_id: uuid.UUID | None, action: str,  # noqa: ANN001
           object_type: str):  # noqa: ANN202
    """An admin's edit of `row`, audited."""
    for key, value in changes.items():
        setattr(row, key, value)
    session.add(row)
    session.flush()
    _audited(session, actor_id, action, object_type, row.id, changes)
    return row


def create_unit(session: Session, data: OrgUnitCreate, *, actor_id: uuid.UUID | None = None
                ) -> OrgUnit:
    level = UnitLevel(data.level)
    parent = session.get(OrgUnit, data.parent_id) if data.parent_id else None
    if data.parent_id and parent is None:
        raise REFUSALS("parent_not_found")
    allowed = ALLOWED_PARENT[level]
    if (parent is None) != (not allowed) or (parent is not None and parent.level not in allowed):
        wanted = "、".join(LEVEL_LABELS[p] for p in allowed) or "无（顶级）"
        raise REFUSALS("parent_level_invalid", level=LEVEL_LABELS[level], wanted=wanted)
    duplicate = session.exec(select(OrgUnit).where(
        OrgUnit.parent_id == data.parent_id if data.parent_id else OrgUnit.parent_id.is_(None),
        OrgUnit.name == data.name)).first()
    if duplicate:
        raise REFUSALS("unit_exists", name=data.name)
    unit = OrgUnit(name=data.name, level=level, code=data.code, parent_id=data.parent_id)
    unit.district_id = parent.district_id if parent else None
    unit.street_id = parent.street_id if parent else None
    unit.community_id = parent.community_id if parent else None
    session.add(unit)
    session.flush()
    if level == UnitLevel.district:
        unit.district_id = unit.id
    elif level in (UnitLevel.street, UnitLevel.town):
        unit.street_id = unit.id
    elif level == UnitLevel.community:
        unit.community_id = unit.id
    session.flush()
    _audited(session, actor_id, "unit.create", "org_unit", unit.id, data.model_dump())
    return unit


def update_unit(session: Session, unit: OrgUnit, data: OrgUnitUpdate, *,
                actor_id: uuid.UUID) -> OrgUnit:
    changes = data.model_dump(exclude_unset=True)
    _required(changes, "name")
    if changes.get("name") and changes["name"] != unit.name and session.exec(select(OrgUnit).where(
            OrgUnit.parent_id == unit.parent_id if unit.parent_id else OrgUnit.parent_id.is_(None),
            OrgUnit.name == changes["name"], OrgUnit.id != unit.id)).first():
        raise REFUSALS("unit_exists", name=changes["name"])
    return _apply(session, unit, changes, actor_id=actor_id, action="unit.update",
                  object_type="org_unit")


def get_unit(session: Session, unit_id: uuid.UUID, scope: Scope) -> OrgUnit:
    unit = session.get(OrgUnit, unit_id)
    if unit is None or not scope.covers_unit(unit):
        raise REFUSALS("unit_not_found")
    return unit


# ------------------------------------------------------------------ companies


def list_units(session: Session, scope: Scope, *, level: UnitLevel | None,
               parent_id: uuid.UUID | None) -> list[OrgUnit]:
    query = select(OrgUnit).where(scope.unit_filter())
    if level:
        query = query.where(OrgUnit.level == level)
    if parent_id:
        query = query.where(OrgUnit.parent_id == parent_id)
    return list(session.exec(query.order_by(OrgUnit.level, OrgUnit.name)))


def list_companies(session: Session, scope: Scope) -> list[Company]:
    return list(session.exec(select(Company).where(scope.company_filter())
                             .order_by(Company.name)))


def create_company(session: Session, data: CompanyCreate, *,
                   actor_id: uuid.UUID | None = None) -> Company:
    if session.exec(select(Company).where(Company.name == data.name)).first():
        raise REFUSALS("company_exists", name=data.name)
    company = Company.model_validate(data)
    session.add(company)
    session.flush()
    _audited(session, actor_id, "company.create", "company", company.id, data.model_dump())
    return company


def update_company(session: Session, company: Company, data: CompanyUpdate, *,
                   actor_id: uuid.UUID) -> Company:
    changes = data.model_dump(exclude_unset=True)
    _required(changes, "name", "community_run")
    if changes.get("name") and changes["name"] != company.name and session.exec(
            select(Company).where(Company.name == changes["name"])).first():
        raise REFUSALS("company_exists", name=changes["name"])
    return _apply(session, company, changes, actor_id=actor_id, action="company.update",
                  object_type="company")


def get_company(session: Session, company_id: uuid.UUID, scope: Scope) -> Company:
    company = session.exec(select(Company).where(Company.id == company_id,
                                                 scope.company_filter())).first()
    if company is None:
        raise REFUSALS("company_not_found")
    return company


# ------------------------------------------------------------------ compounds


def _check_grids(session: Session, community_id: uuid.UUID, grid_ids: list[uuid.UUID]) -> None:
    for grid_id in grid_ids:
        grid = session.get(OrgUnit, grid_id)
        if grid is None or grid.level != UnitLevel.grid or grid.parent_id != community_id:
            raise REFUSALS("grid_invalid", detail={"grid_id": str(grid_id)})


def _set_grids(session: Session, compound_id: uuid.UUID, grid_ids: list[uuid.UUID]) -> None:
    session.exec(delete(CompoundGrid).where(CompoundGrid.compound_id == compound_id))
    for grid_id in dict.fromkeys(grid_ids):
        session.add(CompoundGrid(compound_id=compound_id, grid_id=grid_id))


def create_compound(session: Session, data: CompoundCreate, *,
                    actor_id: uuid.UUID | None = None) -> Compound:
    community = session.get(OrgUnit, data.community_id)
    if community is None or community.level != UnitLevel.community:
        raise REFUSALS("community_not_found")
    if data.company_id and session.get(Company, data.company_id) is None:
        raise REFUSALS("company_unknown")
    if session.exec(select(Compound).where(Compound.community_id == data.community_id,
                                           Compound.name == data.name)).first():
        raise REFUSALS("compound_exists", name=data.name)
    _check_grids(session, community.id, data.grid_ids)
    compound = Compound.model_validate(
        data.model_dump(exclude={"grid_ids"}),
        update={"street_id": community.street_id, "district_id": community.district_id})
    session.add(compound)
    session.flush()
    _set_grids(session, compound.id, data.grid_ids)
    session.flush()
    _audited(session, actor_id, "compound.create", "compound", compound.id, data.model_dump())
    return compound


def update_compound(session: Session, compound: Compound, data: CompoundUpdate, *,
                    actor_id: uuid.UUID | None) -> Compound:
    changes = data.model_dump(exclude_unset=True)
    _required(changes, "name", "is_old", "has_party_branch")
    if changes.get("company_id") and session.get(Company, changes["company_id"]) is None:
        raise REFUSALS("company_unknown")
    if changes.get("name") and changes["name"] != compound.name and session.exec(select(Compound).where(
            Compound.community_id == compound.community_id, Compound.name == changes["name"],
            Compound.id != compound.id)).first():
        raise REFUSALS("compound_exists", name=changes["name"])
    grid_ids = changes.pop("grid_ids", None)
    if grid_ids is not None:
        _check_grids(session, compound.community_id, grid_ids)
        _set_grids(session, compound.id, grid_ids)
    for key, value in changes.items():
        setattr(compound, key, value)
    compound.updated_at = utcnow()
    session.add(compound)
    session.flush()
    _audited(session, actor_id, "compound.update", "compound", compound.id,
             changes | ({"grid_ids": grid_ids} if grid_ids is not None else {}))
    return compound


def get_compound(session: Session, compound_id: uuid.UUID, scope: Scope) -> Compound:
    """The compound if the caller's scope covers it; otherwise 404, so existence does not leak."""
    compound = session.exec(select(Compound).where(Compound.id == compound_id,
                                                   scope.compound_filter())).first()
    if compound is None:
        raise REFUSALS("compound_not_found")
    return compound


def list_compounds(session: Session, scope: Scope, *, street_id: uuid.UUID | None = None,
                   community_id: uuid.UUID | None = None, company_id: uuid.UUID | None = None,
                   q: str | None = None, limit: int = 50, offset: int = 0
                   ) -> tuple[list[Compound], int]:
    where = [scope.compound_filter()]
    if street_id:
        where.append(Compound.street_id == street_id)
    if community_id:
        where.append(Compound.community_id == community_id)
    if company_id:
        where.append(Compound.company_id == company_id)
    if q:
        where.append(Compound.name.contains(q))
    total = session.exec(select(func.count()).select_from(Compound).where(*where)).one()
    rows = session.exec(select(Compound).where(*where).order_by(Compound.name, Compound.id)
                        .limit(limit).offset(offset)).all()
    return list(rows), total


def compounds_public(session: Session, compounds: list[Compound]) -> list[CompoundPublic]:
    """Compounds with their grid ids and the names a screen shows, in three queries in all."""
    if not compounds:
        return []
    ids = [c.id for c in compounds]
    grids: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for link in session.exec(select(CompoundGrid).where(CompoundGrid.compound_id.in_(ids))):
        grids[link.compound_id].append(link.grid_id)
    unit_ids = {c.community_id for c in compounds} | {c.street_id for c in compounds}
    names = dict(session.exec(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(unit_ids))).all())
    company_ids = {c.company_id for c in compounds if c.company_id}
    companies = dict(session.exec(select(Company.id, Company.name)
                                  .where(Company.id.in_(company_ids))).all()) if company_ids else {}
    return [CompoundPublic.model_validate(c, update={
        "grid_ids": grids[c.id], "community_name": names.get(c.community_id),
        "street_name": names.get(c.street_id), "company_name": companies.get(c.company_id),
    }) for c in compounds]
