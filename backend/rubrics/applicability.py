"""Which rubrics apply to a subject, and when each is due: the rubric files' `applies` blocks
(rubrics/README.md). Pure: the inspections domain gives it the subject's place and flags.

- A rubric applies to a subject of its kind (a compound, or a street/town) when one of its
  `units` names the subject or a unit above it (none listed: everywhere) and the compound has
  every flag it needs (`when`: 老旧小区, 党支部).
- Each `due` row asks for one inspection from that source (明查, 暗访, 巡查) in every window of
  its frequency: the windows overlapping a period are the plan's rows for that period (a week
  is Monday to Sunday; a half year is January-June or July-December).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from backend.rubrics.models import Due, Rubric

SUBJECT_LABELS = {"compound": "小区", "street": "街道/镇"}
FLAG_LABELS = {"is_old": "老旧小区", "has_party_branch": "成立（临时）党支部的小区"}
SOURCE_LABELS = {"announced": "明查", "unannounced": "暗访", "patrol": "巡查"}
EVERY_LABELS = {"week": "每周", "month": "每月", "quarter": "每季度", "half_year": "每半年",
                "year": "每年"}


@dataclass(frozen=True)
class Subject:
    kind: Literal["compound", "street"]
    units: frozenset[str]  # the names of the subject's units, its own and every one above
    flags: frozenset[str] = frozenset()


def why_not(rubric: Rubric, subject: Subject) -> str | None:
    """Why `rubric` does not apply to `subject`, in the inspector's words; None when it does."""
    applies = rubric.applies
    if applies is None:
        return f"“{rubric.name}”不用于现场检查"
    if applies.subject != subject.kind:
        return f"“{rubric.name}”的考核对象是{SUBJECT_LABELS[applies.subject]}"
    if applies.units and not subject.units & set(applies.units):
        return f"“{rubric.name}”只适用于{'、'.join(applies.units)}"
    missing = [FLAG_LABELS[f] for f in applies.when if f not in subject.flags]
    if missing:
        return f"“{rubric.name}”只适用于{'、'.join(missing)}"
    return None


@dataclass(frozen=True)
class Window:
    start: date
    end: date  # inclusive
    label: str


def windows(every: str, start: date, end: date) -> list[Window]:
    """The windows of a frequency that overlap [start, end], in order."""
    out: list[Window] = []
    day = _window_start(every, start)
    while day <= end:
        nxt = _next(every, day)
        out.append(Window(day, nxt - timedelta(days=1), _label(every, day)))
        day = nxt
    return out


def _window_start(every: str, day: date) -> date:
    if every == "week":
        return day - timedelta(days=day.weekday())
    month = {"month": day.month, "quarter": 3 * ((day.month - 1) // 3) + 1,
             "half_year": 1 if day.month <= 6 else 7, "year": 1}[every]
    return date(day.year, month, 1)


def _next(every: str, day: date) -> date:
    if every == "week":
        return day + timedelta(days=7)
    months = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}[every]
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _label(every: str, day: date) -> str:
    if every == "week":
        last = day + timedelta(days=6)
        return f"{day.month}月{day.day}日–{last.month}月{last.day}日"
    if every == "month":
        return f"{day.year}年{day.month}月"
    if every == "quarter":
        return f"{day.year}年第{(day.month + 2) // 3}季度"
    if every == "half_year":
        return f"{day.year}年{'上' if day.month == 1 else '下'}半年"
    return f"{day.year}年"


def due_label(due: Due) -> str:
    """明查 · 每月 (区级)."""
    by = f"（{due.by}）" if due.by else ""
    return f"{SOURCE_LABELS[due.source]} · {EVERY_LABELS[due.every]}{by}"
