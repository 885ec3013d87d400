"""The notification rules as data, and the ladder's times: pure, free of the database.

A deployment's rules are `NotifyRules` (defaults below; an admin sets them as a settings
version). Every time is counted in work-time with the deadlines' engine (backend/worktime):

- 即将到期 when the smaller of `due_soon_share` of the ticket's work-time and
  `due_soon_hours` 工作时 is left: "whichever comes later" of the two moments;
- 催办 at the due time;
- 黄牌督办 `yellow_workdays` 工作日 after it, 红牌督办 `red_workdays` 工作日 after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from fractions import Fraction
from typing import Any

from backend.dbtypes import as_local
from backend.notifications.models import LADDER, Rule
from backend.worktime import Unit, due_time, parse_unit, work_seconds
from backend.worktime.calendar import HolidayCalendar
from backend.worktime.schedule import Schedule


@dataclass(frozen=True)
class NotifyRules:
    due_soon_share: Decimal = Decimal("0.25")
    due_soon_hours: Decimal = Decimal("2")
    yellow_workdays: int = 1
    red_workdays: int = 3
    digest_at: time = time(8, 30)
    # Messages written outside a working window wait for the next one; a 小时 (urgent) type's never.
    hold_outside_windows: bool = True
    # WeCom documents 20 messages a minute per robot; DingTalk 20 too.
    per_minute: int = 20
    max_attempts: int = 8

    @classmethod
    def from_settings(cls, data: dict[str, Any] | None) -> "NotifyRules":
        data = data or {}
        out = cls()
        values: dict[str, Any] = {}
        for name in ("due_soon_share", "due_soon_hours"):
            if name in data:
                values[name] = Decimal(str(data[name]))
        for name in ("yellow_workdays", "red_workdays", "per_minute", "max_attempts"):
            if name in data:
                values[name] = int(data[name])
        if "digest_at" in data:
            values["digest_at"] = time.fromisoformat(str(data["digest_at"]))
        if "hold_outside_windows" in data:
            values["hold_outside_windows"] = bool(data["hold_outside_windows"])
        return cls(**{**out.__dict__, **values})


@dataclass(frozen=True)
class TicketClock:
    """What the ladder needs of a ticket."""

    dispatched_at: datetime
    due_at: datetime
    deadline_unit: str | None
    schedule: Schedule
    calendar: HolidayCalendar
    workday_rule: str


def ladder_times(t: TicketClock, rules: NotifyRules) -> dict[Rule, datetime]:
    """When each step of the ladder comes, for an open ticket."""
    hours = t.deadline_unit is not None and parse_unit(t.deadline_unit) is Unit.HOURS
    if hours:  # clock hours: the calendar plays no part
        total = int((t.due_at - t.dispatched_at).total_seconds())
    else:
        total = work_seconds(t.dispatched_at, t.due_at, schedule=t.schedule, calendar=t.calendar)
    left = min(Decimal(total) * rules.due_soon_share, rules.due_soon_hours * 3600)
    run = total - int(left)
    if run <= 0:
        soon = t.dispatched_at
    else:
        soon = due_time(t.dispatched_at, Fraction(run, 3600), Unit.HOURS if hours else Unit.WORK_HOURS,
                        schedule=t.schedule, calendar=t.calendar).due

    def workdays_after(n: int) -> datetime:
        return due_time(t.due_at, n, Unit.WORK_DAYS, schedule=t.schedule, calendar=t.calendar,
                        workday_rule=t.workday_rule).due
    return {Rule.due_soon: soon, Rule.urged: t.due_at,
            Rule.yellow: workdays_after(rules.yellow_workdays),
            Rule.red: workdays_after(rules.red_workdays)}


def ladder_step(times: dict[Rule, datetime], level: int, now: datetime) -> tuple[int, datetime | None]:
    """(the level reached by `now`, when the next step comes or None): a ticket seen late
    jumps to its present level, and only that step is sent."""
    steps = [times[r] for r in LADDER]
    reached = level
    for i, at in enumerate(steps, start=1):
        if i > level and at <= now:
            reached = i
    upcoming = [at for i, at in enumerate(steps, start=1) if i > reached]
    return reached, (min(upcoming) if upcoming else None)


# ------------------------------------------------------------------ the words


@dataclass(frozen=True)
class Subject:
    """What a message says of a ticket."""

    compound: str
    company: str | None
    problem: str
    case_no: str | None
    due_at: datetime | None
    note: str | None = None


def _when(at: datetime | None) -> str:
    return as_local(at).strftime("%m月%d日 %H:%M") if at else "未定"


def message(rule: Rule, s: Subject, *, link: str, rules: NotifyRules = NotifyRules()
            ) -> tuple[str, str]:
    """(title, body) in Chinese, the body in plain lines a group robot shows as they are."""
    where = f"{s.compound}{'（' + s.company + '）' if s.company else ''}"
    title = {
        Rule.dispatched: f"新工单：{s.compound} {s.problem}",
        Rule.rejected: f"整改被退回：{s.compound} {s.problem}",
        Rule.rectified: f"待核查：{s.compound} {s.problem}",
        Rule.due_soon: f"即将到期：{s.compound} {s.problem}",
        Rule.urged: f"【催办】{s.compound} {s.problem}",
        Rule.yellow: f"【黄牌督办】{s.compound} {s.problem}",
        Rule.red: f"【红牌督办】{s.compound} {s.problem}",
    }[rule]
    lines = [title, f"小区：{where}", f"问题：{s.problem}"]
    if s.case_no:
        lines.append(f"工单号：{s.case_no}")
    lines.append(f"处置时限：{_when(s.due_at)}")
    if rule == Rule.rejected and s.note:
        lines.append(f"退回原因：{s.note}")
    elif rule == Rule.rectified and s.note:
        lines.append(f"整改说明：{s.note}")
    lines.append({
        Rule.dispatched: "请按时限整改并上传整改后照片。",
        Rule.rejected: "请重新整改后再次提交。",
        Rule.rectified: "请核查整改照片，核查通过或退回。",
        Rule.due_soon: "即将超过处置时限，请尽快整改。",
        Rule.urged: "已到处置时限仍未整改，请立即整改（逾期问题加倍扣分）。",
        Rule.yellow: f"逾期已满{rules.yellow_workdays}个工作日，现予黄牌督办，请企业负责人督促整改。",
        Rule.red: f"逾期已满{rules.red_workdays}个工作日，现予红牌督办，将在考核中通报。",
    }[rule])
    lines.append(link)
    return title, "\n".join(lines)
