"""Every compound's score for a period and a scope, in bulk: the aggregates from SQL, the rubric
rules through the compiled evaluators (backend.scoring.compiled), no per-item trace.

This is what the report page and the ranking need for 10,000 compounds. Whole months, one or
several (`compute_months`), are aggregated with one GROUP BY month, compound statement each and
assembled month by month; other periods (a quarter, a year, a range of days) by `_compute_period`. The numbers are those
of `rollup.compute(..., detail=True)` (the general engine with every trace); tests/reports
check the two against each other. A compound whose observations the compiled rules cannot
evaluate exactly is scored by the engine, one at a time.

Per compound the database returns one row (findings counted and their deductions summed with
the catalog's per-code weights as exact integers), the hotline-case counts, and the latest
inspection's observations as JSON text; identical inputs are scored once (memo dictionaries),
which is most of them: deductions are small integers.
"""

from __future__ import annotations

import gc
import json
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from backend.config import get_settings
from backend.inspections.service import exact
from backend.organisation.models import Compound, OrgUnit
from backend.reports import aggregate
from backend.reports.bulk_inputs import (
    _raw, findings_summed, case_counts, latest_inspections, _scope, _compounds, findings_by_month, inspections_by_month, demonstrations_by_month,
)
from backend.reports.periods import Period
from backend.scoring.compiled import (
    CompiledComposite, CompiledRubric, Summed, Unsupported, catalog_weights, compile_composite,
    compile_rubric,
)
from backend.scoring.engine import score
from backend.scoring.observations import Observations, Period as ObsPeriod
from backend.scoring.ranking import award_prizes
from backend.scoring.results import Ranked

ZERO = Decimal(0)
KeyT = Any  # a compound id as the driver returns it (hex text on SQLite, UUID on PostgreSQL)


@dataclass(frozen=True)
class Rules:
    long_term: CompiledRubric
    property_: CompiledRubric
    town: CompiledComposite
    findings_item: str          # L item scored from the catalog findings
    findings_clause: str
    weights: dict[str, tuple[int, int]]
    scale: int


@lru_cache(maxsize=8)
def _rules(lib_id: int) -> Rules | None:  # keyed by the library object's identity
    from backend.reports.rollup import library

    lib = library()
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
    from backend.reports.rollup import library

    return _rules(id(library()))


_text = aggregate._text


class _Scorer:
    """Scores with memo dictionaries; the engine for what the compiled rules cannot do.

    One scorer serves several periods (`at`): what the compiled rules give does not depend on
    the period, what the engine gives is remembered per period."""

    def __init__(self, r: Rules, period: Period, observations: dict[str, str]) -> None:
        from backend.reports.rollup import library

        self.r = r
        lib = library()
        self.rubrics, self.catalogs = lib.rubrics(), lib.catalogs()
        self.observations = observations  # P observations' JSON text by digest
        self.l_memo: dict = {}
        self.p_memo: dict = {}
        self.p_engine_memo: dict = {}
        self.bonus_memo: dict = {}
        self.compound_memo: dict = {}  # a compound's inputs → its scores (see _assemble)
        self.at(period)

    def at(self, period: Period) -> "_Scorer":
        self.period = ObsPeriod(period.start, period.end)
        self.period_key = (period.start, period.end)
        self.compound_memo = {}  # may hold engine results, which are the period's
        return self

    def _engine(self, rubric: str, values: dict, not_assessed: frozenset[str] = frozenset()
                ) -> tuple[Decimal, bool, dict[str, Decimal]]:
        obs = Observations(values=exact(values), subject="", period=self.period,
                           not_assessed=not_assessed)
        result = score(self.rubrics[rubric], obs, catalogs=self.catalogs)
        return result.total, result.complete, {i.id: i.deduction for i in result.items}

    def long_term(self, summed: tuple[int, int, int, int] | None, cases: dict | None):
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

    def property_(self, digest: str):
        """(total, complete) of the P observations with this digest."""
        hit = self.p_memo.get(digest)
        if hit is None:
            hit = self.p_engine_memo.get((self.period_key, digest))
        if hit is None:
            data = json.loads(self.observations[digest])
            values = {k: v for k, v in data.items() if not k.startswith("_")}
            # items the inspector marked as not assessed this period (see inspections.service)
            not_assessed = frozenset(data.get("_not_assessed", []))
            try:
                q = self.r.property_.score(values, not_assessed)
                hit = self.p_memo[digest] = (q.total, q.complete)
            except Unsupported:
                total, complete, _ = self._engine("P", values, not_assessed)
                hit = self.p_engine_memo[(self.period_key, digest)] = (total, complete)
        return hit

    def bonus(self, demos: dict | None) -> Decimal:
        key = tuple(demos.items()) if demos else None
        hit = self.bonus_memo.get(key)
        if hit is None:
            values = {"demo": dict(demos)} if demos else {}
            try:
                hit = self.r.town.bonus_of(values)
            except Unsupported:
                from backend.scoring.engine import score_items

                items, _ = score_items(self.r.town.composite.bonus_items,
                                       Observations(values=values))
                hit = sum((i.bonus for i in items), ZERO)
                cap = self.r.town.bonus_cap
                if cap is not None and hit > cap:
                    hit = cap
            self.bonus_memo[key] = hit
        return hit

    def compound(self, f, c, p, d):  # noqa: ANN001, ANN201
        """(total or None, total text or None, parts, bonus text or None, complete,
        deductions) of a compound's aggregates (f: findings, c: cases, p: the P observations'
        digest or None, d: demonstrations), the parts and deductions as the report's dicts;
        None when the compiled rules cannot score them."""
        long_term = self.long_term(f, c)
        if long_term is None:
            return None
        l_total, l_complete, l_items = long_term
        deductions = {"findings": str(l_items.get(self.r.findings_item, ZERO)),
                      "cases": str(l_items.get("2", ZERO))}
        if p is None:
            return (None, None, {"L": str(l_total), "P": None}, None, False, deductions)
        p_total, p_complete = self.property_(p)
        bonus = self.bonus(d)
        total = self.r.town.total({"L": l_total, "P": p_total}, bonus)
        return (total, str(total), {"L": str(l_total), "P": str(p_total)}, str(bonus),
                l_complete and p_complete, deductions)


def compute(session: Session, unit: OrgUnit, period: Period, *, as_of: datetime,
            r: Rules) -> dict | None:
    """The report without traces, or None when a compound needs the detailed path."""
    if period.whole_months and len(period.months) == 1:
        months = compute_months(session, unit, [period], as_of=as_of, r=r)
        return None if months is None else months[period.key]
    with _no_cyclic_gc():
        return _compute_period(session, unit, period, as_of=as_of, r=r)


@contextmanager
def _no_cyclic_gc():  # noqa: ANN202
    """Builds hundreds of thousands of small dicts and tuples, none of them in a reference
    cycle: the cyclic collector would rescan the growing heap again and again (a third of the
    time) for nothing. Reference counting still frees everything; the collector runs again
    afterwards, as before (unless something else had switched it off)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def compute_months(session: Session, unit: OrgUnit, periods: list[Period], *, as_of: datetime,
                   r: Rules, recurrence: bool = True) -> dict[str, dict] | None:
    """The reports of several whole months ({period key: report}, each the one `compute` gives
    for that month alone) from one pass of GROUP BY month, compound statements; None when a
    compound needs the detailed path. Without `recurrence` the reports' `recurrent` lists are
    left empty (the year's rankings show none: a quarter of a 12-month pass)."""
    if not periods:
        return {}
    with _no_cyclic_gc():
        return _compute_months(session, unit, periods, as_of=as_of, r=r, recurrence=recurrence)


@dataclass
class _Pass:
    """What the reports of one pass (one or several periods) share: the scope's compounds
    (bulk_inputs._compounds) and the names and direct scores of their units and companies."""

    compounds: list[tuple]
    id_text: dict[KeyT, str]  # a compound's key → its id as text
    names_unique: bool  # every compound's unique name is its name
    unit_names: dict[str, str]
    company_names: dict
    company_direct: dict  # (company id, period key) → direct score

    @classmethod
    def read(cls, session: Session, compounds: list[tuple], periods: list[Period]) -> "_Pass":
        from backend.reports.rollup import company_inputs, unit_names

        units = {c[4] for c in compounds} | {c[5] for c in compounds}
        names, direct = company_inputs(session, {c[6] for c in compounds if c[6]},
                                       [p.key for p in periods])
        return cls(compounds, {c[0]: c[3] for c in compounds},
                   all(c[1] == c[2] for c in compounds), unit_names(session, units),
                   names, direct)


def _compute_months(session: Session, unit: OrgUnit, periods: list[Period], *, as_of: datetime,
                    r: Rules, recurrence: bool) -> dict[str, dict] | None:
    assert all(p.whole_months and len(p.months) == 1 for p in periods), "whole months only"
    settings = get_settings()
    scope = _scope(unit)
    months = sorted({p.months[0] for p in periods})
    compounds = _compounds(session, unit)
    summed = findings_by_month(session, scope, months, as_of, settings.scored_sources, r)
    inside = {c[0] for c in compounds}
    for month_rows in summed.values():
        if any(row[3] and cid in inside for cid, row in month_rows.items()):
            return None  # a code the catalog no longer has: the engine reports it
    cases = aggregate.case_counts_by_month(session, scope, months, as_of, key=_raw)
    inspections, observations = inspections_by_month(session, scope, periods, unit.level)
    demos = demonstrations_by_month(session, scope, periods)
    recurrent: dict[int, list] = defaultdict(list)
    for row in aggregate.recurrence_rows(session, scope, months, key=_raw) if recurrence else ():
        if row[0] in inside:
            recurrent[row[3]].append(row)
    shared = _Pass.read(session, compounds, periods)
    out = {}
    scorer = _Scorer(r, periods[0], observations)
    for p in periods:
        month = p.months[0]
        report = _assemble(unit, p, as_of, r, shared, summed.get(month, {}),
                           cases.get(month, {}), inspections.get(month, {}), demos.get(month, {}),
                           recurrent.get(month, []), scorer)
        if report is None:
            return None
        out[p.key] = report
    return out


def _compute_period(session: Session, unit: OrgUnit, period: Period, *, as_of: datetime,
                    r: Rules) -> dict | None:
    """Any other period (a quarter, a year, a range of days): sums over the whole period."""
    settings = get_settings()
    compound_filter = aggregate.compounds_under(unit.level, unit.id)
    ids = select(Compound.id).where(compound_filter)
    compounds = _compounds(session, unit)
    summed = findings_summed(session, ids, period, as_of, settings.scored_sources,
                             settings.timezone, r)
    if any(v[3] for v in summed.values()):
        return None  # a code the catalog no longer has: the engine reports it
    cases = case_counts(session, ids, period, as_of, settings.timezone)
    inspections, observations = latest_inspections(session, ids, period)
    demos = aggregate.demonstrations(session, ids, period, key=_raw)
    recurrent = aggregate.recurrence_rows(session, ids, period.months, key=_raw)
    return _assemble(unit, period, as_of, r, _Pass.read(session, compounds, [period]), summed,
                     cases, inspections, demos, recurrent, _Scorer(r, period, observations))


def _assemble(unit: OrgUnit, period: Period, as_of: datetime, r: Rules, shared: _Pass,
              summed: dict, cases: dict, inspections: dict, demos: dict, recurrent: list,
              scorer: _Scorer) -> dict | None:
    """The report from the period's aggregates (rollup.compute's shape, without traces).

    Per compound: one row dict; what depends only on the scores (the parts, deductions, texts)
    is built once per distinct input and shared by the rows that have it. The communities',
    streets' and companies' scores are gathered in the same loop."""
    from backend.reports.rollup import _plain, company_scores, grouped_scores

    memo = scorer.at(period).compound_memo
    counts_memo: dict = {}  # (findings, overdue) → the row's finding_counts
    rows: list[dict] = []
    ranked: list[tuple] = []  # (unique name, total, row) of the compounds with a P score
    incomplete: list[str] = []
    warnings: list[str] = []
    by_community: dict[str, list[Decimal]] = defaultdict(list)
    by_street: dict[str, list[Decimal]] = defaultdict(list)
    by_company: dict[str, list[Decimal]] = defaultdict(list)
    for cid, name, key, cid_text, street, community, company in shared.compounds:
        f, c, mine, d = summed.get(cid), cases.get(cid), inspections.get(cid), demos.get(cid)
        p = mine.get("P") if mine else None
        # the scores depend on these alone (Σ deduction, not the counts; P's observations)
        inputs = (f[2] if f else None, tuple(c.items()) if c else None, p[1] if p else None,
                  tuple(d.items()) if d else None)
        scored = memo.get(inputs)
        if scored is None:
            scored = scorer.compound(f, c, p[1] if p else None, d)
            if scored is None:
                return None
            memo[inputs] = scored
        total, total_text, parts, bonus_text, complete, deductions = scored
        counts_key = (f[0], f[1]) if f else (0, 0)
        counts = counts_memo.get(counts_key)
        if counts is None:
            counts = counts_memo[counts_key] = {"on_time": counts_key[0] - counts_key[1],
                                                "overdue": counts_key[1]}
        row = {
            "compound_id": cid_text, "name": name, "street_id": street,
            "community_id": community, "company_id": company,
            "total": total_text, "parts": parts, "bonus": bonus_text, "complete": complete,
            "finding_counts": counts, "deductions": deductions,
            "cases": c or {}, "demonstrations": d or {},
            "inspections": {rid: _text(v[0]) for rid, v in mine.items()} if mine else {},
            "old_compound": None, "rank": None,
        }
        rows.append(row)
        if p is None:
            warnings.append(f"{key}：本期无物业管理考核（细则P）记录，未计算综合得分、不参加排名")
        else:
            ranked.append((key, total, row))
            by_community[community].append(total)
            by_street[street].append(total)
            if company:
                by_company[company].append(total)
            if not complete:
                incomplete.append(key)
        if mine:
            e = mine.get("E")
            if e is not None:
                result = json.loads(e[4]) if e[4] else None
                row["old_compound"] = {"grade": e[2], "total": None if e[3] is None else str(e[3]),
                                       "subsidy": (result or {}).get("money")}

    # scoring.ranking.rank (competition ranking, ties by name): two stable sorts
    ranked.sort(key=itemgetter(0))
    ranked.sort(key=itemgetter(1), reverse=True)
    town = r.town.composite
    places = sum(p.count for p in town.prizes if p.by == "rank")
    # prizes only over the places they can reach (a tie beyond them wins nothing either)
    reaching: list[Ranked] = []
    reaching_rows: dict[str, dict] = {}
    previous, place = None, 0
    for i, (key, total, row) in enumerate(ranked):
        if previous is None or total != previous:
            place = i + 1
            previous = total
        row["rank"] = place
        if place <= places:
            reaching.append(Ranked(key, total, place))
            reaching_rows[key] = row
    prizes_awarded, town_warnings = award_prizes(reaching, town.prizes) if ranked else ([], [])
    town_warnings += [f"{k} 的评分不完整，排名仅供参考" for k in sorted(incomplete)]
    prizes = [{"prize": p.prize, "compound_id": reaching_rows[p.subject]["compound_id"],
               "name": reaching_rows[p.subject]["name"],
               "amount": None if p.amount is None else str(p.amount), "rank": p.rank}
              for p in prizes_awarded]
    companies = company_scores(by_company, shared.company_names,
                               {cid: score for (cid, key), score in shared.company_direct.items()
                                if key == period.key}, warnings) if by_company else []
    if shared.names_unique:  # ranked: by rank, then name; the others by name
        ordered = [row for _, _, row in ranked] + sorted(
            (row for row in rows if row["rank"] is None), key=itemgetter("name"))
    else:
        ordered = sorted(rows, key=lambda x: (x["rank"] is None, x["rank"] or 0, x["name"]))
    id_text = shared.id_text
    return {
        "period": {"key": period.key, "label": period.label, "start": period.start.isoformat(),
                   "end": period.end.isoformat()},
        "scope": {"id": str(unit.id), "name": unit.name, "level": unit.level},
        "as_of": as_of.isoformat(), "frozen": False,
        "compounds": ordered,
        "prizes": prizes,
        "communities": _plain(grouped_scores(by_community, shared.unit_names)),
        "streets": _plain(grouped_scores(by_street, shared.unit_names)),
        "companies": _plain(companies),
        "recurrent": [{"compound_id": id_text.get(c) or _text(c), "catalog_code": code,
                       "building": building,
                       "month": month, "count": n, "previous_month_count": prev}
                      for c, code, building, month, n, prev in recurrent],
        "warnings": warnings + town_warnings,
    }
