"""Seed 003 (二七区老旧小区): rubric E grades, subsidy, satisfaction tiers and per-unit deductions."""

from decimal import Decimal

import pytest

from backend.scoring.engine import score
from backend.scoring.money import grade_for

H1 = {"start": "2024-01-01", "end": "2024-06-30"}
FULL_SAT = {"20": {"satisfaction": {"value": 85, "sample": 12}}}


def _with(extra: dict) -> dict:
    return {**FULL_SAT, **extra}


@pytest.mark.parametrize("total,grade", [
    ("100", "优秀"), ("95", "优秀"), ("94.9", "良好"), ("85", "良好"), ("84.9", "合格"),
    ("70", "合格"), ("69.9", "不合格"), ("0", "不合格")])
def test_seed003_grade_boundaries_95_85_70_inclusive(lib, total, grade):
    """95分（含）以上优秀; 85（含）—95 良好; 70（含）—85 合格; 70以下不合格."""
    assert grade_for(lib.get("E").grades, Decimal(total)) == grade


def test_seed003_exactly_95_from_observations_is_excellent(lib, make_obs):
    """No contract filing (−5) → exactly 95 → 优秀 (boundary reached through the engine)."""
    r = score(lib.get("E"), make_obs(_with({"1": {"not_filed": True}}), period=H1))
    assert (r.total, r.grade) == (95, "优秀")


def test_seed003_exactly_85_and_70_from_observations(lib, make_obs):
    """未签合同 −10 + item 6 缺项 −5 → 85 良好 (item 1's 未备案 on top would be capped: the item has 10);
    + item 8 缺项 −5 + item 11 50 × 0.2 = −10 → 70 合格."""
    r = score(lib.get("E"), make_obs(_with({"1": {"no_contract": True, "not_filed": True},
                                            "6": {"missing": True}}), period=H1))
    assert r.item("1").deduction == 10 and r.item("1").capped
    assert (r.total, r.grade) == (85, "良好")
    obs = _with({"1": {"no_contract": True}, "6": {"missing": True}, "8": {"missing": True},
                 "11": {"missing": 50}})
    r = score(lib.get("E"), make_obs(obs, period=H1))
    assert (r.total, r.grade) == (70, "合格")


def test_seed003_subsidy_52000m2_good_half_year_is_62400(lib, make_obs):
    """良好 → 0.20 元/㎡/月; 52,000 ㎡ × 0.20 × 6 months = 62,400.00 yuan."""
    o = make_obs(_with({"1": {"not_filed": True}, "2": {"missing": 1}}), period=H1,
                 facts={"area_m2": 52000, "moved_in": "2023-03-01"})
    r = score(lib.get("E"), o)
    assert r.grade == "良好" and r.total == Decimal("94.5")
    assert r.money.amount == Decimal("62400.00") and str(r.money.amount) == "62400.00"
    assert r.money.months == 6


def test_seed003_subsidy_stops_three_years_after_move_in(lib, make_obs):
    """补贴期限为三年 from move-in 2021-03-01: H1 2024 has Jan–Feb inside the term → 2 months."""
    o = make_obs(FULL_SAT, period=H1, facts={"area_m2": 10000, "moved_in": "2021-03-01"})
    r = score(lib.get("E"), o)
    assert r.grade == "优秀" and r.money.months == 2
    assert r.money.amount == Decimal("6000.00")  # 10000 × 0.30 × 2


def test_seed003_fail_grade_gets_no_subsidy(lib, make_obs):
    """10 + 5 + 5 + 10 (11 robberies capped at 10) + 0.2 = 30.2 → 69.8 不合格 → 区财政不予补贴 (rate 0)."""
    obs = _with({"1": {"no_contract": True}, "6": {"missing": True}, "8": {"missing": True},
                 "10": {"robbery": 11}, "11": {"missing": 1}})
    r = score(lib.get("E"), make_obs(obs, period=H1, facts={"area_m2": 52000}))
    assert r.grade == "不合格" and r.money.amount == 0


@pytest.mark.parametrize("value,points", [
    ("100", 10), ("80", 10), ("79.99", 8), ("70", 8), ("69.9", 6), ("60", 6), ("59.9", 5), ("50", 5),
    ("49.99", 0), ("0", 0)])
def test_seed003_item20_satisfaction_tiers_80_70_60_50(lib, make_obs, value, points):
    """满意度80%以上得10分，70%以上得8分，60%以上得6分，50%以上得5分，50%以下不得分 (以上 inclusive)."""
    o = make_obs({"20": {"satisfaction": {"value": Decimal(value), "sample": 10}}}, period=H1)
    it = score(lib.get("E"), o).item("20")
    assert it.score == points and it.status == "scored"


def test_seed003_item20_sample_below_10_percent_is_invalid_not_scored(lib, make_obs):
    """样本数不少于10%: 99 of 1000 households (9.9%) → invalid, reported, not scored; no grade or money."""
    o = make_obs({"20": {"satisfaction": {"value": 95, "sampled": 99, "households": 1000}}}, period=H1,
                 facts={"area_m2": 52000})
    r = score(lib.get("E"), o)
    it = r.item("20")
    assert it.status == "invalid" and it.score is None
    assert it.lines[0].status == "invalid" and "9.9" in it.lines[0].detail
    assert not r.complete and r.grade is None and r.money is None
    assert any("测评无效" in w for w in r.warnings)


def test_seed003_item18_half_point_per_missing_manhole_cover_capped_at_5(lib, make_obs):
    """井盖缺项扣0.5分/个: 7 covers → 3.5; 12 covers → 6, capped at the item's 5 points (never below 0)."""
    r = score(lib.get("E"), make_obs(_with({"18": {"missing": 7}}), period=H1))
    assert r.item("18").deduction == Decimal("3.5")
    r = score(lib.get("E"), make_obs(_with({"18": {"missing": 12}}), period=H1))
    assert r.item("18").deduction == 5 and r.item("18").score == 0 and r.item("18").capped


def test_seed003_item10_per_day_tenths_are_exact(lib, make_obs):
    """无巡查记录扣0.1分/日: 3 days → exactly 0.3 (no binary float: 0.1 × 3 == 0.3)."""
    r = score(lib.get("E"), make_obs(_with({"10": {"no_patrol_record": 3}}), period=H1))
    assert r.item("10").deduction == Decimal("0.3")
    assert r.total == Decimal("99.7")
    assert r.to_dict()["total"] == "99.7"


def test_seed003_groups_add_to_100(lib):
    """20 items in 6 groups: 20 + 15 + 20 + 20 + 15 + 10 = 100."""
    e = lib.get("E")
    assert len(e.items) == 20
    assert [g.points for g in e.groups] == [20, 15, 20, 20, 15, 10]
    for g in e.groups:
        assert sum(i.points for i in e.items if i.group == g.id) == g.points


def test_seed_003_7_2_3_a_compound_without_a_signed_contract_gets_no_subsidy():
    """七(二)3: 按照签订物业服务合同小区的建筑面积，计算补贴金额. A compound observed with 未签合同
    (item 1, −10) is still scored and graded, but its subsidy is 0, with the reason given:
    rubric E's `subsidy.not_eligible_when` (rubrics/E.yaml)."""
    from backend.rubrics.loader import default_rubrics_dir, load_dir
    from backend.scoring.engine import score
    from backend.scoring.observations import from_data

    rubric = load_dir(default_rubrics_dir()).rubrics()["E"]
    (obs,) = from_data({"period": {"start": "2024-01-01", "end": "2024-06-30"},
                        "facts": {"area_m2": 52000, "moved_in": "2023-03-01"},
                        "observations": {"1": {"no_contract": True},
                                         "20": {"satisfaction": {"value": 80, "sample": 12}}}}).values()
    result = score(rubric, obs)
    assert (result.total, result.grade) == (90, "良好")
    assert result.money.amount == 0 and "未签订物业服务合同" in result.money.detail
    assert any("不予补贴" in w for w in result.warnings)
