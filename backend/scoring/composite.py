"""Weighted composites, town ranking and prizes (seed 002 §三, §五, 附件4); company score (seed 004).

Stable API:

    score_composite(composite, part_results, bonus_observations=None) -> CompositeResult
    score_town(composite, rubrics, compounds, *, catalogs=None, designated=None) -> TownResult
    company_score(rule, project_scores, direct_score) -> CompanyResult

Town composite = Σ weight × part total (60% long-term management + 40% rubric P) + bonus
(demonstration projects: district +3, city +5, province +7, national +10). Compounds are ranked by
competition ranking and prizes are given by place (see ranking.py for the tie rule).

Company score = project_weight × mean(project scores) + direct_weight × direct score
(70% / 30%, seed 004 10.3.1); the credit grade comes from bands whose thresholds the seed does not
give (附录H is missing), so they load as needs-configuration and no grade is given until configured.
The red and black lists (seed 004 10.3.3) likewise place nobody until their lines are configured.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Mapping, Sequence

from backend.rubrics.models import (
    Catalog, CompanyScore, Composite, ConfigValue, HonourLists, Rubric, amount_value,
)
from backend.scoring.engine import score_items
from backend.scoring.money import grade_for
from backend.scoring.observations import Observations
from backend.scoring.ranking import award_prizes, rank
from backend.scoring.results import CompositeResult, PrizeAward, Ranked, ScoreResult, _plain, fmt

ZERO = Decimal(0)
BONUS_KEY = "bonus"  # key of the composite's own bonus observations beside the part rubric ids


def score_composite(composite: Composite, part_results: Mapping[str, ScoreResult],
                    bonus_observations: Observations | None = None, *, subject: str | None = None,
                    ) -> CompositeResult:
    warnings: list[str] = []
    parts, weighted = {}, {}
    complete = True
    for p in composite.parts:
        r = part_results.get(p.rubric)
        if r is None:
            raise KeyError(f"缺少“{p.rubric}”的评分结果")
        parts[p.rubric] = r.total
        weighted[p.rubric] = p.weight * r.total
        complete = complete and r.complete
        warnings.extend(f"[{p.rubric}] {w}" for w in r.warnings)
    bonus_items, bw = score_items(composite.bonus_items, bonus_observations or Observations())
    warnings.extend(bw)
    bonus = sum((i.bonus for i in bonus_items), ZERO)
    cap = amount_value(composite.bonus_cap)
    if cap is not None and bonus > cap:
        bonus = cap
    total = sum(weighted.values(), ZERO) + bonus
    name = subject if subject is not None else next(iter(part_results.values())).subject
    return CompositeResult(composite.id, name or "", total, parts, weighted, bonus, tuple(bonus_items),
                           complete, tuple(dict.fromkeys(warnings)), dict(part_results))


@dataclass(frozen=True)
class TownResult:
    results: dict[str, CompositeResult]
    ranking: list[Ranked]
    prizes: list[PrizeAward]
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "results": {k: v.to_dict() for k, v in self.results.items()},
            "ranking": [_plain(r.__dict__) for r in self.ranking],
            "prizes": [p.to_dict() for p in self.prizes],
            "warnings": self.warnings,
        }


def score_town(composite: Composite, rubrics: Mapping[str, Rubric],
               compounds: Mapping[str, Mapping[str, Observations]], *,
               catalogs: Mapping[str, Catalog] | None = None,
               designated: Mapping[str, Sequence[str]] | None = None) -> TownResult:
    """Score every compound's parts, combine, rank and award prizes.

    `compounds`: {compound: {rubric id: Observations, "bonus": Observations}}. Each part rubric is
    scored for all compounds together (score_peers semantics), so rank clauses would see peers.
    """
    from backend.scoring.engine import score_peers

    per_part: dict[str, dict[str, ScoreResult]] = {}
    for p in composite.parts:
        rubric = rubrics[p.rubric]
        obs = {c: parts.get(p.rubric, Observations(subject=c)) for c, parts in compounds.items()}
        per_part[p.rubric] = score_peers(rubric, obs, catalogs=catalogs)
    results = {}
    for c in sorted(compounds):
        results[c] = score_composite(composite, {p.rubric: per_part[p.rubric][c] for p in composite.parts},
                                     compounds[c].get(BONUS_KEY), subject=c)
    ranking = rank({c: r.total for c, r in results.items()})
    prizes, warnings = award_prizes(ranking, composite.prizes, designated)
    for c, r in results.items():
        if not r.complete:
            warnings.append(f"{c} 的评分不完整，排名仅供参考")
    return TownResult(results, ranking, prizes, warnings)


@dataclass(frozen=True)
class CompanyResult:
    company: str
    total: Decimal
    project_average: Decimal
    direct: Decimal
    grade: str | None
    detail: str
    warnings: tuple[str, ...] = ()
    honour_list: str | None = None  # 红榜 | 黑榜 | None (seed 004 10.3.3)

    def to_dict(self) -> dict:
        return _plain(self.__dict__)


def company_score(rule: CompanyScore, project_scores: Sequence[Decimal], direct_score: Decimal, *,
                  company: str = "") -> CompanyResult:
    """Seed 004 10.3.1: 70% × mean of the company's project (compound) scores + 30% × direct score."""
    if not project_scores:
        raise ValueError("企业没有项目评分，无法计算（汇总街道社区考核的物业服务项目成绩占70%）")
    avg = sum(project_scores, ZERO) / len(project_scores)
    total = rule.project_weight * avg + rule.direct_weight * direct_score
    warnings: list[str] = []
    grade = grade_for(rule.credit_grades, total) if rule.credit_grades else None
    unconfigured = [b.name for b in rule.credit_grades
                    if isinstance(b.min, ConfigValue) and b.min.value is None]
    if unconfigured:
        warnings.append(f"信用等级分数线需要配置（{'、'.join(unconfigured)}），未定信用等级")
    honour_list = None
    if rule.honour_lists:
        honour_list, unset = honour_list_for(rule.honour_lists, total)
        if unset:
            warnings.append(f"红黑榜分数线需要配置（{'、'.join(unset)}），未定红黑榜")
    detail = (f"{fmt(rule.project_weight)} × 项目平均 {fmt(avg)}（{len(project_scores)} 个项目）"
              f" + {fmt(rule.direct_weight)} × 直接考核 {fmt(direct_score)} = {fmt(total)}")
    return CompanyResult(company, total, avg, direct_score, grade, detail, tuple(warnings), honour_list)


def honour_list_for(lists: HonourLists, total: Decimal) -> tuple[str | None, list[str]]:
    """Seed 004 10.3.3: 红榜 at or above its line, 黑榜 below its own, neither in between; a list
    whose line is not configured places nobody (and is named in the second value)."""
    red, black = amount_value(lists.red_min), amount_value(lists.black_below)
    unset = [name for name, line in (("红榜", red), ("黑榜", black)) if line is None]
    if red is not None and total >= red:
        return "红榜", unset
    if black is not None and total < black:
        return "黑榜", unset
    return None, unset
