"""Due times on the real 2025 and 2026 calendars, each worked out by hand in its docstring.

Default schedule: 08:30-12:00 and 13:30-17:30 on working days, 7.5 work-hours a day.
"""

from __future__ import annotations

from datetime import timedelta

from backend.worktime import due_time, work_elapsed, work_left
from tests.worktime.support import at


def due(start: str, amount, unit: str, standard, calendar, **kw):
    result = due_time(at(start), amount, unit, schedule=standard, calendar=calendar, **kw)
    assert not result.provisional and result.missing_years == ()
    return result.due


# -- 工作时 --------------------------------------------------------------------------------------

def test_work_hours_friday_1630_plus_4_carries_over_the_weekend(standard, calendar):
    """Fri 2026-03-06 16:30, 4 工作时: 16:30-17:30 is 1 h; Sat/Sun are off; Mon 03-09 from 08:30
    the remaining 3 h end at 11:30. Due 2026-03-09 11:30+08:00."""
    assert due("2026-03-06 16:30", 4, "工作时", standard, calendar) == at("2026-03-09 11:30")


def test_work_hours_dispatch_on_saturday_starts_at_monday_opening(standard, calendar):
    """Sat 2026-03-07 10:00, 4 工作时: counting starts Mon 03-09 08:30; 08:30-12:00 is 3.5 h;
    the last 0.5 h runs 13:30-14:00. Due 2026-03-09 14:00."""
    assert due("2026-03-07 10:00", 4, "工作时", standard, calendar) == at("2026-03-09 14:00")


def test_work_hours_dispatch_at_1230_starts_after_lunch_and_ends_at_window_end(standard, calendar):
    """Wed 2026-03-11 12:30 (lunch break), 4 工作时: counting starts 13:30; 4 h complete exactly at
    17:30, the window's end, so the due time is 17:30 that day, not 08:30 the next morning."""
    assert due("2026-03-11 12:30", 4, "工作时", standard, calendar) == at("2026-03-11 17:30")


def test_work_hours_dispatch_at_1729_keeps_its_last_minute(standard, calendar):
    """Thu 2026-03-12 17:29, 2 工作时: 1 minute runs 17:29-17:30; Fri 03-13 from 08:30 the other
    1 h 59 min end at 10:29. Due 2026-03-13 10:29."""
    assert due("2026-03-12 17:29", 2, "工作时", standard, calendar) == at("2026-03-13 10:29")


def test_work_hours_dispatch_the_day_before_national_day_waits_out_the_holiday(standard, calendar):
    """Wed 2026-09-30 15:00, 4 工作时: 15:00-17:30 is 2.5 h; 10-01..10-07 are the National Day
    holiday; Thu 10-08 from 08:30 the remaining 1.5 h end at 10:00. Due 2026-10-08 10:00."""
    assert due("2026-09-30 15:00", 4, "工作时", standard, calendar) == at("2026-10-08 10:00")


def test_work_hours_on_make_up_sunday_2026_09_20_count_that_sunday(standard, calendar):
    """Sun 2026-09-20 is a make-up working day (调休 for National Day). 09:00, 4 工作时:
    09:00-12:00 is 3 h, 13:30-14:30 the last 1 h. Due the same Sunday 14:30. An ordinary Sunday
    (09-13) would instead start on Mon 09-14 and end 13:30 + 0.5 h = 14:00."""
    assert due("2026-09-20 09:00", 4, "工作时", standard, calendar) == at("2026-09-20 14:30")
    assert due("2026-09-13 09:00", 4, "工作时", standard, calendar) == at("2026-09-14 14:00")


def test_work_hours_spanning_windows_count_each_window(standard, calendar):
    """Tue 2025-03-04 09:00, 10 工作时: 09:00-12:00 3 h, 13:30-17:30 4 h (7 h); Wed 03-05
    08:30-11:30 the last 3 h. Due 2025-03-05 11:30."""
    assert due("2025-03-04 09:00", 10, "工作时", standard, calendar) == at("2025-03-05 11:30")


# -- 工作日, civil rule ---------------------------------------------------------------------------

def test_work_days_civil_7_across_2026_spring_festival_with_two_make_up_saturdays(standard, calendar):
    """Fri 2026-02-13 10:00, 7 工作日, civil rule: the dispatch day does not count. Working days
    after it: Sat 02-14 (调休) 1; 02-15..02-23 Spring Festival off; Tue 02-24 2, 02-25 3,
    02-26 4, 02-27 5; Sat 02-28 (调休) 6; Sun 03-01 off; Mon 03-02 7. Due 2026-03-02 17:30."""
    assert due("2026-02-13 10:00", 7, "工作日", standard, calendar) == at("2026-03-02 17:30")


def test_work_days_civil_3_across_2025_spring_festival_with_make_up_sunday(standard, calendar):
    """Fri 2025-01-24 14:00, 3 工作日: Sat 01-25 off; Sun 01-26 (调休) 1; Mon 01-27 2;
    01-28..02-04 Spring Festival off; Wed 02-05 3. Due 2025-02-05 17:30."""
    assert due("2025-01-24 14:00", 3, "工作日", standard, calendar) == at("2025-02-05 17:30")


def test_work_days_civil_the_day_before_national_day_reaches_make_up_saturday(standard, calendar):
    """Wed 2026-09-30 15:00, 3 工作日: 10-01..10-07 off; Thu 10-08 1, Fri 10-09 2,
    Sat 10-10 (调休) 3. Due 2026-10-10 17:30."""
    assert due("2026-09-30 15:00", 3, "工作日", standard, calendar) == at("2026-10-10 17:30")


def test_work_days_civil_dispatch_day_does_not_count_even_before_opening(standard, calendar):
    """Mon 2026-03-09 07:00, 1 工作日: Monday is the dispatch day and does not count, though no
    work time had passed yet; Tue 03-10 is day 1. Due 2026-03-10 17:30."""
    assert due("2026-03-09 07:00", 1, "工作日", standard, calendar) == at("2026-03-10 17:30")


def test_work_days_civil_dispatch_on_holiday_counts_from_next_working_day(standard, calendar):
    """Sat 2026-10-03 (holiday) 10:00, 1 工作日: 10-04..10-07 off; Thu 10-08 is day 1.
    Due 2026-10-08 17:30."""
    assert due("2026-10-03 10:00", 1, "工作日", standard, calendar) == at("2026-10-08 17:30")


# -- 工作日, hours rule --------------------------------------------------------------------------

def test_work_days_hours_rule_is_n_times_the_days_work_hours(standard, calendar):
    """Fri 2026-03-06 16:30, 2 工作日 under workday_rule="hours" = 2 x 7.5 = 15 工作时:
    Fri 1 h; Mon 7.5 h (8.5); Tue 08:30-12:00 3.5 h (12), 13:30-16:30 3 h (15).
    Due 2026-03-10 16:30 - the same clock time two working days on."""
    assert due("2026-03-06 16:30", 2, "工作日", standard, calendar,
               workday_rule="hours") == at("2026-03-10 16:30")


# -- 小时 -----------------------------------------------------------------------------------------

def test_clock_hours_ignore_the_calendar_on_a_holiday(standard, calendar):
    """Thu 2026-10-01 (National Day) 11:00, 2 小时 urgent: clock hours ignore holidays and the
    lunch break. Due 2026-10-01 13:00."""
    assert due("2026-10-01 11:00", 2, "小时", standard, calendar) == at("2026-10-01 13:00")


def test_clock_hours_cross_midnight(standard, calendar):
    """Sat 2025-10-04 (holiday) 23:15, 2 小时: due Sun 10-05 01:15."""
    assert due("2025-10-04 23:15", 2, "hours", standard, calendar) == at("2025-10-05 01:15")


# -- elapsed and left ------------------------------------------------------------------------------

def test_elapsed_counts_only_windows_on_working_days(standard, calendar):
    """Fri 2026-03-06 16:30 to Mon 03-09 11:30: 1 h Friday + 3 h Monday = 4 h."""
    assert work_elapsed(at("2026-03-06 16:30"), at("2026-03-09 11:30"), schedule=standard,
                        calendar=calendar) == timedelta(hours=4)


def test_elapsed_over_the_2026_spring_festival_week_is_one_make_up_day(standard, calendar):
    """Sat 2026-02-14 00:00 to Tue 02-24 00:00: only the make-up Saturday 02-14 is worked: 7.5 h."""
    assert work_elapsed(at("2026-02-14 00:00"), at("2026-02-24 00:00"), schedule=standard,
                        calendar=calendar) == timedelta(hours=7.5)


def test_work_left_is_positive_before_and_negative_after_the_due_time(standard, calendar):
    """Due Mon 2026-03-09 11:30. At Fri 03-06 17:00: 0.5 h Friday + 3 h Monday = 3.5 h left.
    At Mon 14:00: 11:30-12:00 and 13:30-14:00 have passed, so -1 h (overdue)."""
    due_at = at("2026-03-09 11:30")
    kw = dict(schedule=standard, calendar=calendar)
    assert work_left(at("2026-03-06 17:00"), due_at, **kw) == timedelta(hours=3.5)
    assert work_left(at("2026-03-09 14:00"), due_at, **kw) == timedelta(hours=-1)


def test_work_left_for_a_clock_hour_ticket_is_clock_time(standard, calendar):
    """2 小时 ticket due 2026-10-01 13:00; at 13:30 it is 30 clock minutes overdue."""
    assert work_left(at("2026-10-01 13:30"), at("2026-10-01 13:00"), schedule=standard,
                     calendar=calendar, unit="小时") == timedelta(minutes=-30)
