"""How one compound's period inputs become its scores: two scorers, one interface.

- `CompiledScorer` (the bulk path): the compiled rules (backend.scoring.compiled) over the
  period's SQL sums, no trace; identical inputs are scored once (memo dictionaries), which is
  most of a district: deductions are small integers. What the compiled rules cannot evaluate
  exactly is scored by the engine, one distinct input at a time.
- `EngineScorer` (the detailed path): the general engine with its full trace, from findings
  counted per catalog code.

`compound(findings, cases, p, demonstrations)` gives a `Scored` either way; assemble.py makes
the report from it. `p` is the digest of the latest P inspection's observations (their texts
are in `observations`), None without one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple

from backend.inspections.service import exact
from backend.reports.periods import Period
from backend.rubrics import library
from backend.scoring.compiled import (
    CompiledComposite, CompiledRubric, Summed, Unsupported, catalog_weights, compile_composite,
    compile_rubric,
)
from backend.scoring.composite import score_composite
from backend.scoring.engine import score, score_items
from backend.scoring.observations import Observations, Period as ObsPeriod

ZERO = Decimal(0)


class Scored(NamedTuple):
    total: Decimal | None        # the composite; None without a P assessment
    total_text: str | None
    parts: dict                  # {"L": text, "P": text or None}
    bonus_text: str | None
    complete: bool
    deductions: dict             # rubric L: {"findings": text, "cases": text}
    detail: dict | None = None   # the engine's trace (EngineScorer only)


@dataclass(frozen=True)
class Rules:
    long_term: CompiledRubric
    property_: CompiledRubric
    town: CompiledComposite
    findings_item: str          # L item scored from the catalog findings
    findings_clause: str
    weights: dict[str, tuple[int, int]]
    scale: int


@lru_cache(maxsize=4)
def _rules(_version: int) -> Rules | None:
    lib = library.current()
    rubrics, catalogs = lib.rubrics(), lib.catalogs()
    long_term = compile_rubric(rubrics["L"], catalogs)
    property_ = compile_rubric(rubrics["P"], catalogs)
    town = compile_composite(lib.get("town"), catalogs)
    weights = catalog_weights(rubrics["L"], catalogs, "1")
    if None in (long_term, property_, town, weights):
        return None
    clause, per_code, scale = weights
    return Rules(long_term, property_, town, "1", clause, per_code, scale)


def rules() -> Rules | None:
    """The compiled rules in force, or None when they need the general engine."""
    return _rules(library.version())


def _p_values(text: str) -> tuple[dict, frozenset[str]]:
    data = json.loads(text)
    # items the inspector marked as not assessed this period (see inspections.service)
    return ({k: v for k, v in data.items() if not k.startswith("_")},
            frozenset(data.get("_not_assessed", [])))


class CompiledScorer:
    """Scores with memo dictionaries; the engine for what the compiled rules cannot do.

    One scorer serves several periods (`at`): what the compiled rules give does not depend on
    the period, what the engine gives is remembered per period."""

    detailed = False

    def __init__(self, r: Rules, period: Period, observations: dict[str, str]) -> None:
        self.r = r
        lib = library.current()
        self.rubrics, self.catalogs = lib.rubrics(), lib.catalogs()
        self.observations = observations  # P observations' JSON text by digest
        self.l_memo: dict = {}
        self.p_memo: dict = {}
        self.p_engine_memo: dict = {}
        self.bonus_memo: dict = {}
        self.compound_memo: dict = {}  # a compound's inputs → its scores
        self.at(period)

    def at(self, period: Period) -> "CompiledScorer":
        self.period = ObsPeriod(period.start, period.end)
        self.period_key = (period.start, period.end)
        self.compound_memo = {}  # may hold engine results, which are the period's
        return self

    @staticmethod
    def counts(f: tuple | None) -> tuple[int, int]:
        """(findings, overdue) of a compound's summed findings."""
        return (f[0], f[1]) if f else (0, 0)

    def _engine(self, rubric: str, values: dict, not_assessed: frozenset[str] = frozenset()
                ) -> tuple[Decimal, bool]:
        obs = Observations(values=exact(values), subject="", period=self.period,
                           not_assessed=not_assessed)
        result = score(self.rubrics[rubric], obs, catalogs=self.catalogs)
        return result.total, result.complete

    def long_term(self, summed: tuple[int, int, int, int] | None, cases: dict | None):  # noqa: ANN201
        key = (summed[2] if summed else None, tuple(cases.items()) if cases else None)
        hit = self.l_memo.get(key)
        if hit is None:
            values: dict = {}
            if summed:
                amount = Decimal(summed[2]) / self.r.scale if self.r.scale != 1 else Decimal(summed[2])
                values[self.r.findings_item] = {self.r.findings_clause: Summed(amount, summed[0])}
            if cases:
                values["2"] = cases
            try:
                q = self.r.long_term.score(values)
                hit = (q.total, q.complete, {k: v[0] for k, v in q.items.items()})
            except Unsupported:
                return None  # per-code findings needed: the caller uses the detailed path
            self.l_memo[key] = hit
        return hit

    def property_(self, digest: str) -> tuple[Decimal, bool]:
        """(total, complete) of the P observations with this digest."""
        hit = self.p_memo.get(digest)
        if hit is None:
            hit = self.p_engine_memo.get((self.period_key, digest))
        if hit is None:
            values, not_assessed = _p_values(self.observations[digest])
            try:
                q = self.r.property_.score(values, not_assessed)
                hit = self.p_memo[digest] = (q.total, q.complete)
            except Unsupported:
                hit = self.p_engine_memo[(self.period_key, digest)] = \
                    self._engine("P", values, not_assessed)
        return hit

    def bonus(self, demos: dict | None) -> Decimal:
        key = tuple(demos.items()) if demos else None
        hit = self.bonus_memo.get(key)
        if hit is None:
            values = {"demo": dict(demos)} if demos else {}
            try:
                hit = self.r.town.bonus_of(values)
            except Unsupported:
                items, _ = score_items(self.r.town.composite.bonus_items,
                                       Observations(values=values))
                hit = sum((i.bonus for i in items), ZERO)
                cap = self.r.town.bonus_cap
                if cap is not None and hit > cap:
                    hit = cap
            self.bonus_memo[key] = hit
        return hit

    def compound(self, f: Any, c: dict | None, p: str | None, d: dict | None,
                 name: str = "") -> Scored | None:
        """The scores of a compound's aggregates; None when the compiled rules cannot score
        them (the caller then uses the detailed path). The scores depend on the findings'
        summed deduction (not their counts), the cases, P's observations and the projects."""
        key = (f[2] if f else None, tuple(c.items()) if c else None, p,
               tuple(d.items()) if d else None)
        hit = self.compound_memo.get(key)
        if hit is not None:
            return hit
        long_term = self.long_term(f, c)
        if long_term is None:
            return None
        l_total, l_complete, l_items = long_term
        deductions = {"findings": str(l_items.get(self.r.findings_item, ZERO)),
                      "cases": str(l_items.get("2", ZERO))}
        if p is None:
            hit = Scored(None, None, {"L": str(l_total), "P": None}, None, False, deductions)
        else:
            p_total, p_complete = self.property_(p)
            bonus = self.bonus(d)
            total = self.r.town.total({"L": l_total, "P": p_total}, bonus)
            hit = Scored(total, str(total), {"L": str(l_total), "P": str(p_total)}, str(bonus),
                         l_complete and p_complete, deductions)
        self.compound_memo[key] = hit
        return hit


class EngineScorer:
    """The general engine, with every item's trace: for one compound's drill-down and for a
    publication, which keeps the inputs behind its numbers."""

    detailed = True

    def __init__(self, period: Period, observations: dict[str, str]) -> None:
        lib = library.current()
        self.rubrics, self.catalogs = lib.rubrics(), lib.catalogs()
        self.town = lib.get("town")
        self.period = period
        self.observations = observations

    def at(self, period: Period) -> "EngineScorer":
        self.period = period
        return self

    @staticmethod
    def counts(f: dict | None) -> tuple[int, int]:
        counted = (f or {}).values()
        return (sum(v["on_time"] + v["overdue"] for v in counted),
                sum(v["overdue"] for v in counted))

    def _observations(self, subject: str, values: dict, not_assessed=frozenset()) -> Observations:  # noqa: ANN001
        return Observations(values=exact(values), subject=subject,
                            period=ObsPeriod(self.period.start, self.period.end),
                            as_of=self.period.end, not_assessed=frozenset(not_assessed))

    def compound(self, f: dict | None, c: dict | None, p: str | None, d: dict | None,
                 name: str = "") -> Scored:
        l_values: dict = {}
        if f:
            l_values["1"] = {"findings": f}
        if c:
            l_values["2"] = c
        l_result = score(self.rubrics["L"], self._observations(name, l_values),
                         catalogs=self.catalogs)
        deductions = {"findings": str(l_result.item("1").deduction),
                      "cases": str(l_result.item("2").deduction)}
        if p is None:
            return Scored(None, None, {"L": str(l_result.total), "P": None}, None, False,
                          deductions, {"part_results": {"L": l_result.to_dict()}})
        values, not_assessed = _p_values(self.observations[p])
        p_result = score(self.rubrics["P"], self._observations(name, values, not_assessed),
                         catalogs=self.catalogs)
        bonus_obs = self._observations(name, {"demo": dict(d)} if d else {})
        composite = score_composite(self.town, {"L": l_result, "P": p_result}, bonus_obs,
                                    subject=name)
        return Scored(composite.total, str(composite.total),
                      {"L": str(l_result.total), "P": str(p_result.total)},
                      str(composite.bonus), composite.complete, deductions, composite.to_dict())
