"""Import and export of the organisation, as CSV or Excel: units, companies and compounds, one
compound per line.

A line names the path 区 / 街道(镇) / 社区 / 网格 by name; missing units and companies are
created, an existing compound (same community, same name) is updated, so importing the same
file twice changes nothing. Each line runs in its own savepoint: a bad line is reported with
its number, column and reason and the good lines are kept. A line without a compound name only
creates its units. A preview (`dry_run`) runs the same import and rolls it all back. The
export writes the same columns, so an exported file imports back unchanged.

Columns (Chinese or English header):
    区 district | 街道 street (a name ending in 镇 is a town) | 社区 community |
    网格 grids (several separated by ; or 、) | 小区 compound | 地址 address |
    建筑面积 building_area_m2 | 户数 households | 物业企业 company | 企业信用等级 credit_grade |
    进驻日期 company_moved_in_on (YYYY-MM-DD) | 老旧小区 is_old (是/否) |
    党支部 has_party_branch (是/否) | 纬度 latitude | 经度 longitude
"""

from __future__ import annotations

import csv
import uuid
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from pydantic import ValidationError
from sqlmodel import Session, select

from backend import spreadsheets
from backend.errors import DomainError
from backend.organisation import service
from backend.organisation.models import Company, CompanyCreate, CompanyUpdate, Compound, \
    CompoundCreate, CompoundGrid, CompoundUpdate, CreditGrade, OrgUnit, OrgUnitCreate, UnitLevel

HEADERS = {
    "区": "district", "街道": "street", "街道/镇": "street", "镇": "street", "社区": "community",
    "网格": "grids", "小区": "compound", "小区名称": "compound", "地址": "address",
    "建筑面积": "building_area_m2", "建筑面积(㎡)": "building_area_m2", "户数": "households",
    "物业企业": "company", "物业服务企业": "company", "企业信用等级": "credit_grade",
    "信用等级": "credit_grade", "进驻日期": "company_moved_in_on", "老旧小区": "is_old",
    "党支部": "has_party_branch", "纬度": "latitude", "经度": "longitude",
}
FIELDS = {"district", "street", "community", "grids", "compound", "address", "building_area_m2",
          "households", "company", "credit_grade", "company_moved_in_on", "is_old",
          "has_party_branch", "latitude", "longitude"}
_TRUE = {"是", "有", "true", "yes", "y", "1", "√"}
_FALSE = {"否", "无", "false", "no", "n", "0", ""}


# The export's header: the first Chinese name of each field, in the import's order.
EXPORT_HEADER = ["区", "街道", "社区", "网格", "小区", "地址", "建筑面积", "户数", "物业企业",
                 "企业信用等级", "进驻日期", "老旧小区", "党支部", "纬度", "经度"]
EXPORT_FIELDS = [HEADERS[h] for h in EXPORT_HEADER]
COLUMN_LABELS = {f: h for h, f in zip(EXPORT_HEADER, EXPORT_FIELDS)}


class LineError(ValueError):
    """A line (or the file) that cannot be imported; `column` names the column at fault."""

    def __init__(self, reason: str, column: str | None = None) -> None:
        super().__init__(reason)
        self.column = column


@dataclass
class ImportReport:
    dry_run: bool = False
    header: list[str] = field(default_factory=list)
    lines: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    updated_companies: int = 0
    units_created: int = 0
    companies_created: int = 0
    errors: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _bool(value: str, column: str) -> bool:
    v = value.strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise LineError(f"{column} 应为 是/否，而不是 “{value}”", column)


def _decimal(value: str, column: str) -> Decimal | None:
    v = value.strip().replace(",", "")
    if not v:
        return None
    try:
        return Decimal(v)
    except InvalidOperation:
        raise LineError(f"{column} 应为数字，而不是 “{value}”", column) from None


def _int(value: str, column: str) -> int | None:
    number = _decimal(value, column)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise LineError(f"{column} 应为整数，而不是 “{value}”", column)
    return int(number)


def _date(value: str, column: str) -> date | None:
    v = value.strip().replace("/", "-").replace(".", "-")
    if not v:
        return None
    try:
        return date.fromisoformat(v if len(v) == 10 else "-".join(f"{int(p):02d}" for p in v.split("-")))
    except ValueError:
        raise LineError(f"{column} 应为日期 YYYY-MM-DD，而不是 “{value}”", column) from None


class _Importer:
    def __init__(self, session: Session, report: ImportReport, actor_id: uuid.UUID | None,
                 present: set[str]) -> None:
        self.session = session
        self.report = report
        self.actor_id = actor_id
        self.present = present  # the fields the file has a column for

    def unit(self, name: str, level: UnitLevel, parent: OrgUnit | None) -> OrgUnit:
        found = self.session.exec(select(OrgUnit).where(
            OrgUnit.name == name,
            OrgUnit.parent_id == parent.id if parent else OrgUnit.parent_id.is_(None))).first()
        if found:
            same_tier = {found.level, level} <= {UnitLevel.street, UnitLevel.town}
            if found.level != level and not same_tier:
                raise LineError(f"“{name}” 已作为其他层级存在", LEVEL_COLUMNS[level])
            if not found.is_active:
                raise LineError(f"“{name}” 已停用：请先在组织机构中启用", LEVEL_COLUMNS[level])
            return found
        self.report.units_created += 1
        return service.create_unit(self.session, OrgUnitCreate(
            name=name, level=level, parent_id=parent.id if parent else None), actor_id=self.actor_id)

    def company(self, name: str, grade: str) -> Company:
        grade = grade.strip().upper()
        if grade and grade not in CreditGrade.__members__:
            raise LineError(f"企业信用等级应为 AAA/AA/A/B/C，而不是 “{grade}”", "企业信用等级")
        found = self.session.exec(select(Company).where(Company.name == name)).first()
        if found:
            if not found.is_active:
                raise LineError(f"物业企业“{name}”已停用：请先在组织机构中启用", "物业企业")
            if grade and found.credit_grade != grade:
                service.update_company(self.session, found, CompanyUpdate(credit_grade=grade),
                                       actor_id=self.actor_id)
                self.report.updated_companies += 1
            return found
        self.report.companies_created += 1
        return service.create_company(self.session, CompanyCreate(
            name=name, credit_grade=CreditGrade(grade) if grade else None), actor_id=self.actor_id)

    def line(self, row: dict[str, str]) -> None:
        """One line; of an existing compound only the fields whose column the file has are
        compared and changed (a file of names and addresses leaves the areas alone)."""
        get = lambda key: (row.get(key) or "").strip()  # noqa: E731
        if not get("district"):
            raise LineError("缺少 区", "区")
        district = self.unit(get("district"), UnitLevel.district, None)
        if not get("street"):
            if get("community") or get("compound"):
                raise LineError("缺少 街道/镇", "街道")
            return
        street_level = UnitLevel.town if get("street").endswith("镇") else UnitLevel.street
        street = self.unit(get("street"), street_level, district)
        if not get("community"):
            if get("compound"):
                raise LineError("缺少 社区", "社区")
            return
        community = self.unit(get("community"), UnitLevel.community, street)
        grid_names = [g.strip() for g in re.split(r"[;；、]", get("grids")) if g.strip()]
        grids = [self.unit(g, UnitLevel.grid, community) for g in grid_names]
        if not get("compound"):
            return
        company = self.company(get("company"), get("credit_grade")) if get("company") else None
        values = {
            "address": get("address") or None,
            "building_area_m2": _decimal(get("building_area_m2"), "建筑面积"),
            "households": _int(get("households"), "户数"),
            "company_id": company.id if company else None,
            "company_moved_in_on": _date(get("company_moved_in_on"), "进驻日期"),
            "is_old": _bool(get("is_old"), "老旧小区"),
            "has_party_branch": _bool(get("has_party_branch"), "党支部"),
            "latitude": float(_decimal(get("latitude"), "纬度")) if get("latitude") else None,
            "longitude": float(_decimal(get("longitude"), "经度")) if get("longitude") else None,
            "grid_ids": [g.id for g in grids],
        }
        existing = self.session.exec(select(Compound).where(
            Compound.community_id == community.id, Compound.name == get("compound"))).first()
        columns = {"company_id": "company", "grid_ids": "grids"}
        values = {k: v for k, v in values.items() if columns.get(k, k) in self.present}
        if existing is None:
            service.create_compound(self.session, CompoundCreate(
                name=get("compound"), community_id=community.id, **values), actor_id=self.actor_id)
            self.report.created += 1
            return
        current_grids = set(self.session.exec(select(CompoundGrid.grid_id).where(
            CompoundGrid.compound_id == existing.id)))
        changed = {k: v for k, v in values.items()
                   if (set(v) != current_grids if k == "grid_ids" else getattr(existing, k) != v)}
        if not changed:
            self.report.unchanged += 1
            return
        service.update_compound(self.session, existing, CompoundUpdate(**changed),
                                actor_id=self.actor_id)
        self.report.updated += 1


LEVEL_COLUMNS = {UnitLevel.district: "区", UnitLevel.street: "街道", UnitLevel.town: "街道",
                 UnitLevel.community: "社区", UnitLevel.grid: "网格"}


def _explain(exc: Exception) -> tuple[str | None, str]:
    """(column, reason) of a refused line."""
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        field_name = str(first["loc"][0]) if first["loc"] else None
        return COLUMN_LABELS.get(field_name), "；".join(
            f"{COLUMN_LABELS.get(str(e['loc'][0]), '.'.join(map(str, e['loc'])))}: {e['msg']}"
            for e in exc.errors())
    if isinstance(exc, LineError):
        return exc.column, str(exc)
    if isinstance(exc, DomainError):
        return None, exc.message
    return None, str(exc)


def _cell(value: object) -> str:
    """An Excel cell as the text a CSV would hold: 52000.0 → 52000, a date → YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_rows(raw: bytes, filename: str | None = None) -> Iterator[list[str]]:
    """The file's rows as text, CSV (UTF-8 or GBK) or Excel, told apart by their bytes."""
    try:
        rows = spreadsheets.xlsx_rows(raw) if spreadsheets.is_excel(raw, filename) \
            else spreadsheets.csv_rows(raw)
        for _, values in rows:
            yield [_cell(v) for v in values]
    except spreadsheets.UnreadableFile as exc:
        raise LineError(str(exc)) from None


def import_file(session: Session, raw: bytes, *, filename: str | None = None,
                actor_id: uuid.UUID | None = None, dry_run: bool = False) -> ImportReport:
    """Import a CSV or Excel file; with `dry_run`, report what it would do and keep nothing."""
    if not dry_run:
        return _import_rows(session, read_rows(raw, filename), actor_id=actor_id)
    preview = session.begin_nested()
    try:
        report = _import_rows(session, read_rows(raw, filename), actor_id=actor_id)
    finally:
        preview.rollback()
    report.dry_run = True
    return report


def _import_rows(session: Session, rows: Iterable[list[str]], *,
                 actor_id: uuid.UUID | None) -> ImportReport:
    report = ImportReport()
    rows = iter(rows)
    header = next(rows, None)
    if not header or not any(h.strip() for h in header):
        raise LineError("文件为空")
    while header and not header[-1].strip():  # Excel's trailing empty columns
        header = header[:-1]
    report.header = [h.strip() for h in header]
    columns = [HEADERS.get(h.strip(), h.strip()) for h in header]
    unknown = [h for h, c in zip(header, columns) if c not in FIELDS]
    if unknown:
        raise LineError(f"第 1 行: 无法识别的列名 {'、'.join(unknown)}")
    importer = _Importer(session, report, actor_id, set(columns))
    for number, values in enumerate(rows, start=2):
        if not any(v.strip() for v in values):
            continue
        report.lines += 1
        extra = values[len(columns):]
        if any(v.strip() for v in extra):
            report.errors.append({"line": number, "column": None, "values": values,
                                  "reason": f"列数 {len(values)} 多于表头的 {len(columns)} 列"})
            continue
        row = dict(zip(columns, values))
        before = (report.created, report.updated, report.unchanged, report.units_created,
                  report.companies_created)
        try:
            with session.begin_nested():
                importer.line(row)
        except (LineError, DomainError, ValidationError, ValueError) as exc:
            (report.created, report.updated, report.unchanged, report.units_created,
             report.companies_created) = before
            column, reason = _explain(exc)
            report.errors.append({"line": number, "column": column, "reason": reason,
                                  "values": values[:len(columns)]})
    session.flush()
    return report


# ------------------------------------------------------------------ export


def export_rows(session: Session) -> list[list[str]]:
    """The organisation as import lines: one per compound, and one per unit holding none
    (so the tree comes back whole), sorted by place."""
    units = {u.id: u for u in session.exec(select(OrgUnit))}
    companies = {c.id: c for c in session.exec(select(Company))}
    grids_of: dict[uuid.UUID, list[uuid.UUID]] = {}
    for link in session.exec(select(CompoundGrid)):
        grids_of.setdefault(link.compound_id, []).append(link.grid_id)

    def path(unit: OrgUnit) -> dict[str, str]:
        names = {"district": "", "street": "", "community": "", "grids": ""}
        current: OrgUnit | None = unit
        while current is not None:
            tier = "street" if current.level in (UnitLevel.street, UnitLevel.town) \
                else "grids" if current.level == UnitLevel.grid else str(current.level)
            names[tier] = current.name
            current = units.get(current.parent_id) if current.parent_id else None
        return names

    def number(value: object) -> str:
        if value is None:
            return ""
        return format(value, "f") if isinstance(value, Decimal) else str(value)

    lines: list[dict[str, str]] = []
    compounds = list(session.exec(select(Compound)))
    for compound in compounds:
        company = companies.get(compound.company_id)
        lines.append(path(units[compound.community_id]) | {
            "grids": "、".join(sorted(units[g].name for g in grids_of.get(compound.id, []))),
            "compound": compound.name, "address": compound.address or "",
            "building_area_m2": number(compound.building_area_m2),
            "households": number(compound.households),
            "company": company.name if company else "",
            "credit_grade": (company.credit_grade or "") if company else "",
            "company_moved_in_on": compound.company_moved_in_on.isoformat()
            if compound.company_moved_in_on else "",
            "is_old": "是" if compound.is_old else "否",
            "has_party_branch": "是" if compound.has_party_branch else "否",
            "latitude": number(compound.latitude), "longitude": number(compound.longitude)})
    # Units no line above names: a line of their own (a grid's names its community too).
    named = {c.community_id for c in compounds} | {g for gs in grids_of.values() for g in gs}
    named |= {u.parent_id for u in units.values() if u.parent_id}  # a descendant's line names it
    for unit in units.values():
        if unit.id not in named:
            lines.append(path(unit))
    lines.sort(key=lambda ln: (ln["district"], ln["street"], ln["community"],
                               ln.get("compound", ""), ln["grids"]))
    return [EXPORT_HEADER] + [[ln.get(f, "") for f in EXPORT_FIELDS] for ln in lines]


def export_csv(session: Session) -> bytes:
    """UTF-8 with a BOM: what Excel opens in Chinese without asking for an encoding."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(export_rows(session))
    return out.getvalue().encode("utf-8-sig")


def export_xlsx(session: Session) -> bytes:
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.title = "组织机构"
    for row in export_rows(session):
        sheet.append(row)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
