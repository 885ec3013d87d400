"""Seed 001 (西岗区 2021 半年考核通报) reproduced from observations stored through the API:
the district's supervisor inspects each of the five streets with rubric X."""

from __future__ import annotations

import json
from pathlib import Path

from backend.auth import users
from backend.auth.models import Role, UserCreate
from backend.ids import new_id
from backend.organisation import service as org
from backend.organisation.models import OrgUnitCreate, UnitLevel
from tests.personas import PASSWORD

EXAMPLE = Path(__file__).resolve().parents[2] / "rubrics" / "examples" / "X.json"
PUBLISHED = {"八一路街道": 98, "人民广场街道": 99, "白云街道": 99, "日新街道": 98, "香炉礁街道": 99}


def xigang(db, client):  # noqa: ANN001, ANN201
    district = org.create_unit(db, OrgUnitCreate(name="大连市西岗区", level=UnitLevel.district))
    streets = {name: org.create_unit(db, OrgUnitCreate(name=name, level=UnitLevel.street,
                                                       parent_id=district.id))
               for name in PUBLISHED}
    users.create_user(db, UserCreate(username="xigang", display_name="西岗区住建局",
                                            role=Role.supervisor, password=PASSWORD,
                                            unit_ids=[district.id]), actor_id=None)
    db.commit()
    token = client.post("/api/auth/login", json={"username": "xigang", "password": PASSWORD}
                        ).json()["access_token"]
    return streets, {"Authorization": f"Bearer {token}"}


def submit_seed_001(client, streets, headers) -> dict[str, dict]:  # noqa: ANN001
    example = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    results = {}
    for name, subject in example["subjects"].items():
        body = {"id": str(new_id()), "unit_id": str(streets[name].id), "rubric_id": "X",
                "period_start": example["period"]["start"], "period_end": example["period"]["end"]}
        assert client.post("/api/inspections", json=body, headers=headers).status_code == 201
        r = client.post(f"/api/inspections/{body['id']}/submit", headers=headers,
                        json={"observations": subject["observations"]})
        assert r.status_code == 200, r.text
        results[name] = r.json()
    return results


def test_seed_001_notice_from_inspections_stored_through_the_api(db, client):
    """八一路 98, 人民广场 99, 白云 99, 日新 98, 香炉礁 99: every street lost 1 on item 4.2
    (不良行为信息), 八一路 1 more on 5.1 (维修资金整改), 日新 1 more on 4.1 (信用建设)."""
    streets, headers = xigang(db, client)
    results = submit_seed_001(client, streets, headers)
    assert {name: float(r["total"]) for name, r in results.items()} == PUBLISHED
    for name, r in results.items():
        lost = {i["id"]: float(i["deduction"]) for i in r["result"]["items"] if float(i["deduction"])}
        expected = {"4.2": 1.0} | ({"5.1": 1.0} if name == "八一路街道" else {}) \
            | ({"4.1": 1.0} if name == "日新街道" else {})
        assert lost == expected, name


def test_a_street_rubric_needs_a_street_and_a_compound_rubric_a_compound(db, client, world):
    streets, headers = xigang(db, client)
    r = client.post("/api/inspections", headers=world.headers("admin"), json={
        "id": str(new_id()), "compound_id": str(world.compounds["east_a"].id), "rubric_id": "X"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "rubric_not_applicable"
    assert "考核对象是街道/镇" in r.json()["error"]["message"]
    r = client.post("/api/inspections", headers=world.headers("admin"), json={
        "id": str(new_id()), "unit_id": str(world.units["east"].id), "rubric_id": "X"})
    assert r.status_code == 422 and "只适用于大连市西岗区" in r.json()["error"]["message"]
    r = client.post("/api/inspections", headers=world.headers("inspector"), json={
        "id": str(new_id()), "unit_id": str(streets["白云街道"].id), "rubric_id": "X"})
    assert r.status_code == 404  # 白云街道 is outside the inspector's scope
