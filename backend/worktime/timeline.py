"""Precomputed epoch-second tables for one (schedule, calendar) pair: the engine's fast path.

Working time is a sorted list of intervals [starts[i], ends[i]) in epoch seconds, with the
cumulative work seconds before each one. Every question becomes one or two `bisect` calls over
lists of ints, whatever the span: no minute-by-minute or day-by-day walking at query time.

Tables cover whole local years [first_year, last_year]; a query outside them rebuilds a wider
table (rare: a build of ~35 years takes a few tens of milliseconds).
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from backend.worktime.calendar import HolidayCalendar
from backend.worktime.schedule import Schedule

MIN_YEAR = 1971  # keeps epoch seconds positive, so int() truncation is a floor
MAX_YEAR = 2199  # amounts reaching beyond this are refused rather than tabulated
_MARGIN_YEARS = 5


class OutOfRange(Exception):
    """Internal: the tables do not reach far enough; carries the years to cover."""

    def __init__(self, first_year: int, last_year: int) -> None:
        self.first_year, self.last_year = first_year, last_year


class Timeline:
    __slots__ = (
        "schedule", "calendar", "zone", "first_year", "last_year", "lo", "hi",
        "starts", "ends", "lens", "cum_before", "cum_after", "day_secs",
        "day_starts", "wd_upto", "wd_close", "safe_lo", "safe_hi", "year_starts",
    )

    def __init__(self, schedule: Schedule, calendar: HolidayCalendar,
                 first_year: int, last_year: int) -> None:
        if first_year < MIN_YEAR or last_year > MAX_YEAR:
            raise ValueError(f"日期超出支持范围（{MIN_YEAR}–{MAX_YEAR} 年）/ date outside the supported "
                             f"range {MIN_YEAR}-{MAX_YEAR}")
        self.schedule, self.calendar = schedule, calendar
        self.zone = ZoneInfo(schedule.timezone)
        self.first_year, self.last_year = first_year, last_year
        zone, every_day = self.zone, schedule.every_day

        starts: list[int] = []
        ends: list[int] = []
        day_secs: list[int] = []  # per interval: total work seconds of its day ("hours" rule)
        day_starts: list[int] = []  # epoch of each local midnight, plus one sentinel
        wd_upto: list[int] = []  # per day: working days up to and including it
        wd_close: list[int] = []  # per working day: epoch of its last window's end
        year_starts: list[int] = []

        day, end_day = date(first_year, 1, 1), date(last_year + 1, 1, 1)
        midnight = _local_epoch(zone, day, 0)
        while day < end_day:
            next_day = day + timedelta(days=1)
            next_midnight = _local_epoch(zone, next_day, 0)
            if day.month == 1 and day.day == 1:
                year_starts.append(midnight)
            day_starts.append(midnight)
            windows = schedule.windows_on(day) if (every_day or calendar.is_workday(day)) else ()
            if windows:
                fixed = next_midnight - midnight == 86_400  # no DST change today: plain addition
                bounds = [(midnight + w.start, midnight + w.end) if fixed else
                          (_local_epoch(zone, day, w.start), _local_epoch(zone, day, w.end))
                          for w in windows]
                total = sum(b - a for a, b in bounds)
                for a, b in bounds:
                    starts.append(a)
                    ends.append(b)
                    day_secs.append(total)
                wd_close.append(bounds[-1][1])
            wd_upto.append(len(wd_close))
            day, midnight = next_day, next_midnight
        day_starts.append(midnight)
        year_starts.append(midnight)

        self.starts, self.ends, self.day_secs = starts, ends, day_secs
        self.lens = [b - a for a, b in zip(starts, ends)]
        cum, running = [], 0
        for length in self.lens:
            cum.append(running)
            running += length
        self.cum_before = cum
        self.cum_after = [c + n for c, n in zip(cum, self.lens)]
        self.day_starts, self.wd_upto, self.wd_close = day_starts, wd_upto, wd_close
        self.year_starts = year_starts
        self.lo, self.hi = day_starts[0], day_starts[-1]
        self.safe_lo, self.safe_hi = self._safe_span()

    def _safe_span(self) -> tuple[float, float]:
        """The widest epoch span, inside the tables, whose years are all covered.

        A result whose [start, due] lies inside it cannot be provisional: two comparisons on the
        fast path. Anything else takes the slow path, which names the missing years exactly.
        """
        if self.schedule.every_day:
            return float("-inf"), float("inf")  # a schedule that ignores the calendar
        best, run_start = (0, 0), None
        for index, year in enumerate(range(self.first_year, self.last_year + 2)):
            covered = year <= self.last_year and self.calendar.is_covered(year)
            if covered and run_start is None:
                run_start = index
            elif not covered and run_start is not None:
                if index - run_start > best[1] - best[0]:
                    best = (run_start, index)
                run_start = None
        if best == (0, 0):
            return 0, 0
        return self.year_starts[best[0]], self.year_starts[best[1]]

    # -- slow-path helpers -------------------------------------------------------------------

    def year_of(self, epoch: int) -> int:
        return datetime.fromtimestamp(epoch, self.zone).year

    def missing_years(self, start: int, due: int) -> tuple[int, ...]:
        """Uncovered years among those the span [start, due] touches (the due instant itself is
        the end of worked time, so a due at 24:00 on 31 December does not touch the next year)."""
        if self.schedule.every_day or (self.safe_lo <= start and due < self.safe_hi):
            return ()
        first = self.year_of(min(start, due))
        last = self.year_of(max(start, due - 1))
        return self.calendar.missing_years(first, last)

    def position(self, t: int) -> int:
        """Work seconds from the start of the tables up to instant t."""
        if t < self.lo or t >= self.hi:
            year = self.year_of(t)
            raise OutOfRange(min(year, self.first_year), max(year, self.last_year))
        i = bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        into = t - self.starts[i]
        length = self.lens[i]
        return self.cum_before[i] + (into if into < length else length)


def _local_epoch(zone: ZoneInfo, day: date, secs: int) -> int:
    """Epoch seconds of local wall time `secs` after midnight on `day` (24:00 = next midnight)."""
    extra, secs = divmod(secs, 86_400)
    hours, rest = divmod(secs, 3600)
    moment = datetime(day.year, day.month, day.day, hours, rest // 60, rest % 60, tzinfo=zone)
    return int(moment.timestamp()) + extra * 86_400


# One table per (schedule content, calendar content). Replaced, never mutated, when widened.
_CACHE: dict[tuple[str, str], Timeline] = {}
_CACHE_LIMIT = 64


def initial_years(calendar: HolidayCalendar) -> tuple[int, int]:
    covered = calendar.covered_years
    last = max(max(covered, default=2026), 2030) + _MARGIN_YEARS
    return 2000, last


def timeline_for(schedule: Schedule, calendar: HolidayCalendar) -> Timeline:
    key = (schedule.key, calendar.key)
    found = _CACHE.get(key)
    if found is None:
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.pop(next(iter(_CACHE)))
        found = _CACHE[key] = Timeline(schedule, calendar, *initial_years(calendar))
    return found


def widen(timeline: Timeline, first_year: int, last_year: int) -> Timeline:
    """A wider table replacing `timeline` in the cache; refuses spans beyond MAX_YEAR."""
    first = min(timeline.first_year, max(MIN_YEAR, first_year - 1))
    last = max(timeline.last_year, min(MAX_YEAR, last_year + _MARGIN_YEARS))
    if first_year < MIN_YEAR or last_year > MAX_YEAR:
        raise ValueError(f"日期或时限超出支持范围（{MIN_YEAR}–{MAX_YEAR} 年）/ date or amount reaches "
                         f"outside the supported range {MIN_YEAR}-{MAX_YEAR}")
    wider = Timeline(timeline.schedule, timeline.calendar, first, last)
    _CACHE[(timeline.schedule.key, timeline.calendar.key)] = wider
    return wider
