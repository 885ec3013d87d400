"""Supervisor: the overdue dashboard, a rectified ticket rejected with a reason (offline first,
then synced), and the scores screen degrading clearly while its API does not exist."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import PHOTOS
from tests.e2e.flows import all_sent, login, screenshot, seed_ticket, rectify_via_api, \
    wait_for_cache, wait_outbox

# the real phone photos of ../shared/photos: see tests/conftest.py for when they are missing
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("shared_photos")]


def test_supervisor_rejects_a_rectification_with_a_reason(server, browser):
    ticket_id = seed_ticket(server, "锦绣花园", PHOTOS / "orientation_landscape_1.jpg", "1号楼井盖缺失")
    rectify_via_api(server, ticket_id, PHOTOS / "orientation_landscape_2.jpg", "已更换")
    page = browser.page()
    login(page, server.url, "supervisor")
    wait_for_cache(page, "tickets")
    page.get_by_text("张工单已超期").wait_for()
    screenshot(page, "10-supervisor-dashboard")
    page.goto(server.url + f"/#/ticket/{ticket_id}")
    page.get_by_role("button", name="退回").wait_for()
    screenshot(page, "17-supervisor-verify")

    browser.context.set_offline(True)
    page.get_by_role("button", name="退回").click()
    page.get_by_role("button", name="确认退回").click()
    page.get_by_text("请填写原因").wait_for()  # a reject needs a reason
    page.get_by_label("退回原因（必填）").fill("井盖型号不符")
    page.get_by_role("button", name="确认退回").click()
    page.get_by_role("heading", name="整改工单").wait_for()
    browser.context.set_offline(False)
    wait_outbox(page, all_sent(1))
    ticket = server.get(f"/api/tickets/{ticket_id}", "supervisor").json()
    assert ticket["state"] == "open"
    assert [e["note"] for e in ticket["events"] if e["kind"] == "reject"] == ["井盖型号不符"]


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
