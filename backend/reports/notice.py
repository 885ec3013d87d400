"""The published notice (通报表) as a table, laid out like seed 001's 西岗区 table: items as rows,
the assessed streets or compounds as columns, then totals and ranking; written as an Excel
workbook (openpyxl) and as CSV."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from sqlmodel import Session, select

from backend.inspections.models import Inspection
from backend.organisation.models import OrgUnit, UnitLevel
from backend.reports.aggregate import inspection_in_period
from backend.reports.periods import Period
from backend.reports.schemas import PeriodReport
from backend.rubrics import library
from backend.scoring.ranking import rank


@dataclass
class NoticeTable:
    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)
    note: str = ""


def _num(value) -> Decimal | str:  # noqa: ANN001
    if value is None or value == "":
        return ""
    d = Decimal(str(value))
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()


@dataclass
class StreetAssessment:
    """A street's latest inspection with one rubric in a period, in the organisation's order."""

    unit: OrgUnit
    inspection: Inspection
    total: Decimal
    rank: int


def street_assessments(session: Session, district: OrgUnit, period: Period, rubric_id: str
                       ) -> list[StreetAssessment]:
    """The district's streets assessed with `rubric_id` (X or S) in the period: each street's
    latest inspection, ranked on its total."""
    streets = {u.id: u for u in session.exec(select(OrgUnit).where(
        OrgUnit.parent_id == district.id, OrgUnit.level.in_([UnitLevel.street, UnitLevel.town])))}
    if not streets:
        return []
    latest: dict[uuid.UUID, Inspection] = {}
    for inspection in session.exec(select(Inspection).where(
            Inspection.unit_id.in_(list(streets)), Inspection.rubric_id == rubric_id,
            inspection_in_period(period)).order_by(Inspection.submitted_at)):
        latest[inspection.unit_id] = inspection
    # as the organisation lists them (seed 001: 八一路, 人民广场, 白云, 日新, 香炉礁, neither
    # by name nor by score): by code where one is set, else in the order they were entered
    # (time-ordered ids)
    order = sorted(latest, key=lambda s: (streets[s].code is None, streets[s].code or "", streets[s].id))
    totals = {s: Decimal(str(latest[s].total)) for s in order}
    ranked = {r.subject: r.rank for r in rank({str(s): t for s, t in totals.items()})}
    return [StreetAssessment(streets[s], latest[s], totals[s], ranked[str(s)]) for s in order]


def street_notice(session: Session, district: OrgUnit, period: Period, rubric_id: str
                  ) -> NoticeTable | None:
    """Seed 001's layout: one column per street with each item's remaining points."""
    rubric = library.rubric(rubric_id)  # 422 for an unknown rubric
    assessed = street_assessments(session, district, period, rubric_id)
    if not assessed:
        return None
    names = [a.unit.name for a in assessed]
    table = NoticeTable(f"{district.name}{period.label}{rubric.name}通报表",
                        ["序号", "考核内容", "时间节点", "评分办法", "分值", *names])
    items_by_street = [{i["id"]: i for i in a.inspection.result["items"]} for a in assessed]
    for item in rubric.items:
        points = item.points if not hasattr(item.points, "value") else item.points.value
        row = [item.id, item.title, getattr(item, "time_node", None) or "", item.scoring_text,
               _num(points)]
        for items in items_by_street:
            got = items.get(item.id, {})
            deduction = Decimal(str(got.get("deduction", 0)))
            row.append(_num(Decimal(str(points)) - deduction) if points is not None
                       else _num(-deduction))
        table.rows.append(row)
    table.rows.append(["得分", "", "", "", "", *(_num(a.total) for a in assessed)])
    table.rows.append(["名次", "", "", "", "", *(a.rank for a in assessed)])
    versions = sorted({a.inspection.result.get("settings_version", 0) for a in assessed})
    table.note = "；".join(f"{a.unit.name}{_num(a.total)}分" for a in assessed) + "。" + (
        settings_note(versions[0]) if len(versions) == 1
        else "评分规则：" + "、".join(f"{a.unit.name}第 {a.inspection.result.get('settings_version', 0)} 版"
                                  for a in assessed) + "系统设置")
    return table


def town_notice(report: PeriodReport) -> NoticeTable:
    """The town composite: long-term management, rubric P, bonus, total, rank and prize."""
    compounds = [c for c in report.compounds if c.total is not None]
    names = [c.name for c in compounds]
    prize = {p.compound_id: p.prize for p in report.prizes}
    table = NoticeTable(f"{report.scope.name}{report.period.label}住宅小区长效管理和物业管理考核通报表",
                        ["序号", "考核内容", "评分办法", *names])
    rows = [
        ("1", "长效管理：巡查问题扣分", "每个问题扣1分，未按要求及时整改到位的双倍扣分",
         lambda c: c.deductions["findings"]),
        ("2", "长效管理：案卷扣分", "超时、推诿、反复性、核查不符、重点问题案卷每个扣2分",
         lambda c: c.deductions["cases"]),
        ("3", "长效管理得分", "100分减扣分（占总分60%）", lambda c: c.parts["L"]),
        ("4", "物业管理考核得分", "《物业管理工作考核细则》（占总分40%）", lambda c: c.parts["P"]),
        ("5", "示范项目加分", "区级+3、市级+5、省级+7、国家级+10", lambda c: c.bonus),
    ]
    for number, title, method, value in rows:
        table.rows.append([number, title, method, *(_num(value(c)) for c in compounds)])
    table.rows.append(["得分", "", "60%×长效管理+40%×物业管理+加分", *(_num(c.total) for c in compounds)])
    table.rows.append(["名次", "", "", *(c.rank for c in compounds)])
    table.rows.append(["奖项", "", "以奖代补（附件4）", *(prize.get(c.compound_id, "") for c in compounds)])
    amount = {p.compound_id: p.amount for p in report.prizes}
    table.rows.append(["奖金（元）", "", "附件4；金额按本系统设置",
                       *(_num(amount.get(c.compound_id)) for c in compounds)])
    table.note = settings_note(report.settings_version)
    return table


def settings_note(version: int) -> str:
    """Which rules a notice was computed under (issue 16 §4)."""
    return f"评分规则：第 {version} 版系统设置" if version else "评分规则：评分标准文件原值（未作系统设置）"


def write_csv(table: NoticeTable) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([table.title])
    writer.writerow(table.header)
    writer.writerows([[str(v) for v in row] for row in table.rows])
    if table.note:
        writer.writerow([table.note])
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8


def write_workbook(tables: list[NoticeTable]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for index, table in enumerate(tables):
        sheet = workbook.create_sheet(title=f"通报表{index + 1}")
        width = len(table.header)
        sheet.append([table.title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        sheet["A1"].font = Font(bold=True, size=14)
        sheet["A1"].alignment = Alignment(horizontal="center")
        sheet.append(table.header)
        for row in table.rows:
            sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
        for row in sheet.iter_rows(min_row=2, max_row=sheet.max_row, max_col=width):
            for cell in row:
                cell.border = border
                cell.alignment = Alignment(wrap_text=True, vertical="center")
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for col in range(1, width + 1):
            sheet.column_dimensions[get_column_letter(col)].width = 12
        sheet.column_dimensions["B"].width = 28
        if table.note:
            sheet.append([table.note])
        sheet.freeze_panes = "B3"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
