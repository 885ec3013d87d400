"""Issue 5 bad input: each a clear 4xx in the common shape, and nothing stored half-way."""

from __future__ import annotations

import io

from PIL import Image
from sqlmodel import func, select

from backend.findings.models import Finding, PhotoRef, Ticket, TicketEvent
from backend.photos.models import Photo
from tests.findings.conftest import real_photo, sha


def _counts(db) -> tuple[int, ...]:  # noqa: ANN001
    return tuple(db.exec(select(func.count()).select_from(t)).one()
                 for t in (Finding, Ticket, TicketEvent, PhotoRef, Photo))


def _declared(api, data: bytes) -> str:  # noqa: ANN001
    body = api.finding("inspector", photos=[data])
    assert api.post_finding("inspector", body).status_code == 201
    return body["id"]


def test_a_text_file_named_jpg_is_refused(api, db):
    text = "这不是图片 not an image\n".encode() * 50
    finding_id = _declared(api, text)
    before = _counts(db)
    r = api.upload("inspector", finding_id, text, "photo.jpg")
    assert r.status_code == 422 and r.json()["error"]["code"] == "not_an_image"
    assert _counts(db) == before


def test_a_20000_by_20000_png_is_refused_before_decoding(api, db, tmp_path):
    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, "PNG")
    bomb = buffer.getvalue()
    finding_id = _declared(api, bomb)
    before = _counts(db)
    r = api.upload("inspector", finding_id, bomb, "bomb.png")
    assert r.status_code == 413 and r.json()["error"]["code"] == "image_too_large"
    assert _counts(db) == before


def test_a_truncated_jpeg_is_refused(api, db):
    whole = real_photo("gps_DSCN0010.jpg")
    cut = whole[: len(whole) // 2]
    finding_id = _declared(api, cut)
    r = api.upload("inspector", finding_id, cut)
    assert r.status_code == 422 and r.json()["error"]["code"] == "image_truncated"
    assert db.get(Photo, sha(cut)) is None


def test_an_upload_broken_off_halfway_then_retried_stores_one_photo(api, db):
    """The phone's connection drops mid-upload: the server receives half the bytes. They do not
    match the declared SHA-256, so nothing is stored; the retry stores the photo once, and a
    third send changes nothing."""
    whole = real_photo("gps_DSCN0010.jpg")
    body = api.finding("inspector", photos=[whole])
    api.post_finding("inspector", body)
    r = api.upload("inspector", body["id"], whole[: len(whole) // 2])
    assert r.status_code == 422 and r.json()["error"]["code"] == "photo_not_declared"
    assert db.exec(select(func.count()).select_from(Photo)).one() == 0
    assert api.upload("inspector", body["id"], whole).json()["complete"] is True
    assert api.upload("inspector", body["id"], whole).status_code == 200
    assert db.exec(select(func.count()).select_from(Photo)).one() == 1


def test_a_finding_for_a_compound_out_of_scope_is_refused(api, client, world, db):
    body = api.finding("inspector", compound="west_b")
    r = api.post_finding("inspector", body)
    assert r.status_code == 404 and r.json()["error"]["code"] == "compound_not_found"
    batch = client.post("/api/sync/findings", json={"findings": [body]},
                        headers=world.headers("inspector")).json()
    assert batch["results"][0]["status"] == "invalid"
    assert _counts(db)[:3] == (0, 0, 0)


def test_a_property_manager_may_not_log_findings(api, db):
    r = api.post_finding("manager_a", api.finding("manager_a"))
    assert r.status_code == 403 and r.json()["error"]["code"] == "role_not_allowed"
    assert _counts(db)[0] == 0


def test_a_transition_by_the_wrong_role_is_a_403(api):
    photo = real_photo("orientation_landscape_2.jpg")
    body = api.finding("inspector")
    api.post_finding("inspector", body)
    r = api.event("inspector", body["id"], "rectify", photos=[photo])
    assert r.status_code == 403 and r.json()["error"]["code"] == "role_not_allowed"
    r = api.event("manager_a", body["id"], "cancel", note="不想整改")
    assert r.status_code == 403
    r = api.event("manager_b", body["id"], "rectify", photos=[photo])
    assert r.status_code == 404  # another company's ticket does not exist for them


def test_rectify_without_an_after_photo_and_reject_without_reason_are_refused(api):
    photo = real_photo("orientation_landscape_3.jpg")
    body = api.finding("inspector")
    api.post_finding("inspector", body)
    r = api.event("manager_a", body["id"], "rectify")
    assert r.status_code == 422 and r.json()["error"]["code"] == "after_photo_required"
    api.event("manager_a", body["id"], "rectify", photos=[photo])
    r = api.event("inspector", body["id"], "reject", note="  ")
    assert r.status_code == 422 and r.json()["error"]["code"] == "reason_required"


def test_an_unknown_catalog_code_is_refused(api, db):
    r = api.post_finding("inspector", api.finding("inspector", code="ZZ99"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "catalog_code_unknown"
    assert "ZZ99" in r.json()["error"]["message"]
    assert _counts(db)[0] == 0


def test_other_problem_without_saying_what_it_is_is_refused(api, db):
    for description in ("", "  ", "其他问题"):  # the phone fills in the type's name when left blank
        r = api.post_finding("inspector", api.finding("inspector", code="QT01", description=description))
        assert r.status_code == 422 and r.json()["error"]["code"] == "catch_all_needs_description"
        assert r.json()["error"]["message"] == "选择“其他问题”时请写明是什么问题"
    assert _counts(db)[0] == 0


def test_other_problem_with_its_description_is_dispatched_with_the_local_deadline(api, client, world, clock):
    """Dispatched Wednesday 30 Sep 2026 16:30: three work days, as a 井盖缺损's, run over the
    National Day holiday to the make-up working Saturday, 10 October."""
    other, manhole = (api.finding("inspector", code="QT01", description="单元门禁对讲机损坏"),
                      api.finding("inspector", code="JC04"))
    due = []
    for body in (other, manhole):
        assert api.post_finding("inspector", body).status_code == 201
        ticket = client.get(f"/api/tickets/{body['id']}", headers=world.headers("inspector")).json()
        assert (ticket["deadline_amount"], ticket["deadline_unit"]) == ("3.00", "工作日")
        due.append(ticket["due_at"])
    assert due == ["2026-10-10T17:30:00+08:00"] * 2


def test_malformed_json_is_a_400(client, world, db):
    for path in ("/api/findings", "/api/sync/findings", "/api/sync/events"):
        r = client.post(path, content=b'{"findings": [', headers={
            **world.headers("inspector"), "Content-Type": "application/json"})
        assert r.status_code == 400 and r.json()["error"]["code"] == "malformed_json", path
    assert _counts(db)[0] == 0


def test_a_bad_item_in_a_batch_does_not_block_the_others(api, client, world, db):
    good = api.finding("inspector")
    bad = api.finding("inspector", code="ZZ99")
    results = client.post("/api/sync/findings", json={"findings": [bad, good]},
                          headers=world.headers("inspector")).json()["results"]
    assert [r["status"] for r in results] == ["invalid", "created"]
    assert _counts(db)[:2] == (1, 1)


def test_a_naive_time_is_refused(api):
    r = api.post_finding("inspector", api.finding("inspector", observed_at="2026-09-30T16:20:00"))
    assert r.status_code == 422
