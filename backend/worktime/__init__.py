"""Work-time deadlines: 工作时, 工作日 and 小时 on China's real holiday calendar.

A pure engine: no database, no HTTP, no clock reads (`now` is a parameter). Every rectification
ticket's due time comes from here. No national standard defines the counting rule precisely, so
this module states it, makes it configurable, and the tests in tests/worktime/ pin it down.

The counting rule
-----------------
Working time is the schedule's daily windows (default 08:30-12:00 and 13:30-17:30) on working
days. Working days are Monday-Friday, minus public holidays, plus make-up working days (调休,
a Saturday or Sunday that is worked); a schedule with ``days: every`` (street cleaning 清扫保洁)
works every calendar day instead. Windows are local wall-clock time in the deployment's zone
(Asia/Shanghai by default); resolution is one second.

* **工作时 (work-hours)**: count only inside windows on working days. A dispatch outside them
  (evening, lunch break, weekend, holiday) starts counting at the next window opening. A count
  that completes exactly at a window's end is due *at that end* (17:30), not at the next opening.
* **工作日 (work-days), rule "civil"** (default; 民法典 第201、203条): the dispatch day does not
  count, whatever the hour; the period ends at the close of business (end of the last window)
  of the Nth following working day. N must be a whole number.
* **工作日, rule "hours"** (per deployment, ``workday_rule: hours``): N 工作日 = N x the work-hours
  of the day on which counting starts (7.5 h by default), then counted exactly like 工作时.
* **小时 (clock hours)**, for urgent cases: start + N hours; the calendar plays no part.

The calendar is chinesecalendar (2004-2026) under the admin's override file. When the span from
dispatch to due touches a year neither covers, the due time is computed with weekends off only,
returned with ``provisional=True`` and the ``missing_years``; `recompute_provisional` gives the
new due times once the year is added.

Public API: Unit, parse_unit, due_time, DueResult, work_elapsed, work_left, work_seconds,
missing_years, Schedule, parse_windows, HolidayCalendar, package_calendar, WorktimeConfig,
load_worktime, ConfigError, recompute_provisional, ProvisionalTicket, DueChange.
"""

from backend.worktime.calendar import HolidayCalendar, package_calendar, weekend_calendar
from backend.worktime.engine import (
    CIVIL,
    HOURS_RULE,
    WORKDAY_RULES,
    DueResult,
    Unit,
    due_time,
    missing_years,
    next_working_instant,
    parse_unit,
    work_elapsed,
    work_left,
    work_seconds,
)
from backend.worktime.loader import (
    ConfigError,
    WorktimeConfig,
    load_calendar_overrides,
    load_schedules,
    load_worktime,
)
from backend.worktime.recompute import DueChange, ProvisionalTicket, recompute_provisional
from backend.worktime.schedule import (
    EVERY_DAY,
    WORKING_DAYS,
    Period,
    Schedule,
    Window,
    default_schedule,
    parse_windows,
)

__all__ = [
    "CIVIL", "HOURS_RULE", "WORKDAY_RULES", "EVERY_DAY", "WORKING_DAYS",
    "ConfigError", "DueChange", "DueResult", "HolidayCalendar", "Period", "ProvisionalTicket",
    "Schedule", "Unit", "Window", "WorktimeConfig",
    "default_schedule", "due_time", "load_calendar_overrides", "load_schedules", "load_worktime",
    "missing_years", "next_working_instant", "package_calendar", "parse_unit", "parse_windows", "recompute_provisional",
    "weekend_calendar", "work_elapsed", "work_left", "work_seconds",
]
