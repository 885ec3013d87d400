"""The holiday calendar: which dates are working days, and which years are actually known.

Layers, lowest first:
1. the weekend rule (Mon-Fri work, Sat/Sun off) - the only thing known about an uncovered year;
2. `chinesecalendar` (State Council notices, 2004-2026 in version 1.11; it raises beyond);
3. the admin's override file (a year the package lacks, a local holiday, a correction).

A year is *covered* when the package has it or the override file declares it under `years:`.
Dates listed for an uncovered year still apply, but results that touch that year stay
provisional. We deliberately do not use the `holidays` package: it guesses unpublished years.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Iterable

import chinese_calendar


@dataclass(frozen=True, eq=False)
class HolidayCalendar:
    """Exceptions to the weekend rule plus the set of covered years. Immutable; `key` fingerprints it."""

    days_off: frozenset[date] = frozenset()  # weekdays that are not worked
    days_on: frozenset[date] = frozenset()  # Saturdays/Sundays that are worked (调休)
    package_years: frozenset[int] = frozenset()
    override_years: frozenset[int] = frozenset()
    source: str = ""  # where the override came from, for messages
    key: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        content = repr((sorted(self.days_off), sorted(self.days_on), sorted(self.covered_years)))
        object.__setattr__(self, "key", hashlib.sha1(content.encode()).hexdigest())

    @property
    def covered_years(self) -> frozenset[int]:
        return self.package_years | self.override_years

    def is_covered(self, year: int) -> bool:
        return year in self.package_years or year in self.override_years

    def is_workday(self, day: date) -> bool:
        if day in self.days_on:
            return True
        if day in self.days_off:
            return False
        return day.weekday() < 5

    def missing_years(self, first: int, last: int) -> tuple[int, ...]:
        return tuple(y for y in range(first, last + 1) if not self.is_covered(y))

    def next_uncovered_year(self) -> int | None:
        """The first gap after the earliest covered year: the year tickets will first go provisional."""
        covered = self.covered_years
        if not covered:
            return None
        year = min(covered)
        while year in covered:
            year += 1
        return year

    def covered_ranges(self) -> list[tuple[int, int]]:
        """Covered years as inclusive (first, last) runs."""
        runs: list[tuple[int, int]] = []
        for year in sorted(self.covered_years):
            if runs and runs[-1][1] == year - 1:
                runs[-1] = (runs[-1][0], year)
            else:
                runs.append((year, year))
        return runs

    def with_overrides(self, *, years: Iterable[int] = (), days_off: Iterable[date] = (),
                       days_on: Iterable[date] = (), source: str = "") -> "HolidayCalendar":
        """A new calendar with override entries on top; the override wins over the package."""
        off, on = set(days_off), set(days_on)
        clash = off & on
        if clash:
            raise ValueError(f"同一天既是休息日又是工作日：{min(clash)} / date listed as both off and on")
        return HolidayCalendar(
            days_off=frozenset((self.days_off - on) | {d for d in off if d.weekday() < 5}),
            days_on=frozenset((self.days_on - off) | {d for d in on if d.weekday() >= 5}),
            package_years=self.package_years,
            override_years=self.override_years | frozenset(years),
            source=source or self.source,
        )


def weekend_calendar() -> HolidayCalendar:
    """No holiday knowledge at all: every year uncovered, weekends off."""
    return HolidayCalendar()


@lru_cache(maxsize=1)
def package_calendar() -> HolidayCalendar:
    """The State Council calendar as shipped in `chinesecalendar`, read through its public API."""
    years = []
    for year in range(1990, 2200):
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
        except NotImplementedError:
            continue
        years.append(year)
    off, on = set(), set()
    for year in years:
        day, end = date(year, 1, 1), date(year + 1, 1, 1)
        while day < end:
            worked = chinese_calendar.is_workday(day)
            if worked and day.weekday() >= 5:
                on.add(day)
            elif not worked and day.weekday() < 5:
                off.add(day)
            day += timedelta(days=1)
    return HolidayCalendar(days_off=frozenset(off), days_on=frozenset(on),
                           package_years=frozenset(years), source="chinesecalendar")
