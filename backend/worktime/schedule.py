"""Working schedules as data: daily windows, seasonal or dated changes, which days they run on.

A schedule answers one question for the engine: on local date D, which windows are working
time? The engine turns those answers into epoch-second tables once (see `timeline.py`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

# Which days a schedule runs on.
WORKING_DAYS = "working"  # official working days: Mon-Fri minus holidays, plus make-up days (调休)
EVERY_DAY = "every"  # every calendar day, holidays included (e.g. street cleaning crews)
DAY_KINDS = (WORKING_DAYS, EVERY_DAY)


@dataclass(frozen=True, order=True)
class Window:
    """One daily working window, in seconds after local midnight; end is exclusive (24:00 allowed)."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not (0 <= self.start < self.end <= 86_400):
            raise ValueError(f"作息时段无效 / invalid window {self.label()}")

    def label(self) -> str:
        return f"{_hhmm(self.start)}-{_hhmm(self.end)}"


def _hhmm(secs: int) -> str:
    return f"{secs // 3600:02d}:{secs % 3600 // 60:02d}"


def parse_clock(text: str) -> int:
    """'08:30' -> seconds after midnight; '24:00' is accepted as the end of the day."""
    parts = text.strip().split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise ValueError(f"时间格式应为 HH:MM：{text!r} / time must be HH:MM: {text!r}")
    hours, minutes = int(parts[0]), int(parts[1])
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise ValueError(f"时间无效：{text!r} / invalid time: {text!r}")
    return hours * 3600 + minutes * 60


def parse_windows(text: str | list[str] | tuple[str, ...]) -> tuple[Window, ...]:
    """'08:00-12:00,14:00-18:00' (or a list of 'HH:MM-HH:MM') -> sorted, non-overlapping windows."""
    items = text.split(",") if isinstance(text, str) else list(text)
    windows = []
    for item in items:
        item = item.strip()
        if not item:
            continue
        start, sep, end = item.partition("-")
        if not sep:
            raise ValueError(f"时段格式应为 HH:MM-HH:MM：{item!r} / window must be HH:MM-HH:MM: {item!r}")
        a, b = parse_clock(start), parse_clock(end)
        if a >= b:
            raise ValueError(f"时段结束须晚于开始（不支持跨午夜）：{item!r} / window must end after it "
                             f"starts (no overnight windows): {item!r}")
        windows.append(Window(a, b))
    return check_windows(windows)


def check_windows(windows: list[Window] | tuple[Window, ...]) -> tuple[Window, ...]:
    ordered = tuple(sorted(windows))
    for before, after in zip(ordered, ordered[1:]):
        if after.start < before.end:
            raise ValueError(f"作息时段重叠：{before.label()} 与 {after.label()} / overlapping windows")
    return ordered


@dataclass(frozen=True)
class Period:
    """Windows in force from a date on. `month_day` recurs every year (summer/winter hours);
    `on` is a one-off dated change. Exactly one of the two is set."""

    windows: tuple[Window, ...]
    on: date | None = None
    month_day: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        if (self.on is None) == (self.month_day is None):
            raise ValueError("period needs exactly one of `on` or `month_day`")
        if self.month_day is not None:
            date(2001, *self.month_day)  # a non-leap year: "02-29" would skip three years in four

    def latest_start(self, day: date) -> date | None:
        """The most recent date <= day on which this period took effect, if any."""
        if self.on is not None:
            return self.on if self.on <= day else None
        this_year = date(day.year, *self.month_day)
        return this_year if this_year <= day else date(day.year - 1, *self.month_day)


@dataclass(frozen=True, eq=False)
class Schedule:
    """A working schedule. Later-starting periods win; before any period starts, `windows` apply.

    `key` is a content fingerprint: two schedules with the same content share cached tables.
    """

    windows: tuple[Window, ...]
    periods: tuple[Period, ...] = ()
    days: str = WORKING_DAYS
    timezone: str = "Asia/Shanghai"
    name: str = ""
    key: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.days not in DAY_KINDS:
            raise ValueError(f"days 只能是 {DAY_KINDS} / days must be one of {DAY_KINDS}: {self.days!r}")
        object.__setattr__(self, "windows", check_windows(self.windows))
        content = repr((self.windows, self.periods, self.days, self.timezone))
        object.__setattr__(self, "key", hashlib.sha1(content.encode()).hexdigest())

    @property
    def every_day(self) -> bool:
        return self.days == EVERY_DAY

    def windows_on(self, day: date) -> tuple[Window, ...]:
        """Windows in force on `day`, ignoring whether `day` is a working day."""
        best: tuple[date, int] | None = None
        chosen = self.windows
        for index, period in enumerate(self.periods):
            started = period.latest_start(day)
            # Ties go to the later entry in the file, so a correction can sit below the rule.
            if started is not None and (best is None or (started, index) > best):
                best, chosen = (started, index), period.windows
        return chosen

    def describe(self) -> str:
        base = ",".join(w.label() for w in self.windows)
        kind = "每天" if self.every_day else "工作日"
        extra = f"，另有 {len(self.periods)} 个季节/变更时段" if self.periods else ""
        return f"{self.name or '作息'}（{kind} {base}{extra}）"


DEFAULT_WINDOWS = parse_windows("08:30-12:00,13:30-17:30")


def default_schedule(timezone: str = "Asia/Shanghai") -> Schedule:
    """The documented default: 08:30-12:00 and 13:30-17:30 on official working days."""
    return Schedule(windows=DEFAULT_WINDOWS, timezone=timezone, name="默认作息")
