"""A period's scores for a scope, from what actually happened.

compound: rubric L (long-term management) from its findings and hotline cases, rubric P from
its latest P inspection, the town composite (60% L + 40% P + demonstration bonus), ranking and
prizes (seed 002); rubric E grade and subsidy for old compounds (seed 003);
community and street/town: the mean of their compounds' composite scores, ranked (our reading:
the seeds score streets with their own rubrics S and X, which come from street inspections);
company: 70% the mean of its compounds' composite scores + 30% the housing department's direct
score (seed 004 10.3.1).

The SQL in aggregate.py does the counting; the pure engine (backend.scoring) applies the rules.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Iterable, Mapping

from sqlmodel import Session, select

from backend.config import get_settings
from backend.inspections.service import exact
from backend.organisation.models import Company, Compound, OrgUnit
from backend.reports import aggregate
from backend.reports.models import CompanyDirectScore
from backend.reports.periods import Period
from backend.rubrics.loader import load_dir
from backend.scoring.composite import company_score, score_town
from backend.scoring.engine import score
from backend.scoring.results import ScoreResult
from backend.scoring.observations import Observations, from_data
from backend.scoring.ranking import rank

DEMO_LEVELS = ("district", "city", "province", "national")


@lru_cache
def library():  # noqa: ANN201
    return load_dir(get_settings().rubrics_dir)


def _observations(subject: str, values: dict, period: Period, facts: dict | None = None,
                  not_assessed: list[str] = ()) -> Observations:
    document = {"subject": subject, "observations": exact(values), "facts": facts or {},
                "not_assessed": list(not_assessed),
                "period": {"start": period.start.isoformat(), "end": period.end.isoformat()}}
    return next(iter(from_data(document).values()))


def _plain(value):  # noqa: ANN001, ANN202
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def compute(session: Session, unit: OrgUnit, period: Period, *, as_of: datetime,
            detail: bool = False) -> dict:
    """The period's report for the unit. Without `detail` the compounds' scores come from the
    bulk path (backend.reports.bulk: compiled rules, no per-item trace); with it, every
    compound also carries its findings by catalog code and the engine's full trace."""
    if not detail:
        from backend.reports import bulk

        rules = bulk.rules()
        if rules is not None:
            report = bulk.compute(session, unit, period, as_of=as_of, r=rules)
            if report is not None:
                return report
    report = _detailed(session, unit, period, as_of=as_of)
    if not detail:
        for row in report["compounds"]:
            del row["findings"], row["detail"]
    return report


def compute_months(session: Session, unit: OrgUnit, months: list[Period], *,
                   as_of: datetime, recurrence: bool = True) -> dict[str, dict]:
    """{period key: report} for several whole months, each equal to `compute` for that month
    alone (without detail), from one pass of GROUP BY month, compound statements (bulk).
    Without `recurrence`, every report's `recurrent` list is empty (not computed)."""
    from backend.reports import bulk

    rules = bulk.rules()
    if rules is not None:
        reports = bulk.compute_months(session, unit, months, as_of=as_of, r=rules,
                                      recurrence=recurrence)
        if reports is not None:
            return reports
    reports = {p.key: compute(session, unit, p, as_of=as_of) for p in months}
    if not recurrence:
        for report in reports.values():
            report["recurrent"] = []
    return reports


def _detailed(session: Session, unit: OrgUnit, period: Period, *, as_of: datetime) -> dict:
    settings = get_settings()
    lib = library()
    rubrics, catalogs = lib.rubrics(), lib.catalogs()
    town = lib.get("town")
    compound_filter = aggregate.compounds_under(unit.level, unit.id)
    compounds = {c.id: c for c in session.exec(select(Compound).where(compound_filter)
                                               .order_by(Compound.name))}
    ids = select(Compound.id).where(compound_filter)
    findings = aggregate.finding_counts(session, ids, period, as_of, settings.scored_sources,
                                        settings.timezone)
    cases = aggregate.case_counts(session, ids, period, as_of, settings.timezone)
    inspections = aggregate.latest_inspections(session, ids, period, ("P", "E", "D"))
    demos = aggregate.demonstrations(session, ids, period)

    names = {cid: c.name for cid, c in compounds.items()}
    if len(set(names.values())) != len(names):  # the engine keys by name: make names unique
        names = {cid: f"{c.name}（{str(cid)[:8]}）" for cid, c in compounds.items()}
    by_name = {name: cid for cid, name in names.items()}
    observed: dict[str, dict[str, Observations]] = {}
    unassessed: dict[str, ScoreResult] = {}
    warnings: list[str] = []
    for cid, compound in compounds.items():
        name = names[cid]
        l_values = {}
        if findings.get(cid):
            l_values["1"] = {"findings": findings[cid]}
        if cases.get(cid):
            l_values["2"] = cases[cid]
        long_term = _observations(name, l_values, period)
        p = inspections.get(cid, {}).get("P")
        if p is None:
            # Without its P assessment a compound's composite would count P as perfect: it is
            # reported (its L score) but not ranked.
            unassessed[name] = score(rubrics["L"], long_term, catalogs=catalogs)
            warnings.append(f"{name}：本期无物业管理考核（细则P）记录，未计算综合得分、不参加排名")
            continue
        p_values = {k: v for k, v in p.observations.items() if not k.startswith("_")}
        observed[name] = {
            "L": long_term,
            "P": _observations(name, p_values, period,
                               not_assessed=p.observations.get("_not_assessed", [])),
            "bonus": _observations(name, {"demo": demos[cid]} if demos.get(cid) else {}, period)}
    result = score_town(town, rubrics, observed, catalogs=catalogs) if observed else None

    compound_rows = []
    for cid, compound in compounds.items():
        name = names[cid]
        if name in unassessed:
            l_result = unassessed[name]
            scores = {"total": None, "parts": {"L": l_result.total, "P": None}, "bonus": None,
                      "complete": False, "detail": {"part_results": {"L": l_result.to_dict()}}}
        else:
            composite = result.results[name]
            l_result = composite.part_results["L"]
            scores = {"total": composite.total, "parts": composite.parts, "bonus": composite.bonus,
                      "complete": composite.complete, "detail": composite.to_dict()}
        counted = findings.get(cid, {}).values()
        e = inspections.get(cid, {}).get("E")
        compound_rows.append({
            "compound_id": str(cid), "name": compound.name, "street_id": str(compound.street_id),
            "community_id": str(compound.community_id),
            "company_id": str(compound.company_id) if compound.company_id else None,
            **{k: v for k, v in scores.items() if k != "detail"},
            "finding_counts": {"on_time": sum(c["on_time"] for c in counted),
                               "overdue": sum(c["overdue"] for c in counted)},
            "deductions": {"findings": l_result.item("1").deduction,
                           "cases": l_result.item("2").deduction},
            "findings": findings.get(cid, {}), "cases": cases.get(cid, {}),
            "demonstrations": demos.get(cid, {}),
            "inspections": {r: str(i.id) for r, i in inspections.get(cid, {}).items()},
            "old_compound": {"grade": e.grade, "total": e.total,
                             "subsidy": (e.result or {}).get("money")} if e else None,
            "detail": scores["detail"],
        })
    ranking = {r.subject: r.rank for r in result.ranking} if result else {}
    for row in compound_rows:
        row["rank"] = ranking.get(names[uuid.UUID(row["compound_id"])])
    prizes = [{"prize": p.prize, "compound_id": str(by_name[p.subject]), "name":
               compounds[by_name[p.subject]].name, "amount": p.amount, "rank": p.rank}
              for p in (result.prizes if result else [])]

    companies = _companies(session, compound_rows, period, warnings)
    return _plain({
        "period": {"key": period.key, "label": period.label, "start": period.start.isoformat(),
                   "end": period.end.isoformat()},
        "scope": {"id": str(unit.id), "name": unit.name, "level": unit.level},
        "as_of": as_of.isoformat(), "frozen": False,
        "compounds": sorted(compound_rows, key=lambda r: (r["rank"] is None, r["rank"] or 0,
                                                          r["name"])),
        "prizes": prizes, "communities": grouped(session, compound_rows, "community_id"),
        "streets": grouped(session, compound_rows, "street_id"),
        "companies": companies,
        "recurrent": aggregate.recurrent_problems(session, ids, period),
        "warnings": warnings + (result.warnings if result else []),
    })


def grouped(session: Session, compound_rows: list[dict], key: str) -> list[dict]:
    """Communities or streets: the mean of their compounds' composite scores, ranked."""
    totals: dict[str, list[Decimal]] = defaultdict(list)
    for row in compound_rows:
        if row[key] and row["total"] is not None:
            totals[row[key]].append(row["total"])
    return grouped_scores(totals, unit_names(session, totals))


def unit_names(session: Session, ids: Iterable[str]) -> dict[str, str]:
    """{unit id text: name}."""
    wanted = [uuid.UUID(k) for k in ids]
    return {str(u.id): u.name for u in session.exec(select(OrgUnit).where(
        OrgUnit.id.in_(wanted)))} if wanted else {}


def grouped_scores(totals: Mapping[str, list[Decimal]], names: Mapping[str, str]) -> list[dict]:
    """`grouped` from {unit id text: its compounds' composite scores} and the units' names."""
    means = {k: Decimal(sum(v)) / len(v) for k, v in totals.items()}
    ranked = {r.subject: r.rank for r in rank(means)}
    return [{"id": k, "name": names.get(k), "score": round(v, 2), "compounds": len(totals[k]),
             "rank": ranked[k]} for k, v in sorted(means.items(), key=lambda kv: -kv[1])]


def _companies(session: Session, rows: list[dict], period: Period, warnings: list[str]) -> list[dict]:
    by_company: dict[str, list[Decimal]] = defaultdict(list)
    for row in rows:
        if row["company_id"] and row["total"] is not None:
            by_company[row["company_id"]].append(row["total"])
    if not by_company:
        return []
    names, direct = company_inputs(session, by_company, [period.key])
    return company_scores(by_company, names, {cid: d for (cid, _), d in direct.items()}, warnings)


def company_inputs(session: Session, ids: Iterable[str], period_keys: list[str]
                   ) -> tuple[dict[uuid.UUID, str], dict[tuple[uuid.UUID, str], Decimal]]:
    """The companies' names, and their direct scores by (company, period key)."""
    wanted = [uuid.UUID(k) for k in ids]
    names = dict(session.exec(select(Company.id, Company.name).where(Company.id.in_(wanted))).all())
    direct = {(cid, key): score for cid, key, score in session.exec(
        select(CompanyDirectScore.company_id, CompanyDirectScore.period_key,
               CompanyDirectScore.score).where(CompanyDirectScore.company_id.in_(wanted),
                                               CompanyDirectScore.period_key.in_(period_keys)))}
    return names, direct


def company_scores(by_company: Mapping[str, list[Decimal]], names: Mapping[uuid.UUID, str],
                   direct: Mapping[uuid.UUID, Decimal], warnings: list[str]) -> list[dict]:
    """Companies: 70% the mean of their compounds' composite scores (`by_company`: {company id
    text: scores}) + 30% the direct score, ranked; a warning for each without a direct score."""
    rule = library().get("company")
    out = []
    for key, scores in by_company.items():
        cid = uuid.UUID(key)
        entry = {"id": key, "name": names.get(cid), "projects": len(scores),
                 # = statistics.mean's exact mean, rounded (a Decimal sum of scores is exact)
                 "project_average": round(sum(scores, Decimal(0)) / len(scores), 2)}
        if cid in direct:
            company = company_score(rule, scores, Decimal(direct[cid]), company=names.get(cid) or key)
            entry |= {"direct": company.direct, "total": round(company.total, 2),
                      "credit_grade": company.grade, "warnings": list(company.warnings)}
        else:
            entry |= {"direct": None, "total": None, "credit_grade": None}
            warnings.append(f"{names.get(cid)}：未录入住建部门直接考核成绩（占30%），企业总分未计算")
        out.append(entry)
    ranked = {r.subject: r.rank for r in rank({e["id"]: e["total"] for e in out if e["total"] is not None})}
    for entry in out:
        entry["rank"] = ranked.get(entry["id"])
    return sorted(out, key=lambda e: (e["rank"] is None, e["rank"] or 0, e["name"] or ""))
