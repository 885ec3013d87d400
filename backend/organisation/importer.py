"""CSV import of the organisation: units, companies and compounds, one compound per line.

A line names the path 区 / 街道(镇) / 社区 / 网格 by name; missing units and companies are
created, an existing compound (same community, same name) is updated, so importing the same
file twice changes nothing. Each line runs in its own savepoint: a bad line is reported with
its number and reason and the good lines are kept. A line without a compound name only
creates its units.

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
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from pydantic import ValidationError
from sqlmodel import Session, select

from backend.errors import DomainError
from backend.organisation import service
from backend.organisation.models import Company, CompanyCreate, Compound, CompoundCreate, \
    CompoundGrid, CompoundUpdate, CreditGrade, OrgUnit, OrgUnitCreate, UnitLevel

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


class LineError(ValueError):
    pass


@dataclass
class ImportReport:
    lines: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    units_created: int = 0
    companies_created: int = 0
    errors: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM) or GB18030, which is what Chinese Excel saves CSV as."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LineError("文件编码无法识别，请保存为 UTF-8 或 GBK 编码的 CSV")


def _bool(value: str, column: str) -> bool:
    v = value.strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise LineError(f"{column} 应为 是/否，而不是 “{value}”")


def _decimal(value: str, column: str) -> Decimal | None:
    v = value.strip().replace(",", "")
    if not v:
        return None
    try:
        return Decimal(v)
    except InvalidOperation:
        raise LineError(f"{column} 应为数字，而不是 “{value}”") from None


def _int(value: str, column: str) -> int | None:
    number = _decimal(value, column)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise LineError(f"{column} 应为整数，而不是 “{value}”")
    return int(number)


def _date(value: str, column: str) -> date | None:
    v = value.strip().replace("/", "-").replace(".", "-")
    if not v:
        return None
    try:
        return date.fromisoformat(v if len(v) == 10 else "-".join(f"{int(p):02d}" for p in v.split("-")))
    except ValueError:
        raise LineError(f"{column} 应为日期 YYYY-MM-DD，而不是 “{value}”") from None


class _Importer:
    def __init__(self, session: Session, report: ImportReport, actor_id: uuid.UUID | None) -> None:
        self.session = session
        self.report = report
        self.actor_id = actor_id

    def unit(self, name: str, level: UnitLevel, parent: OrgUnit | None) -> OrgUnit:
        found = self.session.exec(select(OrgUnit).where(
            OrgUnit.name == name,
            OrgUnit.parent_id == parent.id if parent else OrgUnit.parent_id.is_(None))).first()
        if found:
            same_tier = {found.level, level} <= {UnitLevel.street, UnitLevel.town}
            if found.level != level and not same_tier:
                raise LineError(f"“{name}” 已作为其他层级存在")
            return found
        self.report.units_created += 1
        return service.create_unit(self.session, OrgUnitCreate(
            name=name, level=level, parent_id=parent.id if parent else None), actor_id=self.actor_id)

    def company(self, name: str, grade: str) -> Company:
        grade = grade.strip().upper()
        if grade and grade not in CreditGrade.__members__:
            raise LineError(f"企业信用等级应为 AAA/AA/A/B/C，而不是 “{grade}”")
        found = self.session.exec(select(Company).where(Company.name == name)).first()
        if found:
            if grade and found.credit_grade != grade:
                found.credit_grade = CreditGrade(grade)
                self.session.add(found)
            return found
        self.report.companies_created += 1
        return service.create_company(self.session, CompanyCreate(
            name=name, credit_grade=CreditGrade(grade) if grade else None), actor_id=self.actor_id)

    def line(self, row: dict[str, str]) -> None:
        get = lambda key: (row.get(key) or "").strip()  # noqa: E731
        if not get("district"):
            raise LineError("缺少 区")
        district = self.unit(get("district"), UnitLevel.district, None)
        if not get("street"):
            if get("community") or get("compound"):
                raise LineError("缺少 街道/镇")
            return
        street_level = UnitLevel.town if get("street").endswith("镇") else UnitLevel.street
        street = self.unit(get("street"), street_level, district)
        if not get("community"):
            if get("compound"):
                raise LineError("缺少 社区")
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


def _explain(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
    if isinstance(exc, DomainError):
        return exc.message
    return str(exc)


def import_csv(session: Session, raw: bytes, *, actor_id: uuid.UUID | None = None) -> ImportReport:
    report = ImportReport()
    reader = csv.reader(io.StringIO(decode(raw)))
    header = next(reader, None)
    if not header:
        raise LineError("文件为空")
    columns = [HEADERS.get(h.strip(), h.strip()) for h in header]
    unknown = [h for h, c in zip(header, columns) if c not in FIELDS]
    if unknown:
        raise LineError(f"第 1 行: 无法识别的列名 {'、'.join(unknown)}")
    importer = _Importer(session, report, actor_id)
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        report.lines += 1
        if len(values) > len(columns):
            report.errors.append({"line": number, "reason": f"列数 {len(values)} 多于表头的 {len(columns)} 列"})
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
            report.errors.append({"line": number, "reason": _explain(exc)})
    session.flush()
    return report
