"""Every compound's score for a period and a scope, in bulk: the aggregates from SQL, the rubric
rules through the compiled evaluators (backend.scoring.compiled), no per-item trace.

This is what the report page and the ranking need for 10,000 compounds. The numbers are those
of `rollup.compute(..., detail=True)` (the general engine with every trace); tests/reports
check the two against each other. A compound whose observations the compiled rules cannot
evaluate exactly is scored by the engine, one at a time.

Per compound the database returns one row (findings counted and their deductions summed with
the catalog's per-code weights as exact integers), the hotline-case counts, and the latest
inspection's observations as JSON text; identical inputs are scored once (memo dictionaries),
which is most of them: deductions are small integers.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import Text, case, cast, func, literal, select, type_coerce
from sqlalchemy.types import String
from sqlmodel import Session

from backend.config import get_settings
from backend.findings.models import Ticket, TicketState
from backend.inspections.models import Inspection
from backend.inspections.service import exact
from backend.organisation.models import Compound, OrgUnit
from backend.reports import aggregate
from backend.reports.periods import Period
from backend.scoring.compiled import (
    CompiledComposite, CompiledRubric, Summed, Unsupported, catalog_weights, compile_composite,
    compile_rubric,
)
from backend.scoring.engine import score
from backend.scoring.observations import Observations, Period as ObsPeriod
from backend.scoring.ranking import award_prizes, rank

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


def _text(key: KeyT) -> str:
    if isinstance(key, str) and len(key) == 32:
        return f"{key[:8]}-{key[8:12]}-{key[12:16]}-{key[16:20]}-{key[20:]}"
    return str(key)


def _raw(column):  # noqa: ANN001, ANN202
    """A uuid column as the driver returns it, without SQLAlchemy's per-value conversion."""
    return type_coerce(column, String)


def findings_summed(session: Session, compounds, period: Period, as_of: datetime,
                    sources: tuple[str, ...], timezone: str, r: Rules
                    ) -> dict[KeyT, tuple[int, int, int, int]]:
    """{compound: (findings, overdue, Σ scaled deduction, findings with an unknown code)}."""
    rows = (select(Ticket.compound_id.label("compound_id"), Ticket.catalog_code.label("code"),
                   aggregate.overdue_expr(as_of).label("late"))
            .where(*aggregate.in_period(period, timezone), Ticket.compound_id.in_(compounds),
                   Ticket.source.in_(sources), Ticket.state != TicketState.cancelled,
                   Ticket.catalog_code.is_not(None))
            .subquery())
    unknown = case((rows.c.code.in_(list(r.weights)), literal(0)), else_=literal(1))
    distinct = set(r.weights.values())
    if len(distinct) == 1:  # one deduction for every code (the seed's catalog): no CASE per row
        (w_on, w_late), = distinct
        query = (select(_raw(rows.c.compound_id), func.count(), func.sum(rows.c.late),
                        func.sum(unknown)).group_by(rows.c.compound_id))
        return {cid: (int(n), int(o or 0), (int(n) - int(o or 0)) * w_on + int(o or 0) * w_late,
                      int(u or 0)) for cid, n, o, u in session.execute(query)}
    on_time = case(*((rows.c.code == code, literal(w)) for code, (w, _) in r.weights.items()),
                   else_=literal(0))
    late = case(*((rows.c.code == code, literal(w)) for code, (_, w) in r.weights.items()),
                else_=literal(0))
    query = (select(_raw(rows.c.compound_id), func.count(), func.sum(rows.c.late),
                    func.sum(case((rows.c.late == 1, late), else_=on_time)), func.sum(unknown))
             .group_by(rows.c.compound_id))
    return {cid: (int(n), int(o or 0), int(w or 0), int(u or 0))
            for cid, n, o, w, u in session.execute(query)}


def case_counts(session: Session, compounds, period: Period, as_of: datetime, timezone: str
                ) -> dict[KeyT, dict[str, int]]:
    return aggregate.case_counts(session, compounds, period, as_of, timezone, key=_raw)


def latest_inspections(session: Session, compounds, period: Period
                       ) -> dict[KeyT, dict[str, tuple]]:
    """{compound: {rubric: (id, observations JSON text, grade, total, result or None)}} for the
    latest submitted P, E and D inspections (the full result only for E: its subsidy)."""
    e_result = case((Inspection.rubric_id == "E", cast(Inspection.result, Text)), else_=None)
    rows = session.execute(
        select(_raw(Inspection.compound_id), Inspection.rubric_id, Inspection.id,
               cast(Inspection.observations, Text), Inspection.grade, Inspection.total, e_result)
        .where(Inspection.compound_id.in_(compounds), Inspection.rubric_id.in_(("P", "E", "D")),
               aggregate.inspection_in_period(period))
        .order_by(Inspection.submitted_at))
    out: dict[KeyT, dict[str, tuple]] = defaultdict(dict)
    for cid, rubric_id, iid, observations, grade, total, result in rows:
        out[cid][rubric_id] = (iid, observations, grade, total, result)
    return out


class _Scorer:
    """Scores with memo dictionaries; the engine for what the compiled rules cannot do."""

    def __init__(self, r: Rules, period: Period) -> None:
        from backend.reports.rollup import library

        self.r = r
        lib = library()
        self.rubrics, self.catalogs = lib.rubrics(), lib.catalogs()
        self.period = ObsPeriod(period.start, period.end)
        self.l_memo: dict = {}
        self.p_memo: dict = {}
        self.bonus_memo: dict = {}

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
            data = json.loads(observations)
            values = {k: v for k, v in data.items() if not k.startswith("_")}
            # items the inspector marked as not assessed this period (see inspections.service)
            not_assessed = frozenset(data.get("_not_assessed", []))
            try:
                q = self.r.property_.score(values, not_assessed)
                hit = (q.total, q.complete)
            except Unsupported:
                total, complete, _ = self._engine("P", values, not_assessed)
                hit = (total, complete)
            self.p_memo[observations] = hit
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


def compute(session: Session, unit: OrgUnit, period: Period, *, as_of: datetime,
            r: Rules) -> dict | None:
    """The report without traces, or None when a compound needs the detailed path."""
    from backend.reports.rollup import _companies, grouped

    settings = get_settings()
    compound_filter = aggregate.compounds_under(unit.level, unit.id)
    ids = select(Compound.id).where(compound_filter)
    compounds = session.execute(
        select(_raw(Compound.id), Compound.name, _raw(Compound.street_id),
               _raw(Compound.community_id), _raw(Compound.company_id))
        .where(compound_filter).order_by(Compound.name)).all()
    summed = findings_summed(session, ids, period, as_of, settings.scored_sources,
                             settings.timezone, r)
    if any(v[3] for v in summed.values()):
        return None  # a code the catalog no longer has: the engine reports it
    cases = case_counts(session, ids, period, as_of, settings.timezone)
    inspections = latest_inspections(session, ids, period)
    demos = aggregate.demonstrations(session, ids, period, key=_raw)

    names = {row[0]: row[1] for row in compounds}
    if len(set(names.values())) != len(names):  # the engine keys by name: make names unique
        names = {cid: f"{name}（{_text(cid)[:8]}）" for cid, name in names.items()}
    scorer = _Scorer(r, period)
    findings_item = r.findings_item
    rows: list[dict] = []
    totals: dict[str, Decimal] = {}
    incomplete: set[str] = set()
    warnings: list[str] = []
    by_name: dict[str, dict] = {}
    for cid, name, street, community, company in compounds:
        f, c, mine = summed.get(cid), cases.get(cid), inspections.get(cid, {})
        long_term = scorer.long_term(f, c)
        if long_term is None:
            return None
        l_total, l_complete, l_items = long_term
        p = mine.get("P")
        key = names[cid]
        d = demos.get(cid)
        row = {
            "compound_id": _text(cid), "name": name, "street_id": _text(street),
            "community_id": _text(community), "company_id": _text(company) if company else None,
            "total": None, "parts": None, "bonus": None, "complete": False,
            "finding_counts": {"on_time": f[0] - f[1], "overdue": f[1]} if f else
            {"on_time": 0, "overdue": 0},
            "deductions": {"findings": str(l_items.get(findings_item, ZERO)),
                           "cases": str(l_items.get("2", ZERO))},
            "cases": c or {}, "demonstrations": d or {},
            "inspections": {rid: str(v[0]) for rid, v in mine.items()},
            "old_compound": None, "rank": None,
        }
        if p is None:
            row["parts"] = {"L": str(l_total), "P": None}
            warnings.append(f"{key}：本期无物业管理考核（细则P）记录，未计算综合得分、不参加排名")
        else:
            p_total, p_complete = scorer.property_(p[1])
            bonus = scorer.bonus(d)
            parts = {"L": l_total, "P": p_total}
            total = r.town.total(parts, bonus)
            complete = l_complete and p_complete
            row.update(total=total, parts={k: str(v) for k, v in parts.items()},
                       bonus=str(bonus), complete=complete)
            totals[key] = total
            if not complete:
                incomplete.add(key)
        e = mine.get("E")
        if e is not None:
            result = json.loads(e[4]) if e[4] else None
            row["old_compound"] = {"grade": e[2], "total": None if e[3] is None else str(e[3]),
                                   "subsidy": _plain_json((result or {}).get("money"))}
        rows.append(row)
        by_name[key] = row

    ordered = sorted(totals)  # score_town scores compounds in name order
    ranking = rank({k: totals[k] for k in ordered}) if totals else []
    town = r.town.composite
    prizes_awarded, town_warnings = award_prizes(ranking, town.prizes) if totals else ([], [])
    town_warnings += [f"{k} 的评分不完整，排名仅供参考" for k in ordered if k in incomplete]
    for entry in ranking:
        by_name[entry.subject]["rank"] = entry.rank
    prizes = [{"prize": p.prize, "compound_id": by_name[p.subject]["compound_id"],
               "name": by_name[p.subject]["name"],
               "amount": None if p.amount is None else str(p.amount), "rank": p.rank}
              for p in prizes_awarded]
    companies = _companies(session, rows, period, warnings)
    communities, streets = grouped(session, rows, "community_id"), grouped(session, rows, "street_id")
    for row in rows:
        if row["total"] is not None:
            row["total"] = str(row["total"])
    from backend.reports.rollup import _plain

    return {
        "period": {"key": period.key, "label": period.label, "start": period.start.isoformat(),
                   "end": period.end.isoformat()},
        "scope": {"id": str(unit.id), "name": unit.name, "level": unit.level},
        "as_of": as_of.isoformat(), "frozen": False,
        "compounds": sorted(rows, key=lambda x: (x["rank"] is None, x["rank"] or 0, x["name"])),
        "prizes": prizes, "communities": _plain(communities), "streets": _plain(streets),
        "companies": _plain(companies),
        "recurrent": aggregate.recurrent_problems(session, ids, period),
        "warnings": warnings + town_warnings,
    }


def _plain_json(value):  # noqa: ANN001, ANN202
    return value
