"""Issue 5: log → dispatch with the correct due time → reject → rectify → close, with real
JPEG and HEIC photos, and the overdue rule (seed 002 §四(一): 未按要求及时整改到位的双倍扣分)."""

from __future__ import annotations

from uuid import UUID

from sqlmodel import func, select

from backend.findings.models import Finding, Ticket, TicketEvent
from backend.findings.tickets import fold
from backend.photos.models import Photo
from tests.findings.conftest import real_photo, sha


def test_full_loop_log_dispatch_reject_rectify_close(api, clock, db):
    """井盖缺损 (JC04) has a deadline of 3 工作日. Dispatched on 2026-09-30 16:30, the day before
    National Day: the dispatch day does not count (民法典 第201条); 10-01..10-07 are holidays;
    the 3 following working days are Thu 10-08, Fri 10-09 and the make-up Saturday 10-10, so
    the ticket is due at the close of business on 2026-10-10, 17:30."""
    # The iPhone HEIC shows the problem; the after-photo carries no capture time (an after-photo
    # taken before the dispatch would be refused: test_photo_evidence_rules.py).
    before = real_photo("mobile_iphone_13_pro_max.HEIC")
    after = real_photo("orientation_landscape_2.jpg")
    body = api.finding("inspector", photos=[before])
    r = api.post_finding("inspector", body)
    assert r.status_code == 201, r.text
    result = r.json()
    assert result["status"] == "created"
    assert result["complete"] is False and result["photos_missing"] == [sha(before)]
    ticket = result["ticket"]
    assert ticket["due_at"] == "2026-10-10T17:30:00+08:00"
    assert ticket["state"] == "open" and ticket["due_provisional"] is False

    r = api.upload("inspector", body["id"], before, "before.heic")
    assert r.status_code == 200, r.text
    assert r.json()["complete"] is True and r.json()["photos_held"] == [sha(before)]

    clock.set(2026, 10, 9, 10, 0)
    r = api.event("manager_a", body["id"], "rectify", photos=[after], note="已更换雨水箅子")
    assert r.status_code == 201, r.text
    assert r.json()["ticket"]["state"] == "rectified"
    assert api.upload("manager_a", body["id"], after, "after.jpg").status_code == 200

    clock.set(2026, 10, 9, 15, 0)
    r = api.event("inspector", body["id"], "reject", note="箅子型号不符")
    assert r.json()["ticket"]["state"] == "open"
    # the original due time keeps running
    assert r.json()["ticket"]["due_at"] == "2026-10-10T17:30:00+08:00"

    clock.set(2026, 10, 12, 9, 0)  # Monday, after the due time
    r = api.event("manager_a", body["id"], "rectify", photos=[after], note="已重新更换")
    assert r.json()["ticket"]["overdue"] is True
    clock.set(2026, 10, 12, 14, 0)
    r = api.event("grid_worker", body["id"], "close")
    assert r.status_code == 201, r.text
    final = r.json()["ticket"]
    assert final["state"] == "closed" and final["overdue"] is True
    assert [e["kind"] for e in final["events"]] == ["dispatch", "rectify", "reject", "rectify", "close"]

    stored = db.get(Ticket, UUID(body["id"]))
    events = db.exec(select(TicketEvent).where(TicketEvent.ticket_id == stored.id)
                     .order_by(TicketEvent.seq)).all()
    projection = fold((e.kind, e.at) for e in events)
    assert (projection.state, projection.closed_at) == (stored.state, stored.closed_at)
    assert stored.overdue_at_close is True
    assert db.get(Photo, sha(before)).format == "heic"


def test_rectified_in_time_is_not_overdue_even_if_verified_late(api, clock):
    """The company is judged by when it rectified, not by when a verifier came round."""
    photo = real_photo("orientation_landscape_1.jpg")
    body = api.finding("inspector", code="HJ01")  # 清扫保洁不干净: 2 工作时
    ticket = api.post_finding("inspector", body).json()["ticket"]
    clock.set(2026, 9, 30, 17, 0)
    api.event("manager_a", body["id"], "rectify", photos=[photo])
    clock.set(2026, 10, 8, 9, 0)
    closed = api.event("supervisor", body["id"], "close").json()["ticket"]
    assert closed["state"] == "closed" and closed["overdue"] is False
    assert ticket["due_at"] < "2026-10-08"


def test_a_ticket_still_open_after_its_due_time_is_overdue(api, clock, client, world):
    body = api.finding("inspector", code="HJ01")
    api.post_finding("inspector", body)
    clock.set(2026, 10, 8, 12, 0)
    listed = client.get("/api/tickets", params={"overdue": True},
                        headers=world.headers("supervisor")).json()
    assert [t["id"] for t in listed["items"]] == [body["id"]]
    assert listed["items"][0]["overdue"] is True and listed["items"][0]["work_seconds_left"] < 0


def test_the_same_create_sent_three_times_stores_one_finding(api, client, world, db):
    body = api.finding("inspector")
    statuses = [api.post_finding("inspector", body).status_code for _ in range(2)]
    batch = client.post("/api/sync/findings", json={"findings": [body]},
                        headers=world.headers("inspector")).json()
    assert statuses == [201, 200] and batch["results"][0]["status"] == "duplicate"
    assert db.exec(select(func.count()).select_from(Finding)).one() == 1
    assert db.exec(select(func.count()).select_from(TicketEvent)).one() == 1


def test_a_reused_uuid_with_other_content_is_a_409_not_an_overwrite(api, db):
    body = api.finding("inspector")
    api.post_finding("inspector", body)
    r = api.post_finding("inspector", {**body, "description": "另一处问题"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "uuid_reused"
    assert db.get(Finding, UUID(body["id"])).description == "3号楼东侧雨水箅子缺失"


def test_the_same_transition_sent_twice_is_applied_once(api, db):
    photo = real_photo("orientation_portrait_1.jpg")
    body = api.finding("inspector")
    api.post_finding("inspector", body)
    event_id = "01900000-0000-7000-8000-000000000001"
    first = api.event("manager_a", body["id"], "rectify", photos=[photo], event_id=event_id)
    again = api.event("manager_a", body["id"], "rectify", photos=[photo], event_id=event_id)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["status"] == "duplicate"
    assert db.exec(select(func.count()).select_from(TicketEvent)).one() == 2  # dispatch + rectify


def test_conflict_rule_a_ticket_cancelled_on_the_server_refuses_an_offline_rectify(api, clock):
    """The server is the authority and the first valid transition wins: the manager's
    rectification, made offline after a supervisor cancelled the ticket, is refused with the
    current ticket so the phone can show why."""
    photo = real_photo("orientation_portrait_2.jpg")
    body = api.finding("inspector")
    api.post_finding("inspector", body)
    assert api.event("supervisor", body["id"], "cancel", note="重复登记").status_code == 201
    r = api.event("manager_a", body["id"], "rectify", photos=[photo])
    assert r.status_code == 409
    error = r.json()["error"]
    assert error["code"] == "ticket_state_conflict" and error["detail"]["state"] == "cancelled"


def test_the_phone_clock_may_be_wrong_both_times_are_kept_and_skew_flagged(api, clock, db):
    """The phone's clock runs 2 hours slow: it says it observed at 14:20 and sends at 14:30
    while the server reads 16:30. The observation is corrected to 16:20."""
    body = api.finding("inspector", observed_at="2026-09-30T14:20:00+08:00")
    r = api.post_finding("inspector", body, **{"X-Client-Time": "2026-09-30T14:30:00+08:00"})
    assert r.status_code == 201
    finding = db.get(Finding, UUID(body["id"]))
    assert finding.clock_skew_seconds == 7200
    assert finding.observed_at.astimezone(clock.now.tzinfo).strftime("%H:%M") == "16:20"
    assert finding.client_observed_at.astimezone(clock.now.tzinfo).strftime("%H:%M") == "14:20"
