def test_health_reports_database_and_photo_store(client):
    response = client.get("/api/health")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["checks"]["database"]["ok"] and body["checks"]["photo_store"]["ok"]


def test_world_builds(world, client):
    r = client.get("/api/compounds", headers=world.headers("manager_a"))
    assert r.status_code == 200, r.text
    assert [c["name"] for c in r.json()["items"]] == ["东苑"]
