"""Issue 2 §6: every read and write is filtered by the caller's scope, in one place.

Out-of-scope reads answer 404 (existence does not leak); writes by a role that may not write
answer 403; no token answers 401.
"""

from __future__ import annotations

import pytest

OK, HIDDEN, DENIED = 200, 404, 403

COMPOUND_READS = {
    #                 east_a   east_b   west_b
    "admin":          (OK,     OK,      OK),
    "supervisor":     (OK,     OK,      OK),
    "inspector":      (OK,     OK,      HIDDEN),
    "inspector_west": (HIDDEN, HIDDEN,  OK),
    "grid_worker":    (OK,     HIDDEN,  HIDDEN),
    "manager_a":      (OK,     HIDDEN,  HIDDEN),
    "manager_b":      (HIDDEN, OK,      OK),
}


@pytest.mark.parametrize("persona", COMPOUND_READS)
def test_compound_read_follows_scope(world, client, persona):
    for key, expected in zip(("east_a", "east_b", "west_b"), COMPOUND_READS[persona]):
        r = client.get(f"/api/compounds/{world.compounds[key].id}", headers=world.headers(persona))
        assert r.status_code == expected, (persona, key, r.text)
        if expected == HIDDEN:
            assert r.json()["error"]["code"] == "compound_not_found"


@pytest.mark.parametrize("persona", COMPOUND_READS)
def test_compound_list_holds_exactly_the_compounds_in_scope(world, client, persona):
    r = client.get("/api/compounds", headers=world.headers(persona))
    assert r.status_code == 200
    visible = {item["name"] for item in r.json()["items"]}
    names = {"east_a": "东苑", "east_b": "东园", "west_b": "西苑"}
    expected = {names[k] for k, status in zip(names, COMPOUND_READS[persona]) if status == OK}
    assert visible == expected
    assert r.json()["total"] == len(expected)


def test_property_manager_cannot_reach_another_companys_compound_by_any_filter(world, client):
    headers = world.headers("manager_a")
    other = world.compounds["east_b"]
    assert client.get(f"/api/compounds/{other.id}", headers=headers).status_code == 404
    listed = client.get("/api/compounds", params={"company_id": str(world.companies["b"].id)},
                        headers=headers).json()
    assert listed["items"] == [] and listed["total"] == 0
    assert client.get(f"/api/companies/{world.companies['b'].id}", headers=headers).status_code == 404
    assert client.get(f"/api/companies/{world.companies['a'].id}", headers=headers).status_code == 200


@pytest.mark.parametrize("persona,unit,expected", [
    ("supervisor", "west", OK), ("inspector", "west", HIDDEN), ("inspector", "east_g2", OK),
    ("inspector_west", "east", HIDDEN), ("grid_worker", "east_g1", OK),
    ("grid_worker", "east_g2", HIDDEN), ("manager_a", "east", HIDDEN), ("admin", "west_g1", OK),
])
def test_unit_read_follows_scope(world, client, persona, unit, expected):
    r = client.get(f"/api/units/{world.units[unit].id}", headers=world.headers(persona))
    assert r.status_code == expected, r.text


@pytest.mark.parametrize("persona", ["supervisor", "inspector", "grid_worker", "manager_a"])
def test_only_admins_write_the_organisation(world, client, persona):
    headers = world.headers(persona)
    community = world.units["east_c"].id
    assert client.post("/api/compounds", json={"name": "新小区", "community_id": str(community)},
                       headers=headers).status_code == DENIED
    assert client.patch(f"/api/compounds/{world.compounds['east_a'].id}", json={"households": 1},
                        headers=headers).status_code == DENIED
    assert client.post("/api/units", json={"name": "新社区", "level": "community",
                                           "parent_id": str(world.units["east"].id)},
                       headers=headers).status_code == DENIED
    assert client.post("/api/companies", json={"name": "丙物业"}, headers=headers).status_code == DENIED
    assert client.get("/api/users", headers=headers).status_code == DENIED
    r = client.post("/api/users", json={"username": "x1", "display_name": "x", "role": "admin",
                                        "password": "long-enough-1"}, headers=headers)
    assert r.status_code == DENIED and r.json()["error"]["code"] == "forbidden"


def test_admin_writes_the_organisation(world, client):
    headers = world.headers("admin")
    r = client.post("/api/compounds", headers=headers, json={
        "name": "新小区", "community_id": str(world.units["east_c"].id),
        "company_id": str(world.companies["a"].id), "grid_ids": [str(world.units["east_g1"].id)],
        "building_area_m2": "12000.50", "households": 120, "is_old": True})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["street_id"] == str(world.units["east"].id)
    assert body["district_id"] == str(world.units["district"].id)
    assert body["building_area_m2"] == "12000.50"
    # the new compound is at once visible to the grid worker of 东一网格 and to 甲物业's manager
    for persona in ("grid_worker", "manager_a"):
        assert client.get(f"/api/compounds/{body['id']}", headers=world.headers(persona)).status_code == 200


def test_a_grid_from_another_community_is_refused(world, client):
    r = client.post("/api/compounds", headers=world.headers("admin"), json={
        "name": "错网格", "community_id": str(world.units["east_c"].id),
        "grid_ids": [str(world.units["west_g1"].id)]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "grid_invalid"


def test_a_unit_under_the_wrong_level_is_refused(world, client):
    r = client.post("/api/units", headers=world.headers("admin"), json={
        "name": "错层级", "level": "grid", "parent_id": str(world.units["east"].id)})
    assert r.status_code == 422 and r.json()["error"]["code"] == "parent_level_invalid"
    assert "社区" in r.json()["error"]["message"]


@pytest.mark.parametrize("path", ["/api/compounds", "/api/units", "/api/companies", "/api/auth/me"])
def test_no_token_is_401_in_the_common_error_shape(client, path):
    r = client.get(path)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthorized" and r.json()["error"]["message"]
