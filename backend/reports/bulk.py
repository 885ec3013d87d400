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

    def __init__(self, r: Rules, period: Period) -> None:
        from backend.reports.rollup import library

        self.r = r
        lib = library()
        self.rubrics, self.catalogs = lib.rubrics(), lib.catalogs()
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

    def property_(self, observations: str):
        hit = self.p_memo.get(observations)
        if hit is None:
            hit = self.p_engine_memo.get((self.period_key, observations))
        if hit is None:
            data = json.loads(observations)
            values = {k: v for k, v in data.items() if not k.startswith("_")}
            # items the inspector marked as not assessed this period (see inspections.service)
            not_assessed = frozenset(data.get("_not_assessed", []))
            try:
                q = self.r.property_.score(values, not_assessed)
                hit = self.p_memo[observations] = (q.total, q.complete)
            except Unsupported:
                total, complete, _ = self._engine("P", values, not_assessed)
                hit = self.p_engine_memo[(self.period_key, observations)] = (total, complete)
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
        """(total or None, L text, P text or None, bonus text or None, complete, findings
        deduction text, cases deduction text, total text or None) of a compound's aggregates;
        None when the compiled rules cannot score them."""
        long_term = self.long_term(f, c)
        if long_term is None:
            return None
        l_total, l_complete, l_items = long_term
        texts = (str(l_total), str(l_items.get(self.r.findings_item, ZERO)),
                 str(l_items.get("2", ZERO)))
        if p is None:
            return (None, texts[0], None, None, False, texts[1], texts[2], None)
        p_total, p_complete = self.property_(p)
        bonus = self.bonus(d)
        total = self.r.town.total({"L": l_total, "P": p_total}, bonus)
        return (total, texts[0], str(p_total), str(bonus), l_complete and p_complete,
                texts[1], texts[2], str(total))


def compute(session: Session, unit: OrgUnit, period: Period, *, as_of: datetime,
            r: Rules) -> dict | None:
    """The report without traces, or None when a compound needs the detailed path."""
    if period.whole_months and len(period.months) == 1:
        months = compute_months(session, unit, [period], as_of=as_of, r=r)
        return None if months is None else months[period.key]
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
                   r: Rules) -> dict[str, dict] | None:
    """The reports of several whole months ({period key: report}, each the one `compute` gives
    for that month alone) from one pass of GROUP BY month, compound statements; None when a
    compound needs the detailed path."""
    if not periods:
        return {}
    with _no_cyclic_gc():
        return _compute_months(session, unit, periods, as_of=as_of, r=r)


def _compute_months(session: Session, unit: OrgUnit, periods: list[Period], *, as_of: datetime,
                    r: Rules) -> dict[str, dict] | None:
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
    inspections = inspections_by_month(session, scope, periods, unit.level)
    demos = demonstrations_by_month(session, scope, periods)
    recurrent: dict[int, list] = defaultdict(list)
    for row in aggregate.recurrence_rows(session, scope, months, key=_raw):
        if row[0] in inside:
            recurrent[row[3]].append(row)
    out = {}
    scorer = _Scorer(r, periods[0])
    for p in periods:
        month = p.months[0]
        report = _assemble(session, unit, p, as_of, r, compounds, summed.get(month, {}),
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
    inspections = latest_inspections(session, ids, period)
    demos = aggregate.demonstrations(session, ids, period, key=_raw)
    recurrent = aggregate.recurrence_rows(session, ids, period.months, key=_raw)
    return _assemble(session, unit, period, as_of, r, compounds, summed, cases, inspections, demos,
                     recurrent)


def _assemble(session: Session, unit: OrgUnit, period: Period, as_of: datetime, r: Rules,
              compounds: list[tuple], summed: dict, cases: dict, inspections: dict, demos: dict,
              recurrent: list, scorer: _Scorer | None = None) -> dict | None:
    """The report from the period's aggregates (rollup.compute's shape, without traces)."""
    from backend.reports.rollup import _companies, _plain, grouped

    scorer = (scorer or _Scorer(r, period)).at(period)
    memo = scorer.compound_memo
    no_findings = {"on_time": 0, "overdue": 0}
    total_texts: list[str | None] = []  # rows' totals as text (Decimal until ranked)
    rows: list[dict] = []
    totals: dict[str, Decimal] = {}
    incomplete: list[str] = []
    warnings: list[str] = []
    by_name: dict[str, dict] = {}
    for cid, name, key, cid_text, street, community, company in compounds:
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
        total, l_text, p_text, bonus_text, complete, ded_findings, ded_cases, total_text = scored
        total_texts.append(total_text)
        row = {
            "compound_id": cid_text, "name": name, "street_id": street,
            "community_id": community, "company_id": company,
            "total": total, "parts": {"L": l_text, "P": p_text}, "bonus": bonus_text,
            "complete": complete,
            "finding_counts": {"on_time": f[0] - f[1], "overdue": f[1]} if f else
            dict(no_findings),
            "deductions": {"findings": ded_findings, "cases": ded_cases},
            "cases": c or {}, "demonstrations": d or {},
            "inspections": {rid: _text(v[0]) for rid, v in mine.items()} if mine else {},
            "old_compound": None, "rank": None,
        }
        if p is None:
            warnings.append(f"{key}：本期无物业管理考核（细则P）记录，未计算综合得分、不参加排名")
        else:
            totals[key] = total
            if not complete:
                incomplete.append(key)
        if mine:
            e = mine.get("E")
            if e is not None:
                result = json.loads(e[4]) if e[4] else None
                row["old_compound"] = {"grade": e[2], "total": None if e[3] is None else str(e[3]),
                                       "subsidy": _plain_json((result or {}).get("money"))}
        rows.append(row)
        by_name[key] = row

    ranking = _rank(totals)
    town = r.town.composite
    if totals:
        places = sum(p.count for p in town.prizes if p.by == "rank")
        # only the places a prize can reach (a tie beyond them wins nothing either)
        prizes_awarded, town_warnings = award_prizes(
            [x for x in ranking if x.rank <= places], town.prizes)
    else:
        prizes_awarded, town_warnings = [], []
    town_warnings += [f"{k} 的评分不完整，排名仅供参考" for k in sorted(incomplete)]
    for entry in ranking:
        by_name[entry.subject]["rank"] = entry.rank
    prizes = [{"prize": p.prize, "compound_id": by_name[p.subject]["compound_id"],
               "name": by_name[p.subject]["name"],
               "amount": None if p.amount is None else str(p.amount), "rank": p.rank}
              for p in prizes_awarded]
    companies = _companies(session, rows, period, warnings)
    communities, streets = grouped(session, rows, "community_id"), grouped(session, rows, "street_id")
    for row, text in zip(rows, total_texts):
        row["total"] = text
    id_text = {c[0]: c[3] for c in compounds} if recurrent else {}
    return {
        "period": {"key": period.key, "label": period.label, "start": period.start.isoformat(),
                   "end": period.end.isoformat()},
        "scope": {"id": str(unit.id), "name": unit.name, "level": unit.level},
        "as_of": as_of.isoformat(), "frozen": False,
        "compounds": sorted(rows, key=lambda x: (x["rank"] is None, x["rank"] or 0, x["name"])),
        "prizes": prizes, "communities": _plain(communities), "streets": _plain(streets),
        "companies": _plain(companies),
        "recurrent": [{"compound_id": id_text.get(c) or _text(c), "catalog_code": code,
                       "building": building,
                       "month": month, "count": n, "previous_month_count": prev}
                      for c, code, building, month, n, prev in recurrent],
        "warnings": warnings + town_warnings,
    }


def _rank(totals: dict[str, Decimal]) -> list[Ranked]:
    """scoring.ranking.rank (competition ranking, ties by name) for many subjects: two stable
    sorts instead of a key with a negated Decimal per subject."""
    ordered = sorted(sorted(totals.items()), key=lambda kv: kv[1], reverse=True)
    out: list[Ranked] = []
    previous, place = None, 0
    for i, (subject, s) in enumerate(ordered):
        if previous is None or s != previous:
            place = i + 1
            previous = s
        out.append(Ranked(subject, s, place))
    return out


def _plain_json(value):  # noqa: ANN001, ANN202
    return value
