"""Ranking of peers and allocation of prize tiers. Pure functions.

Two tie rules, both deliberate:

- **Rank clauses** (seed 000 item 5: 投诉量占比最高的地区扣2分、次高的扣1分) rank *values*, not
  places: dense ranking. Every peer at the highest value is "最高", every peer at the second-highest
  distinct value is "次高". Values ≤ 0 are never ranked (an area without complaints is not "highest").
- **Score rankings and prizes** (seed 002 §五, 附件4) use competition ranking (1, 2, 2, 4): tied
  subjects share the better place. A prize tier covers places; a tie that straddles a tier boundary
  gives every tied subject the better prize (no tie-break by name or order, which would be arbitrary),
  and a warning says the tier count was exceeded so the town can decide.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable, Mapping, Sequence

from backend.rubrics.models import ConfigValue, Prize, amount_value
from backend.scoring.results import PrizeAward, Ranked


def dense_position(value: Decimal, values: Iterable[Decimal]) -> tuple[int | None, int]:
    """(0-based dense position of `value` among the distinct positive values, how many share it)."""
    vals = list(values)
    if value <= 0:
        return None, 0
    distinct = sorted({v for v in vals if v > 0}, reverse=True)
    return distinct.index(value), sum(1 for v in vals if v == value)


def rank(scores: Mapping[str, Decimal]) -> list[Ranked]:
    """Competition ranking, highest score first; equal scores share a rank; ties listed by name."""
    ordered = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    out: list[Ranked] = []
    for i, (subject, s) in enumerate(ordered):
        r = out[-1].rank if out and out[-1].score == s else i + 1
        out.append(Ranked(subject, s, r))
    return out


def award_prizes(ranking: Sequence[Ranked], prizes: Sequence[Prize],
                 designated: Mapping[str, Sequence[str]] | None = None) -> tuple[list[PrizeAward], list[str]]:
    """Prizes by place (`by: rank`, in file order) and by designation (`by: designated`).

    Returns (awards, warnings). Place tiers: first tier covers places 1..count, the next the
    following places, and so on; a subject's tier is decided by its competition rank.
    """
    warnings: list[str] = []
    awards: list[PrizeAward] = []
    bounds: list[tuple[int, Prize]] = []
    upper = 0
    for p in prizes:
        if p.by == "rank":
            upper += p.count
            bounds.append((upper, p))
    for r in ranking:
        for last_place, p in bounds:
            if r.rank <= last_place:
                awards.append(PrizeAward(p.name, r.subject, amount_value(p.amount), r.rank))
                break
    for _, p in bounds:
        got = [a for a in awards if a.prize == p.name]
        if len(got) > p.count:
            warnings.append(f"{p.name}名额 {p.count} 名，因并列实际 {len(got)} 名："
                            f"{', '.join(a.subject for a in got)}；请镇政府确认")
    designated = designated or {}
    for p in prizes:
        if p.by != "designated":
            continue
        names = list(designated.get(p.name, []))
        if len(names) > p.count:
            warnings.append(f"{p.name}名额 {p.count} 个，指定了 {len(names)} 个")
        for n in sorted(names):
            awards.append(PrizeAward(p.name, n, amount_value(p.amount)))
    for name in designated:
        if not any(p.name == name and p.by == "designated" for p in prizes):
            warnings.append(f"没有可指定的奖项“{name}”")
    for p in prizes:
        if isinstance(p.amount, ConfigValue) and any(a.prize == p.name for a in awards):
            state = f"当前值 {p.amount.value}" if p.amount.value is not None else "尚未配置"
            warnings.append(f"{p.name}奖金需要配置（{state}）：{p.amount.needs_configuration}")
    return awards, warnings
