"""Supervisor: the overdue dashboard, a rectified ticket rejected with a reason (offline first,
then synced), and the scores screen degrading clearly while its API does not exist."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import PHOTOS
from tests.e2e.flows import all_sent, login, screenshot, seed_ticket, rectify_via_api, \
    wait_for_cache, wait_outbox

# the real phone photos of ../shared/photos: see tests/conftest.py for when they are missing
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("shared_photos")]


def _in_view(page, locator) -> bool:  # noqa: ANN001
    box = locator.bounding_box()
    size = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"]


def test_supervisor_rejects_a_rectification_with_a_reason(server, browser):
    """Issue 15 §1: before and after side by side above the decision, visible without
    scrolling at 360×640, each with when it was taken and when it arrived; an after-photo with
    no capture time is flagged; the viewer opens; 退回 needs a reason (offline first)."""
    ticket_id = seed_ticket(server, "锦绣花园", PHOTOS / "orientation_landscape_1.jpg", "1号楼井盖缺失")
    rectify_via_api(server, ticket_id, PHOTOS / "orientation_landscape_2.jpg", "已更换")
    page = browser.page()
    login(page, server.url, "supervisor")
    wait_for_cache(page, "tickets")
    page.get_by_text("张工单已超期").wait_for()
    screenshot(page, "10-supervisor-dashboard")
    page.goto(server.url + f"/#/ticket/{ticket_id}")
    evidence = page.get_by_test_id("evidence")
    before = evidence.get_by_role("button", name="查看整改前照片第 1 张")
    after = evidence.get_by_role("button", name="查看整改后照片第 1 张")
    after.locator("img").wait_for()
    evidence.get_by_test_id("check-no_capture_time").wait_for()  # orientation_landscape_2 has no EXIF time
    assert "接收" in evidence.inner_text()
    assert _in_view(page, before) and _in_view(page, after)
    screenshot(page, "17-supervisor-verify")
    after.click()
    page.locator(".viewer img").wait_for()
    screenshot(page, "17b-supervisor-verify-viewer")
    page.keyboard.press("Escape")

    browser.context.set_offline(True)
    page.get_by_role("button", name="退回").click()
    page.get_by_role("button", name="确认退回").click()
    page.get_by_text("请填写退回原因").wait_for()  # a reject needs a reason
    page.get_by_label("退回原因（必填）").fill("井盖型号不符")
    page.get_by_role("button", name="确认退回").click()
    page.get_by_test_id("verify-done").get_by_text("已退回整改").wait_for()
    browser.context.set_offline(False)
    wait_outbox(page, all_sent(1))
    ticket = server.get(f"/api/tickets/{ticket_id}", "supervisor").json()
    assert ticket["state"] == "open"
    assert [e["note"] for e in ticket["events"] if e["kind"] == "reject"] == ["井盖型号不符"]


def _taken_now(photo: Path, out: Path) -> Path:
    """A real photo whose EXIF says it was taken now, in China's time (a repair's photo)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from PIL import Image

    img = Image.open(photo)
    exif = img.getexif()
    ifd = exif.get_ifd(0x8769)
    ifd[0x9003] = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y:%m:%d %H:%M:%S")
    ifd[0x9011] = "+08:00"
    img.save(out, "JPEG", exif=exif, quality=85)
    return out


def test_supervisor_approves_a_rectification_with_a_note_at_a_desk(server, browser, tmp_path):
    """核查通过 takes an optional note and says what happened; 撤销 sits apart, behind its
    reason and a confirmation. At 1280×800."""
    ticket_id = seed_ticket(server, "锦绣花园", PHOTOS / "orientation_landscape_1.jpg", "4号楼井盖缺失")
    rectify_via_api(server, ticket_id, _taken_now(PHOTOS / "gps_DSCN0010.jpg", tmp_path / "after.jpg"),
                    "已更换井盖")
    page = browser.page()
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, server.url, "supervisor")
    wait_for_cache(page, "tickets")
    page.goto(server.url + f"/#/ticket/{ticket_id}")
    page.get_by_test_id("evidence").get_by_text("拍摄 ").first.wait_for()
    assert page.get_by_test_id("check-no_capture_time").count() == 0
    assert page.get_by_role("button", name="撤销工单").count() == 1  # apart, under 其他操作
    screenshot(page, "19d-supervisor-verify-desktop")
    page.get_by_role("button", name="核查通过").click()
    page.get_by_label("核查意见（可不填）").fill("现场核实，井盖已更换")
    page.get_by_role("button", name="确认核查通过").click()
    page.get_by_test_id("verify-done").get_by_text("已核查通过，工单办结").wait_for()
    wait_outbox(page, all_sent(1))
    ticket = server.get(f"/api/tickets/{ticket_id}", "supervisor").json()
    assert ticket["state"] == "closed"
    assert [e["note"] for e in ticket["events"] if e["kind"] == "close"] == ["现场核实，井盖已更换"]


def test_scores_screen_says_clearly_when_the_server_has_no_scores_yet(server, browser):
    page = browser.page()
    login(page, server.url, "supervisor")
    page.goto(server.url + "/#/scores")
    if server.has_path("/api/scores"):
        page.locator(".ranking, .empty").first.wait_for()
    else:
        page.get_by_text("服务器暂未提供该接口").wait_for()
    screenshot(page, "11-supervisor-scores")


def test_a_rectification_claimed_long_before_it_arrived_is_shown_with_both_times(server, browser):
    """Issue 12 §2: the manager's phone claims the repair was done two days before it reached
    the server; the arrival counts, and the verifier sees 离线记录时间 … / 到达时间 …."""
    from datetime import datetime, timedelta, timezone

    ticket_id = seed_ticket(server, "锦绣花园", PHOTOS / "orientation_landscape_1.jpg", "2号楼井盖缺失")
    claimed = (datetime.now(timezone.utc) - timedelta(days=2)).isoformat()
    rectify_via_api(server, ticket_id, PHOTOS / "orientation_landscape_2.jpg", "已更换", at=claimed)
    page = browser.page()
    login(page, server.url, "supervisor")
    wait_for_cache(page, "tickets")
    page.goto(server.url + f"/#/ticket/{ticket_id}")
    flag = page.get_by_test_id("time-flag")
    flag.wait_for()
    assert "离线记录时间" in flag.inner_text() and "到达时间" in flag.inner_text()
    screenshot(page, "18-supervisor-offline-time-flag")
