"""The one assembler of a period report: from the period's inputs (read by inputs.py) and a
scorer (scorers.py) to the typed `PeriodReport` (schemas.py).

compound: rubric L (long-term management) from its findings and hotline cases, rubric P from
its latest P inspection, the town composite (60% L + 40% P + demonstration bonus), ranking and
prizes (seed 002); rubric E grade and subsidy for old compounds (seed 003); community and
street/town: the mean of their compounds' composite scores, ranked (our reading: the seeds
score streets with their own rubrics S and X, which come from street inspections); company:
70% the mean of its compounds' composite scores + 30% the housing department's direct score
(seed 004 10.3.1). Ranking and prizes are backend.scoring.ranking's.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from backend.organisation.models import OrgUnit
from backend.reports.inputs import PeriodInputs, Shared, id_text
from backend.reports.periods import Period
from backend.reports.schemas import (
    CompanyRow, CompoundScore, GroupScore, OldCompound, PeriodInfo, PeriodReport, PrizeRow,
    Recurrence, ScopeInfo,
)
from backend.rubrics import library
from backend.scoring.composite import company_score
from backend.scoring.ranking import award_prizes, rank


def assemble(unit: OrgUnit, period: Period, as_of: datetime, shared: Shared,
             inputs: PeriodInputs, scorer) -> PeriodReport | None:  # noqa: ANN001
    """The report; None when the scorer cannot score a compound (the compiled rules met an
    input only the engine explains: the caller uses the detailed path)."""
    scorer = scorer.at(period)
    counts_memo: dict = {}  # (findings, overdue) → the row's finding_counts, shared by rows
    rows: list[CompoundScore] = []
    totals: dict[str, Decimal] = {}  # unique name → composite, of the compounds ranked
    by_key: dict[str, CompoundScore] = {}
    incomplete: list[str] = []
    warnings: list[str] = []
    by_community: dict[str, list[Decimal]] = defaultdict(list)
    by_street: dict[str, list[Decimal]] = defaultdict(list)
    by_company: dict[str, list[Decimal]] = defaultdict(list)
    for cid, name, key, cid_text, street, community, company in shared.compounds:
        f, c = inputs.findings.get(cid), inputs.cases.get(cid)
        mine, d = inputs.inspections.get(cid), inputs.demos.get(cid)
        p = mine.get("P") if mine else None
        scored = scorer.compound(f, c, p[1] if p else None, d, key)
        if scored is None:
            return None
        counts_key = scorer.counts(f)
        counts = counts_memo.get(counts_key)
        if counts is None:
            counts = counts_memo[counts_key] = {"on_time": counts_key[0] - counts_key[1],
                                                "overdue": counts_key[1]}
        e = mine.get("E") if mine else None
        row = CompoundScore(
            cid_text, name, street, community, company, scored.total_text, scored.parts,
            scored.bonus_text, scored.complete, counts, scored.deductions, c or {}, d or {},
            {rid: id_text(v[0]) for rid, v in mine.items()} if mine else {},
            _old_compound(e) if e is not None else None, None,
            (f or {}) if scorer.detailed else None, scored.detail)
        rows.append(row)
        if p is None:
            warnings.append(f"{key}：本期无物业管理考核（细则P）记录，未计算综合得分、不参加排名")
            continue
        totals[key] = scored.total
        by_key[key] = row
        by_community[community].append(scored.total)
        by_street[street].append(scored.total)
        if company:
            by_company[company].append(scored.total)
        if not scored.complete:
            incomplete.append(key)

    ranking = rank(totals)
    for r in ranking:
        by_key[r.subject].rank = r.rank
    town = library.current().get("town")
    places = sum(p.count for p in town.prizes if p.by == "rank")
    # prizes only over the places they can reach (a tie beyond them wins nothing either)
    awarded, town_warnings = award_prizes([r for r in ranking if r.rank <= places], town.prizes) \
        if ranking else ([], [])
    town_warnings += [f"{k} 的评分不完整，排名仅供参考" for k in sorted(incomplete)]
    ranked = [by_key[r.subject] for r in ranking]
    ordered = ranked + sorted((row for row in rows if row.rank is None), key=lambda x: x.name)
    return PeriodReport(
        period=PeriodInfo(period.key, period.label, period.start.isoformat(),
                          period.end.isoformat()),
        scope=ScopeInfo(str(unit.id), unit.name, unit.level), as_of=as_of.isoformat(),
        compounds=ordered,
        prizes=[PrizeRow(a.prize, by_key[a.subject].compound_id, by_key[a.subject].name,
                         None if a.amount is None else str(a.amount), a.rank) for a in awarded],
        communities=grouped_scores(by_community, shared.unit_names),
        streets=grouped_scores(by_street, shared.unit_names),
        companies=company_scores(by_company, shared.company_names, {
            cid: score for (cid, key), score in shared.company_direct.items()
            if key == period.key}, warnings) if by_company else [],
        recurrent=[Recurrence(shared.id_text.get(c) or id_text(c), code, building, month, n,
                              prev) for c, code, building, month, n, prev in inputs.recurrent],
        warnings=warnings + town_warnings, settings_version=library.settings_version())


def _old_compound(e: tuple) -> OldCompound:
    """Rubric E's grade and subsidy from (id, digest, grade, total, result JSON text)."""
    result = json.loads(e[4]) if e[4] else None
    return OldCompound(e[2], None if e[3] is None else str(e[3]), (result or {}).get("money"))


def grouped_scores(totals: Mapping[str, list[Decimal]], names: Mapping[str, str]
                   ) -> list[GroupScore]:
    """Communities or streets from {unit id text: its compounds' composite scores}."""
    means = {k: Decimal(sum(v)) / len(v) for k, v in totals.items()}
    ranked = {r.subject: r.rank for r in rank(means)}
    return [GroupScore(k, names.get(k), str(round(v, 2)), len(totals[k]), ranked[k])
            for k, v in sorted(means.items(), key=lambda kv: -kv[1])]


def company_scores(by_company: Mapping[str, list[Decimal]], names: Mapping[uuid.UUID, str],
                   direct: Mapping[uuid.UUID, Decimal], warnings: list[str]) -> list[CompanyRow]:
    """Companies: 70% the mean of their compounds' composite scores (`by_company`: {company id
    text: scores}) + 30% the direct score, ranked; a warning for each without a direct score."""
    rule = library.current().get("company")
    out = []
    for key, scores in by_company.items():
        cid = uuid.UUID(key)
        # = statistics.mean's exact mean, rounded (a Decimal sum of scores is exact)
        entry = CompanyRow(key, names.get(cid), len(scores),
                           str(round(sum(scores, Decimal(0)) / len(scores), 2)), None, None, None)
        if cid in direct:
            company = company_score(rule, scores, Decimal(direct[cid]),
                                    company=names.get(cid) or key)
            entry.direct, entry.total = str(company.direct), str(round(company.total, 2))
            entry.credit_grade, entry.warnings = company.grade, list(company.warnings)
            entry.honour_list = company.honour_list
        else:
            warnings.append(f"{names.get(cid)}：未录入住建部门直接考核成绩（占30%），企业总分未计算")
        out.append(entry)
    ranked = {r.subject: r.rank for r in rank({e.id: Decimal(e.total) for e in out
                                                if e.total is not None})}
    for entry in out:
        entry.rank = ranked.get(entry.id)
    return sorted(out, key=lambda e: (e.rank is None, e.rank or 0, e.name or ""))
