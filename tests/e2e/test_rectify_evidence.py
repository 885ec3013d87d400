"""Issue 15 §1: the phone's gallery picker says, before anything is queued, that an after-photo
taken before the dispatch cannot show the repair (the server would refuse it); a photo
without a capture time is left to the verifier."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import PHOTOS
from tests.e2e.flows import SCREENSHOTS, all_sent, login, outbox, seed_ticket, wait_for_cache, wait_outbox

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("shared_photos")]


def test_a_manager_is_told_at_once_that_an_old_gallery_photo_cannot_show_the_repair(server, browser):
    ticket_id = seed_ticket(server, "锦绣花园", PHOTOS / "orientation_landscape_1.jpg", "2号楼井盖松动")
    page = browser.page()
    login(page, server.url, "manager")
    wait_for_cache(page, "tickets")
    page.goto(server.url + f"/#/ticket/{ticket_id}")
    page.get_by_role("link", name="整改并拍照").click()
    # hdr_iphone_hdr_NO.jpg: EXIF DateTimeOriginal 2015-04-10, years before this dispatch
    page.locator("[data-testid=photo-gallery]").set_input_files(str(PHOTOS / "hdr_iphone_hdr_NO.jpg"))
    warning = page.get_by_test_id("photo-before-dispatch")
    warning.wait_for(timeout=30000)
    assert "第 1 张照片拍摄于 2015年4月10日" in warning.inner_text() and "早于派单时间" in warning.inner_text()
    page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENSHOTS / "14b-manager-rectify-old-photo.png"))  # as scrolled
    page.get_by_role("button", name="提交整改（离线也可）").click()
    page.get_by_text("有照片早于派单时间，请删除后重新拍摄").wait_for()
    assert outbox(page) == []  # nothing queued
    page.get_by_role("button", name="删除第 1 张照片").click()
    # no capture time at all: accepted here, and flagged to the verifier by the server
    page.locator("[data-testid=photo-gallery]").set_input_files(str(PHOTOS / "orientation_landscape_2.jpg"))
    page.locator(".photo-picker-item").first.wait_for(timeout=30000)
    assert warning.count() == 0
    page.get_by_role("button", name="提交整改（离线也可）").click()
    page.get_by_role("heading", name="整改工单").wait_for()
    wait_outbox(page, all_sent(1))
    assert server.get(f"/api/tickets/{ticket_id}", "manager").json()["state"] == "rectified"
    photos = server.get(f"/api/findings/{ticket_id}/photos", "supervisor").json()["photos"]
    assert [p["check"] for p in photos if p["kind"] == "after"] == ["no_capture_time"]
