"""Issue 14 §8: the same problem found twice. At capture the phone offers to add the photos to
the open finding (a `supplement` event: 同一问题，补充照片); afterwards a supervisor can merge two
findings as duplicates (audited), and they then cost points once (seed 002 §四(一): 每个问题扣1分)."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import select

from backend.audit.models import AuditEvent
from tests.findings.conftest import real_photo, sha

PHOTO = "orientation_landscape_1.jpg"


def test_a_second_finder_adds_photos_to_the_open_finding_without_moving_its_state(
        api, clock, shared_photos):
    first = api.finding("inspector", photos=[])
    assert api.post_finding("inspector", first).status_code == 201
    data = real_photo(PHOTO)
    r = api.event("grid_worker", first["id"], "supplement", photos=[data], note="同一处，补拍")
    assert r.status_code == 201, r.text
    assert r.json()["ticket"]["state"] == "open"
    assert api.upload("grid_worker", first["id"], data).status_code == 200
    ticket = api.client.get(f"/api/tickets/{first['id']}",
                            headers=api.world.headers("supervisor")).json()
    assert sha(data) in ticket["finding"]["before_photos"]  # evidence of the problem, not a repair
    assert [e["kind"] for e in ticket["events"]] == ["dispatch", "supplement"]


def test_a_supplement_needs_a_photo_and_a_manager_cannot_add_one(api, clock):
    first = api.finding("inspector")
    api.post_finding("inspector", first)
    r = api.event("inspector", first["id"], "supplement")
    assert r.status_code == 422 and r.json()["error"]["code"] == "photo_required"
    assert "补充照片需要至少一张照片" in r.json()["error"]["message"]
    r = api.event("manager_a", first["id"], "supplement", photos=[b"\xff\xd8x"])
    assert r.status_code == 403


def test_a_phone_cannot_send_a_merge_event(api, clock):
    first = api.finding("inspector")
    api.post_finding("inspector", first)
    r = api.event("supervisor", first["id"], "merge", note="重复")
    assert r.status_code == 422 and r.json()["error"]["code"] == "event_kind_invalid"


def test_merged_duplicates_cost_points_once_and_the_merge_is_audited(api, clock, db):
    a, b = api.finding("inspector"), api.finding("grid_worker")
    for persona, body in (("inspector", a), ("grid_worker", b)):
        assert api.post_finding(persona, body).status_code == 201
    headers = api.world.headers("supervisor")
    before = api.client.get("/api/reports/2026-09", headers=headers).json()
    row = next(c for c in before["compounds"] if c["name"] == "东苑")
    assert sum(row["finding_counts"].values()) == 2
    r = api.client.post(f"/api/tickets/{b['id']}/merge", json={"into": a["id"]}, headers=headers)
    assert r.status_code == 200, r.text
    merged = r.json()
    assert merged["state"] == "cancelled" and merged["finding"]["duplicate_of_id"] == a["id"]
    assert merged["events"][-1]["kind"] == "merge"
    after = api.client.get("/api/reports/2026-09", headers=headers).json()
    row = next(c for c in after["compounds"] if c["name"] == "东苑")
    assert sum(row["finding_counts"].values()) == 1
    assert Decimal(row["parts"]["L"]) == Decimal(
        next(c for c in before["compounds"] if c["name"] == "东苑")["parts"]["L"]) + 1
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "ticket.merge")).one()


def test_a_merge_into_another_compound_or_by_an_inspector_is_refused(api, clock):
    a, other = api.finding("inspector"), api.finding("inspector", compound="east_b")
    for body in (a, other):
        api.post_finding("inspector", body)
    r = api.client.post(f"/api/tickets/{a['id']}/merge", json={"into": other["id"]},
                        headers=api.world.headers("supervisor"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "merge_target_invalid"
    assert "同一小区" in r.json()["error"]["message"]
    second = api.finding("inspector")
    api.post_finding("inspector", second)
    r = api.client.post(f"/api/tickets/{second['id']}/merge", json={"into": a["id"]},
                        headers=api.world.headers("inspector"))
    assert r.status_code == 403
