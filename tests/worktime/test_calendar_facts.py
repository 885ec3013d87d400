"""The 2025 and 2026 holiday facts the other tests rely on, read from chinesecalendar itself.

Run with `-s` to see them printed. Source: the State Council notices on the 2025 and 2026
holiday arrangements (国务院办公厅关于部分节假日安排的通知), as packaged in chinesecalendar 1.11.
The expected dates in the other tests come from this data, not from memory.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from backend.worktime import HolidayCalendar


def _exceptions(year: int) -> tuple[list[date], list[date]]:
    """(weekdays off, weekend days worked) according to chinesecalendar."""
    off, on = [], []
    day = date(year, 1, 1)
    while day.year == year:
        worked = chinese_calendar.is_workday(day)
        if worked and day.weekday() >= 5:
            on.append(day)
        if not worked and day.weekday() < 5:
            off.append(day)
        day += timedelta(days=1)
    return off, on


@pytest.mark.parametrize("year", [2025, 2026])
def test_package_facts_printed(year: int) -> None:
    off, on = _exceptions(year)
    print(f"\n{year} weekdays off: {[d.isoformat() for d in off]}")
    print(f"{year} make-up working days (调休): {[(d.isoformat(), d.strftime('%a')) for d in on]}")
    assert off and on


def test_2026_spring_festival_feb_15_to_23_off_with_make_up_saturdays_feb_14_and_28() -> None:
    for offset in range(9):
        assert not chinese_calendar.is_workday(date(2026, 2, 15) + timedelta(days=offset))
    for make_up in (date(2026, 2, 14), date(2026, 2, 28)):
        assert make_up.weekday() == 5 and chinese_calendar.is_workday(make_up)
    assert chinese_calendar.is_workday(date(2026, 2, 24))


def test_2026_national_day_oct_1_to_7_off_with_make_up_sunday_sep_20_and_saturday_oct_10() -> None:
    assert chinese_calendar.is_workday(date(2026, 9, 30))
    for day in range(1, 8):
        assert not chinese_calendar.is_workday(date(2026, 10, day))
    assert date(2026, 9, 20).weekday() == 6 and chinese_calendar.is_workday(date(2026, 9, 20))
    assert date(2026, 10, 10).weekday() == 5 and chinese_calendar.is_workday(date(2026, 10, 10))


def test_2025_spring_festival_jan_28_to_feb_4_off_with_make_up_sunday_jan_26() -> None:
    for offset in range(8):
        assert not chinese_calendar.is_workday(date(2025, 1, 28) + timedelta(days=offset))
    assert date(2025, 1, 26).weekday() == 6 and chinese_calendar.is_workday(date(2025, 1, 26))
    assert not chinese_calendar.is_workday(date(2025, 1, 25))  # the Saturday before is off
    assert chinese_calendar.is_workday(date(2025, 2, 5))


def test_chinesecalendar_covers_2004_to_2026_and_raises_for_2027() -> None:
    chinese_calendar.is_workday(date(2004, 1, 2))
    chinese_calendar.is_workday(date(2026, 12, 31))
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 4))


def test_layered_calendar_agrees_with_chinesecalendar_on_every_covered_day(
        calendar: HolidayCalendar) -> None:
    assert calendar.package_years == frozenset(range(2004, 2027))
    day = date(2004, 1, 1)
    while day.year <= 2026:
        assert calendar.is_workday(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)
    assert calendar.next_uncovered_year() == 2027
