"""Grades and money: grade bands and the per-m² subsidy (seed 003 七(二)). Pure, exact to the fen.

subsidy = building area (m²) × rate(grade) (元/㎡/月) × months, where months are the period's
calendar months that fall inside the subsidy term (`years` from the day the company moved in).
A month counts when its first day lies in [move-in month, move-in + years); a half-year wholly
inside the term therefore counts 6 months.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Sequence

from backend.rubrics.models import GradeBand, Subsidy, amount_value
from backend.scoring.observations import Period
from backend.scoring.results import CENT, Money, fmt


def grade_for(bands: Sequence[GradeBand], score: Decimal) -> str | None:
    """The first band (highest min first) whose min the score reaches; min inclusive (含)."""
    if any(b.min is not None and amount_value(b.min) is None for b in bands):
        return None  # an unconfigured threshold: no band can be decided without guessing
    keyed = sorted(bands, key=lambda b: (amount_value(b.min) is None, -(amount_value(b.min) or 0)))
    for b in keyed:
        m = amount_value(b.min)
        if m is None:
            return b.name  # the lowest band: no minimum
        if score >= m:
            return b.name
    return None


def _month_starts(period: Period) -> list[date]:
    out, d = [], date(period.start.year, period.start.month, 1)
    while d <= period.end:
        out.append(d)
        d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return out


def subsidy(rule: Subsidy, grade: str, area_m2: Decimal, period: Period | None,
            moved_in: date | None) -> tuple[Money, list[str]]:
    warnings: list[str] = []
    if grade not in rule.rates:
        return Money("subsidy", None, f"等次“{grade}”没有补贴标准"), [f"等次“{grade}”没有补贴标准"]
    rate = amount_value(rule.rates[grade])
    if rate is None:
        return Money("subsidy", None, f"{grade}等次的补贴标准待配置"), [f"{grade}等次的补贴标准待配置"]
    months = rule.months_per_period
    years = amount_value(rule.years)
    years = None if years is None else int(years)
    if period is not None and moved_in is not None and years:
        start = date(moved_in.year, moved_in.month, 1)
        try:
            end = moved_in.replace(year=moved_in.year + years)
        except ValueError:  # 29 Feb
            end = date(moved_in.year + years, 3, 1)
        starts = _month_starts(period)
        months = sum(1 for m in starts if start <= m < end)
        if months != len(starts):
            warnings.append(f"补贴期限为进驻之日（{moved_in}）起{years}年，本期计 {months} 个月")
    elif years:
        warnings.append(f"未提供物业进驻日期（facts.moved_in），未核对{years}年补贴期限")
    amount = (area_m2 * rate * months).quantize(CENT, rounding=ROUND_HALF_UP)
    detail = f"{fmt(area_m2)}㎡ × {fmt(rate)}元/㎡/月 × {months}个月 = {amount}元"
    return Money("subsidy", amount, detail, months, rate), warnings
