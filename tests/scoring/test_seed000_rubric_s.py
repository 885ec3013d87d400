"""Seed 000 (rubric S): rank-based complaint share, per-clause caps, the bonus and the 扣2份 typo."""

from decimal import Decimal

from backend.scoring.engine import score, score_peers
from backend.scoring.observations import from_data


def _streets(shares: dict) -> dict:
    data = {"subjects": {n: {"observations": {"5": {"complaint_share": v}}} for n, v in shares.items()}}
    return from_data(data)


def test_seed000_item5_highest_share_minus2_second_minus1_with_tie(lib):
    """投诉量占比最高的地区扣2分、次高的地区扣1分; dense ranking by value:
    白云 30 and 日新 30 tie highest → both −2; 八一路 20 is the second-highest value → −1;
    人民广场 10 and 香炉礁 10 lose nothing."""
    r = score_peers(lib.get("S"), _streets({"八一路": 20, "人民广场": 10, "白云": 30, "日新": 30, "香炉礁": 10}))
    lost = {k: v.item("5").deduction for k, v in r.items()}
    assert lost == {"八一路": 1, "人民广场": 0, "白云": 2, "日新": 2, "香炉礁": 0}
    assert "并列" in r["白云"].item("5").lines[0].detail


def test_seed000_item5_no_tie(lib):
    """Distinct shares 35.5 > 25 > 20 > 10 > 9.5: only the top two lose 2 and 1."""
    r = score_peers(lib.get("S"), _streets({"a": Decimal("35.5"), "b": 25, "c": 20, "d": 10, "e": Decimal("9.5")}))
    assert [r[k].total for k in "abcde"] == [98, 99, 100, 100, 100]


def test_seed000_item5_zero_shares_are_not_ranked(lib):
    """An area with no complaints is never 'highest': all zero → nobody loses points."""
    r = score_peers(lib.get("S"), _streets({"a": 0, "b": 0, "c": 0}))
    assert all(x.total == 100 for x in r.values())


def test_seed000_rank_clause_alone_warns_without_peers(lib, make_obs):
    """Scoring a rank clause without peers cannot rank: reported, not guessed."""
    r = score(lib.get("S"), make_obs({"5": {"complaint_share": 30}}, subject="白云"))
    assert not r.complete and any("同级" in w for w in r.warnings)


def test_seed000_item5_typo_2_fen_read_as_points_and_flagged(lib, make_obs):
    """未按要求及时上报送信访回复情况统计表的扣2份 → read as 扣2分, with a note in the rubric."""
    s = lib.get("S")
    clause = next(c for c in s.item("5").clauses if c.id == "statistics_not_reported")
    assert "扣2份" in clause.text and any("扣2分" in n for n in clause.notes)
    r = score(s, make_obs({"5": {"statistics_not_reported": True}}))
    assert r.total == 98


def test_seed000_item9_community_officer_one_place_1_two_or_more_2(lib, make_obs):
    """社区未配备物业管理专员发现一处扣1分，两处以上扣2分: 1 → 1, 2 → 2, 5 → 2."""
    for n, lost in ((1, 1), (2, 2), (5, 2)):
        r = score(lib.get("S"), make_obs({"9": {"community_no_officer": n}}))
        assert r.item("9").deduction == lost


def test_seed000_bonus_one_point_per_compound_bringing_in_property_company(lib, make_obs):
    """加分项: 一个项目加1分; 3 projects → 100 + 3 = 103 (bonus may exceed 100)."""
    r = score(lib.get("S"), make_obs({"B1": {"new_property_management": 3}}))
    assert (r.total, r.bonus) == (103, 3)


def test_seed000_items_10_10_15_15_12_5_10_16_7(lib):
    s = lib.get("S")
    assert [i.points for i in s.items if i.kind == "deduct"] == [10, 10, 15, 15, 12, 5, 10, 16, 7]
