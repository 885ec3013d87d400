"""Issue 12 §6: every admin change is audited, and an admin can neither deactivate themself
nor the last admin. (Period freeze and reopen, and due-time recomputation, are audited by
their own tests: tests/reports, tests/findings/test_provisional_recompute.py.)"""

from __future__ import annotations

from sqlmodel import select

from backend.audit.models import AuditEvent
from backend.ids import new_id


def _audit(db, action: str) -> list[AuditEvent]:  # noqa: ANN001
    """The audit entries of `action` made through the API (the personas were set up without)."""
    db.expire_all()
    return list(db.exec(select(AuditEvent).where(AuditEvent.action == action,
                                                 AuditEvent.actor_id.is_not(None))))


def test_user_create_role_and_scope_change_password_reset_and_deactivation_are_audited(
        client, world, db):
    admin = world.headers("admin")
    r = client.post("/api/users", headers=admin, json={
        "username": "zhao", "display_name": "赵考核", "role": "inspector",
        "password": "long-enough-1", "unit_ids": [str(world.units["east"].id)]})
    assert r.status_code == 201, r.text
    user_id = r.json()["id"]
    [created] = _audit(db, "user.create")
    assert created.object_id == user_id and created.detail["role"] == "inspector"
    assert created.actor_id == world.users["admin"].id

    r = client.patch(f"/api/users/{user_id}", headers=admin, json={
        "role": "supervisor", "unit_ids": [str(world.units["district"].id)]})
    assert r.status_code == 200, r.text
    [changed] = _audit(db, "user.update")
    assert changed.detail["role"] == "supervisor"
    assert changed.detail["unit_ids"] == [str(world.units["district"].id)]

    client.patch(f"/api/users/{user_id}", headers=admin, json={"password": "another-pass-2"})
    assert [e.object_id for e in _audit(db, "user.password_reset")] == [user_id]
    client.patch(f"/api/users/{user_id}", headers=admin, json={"is_active": False})
    assert [e.object_id for e in _audit(db, "user.deactivate")] == [user_id]


def test_an_admin_cannot_deactivate_themself_nor_the_last_admin(client, world):
    admin = world.headers("admin")
    me = world.users["admin"].id
    r = client.patch(f"/api/users/{me}", headers=admin, json={"is_active": False})
    assert r.status_code == 409 and r.json()["error"]["code"] == "self_protected"
    r = client.patch(f"/api/users/{me}", headers=admin, json={"role": "supervisor"})
    assert r.status_code == 409
    second = client.post("/api/users", headers=admin, json={
        "username": "admin2", "display_name": "第二管理员", "role": "admin",
        "password": "long-enough-1"}).json()
    token = client.post("/api/auth/login", json={"username": "admin2",
                                                 "password": "long-enough-1"}).json()
    other = {"Authorization": f"Bearer {token['access_token']}"}
    # two admins: one may deactivate the other, who then cannot deactivate the last one
    assert client.patch(f"/api/users/{second['id']}", headers=admin,
                        json={"is_active": False}).status_code == 200
    assert client.patch(f"/api/users/{me}", headers=other,
                        json={"is_active": False}).status_code == 401  # logged out at once


def test_organisation_edits_are_audited_and_refuse_blanks_and_duplicates(client, world, db):
    admin = world.headers("admin")
    east_a, east_b = world.compounds["east_a"], world.compounds["east_b"]
    assert client.patch(f"/api/compounds/{east_a.id}", headers=admin,
                        json={"households": 650}).status_code == 200
    [edit] = _audit(db, "compound.update")
    assert edit.object_id == str(east_a.id) and edit.detail == {"households": "650"}
    for path, body in ((f"/api/compounds/{east_a.id}", {"name": None}),
                       (f"/api/companies/{world.companies['a'].id}", {"name": None}),
                       (f"/api/units/{world.units['east'].id}", {"name": None})):
        r = client.patch(path, headers=admin, json=body)
        assert r.status_code == 422 and r.json()["error"]["code"] == "field_required", path
    for path, body, code in ((f"/api/compounds/{east_a.id}", {"name": east_b.name}, "compound_exists"),
                             (f"/api/companies/{world.companies['a'].id}",
                              {"name": world.companies["b"].name}, "company_exists"),
                             (f"/api/units/{world.units['east'].id}", {"name": "西镇"}, "unit_exists")):
        r = client.patch(path, headers=admin, json=body)
        assert r.status_code == 409 and r.json()["error"]["code"] == code, path
    r = client.post("/api/companies", headers=admin, json={"name": "丙物业服务有限公司"})
    assert r.status_code == 201
    assert [e.object_id for e in _audit(db, "company.create")] == [r.json()["id"]]
    r = client.post("/api/units", headers=admin, json={
        "name": "东二社区", "level": "community", "parent_id": str(world.units["east"].id)})
    assert [e.object_id for e in _audit(db, "unit.create")] == [r.json()["id"]]
    client.patch(f"/api/units/{r.json()['id']}", headers=admin, json={"code": "E02"})
    assert [e.detail for e in _audit(db, "unit.update")] == [{"code": "E02"}]


def test_freezing_and_reopening_a_period_are_audited(client, world, db):
    supervisor = world.headers("supervisor")
    body = {"id": str(new_id()), "compound_id": str(world.compounds["east_a"].id),
            "rubric_id": "P", "period_start": "2026-09-01", "period_end": "2026-09-30"}
    client.post("/api/inspections", json=body, headers=supervisor)
    client.post(f"/api/inspections/{body['id']}/submit", headers=supervisor,
                json={"observations": {}})
    params = {"unit_id": str(world.units["east"].id)}
    assert client.post("/api/reports/2026-09/freeze", params=params,
                       headers=supervisor).status_code == 200
    assert client.post("/api/reports/2026-09/reopen", params=params, headers=supervisor,
                       json={"reason": "补录一条巡查问题"}).status_code == 200
    assert len(_audit(db, "period.freeze")) == 1
    [reopened] = _audit(db, "period.reopen")
    assert reopened.detail["reason"] == "补录一条巡查问题"
