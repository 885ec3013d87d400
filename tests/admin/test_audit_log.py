"""Issue 16 §5: the audit log, filterable by actor, kind, unit and date and exportable, and
every admin endpoint refused (403) to every other role."""

from __future__ import annotations

import csv
import io
import typing
import uuid
from datetime import date

import pytest
from fastapi.routing import APIRoute

from backend.auth.dependencies import AdminUser
from backend.main import create_app


def test_the_log_shows_who_did_what_filtered_by_actor_kind_unit_and_date(client, world):
    admin = world.headers("admin")
    client.patch(f"/api/compounds/{world.compounds['west_b'].id}", headers=admin,
                 json={"households": 640})
    client.patch(f"/api/users/{world.users['inspector'].id}", headers=admin,
                 json={"display_name": "东街道考核员"})
    mine = {"actor_id": str(world.users["admin"].id)}  # the personas were set up by no one
    page = client.get("/api/audit", headers=admin, params=mine).json()
    assert page["total"] == 2 and page["items"][0]["action"] == "user.update", "newest first"
    assert page["items"][0]["actor_name"] == "admin"
    assert page["items"][1]["action_label"] == "修改小区"
    assert page["items"][0]["object_name"] == "东街道考核员" and page["items"][0]["object_label"] == "用户"
    by_kind = client.get("/api/audit", headers=admin, params=mine | {"action": "compound"}).json()
    assert [e["object_id"] for e in by_kind["items"]] == [str(world.compounds["west_b"].id)]
    by_unit = client.get("/api/audit", headers=admin,
                         params=mine | {"unit_id": str(world.units["east"].id)}).json()
    assert [e["action"] for e in by_unit["items"]] == ["user.update"], \
        "the inspector is scoped to 东街道; 西苑 lies in 西镇"
    by_actor = client.get("/api/audit", headers=admin,
                          params={"actor_id": str(world.users["supervisor"].id)}).json()
    assert by_actor["total"] == 0
    today = date.today().isoformat()
    assert client.get("/api/audit", headers=admin,
                      params={"since": "2020-01-01", "until": "2020-12-31"}).json()["total"] == 0
    assert client.get("/api/audit", headers=admin,
                      params=mine | {"since": today}).json()["total"] == 2
    exported = client.get("/api/audit/export", headers=admin,
                          params=mine | {"action": "compound"})
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == ["时间", "操作人", "操作", "对象类型", "对象", "对象编号", "详情"]
    assert len(rows) == 2 and rows[1][2:5] == ["修改小区", "小区", "西苑"] and "640" in rows[1][6]


def _admin_routes() -> list[tuple[str, str]]:
    """Every route guarded by the admin role, found in the application itself, so a new
    admin endpoint is in this matrix without anyone adding it."""
    guard = typing.get_args(AdminUser)[1].dependency

    def guarded(dependant) -> bool:  # noqa: ANN001
        return any(d.call is guard or guarded(d) for d in dependant.dependencies)

    routes = [inner for entry in create_app().routes  # FastAPI ≥ 0.120 keeps routers whole
              for inner in getattr(getattr(entry, "original_router", None), "routes", [entry])]
    return sorted((method, route.path) for route in routes
                  if isinstance(route, APIRoute) and guarded(route.dependant)
                  for method in route.methods)


ADMIN_ROUTES = _admin_routes()


def test_the_matrix_holds_every_admin_screen():
    paths = {path for _, path in ADMIN_ROUTES}
    for path in ("/api/users", "/api/users/{user_id}/reset-password", "/api/organisation/tree",
                 "/api/import/organisation", "/api/export/organisation", "/api/audit",
                 "/api/audit/export", "/api/units", "/api/calendar/recompute",
                 "/api/notify/channels", "/api/notify/deliveries", "/api/notify/rules"):
        assert path in paths, path


@pytest.mark.parametrize("persona", ["supervisor", "inspector", "grid_worker", "manager_a"])
def test_every_admin_endpoint_refuses_every_other_role(client, world, persona):
    ids = {"user_id": world.users["inspector"].id, "unit_id": world.units["east"].id,
           "company_id": world.companies["a"].id, "compound_id": world.compounds["east_a"].id,
           "channel_id": uuid.uuid4(), "delivery_id": uuid.uuid4()}
    for method, path in ADMIN_ROUTES:
        url = path.format(**{k: v for k, v in ids.items() if "{" + k + "}" in path})
        r = client.request(method, url, headers=world.headers(persona), json={})
        assert r.status_code == 403, (persona, method, url, r.status_code, r.text[:200])


def test_every_action_the_code_records_reads_in_chinese_in_the_log():
    """The log shows an action and its object by their Chinese labels, or by their code when
    a label is missing (an admin saw `hotline.import` / `hotline_import`): every `record(...)`
    call's action and object type has a label."""
    import re
    from pathlib import Path

    from backend.audit.models import ACTION_LABELS, OBJECT_LABELS

    source = "\n".join(p.read_text(encoding="utf-8")
                       for p in (Path(__file__).parents[2] / "backend").rglob("*.py"))
    actions = set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', source))
    objects = set(re.findall(r'object_type="([a-z_]+)"', source))
    assert "hotline.import" in actions and "hotline_import" in objects  # the scan finds them
    assert sorted(actions - ACTION_LABELS.keys()) == []
    assert sorted(objects - OBJECT_LABELS.keys()) == []
