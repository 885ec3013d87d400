"""Issue 5 §3: an inspector starts an inspection of a compound with a rubric, records the
observations item by item, submits, and the scoring engine gives its score."""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from backend.auth import users
from backend.auth.models import Role, UserCreate
from backend.configuration import service as configuration
from backend.ids import new_id
from backend.inspections.models import Inspection
from backend.organisation import service as org
from backend.organisation.models import CompoundCreate, CompoundUpdate, OrgUnitCreate, UnitLevel
from tests.personas import PASSWORD

EXAMPLES = Path(__file__).resolve().parents[2] / "rubrics" / "examples"


def _start(client, world, persona="inspector", compound="east_a", rubric="P", **extra):  # noqa: ANN001, ANN201
    body = {"id": str(new_id()), "compound_id": str(world.compounds[compound].id),
            "rubric_id": rubric, **extra}
    return body, client.post("/api/inspections", json=body, headers=world.headers(persona))


@pytest.fixture
def erqi(db, client, world):  # noqa: ANN001, ANN201
    """Seed 003's district: an old compound of 二七区 (52,000 m², company moved in 2023-03-01)
    and the street's inspector, beside the personas."""
    district = org.create_unit(db, OrgUnitCreate(name="二七区", level=UnitLevel.district))
    street = org.create_unit(db, OrgUnitCreate(name="淮河路街道", level=UnitLevel.street,
                                               parent_id=district.id))
    community = org.create_unit(db, OrgUnitCreate(name="淮河路社区", level=UnitLevel.community,
                                                  parent_id=street.id))
    world.compounds["erqi_old"] = org.create_compound(db, CompoundCreate(
        name="建新街3号院", community_id=community.id, company_id=world.companies["a"].id,
        building_area_m2=Decimal("52000"), households=1000, is_old=True,
        company_moved_in_on=date(2023, 3, 1)))
    world.users["inspector_erqi"] = users.create_user(db, UserCreate(
        username="inspector_erqi", display_name="孙考核", role=Role.inspector, password=PASSWORD,
        unit_ids=[street.id]), actor_id=None)
    db.commit()
    world.tokens["inspector_erqi"] = client.post("/api/auth/login", json={
        "username": "inspector_erqi", "password": PASSWORD}).json()["access_token"]
    return world


def test_seed_003_old_compound_inspection_is_scored_graded_and_subsidised(client, erqi):
    """Seed 003 through the API: the compound (52,000 m², company moved in 2023-03-01) is
    assessed for 2024H1 with the observations of rubrics/examples/E.json: deductions 13.9 →
    86.1 → 良好 → 52,000 m² × 0.20 yuan × 6 months = 62,400.00 yuan."""
    world = erqi
    example = json.loads((EXAMPLES / "E.json").read_text(encoding="utf-8"))
    body, r = _start(client, world, persona="inspector_erqi", compound="erqi_old", rubric="E",
                     period_start="2024-01-01", period_end="2024-06-30")
    assert r.status_code == 201, r.text
    r = client.post(f"/api/inspections/{body['id']}/submit", headers=world.headers("inspector_erqi"),
                    json={"observations": example["observations"],
                          "notes": {"18": "3号楼、5号楼井盖缺失"}})
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["total"] == "86.10" or float(result["total"]) == 86.1
    assert result["grade"] == "良好" and result["complete"] is True
    assert result["result"]["money"]["amount"] == "62400.00"
    item18 = next(i for i in result["result"]["items"] if i["id"] == "18")
    assert float(item18["deduction"]) == 5  # 12 covers × 0.5 = 6, capped at the item's 5 points


def test_seed_003_subsidy_is_paid_at_the_districts_own_rate_and_term_once_the_admin_sets_them(
        client, erqi, db):
    """Seed 003 七(二)3 states the rates and the three-year term, paid by the district's treasury:
    each deployment may set its own (issue 16 §4). Until then they show as the seed's, unflagged;
    set to 0.25 元 for 良好 and one year, the same 2024H1 assessment pays 52,000 m² × 0.25 × the
    2 months (January, February) left before 2024-03-01 = 26,000.00 yuan."""
    world, admin = erqi, erqi.headers("admin")
    try:
        values = client.get("/api/settings", headers=admin).json()["values"]
        terms = {v["label"]: v for v in values if v["document"] == "E"}
        assert list(terms) == ["优秀等次的补贴标准（元/㎡/月）", "良好等次的补贴标准（元/㎡/月）",
                               "合格等次的补贴标准（元/㎡/月）", "不合格等次的补贴标准（元/㎡/月）",
                               "补贴期限（自物业进驻起，年）"]
        good, years = terms["良好等次的补贴标准（元/㎡/月）"], terms["补贴期限（自物业进驻起，年）"]
        assert (good["seed_value"], good["value"], good["local"], good["configured"]) == \
            ("0.20", "0.20", True, False)
        assert "区财政" in good["reason"] and good["file"].endswith("E.yaml") and good["line"]

        half = client.put("/api/settings/values", headers=admin, json={
            "values": {years["key"]: "1.5"}, "reason": "补贴期限改为一年半"})
        assert half.status_code == 422
        assert half.json()["error"]["message"] == \
            "按这些数值规则不成立：E.yaml 第 39 行：subsidy.years: 补贴期限须为不少于1的整数年，而不是 1.5"
        r = client.put("/api/settings/values", headers=admin, json={
            "values": {good["key"]: "0.25", years["key"]: "1"}, "reason": "区财政：良好等次0.25元，补贴一年"})
        assert r.status_code == 200, r.text

        example = json.loads((EXAMPLES / "E.json").read_text(encoding="utf-8"))
        body, r = _start(client, world, persona="inspector_erqi", compound="erqi_old", rubric="E",
                         period_start="2024-01-01", period_end="2024-06-30")
        result = client.post(f"/api/inspections/{body['id']}/submit",
                             headers=world.headers("inspector_erqi"),
                             json={"observations": example["observations"]}).json()
        assert result["grade"] == "良好"
        assert result["result"]["money"]["amount"] == "26000.00"
        assert "本期计 2 个月" in " ".join(result["result"]["warnings"])
    finally:
        configuration.observe(db, None)  # the settings rolled back: the files alone


@pytest.fixture
def party_branch(db, world):  # noqa: ANN001, ANN201
    """东苑 has a (temporary) party branch: rubric D applies to it (seed 002 正文 三、3)."""
    org.update_compound(db, world.compounds["east_a"], CompoundUpdate(has_party_branch=True),
                        actor_id=None)
    db.commit()
    return world


def test_rubric_d_veto_through_the_api(client, party_branch):
    """Seed 002 附件3: no party organisation fails by veto whatever else it scores."""
    world = party_branch
    example = json.loads((EXAMPLES / "D.json").read_text(encoding="utf-8"))
    body, _ = _start(client, world, rubric="D")
    result = client.post(f"/api/inspections/{body['id']}/submit", headers=world.headers("inspector"),
                         json={"observations": example["observations"]}).json()
    assert result["grade"] == "一票否决" and float(result["total"]) == 0


def test_start_and_submit_are_idempotent_and_a_changed_resubmit_is_refused(client, party_branch):
    world = party_branch
    body, first = _start(client, world, rubric="D")
    again = client.post("/api/inspections", json=body, headers=world.headers("inspector"))
    assert (first.status_code, again.status_code) == (201, 200)
    submission = {"observations": {"1.1.1": {"no_party_organisation": True}}}
    url = f"/api/inspections/{body['id']}/submit"
    assert client.post(url, json=submission, headers=world.headers("inspector")).status_code == 200
    assert client.post(url, json=submission, headers=world.headers("inspector")).status_code == 200
    r = client.post(url, json={"observations": {}}, headers=world.headers("inspector"))
    assert r.status_code == 409 and r.json()["error"]["code"] == "inspection_submitted"


def test_bad_inspections_are_refused_clearly(client, world):
    _, r = _start(client, world, rubric="NOPE")
    assert r.status_code == 422 and r.json()["error"]["code"] == "rubric_not_found"
    _, r = _start(client, world, compound="west_b")
    assert r.status_code == 404
    _, r = _start(client, world, persona="manager_a")
    assert r.status_code == 403
    body, _ = _start(client, world)
    r = client.post(f"/api/inspections/{body['id']}/submit", headers=world.headers("inspector"),
                    json={"observations": {"99": {"x": 1}}})
    assert r.status_code == 422 and r.json()["error"]["code"] == "observations_invalid"
    assert "99" in r.json()["error"]["message"]
    r = client.get(f"/api/inspections/{body['id']}", headers=world.headers("inspector_west"))
    assert r.status_code == 404


def test_an_inspection_started_or_submitted_at_a_naive_time_is_refused(client, world):
    """A phone time without a UTC offset is a 422 naming the field, not a server error (a
    naive start once reached the service and failed comparing it with the server's clock)."""
    headers = world.headers("inspector")
    r = client.post("/api/inspections", headers=headers, json={
        "id": str(new_id()), "compound_id": str(world.compounds["east_a"].id), "rubric_id": "P",
        "started_at": "2026-09-30T10:00:00"})
    assert r.status_code == 422
    assert any(d["field"].endswith("started_at") for d in r.json()["error"]["detail"])
    body, _ = _start(client, world)
    r = client.post(f"/api/inspections/{body['id']}/submit", headers=headers,
                    json={"observations": {}, "submitted_at": "2026-09-30T11:00:00"})
    assert r.status_code == 422
    assert any(d["field"].endswith("submitted_at") for d in r.json()["error"]["detail"])


@pytest.mark.parametrize("period", [{"period_start": "2026-06-01"}, {"period_end": "2026-06-30"},
                                    {"period_start": "2026-06-30", "period_end": "2026-06-01"}])
def test_an_inspection_with_half_a_period_or_one_ending_before_it_starts_is_refused(
        client, world, db, period):
    """The assessed period decides which report counts the inspection (reports.aggregate):
    half of one, or an end before the start, would silently count it for no period. A 422
    naming the period, and nothing stored."""
    body = {"id": str(new_id()), "compound_id": str(world.compounds["east_a"].id),
            "rubric_id": "P", **period}
    r = client.post("/api/inspections", json=body, headers=world.headers("inspector"))
    assert r.status_code == 422
    assert "考核期间" in r.text
    assert db.get(Inspection, uuid.UUID(body["id"])) is None


def test_findings_logged_during_an_inspection_link_to_it(client, world):
    body, _ = _start(client, world)
    finding = {"id": str(new_id()), "compound_id": str(world.compounds["east_a"].id),
               "catalog_code": "JC04", "inspection_id": body["id"], "rubric_item": "18",
               "observed_at": "2026-09-30T16:20:00+08:00"}
    assert client.post("/api/findings", json=finding,
                       headers=world.headers("inspector")).status_code == 201
    got = client.get(f"/api/inspections/{body['id']}", headers=world.headers("inspector")).json()
    assert got["finding_ids"] == [finding["id"]]


def test_a_finding_cannot_claim_an_inspection_of_another_compound(client, world):
    body, _ = _start(client, world)  # an inspection of 东苑
    finding = {"id": str(new_id()), "compound_id": str(world.compounds["east_b"].id),
               "catalog_code": "JC04", "inspection_id": body["id"],
               "observed_at": "2026-09-30T16:20:00+08:00"}
    r = client.post("/api/findings", json=finding, headers=world.headers("inspector"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "inspection_mismatch"


def test_a_finding_may_arrive_before_its_inspection(client, world):
    """Out-of-order arrival: the phone's outbox sent the finding first; when the inspection's
    start arrives, the finding is linked to it."""
    inspection_id = str(new_id())
    finding = {"id": str(new_id()), "compound_id": str(world.compounds["east_a"].id),
               "catalog_code": "JC04", "inspection_id": inspection_id,
               "observed_at": "2026-09-30T16:20:00+08:00"}
    assert client.post("/api/findings", json=finding,
                       headers=world.headers("inspector")).status_code == 201
    _, r = _start(client, world, id=inspection_id)
    assert r.json()["finding_ids"] == [finding["id"]]
