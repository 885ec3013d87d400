"""The phone scores an inspection offline (frontend/logic/rubric.js) from the rubrics the pull
delivers (Rubric.model_dump(mode="json"), backend/sync/service.py rubrics_payload). It must give
the server engine's result for every observation set both can score: totals, grades, money to the
fen, each item's deduction, bonus and status, each line's arithmetic, the warnings; and it must
refuse what the server refuses (SourceError).

What the phone cannot score is `rank` (needs the peers' values) and `catalog_findings` (findings
counted by the server): such items are "pending" there, the total provisional. Rubric S is compared
without its rank clause; with it, the phone must say pending and agree on everything else.
"""

from __future__ import annotations

import copy
import json
import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from backend.inspections.service import exact  # as the server reads the phone's JSON

from backend.rubrics.loader import SourceError, default_rubrics_dir, load_dir
from backend.rubrics.models import FixedDate, MonthlyDate, QuarterlyDate, Rubric
from backend.scoring.engine import score, score_peers
from backend.scoring.observations import Period, from_data
from backend.scoring.timenodes import instances
from tests.frontend.node import run_module

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
EXAMPLES = ROOT / "rubrics" / "examples"
LIB = load_dir(default_rubrics_dir())
# What rubrics_payload() sends (that module is not imported: it pulls in the database layer).
PAYLOAD = {r.id: r.model_dump(mode="json") for r in LIB.rubrics().values()}


def _without_rank(rubric: dict) -> dict:
    out = copy.deepcopy(rubric)
    out["id"] = "S-"
    for item in out["items"]:
        item["clauses"] = [c for c in item["clauses"] if c["type"] != "rank"]
    return out


RUBRICS = {**PAYLOAD, "S-": _without_rank(PAYLOAD["S"])}
SERVER = {**LIB.rubrics(), "S-": Rubric.model_validate(RUBRICS["S-"])}

NODE = """
import { evaluate } from './logic/rubric.js';
let input = '';
process.stdin.on('data', (c) => { input += c; });
process.stdin.on('end', () => {
  const { rubrics, cases } = JSON.parse(input);
  process.stdout.write(JSON.stringify(cases.map(([id, doc]) => evaluate(rubrics[id], doc))));
});
"""


def _node(script: str, payload: dict):
    return run_module(script, payload)


def phone(cases: list[tuple[str, dict]]) -> list[dict]:
    """Evaluate (rubric id, observations document) pairs with the phone's module under node."""
    used = {rid for rid, _ in cases}
    return _node(NODE, {"rubrics": {k: RUBRICS[k] for k in used}, "cases": cases})


def server_doc(doc: dict) -> dict:
    """The document the server scores: the compound's area arrives as a Decimal, as in the service."""
    out = exact(doc)
    if isinstance(out.get("facts", {}).get("area_m2"), str):
        out["facts"]["area_m2"] = Decimal(out["facts"]["area_m2"])
    return out


def server(rid: str, doc: dict) -> dict | None:
    """The engine's result as JSON, or None when it refuses the observations."""
    try:
        (obs,) = from_data(server_doc(doc)).values()
        return score(SERVER[rid], obs).to_dict()
    except SourceError:
        return None


TOP = [("total", "total"), ("raw_total", "rawTotal"), ("base", "base"), ("deductions", "deductions"),
       ("bonus", "bonus"), ("complete", "complete"), ("vetoed", "vetoed"), ("grade", "grade")]
ITEM = ("id", "kind", "points", "deduction", "bonus", "score", "status", "capped")


def differences(srv: dict, ph: dict, *, skip_items=(), warnings=True) -> list:
    out = [(s, srv[s], ph[p]) for s, p in TOP if srv[s] != ph[p]]
    money = srv["money"] and {k: srv["money"][k] for k in ("amount", "detail", "months", "rate")}
    if money != ph["money"]:
        out.append(("money", money, ph["money"]))
    if warnings and list(srv["warnings"]) != ph["warnings"]:
        out.append(("warnings", srv["warnings"], ph["warnings"]))
    if [i["id"] for i in srv["items"]] != [i["id"] for i in ph["items"]]:
        return out + [("items", srv["items"], ph["items"])]
    for si, pi in zip(srv["items"], ph["items"]):
        if si["id"] in skip_items:
            continue
        out += [(si["id"], k, si[k], pi[k]) for k in ITEM if si[k] != pi[k]]
        lines = [(ln["clause"], ln["amount"], ln["detail"], ln["status"]) for ln in si["lines"]]
        if lines != [(ln["clause"], ln["amount"], ln["detail"], ln["status"]) for ln in pi["lines"]]:
            out.append((si["id"], "lines", si["lines"], pi["lines"]))
    return out


# --------------------------------------------------------------------------- time-node deadlines

INSTANCES = """
import { instances } from './logic/rubric.js';
let input = '';
process.stdin.on('data', (c) => { input += c; });
process.stdin.on('end', () => {
  const cases = JSON.parse(input);
  process.stdout.write(JSON.stringify(cases.map(([deadline, period]) => instances(deadline, period))));
});
"""


def test_time_node_deadlines_are_the_servers_instances():
    """The form's nodes (itemInputs) and the evaluator use the server's deadline instances."""
    deadlines = [c.deadline for r in SERVER.values() for i in r.items for c in i.clauses if c.type == "time_node"]
    deadlines += [FixedDate(month=2, day=31), FixedDate(month=4, day=31), MonthlyDate(every="month", day=28),
                  QuarterlyDate(every="quarter", month_of_quarter=1, day=1)]
    rng = random.Random(3)
    cases, expected = [], []
    for deadline in deadlines:
        for _ in range(25):
            start = date(2019, 1, 1) + timedelta(days=rng.randint(0, 2200))
            end = start + timedelta(days=rng.choice([0, 1, 30, 90, 181, 365, 800]))
            cases.append([deadline.model_dump(mode="json"), {"start": start.isoformat(), "end": end.isoformat()}])
            expected.append([d.isoformat() for d in instances(deadline, Period(start, end))])
    assert _node(INSTANCES, cases) == expected


# --------------------------------------------------------------------------- the examples

def _example(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"), parse_float=float)


def _subjects(data: dict) -> list[tuple[str, dict]]:
    top = {k: v for k, v in data.items() if k in ("period", "as_of", "facts", "not_assessed", "observations")}
    if "subjects" not in data:
        return [(data.get("subject", ""), top)]
    return [(name, {**top, **sub}) for name, sub in data["subjects"].items()]


def test_every_example_the_phone_can_score_gives_the_servers_result():
    cases = [(rid, doc) for rid in ("E", "P", "D", "X") for _, doc in _subjects(_example(f"{rid}.json"))]
    got = phone(cases)
    for (rid, doc), ph in zip(cases, got):
        srv = server(rid, doc)
        assert srv is not None and ph["errors"] == [], (rid, ph["errors"])
        assert not differences(srv, ph), (rid, differences(srv, ph))
    by_rubric = {rid: [] for rid, _ in cases}
    for (rid, _), ph in zip(cases, got):
        by_rubric[rid].append(ph)
    (e,) = by_rubric["E"]
    assert (e["total"], e["grade"], e["money"]["amount"]) == ("86.1", "良好", "62400.00")
    assert [r["total"] for r in by_rubric["X"]] == ["98", "99", "99", "98", "99"]  # the published table
    (d,) = by_rubric["D"]
    assert (d["vetoed"], d["total"], d["grade"]) == (True, "0", "一票否决")
    (p,) = by_rubric["P"]
    assert (p["total"], p["complete"]) == ("109", True)


def test_example_s_rank_clause_is_pending_on_the_phone_and_the_rest_agrees():
    data = _example("S.json")
    subjects = _subjects(data)
    _check_rank_pending([("S", doc) for _, doc in subjects], [name for name, _ in subjects])


def _check_rank_pending(cases: list[tuple[str, dict]], names: list[str]) -> None:
    """Phone: S item 5 pending, total provisional; server (peers scored together): the same on
    every other item, and the totals differ by exactly the rank deduction the phone left out."""
    got = phone(cases)
    peers = {}
    for name, (_, doc) in zip(names, cases):
        (peers[name],) = from_data(server_doc(doc)).values()
    results = score_peers(SERVER["S"], peers)
    for name, ph in zip(names, got):
        srv = results[name].to_dict()
        assert ph["errors"] == []
        five = next(i for i in ph["items"] if i["id"] == "5")
        assert five["status"] == "pending" and ph["pending"] and not ph["complete"] and ph["grade"] is None
        assert [ln["status"] for ln in five["lines"] if ln["clause"] == "complaint_share"] == ["pending"]
        diff = [d for d in differences(srv, ph, skip_items=("5",), warnings=False)
                if d[0] not in ("total", "raw_total", "deductions", "complete")]
        assert not diff, (name, diff)
        s5 = next(i for i in srv["items"] if i["id"] == "5")
        missing = Decimal(s5["deduction"]) - Decimal(five["deduction"])
        assert missing >= 0
        assert Decimal(ph["rawTotal"]) - Decimal(srv["raw_total"]) == missing, name
        assert set(srv["warnings"]) <= set(ph["warnings"]) | {w for w in srv["warnings"] if "第5项" in w}


def test_grade_boundaries_of_rubric_e_exactly():
    """Totals exactly on and 0.1 below each grade line (95, 85, 70: 含本数), and their subsidy."""
    survey = {"satisfaction": {"value": 80, "sampled": 100, "households": 1000}}
    survey70 = {"satisfaction": {"value": 70, "sample": 10}}
    # −10 and −20 without 未签合同, which would make the compound ineligible (七(二)3)
    ten = {"6": {"missing": True}, "8": {"missing": True}}
    heavy = {**ten, "1": {"not_filed": True}, "5": {"missing": 10}}
    expected = [  # (observations, total, grade)
        ({"10": {"no_patrol_record": 50}, "20": survey}, "95", "优秀"),
        ({"10": {"no_patrol_record": 51}, "20": survey}, "94.9", "良好"),
        ({**ten, "10": {"no_patrol_record": 50}, "20": survey}, "85", "良好"),
        ({**ten, "10": {"no_patrol_record": 51}, "20": survey}, "84.9", "合格"),
        ({**heavy, "10": {"no_patrol_record": 80}, "20": survey70}, "70", "合格"),
        ({**heavy, "10": {"no_patrol_record": 81}, "20": survey70}, "69.9", "不合格"),
    ]
    facts = {"area_m2": "52000.00", "moved_in": "2023-03-01"}
    cases = [("E", {"period": {"start": "2024-01-01", "end": "2024-06-30"}, "facts": facts, "observations": o})
             for o, _, _ in expected]
    for (rid, doc), ph, (_, total, grade) in zip(cases, phone(cases), expected):
        srv = server(rid, doc)
        assert not differences(srv, ph), differences(srv, ph)
        assert (ph["total"], ph["grade"]) == (total, grade)
    amounts = [ph["money"]["amount"] for ph in phone(cases)]
    assert amounts == ["93600.00", "62400.00", "62400.00", "46800.00", "46800.00", "0.00"]
    # 未签合同 (seed 003 七(二)3): graded as scored, no subsidy, the reason given
    unsigned = [("E", {**cases[0][1], "observations": {"1": {"no_contract": True},
                                                       "20": survey}})]
    [ph] = phone(unsigned)
    assert not differences(server(*unsigned[0]), ph)
    assert (ph["total"], ph["grade"], ph["money"]["amount"]) == ("90", "良好", "0.00")
    assert "未签订物业服务合同" in ph["money"]["detail"]


# --------------------------------------------------------------------------- generated observations

H1, H2 = ("-01-01", "-06-30"), ("-07-01", "-12-31")
PERIODS = {
    "E": [(f"{y}{a}", f"{y}{b}", None) for y in (2023, 2024, 2025) for a, b in (H1, H2)],
    "P": [("2024-01-01", "2024-12-31", None), (None, None, None)],
    "D": [("2024-01-01", "2024-12-31", None), (None, None, None)],
    "X": [("2021-01-01", "2021-06-30", a) for a in ("2021-06-30", "2021-06-21", "2021-06-20", "2021-05-31",
                                                    "2021-03-20", "2021-03-19", None)]
         + [("2021-07-01", "2021-12-31", None), ("2020-01-01", "2021-12-31", "2021-09-30")],
    "S-": [("2021-01-01", "2021-12-31", a) for a in (None, "2021-12-25", "2021-09-30", "2021-03-24")]
          + [("2021-07-01", "2021-12-31", None)],
}
AREAS = ["52000", "52000.00", "12345.67", "0", "1", "999999.99", "100.5", "3333.33"]
MOVED_IN = ["2020-01-15", "2021-03-01", "2021-02-28", "2020-02-29", "2021-08-31", "2022-07-01",
            "2023-03-01", "2024-05-20", "2025-01-01", "2019-12-31"]


def _num(text: str) -> int | float:
    """A JSON number as the phone's form would hold it."""
    d = Decimal(text)
    return int(d) if d == d.to_integral_value() and "." not in text else float(text)


def _tier_value(rng: random.Random, clause) -> int | float:
    mins = [str(t.min) for t in clause.tiers]
    edge = rng.choice(mins)
    return _num(rng.choice([edge, str(Decimal(edge) - Decimal("0.1")), str(Decimal(edge) - Decimal("0.01")),
                            "0", "100", "49.9", str(rng.randint(0, 100)), f"{rng.randint(0, 99)}.{rng.randint(0, 99)}"]))


def _sample(rng: random.Random, clause) -> dict:
    least = clause.min_sample if clause.min_sample is not None else Decimal(10)
    if rng.random() < 0.5:
        return {"sample": _num(rng.choice([str(least), str(least - Decimal("0.1")), str(least + 5), "100",
                                           f"{rng.randint(0, 99)}.{rng.randint(1, 9)}"]))}
    households = rng.choice([1000, 999, 7, 3, 250, rng.randint(1, 5000)])
    exact_least = int(least * households / 100)
    sampled = rng.choice([exact_least, max(exact_least - 1, 0), exact_least + 1, households, rng.randint(0, households)])
    return {"sampled": min(sampled, households), "households": households}


def _time_value(rng: random.Random, deadline: date, as_of: date):
    """One node's record: a date (before, on or after the deadline), null, a status word, or a mapping."""
    options = [deadline - timedelta(days=rng.randint(1, 40)), deadline, deadline + timedelta(days=1),
               deadline + timedelta(days=rng.randint(1, 60))]
    day = rng.choice([d for d in options if d <= as_of] or [deadline - timedelta(days=1)])
    return rng.choice([day.isoformat(), day.isoformat(), None, "on_time", "late", "missing",
                       {"submitted": day.isoformat()}, {"submitted": None}, {"status": rng.choice(["late", "on_time"])}])


def _observations(rng: random.Random, rubric: Rubric, period: Period | None, as_of: date | None) -> dict:
    density = rng.choice([0.03, 0.1, 0.3, 0.6, 0.9])
    out: dict = {}
    for item in rubric.items:
        for c in item.clauses:
            value: object = _ABSENT
            if c.type == "per_unit":
                if rng.random() < density:
                    per = c.per.value if hasattr(c.per, "needs_configuration") else c.per
                    reach = int((item.points if isinstance(item.points, Decimal) else Decimal(10)) / (per or 1)) + 1
                    top = c.max_count if c.max_count is not None else reach + 2
                    value = rng.choice([0, 1, 2, rng.randint(0, top), min(reach, top), top])
                    if c.max_count is None and rng.random() < 0.02:
                        value = rng.choice([1e21, 2.0 ** 60])  # JSON floats the server reads by repr
            elif c.type in ("fixed", "veto"):
                if rng.random() < (density if c.type == "fixed" else 0.1):
                    value = rng.random() < (0.6 if c.type == "fixed" else 0.5)
            elif c.type == "tiers":
                if rng.random() < 0.92:
                    value = {"value": _tier_value(rng, c), **_sample(rng, c)}
            elif c.type == "award":
                if rng.random() < 0.97:
                    m = c.max
                    value = _num(rng.choice(["0", str(m), str(m / 2), str(max(m - Decimal("0.5"), Decimal(0))),
                                             str(rng.randint(0, int(m))), "0.25" if m >= 1 else "0"]))
            elif c.type == "time_node":
                due = [d for d in instances(c.deadline, period) if d <= as_of] if period else []
                if due and rng.random() < 0.9:
                    recs = {d.isoformat(): _time_value(rng, d, as_of) for d in due if rng.random() < 0.9}
                    if len(due) == 1 and rng.random() < 0.5:
                        value = recs.get(due[0].isoformat(), _time_value(rng, due[0], as_of))
                    elif recs:
                        value = recs
            if value is not _ABSENT:
                out.setdefault(item.id, {})[c.id] = value
    return out


_ABSENT = object()


def _document(rng: random.Random, rid: str, frame: tuple | None = None) -> dict:
    rubric = SERVER[rid]
    start, end, as_of = frame or rng.choice(PERIODS[rid])
    doc: dict = {}
    period = as_of_date = None
    if start:
        doc["period"] = {"start": start, "end": end}
        period = Period(date.fromisoformat(start), date.fromisoformat(end))
        as_of_date = date.fromisoformat(as_of or end)
        if as_of:
            doc["as_of"] = as_of
    if rid == "E":
        facts = {}
        if rng.random() < 0.9:
            area = rng.choice(AREAS)
            facts["area_m2"] = area if rng.random() < 0.5 else _num(area)
        if rng.random() < 0.85:
            facts["moved_in"] = rng.choice(MOVED_IN)
        doc["facts"] = facts
    doc["observations"] = _observations(rng, rubric, period, as_of_date)
    if rng.random() < 0.15:
        doc["not_assessed"] = rng.sample([i.id for i in rubric.items], rng.randint(1, 3))
    return doc


def _mutations(rng: random.Random, rid: str, doc: dict) -> dict:
    """The document with one value the server refuses (or, rarely, accepts: both must agree)."""
    rubric = SERVER[rid]
    doc = copy.deepcopy(doc)
    doc.pop("not_assessed", None)  # a refused value in an item not assessed is never read
    item = rng.choice(rubric.items)
    c = rng.choice(item.clauses)
    obs = doc["observations"].setdefault(item.id, {})
    bad = {
        "per_unit": [-1, 2.5, "3", True, None, 10 ** 6 if c.type == "per_unit" and c.max_count else -2],
        "fixed": ["yes", 1, None, 0],
        "veto": ["true", 1, None],
        "tiers": [{"value": 100.5, "sample": 50}, {"value": -1, "sample": 50}, {"value": "80", "sample": 50},
                  {"value": 90}, {"value": 90, "sampled": 20, "households": 10},
                  {"value": 90, "sampled": 0, "households": 0}, {"value": 90, "sample": 50, "n": 1}, 90,
                  {"value": 90, "sampled": 1.5, "households": 10}, {"value": 90, "sample": -3}],
        "award": [float(c.max) + 0.5 if c.type == "award" else 99, -0.5, "2", None, True],
        "time_node": ["2099-01-01", "2021-02-30", {"2021-09-20": None, "2021-03-20": "on_time"},
                      {"when": "2021-06-01"}, 5, "soon", {"status": "lost"}, {"submitted": 20210601}],
    }[c.type]
    kind = rng.random()
    if kind < 0.08:
        doc["observations"]["99"] = {"x": 1}
    elif kind < 0.16:
        obs["typo"] = 1
    elif kind < 0.22:
        doc["not_assessed"] = ["99"]
    elif kind < 0.26:
        doc["period"] = rng.choice([{"start": "2024-07-01", "end": "2024-06-30"}, {"start": "2024-07-01"}, None,
                                    {"start": "2024-02-30", "end": "2024-06-30"}])
    elif kind < 0.28:
        doc[rng.choice(["observations", "not_assessed", "as_of"])] = rng.choice([None, "1", ["1"]])
    else:
        obs[c.id] = rng.choice(bad)
    return doc


GENERATED = ("E", "P", "D", "X", "S-")
PER_RUBRIC = 300


def test_generated_observation_sets_score_the_same_on_the_phone_and_the_server():
    rng = random.Random(20240630)
    cases = [(rid, _document(rng, rid)) for rid in GENERATED for _ in range(PER_RUBRIC)]
    got = phone(cases)
    seen: set = set()
    failures = []
    for (rid, doc), ph in zip(cases, got):
        srv = server(rid, doc)
        if srv is None:  # not meant to happen (edge values, all valid); if it does, both must refuse
            seen.add((rid, "refused"))
            if not ph["errors"]:
                failures.append((rid, doc, "server refused, phone accepted"))
            continue
        if ph["errors"]:
            failures.append((rid, doc, ph["errors"]))
            continue
        diff = differences(srv, ph)
        if diff:
            failures.append((rid, doc, diff[:3]))
        seen.add((rid, "grade", srv["grade"]))
        seen.add((rid, "complete", srv["complete"]))
        seen |= {(rid, "item", i["status"]) for i in srv["items"]}
        seen |= {(rid, "line", ln["status"]) for i in srv["items"] for ln in i["lines"]}
        seen |= {(rid, "capped")} if any(i["capped"] for i in srv["items"]) else set()
        if srv["money"]:
            seen.add((rid, "months", srv["money"]["months"]))
    assert not failures, f"{len(failures)} of {len(cases)} differ; first: {failures[:3]}"
    # the generated sets reach the interesting outcomes (so agreement means something)
    expected = {("E", "grade", g) for g in ("优秀", "良好", "合格", "不合格", None)} | {
        ("E", "item", "invalid"), ("E", "item", "incomplete"), ("E", "item", "not_assessed"),
        ("E", "months", 6), ("E", "capped"), ("P", "item", "incomplete"), ("P", "line", "needs_configuration"),
        ("P", "complete", True), ("P", "complete", False), ("D", "grade", "一票否决"), ("D", "item", "incomplete"),
        ("X", "line", "not_recorded"), ("X", "complete", True), ("X", "capped"), ("S-", "item", "scored"),
        ("S-", "line", "ok"), ("S-", "line", "not_recorded")}
    assert expected <= seen, sorted(expected - seen, key=str)
    assert any(k[:2] == ("E", "months") and k[2] not in (0, 6) for k in seen), "no partial subsidy term"


def test_invalid_observations_are_refused_by_both():
    rng = random.Random(7)
    cases = []
    for rid in GENERATED:
        for _ in range(120):
            cases.append((rid, _mutations(rng, rid, _document(rng, rid))))
    got = phone(cases)
    refused = 0
    for (rid, doc), ph in zip(cases, got):
        srv = server(rid, doc)
        refused += srv is None
        assert (srv is None) == bool(ph["errors"]), (rid, doc, ph["errors"])
        if srv is not None:
            assert not differences(srv, ph), (rid, differences(srv, ph))
    assert refused > len(cases) * 0.7, refused


def test_generated_s_with_its_rank_clause_is_pending_on_the_phone():
    rng = random.Random(5)
    for _ in range(20):
        names = ["八一路街道", "人民广场街道", "白云街道", "日新街道", "香炉礁街道"]
        frame = rng.choice(PERIODS["S-"])  # peers are ranked within one period
        cases = []
        for _name in names:
            doc = _document(rng, "S-", frame)
            doc.pop("not_assessed", None)
            if rng.random() < 0.85:
                share = _num(rng.choice(["0", "10", "20", "30", "12.5"]))
                doc["observations"].setdefault("5", {})["complaint_share"] = share
            cases.append(("S", doc))
        _check_rank_pending(cases, names)
