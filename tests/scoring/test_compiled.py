"""The compiled rules (backend.scoring.compiled) give the engine's numbers: totals, item
deductions and bonuses, completeness, and the town ranking, on random aggregates of rubrics L,
P and the town composite. Whatever the compiled rules refuse (Unsupported) the engine scores."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import assume, given, settings, strategies as st

from backend.config import get_settings
from backend.rubrics.loader import SourceError, load_dir
from backend.scoring.compiled import Summed, Unsupported, catalog_weights, compile_composite, \
    compile_rubric
from backend.scoring.composite import score_town
from backend.scoring.engine import score
from backend.scoring.observations import Observations

LIB = load_dir(get_settings().rubrics_dir)
RUBRICS, CATALOGS = LIB.rubrics(), LIB.catalogs()
L, P, TOWN = RUBRICS["L"], RUBRICS["P"], LIB.get("town")
CODES = [e.code for e in next(iter(CATALOGS.values())).entries]

counts = st.integers(min_value=0, max_value=6)
findings = st.dictionaries(st.sampled_from(CODES), st.fixed_dictionaries(
    {"on_time": counts, "overdue": counts}), max_size=6)
cases = st.dictionaries(st.sampled_from(["overtime", "shirking", "repeated", "callback_failed",
                                         "key_problem"]), counts, max_size=5)
l_values = st.builds(lambda f, c: {k: v for k, v in (("1", {"findings": f} if f else None),
                                                      ("2", c or None)) if v},
                     findings, cases)
p_clause = {"1": ["missing_plans", "incident_not_handled", "serious_negligence",
                  "no_dispute_mechanism"], "2": ["feedback_missing"],
            "3": ["mishandled", "delay_or_shirk", "collective_petition", "not_cooperating"],
            "4": ["not_completed"], "5": ["meetings_missing", "no_sign_in", "no_minutes"],
            "B1": ["activities"]}


@st.composite
def p_values(draw):  # noqa: ANN001, ANN201
    out: dict = {}
    for item, clauses in p_clause.items():
        for clause in clauses:
            if draw(st.booleans()):
                value = draw(st.booleans()) if clause == "no_dispute_mechanism" else \
                    draw(st.integers(0, 11 if clause == "missing_plans" else 4))
                out.setdefault(item, {})[clause] = value
    if draw(st.booleans()):  # the satisfaction survey (tiers): valid, invalid or malformed
        survey = {"value": draw(st.one_of(st.integers(0, 101), st.sampled_from(
            [Decimal("89.9"), Decimal(90), Decimal("79.5"), 85.5])))}
        how = draw(st.sampled_from(["sample", "sampled", "none", "extra"]))
        if how == "sample":
            survey["sample"] = draw(st.one_of(st.integers(0, 100), st.just(Decimal("80.0"))))
        elif how == "sampled":
            households = draw(st.integers(0, 120))
            survey |= {"sampled": draw(st.integers(0, 130)), "households": households}
        elif how == "extra":
            survey |= {"sample": 90, "note": "x"}
        out["B2"] = {"satisfaction": survey}
    return out


demos = st.dictionaries(st.sampled_from(["district", "city", "province", "national"]),
                        st.integers(0, 3), max_size=4)


def engine(rubric, values):  # noqa: ANN001, ANN201
    return score(rubric, Observations(values=values, subject="x"), catalogs=CATALOGS)


@settings(max_examples=300, deadline=None)
@given(l_values)
def test_rubric_l_compiled_equals_the_engine(values):
    compiled = compile_rubric(L, CATALOGS).score(values)
    expected = engine(L, values)
    assert (compiled.total, compiled.raw_total, compiled.deductions, compiled.bonus,
            compiled.complete) == (expected.total, expected.raw_total, expected.deductions,
                                   expected.bonus, expected.complete)
    assert compiled.items == {i.id: (i.deduction, i.bonus) for i in expected.items}


@settings(max_examples=300, deadline=None)
@given(findings, cases)
def test_rubric_l_from_sql_sums_equals_the_engine(found, case_counts):
    """The SQL path sums Σ weight × (on_time, overdue) with integer weights / scale."""
    clause, weights, scale = catalog_weights(L, CATALOGS, "1")
    scaled = sum(weights[c][0] * v["on_time"] + weights[c][1] * v["overdue"] for c, v in found.items())
    n = sum(v["on_time"] + v["overdue"] for v in found.values())
    values = {"2": case_counts} if case_counts else {}
    plain = dict(values)
    if n:
        values["1"] = {clause: Summed(Decimal(scaled) / scale, n)}
        plain["1"] = {"findings": found}
    compiled = compile_rubric(L, CATALOGS).score(values)
    expected = engine(L, plain)
    assert (compiled.total, compiled.complete) == (expected.total, expected.complete)
    assert compiled.items == {i.id: (i.deduction, i.bonus) for i in expected.items}


@settings(max_examples=500, deadline=None)
@given(p_values())
def test_rubric_p_compiled_equals_the_engine_or_refuses(values):
    """P's unconfigured values make a subject incomplete, in both; a valid satisfaction survey
    (tiers) is scored like the engine does, anything else about it is left to the engine."""
    try:
        compiled = compile_rubric(P, CATALOGS).score(values)
    except Unsupported:
        return
    expected = engine(P, values)
    assert (compiled.total, compiled.deductions, compiled.bonus, compiled.complete) == \
        (expected.total, expected.deductions, expected.bonus, expected.complete)
    assert compiled.items == {i.id: (i.deduction, i.bonus) for i in expected.items}


def test_a_valid_satisfaction_survey_is_compiled():
    compiled = compile_rubric(P, CATALOGS)
    for survey, bonus in (({"value": 95, "sample": 90}, 10), ({"value": 90, "sample": 80}, 10),
                          ({"value": 85, "sampled": 85, "households": 100}, 5),
                          ({"value": 79, "sample": 100}, 0)):
        values = {"B2": {"satisfaction": survey}}
        q = compiled.score(values)
        assert q.items["B2"] == (0, bonus) and q.total == engine(P, values).total


def test_bad_observations_are_left_to_the_engine():
    compiled = compile_rubric(P, CATALOGS)
    for bad in ({"1": {"missing_plans": 12}}, {"1": {"missing_plans": -1}},
                {"1": {"missing_plans": 1.5}}, {"9": {"x": 1}}, {"1": {"nope": 1}},
                {"B2": {"satisfaction": {"value": 95, "sample": 70}}},  # invalid: sample < 80
                {"B2": {"satisfaction": {"value": 95.5, "sample": 90}}},  # a float
                {"B2": {"satisfaction": {"value": 95}}},  # no sample
                {"B2": {"satisfaction": {"value": 101, "sample": 90}}}):
        with pytest.raises(Unsupported):
            compiled.score(bad)
    with pytest.raises(Unsupported):
        compile_rubric(L, CATALOGS).score({"1": {"findings": {"ZZ99": 1}}})


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(l_values, p_values(), demos), min_size=1, max_size=12))
def test_town_composite_and_ranking_equal_the_engine(subjects):
    compiled_l, compiled_p = compile_rubric(L, CATALOGS), compile_rubric(P, CATALOGS)
    town = compile_composite(TOWN, CATALOGS)
    observed, totals = {}, {}
    for n, (lv, pv, dv) in enumerate(subjects):
        name = f"小区{n:02d}"
        observed[name] = {"L": Observations(values=lv, subject=name),
                          "P": Observations(values=pv, subject=name),
                          "bonus": Observations(values={"demo": dv} if dv else {})}
        try:
            p_total = compiled_p.score(pv).total
        except Unsupported:
            try:
                p_total = engine(P, pv).total
            except SourceError:  # a malformed survey: the engine refuses the subject
                assume(False)
        parts = {"L": compiled_l.score(lv).total, "P": p_total}
        totals[name] = town.total(parts, town.bonus_of({"demo": dv} if dv else {}))
    expected = score_town(TOWN, RUBRICS, observed, catalogs=CATALOGS)
    assert totals == {k: r.total for k, r in expected.results.items()}
    from backend.scoring.ranking import rank

    assert rank(dict(sorted(totals.items()))) == expected.ranking
