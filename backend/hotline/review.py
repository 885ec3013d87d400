"""What a supervisor does after an import: the review queue (assign a waiting order its compound
and type, or leave it out), the aliases that teach the matcher, the conflicts a published period
refused, and the import history. Each list shows what the caller's scope covers: an order still
waiting has no compound, so it belongs to the units of whoever imported it (an admin's import,
to the admins)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from backend.audit.models import record
from backend.auth.scope import Scope
from backend.findings import deadlines, repository
from backend.hotline import cases, matching, orders
from backend.hotline.errors import REFUSALS
from backend.hotline.rules import rules
from backend.hotline.models import CompoundAlias, HotlineConflict, HotlineImport, WorkOrder
from backend.organisation.models import Compound, OrgUnit


def units_of(scope: Scope) -> list[str]:
    """The units an import belongs to: its importer's ([] for an admin)."""
    if scope.is_global:
        return []
    return sorted(str(u) for u in scope.district_ids | scope.street_ids | scope.community_ids
                  | scope.grid_ids)


def visible_imports(session: Session, scope: Scope) -> set[uuid.UUID] | None:
    """The imports the caller sees (None: every one): those of units it covers."""
    if scope.is_global:
        return None
    rows = session.execute(select(HotlineImport.id, HotlineImport.scope_units)).all()
    ids = {uuid.UUID(u) for _, units in rows for u in units}
    units = {u.id: u for u in session.execute(select(OrgUnit).where(OrgUnit.id.in_(ids)))
             .scalars()} if ids else {}
    return {i for i, found in rows
            if any(uuid.UUID(u) in units and scope.covers_unit(units[uuid.UUID(u)]) for u in found)}


class OrderMatcher:
    """Where an order belongs among the compounds the caller may assign (its scope, with their
    aliases) and which type its words give: the WorkOrder columns a match sets. The compounds
    are read on first use (an import of known orders never reads them)."""

    def __init__(self, session: Session, scope: Scope) -> None:
        self.session, self.scope, self._address = session, scope, None
        self.rules = rules()

    def _compounds(self) -> matching.AddressMatcher:
        aliases: dict[uuid.UUID, list[str]] = {}
        for compound_id, alias in self.session.execute(
                select(CompoundAlias.compound_id, CompoundAlias.alias)
                .where(CompoundAlias.compound_id.in_(self.scope.compound_ids()))):
            aliases.setdefault(compound_id, []).append(alias)
        return matching.AddressMatcher(
            matching.Known(i, name, address, tuple(aliases.get(i, ())))
            for i, name, address in self.session.execute(
                select(Compound.id, Compound.name, Compound.address)
                .where(self.scope.compound_filter(), Compound.is_active)))

    def order(self, order: orders.OrderRow) -> dict:
        if self._address is None:
            self._address = self._compounds()
        place = self._address.match(order.address)
        kind = matching.match_type(self.rules.types, order.category, order.content)
        return {"compound_id": place.compound_id, "compound_score": round(place.score, 1),
                "compound_reason": place.reason[:300], "catalog_code": kind.code,
                "type_reason": kind.reason[:300],
                "building": (matching.building_of(order.address) or "")[:100] or None,
                "candidates": [[str(i), name, score] for i, name, score in place.candidates],
                "needs_review": not (place.matched and kind.code)}


def review_queue(session: Session, scope: Scope, *, limit: int = 100, offset: int = 0
                 ) -> tuple[list[WorkOrder], int]:
    """The orders waiting for a compound or a type, oldest first."""
    where = [WorkOrder.needs_review]
    visible = visible_imports(session, scope)
    if visible is not None:
        where.append(WorkOrder.last_import_id.in_(visible))
    total = session.execute(select(func.count()).select_from(WorkOrder).where(*where)).scalar_one()
    rows = list(session.execute(select(WorkOrder).where(*where).order_by(WorkOrder.accepted_at)
                                .limit(limit).offset(offset)).scalars())
    return rows, total


def _waiting(session: Session, scope: Scope, case_no: str) -> WorkOrder:
    row = session.get(WorkOrder, case_no)
    visible = visible_imports(session, scope)
    if row is None or (visible is not None and row.last_import_id not in visible):
        raise REFUSALS("order_not_found")
    if not row.needs_review:
        raise REFUSALS("order_not_in_review")
    return row


def as_order(row: WorkOrder) -> orders.OrderRow:
    """A stored order as the import read it."""
    order = orders.OrderRow.from_stated(row.stated, line=row.line)
    order.digest = row.digest
    return order


def dismiss(session: Session, user, scope: Scope, case_no: str, *, reason: str,  # noqa: ANN001
            now: datetime) -> WorkOrder:
    """A waiting order that is no compound's problem (a shop, a market) leaves the queue: it
    makes no case and counts nowhere; the reason is kept and audited."""
    row = _waiting(session, scope, case_no)
    row.needs_review, row.dismissed_reason = False, reason.strip()[:300]
    row.reviewed_by, row.reviewed_at = user.id, now
    session.add(row)
    record(session, actor_id=user.id, action="hotline.dismiss", object_type="hotline_order",
           object_id=case_no, reason=reason)
    session.flush()
    return row


def resolve(session: Session, user, scope: Scope, case_no: str, *, compound_id: uuid.UUID,  # noqa: ANN001
            catalog_code: str, alias: str | None, now: datetime) -> tuple[WorkOrder, int]:
    """A supervisor assigns a waiting order its compound and type: it becomes a case. `alias`
    (the variant the address used) is saved so that imports match it, and the waiting orders
    it matches now become cases too. (the order, how many others it matched)"""
    row = _waiting(session, scope, case_no)
    compound = session.execute(select(Compound).where(Compound.id == compound_id,
                                                      scope.compound_filter())).scalar()
    if compound is None:
        raise REFUSALS("compound_not_found")
    if deadlines.catalog_entry(catalog_code) is None:
        raise REFUSALS("catalog_code_unknown", code=catalog_code)
    alias = (alias or "").strip()
    if alias:
        _check_alias(session, compound, alias)
    order = as_order(row)
    frozen = cases.Frozen(session)
    compound_row = repository.compounds(session, {compound_id}, with_grids=False)[0][0]
    period = frozen.period(compound_row, order.accepted_at)
    if period:
        raise REFUSALS("order_frozen", period=period)
    match = {"compound_id": compound_id, "catalog_code": catalog_code,
             "building": row.building or matching.building_of(order.address)}
    outcome = cases.Outcome(import_id=row.last_import_id)
    made = cases.make(session, user, [(order, match)], outcome, frozen,
                      _detail(session, row, user), rules().callback_failed_words, now)
    if outcome.errors:
        raise REFUSALS("deadline_invalid", reason=outcome.errors[0].message)
    if not made:  # stored meanwhile by another review of the same order
        raise REFUSALS("order_not_in_review")
    row.compound_id, row.catalog_code, row.building = compound_id, catalog_code, match["building"]
    row.compound_reason, row.type_reason = f"人工核对：{compound.name}"[:300], "人工核对"
    row.needs_review, row.reviewed_by, row.reviewed_at = False, user.id, now
    row.finding_id = cases.case_id(case_no)
    session.add(row)
    record(session, actor_id=user.id, action="hotline.review", object_type="hotline_order",
           object_id=case_no, compound=compound.name, catalog_code=catalog_code, alias=alias)
    session.flush()
    rematched = 0
    if alias and _save_alias(session, user, compound, alias, now):
        rematched = rematch_waiting(session, user, scope, now)
    return row, rematched


def _detail(session: Session, row: WorkOrder, user) -> dict:  # noqa: ANN001
    batch = session.get(HotlineImport, row.last_import_id)
    return {"source_file": batch.filename if batch else "", "import_id": str(row.last_import_id),
            "reviewed_by": str(user.id)}


def _check_alias(session: Session, compound: Compound, alias: str) -> None:
    """An alias names this compound alone: not too short, not part of another's name."""
    text = matching.normalise(alias)
    if len(text) < 2:
        raise REFUSALS("alias_invalid", reason="别名至少两个字")
    for other, in session.execute(select(Compound.name).where(Compound.id != compound.id,
                                                              Compound.is_active)):
        if text in matching.normalise(other):
            raise REFUSALS("alias_invalid", reason=f"“{alias}”也是“{other}”名称的一部分，请写得更具体")


def _save_alias(session: Session, user, compound: Compound, alias: str, now: datetime) -> bool:  # noqa: ANN001
    """True when the alias is new."""
    text = alias[:200]
    if session.execute(select(CompoundAlias.id).where(CompoundAlias.compound_id == compound.id,
                                                      CompoundAlias.alias == text)).first():
        return False
    session.add(CompoundAlias(compound_id=compound.id, alias=text, created_by=user.id,
                              created_at=now))
    session.flush()
    return True


def rematch_waiting(session: Session, user, scope: Scope, now: datetime) -> int:  # noqa: ANN001
    """The caller's waiting orders that the matcher places now (a new alias) become cases; how
    many. One of a published period stays waiting."""
    where = [WorkOrder.needs_review]
    visible = visible_imports(session, scope)
    if visible is not None:
        where.append(WorkOrder.last_import_id.in_(visible))
    matcher = OrderMatcher(session, scope)
    by_import: dict[uuid.UUID, list] = {}
    for row in session.execute(select(WorkOrder).where(*where)).scalars():
        order = as_order(row)
        match = matcher.order(order)
        if not match["needs_review"]:
            by_import.setdefault(row.last_import_id, []).append((row, order, match))
    made_total = 0
    frozen = cases.Frozen(session)
    for found in by_import.values():
        outcome = cases.Outcome(import_id=found[0][0].last_import_id)
        made = cases.make(session, user, [(o, m) for _, o, m in found], outcome, frozen,
                          _detail(session, found[0][0], user),
                          matcher.rules.callback_failed_words, now)
        for row, _, match in found:
            if row.case_no in made:
                for key, value in match.items():
                    setattr(row, key, value)
                row.finding_id = cases.case_id(row.case_no)
                row.reviewed_by, row.reviewed_at = user.id, now
                session.add(row)
        made_total += len(made)
    session.flush()
    return made_total


def conflicts(session: Session, scope: Scope) -> list[HotlineConflict]:
    """The open conflicts of compounds the caller covers, newest first."""
    return list(session.execute(
        select(HotlineConflict).where(HotlineConflict.compound_id.in_(scope.compound_ids()),
                                      HotlineConflict.resolved_at.is_(None))
        .order_by(HotlineConflict.created_at.desc()).limit(500)).scalars())


def close_conflict(session: Session, user, scope: Scope, conflict_id: uuid.UUID, *,  # noqa: ANN001
                   now: datetime) -> None:
    row = session.get(HotlineConflict, conflict_id)
    if row is None or row.resolved_at is not None or not session.execute(
            select(Compound.id).where(Compound.id == row.compound_id,
                                      scope.compound_filter())).first():
        raise REFUSALS("conflict_not_found")
    row.resolved_at = now
    session.add(row)
    record(session, actor_id=user.id, action="hotline.conflict_done",
           object_type="hotline_conflict", object_id=row.id, case_no=row.case_no,
           period=row.period)
    session.flush()


def import_files(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    return dict(session.execute(select(HotlineImport.id, HotlineImport.filename)
                                .where(HotlineImport.id.in_(ids))).all())


def imports(session: Session, scope: Scope, limit: int = 20) -> list[HotlineImport]:
    """The latest imports the caller sees."""
    query = select(HotlineImport).order_by(HotlineImport.imported_at.desc()).limit(limit)
    visible = visible_imports(session, scope)
    if visible is not None:
        query = query.where(HotlineImport.id.in_(visible))
    return list(session.execute(query).scalars())
