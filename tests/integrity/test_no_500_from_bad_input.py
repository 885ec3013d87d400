"""Issue 12 §7: no 500 from bad input, in the four classes the probe found, and a 500 that
still happens answers in the common JSON shape with a Chinese message."""

from __future__ import annotations

import pytest

HUGE = 2**64 + 1


@pytest.mark.parametrize("path", ["/api/findings", "/api/tickets", "/api/compounds",
                                  "/api/inspections"])
def test_an_offset_beyond_64_bits_is_a_422(client, world, path):
    r = client.get(path, params={"offset": HUGE}, headers=world.headers("supervisor"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"


@pytest.mark.parametrize("cursor", [str(HUGE), "9223372036854775808", "-1", "1.x", "🙂"])
def test_a_pull_cursor_beyond_64_bits_or_malformed_is_a_422(client, world, cursor):
    r = client.get("/api/sync/pull", params={"cursor": cursor}, headers=world.headers("inspector"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "cursor_invalid"


def test_an_unknown_rubric_on_the_notice_is_a_422(client, world):
    r = client.get("/api/reports/2026-09/notice.csv", headers=world.headers("supervisor"),
                   params={"unit_id": str(world.units["district"].id), "rubric": "ZZ"})
    assert r.status_code == 422


@pytest.mark.parametrize("number", ["1e400", "-1e400", "NaN", "Infinity"])
def test_non_finite_numbers_are_refused(api, client, world, number):
    raw = (f'{{"id": "{api.finding("inspector")["id"]}", '
           f'"compound_id": "{world.compounds["east_a"].id}", "catalog_code": "JC04", '
           f'"observed_at": "2026-09-30T16:20:00+08:00", "accuracy_m": {number}}}')
    r = client.post("/api/findings", content=raw, headers={
        **world.headers("inspector"), "Content-Type": "application/json"})
    assert r.status_code in (400, 422), r.text
    compound = client.patch(f"/api/compounds/{world.compounds['east_a'].id}",
                            content=f'{{"latitude": {number}}}', headers={
                                **world.headers("admin"), "Content-Type": "application/json"})
    assert compound.status_code in (400, 422), compound.text


def test_an_unexpected_error_answers_in_the_common_shape():
    """The handlers create_app installs, on a route that fails as a bug would."""
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from backend.errors import install_error_handlers

    app = FastAPI()
    install_error_handlers(app)

    @app.get("/api/_boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/api/_boom")
    assert r.status_code == 500
    error = r.json()["error"]
    assert error["code"] == "internal_error" and "服务器内部错误" in error["message"]
