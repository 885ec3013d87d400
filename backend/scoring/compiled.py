"""A rubric compiled for scoring many subjects from plain aggregates: totals, not traces.

`engine.score` builds a full trace per subject (items, lines, the arithmetic in words): right for
one compound's drill-down, too heavy for the 10,000 compounds of a district report. When a
rubric's clauses allow it, `compile_rubric` derives an equivalent evaluator that returns only
what a ranking needs (total, per-item deduction and bonus, completeness) from the same
observation values; anything it cannot reproduce exactly raises `Unsupported`, and the caller
scores that subject with the general engine instead (which also raises the engine's own errors
for bad observations). tests/scoring/test_compiled.py proves the two agree on random input.

Supported: rubrics without grades, subsidy, veto, time nodes, rank or award clauses, whose
clauses are per_unit, fixed, catalog_findings (optionally given pre-summed, see `Summed`) and,
for bonus items, tiers (a valid survey measure given as exact numbers; anything else the engine
explains). Warnings are not produced: a report that shows them
(the drill-down) scores that subject with the engine. Pure, exact (Decimal), like the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Mapping, Sequence

from backend.rubrics.models import (
    Catalog, CatalogFindings, Composite, Fixed, Item, PerUnit, Rubric, Tiers,
    amount_value,
)
from backend.scoring.engine import _base

ZERO = Decimal(0)


class Unsupported(Exception):
    """This subject's observations need the general engine (or are invalid: it will say why)."""


@dataclass(frozen=True)
class Summed:
    """A catalog_findings clause already evaluated in the database: Σ deduction × (on_time +
    overdue × multiplier) over the codes, and how many findings were counted."""

    amount: Decimal
    count: int


@dataclass(frozen=True)
class Quick:
    total: Decimal
    raw_total: Decimal
    deductions: Decimal
    bonus: Decimal
    complete: bool
    items: dict[str, tuple[Decimal, Decimal]]  # item id → (deduction, bonus)


def _is_count(v: Any) -> bool:
    return type(v) is int and v >= 0


class CompiledItems:
    """Items (a rubric's, or a composite's bonus items) evaluated to (deduction, bonus, status)."""

    def __init__(self, items: Sequence[Item], catalogs: Mapping[str, Catalog]) -> None:
        self.items = list(items)
        self.catalogs = catalogs
        self.by_id = {i.id: i for i in items}
        self.clause_ids = {i.id: {c.id for c in i.clauses} for i in items}
        for item in items:
            if item.kind == "award":
                raise Unsupported(f"item {item.id}: award")
            for c in item.clauses:
                if isinstance(c, Tiers) and item.kind == "bonus":
                    continue
                if not isinstance(c, (PerUnit, Fixed, CatalogFindings)):
                    raise Unsupported(f"item {item.id}: {type(c).__name__}")
                if isinstance(c, CatalogFindings) and c.catalog not in catalogs:
                    raise Unsupported(f"catalog {c.catalog}")
        self.points = {i.id: amount_value(i.points) for i in items}
        self.caps = {i.id: amount_value(i.cap) for i in items}

    def check_keys(self, values: Mapping[str, Mapping[str, Any]]) -> None:
        for item_id, clauses in values.items():
            known = self.clause_ids.get(item_id)
            if known is None or not set(clauses) <= known:
                raise Unsupported("unknown item or clause")  # the engine names it

    def evaluate(self, item: Item, observed: Mapping[str, Any]) -> tuple[Decimal, Decimal, str]:
        known = ZERO
        incomplete = False
        for c in item.clauses:
            raw = observed.get(c.id, _MISSING)
            if raw is _MISSING:
                continue  # nothing observed (a bonus survey not recorded: no bonus either)
            if isinstance(c, PerUnit):
                if not _is_count(raw):
                    raise Unsupported("count")
                if c.max_count is not None and raw > c.max_count:
                    raise Unsupported("max_count")
                if raw == 0:
                    continue
                per = amount_value(c.per)
                if per is None:
                    incomplete = True
                    continue
                amount = per * raw
                cap = amount_value(c.cap)
                if cap is not None and amount > cap:
                    amount = cap
                known += amount
            elif isinstance(c, Fixed):
                if type(raw) is not bool:
                    raise Unsupported("flag")
                if not raw:
                    continue
                amount = amount_value(c.amount)
                if amount is None:
                    incomplete = True
                    continue
                known += amount
            elif isinstance(c, CatalogFindings):
                if isinstance(raw, Summed):
                    known += raw.amount
                    continue
                if not isinstance(raw, Mapping):
                    raise Unsupported("findings")
                catalog = self.catalogs[c.catalog]
                for code, v in raw.items():
                    if isinstance(v, Mapping):
                        if not set(v) <= {"on_time", "overdue"}:
                            raise Unsupported("findings keys")
                        on_time, overdue = v.get("on_time", 0), v.get("overdue", 0)
                    else:
                        on_time, overdue = v, 0
                    if not (_is_count(on_time) and _is_count(overdue)):
                        raise Unsupported("findings counts")
                    try:
                        entry = catalog.entry(code)
                    except KeyError:
                        raise Unsupported("unknown code") from None
                    if on_time + overdue:
                        known += entry.deduction * (on_time + overdue * c.overdue_multiplier)
            else:  # observed tiers (a bonus item's survey)
                amount = _tier_amount(c, raw)
                if amount is None:
                    incomplete = True
                    continue
                known += amount
        status = "incomplete" if incomplete else "scored"
        if item.kind == "bonus":
            cap = self.caps[item.id]
            return ZERO, (known if cap is None or known <= cap else cap), status
        deduction = known
        for limit in (self.points[item.id], self.caps[item.id]):
            if limit is not None and limit < deduction:
                deduction = limit
        return deduction, ZERO, status


_MISSING = object()


def _exact_number(v: Any) -> Decimal:
    if type(v) is int or type(v) is Decimal:
        return Decimal(v)
    raise Unsupported("number")  # floats, text, flags: the engine converts or refuses them


def _tier_amount(clause: Tiers, raw: Any) -> Decimal | None:
    """The engine's tiers clause for a valid measure: the points of the highest tier reached
    (0 below every tier); None when those points need configuring. A malformed or invalid
    measure (sample below the minimum) is left to the engine, which explains it."""
    if not isinstance(raw, Mapping) or "value" not in raw or \
            not set(raw) <= {"value", "sample", "sampled", "households"}:
        raise Unsupported("tiers")
    value = _exact_number(raw["value"])
    if value > 100:
        raise Unsupported("tiers value")
    sample = None
    if "sample" in raw:
        sample = _exact_number(raw["sample"])
    elif "sampled" in raw and "households" in raw:
        k, n = raw["sampled"], raw["households"]
        if not (_is_count(k) and _is_count(n)) or n == 0 or k > n:
            raise Unsupported("tiers sample")
        sample = Decimal(k) * 100 / Decimal(n)
    if clause.min_sample is not None and (sample is None or sample < clause.min_sample):
        raise Unsupported("tiers sample")
    for t in sorted(clause.tiers, key=lambda t: t.min, reverse=True):
        if value >= t.min:
            return amount_value(t.points)
    return ZERO


class CompiledRubric:
    """`score` for a rubric, returning a `Quick` (see the module docstring)."""

    def __init__(self, rubric: Rubric, catalogs: Mapping[str, Catalog]) -> None:
        if rubric.grades or rubric.subsidy:
            raise Unsupported("grades / subsidy")
        self.rubric = rubric
        self.compiled = CompiledItems(rubric.items, catalogs)
        self.base = _base(rubric)
        self.floor = rubric.floor
        self.bonus_cap = amount_value(rubric.bonus_cap)

    def score(self, values: Mapping[str, Mapping[str, Any]],
              not_assessed: frozenset[str] = frozenset()) -> Quick:
        self.compiled.check_keys(values)
        if not not_assessed <= set(self.compiled.by_id):
            raise Unsupported("not_assessed")
        items: dict[str, tuple[Decimal, Decimal]] = {}
        deductions = bonus = ZERO
        complete = True
        for item in self.compiled.items:
            if item.id in not_assessed:
                items[item.id] = (ZERO, ZERO)
                continue
            d, b, status = self.compiled.evaluate(item, values.get(item.id, _EMPTY))
            items[item.id] = (d, b)
            if item.kind == "bonus":
                bonus += b
            else:
                deductions += d
                complete = complete and status == "scored"
            # a bonus item's status is "scored" or "incomplete" too (engine: not assessed/scored)
            if item.kind == "bonus" and status != "scored":
                complete = False
        if self.bonus_cap is not None and bonus > self.bonus_cap:
            bonus = self.bonus_cap
        raw_total = self.base - deductions + bonus
        total = raw_total if raw_total > self.floor else self.floor  # = max(floor, raw)
        return Quick(total, raw_total, deductions, bonus, complete, items)


_EMPTY: Mapping[str, Any] = {}


class CompiledComposite:
    """The town composite over compiled parts: Σ weight × part total + bonus items (capped)."""

    def __init__(self, composite: Composite, catalogs: Mapping[str, Catalog]) -> None:
        self.composite = composite
        self.weights = [(p.rubric, p.weight) for p in composite.parts]
        self.bonus = CompiledItems(composite.bonus_items, catalogs)
        self.bonus_cap = amount_value(composite.bonus_cap)

    def bonus_of(self, values: Mapping[str, Mapping[str, Any]]) -> Decimal:
        self.bonus.check_keys(values)
        total = ZERO
        for item in self.bonus.items:
            total += self.bonus.evaluate(item, values.get(item.id, _EMPTY))[1]
        if self.bonus_cap is not None and total > self.bonus_cap:
            total = self.bonus_cap
        return total

    def total(self, parts: Mapping[str, Decimal], bonus: Decimal) -> Decimal:
        return sum((w * parts[r] for r, w in self.weights), ZERO) + bonus


def compile_rubric(rubric: Rubric, catalogs: Mapping[str, Catalog]) -> CompiledRubric | None:
    """The compiled evaluator, or None when the rubric needs the general engine."""
    try:
        return CompiledRubric(rubric, catalogs)
    except Unsupported:
        return None


def compile_composite(composite: Composite, catalogs: Mapping[str, Catalog]) -> CompiledComposite | None:
    try:
        return CompiledComposite(composite, catalogs)
    except Unsupported:
        return None


def catalog_weights(rubric: Rubric, catalogs: Mapping[str, Catalog], item_id: str
                    ) -> tuple[str, dict[str, tuple[int, int]], int] | None:
    """For summing a catalog_findings clause in SQL exactly: (clause id, {code: (on-time weight,
    overdue weight)} as integers, scale) with weight / scale = the deduction per finding.
    None when the item has no single catalog_findings clause."""
    item = next((i for i in rubric.items if i.id == item_id), None)
    if item is None or len(item.clauses) != 1 or not isinstance(item.clauses[0], CatalogFindings):
        return None
    clause = item.clauses[0]
    catalog = catalogs.get(clause.catalog)
    if catalog is None:
        return None
    amounts = {e.code: (e.deduction, e.deduction * clause.overdue_multiplier) for e in catalog.entries}
    scale = 1
    while any((a * scale) != (a * scale).to_integral_value() for pair in amounts.values() for a in pair):
        scale *= 10
        if scale > 10**6:
            return None
    return clause.id, {k: (int(a * scale), int(b * scale)) for k, (a, b) in amounts.items()}, scale
