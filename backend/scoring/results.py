"""Result records of the scoring engine and their JSON / table renderings.

Numbers are `Decimal` throughout; `to_dict()` renders them as decimal strings ("98", "0.3",
"62400.00") so no binary float ever touches a score or an amount.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

CENT = Decimal("0.01")


def fmt(d: Decimal | None) -> str | None:
    """Plain decimal text: 98, 0.3, 1.25 (never 9.8E+1)."""
    if d is None:
        return None
    if d == d.to_integral_value():
        return str(d.quantize(Decimal(1)))
    return format(d.normalize(), "f")


def _plain(v: Any) -> Any:
    if isinstance(v, Decimal):
        return fmt(v)
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


@dataclass(frozen=True)
class Line:
    """One clause's effect on one item, with the observation that caused it."""

    item: str
    clause: str
    text: str | None          # the seed's words for the clause
    observed: Any             # the raw observation (count, flag, date, value…)
    amount: Decimal | None    # deduction / awarded / bonus points; None = not computable
    detail: str               # the arithmetic in words: "5 条 × 0.2 = 1"
    status: str = "ok"        # ok | needs_configuration | invalid | not_recorded | veto

    def to_dict(self) -> dict:
        return _plain(self.__dict__)


@dataclass(frozen=True)
class ItemResult:
    id: str
    title: str
    kind: str                  # deduct | award | bonus
    points: Decimal | None
    deduction: Decimal         # points lost (deduct/award items) after caps
    bonus: Decimal             # points added (bonus items) after caps
    score: Decimal | None      # points − deduction; None when points are unconfigured or item not scored
    status: str                # scored | not_assessed | invalid | incomplete
    capped: bool               # the clauses asked for more than the item's points/cap allow
    lines: tuple[Line, ...]
    standard: str | None = None
    scoring_text: str | None = None

    def to_dict(self) -> dict:
        d = _plain({k: v for k, v in self.__dict__.items() if k != "lines"})
        d["lines"] = [ln.to_dict() for ln in self.lines]
        return d


def _with_amount(result) -> dict:  # noqa: ANN001
    """A result with money as a plain dict, the amount in yuan to the fen (2 places)."""
    d = _plain(result.__dict__)
    if result.amount is not None:
        d["amount"] = str(result.amount.quantize(CENT))
    return d


@dataclass(frozen=True)
class Money:
    kind: str                  # subsidy | prize
    amount: Decimal | None     # yuan, 2 places; None = not computable
    detail: str
    months: int | None = None
    rate: Decimal | None = None

    def to_dict(self) -> dict:
        return _with_amount(self)


@dataclass(frozen=True)
class ScoreResult:
    rubric: str
    subject: str | None
    total: Decimal             # the score (0 when vetoed)
    raw_total: Decimal         # before veto and floor
    base: Decimal
    deductions: Decimal
    bonus: Decimal
    grade: str | None
    vetoed: bool
    complete: bool             # False: some value invalid, unrecorded or unconfigured: see warnings
    items: tuple[ItemResult, ...]
    money: Money | None = None
    warnings: tuple[str, ...] = ()
    period: tuple[date, date] | None = None

    def item(self, item_id: str) -> ItemResult:
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)

    def to_dict(self) -> dict:
        d = _plain({k: v for k, v in self.__dict__.items() if k not in ("items", "money")})
        d["money"] = self.money.to_dict() if self.money else None
        d["items"] = [it.to_dict() for it in self.items]
        return d


@dataclass(frozen=True)
class Ranked:
    subject: str
    score: Decimal
    rank: int                  # competition ranking: 1, 2, 2, 4


@dataclass(frozen=True)
class PrizeAward:
    prize: str
    subject: str
    amount: Decimal | None     # None when the amount needs configuration
    rank: int | None = None

    def to_dict(self) -> dict:
        return _with_amount(self)


@dataclass(frozen=True)
class CompositeResult:
    composite: str
    subject: str
    total: Decimal
    parts: dict[str, Decimal]                  # rubric id → that rubric's total
    weighted: dict[str, Decimal]               # rubric id → weight × total
    bonus: Decimal
    bonus_items: tuple[ItemResult, ...]
    complete: bool
    warnings: tuple[str, ...] = ()
    part_results: dict[str, ScoreResult] = field(default_factory=dict)

    def to_dict(self) -> dict:
        d = _plain({k: v for k, v in self.__dict__.items() if k not in ("bonus_items", "part_results")})
        d["bonus_items"] = [it.to_dict() for it in self.bonus_items]
        d["part_results"] = {k: v.to_dict() for k, v in self.part_results.items()}
        return d
