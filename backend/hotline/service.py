"""Importing 12345 hotline work orders as the hotline cases that score (seed 002 §四(一) 2–6).

One import reads the export (orders.py), matches each new order to a compound and a catalog
type (matching.py) and:
- makes each matched new order a hotline case (cases.py): dispatched to the compound's company
  at the order's acceptance, due by its own 办理时限 when it states one, else the catalog's; a
  reply already given is the rectification at the reply time, and 办结 closes it;
- puts an order that matched nothing above the threshold in the review queue (review.py);
- leaves an order stated exactly as before untouched (importing a file twice changes nothing),
  except that a waiting one is matched again (an alias saved meanwhile may place it now);
- brings a changed order's case up to date by ticket events, each naming the source file;
- never changes a published (frozen) period: such a new or changed order is listed as a conflict;
- touches only what the importer's scope covers: an order that is another area's case is an
  error of its line.
The case deductions then follow as the roll-up reads every case (reports/aggregate.py).

A bad line is reported with its line and column and stores nothing; the good lines are kept
(importing the corrected file again is safe). A file that cannot be read stores nothing.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlmodel import Session

from backend import spreadsheets
from backend.audit.models import record
from backend.auth.scope import Scope
from backend.config import get_settings
from backend.dbtypes import utcnow
from backend.findings.models import Finding, Ticket
from backend.findings.views import ticket_filter
from backend.hotline import cases, orders, review
from backend.hotline.errors import REFUSALS
from backend.hotline.models import HotlineImport, HotlineMapping, WorkOrder
from backend.rawsql import RawSQL

MAX_BYTES = 20 * 1024 * 1024
MAX_UNPACKED = 400 * 1024 * 1024  # an .xlsx is a zip: what it holds, unpacked, at most
OUT_OF_SCOPE = "这张工单已是您管辖范围以外小区的案卷，未更新"


# ------------------------------------------------------------------ reading a file


@dataclass
class Parsed:
    table: orders.Table
    mapping: dict[str, str]
    mapping_name: str | None
    read: orders.Read


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
        if excel:
            _check_unpacked(raw)
        return orders.find_table(list(spreadsheets.xlsx_rows(raw, fill_merged=True) if excel
                                      else spreadsheets.csv_rows(raw)), key_labels)
    except spreadsheets.UnreadableFile as exc:
        raise REFUSALS("file_unreadable", reason=str(exc)) from None
    except orders.HeaderNotFound as exc:
        raise REFUSALS("header_not_found", reason=str(exc)) from None


def _check_unpacked(raw: bytes) -> None:
    """A small .xlsx may unpack to gigabytes (the merged cells need the whole sheet read)."""
    try:
        size = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(raw)).infolist())
    except zipfile.BadZipFile:
        raise spreadsheets.UnreadableFile("无法读取该 Excel 文件，请另存为 .xlsx 后重试") from None
    if size > MAX_UNPACKED:
        raise spreadsheets.UnreadableFile("该 Excel 文件解压后过大：请按月份分开导出")


def key_labels(session: Session, mapping: str | dict[str, str] | None) -> list[str]:
    """The labels the work-order number's column may have: the given mapping's and every
    saved one's (a platform whose number column none of the usual words names)."""
    labels = [m.columns.get("case_no", "") for m in saved_mappings(session)]
    if isinstance(mapping, dict):
        labels.append(mapping.get("case_no", ""))
    return [label for label in labels if label]


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


def _read(session: Session, raw: bytes, filename: str | None,
          mapping: str | dict[str, str] | None, now: datetime | None) -> Parsed:
    table = read_table(raw, filename, key_labels(session, mapping))
    columns, name = choose_mapping(session, table, mapping)
    return Parsed(table, columns, name, orders.read_rows(table, columns, _zone(), now))


def parse(session: Session, raw: bytes, filename: str | None,
          mapping: str | dict[str, str] | None, now: datetime | None = None) -> Parsed:
    """The file's orders under `mapping` (see choose_mapping), and the errors of its lines;
    a mapping that misses a column refuses the file."""
    parsed = _read(session, raw, filename, mapping, now)
    errors = parsed.read.errors
    if errors and errors[0].line == 0:
        raise REFUSALS("mapping_invalid", reason=errors[0].message)
    return parsed


def preview(session: Session, raw: bytes, filename: str | None,
            mapping: str | dict[str, str] | None, *, now: datetime, rows: int = 5) -> dict:
    """What the import would read: the columns, the mapping, the first orders, the errors
    (a mapping that misses a column is an error shown here, beside the file's columns)."""
    parsed = _read(session, raw, filename, mapping, now)
    read = parsed.read
    return {"labels": [label for label in parsed.table.labels if label],
            "header_lines": parsed.table.header_lines, "mapping": parsed.mapping,
            "mapping_name": parsed.mapping_name, "lines": len(parsed.table.rows),
            "rows": [{"line": o.line, **o.stated()} for o in read.orders[:rows]],
            "errors": [vars(e) for e in read.errors[:50]], "error_count": len(read.errors)}


def save_mapping(session: Session, user, name: str, columns: dict[str, str]) -> HotlineMapping:  # noqa: ANN001
    name = name.strip()
    if not name:
        raise REFUSALS("mapping_invalid", reason="请填写列对应的名称")
    unknown = set(columns) - set(orders.FIELDS)
    if unknown:
        raise REFUSALS("mapping_invalid", reason=f"未知的字段：{'、'.join(sorted(unknown))}")
    missing = [orders.field_label(f) for f in orders.REQUIRED if not columns.get(f)]
    if missing:
        raise REFUSALS("mapping_invalid", reason=f"列对应缺少 {'、'.join(missing)}")
    row = session.execute(select(HotlineMapping).where(HotlineMapping.name == name)).scalar() \
        or HotlineMapping(name=name)
    row.columns, row.updated_by, row.updated_at = dict(columns), user.id, utcnow()
    session.add(row)
    record(session, actor_id=user.id, action="hotline.mapping", object_type="hotline_mapping",
           name=name, columns=columns)
    session.flush()
    return row


# ------------------------------------------------------------------ the import


def import_file(session: Session, user, raw: bytes, *, filename: str,  # noqa: ANN001
                mapping: str | dict[str, str] | None, scope: Scope, now: datetime,
                save_as: str | None = None) -> cases.Outcome:
    """Import an export (see the module's docstring); `save_as` first saves the mapping used
    under that name, for the platform's next file."""
    if save_as and save_as.strip():
        table = read_table(raw, filename, key_labels(session, mapping))
        save_mapping(session, user, save_as, choose_mapping(session, table, mapping)[0])
        mapping = save_as.strip()
    parsed = parse(session, raw, filename, mapping, now)
    outcome = cases.Outcome(filename=filename, lines=len(parsed.table.rows),
                            errors=list(parsed.read.errors), duplicates=parsed.read.duplicates)
    batch = HotlineImport(filename=filename[:255], sha256=hashlib.sha256(raw).hexdigest(),
                          mapping_name=parsed.mapping_name, imported_by=user.id, imported_at=now,
                          scope_units=review.units_of(scope))
    session.add(batch)
    session.flush()
    outcome.import_id = batch.id
    _Import(session, user, scope, outcome, now, filename).run(parsed.read.orders)
    batch.summary = outcome.summary()
    session.add(batch)
    record(session, actor_id=user.id, action="hotline.import", object_type="hotline_import",
           object_id=batch.id, filename=filename, **outcome.summary())
    session.flush()
    return outcome


class _Import:
    """One import's pass over its orders (one per number)."""

    def __init__(self, session: Session, user, scope: Scope, outcome: cases.Outcome,  # noqa: ANN001
                 now: datetime, filename: str) -> None:
        self.session, self.user, self.scope, self.outcome, self.now = session, user, scope, outcome, now
        self.detail = {"source_file": filename, "import_id": str(outcome.import_id)}
        self.matcher = review.OrderMatcher(session, scope)
        self.words = self.matcher.rules.callback_failed_words
        self.frozen = cases.Frozen(session)

    def run(self, found: list[orders.OrderRow]) -> None:
        stored = self._stored([o.case_no for o in found])
        visible_cases, visible_imports = self._visible(stored)
        new_rows: dict[str, dict] = {}      # orders seen for the first time
        waiting: dict[str, dict] = {}       # stored orders leaving the queue if their case is made
        to_make: list[tuple[orders.OrderRow, dict]] = []
        for order in found:
            old = stored.get(order.case_no)
            if old is not None and not (visible_cases if old.finding_id else visible_imports)(old):
                self.outcome.errors.append(orders.OrderError(order.line, orders.field_label("case_no"), OUT_OF_SCOPE))
                continue
            if old is not None and old.digest == order.digest and not old.needs_review:
                self.outcome.unchanged += 1
                continue
            if old is not None and old.dismissed_reason is not None:
                self._save_statement(old, order)  # left out by a supervisor: stays out
                continue
            if old is not None and old.finding_id is not None:
                if cases.update(self.session, self.user, old, order, self.outcome, self.frozen,
                                self.detail, self.words, self.now):
                    self._save_statement(old, order)
                continue
            match = self.matcher.order(order)
            if match["needs_review"]:
                self.outcome.review += 1
            else:
                to_make.append((order, match))
            row = self._row(order, match)
            if old is None:
                new_rows[order.case_no] = {**row, "first_import_id": self.outcome.import_id}
            elif match["needs_review"]:
                if old.digest != order.digest:  # restated, still waiting
                    self._update_row(order.case_no, row)
                    self.outcome.updated += 1
            else:
                waiting[order.case_no] = row
        made = cases.make(self.session, self.user, to_make, self.outcome, self.frozen,
                          self.detail, self.words, self.now)
        self.outcome.created += len(made)
        for case_no in made:
            (new_rows.get(case_no) or waiting[case_no])["finding_id"] = cases.case_id(case_no)
        for case_no, row in waiting.items():
            if case_no in made:  # a waiting order refused (a published period) stays as it was
                self._update_row(case_no, {**row, "needs_review": False})
        # a new order whose case was refused is not stored: importing again after the period
        # is reopened makes it (its conflict is listed meanwhile)
        refused = {o.case_no for o, _ in to_make} - made
        RawSQL(self.session).insert(WorkOrder.__table__, [
            row for no, row in new_rows.items() if no not in refused], on_conflict_do_nothing=True)

    def _row(self, order: orders.OrderRow, match: dict) -> dict:
        return {"case_no": order.case_no, "accepted_at": order.accepted_at,
                "stated": order.stated(), "digest": order.digest, **match,
                "last_import_id": self.outcome.import_id, "line": order.line,
                "updated_at": self.now, "finding_id": None, "dismissed_reason": None,
                "reviewed_by": None, "reviewed_at": None}

    def _update_row(self, case_no: str, row: dict) -> None:
        values = {k: v for k, v in row.items() if k not in ("case_no", "first_import_id")}
        self.session.execute(update(WorkOrder).where(WorkOrder.case_no == case_no).values(**values))

    def _save_statement(self, old: WorkOrder, order: orders.OrderRow) -> None:
        if old.digest == order.digest:
            self.outcome.unchanged += 1
            return
        self.session.execute(update(WorkOrder).where(WorkOrder.case_no == old.case_no).values(
            stated=order.stated(), digest=order.digest, accepted_at=order.accepted_at,
            last_import_id=self.outcome.import_id, line=order.line, updated_at=self.now))
        self.outcome.updated += 1

    def _stored(self, case_nos: list[str]) -> dict[str, WorkOrder]:
        """The orders stored before, by number; a case entered by hand with a number of the file
        (source hotline) becomes the order's case: the import updates it, never doubles it."""
        out: dict[str, WorkOrder] = {}
        for i in range(0, len(case_nos), 500):
            chunk = case_nos[i:i + 500]
            for row in self.session.execute(select(WorkOrder).where(
                    WorkOrder.case_no.in_(chunk))).scalars():
                out[row.case_no] = row
            by_hand = [n for n in chunk if n not in out]
            if by_hand:
                for finding_id, case_no, compound_id, code, building in self.session.execute(
                        select(Finding.id, Finding.case_no, Finding.compound_id,
                               Finding.catalog_code, Finding.building)
                        .where(Finding.case_no.in_(by_hand), Finding.source == "hotline")):
                    row = WorkOrder(case_no=case_no, finding_id=finding_id, stated={}, digest="",
                                    accepted_at=self.now, compound_id=compound_id,
                                    catalog_code=code, building=building,
                                    compound_reason="此前手工登记的案卷", type_reason="此前手工登记",
                                    first_import_id=self.outcome.import_id,
                                    last_import_id=self.outcome.import_id)
                    self.session.add(row)
                    out[case_no] = row
        self.session.flush()
        return out

    def _visible(self, stored: dict[str, WorkOrder]):  # noqa: ANN202
        """Tests of whether the importer may touch a stored order: a case, when its ticket is
        in the importer's scope; a waiting order, when its import is one the importer sees."""
        ids = [o.finding_id for o in stored.values() if o.finding_id]
        seen: set = set()
        for i in range(0, len(ids), 500):
            seen |= set(self.session.execute(select(Ticket.id).where(
                Ticket.id.in_(ids[i:i + 500]), ticket_filter(self.scope, self.user))).scalars())
        imports = review.visible_imports(self.session, self.scope)
        return (lambda o: o.finding_id in seen,
                lambda o: imports is None or o.last_import_id in imports)

