"""Creating and reading the organisation tree, companies and compounds."""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import delete, func
from sqlmodel import Session, select

from backend.audit.models import record
from backend.auth.scope import Scope
from backend.dbtypes import utcnow
from backend.findings import repository as findings_repository
from backend.organisation.errors import REFUSALS
from backend.organisation.models import ALLOWED_PARENT, LEVEL_LABELS, Company, CompanyCreate, \
    CompanyUpdate, Compound, CompoundCreate, CompoundGrid, CompoundPublic, CompoundUpdate, \
    OrgTreeNode, OrgUnit, OrgUnitCreate, OrgUnitUpdate, UnitLevel, compounds_under

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
    """Rename, re-code, move under another parent, retire or bring back a unit."""
    changes = data.model_dump(exclude_unset=True)
    _required(changes, "name", "is_active")
    parent_id = changes.pop("parent_id", unit.parent_id)
    moving = parent_id != unit.parent_id
    name = changes.get("name") or unit.name
    if (name != unit.name or moving) and session.exec(select(OrgUnit).where(
            OrgUnit.parent_id == parent_id if parent_id else OrgUnit.parent_id.is_(None),
            OrgUnit.name == name, OrgUnit.id != unit.id)).first():
        raise REFUSALS("unit_exists", name=name)
    if changes.get("is_active") is False and unit.is_active:
        _check_retirable_unit(session, unit)
    if moving:
        _move_unit(session, unit, parent_id)
        changes["parent_id"] = parent_id
    return _apply(session, unit, changes, actor_id=actor_id, action="unit.update",
                  object_type="org_unit")


def _check_retirable_unit(session: Session, unit: OrgUnit) -> None:
    """A unit is retired only once nothing active hangs under it."""
    children = session.exec(select(func.count()).select_from(OrgUnit).where(
        OrgUnit.parent_id == unit.id, OrgUnit.is_active.is_(True))).one()
    compounds = session.exec(select(func.count()).select_from(Compound).where(
        compounds_under(unit), Compound.is_active.is_(True))).one()
    if children or compounds:
        raise REFUSALS("unit_in_use", units=children, compounds=compounds)


def _move_unit(session: Session, unit: OrgUnit, parent_id: uuid.UUID | None) -> None:
    """Put `unit` under another parent of an allowed level; its subtree, its compounds and
    their findings and tickets carry the new ancestors."""
    parent = session.get(OrgUnit, parent_id) if parent_id else None
    allowed = ALLOWED_PARENT[UnitLevel(unit.level)]
    if parent is None or parent.level not in allowed:
        wanted = "、".join(LEVEL_LABELS[p] for p in allowed) or "无（顶级）"
        raise REFUSALS("parent_level_invalid", level=LEVEL_LABELS[unit.level], wanted=wanted)
    if unit.level == UnitLevel.grid:
        # a grid's compounds must lie in its community: moving it would break that
        if session.exec(select(CompoundGrid).where(CompoundGrid.grid_id == unit.id)).first():
            raise REFUSALS("grid_in_use")
    subtree, frontier = [unit], [unit.id]
    while frontier:
        children = list(session.exec(select(OrgUnit).where(OrgUnit.parent_id.in_(frontier))))
        subtree += children
        frontier = [c.id for c in children]
    unit.parent_id = parent.id
    by_id = {u.id: u for u in subtree}
    for member in subtree:  # parents before children: the list is built top-down
        above = parent if member is unit else by_id[member.parent_id]
        member.district_id = member.id if member.level == UnitLevel.district else above.district_id
        member.street_id = member.id if member.level in (UnitLevel.street, UnitLevel.town) \
            else above.street_id
        member.community_id = member.id if member.level == UnitLevel.community \
            else above.community_id
        session.add(member)
    communities = {u.id: u for u in subtree if u.level == UnitLevel.community}
    moved = list(session.exec(select(Compound).where(Compound.community_id.in_(communities))))
    for compound in moved:
        _place_compound(session, compound, communities[compound.community_id])
    session.flush()


def _place_compound(session: Session, compound: Compound, community: OrgUnit) -> None:
    """`compound` in `community`, with the community's street and district; the compound's
    findings and tickets follow when the street changes."""
    street_changed = (compound.street_id, compound.district_id) != (community.street_id,
                                                                    community.district_id)
    compound.community_id = community.id
    compound.street_id, compound.district_id = community.street_id, community.district_id
    compound.updated_at = utcnow()  # the phones' compound lists change
    session.add(compound)
    if street_changed:
        session.flush()
        findings_repository.follow_compound(session, [compound.id], street_id=community.street_id,
                                            district_id=community.district_id)


def get_unit(session: Session, unit_id: uuid.UUID, scope: Scope) -> OrgUnit:
    unit = session.get(OrgUnit, unit_id)
    if unit is None or not scope.covers_unit(unit):
        raise REFUSALS("unit_not_found")
    return unit


# ------------------------------------------------------------------ companies


def tree(session: Session) -> list[OrgTreeNode]:
    """Every unit, retired ones too, with the active compounds under it: the admin's tree."""
    counts: dict[uuid.UUID, int] = defaultdict(int)
    for district, street, community, n in session.exec(
            select(Compound.district_id, Compound.street_id, Compound.community_id, func.count())
            .where(Compound.is_active.is_(True))
            .group_by(Compound.district_id, Compound.street_id, Compound.community_id)):
        for unit_id in (district, street, community):
            counts[unit_id] += n
    for grid, n in session.exec(select(CompoundGrid.grid_id, func.count()).join(
            Compound, Compound.id == CompoundGrid.compound_id)
            .where(Compound.is_active.is_(True)).group_by(CompoundGrid.grid_id)):
        counts[grid] += n
    return [OrgTreeNode.model_validate(u, update={"compounds": counts[u.id]})
            for u in session.exec(select(OrgUnit).order_by(OrgUnit.level, OrgUnit.name))]


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
    _required(changes, "name", "community_run", "is_active")
    if changes.get("name") and changes["name"] != company.name and session.exec(
            select(Company).where(Company.name == changes["name"])).first():
        raise REFUSALS("company_exists", name=changes["name"])
    if changes.get("is_active") is False and company.is_active:
        serving = session.exec(select(func.count()).select_from(Compound).where(
            Compound.company_id == company.id, Compound.is_active.is_(True))).one()
        if serving:
            raise REFUSALS("company_in_use", compounds=serving)
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
    _required(changes, "name", "is_old", "has_party_branch", "community_id", "is_active")
    if changes.get("company_id") and session.get(Company, changes["company_id"]) is None:
        raise REFUSALS("company_unknown")
    community_id = changes.pop("community_id", compound.community_id)
    moving = community_id != compound.community_id
    name = changes.get("name") or compound.name
    if (name != compound.name or moving) and session.exec(select(Compound).where(
            Compound.community_id == community_id, Compound.name == name,
            Compound.id != compound.id)).first():
        raise REFUSALS("compound_exists", name=name)
    grid_ids = changes.pop("grid_ids", None)
    if moving:
        community = session.get(OrgUnit, community_id)
        if community is None or community.level != UnitLevel.community:
            raise REFUSALS("community_not_found")
        _place_compound(session, compound, community)
        grid_ids = grid_ids or []  # the old community's grids cannot hold it any more
        changes["community_id"] = community_id
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
                   q: str | None = None, include_retired: bool = False, limit: int = 50,
                   offset: int = 0) -> tuple[list[Compound], int]:
    where = [scope.compound_filter()]
    if not include_retired:
        where.append(Compound.is_active.is_(True))
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
