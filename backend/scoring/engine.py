"""The scoring engine: a rubric + observations → a `ScoreResult`. Pure, exact, deterministic.

Stable API (what the rest of the product calls; keep these signatures):

    score(rubric, observations, *, peers=None, catalogs=None) -> ScoreResult
    score_peers(rubric, observations_by_subject, *, catalogs=None) -> dict[str, ScoreResult]
    score_items(items, observations, *, catalogs=None) -> tuple[list[ItemResult], list[str]]

How a total is formed (rubric-level):

    base   = rubric.base, or the sum of item points when the rubric declares none
    total  = max(floor, base − Σ item deductions + min(Σ bonus, bonus_cap))

- a *deduct* item loses Σ clause amounts, capped at its points and at its explicit cap (最多扣N分),
  so an item never goes below 0; each clause may carry its own cap;
- an *award* item (rubric D criteria, rubric E item 20) loses points − awarded;
- a *bonus* item adds, capped by its cap;
- a veto clause observed true sets `vetoed`, total 0 and grade "一票否决";
- items listed in `not_assessed` contribute nothing ("100 − deductions over the items assessed in
  this period", seed 001);
- anything not computable (an unrecorded time node or award, a sample below the minimum, a value that
  needs configuration) makes the result `complete = False` with a warning naming the item; then no
  grade and no money are given, since they would rest on a guess.

Order independence: results follow the rubric's item order; observations are looked up by key, and
sums of Decimals are exact, so the order observations arrive in cannot change a number.

Peers: rank clauses need every peer's value. `score_peers` collects them from all subjects and scores
each; `score` accepts them directly as `peers={(item_id, clause_id): {subject: value}}`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Mapping, Sequence

from backend.rubrics.models import (
    Catalog, ConfigValue, Item, Rank, Rubric, amount_value,
)
from backend.scoring.clauses import ZERO, Context, PeerValues, evaluate
from backend.scoring.money import grade_for, subsidy
from backend.scoring.observations import Observations, as_date, as_decimal
from backend.scoring.results import ItemResult, Money, ScoreResult, fmt

VETO_GRADE = "一票否决"


def _check_keys(items: Sequence[Item], obs: Observations, extra_items: Sequence[str] = ()) -> None:
    """Every observed item and clause must exist: a typo must not silently score as 'nothing found'."""
    by_id = {i.id: i for i in items}
    for item_id in obs.values:
        if item_id not in by_id:
            if item_id in extra_items:
                continue
            raise obs.error(("observations", item_id),
                            f"评分标准中没有第“{item_id}”项（可用: {', '.join(by_id)}）")
        clause_ids = [c.id for c in by_id[item_id].clauses]
        for cid in obs.values[item_id]:
            if cid not in clause_ids:
                raise obs.error(("observations", item_id, cid),
                                f"第{item_id}项没有条款“{cid}”（可用: {', '.join(clause_ids)}）")
    for item_id in obs.not_assessed:
        if item_id not in by_id:
            raise obs.error(("not_assessed",), f"not_assessed 中的“{item_id}”不是评分项目")


def _item_result(item: Item, ctx: Context) -> ItemResult:
    if item.id in ctx.obs.not_assessed:
        return ItemResult(item.id, item.title, item.kind, amount_value(item.points), ZERO, ZERO, None,
                          "not_assessed", False, (), item.standard, item.scoring_text)
    lines = tuple(ln for c in item.clauses for ln in evaluate(item, c, ctx))
    if lines and isinstance(item.points, ConfigValue) and item.points.value is not None:
        ctx.flag(item, "(分值)", item.points, "分值")
    points = amount_value(item.points)
    cap = amount_value(item.cap)
    known = sum((ln.amount for ln in lines if ln.amount is not None), ZERO)
    statuses = {ln.status for ln in lines}
    status = "invalid" if "invalid" in statuses else (
        "incomplete" if statuses & {"needs_configuration", "not_recorded"} else "scored")
    for ln in lines:
        if ln.status in ("invalid", "not_recorded", "needs_configuration"):
            ctx.warnings.append(f"第{item.id}项“{item.title}”：{ln.detail}")

    if item.kind == "bonus":
        bonus = known if cap is None else min(known, cap)
        if status == "invalid":
            status = "scored"  # an invalid measure simply earns no bonus
        return ItemResult(item.id, item.title, "bonus", points, ZERO, bonus, None, status,
                          bonus < known, lines, item.standard, item.scoring_text)

    if item.kind == "award":
        awarded = known if points is None else min(known, points)
        deduction = (points - awarded) if points is not None else ZERO
        score = awarded if status == "scored" else None
        return ItemResult(item.id, item.title, "award", points, deduction, ZERO, score, status,
                          awarded < known, lines, item.standard, item.scoring_text)

    limits = [x for x in (points, cap) if x is not None]
    deduction = min([known, *limits])
    if points is None and isinstance(item.points, ConfigValue) and known > 0:
        ctx.warnings.append(f"第{item.id}项“{item.title}”分值未配置，本项扣分 {fmt(known)} 未按分值封顶")
    score = (points - deduction) if points is not None else None
    return ItemResult(item.id, item.title, "deduct", points, deduction, ZERO, score, status,
                      deduction < known, lines, item.standard, item.scoring_text)


def score_items(items: Sequence[Item], observations: Observations, *,
                catalogs: Mapping[str, Catalog] | None = None,
                peers: PeerValues | None = None) -> tuple[list[ItemResult], list[str]]:
    """Score a list of items (a rubric's, or a composite's bonus items); (results, warnings)."""
    _check_keys(items, observations)
    ctx = Context(observations, peers or {}, catalogs or {})
    results = [_item_result(i, ctx) for i in items]
    return results, ctx.warnings


def _base(rubric: Rubric) -> Decimal:
    if rubric.base is not None:
        return rubric.base
    declared = amount_value(rubric.total)
    if declared is not None:
        return declared
    return sum((amount_value(i.points) or ZERO for i in rubric.items if i.kind != "bonus"), ZERO)


def score(rubric: Rubric, observations: Observations, *, peers: PeerValues | None = None,
          catalogs: Mapping[str, Catalog] | None = None) -> ScoreResult:
    """Score one subject against one rubric."""
    items, warnings = score_items(rubric.items, observations, catalogs=catalogs, peers=peers)
    base = _base(rubric)
    deductions = sum((i.deduction for i in items if i.kind != "bonus"), ZERO)
    bonus = sum((i.bonus for i in items if i.kind == "bonus"), ZERO)
    bcap = amount_value(rubric.bonus_cap)
    if bcap is not None and bonus > bcap:
        bonus = bcap
    raw_total = base - deductions + bonus
    vetoed = any(ln.status == "veto" for i in items for ln in i.lines)
    complete = all(i.status in ("scored", "not_assessed") for i in items)
    total = ZERO if vetoed else max(rubric.floor, raw_total)
    if raw_total < rubric.floor and not vetoed:
        warnings.append(f"扣分合计超过基础分，总分按 {fmt(rubric.floor)} 计（未截断为 {fmt(raw_total)}）")

    grade = money = None
    if vetoed:
        grade = VETO_GRADE
        reasons = [f"第{i.id}项“{i.title}”" for i in items if any(ln.status == "veto" for ln in i.lines)]
        warnings.append(f"一票否决：{'、'.join(reasons)}")
    elif rubric.grades and complete:
        grade = grade_for(rubric.grades, total)
        if grade is None:
            warnings.append("等次分数线需要配置，未定等次")
    elif rubric.grades:
        warnings.append("结果不完整，暂不评定等次，也不计算补贴")
    if rubric.subsidy and grade and not vetoed:
        money, w = _subsidy(rubric, grade, observations)
        warnings.extend(w)
    period = (observations.period.start, observations.period.end) if observations.period else None
    return ScoreResult(rubric.id, observations.subject, total, raw_total, base, deductions, bonus, grade,
                       vetoed, complete, tuple(items), money, tuple(dict.fromkeys(warnings)), period)


def _subsidy(rubric: Rubric, grade: str, obs: Observations):
    for rule in rubric.subsidy.not_eligible_when:
        if obs.get(rule.item, rule.clause) is True:
            return Money("subsidy", ZERO, rule.reason, 0, None), [rule.reason]
    facts = obs.facts
    if "area_m2" not in facts:
        return None, ["未提供建筑面积（facts.area_m2），不计算补贴"]
    area = as_decimal(facts["area_m2"], lambda m: obs.error(("facts", "area_m2"), f"facts.area_m2: {m}"))
    moved_in = None
    if "moved_in" in facts:
        moved_in = as_date(facts["moved_in"], lambda m: obs.error(("facts", "moved_in"), f"facts.moved_in: {m}"))
    return subsidy(rubric.subsidy, grade, area, obs.period, moved_in)


def peer_values(rubric: Rubric, observations_by_subject: Mapping[str, Observations]) -> dict:
    """{(item, clause): {subject: value}} for every rank clause, from all subjects' observations."""
    out: dict[tuple[str, str], dict[str, Decimal]] = {}
    for item in rubric.items:
        for c in item.clauses:
            if not isinstance(c, Rank):
                continue
            vals = {}
            for name, obs in observations_by_subject.items():
                if obs.has(item.id, c.id):
                    vals[name] = as_decimal(obs.get(item.id, c.id),
                                            lambda m, o=obs: o.obs_error(item.id, c.id, m))
            out[(item.id, c.id)] = vals
    return out


def score_peers(rubric: Rubric, observations_by_subject: Mapping[str, Observations], *,
                catalogs: Mapping[str, Catalog] | None = None) -> dict[str, ScoreResult]:
    """Score peers (e.g. five streets) together so rank clauses see every peer's value."""
    named = {name: (o if o.subject == name else _named(o, name)) for name, o in observations_by_subject.items()}
    peers = peer_values(rubric, named)
    return {name: score(rubric, named[name], peers=peers, catalogs=catalogs) for name in sorted(named)}


def _named(obs: Observations, name: str) -> Observations:
    from dataclasses import replace
    return replace(obs, subject=name)
