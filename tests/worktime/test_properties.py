"""Properties of the engine, checked by hypothesis against a slow minute-walking reference."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from backend.worktime import (
    Period,
    Schedule,
    default_schedule,
    due_time,
    package_calendar,
    parse_windows,
    work_elapsed,
)
from tests.worktime.support import SHANGHAI

CALENDAR = package_calendar()
STANDARD = default_schedule()
# Seasonal hours and an odd split, so the properties are not tied to one window layout.
SEASONAL = Schedule(windows=parse_windows("08:30-12:00,13:30-17:30"), periods=(
    Period(windows=parse_windows("08:00-11:30,14:30-18:00"), month_day=(5, 1)),
    Period(windows=parse_windows("09:00-12:00,13:00-16:45"), month_day=(10, 1)),
))
EVERY_DAY = Schedule(windows=parse_windows("06:00-11:00,12:00-20:00"), days="every")
SCHEDULES = st.sampled_from([STANDARD, SEASONAL, EVERY_DAY])

LO = int(datetime(2025, 1, 1, tzinfo=SHANGHAI).timestamp())
HI = int(datetime(2026, 12, 31, tzinfo=SHANGHAI).timestamp())
starts = st.integers(LO, HI).map(lambda s: datetime.fromtimestamp(s, SHANGHAI))
# Work-hour amounts in whole seconds, up to 120 work-hours (two weeks and more of holidays).
work_seconds = st.integers(1, 120 * 3600)


def hours(secs: int) -> Fraction:
    return Fraction(secs, 3600)


def in_working_time(moment: datetime, schedule: Schedule) -> bool:
    """Inside a window on a working day; a window's end counts as inside (due at 17:30)."""
    day = moment.date()
    if not (schedule.every_day or CALENDAR.is_workday(day)):
        return False
    secs = moment.hour * 3600 + moment.minute * 60 + moment.second
    return any(w.start < secs <= w.end for w in schedule.windows_on(day))


@settings(max_examples=300, deadline=None)
@given(SCHEDULES, starts, work_seconds)
def test_elapsed_from_start_to_due_equals_the_amount(schedule, start, secs):
    result = due_time(start, hours(secs), "工作时", schedule=schedule, calendar=CALENDAR)
    assert work_elapsed(start, result.due, schedule=schedule, calendar=CALENDAR) == \
        timedelta(seconds=secs)


@settings(max_examples=300, deadline=None)
@given(SCHEDULES, starts, work_seconds)
def test_work_hour_due_time_lies_inside_working_time_window_end_inclusive(schedule, start, secs):
    due = due_time(start, hours(secs), "工作时", schedule=schedule, calendar=CALENDAR).due
    assert due > start
    assert in_working_time(due, schedule)


@settings(max_examples=300, deadline=None)
@given(SCHEDULES, starts, st.integers(0, 30 * 86400), work_seconds,
       st.sampled_from(["工作时", "工作日", "小时"]))
def test_due_is_monotonic_in_start(schedule, start, later_by, secs, unit):
    amount = hours(secs) if unit != "工作日" else secs % 15 + 1
    later = start + timedelta(seconds=later_by)
    kw = dict(schedule=schedule, calendar=CALENDAR)
    assert due_time(start, amount, unit, **kw).due <= due_time(later, amount, unit, **kw).due


@settings(max_examples=300, deadline=None)
@given(SCHEDULES, starts, work_seconds, work_seconds, st.sampled_from(["工作时", "工作日", "小时"]))
def test_due_is_monotonic_in_amount(schedule, start, a, b, unit):
    small, large = sorted((a, b))
    if unit == "工作日":
        small, large = small % 15 + 1, small % 15 + 1 + large % 5
        amounts = small, large
    else:
        amounts = hours(small), hours(large)
    kw = dict(schedule=schedule, calendar=CALENDAR)
    assert due_time(start, amounts[0], unit, **kw).due <= due_time(start, amounts[1], unit, **kw).due


def _reference_due_minutes(start: datetime, minutes: int, schedule: Schedule) -> datetime:
    """Slow model: walk minute by minute, counting those inside working time."""
    t = start
    while minutes:
        t += timedelta(minutes=1)
        if in_working_time(t, schedule):
            minutes -= 1
    return t


@settings(max_examples=150, deadline=None)
@given(SCHEDULES, st.integers(LO // 60, HI // 60), st.integers(1, 40 * 60))
def test_work_hours_agree_with_minute_walking_reference(schedule, start_minute, minutes):
    start = datetime.fromtimestamp(start_minute * 60, SHANGHAI)
    due = due_time(start, Fraction(minutes, 60), "工作时", schedule=schedule, calendar=CALENDAR).due
    assert due == _reference_due_minutes(start, minutes, schedule)


@settings(max_examples=200, deadline=None)
@given(SCHEDULES, starts, st.integers(1, 25))
def test_civil_work_days_end_at_close_of_nth_working_day_after_dispatch_day(schedule, start, n):
    due = due_time(start, n, "工作日", schedule=schedule, calendar=CALENDAR).due
    day, counted = start.date(), 0
    while counted < n:  # slow model: walk the days after the dispatch day
        day += timedelta(days=1)
        if schedule.every_day or CALENDAR.is_workday(day):
            counted += 1
    close = schedule.windows_on(day)[-1].end
    assert due == datetime.combine(day, datetime.min.time(), SHANGHAI) + timedelta(seconds=close)


def test_reference_model_sanity():
    """Fri 2026-03-06 16:30 + 240 minutes walks to Mon 2026-03-09 11:30."""
    start = datetime(2026, 3, 6, 16, 30, tzinfo=SHANGHAI)
    assert _reference_due_minutes(start, 240, STANDARD) == datetime(2026, 3, 9, 11, 30,
                                                                    tzinfo=SHANGHAI)
    assert date(2026, 3, 6).weekday() == 4


@settings(max_examples=200, deadline=None)
@given(starts, st.integers(1, 15), st.integers(0, 30 * 86400))
def test_hours_rule_work_days_are_n_standard_days_of_work_time_and_monotonic(start, n, later_by):
    """With constant 7.5 h days, N 工作日 under the hours rule is exactly N x 7.5 work-hours.
    (With seasonal day lengths the multiplier follows the start day, so monotonicity in start
    is only guaranteed for constant-length schedules.)"""
    kw = dict(schedule=STANDARD, calendar=CALENDAR)
    due = due_time(start, n, "工作日", workday_rule="hours", **kw).due
    assert work_elapsed(start, due, **kw) == timedelta(hours=7.5 * n)
    later = start + timedelta(seconds=later_by)
    assert due <= due_time(later, n, "工作日", workday_rule="hours", **kw).due
