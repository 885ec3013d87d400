"""Property-based checks of the engine over the real rubrics S and E (hypothesis)."""

import random
from decimal import Decimal

from hypothesis import given, settings, strategies as st

from backend.rubrics.models import Fixed, PerUnit
from backend.scoring.engine import score, score_peers
from backend.scoring.observations import from_data

from backend.rubrics.loader import default_rubrics_dir, load_dir

LIB = load_dir(default_rubrics_dir())


def _obs_strategy(rubric_id: str):
    rubric = LIB.get(rubric_id)
    fields = []
    for item in rubric.items:
        for c in item.clauses:
            if isinstance(c, PerUnit):
                fields.append((item.id, c.id, st.integers(0, 60)))
            elif isinstance(c, Fixed):
                fields.append((item.id, c.id, st.booleans()))

    @st.composite
    def build(draw):
        out: dict = {}
        for item_id, cid, strat in fields:
            if draw(st.booleans()):
                out.setdefault(item_id, {})[cid] = draw(strat)
        return out
    return build()


def _one(data):
    (o,) = from_data({"observations": data}).values()
    return o


@settings(max_examples=150, deadline=None)
@given(_obs_strategy("E"))
def test_property_seed003_no_item_below_zero_total_within_0_100(data):
    """Whatever is observed, every item keeps 0 ≤ score ≤ points and 0 ≤ total ≤ 100 (E has no bonus)."""
    data.setdefault("20", {})["satisfaction"] = {"value": 90, "sample": 20}
    r = score(LIB.get("E"), _one(data))
    for it in r.items:
        assert Decimal(0) <= it.score <= it.points
        assert it.deduction <= it.points
    assert 0 <= r.total <= 100


@settings(max_examples=150, deadline=None)
@given(_obs_strategy("S"))
def test_property_seed000_total_above_100_only_by_bonus(data):
    """S total ≤ 100 + bonus, and items never go below 0."""
    r = score(LIB.get("S"), _one(data))
    for it in r.items:
        if it.kind == "deduct":
            assert 0 <= it.score <= it.points
    assert r.total <= 100 + r.bonus
    assert r.total - r.bonus <= 100


@settings(max_examples=100, deadline=None)
@given(_obs_strategy("E"), st.randoms(use_true_random=False))
def test_property_order_of_observations_does_not_change_the_result(data, rnd: random.Random):
    """Shuffling items and clauses in the observations gives the identical result."""
    a = score(LIB.get("E"), _one(data)).to_dict()
    items = list(data.items())
    rnd.shuffle(items)
    shuffled = {}
    for k, v in items:
        kv = list(v.items())
        rnd.shuffle(kv)
        shuffled[k] = dict(kv)
    b = score(LIB.get("E"), _one(shuffled)).to_dict()
    assert a == b


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 50), min_size=2, max_size=7), st.randoms(use_true_random=False))
def test_property_peer_order_does_not_change_rank_deductions(shares, rnd):
    """score_peers gives each street the same result whatever order the streets arrive in."""
    names = [f"s{i}" for i in range(len(shares))]
    pairs = list(zip(names, shares))
    def run(ps):
        data = {"subjects": {n: {"observations": {"5": {"complaint_share": v}}} for n, v in ps}}
        return {k: v.total for k, v in score_peers(LIB.get("S"), from_data(data)).items()}
    first = run(pairs)
    rnd.shuffle(pairs)
    assert run(pairs) == first
    # dense ranking: exactly the peers at the top positive value lose 2
    top = max(shares)
    if top > 0:
        assert {n for n, v in zip(names, shares) if v == top} == {n for n, t in first.items() if t == 98}


@given(st.integers(0, 100))
def test_property_decimal_exactness_tenths(n):
    """n × 0.1 per day is exact: 0.1 × 3 == 0.3, never 0.30000000000000004."""
    r = score(LIB.get("E"), _one({"10": {"no_patrol_record": n}, "20": {"satisfaction": {"value": 90, "sample": 20}}}))
    assert r.item("10").deduction == min(Decimal(n) * Decimal("0.1"), Decimal(10))
    assert Decimal("0.1") * 3 == Decimal("0.3")
