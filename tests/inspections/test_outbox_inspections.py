"""Issue 14: a whole inspection from the phone's outbox (`POST /api/sync/inspections`): stored
once whatever the network does, scored on arrival exactly as `xunjian score` scores the same
observations, its photos declared per item, amended as a new version until its period is
published, and every bad input refused in Chinese with nothing half-stored."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import select

from backend.audit.models import AuditEvent
from backend.auth import users
from backend.auth.models import Role, UserCreate
from backend.ids import new_id
from backend.inspections.models import Inspection, InspectionPhoto
from backend.organisation import service as org
from backend.organisation.models import CompoundCreate, OrgUnitCreate, UnitLevel
from backend.reports.models import PeriodPublication
from tests.personas import PASSWORD

# Seed 003's old compound, a month's assessment (rubric E, 七(三)1 月考核)
PERIOD = {"period_start": "2026-11-01", "period_end": "2026-11-30"}
OBSERVATIONS = {"10": {"guard_absent": 2, "no_patrol_record": 5},  # 0.5/次, 0.1/日
                "1": {"not_filed": True},                             # 未备案扣5分
                "18": {"missing": 3},                                 # 井盖 0.5/个
                "20": {"satisfaction": {"value": 72.5, "sampled": 130, "households": 1000}}}


@pytest.fixture
def erqi(db, client, world):  # noqa: ANN001, ANN201
    district = org.create_unit(db, OrgUnitCreate(name="二七区", level=UnitLevel.district))
    street = org.create_unit(db, OrgUnitCreate(name="淮河路街道", level=UnitLevel.street,
                                               parent_id=district.id))
    community = org.create_unit(db, OrgUnitCreate(name="淮河路社区", level=UnitLevel.community,
                                                  parent_id=street.id))
    for key, name, old in (("old", "建新街3号院", True), ("new", "锦华苑", False)):
        world.compounds[key] = org.create_compound(db, CompoundCreate(
            name=name, community_id=community.id, company_id=world.companies["a"].id,
            building_area_m2=Decimal("18600"), households=1000, is_old=old,
            company_moved_in_on=date(2024, 3, 1)))
    world.units["erqi"], world.units["erqi_street"] = district, street
    for persona, role, unit in (("erqi", Role.inspector, street),
                                ("erqi_supervisor", Role.supervisor, district)):
        world.users[persona] = users.create_user(db, UserCreate(
            username=persona, display_name=persona, role=role, password=PASSWORD,
            unit_ids=[unit.id]), actor_id=None)
    db.commit()
    for persona in ("erqi", "erqi_supervisor"):
        world.tokens[persona] = client.post("/api/auth/login", json={
            "username": persona, "password": PASSWORD}).json()["access_token"]
    return world


def _inspection(world, compound="old", **changes) -> dict:  # noqa: ANN001
    return {"id": str(new_id()), "compound_id": str(world.compounds[compound].id),
            "rubric_id": "E", "source": "announced", **PERIOD,
            "started_at": "2026-11-20T09:00:00+08:00", "submitted_at": "2026-11-20T11:00:00+08:00",
            "observations": OBSERVATIONS, "notes": {"10": "夜班保安缺岗两次"},
            "not_assessed": [], **changes}


def _send(client, world, *items, persona="erqi"):  # noqa: ANN001, ANN002, ANN202
    r = client.post("/api/sync/inspections", json={"inspections": list(items)},
                    headers=world.headers(persona))
    assert r.status_code == 200, r.text
    return r.json()["results"]


def _cli_score(tmp_path, item: dict) -> dict:  # noqa: ANN001
    doc = {"rubric": "E", "subject": "建新街3号院",
           "period": {"start": item["period_start"], "end": item["period_end"]},
           "facts": {"area_m2": 18600, "moved_in": "2024-03-01", "households": 1000},
           "observations": item["observations"], "not_assessed": item["not_assessed"]}
    path = tmp_path / "obs.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    xunjian = Path(sys.executable).parent / "xunjian"
    out = subprocess.run([str(xunjian), "score", "E", str(path)], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout)


def test_an_inspection_sent_twice_is_stored_once_and_scored_as_xunjian_score_scores_it(
        client, erqi, db, tmp_path):
    item = _inspection(erqi)
    first, again = _send(client, erqi, item)[0], _send(client, erqi, item)[0]
    assert (first["status"], again["status"]) == ("created", "duplicate")
    assert db.exec(select(Inspection).where(Inspection.id == uuid.UUID(item["id"]))).one()
    expected = _cli_score(tmp_path, item)
    stored = first["inspection"]
    assert Decimal(stored["total"]) == Decimal(expected["total"])
    assert stored["grade"] == expected["grade"]
    assert stored["result"]["money"] == expected["money"]
    # 5 + (1 + 0.5) + 1.5 + 2 (72.5% at a 13% sample earns 8 of 10)
    assert Decimal(stored["total"]) == Decimal("90")
    assert stored["notes"] == {"10": "夜班保安缺岗两次"}


def test_the_same_id_with_other_content_is_refused_and_the_first_kept(client, erqi, db):
    item = _inspection(erqi)
    _send(client, erqi, item)
    [changed] = _send(client, erqi, {**item, "observations": {}})
    assert (changed["status"], changed["code"]) == ("conflict", "uuid_reused")
    assert db.get(Inspection, uuid.UUID(item["id"])).observations["10"] == OBSERVATIONS["10"]


@pytest.mark.parametrize(("changes", "code", "words"), [
    ({"observations": {"10": {"guard_absent": -1}}}, "observations_invalid", "非负整数"),
    ({"observations": {"20": {"satisfaction": {"value": 100.5, "sampled": 130,
                                               "households": 1000}}}},
     "observations_invalid", "不能超过 100"),
    ({"compound": "new"}, "rubric_not_applicable", "老旧小区"),
    ({"rubric_id": "X"}, "rubric_not_applicable", "街道/镇"),
    ({"photos": {"99": [{"sha256": "a" * 64}]}}, "photo_item_unknown", "99"),
])
def test_bad_inspections_are_refused_in_chinese_and_nothing_is_stored(
        client, erqi, db, changes, code, words):
    compound = changes.pop("compound", "old")
    item = _inspection(erqi, compound=compound, **changes)
    [result] = _send(client, erqi, item)
    assert (result["status"], result["code"]) == ("invalid", code), result
    assert words in result["message"]
    assert db.get(Inspection, uuid.UUID(item["id"])) is None
    assert not db.exec(select(InspectionPhoto).where(
        InspectionPhoto.inspection_id == uuid.UUID(item["id"]))).all()


def test_an_inspection_of_a_compound_outside_ones_scope_is_refused(client, erqi, world, db):
    """The personas' inspector (东街道) submits for 二七区's old compound."""
    item = _inspection(erqi)
    [result] = _send(client, erqi, item, persona="inspector")
    assert (result["status"], result["code"]) == ("invalid", "compound_not_found")
    assert "不在您的管辖范围内" in result["message"]
    assert db.get(Inspection, uuid.UUID(item["id"])) is None


def test_a_time_node_date_outside_the_period_is_refused(client, db):
    """Seed 001's rubric X: a submission dated before the half year it is assessed for."""
    district = org.create_unit(db, OrgUnitCreate(name="大连市西岗区", level=UnitLevel.district))
    street = org.create_unit(db, OrgUnitCreate(name="白云街道", level=UnitLevel.street,
                                               parent_id=district.id))
    users.create_user(db, UserCreate(username="xigang", display_name="西岗区住建局",
                                     role=Role.supervisor, password=PASSWORD,
                                     unit_ids=[district.id]), actor_id=None)
    db.commit()
    headers = {"Authorization": "Bearer " + client.post("/api/auth/login", json={
        "username": "xigang", "password": PASSWORD}).json()["access_token"]}
    item = {"id": str(new_id()), "unit_id": str(street.id), "rubric_id": "X",
            "period_start": "2021-01-01", "period_end": "2021-06-30",
            "started_at": "2021-07-01T09:00:00+08:00", "submitted_at": "2021-07-01T10:00:00+08:00",
            "observations": {"1": {"report": "2020-12-20"}}}
    r = client.post("/api/sync/inspections", json={"inspections": [item]}, headers=headers)
    [result] = r.json()["results"]
    assert (result["status"], result["code"]) == ("invalid", "observations_invalid")
    assert "早于考核期间开始日 2021-01-01" in result["message"]


def _jpeg(colour: tuple[int, int, int]) -> bytes:
    out = BytesIO()
    Image.new("RGB", (640, 480), colour).save(out, "JPEG")
    return out.getvalue()


def test_item_photos_are_declared_with_the_inspection_then_uploaded_and_seen_in_scope(
        client, erqi):
    import hashlib

    data = _jpeg((120, 60, 30))
    sha = hashlib.sha256(data).hexdigest()
    item = _inspection(erqi, photos={"18": [{"sha256": sha, "bytes": len(data)}]})
    [result] = _send(client, erqi, item)
    assert result["photos_missing"] == [sha] and result["inspection"]["photos"] == {"18": [sha]}
    r = client.post("/api/photos", headers=erqi.headers("erqi"), data={"inspection_id": item["id"],
                    "sha256": sha}, files={"file": ("p.jpg", data, "image/jpeg")})
    assert r.status_code == 200, r.text
    assert r.json()["complete"] is True
    assert client.get(f"/api/photos/{sha}/thumb",
                      headers=erqi.headers("erqi_supervisor")).status_code == 200
    assert client.get(f"/api/photos/{sha}/thumb",
                      headers=erqi.headers("inspector")).status_code == 404  # another street


def test_an_amendment_is_a_new_version_audited_and_the_old_one_no_longer_counts(
        client, erqi, db):
    first = _inspection(erqi)
    _send(client, erqi, first)
    amended = _inspection(erqi, amends=first["id"], observations={"1": {"not_filed": True}},
                          not_assessed=["20"])
    [result] = _send(client, erqi, amended)
    assert result["status"] == "created", result
    assert result["inspection"]["amends_id"] == first["id"]
    assert Decimal(result["inspection"]["total"]) == Decimal("95")
    old = db.get(Inspection, uuid.UUID(first["id"]))
    db.refresh(old)
    assert str(old.superseded_by_id) == amended["id"]
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "inspection.amend")).one()
    # amending the replaced version again is refused: only the latest may be amended
    [again] = _send(client, erqi, _inspection(erqi, amends=first["id"]))
    assert (again["status"], again["code"]) == ("conflict", "already_amended")


def test_amending_an_inspection_of_a_published_period_is_refused(client, erqi, db):
    first = _inspection(erqi)
    _send(client, erqi, first)
    r = client.post("/api/reports/2026-11/freeze", headers=erqi.headers("erqi_supervisor"),
                    params={"unit_id": str(erqi.units["erqi"].id)})
    assert r.status_code in (200, 201), r.text
    assert db.exec(select(PeriodPublication)).all()
    [result] = _send(client, erqi, _inspection(erqi, amends=first["id"]))
    assert (result["status"], result["code"]) == ("conflict", "period_frozen")
    assert "2026年11月" in result["message"] and "已发布" in result["message"]


def test_the_plan_lists_each_old_compounds_monthly_assessment_and_weekly_patrols(client, erqi):
    """Seed 003 七(三)1: 周巡查、月考核. The old compound has November's 明查 and the weeks'
    巡查; the newer compound has none (E applies to old compounds only)."""
    _send(client, erqi, _inspection(erqi))
    plan = client.get("/api/inspections/plan", params={"period": "2026-11"},
                      headers=erqi.headers("erqi")).json()
    rows = [r for r in plan["rows"] if r["rubric_id"] == "E"]
    assert {r["subject_name"] for r in rows} == {"建新街3号院"}
    monthly = [r for r in rows if r["source"] == "announced"]
    assert len(monthly) == 1 and monthly[0]["status"] == "done"
    assert monthly[0]["done"][0]["total"] in ("90", "90.00", "90.0")
    weekly = [r for r in rows if r["source"] == "patrol"]
    assert [w["window_start"] for w in weekly][:1] == ["2026-10-26"]  # the week holding Nov 1
    assert all(w["status"] != "done" for w in weekly)
    assert plan["period_label"] == "2026年11月"


def test_the_plan_refuses_an_unknown_period_in_chinese(client, erqi):
    r = client.get("/api/inspections/plan", params={"period": "2026-13"},
                   headers=erqi.headers("erqi"))
    assert r.status_code == 422 and "月份无效" in r.json()["error"]["message"]


def test_a_new_inspection_of_a_published_period_is_refused_and_nothing_stored(client, erqi, db):
    """Published numbers never change: after November is published, an inspection of
    November is refused (the street notice and the rankings stay as published)."""
    r = client.post("/api/reports/2026-11/freeze", headers=erqi.headers("erqi_supervisor"),
                    params={"unit_id": str(erqi.units["erqi"].id)})
    assert r.status_code in (200, 201), r.text
    item = _inspection(erqi)
    [result] = _send(client, erqi, item)
    assert (result["status"], result["code"]) == ("conflict", "period_frozen")
    assert "不能再提交或修改" in result["message"]
    assert db.get(Inspection, uuid.UUID(item["id"])) is None


def test_a_streets_own_inspector_cannot_assess_the_street(client, erqi, db):
    """Rubric S and X assess a street for its district: 淮河路街道's own inspector is refused,
    and the plan does not offer it; the district's supervisor may."""
    street = erqi.units["erqi_street"]
    body = {"id": str(new_id()), "unit_id": str(street.id), "rubric_id": "S", "source": "announced",
            "period_start": "2026-01-01", "period_end": "2026-12-31",
            "started_at": "2026-11-20T09:00:00+08:00", "submitted_at": "2026-11-20T11:00:00+08:00",
            "observations": {}, "notes": {}, "not_assessed": []}
    [refused] = _send(client, erqi, body)
    assert refused["code"] == "street_assessed_from_above" and "区级" in refused["message"]
    plan = client.get("/api/inspections/plan", params={"period": "2026-11"},
                      headers=erqi.headers("erqi")).json()
    assert not [r for r in plan["rows"] if r["subject_kind"] == "street"]
    plan = client.get("/api/inspections/plan", params={"period": "2026-11"},
                      headers=erqi.headers("erqi_supervisor")).json()
    assert [r for r in plan["rows"] if r["subject_kind"] == "street" and r["rubric_id"] == "S"]
