"""Issue 7: a period's score for one compound from what actually happened, worked out by hand.

Compound 东苑 (company 甲物业), September 2026, report computed on 2026-10-31.

Findings (inspection problems, rubric L item 1: 1 point each, 2 when not rectified in time):
  F1 JC04 井盖缺损, 3 工作日, dispatched Wed 09-30 16:30 (the day before National Day): the
     dispatch day does not count, 10-01..10-07 are holidays, so due Sat 10-10 17:30 (make-up
     working day); rectified 10-09 10:00, closed → in time ............................ 1
  F2 HJ01 清扫保洁不干净, 2 工作时, dispatched 09-30 16:30: 1 h that day, 1 h from 08:30 on
     10-08 → due 10-08 09:30; rectified 10-08 11:00, closed → late ...................... 2
  F3 LH02 破坏绿化, 4 工作时, dispatched 09-30 10:00: 10:00–12:00 and 13:30–15:30 → due
     09-30 15:30; rectified 14:00, rejected 16:00 (the due time keeps running), rectified
     again 10-08 09:00, closed → late .................................................. 2
  F4 JC01 外立面破损, 3 工作日, dispatched Tue 09-29 09:00 → due 10-09 17:30; still open on
     10-31 → overdue ................................................................... 2
  F5 JC02 cancelled by the supervisor (重复登记) → not counted .......................... 0
  item 1: 7
Hotline cases (rubric L item 2: 2 points per case), all rectified in time:
  problem A (HJ03 乱堆物料, 1号楼): reported 2 times → nothing ......................... 0
  problem B (HJ07 非法小广告, 2号楼): reported 3 times, each after the previous report's
     deadline → 反复性 (repeated) ...................................................... 2
  problem C (HJ08 违规晾晒, 3号楼): reported 5 times, the 2nd and 4th while the previous
     report was still within its deadline (count once): 3 distinct reports → 反复性, and 5
     reports > 3 → 重点问题 (key problem) ............................................... 4
  item 2: 6
L = 100 − 7 − 6 = 87.
Rubric P (the town's 物业管理考核细则, one inspection in September): 3 missing emergency plans
  −3, one community activity +2 → P = 99.
Demonstration project (district level) completed 2026-09-15: +3.
Town composite = 0.6 × 87 + 0.4 × 99 + 3 = 52.2 + 39.6 + 3 = 94.8.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from backend.ids import new_id
from tests.findings.conftest import real_photo


def _log(api, clock, code: str, at: tuple, **extra) -> str:  # noqa: ANN001
    clock.set(*at)
    observed = clock.now.isoformat()
    body = api.finding("inspector", code=code, observed_at=observed, **extra)
    r = api.post_finding("inspector", body)
    assert r.status_code == 201, r.text
    return body["id"]


def _rectify_close(api, clock, ticket: str, rectified: tuple, closed: tuple, photo: bytes) -> None:  # noqa: ANN001
    clock.set(*rectified)
    assert api.event("manager_a", ticket, "rectify", photos=[photo]).status_code == 201
    clock.set(*closed)
    assert api.event("inspector", ticket, "close").status_code == 201


def build_september(api, clock, client, world) -> None:  # noqa: ANN001
    photo = real_photo("orientation_landscape_5.jpg")
    f1 = _log(api, clock, "JC04", (2026, 9, 30, 16, 30))
    _rectify_close(api, clock, f1, (2026, 10, 9, 10, 0), (2026, 10, 9, 15, 0), photo)
    f2 = _log(api, clock, "HJ01", (2026, 9, 30, 16, 30))
    _rectify_close(api, clock, f2, (2026, 10, 8, 11, 0), (2026, 10, 8, 15, 0), photo)
    f3 = _log(api, clock, "LH02", (2026, 9, 30, 10, 0))
    clock.set(2026, 9, 30, 14, 0)
    api.event("manager_a", f3, "rectify", photos=[photo])
    clock.set(2026, 9, 30, 16, 0)
    assert api.event("inspector", f3, "reject", note="绿地未恢复").status_code == 201
    _rectify_close(api, clock, f3, (2026, 10, 8, 9, 0), (2026, 10, 8, 10, 0), photo)
    _log(api, clock, "JC01", (2026, 9, 29, 9, 0))
    f5 = _log(api, clock, "JC02", (2026, 9, 29, 9, 30))
    assert api.event("supervisor", f5, "cancel", note="重复登记").status_code == 201

    def hotline(code: str, building: str, day: int, hour: int) -> None:
        case = _log(api, clock, code, (2026, 9, day, hour, 0), source="hotline",
                    case_no=f"12345-{new_id().hex[:8]}", case_level="district", building=building)
        _rectify_close(api, clock, case, (2026, 9, day, hour, 30), (2026, 9, day, hour, 45), photo)

    for day in (7, 14):
        hotline("HJ03", "1号楼", day, 9)
    for day in (8, 15, 22):
        hotline("HJ07", "2号楼", day, 9)
    # problem C: 2 工作时 deadlines; the reports at 10:00 follow one at 09:00 still within it
    for day, hour in ((9, 9), (9, 10), (16, 9), (16, 10), (23, 9)):
        hotline("HJ08", "3号楼", day, hour)

    clock.set(2026, 9, 20, 10, 0)
    inspection = {"id": str(new_id()), "compound_id": str(world.compounds["east_a"].id),
                  "rubric_id": "P", "period_start": "2026-09-01", "period_end": "2026-09-30"}
    headers = world.headers("supervisor")
    assert client.post("/api/inspections", json=inspection, headers=headers).status_code == 201
    r = client.post(f"/api/inspections/{inspection['id']}/submit", headers=headers, json={
        "observations": {"1": {"missing_plans": 3}, "B1": {"activities": 1}}})
    assert r.status_code == 200, r.text
    assert client.post("/api/demonstration-projects", headers=headers, json={
        "compound_id": str(world.compounds["east_a"].id), "level": "district",
        "title": "美丽庭院示范项目", "completed_on": str(date(2026, 9, 15))}).status_code == 201


def _report(client, world, persona: str = "supervisor", **params) -> dict:  # noqa: ANN001
    r = client.get("/api/reports/2026-09", params={"unit_id": str(world.units["east"].id), **params},
                   headers=world.headers(persona))
    assert r.status_code == 200, r.text
    return r.json()


def test_compound_score_from_findings_cases_inspection_and_bonus(api, clock, client, world):
    build_september(api, clock, client, world)
    clock.set(2026, 10, 31, 12, 0)
    report = _report(client, world, detail="true")
    east_a = next(c for c in report["compounds"] if c["name"] == "东苑")
    assert east_a["findings"] == {"JC04": {"on_time": 1, "overdue": 0},
                                  "HJ01": {"on_time": 0, "overdue": 1},
                                  "LH02": {"on_time": 0, "overdue": 1},
                                  "JC01": {"on_time": 0, "overdue": 1}}
    assert east_a["cases"] == {"repeated": 2, "key_problem": 1}
    assert Decimal(east_a["parts"]["L"]) == 87
    assert Decimal(east_a["parts"]["P"]) == 99
    assert Decimal(east_a["bonus"]) == 3
    assert Decimal(east_a["total"]) == Decimal("94.8")
    assert east_a["rank"] == 1
    assert east_a["finding_counts"] == {"on_time": 1, "overdue": 3}
    assert east_a["deductions"] == {"findings": "7", "cases": "6"}
    # drill-down: the tickets behind the numbers
    r = client.get(f"/api/reports/2026-09/compounds/{world.compounds['east_a'].id}/findings",
                   params={"limit": 100}, headers=world.headers("supervisor"))
    assert r.json()["total"] == 5 + 10


def test_the_company_score_needs_the_direct_score(api, clock, client, world):
    """Seed 004 10.3.1: 甲物业 serves only 东苑 (94.8) in this street; with a direct score of 90
    its score is 0.7 × 94.8 + 0.3 × 90 = 66.36 + 27 = 93.36."""
    build_september(api, clock, client, world)
    clock.set(2026, 10, 31, 12, 0)
    company = lambda rep: next(c for c in rep["companies"] if c["id"] == str(world.companies["a"].id))  # noqa: E731
    assert company(_report(client, world))["total"] is None
    r = client.put("/api/company-direct-scores", headers=world.headers("supervisor"), json={
        "company_id": str(world.companies["a"].id), "period": "2026-09", "score": "90"})
    assert r.status_code == 200, r.text
    assert Decimal(company(_report(client, world))["total"]) == Decimal("93.36")


def test_seed004_10_3_3_the_admin_sets_the_list_lines_and_the_company_goes_on_the_red_list(
        api, clock, client, world):
    """甲物业 scores 93.36 (above): no list until the admin sets the lines, 红榜 once the red line is
    90, none once it is 95 (and the black line 60 is far below)."""
    build_september(api, clock, client, world)
    clock.set(2026, 10, 31, 12, 0)
    company = lambda rep: next(c for c in rep["companies"] if c["id"] == str(world.companies["a"].id))  # noqa: E731
    client.put("/api/company-direct-scores", headers=world.headers("supervisor"), json={
        "company_id": str(world.companies["a"].id), "period": "2026-09", "score": "90"})
    before = company(_report(client, world))
    assert before["honour_list"] is None and any("红黑榜分数线需要配置" in w for w in before["warnings"])
    admin = world.headers("admin")
    values = client.get("/api/settings", headers=admin).json()["values"]
    key = {v["label"]: v["key"] for v in values if v["document"] == "company"}
    red, black = key["红黑榜 红榜分数线（不低于）"], key["红黑榜 黑榜分数线（低于）"]

    refused = client.put("/api/settings/values", headers=admin, json={
        "values": {red: "60", black: "90"}, "reason": "区住建局考核办法"})
    assert refused.status_code == 422 and "黑榜分数线 90 高于红榜分数线 60" in refused.text
    assert client.put("/api/settings/values", headers=admin, json={
        "values": {red: "90", black: "60"}, "reason": "区住建局考核办法"}).status_code == 200
    listed = company(_report(client, world))
    assert listed["honour_list"] == "红榜" and not any("红黑榜" in w for w in listed["warnings"])
    client.put("/api/settings/values", headers=admin, json={"values": {red: "95"}, "reason": "提高红榜门槛"})
    assert company(_report(client, world))["honour_list"] is None


def test_a_frozen_period_does_not_change_when_a_finding_is_edited(api, clock, client, world):
    build_september(api, clock, client, world)
    clock.set(2026, 10, 31, 12, 0)
    unit = {"unit_id": str(world.units["east"].id)}
    headers = world.headers("supervisor")
    frozen = client.post("/api/reports/2026-09/freeze", params=unit, headers=headers)
    assert frozen.status_code == 200, frozen.text
    before = next(c for c in frozen.json()["compounds"] if c["name"] == "东苑")["total"]
    # the still-open F4 is now cancelled: the live score would rise by 2 × 0.6
    still_open = client.get("/api/tickets", params={"state": "open"}, headers=headers).json()
    for ticket in still_open["items"]:
        api.event("supervisor", ticket["id"], "cancel", note="复核撤销")
    report = _report(client, world)
    assert report["frozen"] is True
    assert next(c for c in report["compounds"] if c["name"] == "东苑")["total"] == before
    assert client.post("/api/reports/2026-09/freeze", params=unit, headers=headers).status_code == 409
    # re-opening is an audited supervisor action; then the live numbers show
    assert client.post("/api/reports/2026-09/reopen", params=unit, headers=world.headers("inspector"),
                       json={"reason": "复核"}).status_code == 403
    assert client.post("/api/reports/2026-09/reopen", params=unit, headers=headers,
                       json={"reason": "复核后撤销一处问题"}).status_code == 200
    live = next(c for c in _report(client, world)["compounds"] if c["name"] == "东苑")
    assert Decimal(live["total"]) == Decimal(before) + Decimal("1.2")


def test_recurrence_is_flagged_for_the_same_problem_in_consecutive_months(api, clock, client, world):
    _log(api, clock, "JC04", (2026, 8, 20, 10, 0), building="5号楼")
    _log(api, clock, "JC04", (2026, 9, 10, 10, 0), building="5号楼")
    _log(api, clock, "JC04", (2026, 9, 11, 10, 0), building="6号楼")
    report = _report(client, world)
    assert [(r["catalog_code"], r["building"], r["month"]) for r in report["recurrent"]] == \
        [("JC04", "5号楼", 202609)]


def test_bad_periods_and_scopes_are_refused(client, world):
    headers = world.headers("supervisor")
    r = client.get("/api/reports/2026-13", params={"unit_id": str(world.units["east"].id)}, headers=headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "period_invalid"
    r = client.get("/api/reports/2026-09", params={"unit_id": str(world.units["west"].id)},
                   headers=world.headers("inspector"))
    assert r.status_code == 404


def test_the_bulk_report_equals_the_detailed_one_without_the_traces(api, clock, client, world):
    """The report of every compound (compiled rules over SQL sums, backend.reports.bulk) gives
    the numbers of the engine's detailed report: only the traces are left out."""
    build_september(api, clock, client, world)
    _log(api, clock, "JC04", (2026, 8, 20, 10, 0), building="1号楼")
    _log(api, clock, "JC04", (2026, 9, 21, 10, 0), building="1号楼")
    clock.set(2026, 10, 31, 12, 0)
    for unit in ("east", "district"):
        params = {"unit_id": str(world.units[unit].id)}
        headers = world.headers("supervisor")
        bulk = client.get("/api/reports/2026-09", params=params, headers=headers).json()
        detailed = client.get("/api/reports/2026-09", params=params | {"detail": "true"},
                              headers=headers).json()
        for row in detailed["compounds"]:
            assert row.pop("detail") and row.pop("findings") is not None
        for row in bulk["compounds"]:  # the bulk path has no traces
            assert row.pop("detail") is None and row.pop("findings") is None
        assert bulk == detailed
        assert bulk["recurrent"] and bulk["prizes"]


def test_other_problems_are_counted_but_cost_nothing_on_both_paths(api, clock, client, world):
    """Two 其他问题 (QT01, deduction 0), one rectified late and one never: 东苑 has two more
    overdue findings and the same L; the bulk report still equals the detailed one."""
    build_september(api, clock, client, world)
    clock.set(2026, 10, 31, 12, 0)
    before = next(c for c in _report(client, world)["compounds"] if c["name"] == "东苑")
    photo = real_photo("orientation_landscape_5.jpg")
    late = _log(api, clock, "QT01", (2026, 9, 24, 9, 0), description="单元门禁对讲机损坏")
    _rectify_close(api, clock, late, (2026, 10, 12, 9, 0), (2026, 10, 12, 10, 0), photo)
    _log(api, clock, "QT01", (2026, 9, 25, 9, 0), description="楼道声控灯不亮")
    clock.set(2026, 10, 31, 12, 0)
    params, headers = {"unit_id": str(world.units["east"].id)}, world.headers("supervisor")
    bulk = client.get("/api/reports/2026-09", params=params, headers=headers).json()
    detailed = client.get("/api/reports/2026-09", params=params | {"detail": "true"}, headers=headers).json()
    row = next(c for c in bulk["compounds"] if c["name"] == "东苑")
    # both late: due 3 工作日 after the 24th and 25th, fixed on 12 Oct or never
    assert row["finding_counts"] == {"on_time": before["finding_counts"]["on_time"],
                                     "overdue": before["finding_counts"]["overdue"] + 2}
    assert row["deductions"] == before["deductions"]
    assert row["parts"]["L"] == before["parts"]["L"] and row["total"] == before["total"]
    for report in (bulk, detailed):
        for c in report["compounds"]:
            c.pop("detail"), c.pop("findings")
    assert bulk == detailed


def test_the_bulk_path_gives_way_to_the_engine_for_what_it_cannot_compile(db, world):
    """A P inspection with a survey (tiers) is scored by the engine inside the bulk path."""
    from backend.reports.periods import parse_period
    from backend.reports.scorers import CompiledScorer, rules

    observations = ('{"B2": {"satisfaction": {"value": 92, "sample": 85}}, '
                    '"1": {"missing_plans": 2}, "_not_assessed": []}')
    scorer = CompiledScorer(rules(), parse_period("2026-09"), {"its digest": observations})
    total, complete = scorer.property_("its digest")
    assert (total, complete) == (Decimal(108), True)


def test_the_overdue_page_lists_open_tickets_past_due_in_scope(api, clock, client, world):
    """On 10-31 only F4 (JC01, due 10-09 17:30, still open) is open and past due: the street's
    overdue page shows it to the supervisor (district scope) and to the street's inspector, and
    to nobody outside the street; the dashboard counts it once."""
    build_september(api, clock, client, world)
    clock.set(2026, 10, 31, 12, 0)
    params = {"overdue": "true", "street_id": str(world.units["east"].id), "limit": 50}
    for persona, expected in (("supervisor", 1), ("inspector", 1), ("inspector_west", 0),
                              ("manager_a", 1), ("manager_b", 0)):
        page = client.get("/api/tickets", params=params, headers=world.headers(persona)).json()
        assert page["total"] == expected == len(page["items"]), persona
        if expected:
            item = page["items"][0]
            assert (item["catalog_code"], item["overdue"], item["state"]) == ("JC01", True, "open")
            assert item["work_seconds_left"] < 0
    board = client.get("/api/dashboard/overdue", headers=world.headers("supervisor")).json()
    assert (board["total"], board["open"], board["level"]) == (1, 1, "street")
    assert [(r["name"], r["overdue"]) for r in board["rows"]] == [("东街道", 1)]


def test_items_the_inspector_did_not_assess_stay_out_of_the_period_score(client, world, clock):
    """Rubric P submitted with item 1 marked not assessed (未考核): its observation costs
    nothing, in the inspection and in the period's roll-up alike (P = 100 + 2 = 102)."""
    clock.set(2026, 9, 20, 10, 0)
    headers = world.headers("supervisor")
    body = {"id": str(new_id()), "compound_id": str(world.compounds["east_a"].id),
            "rubric_id": "P", "period_start": "2026-09-01", "period_end": "2026-09-30"}
    client.post("/api/inspections", json=body, headers=headers)
    submitted = client.post(f"/api/inspections/{body['id']}/submit", headers=headers, json={
        "observations": {"1": {"missing_plans": 3}, "B1": {"activities": 1}},
        "not_assessed": ["1"]}).json()
    assert Decimal(submitted["total"]) == 102
    east_a = next(c for c in _report(client, world)["compounds"] if c["name"] == "东苑")
    assert Decimal(east_a["parts"]["P"]) == Decimal(submitted["total"])


def test_the_phone_scores_screen_gets_the_ranking_of_its_scope(api, clock, client, world):
    build_september(api, clock, client, world)
    clock.set(2026, 10, 31, 12, 0)
    r = client.get("/api/scores", params={"period": "2026-09"}, headers=world.headers("supervisor"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["scope"]["name"] == "XX区"
    ranked = [i for i in body["items"] if i["rank"] is not None]
    assert [(i["name"], i["rank"]) for i in ranked] == [("东苑", 1)]
    assert Decimal(ranked[0]["score"]) == Decimal("94.8")
    assert client.get("/api/scores", headers=world.headers("manager_a")).status_code == 404
