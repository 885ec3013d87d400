"""Reporting periods in the deployment's zone: month, quarter, half year, year, or a date range.

    "2026-10"  → October 2026            "2026Q3" → July–September 2026
    "2026H1"   → January–June 2026       "2026"   → the year
    "2026-03-05..2026-04-20" → any range of days (both ends included)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    key: str
    start: date
    end: date  # inclusive
    label: str

    @property
    def months(self) -> list[int]:
        """The yyyymm months the period touches (roll-ups group by a stored month column)."""
        out, y, m = [], self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append(y * 100 + m)
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    @property
    def whole_months(self) -> bool:
        return self.start.day == 1 and (self.end + timedelta(days=1)).day == 1

    def bounds(self, timezone: str = "Asia/Shanghai") -> tuple[datetime, datetime]:
        """[start 00:00, day after end 00:00) as aware instants in the zone."""
        zone = ZoneInfo(timezone)
        return (datetime.combine(self.start, time(0), zone),
                datetime.combine(self.end + timedelta(days=1), time(0), zone))


def _month_end(year: int, month: int) -> date:
    return (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1))


def parse_period(text: str) -> Period:
    t = text.strip().upper()
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", t):
        y, mo = int(m[1]), int(m[2])
        if not 1 <= mo <= 12:
            raise PeriodError(f"月份无效: {text}")
        return Period(f"{y}-{mo:02d}", date(y, mo, 1), _month_end(y, mo), f"{y}年{mo}月")
    if m := re.fullmatch(r"(\d{4})Q([1-4])", t):
        y, q = int(m[1]), int(m[2])
        return Period(f"{y}Q{q}", date(y, 3 * q - 2, 1), _month_end(y, 3 * q), f"{y}年第{q}季度")
    if m := re.fullmatch(r"(\d{4})H([12])", t):
        y, h = int(m[1]), int(m[2])
        return Period(f"{y}H{h}", date(y, 6 * h - 5, 1), _month_end(y, 6 * h),
                      f"{y}年{'上' if h == 1 else '下'}半年")
    if m := re.fullmatch(r"(\d{4})", t):
        y = int(m[1])
        return Period(f"{y}", date(y, 1, 1), date(y, 12, 31), f"{y}年")
    if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", t):
        try:
            start, end = date.fromisoformat(m[1]), date.fromisoformat(m[2])
        except ValueError:
            raise PeriodError(f"日期无效: {text}") from None
        if end < start:
            raise PeriodError(f"结束日期早于开始日期: {text}")
        return Period(f"{start}..{end}", start, end, f"{start:%Y年%m月%d日}至{end:%Y年%m月%d日}")
    raise PeriodError(f"无法识别的期间“{text}”：可用 2026-10、2026Q3、2026H1、2026 或 "
                      "2026-03-05..2026-04-20")
