"""Issue 17 in Debian's Chromium: the manager's unread badge appears after a new ticket, stays
offline once synced, and clears when the ticket is opened; the admin wires a WeCom robot (a
real receiver on 127.0.0.1), sends a test message and sees the delivery."""

from __future__ import annotations

import time

import pytest

from tests.e2e.conftest import PHOTOS
from tests.e2e.flows import login, screenshot, seed_ticket, wait_for_cache, wait_for_worker
from tests.notifications.receivers import RobotEndpoint

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("shared_photos")]

DESKTOP = {"width": 1280, "height": 800}


def _unread(server, username: str) -> int:  # noqa: ANN001
    return server.get("/api/notifications", username).json()["unread"]


def _until(check, seconds: float = 30) -> None:  # noqa: ANN001
    end = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.3)


def test_the_managers_unread_badge_appears_stays_offline_and_clears_when_the_ticket_is_opened(
        server, browser):
    page = browser.page()
    assert server.post("/api/notifications/read", "manager", json={"all": True}).status_code == 200
    login(page, server.url, "manager")
    wait_for_worker(page)
    wait_for_cache(page, "tickets")
    assert page.locator("[data-testid=unread]").count() == 0

    ticket_id = seed_ticket(server, "锦绣花园", PHOTOS / "orientation_landscape_1.jpg", "2号楼消防通道堆放杂物")
    _until(lambda: _unread(server, "manager") == 1)  # the notifier's round, every 5 s
    page.evaluate("async () => (await import('./sync.js')).pull()")
    badge = page.locator("[data-testid=unread]")
    badge.wait_for()
    assert badge.inner_text() == "1" and badge.get_attribute("aria-label") == "1 条未读"
    screenshot(page, "17a-manager-unread-badge")

    # offline, reopened: the badge and the message are on the phone
    browser.context.set_offline(True)
    page.reload()
    page.locator("[data-testid=unread]").wait_for()
    page.get_by_role("link", name="消息").click()
    item = page.locator(".inbox-unread", has_text="井盖缺损")
    item.wait_for()
    assert "新工单" in item.inner_text()
    screenshot(page, "17b-manager-inbox-offline")
    item.get_by_role("link").click()
    page.wait_for_url(f"**/#/ticket/{ticket_id}")
    page.get_by_text("2号楼消防通道堆放杂物").wait_for()
    _until(lambda: page.locator("[data-testid=unread]").count() == 0, 10)

    # back online: the server hears it was read with the next pull
    browser.context.set_offline(False)
    page.evaluate("async () => (await import('./sync.js')).pull()")
    _until(lambda: _unread(server, "manager") == 0)


def test_the_admin_wires_a_wecom_robot_tests_it_and_sees_the_new_tickets_message(server, browser):
    robots = RobotEndpoint().start()
    try:
        page = browser.page()
        page.set_viewport_size(DESKTOP)
        login(page, server.url, "admin")
        page.get_by_role("link", name="通知").click()
        form = page.get_by_role("form", name="添加通知渠道")
        form.get_by_label("名称").fill("锦绣物业工作群")
        form.get_by_label("属于").select_option("company")
        form.get_by_label("物业企业").select_option(label="锦绣物业服务有限公司")
        form.get_by_label("Webhook 地址").fill(robots.wecom("jinxiu-robot-key-1"))
        form.get_by_role("button", name="添加").click()
        page.get_by_text("已添加“锦绣物业工作群”").wait_for()
        row = page.locator("[data-testid=channel-row]", has_text="锦绣物业工作群")
        assert "jinxiu-robot-key-1" not in row.inner_text()
        row.get_by_role("button", name="发送测试消息").click()
        page.get_by_text("测试消息已发出").wait_for()
        assert robots.state.texts()[0].startswith("巡检系统测试消息：锦绣物业工作群")
        screenshot(page, "17c-admin-notify-desk")

        # the test runs at any hour: messages go at once, not at the next working window
        rules = page.get_by_role("form", name="提醒与督办规则")
        rules.get_by_label("非工作时间的消息等到上班时发送（以小时计时限的紧急问题除外）").uncheck()
        rules.get_by_label("修改原因（记入日志）").fill("夜间值守：消息随时发送")
        rules.get_by_role("button", name="保存规则").click()
        page.get_by_text("已保存为第 1 版设置").wait_for()

        seed_ticket(server, "锦绣花园", PHOTOS / "orientation_landscape_1.jpg", "5号楼雨水井盖破损")
        _until(lambda: len(robots.state.messages) == 2)
        assert robots.state.messages[1].text.startswith("新工单：锦绣花园 井盖缺损")
        page.reload()
        page.get_by_role("button", name="已发送").click()
        page.locator("td", has_text="新工单：锦绣花园 井盖缺损").first.wait_for()
        page.set_viewport_size({"width": 360, "height": 640})
        screenshot(page, "17d-admin-notify-phone")
    finally:
        robots.stop()
