"""Issue 16 §2: the admin keeps the users: filters, accounts created with a temporary password,
one-time passwords that must be changed at the first login, deactivation that ends every
session at once, and what the list shows of logins."""

from __future__ import annotations

PASSWORD = "correct-horse-9"


def _login(client, username: str, password: str):  # noqa: ANN001, ANN202
    return client.post("/api/auth/login", json={"username": username, "password": password})


def _bearer(answer) -> dict:  # noqa: ANN001
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_the_list_filters_by_role_unit_and_state_and_shows_logins(client, world):
    admin = world.headers("admin")
    by_role = client.get("/api/users", headers=admin, params={"role": "inspector"}).json()
    assert {u["username"] for u in by_role} == {"inspector", "inspector_west"}
    assert by_role[0]["last_login_at"] and by_role[0]["active_sessions"] == 1
    under_west = client.get("/api/users", headers=admin,
                            params={"unit_id": str(world.units["west"].id)}).json()
    # scoped under 西镇, or managing a company serving a compound there
    assert {u["username"] for u in under_west} == {"inspector_west", "manager_b"}
    east = [u for u in client.get("/api/users", headers=admin,
                                  params={"unit_id": str(world.units["east"].id)}).json()
            if u["username"] == "inspector"][0]
    assert east["unit_names"] == ["东街道"]
    client.patch(f"/api/users/{world.users['grid_worker'].id}", headers=admin,
                 json={"is_active": False})
    inactive = client.get("/api/users", headers=admin, params={"active": "false"}).json()
    assert [u["username"] for u in inactive] == ["grid_worker"]


def test_a_user_created_by_an_admin_must_replace_the_password_before_anything_else(
        client, world):
    admin = world.headers("admin")
    r = client.post("/api/users", headers=admin, json={
        "username": "liu", "display_name": "刘考核", "role": "inspector",
        "password": "first-pass-1", "unit_ids": [str(world.units["east"].id)],
        "phone": "13800000001", "wecom_id": "LiuKaohe", "dingtalk_id": "liu01"})
    assert r.status_code == 201 and r.json()["must_change_password"] is True
    assert r.json()["wecom_id"] == "LiuKaohe"
    first = _login(client, "liu", "first-pass-1")
    assert first.status_code == 200 and first.json()["user"]["must_change_password"]
    liu = _bearer(first)
    refused = client.get("/api/compounds", headers=liu)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "password_change_required"
    assert client.get("/api/auth/me", headers=liu).status_code == 200
    wrong = client.post("/api/auth/password", headers=liu,
                        json={"current_password": "nope", "new_password": "my-own-pass-2"})
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "password_wrong"
    same = client.post("/api/auth/password", headers=liu,
                       json={"current_password": "first-pass-1", "new_password": "first-pass-1"})
    assert same.status_code == 422
    changed = client.post("/api/auth/password", headers=liu, json={
        "current_password": "first-pass-1", "new_password": "my-own-pass-2"})
    assert changed.status_code == 200 and changed.json()["must_change_password"] is False
    names = {c["name"] for c in client.get("/api/compounds", headers=liu).json()["items"]}
    assert names == {"东苑", "东园"}, "the street's compounds, and only them"


def test_a_reset_gives_a_one_time_password_once_ends_every_login_and_forces_a_change(
        client, world):
    admin, target = world.headers("admin"), world.users["manager_a"]
    old = world.headers("manager_a")
    r = client.post(f"/api/users/{target.id}/reset-password", headers=admin)
    assert r.status_code == 200
    one_time = r.json()["one_time_password"]
    assert len(one_time) == 10 and not set(one_time) & set("0O1lI")
    assert client.get("/api/tickets", headers=old).status_code == 401, "old session ended"
    assert _login(client, "manager_a", PASSWORD).status_code == 401
    fresh = _login(client, "manager_a", one_time)
    assert fresh.json()["user"]["must_change_password"] is True
    assert client.get("/api/tickets", headers=_bearer(fresh)).status_code == 403
    assert client.post("/api/auth/password", headers=_bearer(fresh), json={
        "current_password": one_time, "new_password": "mine-again-3"}).status_code == 200
    assert client.get("/api/tickets", headers=_bearer(fresh)).status_code == 200


def test_deactivating_a_user_refuses_their_open_session_at_once(client, world):
    admin = world.headers("admin")
    assert client.get("/api/compounds", headers=world.headers("inspector")).status_code == 200
    client.patch(f"/api/users/{world.users['inspector'].id}", headers=admin,
                 json={"is_active": False})
    r = client.get("/api/compounds", headers=world.headers("inspector"))
    assert r.status_code == 401
    listed = [u for u in client.get("/api/users", headers=admin).json()
              if u["username"] == "inspector"][0]
    assert listed["is_active"] is False and listed["active_sessions"] == 0


def test_guessing_the_current_password_is_limited_like_logins(client, world):
    """A stolen token must not guess the owner's password and lock them out: wrong current
    passwords count as failed logins (5 per account in the window, then 429)."""
    headers = world.headers("inspector")
    for _ in range(5):
        r = client.post("/api/auth/password", headers=headers,
                        json={"current_password": "guess-guess", "new_password": "taken-over-1"})
        assert r.status_code == 422 and r.json()["error"]["code"] == "password_wrong"
    r = client.post("/api/auth/password", headers=headers,
                    json={"current_password": PASSWORD, "new_password": "taken-over-1"})
    assert r.status_code == 429, "even the right one, until the window has passed"
    assert _login(client, "inspector", PASSWORD).status_code == 429
