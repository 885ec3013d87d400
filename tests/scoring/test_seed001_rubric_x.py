"""Seed 001: 西岗区2021年上半年考核通报 reproduced from observations (rubric X)."""

from decimal import Decimal

import pytest

from backend.rubrics.loader import default_rubrics_dir
from backend.scoring.engine import score, score_peers
from backend.scoring.observations import load_observations


@pytest.fixture(scope="module")
def results(lib):
    _, subjects, _ = load_observations(str(default_rubrics_dir() / "examples" / "X.json"))
    return score_peers(lib.get("X"), subjects)


def test_seed001_notice_table_five_streets(results):
    """通报表得分: 八一路 98, 人民广场 99, 白云 99, 日新 98, 香炉礁 99 (score = 100 − deductions)."""
    got = {k: v.total for k, v in results.items()}
    assert got == {"八一路街道": 98, "人民广场街道": 99, "白云街道": 99, "日新街道": 98, "香炉礁街道": 99}
    assert all(r.complete and not r.warnings for r in results.values())


def test_seed001_each_deduction_traced_to_its_item(results):
    """All five lose 1 on item 4 row 2 (5 unrecorded entries × 0.2); 八一路 1 on 5.1 (2 × 0.5);
    日新 1 on 4.1 (5 × 0.2). Nothing else is deducted."""
    for name, r in results.items():
        lost = {i.id: i.deduction for i in r.items if i.deduction}
        expected = {"4.2": Decimal(1)}
        if name == "八一路街道":
            expected["5.1"] = Decimal(1)
        if name == "日新街道":
            expected["4.1"] = Decimal(1)
        assert lost == expected, name
        line = r.item("4.2").lines[0]
        assert (line.clause, line.observed, line.amount) == ("unrecorded", 5, Decimal(1))
        assert "一条信息扣0.2分" in line.text


def test_seed001_items_sum_to_55_and_base_is_100(lib):
    """The half-year table's items sum to 55; the score is still 100 − deductions."""
    x = lib.get("X")
    assert sum(i.points for i in x.items) == 55
    assert x.base == 100


def test_seed001_item4_row2_late_report_costs_half_point_and_cap_2(lib, make_obs):
    """Item 4 row 2: late −0.5, missing −2, 0.2 per unrecorded entry, 本项总计最多扣2分:
    late + 20 entries = 0.5 + 4 → capped at 2."""
    o = make_obs({"4.2": {"report": "2021-06-25", "unrecorded": 20}},
                 period={"start": "2021-01-01", "end": "2021-06-30"}, not_assessed=[])
    r = score(lib.get("X"), o)
    assert r.item("4.2").deduction == 2 and r.item("4.2").capped
    o = make_obs({"4.2": {"report": "2021-06-25"}}, period={"start": "2021-01-01", "end": "2021-06-30"})
    assert score(lib.get("X"), o).item("4.2").deduction == Decimal("0.5")
    o = make_obs({"4.2": {"report": None}}, period={"start": "2021-01-01", "end": "2021-06-30"})
    assert score(lib.get("X"), o).item("4.2").deduction == 2


def test_seed001_item2_recurring_node_20th_of_last_month_of_each_quarter(lib, make_obs):
    """Item 2: 每季度最后一个月的20日前; H1 has nodes 03-20 and 06-20. Late once −1, missing once −10
    → 11 capped at the item's 10 points."""
    period = {"start": "2021-01-01", "end": "2021-06-30"}
    o = make_obs({"2": {"ledger": {"2021-03-20": "2021-03-22", "2021-06-20": None}}}, period=period)
    it = score(lib.get("X"), o).item("2")
    assert [ln.amount for ln in it.lines] == [1, 10]
    assert it.deduction == 10 and it.score == 0


def test_seed001_node_not_yet_due_is_not_assessed(lib, make_obs):
    """As of 2021-06-20 the 6月21日 node is not yet due: no deduction even without a report."""
    o = make_obs({"1": {}}, period={"start": "2021-01-01", "end": "2021-06-30"}, as_of="2021-06-20")
    r = score(lib.get("X"), o)
    assert r.item("1").deduction == 0


def test_seed001_unrecorded_time_node_is_reported_not_guessed(lib, make_obs):
    """A due node with no record is not silently on time or missing: warning, result incomplete."""
    o = make_obs({}, period={"start": "2021-01-01", "end": "2021-06-30"})
    r = score(lib.get("X"), o)
    assert not r.complete
    assert any("未记录报送情况" in w for w in r.warnings)


def test_seed001_items_not_assessed_this_period(lib, make_obs):
    """100 − deductions over the items assessed: an item listed in not_assessed deducts nothing."""
    o = make_obs({"1": {"report": None}}, period={"start": "2021-01-01", "end": "2021-06-30"},
                 not_assessed=["1"])
    r = score(lib.get("X"), o)
    assert r.item("1").status == "not_assessed" and r.item("1").deduction == 0
