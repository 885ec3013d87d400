"""Seed 002 §三/§五/附件4: town composite (60% L + 40% P + demonstration bonus), ranking and prizes;
§四(一) long-term management; 附件2 rubric P; seed 004 company score."""

import dataclasses
from decimal import Decimal

from backend.scoring.composite import company_score, score_composite, score_town
from backend.scoring.engine import score
from backend.scoring.observations import Observations
from backend.scoring.ranking import award_prizes, rank

D = Decimal


def _town(lib, compounds, designated=None):
    return score_town(lib.get("town"), lib.rubrics(), compounds, catalogs=lib.catalogs(), designated=designated)


def _c(make_obs, name, L=None, P=None, bonus=None):
    out = {"L": make_obs(L or {}, subject=name), "P": make_obs(P or {}, subject=name)}
    if bonus is not None:
        out["bonus"] = make_obs(bonus, subject=name)
    return out


def test_seed002_s3_composite_60_percent_L_40_percent_P_plus_demo_bonus(lib, make_obs):
    """L = 100 − 5 findings on time (5) = 95; P = 100 − 5 (一例未反馈) = 95; city demo +5:
    0.6 × 95 + 0.4 × 95 + 5 = 57 + 38 + 5 = 100."""
    t = _town(lib, {"A": _c(make_obs, "A", L={"1": {"findings": {"HJ01": 5}}}, P={"2": {"feedback_missing": 1}},
                            bonus={"demo": {"city": 1}})})
    r = t.results["A"]
    assert r.weighted == {"L": D(57), "P": D(38)} and r.bonus == 5 and r.total == 100


def test_seed002_s5_demo_bonus_district3_city5_province7_national10(lib, make_obs):
    """One project at each level: 3 + 5 + 7 + 10 = 25 on top of 100."""
    t = _town(lib, {"A": _c(make_obs, "A", bonus={"demo": {"district": 1, "city": 1, "province": 1, "national": 1}})})
    assert t.results["A"].bonus == 25 and t.results["A"].total == 125


def test_seed002_annex4_prizes_to_the_right_compounds(lib, make_obs):
    """Seven compounds with distinct totals: places 1–2 一等奖 3000, 3–4 二等奖 (2024, flagged),
    5–6 三等奖 1000, 7th nothing; 红色物业 designated."""
    names = ["c1", "c2", "c3", "c4", "c5", "c6", "c7"]
    comps = {n: _c(make_obs, n, L={"2": {"overtime": i}}) for i, n in enumerate(names)}
    t = _town(lib, comps, designated={"红色物业": ["c7"]})
    assert [(r.subject, r.rank) for r in t.ranking] == [(n, i + 1) for i, n in enumerate(names)]
    got = {(p.prize, p.subject, p.amount) for p in t.prizes}
    assert got == {("一等奖", "c1", 3000), ("一等奖", "c2", 3000), ("二等奖", "c3", 2024), ("二等奖", "c4", 2024),
                   ("三等奖", "c5", 1000), ("三等奖", "c6", 1000), ("红色物业", "c7", 2024)}
    assert any("2024" in w and "二等奖" in w for w in t.warnings)


def test_seed002_ranking_tie_straddling_a_prize_boundary(lib, make_obs):
    """Competition ranking (1, 2, 2, 4): two compounds tied for place 2 both get 一等奖 (3 winners,
    warned); the next compound is 4th → 二等奖; nobody is ranked 3rd."""
    ranking = rank({"a": D(100), "b": D("97.6"), "c": D("97.6"), "d": D(92)})
    assert [(r.subject, r.rank) for r in ranking] == [("a", 1), ("b", 2), ("c", 2), ("d", 4)]
    awards, warnings = award_prizes(ranking, lib.get("town").prizes)
    assert [(a.prize, a.subject) for a in awards] == [("一等奖", "a"), ("一等奖", "b"), ("一等奖", "c"), ("二等奖", "d")]
    assert any("并列" in w and "一等奖" in w for w in warnings)


def test_seed002_s4_1_long_term_problem_1_point_double_when_overdue(lib, make_obs):
    """每个问题扣1分，未按要求及时整改到位的双倍扣分: 2 on time + 3 overdue = 2 + 6 = 8 → 92."""
    r = score(lib.get("L"), make_obs({"1": {"findings": {"JC04": {"on_time": 2, "overdue": 3}}}}),
              catalogs=lib.catalogs())
    assert r.total == 92


def test_seed002_s4_1_a_problem_outside_the_26_types_costs_nothing(lib, make_obs):
    """§四(一) 1 deducts per problem of the catalog's types; our 其他问题 is none of them."""
    r = score(lib.get("L"), make_obs({"1": {"findings": {"QT01": {"on_time": 2, "overdue": 3},
                                                         "JC04": {"on_time": 1}}}}),
              catalogs=lib.catalogs())
    assert r.total == 99


def test_seed002_s4_1_cases_2_points_each(lib, make_obs):
    """超时、推诿、反复性、核查不符、重点问题 案卷每个扣2分: one of each → 10 → 90."""
    data = {"2": {k: 1 for k in ("overtime", "shirking", "repeated", "callback_failed", "key_problem")}}
    assert score(lib.get("L"), make_obs(data)).total == 90


def test_seed002_annex2_blank_amounts_need_configuration_never_silent_zero(lib, make_obs):
    """拖延、推诿处理造成后果的有一例扣[空]分: observed once → no number invented; the item and the
    total are flagged incomplete with a warning naming item 3."""
    r = score(lib.get("P"), make_obs({"3": {"delay_or_shirk": 1}}))
    assert not r.complete and r.item("3").status == "incomplete"
    assert r.item("3").lines[0].amount is None
    assert any("第3项" in w and "需要配置" in w for w in r.warnings)


def test_seed002_annex2_bonus_activity_2_and_satisfaction_5_or_10(lib, make_obs):
    """+2 per activity; satisfaction 80–90% → +5, 90–100% → +10 with coverage ≥ 80%;
    coverage 79% → no bonus (reported)."""
    P = lib.get("P")
    assert score(P, make_obs({"B1": {"activities": 2}})).total == 104
    assert score(P, make_obs({"B2": {"satisfaction": {"value": 80, "sample": 80}}})).total == 105
    assert score(P, make_obs({"B2": {"satisfaction": {"value": D("89.9"), "sample": 95}}})).total == 105
    assert score(P, make_obs({"B2": {"satisfaction": {"value": 90, "sample": 80}}})).total == 110
    r = score(P, make_obs({"B2": {"satisfaction": {"value": 95, "sample": 79}}}))
    assert r.total == 100 and any("覆盖率" in w for w in r.warnings)


def test_seed002_annex2_eleven_kinds_of_plan(lib, make_obs):
    """应急预案 11 kinds: 12 missing plans is an observation error."""
    import pytest
    from backend.rubrics.loader import SourceError
    with pytest.raises(SourceError, match="最多 11"):
        score(lib.get("P"), make_obs({"1": {"missing_plans": 12}}))


def test_seed004_company_70_percent_projects_30_percent_direct(lib):
    """0.7 × mean(92, 88, 95) + 0.3 × 80 = 0.7 × 91.666… + 24; with (90, 90): 0.7 × 90 + 0.3 × 80 = 87.
    Credit grade thresholds are not in the seed → no grade, warning."""
    r = company_score(lib.get("company"), [D(90), D(90)], D(80))
    assert r.total == 87 and r.grade is None
    assert any("需要配置" in w for w in r.warnings)


def test_seed004_credit_grade_once_configured(lib):
    """With thresholds configured (example values) the grade follows the bands."""
    from backend.rubrics.models import GradeBand
    rule = lib.get("company").model_copy(update={"credit_grades": [
        GradeBand(name="AAA", min=D(90)), GradeBand(name="AA", min=D(80)), GradeBand(name="A", min=D(70)),
        GradeBand(name="B", min=D(60)), GradeBand(name="C")]})
    assert company_score(rule, [D(90)], D(80)).grade == "AA"
    assert company_score(rule, [D(50)], D(50)).grade == "C"


def test_seed004_10_3_3_red_and_black_lists_place_nobody_until_their_lines_are_set(lib):
    """10.3.3 names the two lists but gives no score line: nobody is listed, and the warning says why."""
    r = company_score(lib.get("company"), [D(99)], D(99))
    assert r.honour_list is None
    assert any("红黑榜分数线需要配置（红榜、黑榜）" in w for w in r.warnings)


def test_seed004_10_3_3_red_list_at_its_line_black_list_below_its_own(lib):
    """Example lines (90 / 60): 红榜 from 90 inclusive, 黑榜 below 60, neither in between."""
    from backend.rubrics.models import ConfigValue, HonourLists
    lists = HonourLists(source="seed 004 10.3.3",
                        red_min=ConfigValue(value=D(90), needs_configuration="x"),
                        black_below=ConfigValue(value=D(60), needs_configuration="x"))
    rule = lib.get("company").model_copy(update={"honour_lists": lists})
    assert company_score(rule, [D(90)], D(90)).honour_list == "红榜"
    assert company_score(rule, [D(100)], D("66.7")).honour_list == "红榜"  # 70 + 20.01
    assert company_score(rule, [D(100)], D("66.6")).honour_list is None    # 70 + 19.98
    assert company_score(rule, [D(89)], D(89)).honour_list is None
    assert company_score(rule, [D(60)], D(60)).honour_list is None       # 60 is not below 60
    assert company_score(rule, [D(59)], D(60)).honour_list == "黑榜"
    assert not any("红黑榜" in w for w in company_score(rule, [D(70)], D(70)).warnings)


def test_seed004_10_3_3_a_black_line_above_the_red_line_is_refused(lib):
    from backend.rubrics.models import ConfigValue, HonourLists
    from backend.rubrics.validate import check_library
    lists = HonourLists(source="seed 004 10.3.3",
                        red_min=ConfigValue(value=D(80), needs_configuration="x"),
                        black_below=ConfigValue(value=D(85), needs_configuration="x"))
    documents = {**lib.documents, "company": lib.get("company").model_copy(update={"honour_lists": lists})}
    trial = dataclasses.replace(lib, documents=documents)
    errors = [i.message for i in check_library(trial) if i.level == "error"]
    assert any("黑榜分数线 85 高于红榜分数线 80" in m for m in errors)


def test_composite_single_call_api(lib, make_obs):
    """score_composite on already-scored parts (the period roll-up path)."""
    parts = {"L": score(lib.get("L"), make_obs({})), "P": score(lib.get("P"), make_obs({}))}
    r = score_composite(lib.get("town"), parts, Observations(), subject="A")
    assert r.total == 100
