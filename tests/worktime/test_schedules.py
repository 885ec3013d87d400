"""Schedules are data: seasonal hours, dated changes, every-day crews, custom windows."""

from __future__ import annotations

from datetime import date

from backend.worktime import Period, Schedule, due_time, parse_windows
from tests.worktime.support import at

SUMMER = parse_windows("08:30-12:00,14:30-18:00")
WINTER = parse_windows("08:30-12:00,13:30-17:30")
SEASONAL = Schedule(windows=WINTER, periods=(Period(windows=SUMMER, month_day=(5, 1)),
                                             Period(windows=WINTER, month_day=(10, 1))))


def test_seasonal_periods_recur_every_year():
    assert SEASONAL.windows_on(date(2026, 4, 30)) == WINTER
    assert SEASONAL.windows_on(date(2026, 5, 1)) == SUMMER
    assert SEASONAL.windows_on(date(2026, 9, 30)) == SUMMER
    assert SEASONAL.windows_on(date(2027, 1, 15)) == WINTER  # carried over from 2026-10-01


def test_summer_hours_move_the_afternoon_window(calendar):
    """Summer (from 05-01): afternoon 14:30-18:00. Wed 2026-06-03 13:00, 2 工作时: counting starts
    14:30 -> due 16:30. Winter: Wed 2026-11-04 13:00 starts 13:30 -> due 15:30."""
    kw = dict(schedule=SEASONAL, calendar=calendar)
    assert due_time(at("2026-06-03 13:00"), 2, "工作时", **kw).due == at("2026-06-03 16:30")
    assert due_time(at("2026-11-04 13:00"), 2, "工作时", **kw).due == at("2026-11-04 15:30")


def test_work_day_close_of_business_follows_the_season(calendar):
    """Thu 2026-04-30 10:00, 1 工作日: 05-01..05-05 are the Labour Day holiday; Wed 05-06 is day 1,
    under summer hours, closing at 18:00."""
    assert due_time(at("2026-04-30 10:00"), 1, "工作日", schedule=SEASONAL,
                    calendar=calendar).due == at("2026-05-06 18:00")


def test_dated_change_takes_effect_once_and_stays(calendar):
    """From 2026-07-01 the office opens at 09:00. Wed 2026-07-01 07:00, 1 工作时 -> 10:00;
    on Tue 2026-06-30 the old 08:30 opening still applies -> 09:30."""
    changed = Schedule(windows=WINTER, periods=(
        Period(windows=parse_windows("09:00-12:00,13:30-17:30"), on=date(2026, 7, 1)),))
    kw = dict(schedule=changed, calendar=calendar)
    assert due_time(at("2026-07-01 07:00"), 1, "工作时", **kw).due == at("2026-07-01 10:00")
    assert due_time(at("2026-06-30 07:00"), 1, "工作时", **kw).due == at("2026-06-30 09:30")
    assert changed.windows_on(date(2030, 1, 1)) == parse_windows("09:00-12:00,13:30-17:30")


def test_every_day_schedule_works_through_holidays(calendar):
    """Street cleaning (清扫保洁) crews work every day: Thu 2026-10-01 (National Day) 09:00,
    2 工作时 -> 11:00 the same day."""
    every = Schedule(windows=WINTER, days="every")
    assert due_time(at("2026-10-01 09:00"), 2, "工作时", schedule=every,
                    calendar=calendar).due == at("2026-10-01 11:00")


def test_custom_windows_from_the_command_line_shape(calendar):
    """08:00-12:00,14:00-18:00: Fri 2026-03-06 16:30 + 4 工作时 = 1.5 h Fri, Mon 08:00 + 2.5 h
    -> 10:30."""
    custom = Schedule(windows=parse_windows("08:00-12:00,14:00-18:00"))
    assert due_time(at("2026-03-06 16:30"), 4, "工作时", schedule=custom,
                    calendar=calendar).due == at("2026-03-09 10:30")


def test_schedules_with_equal_content_share_tables():
    a = Schedule(windows=parse_windows("08:30-12:00"))
    b = Schedule(windows=parse_windows("08:30-12:00"), name="other label")
    assert a.key == b.key
    assert a.key != Schedule(windows=parse_windows("08:30-12:00"), days="every").key


def test_windows_are_wall_clock_time_across_a_dst_change():
    """A deployment zone with DST (Europe/Berlin; summer time from Sun 2026-03-29): Fri 03-27
    16:30 + 4 工作时 = 1 h Fri, Mon 03-30 08:30 + 3 h -> 11:30 local, now +02:00."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from backend.worktime import weekend_calendar

    berlin = ZoneInfo("Europe/Berlin")
    schedule = Schedule(windows=WINTER, timezone="Europe/Berlin")
    result = due_time(datetime(2026, 3, 27, 16, 30, tzinfo=berlin), 4, "工作时", schedule=schedule,
                      calendar=weekend_calendar())
    assert result.due.isoformat() == "2026-03-30T11:30:00+02:00"
