"""Time nodes (时间节点): which submission deadlines fall in a period, and how each was met.

A deadline is a fixed date every year (6月21日) or a day in a month of every quarter / every month
(每季度最后一个月的20日前). Instances are the deadlines inside [period.start, period.end]; those after
`as_of` are not yet due and are skipped. Pure: the assessment date is passed in, never read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from backend.rubrics.models import FixedDate, MonthlyDate, QuarterlyDate, TimeNode
from backend.scoring.observations import ABSENT, Period, as_date

Status = Literal["on_time", "late", "missing"]
_STATUSES = ("on_time", "late", "missing")


def instances(deadline: FixedDate | QuarterlyDate | MonthlyDate, period: Period) -> list[date]:
    out: list[date] = []
    for year in range(period.start.year, period.end.year + 1):
        if isinstance(deadline, FixedDate):
            candidates = [_safe(year, deadline.month, deadline.day)]
        elif isinstance(deadline, QuarterlyDate):
            candidates = [_safe(year, q * 3 - 3 + deadline.month_of_quarter, deadline.day) for q in (1, 2, 3, 4)]
        else:
            candidates = [_safe(year, m, deadline.day) for m in range(1, 13)]
        out.extend(d for d in candidates if period.start <= d <= period.end)
    return out


def _safe(year: int, month: int, day: int) -> date:
    # 2月30日 and the like clamp to the month's last day rather than failing.
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1


@dataclass(frozen=True)
class NodeOutcome:
    deadline: date
    status: Status | None  # None: not recorded
    submitted: date | None
    observed: Any


def _one(raw: Any, deadline: date, clause: TimeNode, as_of: date, err, start: date) -> NodeOutcome:
    if raw is ABSENT:
        return NodeOutcome(deadline, None, None, None)
    if raw is None:
        return NodeOutcome(deadline, "missing", None, None)
    if isinstance(raw, str) and raw in _STATUSES:
        return NodeOutcome(deadline, raw, None, raw)
    if isinstance(raw, dict):
        if set(raw) == {"status"} and raw["status"] in _STATUSES:
            return NodeOutcome(deadline, raw["status"], None, raw)
        if set(raw) != {"submitted"}:
            raise err("报送情况应为日期、null、on_time/late/missing，或 {submitted: 日期} / {status: …}")
        raw = raw["submitted"]
        if raw is None:
            return NodeOutcome(deadline, "missing", None, None)
    submitted = as_date(raw, err)
    if submitted > as_of:
        raise err(f"报送日期 {submitted} 晚于评估日期 {as_of}")
    if submitted < start:  # a submission for another period
        raise err(f"报送日期 {submitted} 早于考核期间开始日 {start}")
    on_time = submitted <= deadline if clause.inclusive else submitted < deadline
    return NodeOutcome(deadline, "on_time" if on_time else "late", submitted, raw)


def evaluate(clause: TimeNode, raw: Any, period: Period, as_of: date, err) -> list[NodeOutcome]:
    """Outcome of every due instance. `raw` is one value (single instance) or {deadline: value}."""
    due = [d for d in instances(clause.deadline, period) if d <= as_of]
    if isinstance(raw, dict) and raw and all(_is_iso(k) for k in raw):
        known = {date.fromisoformat(k): v for k, v in raw.items()}
        extra = sorted(set(known) - set(due))
        if extra:
            raise err(f"{extra[0]} 不是本期已到期的时间节点（本期节点: {', '.join(map(str, due)) or '无'}）")
        return [_one(known.get(d, ABSENT), d, clause, as_of, err, period.start) for d in due]
    if raw is ABSENT:
        return [_one(ABSENT, d, clause, as_of, err, period.start) for d in due]
    if len(due) != 1:
        raise err(f"本期有 {len(due)} 个时间节点（{', '.join(map(str, due)) or '无'}），请按节点日期分别记录")
    return [_one(raw, due[0], clause, as_of, err, period.start)]


def _is_iso(k: Any) -> bool:
    try:
        date.fromisoformat(str(k))
        return True
    except ValueError:
        return False
