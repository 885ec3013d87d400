"""Issue 12 §2–3: trusted time for offline work (backend/clock.py), and one bad item never
fails a batch.

The rule: a time a phone claims counts when it lies within 24 h before the record arrived,
not before the ticket's dispatch (or its previous step), and not before the capture time of
the after-photo that proves it; otherwise the arrival time counts and the record is flagged
for the verifier. A time outside 2000–2100, or later than the server's clock by more than the
tolerance, is refused, item by item.

井盖缺损 (JC04, 3 工作日) dispatched Wed 2026-09-30 16:30 is due Sat 10-10 17:30 (the make-up
working day after National Day; tests/findings/test_rectification_loop.py)."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from PIL import Image

from tests.findings.conftest import real_photo, sha

CST = ZoneInfo("Asia/Shanghai")
def _after() -> bytes:
    return real_photo("orientation_landscape_3.jpg")  # no capture time of its own


def _ticket(api) -> str:  # noqa: ANN001
    body = api.finding("inspector")
    r = api.post_finding("inspector", body)
    assert r.json()["ticket"]["due_at"] == "2026-10-10T17:30:00+08:00"
    return body["id"]


def _event(ticket: dict, kind: str) -> dict:
    return next(e for e in reversed(ticket["events"]) if e["kind"] == kind)


def test_a_rectification_claimed_before_the_due_time_but_arriving_days_later_counts_at_arrival(api, clock):
    ticket = _ticket(api)
    clock.set(2026, 10, 14, 9, 0)  # four days after the due time
    r = api.event("manager_a", ticket, "rectify", photos=[_after()], at="2026-10-09T10:00:00+08:00")
    assert r.status_code == 201, r.text
    t = r.json()["ticket"]
    rectify = _event(t, "rectify")
    assert rectify["at"] == rectify["received_at"] == "2026-10-14T09:00:00+08:00"
    assert rectify["client_at"] == "2026-10-09T10:00:00+08:00"
    assert rectify["time_flag"] == "offline_window"
    assert t["rectified_at"] == "2026-10-14T09:00:00+08:00" and t["overdue"] is True


def test_offline_work_within_the_window_counts_when_it_was_done(api, clock):
    ticket = _ticket(api)
    clock.set(2026, 10, 10, 19, 0)  # arrives after the due time, 9 hours after the work
    r = api.event("manager_a", ticket, "rectify", photos=[_after()], at="2026-10-10T10:00:00+08:00")
    t = r.json()["ticket"]
    rectify = _event(t, "rectify")
    assert rectify["at"] == "2026-10-10T10:00:00+08:00" and rectify["time_flag"] is None
    assert t["overdue"] is False


def test_a_claim_before_the_dispatch_counts_at_arrival(api, clock):
    ticket = _ticket(api)
    clock.set(2026, 9, 30, 17, 0)
    r = api.event("manager_a", ticket, "rectify", photos=[_after()], at="2026-09-30T16:00:00+08:00")
    rectify = _event(r.json()["ticket"], "rectify")
    assert rectify["at"] == "2026-09-30T17:00:00+08:00" and rectify["time_flag"] == "before_dispatch"


def _photo_taken_at(moment: datetime) -> bytes:
    """A real photo, its EXIF capture time set to `moment` (local time, with its offset)."""
    img = Image.open(io.BytesIO(real_photo("orientation_landscape_1.jpg")))
    exif = img.getexif()
    ifd = exif.get_ifd(0x8769)
    ifd[0x9003] = moment.strftime("%Y:%m:%d %H:%M:%S")
    ifd[0x9011] = "+08:00"
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif, quality=80)
    return out.getvalue()


def test_a_rectification_claimed_before_its_own_photo_was_taken_is_retimed(api, clock):
    """The manager's phone says Saturday 10-10 17:00 (in time, 17 hours before it arrived);
    the after-photo was taken Sunday 10-11 08:00: the repair cannot have been done before its
    photo. When the photo arrives the rectification counts from its arrival (a `retimed`
    event in the ticket's history) and the ticket is overdue."""
    ticket = _ticket(api)
    photo = _photo_taken_at(datetime(2026, 10, 11, 8, 0, tzinfo=CST))
    clock.set(2026, 10, 11, 10, 0)
    r = api.event("manager_a", ticket, "rectify", photos=[photo], at="2026-10-10T17:00:00+08:00")
    assert r.json()["ticket"]["rectified_at"] == "2026-10-10T17:00:00+08:00"  # believed, for now
    assert r.json()["ticket"]["overdue"] is False
    assert api.upload("manager_a", ticket, photo).status_code == 200
    t = api.client.get(f"/api/tickets/{ticket}", headers=api.world.headers("inspector")).json()
    retimed = _event(t, "retimed")
    assert retimed["time_flag"] == "before_photo"
    assert retimed["detail"]["photo_taken_at"] == "2026-10-11T08:00:00+08:00"
    assert t["rectified_at"] == "2026-10-11T10:00:00+08:00" and t["overdue"] is True


def test_an_after_photo_taken_before_the_dispatch_is_refused(api, clock):
    ticket = _ticket(api)
    old = real_photo("hdr_iphone_hdr_NO.jpg")  # taken 2015-04-10
    clock.set(2026, 10, 8, 9, 0)
    assert api.event("manager_a", ticket, "rectify", photos=[old]).status_code == 201
    r = api.upload("manager_a", ticket, old)
    assert r.status_code == 422 and r.json()["error"]["code"] == "photo_before_dispatch"
    assert "早于派单时间" in r.json()["error"]["message"]
    held = api.client.get(f"/api/findings/{ticket}/photos", headers=api.world.headers("manager_a"))
    assert sha(old) in held.json()["photos_missing"]


def _sync(api, persona: str, items: list[dict], **headers):  # noqa: ANN001, ANN202
    return api.client.post("/api/sync/findings", json={"findings": items},
                           headers={**api.world.headers(persona), **headers})


def test_one_finding_with_an_impossible_time_never_fails_the_batch(api, clock):
    """Issue 12 §3: year 1 at +14:00 (once a 500 that lost the good items), year 4052, a time
    hours ahead of the server, and a time with no offset: each refused on its own, in Chinese;
    the good items around them are stored."""
    good = [api.finding("inspector") for _ in range(2)]
    bad = [api.finding("inspector", observed_at="0001-01-01T00:00:00+14:00"),
           api.finding("inspector", observed_at="4052-01-01T00:00:00+08:00"),
           api.finding("inspector", observed_at="2026-09-30T23:00:00+08:00"),
           api.finding("inspector", observed_at="2026-09-30T16:00:00")]
    r = _sync(api, "inspector", [good[0], *bad, good[1]])
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["status"] for x in results] == ["created", "invalid", "invalid", "invalid",
                                              "invalid", "created"]
    assert [x["code"] for x in results[1:5]] == ["time_out_of_range", "time_out_of_range",
                                                 "time_in_future", "item_invalid"]
    assert all("\u4e00" <= ch <= "\u9fff" for x in results[1:5] for ch in x["message"][:2])
    for item in good:
        t = api.client.get(f"/api/tickets/{item['id']}", headers=api.world.headers("inspector"))
        assert t.status_code == 200


def test_an_item_without_a_usable_id_refuses_the_request_not_a_500(api):
    r = _sync(api, "inspector", [{"compound_id": "x"}])
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    assert _sync(api, "inspector", "not a list").status_code == 422  # type: ignore[arg-type]


def test_a_phone_clock_in_the_year_9999_is_a_4xx_on_findings_and_events(api, clock):
    ticket = _ticket(api)
    header = {"X-Client-Time": "9999-12-31T23:59:59+00:00"}
    r = _sync(api, "inspector", [api.finding("inspector")], **header)
    assert r.status_code == 422 and r.json()["error"]["code"] == "client_time_invalid"
    r = api.client.post("/api/sync/events", headers={**api.world.headers("manager_a"), **header},
                        json={"events": [{"id": ticket, "ticket_id": ticket, "kind": "rectify"}]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "client_time_invalid"


def test_an_event_with_an_impossible_time_is_refused_in_its_batch_and_the_others_apply(api, clock):
    first, second = _ticket(api), _ticket(api)
    clock.set(2026, 10, 8, 9, 0)
    events = [{"id": str(api_id()), "ticket_id": first, "kind": "rectify",
               "at": "0001-01-01T00:00:00+14:00", "photos": [{"sha256": sha(_after())}]},
              {"id": str(api_id()), "ticket_id": second, "kind": "rectify",
               "photos": [{"sha256": sha(_after())}]}]
    r = api.client.post("/api/sync/events", json={"events": events},
                        headers=api.world.headers("manager_a"))
    assert r.status_code == 200, r.text
    assert [(x["status"], x["code"]) for x in r.json()["results"]] == [
        ("invalid", "time_out_of_range"), ("created", None)]


def api_id():  # noqa: ANN201
    from backend.ids import new_id

    return new_id()


def test_the_verifier_sees_each_photos_capture_time_beside_its_arrival(api, clock):
    """Issue 15 §1: before approving, the verifier reads when each photo was taken and when it
    arrived; an after-photo without a capture time is flagged (it cannot show it was taken
    after the dispatch)."""
    ticket = _ticket(api)
    dated = _photo_taken_at(datetime(2026, 10, 8, 8, 30, tzinfo=CST))
    clock.set(2026, 10, 8, 9, 0)
    assert api.event("manager_a", ticket, "rectify", photos=[dated, _after()]).status_code == 201
    assert api.upload("manager_a", ticket, dated).status_code == 200
    assert api.upload("manager_a", ticket, _after()).status_code == 200
    r = api.client.get(f"/api/findings/{ticket}/photos", headers=api.world.headers("inspector"))
    shown = {p["sha256"]: p for p in r.json()["photos"] if p["kind"] == "after"}
    assert shown[sha(dated)]["taken_at"] == "2026-10-08T08:30:00+08:00"
    assert shown[sha(dated)]["received_at"].startswith("2026-10-08T") and shown[sha(dated)]["check"] is None
    assert shown[sha(_after())]["taken_at"] is None and shown[sha(_after())]["check"] == "no_capture_time"


def test_an_old_photo_declared_again_as_the_repair_is_flagged_to_the_verifier(api, clock):
    """The manager declares, as the after-photo, bytes the server already holds (here the
    finding's own before-photo, taken in 2015): held at once, never uploaded, so never refused
    on upload. The verifier is told it was taken before the dispatch."""
    old = real_photo("hdr_iphone_hdr_NO.jpg")  # taken 2015-04-10
    body = api.finding("inspector", photos=[old])
    assert api.post_finding("inspector", body).status_code == 201
    assert api.upload("inspector", body["id"], old).status_code == 200
    clock.set(2026, 10, 8, 9, 0)
    assert api.event("manager_a", body["id"], "rectify", photos=[old]).status_code == 201
    r = api.client.get(f"/api/findings/{body['id']}/photos", headers=api.world.headers("inspector"))
    [after] = [p for p in r.json()["photos"] if p["kind"] == "after"]
    assert after["check"] == "taken_before_dispatch" and after["taken_at"].startswith("2015-04-10")
    [before] = [p for p in r.json()["photos"] if p["kind"] == "before"]
    assert before["check"] is None
