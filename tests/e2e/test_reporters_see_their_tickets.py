"""Issue 15 §5: an inspector sees what became of what they logged. The finding logged on the
phone becomes a ticket; the manager rectifies it; the inspector's 工单 tab (我登记的) shows it
waiting for verification, its history shows the after-photo, and the entry under 记录 opens it."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import PHOTOS
from tests.e2e.flows import all_sent, log_finding, login, rectify_via_api, screenshot, \
    server_findings, wait_for_cache, wait_outbox

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("shared_photos")]


def test_the_inspectors_ticket_tab_shows_the_state_a_managers_rectification_produced(server, browser):
    page = browser.page()
    login(page, server.url, "inspector")
    wait_for_cache(page, "compounds")
    wait_for_cache(page, "catalog")
    log_finding(page, "锦绣花园", "井盖", [PHOTOS / "orientation_landscape_1.jpg"], "6号楼南侧井盖松动")
    wait_outbox(page, all_sent(1))
    [finding] = server_findings(server)
    rectify_via_api(server, finding["id"], PHOTOS / "orientation_landscape_2.jpg", "已加固井盖")

    page.evaluate("async () => (await import('./sync.js')).pull()")
    page.goto(server.url + "/#/tickets")
    page.get_by_role("button", name="我登记的").wait_for()
    row = page.locator(f".ticket-row[href='#/ticket/{finding['id']}']")
    assert "待核查" in row.inner_text()
    # only what this inspector logged: not the grid worker's or the supervisor's findings
    shown = {page.locator(".ticket-row").nth(i).get_attribute("href").split("/")[-1]
             for i in range(page.locator(".ticket-row").count())}
    mine = {t["id"] for t in server.get("/api/tickets?state=all&limit=200", "supervisor").json()["items"]
            if t["finding"]["reporter_id"] == finding["finding"]["reporter_id"]}
    assert shown == mine
    screenshot(page, "64-inspector-my-tickets")
    row.click()
    page.get_by_role("button", name="查看整改后照片第 1 张").wait_for()  # the evidence, first
    assert page.locator(".timeline").get_by_text("已加固井盖").count() == 1

    page.goto(server.url + "/#/findings")
    page.locator(".outbox-item a", has_text="锦绣花园").click()
    page.wait_for_url(f"**/#/ticket/{finding['id']}")
    screenshot(page, "65-inspector-record-opens-ticket")
