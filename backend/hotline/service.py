"""Importing 12345 hotline work orders as the hotline cases that score (seed 002 §四(一) 2–6).

One import reads the export (orders.py), matches each new order to a compound and a catalog
type (matching.py) and:
- makes each matched new order a hotline case: a finding (source=hotline, its number, level,
  building) dispatched to the compound's company at the order's acceptance, due by the
  order's own 办理时限 when it states one, else the catalog's; a reply already given is the
  rectification at the reply time, and 办结 closes it;
- puts an order that matched nothing above the threshold in the review queue;
- leaves an order stated exactly as before untouched (importing a file twice changes nothing);
- brings a changed order's case up to date by ticket events (rectify, close, retimed,
  due_recomputed, hotline_update), each naming the source file;
- never changes a published (frozen) period: a new or changed order of one is listed as a
  conflict instead.
The case deductions then follow from the cases as the roll-up reads every case
(reports/aggregate.py `case_counts`): 超时, 反复, 重点 from the tickets, 核查不符 from the callback.

A bad line is reported with its line and column and stores nothing; the good lines are kept
(importing the corrected file again is safe). A file that cannot be read stores nothing.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import func, select, update
from sqlmodel import Session

from backend import spreadsheets
from backend.audit.models import record
from backend.auth.scope import Scope
from backend.config import get_settings
from backend.findings import deadlines, repository, tickets
from backend.findings.models import CaseLevel, EventKind, Source, TicketState
from backend.findings.schemas import FindingIn
from backend.findings.service import month_of
from backend.hotline import matching, orders
from backend.hotline.errors import REFUSALS
from backend.hotline.models import CompoundAlias, HotlineConflict, HotlineImport, \
    HotlineMapping, WorkOrder
from backend.organisation.models import Compound, OrgUnit
from backend.rawsql import RawSQL
from backend.reports.models import PeriodPublication
from backend.reports.periods import PeriodError, parse_period

MAX_BYTES = 20 * 1024 * 1024
_CASE_IDS = uuid.UUID("8f0c2b54-3a55-4d0e-9b61-12345a000018")  # a case's id from its number


def case_id(case_no: str) -> uuid.UUID:
    """The case's finding id, derived from the order's number: two imports of the same new
    order at once store one case (the second insert is skipped)."""
    return uuid.uuid5(_CASE_IDS, case_no)


# ------------------------------------------------------------------ the rules (rubrics/hotline.yaml)


@dataclass(frozen=True)
class Rules:
    types: tuple[matching.TypeRule, ...]
    callback_failed_words: tuple[str, ...]


@lru_cache(maxsize=4)
def _rules(path: str, _mtime: float) -> Rules:
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return Rules(tuple(matching.TypeRule(r["code"], tuple(r["words"])) for r in doc["keywords"]),
                 tuple(doc.get("callback_failed_words") or ()))


def rules() -> Rules:
    path = Path(get_settings().rubrics_dir) / "hotline.yaml"
    return _rules(str(path), path.stat().st_mtime)


# ------------------------------------------------------------------ reading a file


@dataclass
class Parsed:
    table: orders.Table
    mapping: dict[str, str]
    mapping_name: str | None
    orders: list[orders.OrderRow]
    errors: list[orders.OrderError]


def _zone() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


def saved_mappings(session: Session) -> list[HotlineMapping]:
    return list(session.execute(select(HotlineMapping).order_by(HotlineMapping.name)).scalars())


def read_table(raw: bytes, filename: str | None, key_labels: Sequence[str] = ()) -> orders.Table:
    """The export's header and rows; a file that cannot be read is refused whole."""
    if not raw:
        raise REFUSALS("file_empty")
    if len(raw) > MAX_BYTES:
        raise REFUSALS("file_too_large", limit=MAX_BYTES // 1024 // 1024)
    try:
        excel = spreadsheets.is_excel(raw, filename)
        return orders.find_table(list(spreadsheets.xlsx_rows(raw, fill_merged=True) if excel
                                      else spreadsheets.csv_rows(raw)), key_labels)
    except spreadsheets.UnreadableFile as exc:
        raise REFUSALS("file_unreadable", reason=str(exc)) from None
    except orders.HeaderNotFound as exc:
        raise REFUSALS("header_not_found", reason=str(exc)) from None


def choose_mapping(session: Session, table: orders.Table, mapping: str | dict[str, str] | None
                   ) -> tuple[dict[str, str], str | None]:
    """(columns, saved name): a saved mapping by its name, the columns themselves, or None:
    the saved mapping whose columns the file has, else a guess from the words."""
    if isinstance(mapping, str):
        saved = session.execute(select(HotlineMapping).where(HotlineMapping.name == mapping)
                                ).scalar()
        if saved is None:
            raise REFUSALS("mapping_not_found", name=mapping)
        return dict(saved.columns), saved.name
    if mapping:
        unknown = set(mapping) - set(orders.FIELDS)
        if unknown:
            raise REFUSALS("mapping_invalid", reason=f"未知的字段：{'、'.join(sorted(unknown))}")
        return {k: v for k, v in mapping.items() if v}, None
    labels = set(table.labels)
    fitting = [m for m in saved_mappings(session) if set(m.columns.values()) <= labels]
    if fitting:
        return dict(fitting[0].columns), fitting[0].name
    return orders.guess_mapping(table.labels), None


def key_labels(session: Session, mapping: str | dict[str, str] | None) -> list[str]:
    """The labels the work-order number's column may have: the given mapping's and every
    saved one's (a platform whose number column none of the usual words names)."""
    labels = [m.columns.get("case_no", "") for m in saved_mappings(session)]
    if isinstance(mapping, dict):
        labels.append(mapping.get("case_no", ""))
    return [label for label in labels if label]


def parse(session: Session, raw: bytes, filename: str | None,
          mapping: str | dict[str, str] | None) -> Parsed:
    """The file's orders under `mapping` (see choose_mapping), and the errors of its lines."""
    table = read_table(raw, filename, key_labels(session, mapping))
    columns, name = choose_mapping(session, table, mapping)
    found, errors = orders.read_rows(table, columns, _zone())
    if errors and errors[0].line == 0:
        raise REFUSALS("mapping_invalid", reason=errors[0].message)
    return Parsed(table, columns, name, found, errors)


def preview(session: Session, raw: bytes, filename: str | None,
            mapping: str | dict[str, str] | None, *, rows: int = 5) -> dict:
    """What the import would read: the columns, the mapping, the first orders, the errors
    (a mapping that misses a column is an error shown here, beside the file's columns)."""
    table = read_table(raw, filename, key_labels(session, mapping))
    columns, name = choose_mapping(session, table, mapping)
    found, errors = orders.read_rows(table, columns, _zone())
    return {"labels": [label for label in table.labels if label],
            "header_lines": table.header_lines, "mapping": columns, "mapping_name": name,
            "lines": len(table.rows),
            "rows": [{"line": o.line, **o.stated()} for o in found[:rows]],
            "errors": [vars(e) for e in errors[:50]], "error_count": len(errors)}


def save_mapping(session: Session, user, name: str, columns: dict[str, str]) -> HotlineMapping:  # noqa: ANN001
    unknown = set(columns) - set(orders.FIELDS)
    if unknown:
        raise REFUSALS("mapping_invalid", reason=f"未知的字段：{'、'.join(sorted(unknown))}")
    missing = [orders.field_label(f) for f in orders.REQUIRED if not columns.get(f)]
    if missing:
        raise REFUSALS("mapping_invalid", reason=f"列对应缺少 {'、'.join(missing)}")
    row = session.execute(select(HotlineMapping).where(HotlineMapping.name == name)).scalar() \
        or HotlineMapping(name=name)
    row.columns, row.updated_by, row.updated_at = dict(columns), user.id, datetime.now(ZoneInfo("UTC"))
    session.add(row)
    record(session, actor_id=user.id, action="hotline.mapping", object_type="hotline_mapping",
           name=name, columns=columns)
    session.flush()
    return row


# ------------------------------------------------------------------ the import


@dataclass
class ImportReport:
    import_id: uuid.UUID | None = None
    filename: str = ""
    lines: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    review: int = 0
    conflicts: int = 0
    duplicates: int = 0
    errors: list[orders.OrderError] = field(default_factory=list)

    def summary(self) -> dict:
        return {"lines": self.lines, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "review": self.review,
                "conflicts": self.conflicts, "duplicates": self.duplicates,
                "errors": len(self.errors)}


class _Frozen:
    """The published periods not reopened, by unit: which compound-days an import may not touch."""

    def __init__(self, session: Session) -> None:
        self.by_unit: dict[uuid.UUID, list] = {}
        for key, unit in session.execute(select(PeriodPublication.period_key,
                                                PeriodPublication.scope_unit_id)
                                         .where(PeriodPublication.reopened_at.is_(None))):
            try:
                self.by_unit.setdefault(unit, []).append(parse_period(key))
            except PeriodError:
                continue

    def period(self, compound: repository.CompoundRow, at: datetime) -> str | None:
        if not self.by_unit:
            return None
        day = at.astimezone(_zone()).date()
        for unit in (compound.district_id, compound.street_id, compound.community_id):
            for p in self.by_unit.get(unit, ()):
                if p.start <= day <= p.end:
                    return p.label
        return None


class _Matcher:
    """The compounds an importer may assign (its scope), matched lazily: built on first use."""

    def __init__(self, session: Session, scope: Scope) -> None:
        self.session, self.scope, self._address = session, scope, None
        self.rules = rules()

    def address(self) -> matching.AddressMatcher:
        if self._address is None:
            aliases: dict[uuid.UUID, list[str]] = {}
            for compound_id, alias in self.session.execute(
                    select(CompoundAlias.compound_id, CompoundAlias.alias)
                    .where(CompoundAlias.compound_id.in_(self.scope.compound_ids()))):
                aliases.setdefault(compound_id, []).append(alias)
            self._address = matching.AddressMatcher(
                matching.Known(i, name, address, tuple(aliases.get(i, ())))
                for i, name, address in self.session.execute(
                    select(Compound.id, Compound.name, Compound.address)
                    .where(self.scope.compound_filter(), Compound.is_active)))
        return self._address

    def order(self, order: orders.OrderRow) -> dict:
        """The WorkOrder columns a match sets."""
        place = self.address().match(order.address)
        kind = matching.match_type(self.rules.types, order.category, order.content)
        return {"compound_id": place.compound_id, "compound_score": round(place.score, 1),
                "compound_reason": place.reason[:300], "catalog_code": kind.code,
                "type_reason": kind.reason[:300], "building": matching.building_of(order.address),
                "candidates": [[str(i), name, score] for i, name, score in place.candidates],
                "needs_review": not (place.matched and kind.code)}


def _deadline(order: orders.OrderRow, code: str) -> deadlines.Deadline:
    entry = deadlines.catalog_entry(code)
    if order.due_at is not None:
        return deadlines.fixed_deadline(order.due_at)
    return deadlines.deadline_for(entry, order.accepted_at, limit=order.limit)


def _history(order: orders.OrderRow, detail: dict) -> list[tuple[EventKind, datetime, dict]]:
    """What already happened on the platform: the reply is the rectification, 办结 closes."""
    steps: list = []
    if order.replied_at is not None:
        steps.append((EventKind.rectify, order.replied_at, detail))
        if order.status == "办结":
            steps.append((EventKind.close, order.replied_at, detail))
    return steps


def _new_case(session: Session, user, order: orders.OrderRow, match: dict,  # noqa: ANN001
              compound: repository.CompoundRow, seq: int, now: datetime, detail: dict,
              callback_failed: bool) -> repository.NewFinding:
    item = FindingIn(id=case_id(order.case_no), compound_id=compound.id,
                     catalog_code=match["catalog_code"], description=order.content[:2000],
                     building=match["building"], location_text=order.address[:200] or None,
                     source=Source.hotline, case_no=order.case_no,
                     case_level=CaseLevel(order.level) if order.level else None,
                     observed_at=order.accepted_at)
    deadline = _deadline(order, match["catalog_code"])
    new = repository.new_finding(
        item, compound=compound, reporter_id=user.id, observed_at=order.accepted_at,
        time_flag=None, skew_seconds=0, month=month_of(order.accepted_at),
        digest=order.digest, seq=seq, now=order.accepted_at, deadline=deadline, visible=set(),
        received_at=now)
    new.events[0]["detail"] = {**new.events[0]["detail"], **detail,
                               "due_from": "办理时限" if order.due_at or order.limit else "问题类型"}
    new.finding["case_callback_failed"] = callback_failed
    repository.add_history(new, _history(order, detail), actor_id=user.id, received_at=now)
    return new


def import_file(session: Session, user, raw: bytes, *, filename: str,  # noqa: ANN001
                mapping: str | dict[str, str] | None, scope: Scope, now: datetime) -> ImportReport:
    parsed = parse(session, raw, filename, mapping)
    report = ImportReport(filename=filename, lines=len(parsed.table.rows),
                          errors=list(parsed.errors))
    # one order per number: a line repeating an earlier one is a duplicate; one stating
    # something else under the same number is an error of its own line
    first: dict[str, orders.OrderRow] = {}
    for order in parsed.orders:
        seen = first.get(order.case_no)
        if seen is None:
            first[order.case_no] = order
        elif seen.digest == order.digest:
            report.duplicates += 1
        else:
            report.errors.append(orders.OrderError(
                order.line, f"{orders.field_label('case_no')}",
                f"工单编号“{order.case_no}”与第 {seen.line} 行相同，但内容不同：请核对后保留一行"))
    batch = HotlineImport(filename=filename[:255], sha256=hashlib.sha256(raw).hexdigest(),
                          mapping_name=parsed.mapping_name, imported_by=user.id, imported_at=now,
                          scope_units=_units_of(scope))
    session.add(batch)
    session.flush()
    report.import_id = batch.id
    detail = {"source_file": filename, "import_id": str(batch.id)}

    stored = _stored(session, list(first))
    matcher = _Matcher(session, scope)
    frozen = _Frozen(session)
    words = matcher.rules.callback_failed_words
    new_orders: dict[str, dict] = {}
    cases: list[tuple[orders.OrderRow, dict]] = []
    for case_no, order in first.items():
        old = stored.get(case_no)
        if old is not None and old.digest == order.digest:
            if old.needs_review:
                report.review += 1  # still waiting, as before
            else:
                report.unchanged += 1
            continue
        if old is None or old.needs_review:
            match = matcher.order(order)
            row = {"case_no": case_no, "accepted_at": order.accepted_at, "stated": order.stated(),
                   "digest": order.digest, **match, "last_import_id": batch.id,
                   "line": order.line, "updated_at": now, "finding_id": None}
            if old is None:
                new_orders[case_no] = {**row, "first_import_id": batch.id}
            else:
                session.execute(update(WorkOrder).where(WorkOrder.case_no == case_no).values(**row))
                report.updated += 1
            if match["needs_review"]:
                report.review += 1
            else:
                cases.append((order, match))
            continue
        _update_case(session, user, old, order, report, frozen, detail, words, now)
    made, refused = _make_cases(session, user, cases, report, frozen, detail, words, now)
    for case_no in made:
        if case_no in new_orders:
            new_orders[case_no]["finding_id"] = case_id(case_no)
        else:
            session.execute(update(WorkOrder).where(WorkOrder.case_no == case_no)
                            .values(finding_id=case_id(case_no)))
    # a new order of a published period is not stored: the next import after reopening makes it
    RawSQL(session).insert(WorkOrder.__table__, [row for no, row in new_orders.items()
                                                 if no not in refused],
                           on_conflict_do_nothing=True)
    report.created += len(made)
    batch.summary = report.summary()
    session.add(batch)
    record(session, actor_id=user.id, action="hotline.import", object_type="hotline_import",
           object_id=batch.id, filename=filename, **report.summary())
    session.flush()
    return report


def _stored(session: Session, case_nos: Sequence[str]) -> dict[str, WorkOrder]:
    out: dict[str, WorkOrder] = {}
    for i in range(0, len(case_nos), 500):
        for row in session.execute(select(WorkOrder).where(
                WorkOrder.case_no.in_(case_nos[i:i + 500]))).scalars():
            out[row.case_no] = row
    return out


def _make_cases(session: Session, user, cases: list, report: ImportReport, frozen: _Frozen,  # noqa: ANN001
                detail: dict, words: Sequence[str], now: datetime) -> tuple[set[str], set[str]]:
    """Store the matched orders' cases: (the numbers made cases, those refused because their
    period is published, each listed as a conflict)."""
    if not cases:
        return set(), set()
    rows, _ = repository.compounds(session, {m["compound_id"] for _, m in cases},
                                   with_grids=False)
    compounds = {c.id: c for c in rows}
    todo, refused = [], set()
    for order, match in cases:
        compound = compounds[match["compound_id"]]
        period = frozen.period(compound, order.accepted_at)
        if period:
            _conflict(session, report, order, compound.id, period,
                      [{"field": "新工单", "from": None, "to": order.case_no}])
            refused.add(order.case_no)
        else:
            todo.append((order, match, compound))
    seqs = repository.change_seqs(session, len(todo)) if todo else []
    new = [_new_case(session, user, order, match, compound, seq, now, detail,
                     matching.callback_failed(words, order.callback, order.satisfaction))
           for (order, match, compound), seq in zip(todo, seqs)]
    stored = {n.finding["case_no"] for n in repository.insert(session, new)}
    return stored, refused


def _conflict(session: Session, report: ImportReport, order: orders.OrderRow,
              compound_id: uuid.UUID, period: str, changes: list[dict]) -> None:
    """A change the import may not apply to a published period: listed once per statement."""
    exists = session.execute(select(HotlineConflict.id).where(
        HotlineConflict.case_no == order.case_no, HotlineConflict.digest == order.digest)).first()
    report.conflicts += 1
    if exists is None:
        session.add(HotlineConflict(case_no=order.case_no, compound_id=compound_id,
                                    digest=order.digest,
                                    import_id=report.import_id, line=order.line, period=period,
                                    changes=changes))


_FIELD_LABELS = {"content": "诉求内容", "address": "诉求地址", "category": "诉求分类",
                 "handler": "承办单位", "status": "工单状态", "callback": "回访结果",
                 "satisfaction": "满意度", "level": "市级/区级", "due_at": "办理时限",
                 "limit": "办理时限", "replied_at": "回复时间", "accepted_at": "受理时间"}


def _update_case(session: Session, user, old: WorkOrder, order: orders.OrderRow,  # noqa: ANN001
                 report: ImportReport, frozen: _Frozen, detail: dict, words: Sequence[str],
                 now: datetime) -> None:
    """A later statement of an order that is a case: its ticket moves by events."""
    before, after = old.stated, order.stated()
    changed = [k for k in after if before.get(k) != after[k]]
    changes = [{"field": _FIELD_LABELS.get(k, k), "from": before.get(k), "to": after[k]}
               for k in changed if k != "case_no"]
    ticket = repository.load_ticket(session, old.finding_id) if old.finding_id else None
    if ticket is None:  # a conflict recorded before: nothing stored to move
        compound_rows, _ = repository.compounds(session, {old.compound_id}, with_grids=False) \
            if old.compound_id else ([], {})
        period = frozen.period(compound_rows[0], order.accepted_at) if compound_rows else None
        if period:
            _conflict(session, report, order, old.compound_id, period, changes)
            return
        match = {"compound_id": old.compound_id, "catalog_code": old.catalog_code,
                 "building": old.building}
        made, _ = _make_cases(session, user, [(order, match)], report, frozen, detail, words, now)
        _save_statement(session, old, order, report)
        if made:
            session.execute(update(WorkOrder).where(WorkOrder.case_no == old.case_no)
                            .values(finding_id=case_id(old.case_no)))
        return
    compound_rows, _ = repository.compounds(session, {ticket.compound_id}, with_grids=False)
    period = frozen.period(compound_rows[0], order.accepted_at)
    if period is None and before.get("accepted_at") != after["accepted_at"]:
        period = frozen.period(compound_rows[0], datetime.fromisoformat(before["accepted_at"]))
    if period:
        _conflict(session, report, order, ticket.compound_id, period, changes)
        return

    def event(kind: EventKind, at: datetime, to_state: str | None = None, **kw) -> None:  # noqa: ANN003
        repository.append_event(
            session, ticket, event_id=uuid.uuid4(), kind=kind, actor_id=user.id, at=at,
            received_at=now, to_state=to_state, detail={**detail, **kw.pop("extra", {})},
            note=kw.pop("note", None), changes=kw.pop("changes", None)
            or tickets.changes(kind, ticket, at))

    live = ticket.state in (TicketState.open, TicketState.rectified)
    if {"due_at", "limit"} & set(changed) and live and ticket.catalog_code:
        due = _deadline(order, ticket.catalog_code)
        if due.due_at != ticket.due_at:
            event(EventKind.due_recomputed, now, changes={"due_at": due.due_at,
                                                          "due_provisional": due.provisional},
                  note="热线平台调整办理时限", extra={"due_at": due.due_at.isoformat()})
    if order.replied_at is not None and ticket.state == TicketState.open:
        event(EventKind.rectify, order.replied_at, TicketState.rectified.value,
              note="热线平台回复")
    elif order.replied_at is not None and "replied_at" in changed \
            and ticket.rectified_at is not None:
        event(EventKind.retimed, order.replied_at, note="热线平台更正回复时间")
    if order.status == "办结" and ticket.state == TicketState.rectified:
        event(EventKind.close, order.replied_at or now, TicketState.closed.value,
              note="热线平台办结")
    failed = matching.callback_failed(words, order.callback, order.satisfaction)
    if {"callback", "satisfaction"} & set(changed):
        repository.set_case_flags(session, ticket.id, callback_failed=failed)
    rest = [c for c in changes if c["field"] not in ("回复时间", "办理时限")]
    if rest:
        event(EventKind.hotline_update, now, changes={}, note="热线平台更新："
              + "、".join(c["field"] for c in rest), extra={"changes": rest})
    _save_statement(session, old, order, report)


def _save_statement(session: Session, old: WorkOrder, order: orders.OrderRow,
                    report: ImportReport) -> None:
    session.execute(update(WorkOrder).where(WorkOrder.case_no == old.case_no).values(
        stated=order.stated(), digest=order.digest, accepted_at=order.accepted_at,
        last_import_id=report.import_id, line=order.line))
    report.updated += 1


# ------------------------------------------------------------------ the review queue


def _units_of(scope: Scope) -> list[str]:
    if scope.is_global:
        return []
    return sorted(str(u) for u in scope.district_ids | scope.street_ids | scope.community_ids
                  | scope.grid_ids)


def _visible_imports(session: Session, scope: Scope) -> list[uuid.UUID] | None:
    """The imports the caller sees (None: all): an admin's, and those of units it covers."""
    if scope.is_global:
        return None
    rows = session.execute(select(HotlineImport.id, HotlineImport.scope_units)).all()
    unit_ids = {uuid.UUID(u) for _, units in rows for u in units}
    units = {u.id: u for u in session.execute(select(OrgUnit).where(OrgUnit.id.in_(unit_ids)))
             .scalars()} if unit_ids else {}
    return [i for i, found in rows if not found or any(
        uuid.UUID(u) in units and scope.covers_unit(units[uuid.UUID(u)]) for u in found)]


def review_queue(session: Session, scope: Scope, *, limit: int = 100, offset: int = 0
                 ) -> tuple[list[WorkOrder], int]:
    """The orders waiting for a compound or a type, of the imports the caller sees."""
    where = [WorkOrder.needs_review]
    visible = _visible_imports(session, scope)
    if visible is not None:
        where.append(WorkOrder.last_import_id.in_(visible))
    total = session.execute(select(func.count()).select_from(WorkOrder).where(*where)).scalar_one()
    rows = list(session.execute(select(WorkOrder).where(*where).order_by(WorkOrder.accepted_at)
                                .limit(limit).offset(offset)).scalars())
    return rows, total


def _waiting(session: Session, scope: Scope, case_no: str) -> WorkOrder:
    row = session.get(WorkOrder, case_no)
    visible = _visible_imports(session, scope)
    if row is None or (visible is not None and row.last_import_id not in visible):
        raise REFUSALS("order_not_found")
    if not row.needs_review:
        raise REFUSALS("order_not_in_review")
    return row


def dismiss(session: Session, user, scope: Scope, case_no: str, *, reason: str,  # noqa: ANN001
            now: datetime) -> WorkOrder:
    """A waiting order that is no compound's problem (a shop, a market) leaves the queue: it
    makes no case and counts nowhere; the reason is kept and audited."""
    row = _waiting(session, scope, case_no)
    row.needs_review, row.dismissed_reason = False, reason[:300]
    row.reviewed_by, row.reviewed_at = user.id, now
    session.add(row)
    record(session, actor_id=user.id, action="hotline.dismiss", object_type="hotline_order",
           object_id=case_no, reason=reason)
    session.flush()
    return row


def resolve(session: Session, user, scope: Scope, case_no: str, *, compound_id: uuid.UUID,  # noqa: ANN001
            catalog_code: str, alias: str | None, now: datetime) -> tuple[WorkOrder, int]:
    """A supervisor assigns a waiting order its compound and type: it becomes a case; `alias`
    (the variant the address used) is saved so that the next import matches it, and the
    waiting orders it matches now become cases too. (the order, how many others matched)"""
    order_row = _waiting(session, scope, case_no)
    compound = session.execute(select(Compound).where(Compound.id == compound_id,
                                                   scope.compound_filter())).scalar()
    if compound is None:
        raise REFUSALS("compound_not_found")
    if deadlines.catalog_entry(catalog_code) is None:
        raise REFUSALS("catalog_code_unknown", code=catalog_code)
    order = orders.OrderRow(line=order_row.line, **_from_stated(order_row.stated))
    order.digest = order_row.digest
    rows, _ = repository.compounds(session, {compound_id}, with_grids=False)
    period = _Frozen(session).period(rows[0], order.accepted_at)
    if period:
        raise REFUSALS("order_frozen", period=period)
    match = {"compound_id": compound_id, "catalog_code": catalog_code,
             "building": order_row.building or matching.building_of(order.address)}
    report = ImportReport(import_id=order_row.last_import_id)
    batch = session.get(HotlineImport, order_row.last_import_id)
    detail = {"source_file": batch.filename if batch else "", "import_id": str(order_row.last_import_id),
              "reviewed_by": str(user.id)}
    made, _ = _make_cases(session, user, [(order, match)], report, _Frozen(session), detail,
                          rules().callback_failed_words, now)
    if not made:  # stored meanwhile by another review of the same order
        raise REFUSALS("order_not_in_review")
    order_row.compound_id, order_row.catalog_code = compound_id, catalog_code
    order_row.compound_reason = f"人工核对：{compound.name}"[:300]
    order_row.type_reason = "人工核对"
    order_row.building = match["building"]
    order_row.needs_review, order_row.reviewed_by, order_row.reviewed_at = False, user.id, now
    order_row.finding_id = case_id(case_no)
    session.add(order_row)
    record(session, actor_id=user.id, action="hotline.review", object_type="hotline_order",
           object_id=case_no, compound=compound.name, catalog_code=catalog_code, alias=alias)
    session.flush()
    rematched = 0
    if alias and alias.strip() and _save_alias(session, user, compound, alias.strip(), now):
        rematched = _rematch_waiting(session, user, scope, now)
    return order_row, rematched


def _rematch_waiting(session: Session, user, scope: Scope, now: datetime) -> int:  # noqa: ANN001
    """After an alias is saved, the waiting orders it now matches become cases too (those
    the caller sees, a page at a time); the number made."""
    matcher = _Matcher(session, scope)
    rows, _ = review_queue(session, scope, limit=500)
    cases, matched_rows = [], []
    for row in rows:
        order = orders.OrderRow(line=row.line, **_from_stated(row.stated))
        order.digest = row.digest
        match = matcher.order(order)
        if not match["needs_review"]:
            cases.append((order, match))
            matched_rows.append((row, match))
    if not cases:
        return 0
    batch = session.get(HotlineImport, rows[0].last_import_id)
    report = ImportReport(import_id=batch.id if batch else None)
    detail = {"source_file": batch.filename if batch else "", "rematched_by": str(user.id)}
    made, _ = _make_cases(session, user, cases, report, _Frozen(session), detail,
                          matcher.rules.callback_failed_words, now)
    for row, match in matched_rows:
        if row.case_no in made:
            for key in ("compound_id", "compound_score", "compound_reason", "catalog_code",
                        "type_reason", "building", "candidates"):
                setattr(row, key, match[key])
            row.needs_review, row.finding_id, row.reviewed_by, row.reviewed_at = \
                False, case_id(row.case_no), user.id, now
            session.add(row)
    session.flush()
    return len(made)


def _save_alias(session: Session, user, compound: Compound, alias: str, now: datetime) -> bool:  # noqa: ANN001
    """The variant as residents write it, without the building (the next order names another).
    True when it is new."""
    text = alias[:200]
    if session.execute(select(CompoundAlias.id).where(CompoundAlias.compound_id == compound.id,
                                                      CompoundAlias.alias == text)).first():
        return False
    session.add(CompoundAlias(compound_id=compound.id, alias=text, created_by=user.id,
                              created_at=now))
    session.flush()
    return True


def _from_stated(stated: dict) -> dict:
    out = dict(stated)
    for key in ("accepted_at", "due_at", "replied_at"):
        out[key] = datetime.fromisoformat(out[key]) if out.get(key) else None
    out["limit"] = (Decimal(out["limit"][0]), out["limit"][1]) if out.get("limit") else None
    return out


def conflicts(session: Session, scope: Scope, *, open_only: bool = True) -> list[HotlineConflict]:
    """The conflicts of compounds the caller covers, newest first."""
    query = select(HotlineConflict).where(HotlineConflict.compound_id.in_(scope.compound_ids())) \
        .order_by(HotlineConflict.created_at.desc())
    if open_only:
        query = query.where(HotlineConflict.resolved_at.is_(None))
    return list(session.execute(query.limit(500)).scalars())


def import_files(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    return dict(session.execute(select(HotlineImport.id, HotlineImport.filename)
                                .where(HotlineImport.id.in_(ids))).all())


def close_conflict(session: Session, user, scope: Scope, conflict_id: uuid.UUID, *,  # noqa: ANN001
                   now: datetime) -> None:
    row = session.get(HotlineConflict, conflict_id)
    if row is None or row.resolved_at is not None or not session.execute(
            select(Compound.id).where(Compound.id == row.compound_id,
                                      scope.compound_filter())).first():
        raise REFUSALS("conflict_not_found")
    row.resolved_at = now
    session.add(row)
    record(session, actor_id=user.id, action="hotline.conflict_done", object_type="hotline_conflict",
           object_id=row.id, case_no=row.case_no, period=row.period)
    session.flush()


def imports(session: Session, scope: Scope, limit: int = 20) -> list[HotlineImport]:
    query = select(HotlineImport).order_by(HotlineImport.imported_at.desc()).limit(limit)
    visible = _visible_imports(session, scope)
    if visible is not None:
        query = query.where(HotlineImport.id.in_(visible))
    return list(session.execute(query).scalars())


__all__ = ["ImportReport", "case_id", "conflicts", "dismiss", "import_file", "imports", "parse",
           "preview", "resolve", "review_queue", "save_mapping", "saved_mappings"]
