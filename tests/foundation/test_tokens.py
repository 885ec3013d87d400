"""Issue 2 §6: argon2id passwords, revocable hashed tokens with expiry, login rate limits."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from backend.auth.models import AuthToken, LoginFailure, User
from backend.auth.passwords import token_digest
from backend.dbtypes import utcnow
from tests.personas import PASSWORD


def test_passwords_are_stored_as_argon2id(world, db):
    user = db.exec(select(User).where(User.username == "inspector")).one()
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_only_the_token_digest_is_stored(world, db):
    token = world.tokens["inspector"]
    rows = db.exec(select(AuthToken).where(AuthToken.token_hash == token_digest(token))).all()
    assert len(rows) == 1
    assert not db.exec(select(AuthToken).where(AuthToken.token_hash == token)).first()


def test_a_login_lasts_weeks(world, db):
    row = db.exec(select(AuthToken).where(
        AuthToken.token_hash == token_digest(world.tokens["manager_a"]))).one()
    assert row.expires_at - row.created_at >= timedelta(days=28)


def test_logout_revokes_at_once(world, client):
    headers = world.headers("inspector")
    assert client.get("/api/auth/me", headers=headers).status_code == 200
    assert client.post("/api/auth/logout", headers=headers).status_code == 204
    r = client.get("/api/auth/me", headers=headers)
    assert r.status_code == 401 and r.json()["error"]["code"] == "token_invalid"


def test_admin_revocation_works_at_once(world, client):
    target = world.users["grid_worker"]
    r = client.post(f"/api/users/{target.id}/revoke-tokens", headers=world.headers("admin"))
    assert r.status_code == 200 and r.json()["revoked"] == 1
    assert client.get("/api/auth/me", headers=world.headers("grid_worker")).status_code == 401
    assert client.get("/api/auth/me", headers=world.headers("inspector")).status_code == 200


def test_a_user_revokes_a_lost_phone_but_not_someone_elses_login(world, client):
    mine = client.get("/api/auth/tokens", headers=world.headers("manager_a")).json()
    theirs = client.get("/api/auth/tokens", headers=world.headers("manager_b")).json()
    assert client.delete(f"/api/tokens/{theirs[0]['id']}",
                         headers=world.headers("manager_a")).status_code == 404
    assert client.delete(f"/api/tokens/{mine[0]['id']}",
                         headers=world.headers("manager_a")).status_code == 204
    assert client.get("/api/auth/me", headers=world.headers("manager_a")).status_code == 401
    assert client.get("/api/auth/me", headers=world.headers("manager_b")).status_code == 200


def test_an_expired_token_is_refused(world, client, db):
    row = db.exec(select(AuthToken).where(
        AuthToken.token_hash == token_digest(world.tokens["supervisor"]))).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.add(row)
    db.commit()
    r = client.get("/api/auth/me", headers=world.headers("supervisor"))
    assert r.status_code == 401 and r.json()["error"]["code"] == "token_expired"


def test_use_slides_the_expiry_forward(world, client, db):
    row = db.exec(select(AuthToken).where(
        AuthToken.token_hash == token_digest(world.tokens["supervisor"]))).one()
    row.last_used_at = utcnow() - timedelta(days=10)
    row.expires_at = utcnow() + timedelta(days=20)
    db.add(row)
    db.commit()
    assert client.get("/api/auth/me", headers=world.headers("supervisor")).status_code == 200
    db.refresh(row)
    assert row.expires_at > utcnow() + timedelta(days=29)


def test_a_new_password_or_deactivation_revokes_every_login(world, client):
    admin = world.headers("admin")
    manager = world.users["manager_b"]
    r = client.patch(f"/api/users/{manager.id}", json={"password": "another-secret-7"}, headers=admin)
    assert r.status_code == 200
    assert client.get("/api/auth/me", headers=world.headers("manager_b")).status_code == 401
    assert client.post("/api/auth/login", json={"username": "manager_b",
                                                "password": "another-secret-7"}).status_code == 200
    client.patch(f"/api/users/{world.users['inspector'].id}", json={"is_active": False}, headers=admin)
    assert client.get("/api/auth/me", headers=world.headers("inspector")).status_code == 401
    r = client.post("/api/auth/login", json={"username": "inspector", "password": PASSWORD})
    assert r.status_code == 401


def test_wrong_password_and_unknown_user_get_the_same_answer(world, client):
    a = client.post("/api/auth/login", json={"username": "inspector", "password": "nope"})
    b = client.post("/api/auth/login", json={"username": "nobody", "password": "nope"})
    assert a.status_code == b.status_code == 401
    assert a.json() == b.json()


def test_failed_logins_are_limited_per_account(world, client, db):
    for _ in range(5):
        assert client.post("/api/auth/login", json={"username": "manager_a",
                                                    "password": "guess"}).status_code == 401
    r = client.post("/api/auth/login", json={"username": "manager_a", "password": PASSWORD})
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "login_throttled" and "Retry-After" in r.headers
    # other accounts from elsewhere are unaffected
    assert db.exec(select(LoginFailure).where(LoginFailure.account == "manager_a")).all()


def test_failed_logins_are_limited_per_address(world, client, db):
    from backend.config import get_settings

    limit = get_settings().login_max_failures_per_address
    for i in range(limit):
        client.post("/api/auth/login", json={"username": f"spray{i}", "password": "guess"})
    r = client.post("/api/auth/login", json={"username": "supervisor", "password": PASSWORD})
    assert r.status_code == 429


def test_a_successful_login_clears_the_account_failures(world, client):
    for _ in range(4):
        client.post("/api/auth/login", json={"username": "manager_b", "password": "guess"})
    assert client.post("/api/auth/login", json={"username": "manager_b",
                                                "password": PASSWORD}).status_code == 200
    for _ in range(4):
        client.post("/api/auth/login", json={"username": "manager_b", "password": "guess"})
    assert client.post("/api/auth/login", json={"username": "manager_b",
                                                "password": PASSWORD}).status_code == 200


def test_scope_must_fit_the_role(world, client):
    admin = world.headers("admin")
    base = {"display_name": "新人", "password": "long-enough-1"}
    cases = [
        ({"username": "g1", "role": "grid_worker", "unit_ids": [str(world.units["east"].id)]},
         "scope_level_invalid"),
        ({"username": "m1", "role": "property_manager"}, "company_required"),
        ({"username": "i1", "role": "inspector"}, "scope_required"),
    ]
    for body, code in cases:
        r = client.post("/api/users", json=base | body, headers=admin)
        assert r.status_code == 422 and r.json()["error"]["code"] == code, r.text
    r = client.post("/api/users", json=base | {"username": "inspector", "role": "admin"}, headers=admin)
    assert r.status_code == 409
