"""Issue 2 §9: OpenAPI served; errors in one JSON shape with a machine code and a Chinese
message; health reports database and photo-store readiness."""

from __future__ import annotations

import re


def test_openapi_and_docs_are_served(client):
    spec = client.get("/api/openapi.json").json()
    assert "/api/auth/login" in spec["paths"] and "/api/compounds" in spec["paths"]
    assert "ErrorResponse" in spec["components"]["schemas"]
    assert client.get("/api/docs").status_code == 200


def test_the_ingestion_hot_paths_are_documented_like_the_other_endpoints(client):
    """backend.hotpath reads the token, clock and session without FastAPI's dependencies: the
    spec must still say that they need a bearer token and accept X-Client-Time."""
    spec = client.get("/api/openapi.json").json()
    for path, body in (("/api/findings", "FindingIn"), ("/api/sync/findings", "FindingBatch")):
        operation = spec["paths"][path]["post"]
        assert operation["security"] == [{"HTTPBearer": []}]
        assert [p["name"].lower() for p in operation["parameters"]] == ["x-client-time"]
        assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"] \
            .endswith("/" + body)
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def _is_chinese(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))


def test_malformed_json_is_a_400_in_the_common_shape(world, client):
    r = client.post("/api/compounds", content=b"{not json", headers={
        **world.headers("admin"), "Content-Type": "application/json"})
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == "malformed_json" and _is_chinese(error["message"])


def test_a_missing_field_is_a_422_naming_the_field(world, client):
    r = client.post("/api/compounds", json={"name": "无社区"}, headers=world.headers("admin"))
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "validation_error" and _is_chinese(error["message"])
    assert any(d["field"].endswith("community_id") for d in error["detail"])


def test_an_unknown_path_is_a_404_in_the_common_shape(client):
    r = client.get("/api/no-such-thing")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_health_reports_both_readiness_checks_to_an_admin_and_only_ready_to_anyone(client, world):
    """Issue 12 §8: without a login the health check says ready or not ready, nothing more
    (no version, revision, disk or font path); an admin sees both checks."""
    anonymous = client.get("/api/health")
    assert anonymous.status_code == 200
    assert anonymous.json() == {"ok": True, "status": "ready"}
    for persona in ("inspector", "supervisor"):
        assert client.get("/api/health", headers=world.headers(persona)).json() == \
            {"ok": True, "status": "ready"}
    body = client.get("/api/health", headers=world.headers("admin")).json()
    assert body["ok"] is True and body["version"]
    assert body["checks"]["database"]["revision"] == body["checks"]["database"]["head"]
    assert body["checks"]["photo_store"]["free_bytes"] > 0
