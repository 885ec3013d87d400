"""Times read as the deployment's, whatever zone the device is set to: a supervisor's desk
computer left on another zone sees each ticket's due time and receipt time in Beijing time,
as the server, the photo watermark and the published notice state them (ux.md: 12月7日 17:30)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.flows import screenshot

pytestmark = pytest.mark.browser

BEIJING = ZoneInfo("Asia/Shanghai")


def _shown(iso: str) -> str:
    t = datetime.fromisoformat(iso).astimezone(BEIJING)
    return f"{t.month}月{t.day}日 {t:%H:%M}"


def test_a_desk_computer_set_to_new_york_shows_a_tickets_times_in_beijing_time(server, browser):
    tickets = server.get("/api/tickets?state=open&limit=50", "supervisor").json()["items"]
    ticket = next(t for t in tickets if t["due_at"] and t["state"] == "open")
    due = datetime.fromisoformat(ticket["due_at"]).astimezone(BEIJING)
    assert due.astimezone(ZoneInfo("America/New_York")).hour != due.hour  # the zones disagree

    desk = browser.playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                              headless=True)
    try:
        page = desk.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN",
                                timezone_id="America/New_York").new_page()
        page.goto(server.url + "/")
        page.get_by_label("用户名").fill("supervisor")
        page.get_by_label("密码").fill("xunjian-demo")
        page.get_by_role("button", name="登录").click()
        page.locator(".tab-bar").wait_for()
        page.goto(f"{server.url}/#/ticket/{ticket['id']}")
        facts = page.locator("dl.facts")
        facts.get_by_text("到期").wait_for()
        assert _shown(ticket["due_at"]) in facts.inner_text()
        screenshot(page, "90-desk-in-another-zone-ticket-times")
    finally:
        desk.close()
