"""Deadline arithmetic: due times, work time elapsed and left. Pure: `now` is always a parameter.

Resolution is one second: sub-second parts of the inputs are dropped (floored) before counting.
See the package docstring (`backend/worktime/__init__.py`) for the counting rules.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from datetime import datetime, timedelta
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from backend.worktime.calendar import HolidayCalendar
from backend.worktime.schedule import Schedule
from backend.worktime.timeline import OutOfRange, Timeline, timeline_for, widen

CIVIL = "civil"  # 民法典 第201、203条: next day on, close of business on the Nth working day
HOURS_RULE = "hours"  # N 工作日 = N x the day's work-hours, counted like 工作时
WORKDAY_RULES = (CIVIL, HOURS_RULE)


class Unit(str, Enum):
    WORK_HOURS = "工作时"
    WORK_DAYS = "工作日"
    HOURS = "小时"

    @property
    def english(self) -> str:
        return {"工作时": "work-hours", "工作日": "work-days", "小时": "hours"}[self.value]


_ALIASES = {
    "工作时": Unit.WORK_HOURS, "工作小时": Unit.WORK_HOURS, "work-hours": Unit.WORK_HOURS,
    "work-hour": Unit.WORK_HOURS, "work_hours": Unit.WORK_HOURS,
    "工作日": Unit.WORK_DAYS, "work-days": Unit.WORK_DAYS, "work-day": Unit.WORK_DAYS,
    "work_days": Unit.WORK_DAYS,
    "小时": Unit.HOURS, "hours": Unit.HOURS, "hour": Unit.HOURS,
}
# Exact spellings and the members themselves: the hot path is one dict lookup.
_UNITS: dict = {**_ALIASES, **{u: u for u in Unit}}


def parse_unit(text: str | Unit) -> Unit:
    """工作时 / 工作日 / 小时, or work-hours / work-days / hours (case and spaces ignored)."""
    if isinstance(text, Unit):
        return text
    if isinstance(text, str):
        found = _ALIASES.get(text.strip().lower().replace(" ", ""))
        if found is not None:
            return found
    raise ValueError(f"未知的时限单位：{text!r}（可用：工作时、工作日、小时）/ unknown deadline unit "
                     f"{text!r} (use work-hours, work-days or hours)")


class DueResult(NamedTuple):
    due: datetime  # timezone-aware, in the schedule's zone
    provisional: bool  # True when the span touches a year the calendar does not cover
    missing_years: tuple[int, ...] = ()


def _amount_seconds(amount, per_unit: int) -> int:
    """amount x per_unit seconds, rounded to the second; amount must be a positive finite number."""
    if amount.__class__ is int and amount > 0:
        return amount * per_unit
    if isinstance(amount, (int, float, Decimal, Fraction)) and not isinstance(amount, bool):
        if amount > 0 and math.isfinite(amount):
            secs = round(amount * per_unit)
            if secs > 0:
                return int(secs)
    raise ValueError(f"时限必须是大于 0 的数：{amount!r} / amount must be a positive number: {amount!r}")


def _epoch(moment: datetime, what: str = "start") -> int:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"时间必须带时区（例如 +08:00）：{moment!r} / {what} must be timezone-aware")
    return int(moment.timestamp())


@lru_cache(maxsize=16)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _out_of_range_after(tl: Timeline) -> OutOfRange:
    return OutOfRange(tl.first_year, tl.last_year + max(10, tl.last_year - tl.first_year))


def _outside(tl: Timeline, s: int) -> OutOfRange:
    year = tl.year_of(s)
    return OutOfRange(min(year, tl.first_year), max(year, tl.last_year))


def _due_work(tl: Timeline, s: int, secs: int) -> int:
    """Epoch of the instant when `secs` work seconds have run from s (window end inclusive)."""
    if s < tl.lo or s >= tl.hi:
        raise _outside(tl, s)
    starts = tl.starts
    i = bisect_right(starts, s) - 1
    if i < 0:
        target = secs
    else:
        into, length = s - starts[i], tl.lens[i]
        target = tl.cum_before[i] + (into if into < length else length) + secs
    cum_after = tl.cum_after
    # bisect_left: a count ending exactly at a window's end is due at that end, not next opening.
    j = bisect_left(cum_after, target)
    if j == len(cum_after):
        raise _out_of_range_after(tl)
    return starts[j] + target - tl.cum_before[j]


def _due_civil(tl: Timeline, s: int, days: int) -> int:
    """Close of business on the `days`-th working day after the local date of s."""
    if s < tl.lo or s >= tl.hi:
        raise _outside(tl, s)
    d = bisect_right(tl.day_starts, s) - 1
    k = tl.wd_upto[d] + days - 1
    if k >= len(tl.wd_close):
        raise _out_of_range_after(tl)
    return tl.wd_close[k]


def _first_interval(tl: Timeline, s: int) -> int:
    """Index of the window in which counting from s starts (s inside it, or the next one)."""
    i = bisect_right(tl.starts, s) - 1
    j = i if i >= 0 and s < tl.ends[i] else i + 1
    if j >= len(tl.starts):
        raise _out_of_range_after(tl)
    return j


def _due_epoch(tl: Timeline, s: int, amount, unit: Unit, rule: str) -> int:
    if unit is Unit.WORK_HOURS:
        return _due_work(tl, s, _amount_seconds(amount, 3600))
    if rule == CIVIL:
        days = _amount_seconds(amount, 1)
        if days != amount:
            raise ValueError(f"按民法典规则，工作日数必须是整数：{amount!r} / under the civil rule "
                             f"work-days must be a whole number: {amount!r}")
        return _due_civil(tl, s, days)
    if s < tl.lo or s >= tl.hi:
        raise _outside(tl, s)
    per_day = tl.day_secs[_first_interval(tl, s)]
    return _due_work(tl, s, _amount_seconds(amount, per_day))


def due_time(start: datetime, amount: int | float | Decimal | Fraction, unit: Unit | str, *,
             schedule: Schedule, calendar: HolidayCalendar, workday_rule: str = CIVIL) -> DueResult:
    """The due time of a ticket dispatched at `start` with a deadline of `amount` `unit`.

    Raises ValueError (Chinese + English message) for an unknown unit or rule, a non-positive
    amount, a naive datetime, or a date outside 1971-2199.
    """
    try:
        kind = _UNITS[unit]
    except (KeyError, TypeError):
        kind = parse_unit(unit)
    s = _epoch(start)
    if kind is Unit.HOURS:  # clock hours: the calendar plays no part
        return DueResult(datetime.fromtimestamp(s + _amount_seconds(amount, 3600),
                                                _zone(schedule.timezone)), False, ())
    if workday_rule != CIVIL and workday_rule != HOURS_RULE:
        raise ValueError(f"未知的工作日规则：{workday_rule!r}（civil 或 hours）/ unknown workday rule "
                         f"{workday_rule!r} (civil or hours)")
    tl = timeline_for(schedule, calendar)
    while True:
        try:
            due = _due_epoch(tl, s, amount, kind, workday_rule)
            break
        except OutOfRange as needed:
            tl = widen(tl, needed.first_year, needed.last_year)
    if tl.safe_lo <= s and due < tl.safe_hi:
        return DueResult(datetime.fromtimestamp(due, tl.zone), False, ())
    missing = tl.missing_years(s, due)
    return DueResult(datetime.fromtimestamp(due, tl.zone), bool(missing), missing)


def _position(tl: Timeline, t: int) -> tuple[Timeline, int]:
    while True:
        try:
            return tl, tl.position(t)
        except OutOfRange as needed:
            tl = widen(tl, needed.first_year, needed.last_year)


def work_seconds(start: datetime, end: datetime, *, schedule: Schedule,
                 calendar: HolidayCalendar) -> int:
    """Work seconds between two instants; negative when end is before start."""
    s, e = _epoch(start), _epoch(end, "end")
    tl = timeline_for(schedule, calendar)
    if tl.lo <= s < tl.hi and tl.lo <= e < tl.hi:  # fast path, inlined position()
        starts, lens, cum = tl.starts, tl.lens, tl.cum_before
        i = bisect_right(starts, s) - 1
        j = bisect_right(starts, e) - 1
        ps = 0 if i < 0 else cum[i] + min(s - starts[i], lens[i])
        pe = 0 if j < 0 else cum[j] + min(e - starts[j], lens[j])
        return pe - ps
    tl, ps = _position(tl, s)
    tl, pe = _position(tl, e)
    tl, ps = _position(tl, s)  # the table may have been widened for e: positions must agree
    return pe - ps


def work_elapsed(start: datetime, end: datetime, *, schedule: Schedule,
                 calendar: HolidayCalendar) -> timedelta:
    """Work time between two instants (negative when end is before start)."""
    return timedelta(seconds=work_seconds(start, end, schedule=schedule, calendar=calendar))


def work_left(now: datetime, due: datetime, *, schedule: Schedule, calendar: HolidayCalendar,
              unit: Unit | str | None = None) -> timedelta:
    """Work time from `now` until `due`; negative when overdue by some work time.

    Overdue means `now > due`. Between a due at a window's end and the next opening no work time
    passes, so the result is 0 there although the ticket is already overdue. For a clock-hour
    ticket (unit 小时) pass the unit: the answer is then plain clock time.
    """
    if unit is not None and parse_unit(unit) is Unit.HOURS:
        return timedelta(seconds=_epoch(due, "due") - _epoch(now, "now"))
    return timedelta(seconds=work_seconds(now, due, schedule=schedule, calendar=calendar))


def next_working_instant(moment: datetime, *, schedule: Schedule,
                         calendar: HolidayCalendar) -> datetime:
    """`moment` itself inside a working window (its closing instant included: a step due at
    the close of business goes then), else the next window's opening: when a message written
    out of hours may go (backend/notifications)."""
    s = _epoch(moment)
    tl = timeline_for(schedule, calendar)
    while True:
        try:
            if s < tl.lo or s >= tl.hi:
                raise _outside(tl, s)
            i = bisect_right(tl.starts, s) - 1
            if i >= 0 and s <= tl.ends[i]:
                return moment
            start = tl.starts[_first_interval(tl, s)]
            break
        except OutOfRange as needed:
            tl = widen(tl, needed.first_year, needed.last_year)
    return datetime.fromtimestamp(start, tl.zone)


def missing_years(start: datetime, end: datetime, *, schedule: Schedule,
                  calendar: HolidayCalendar) -> tuple[int, ...]:
    """Uncovered calendar years touched by [start, end]: results over that span are provisional."""
    s, e = sorted((_epoch(start), _epoch(end, "end")))
    tl = timeline_for(schedule, calendar)
    tl, _ = _position(tl, s)
    tl, _ = _position(tl, e)
    return tl.missing_years(s, e)
