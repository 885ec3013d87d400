"""Issue 15 §2: the overdue dashboard drills street → community → compound to a ticket and its
photo on a phone; at a desk a company's count opens its worklist; offline, the same board is
counted from the tickets on the phone."""

from __future__ import annotations

import re

import pytest

from tests.e2e.flows import login, screenshot, wait_for_cache

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}


def _overdue(page) -> int:  # noqa: ANN001
    text = page.locator(".big-number").inner_text()
    return int(re.match(r"\s*(\d+)", text).group(1))


def test_a_supervisor_drills_from_the_district_to_a_photo(server, browser):
    page = browser.page()
    login(page, server.url, "supervisor")
    page.goto(server.url + "/#/dashboard")
    page.get_by_text("张工单已超期").wait_for()
    district = server.get("/api/dashboard/overdue", "supervisor").json()
    assert district["total"] >= 1 and _overdue(page) == district["total"]
    screenshot(page, "10a-supervisor-dashboard-district")
    for title in ("按街道/镇", "按社区", "按小区"):
        section = page.locator("section.counts", has=page.get_by_role("heading", name=title))
        pick = section.locator(".counts-pick").first
        name = pick.inner_text()
        pick.click()
        page.locator(".crumbs", has_text=name).wait_for()
    screenshot(page, "10b-supervisor-dashboard-compound")
    assert page.locator("section.counts", has=page.get_by_role("heading", name="按小区")).count() == 0
    assert _overdue(page) >= 1
    page.locator(".ticket-row").first.click()
    page.get_by_role("button", name=re.compile("查看(问题|整改前)照片第 1 张")).first.click()
    page.locator(".viewer img").wait_for()
    assert page.locator(".viewer img").evaluate("img => img.complete && img.naturalWidth > 0")


def test_at_a_desk_a_companys_count_opens_its_worklist(server, browser):
    page = browser.page()
    page.set_viewport_size(DESKTOP)
    login(page, server.url, "supervisor")
    page.goto(server.url + "/#/dashboard")
    companies = page.locator("section.counts", has=page.get_by_role("heading", name=re.compile("^按物业公司")))
    first = companies.locator("li").first
    first.wait_for()
    screenshot(page, "10c-supervisor-dashboard-desktop")
    count = int(first.locator(".counts-value").inner_text())
    first.locator(".counts-pick").click()
    page.get_by_text(f"共 {count} 张").wait_for()
    assert "company_id=" in page.url and "overdue=true" in page.url


def test_offline_the_board_is_counted_on_the_phone_with_the_same_numbers(server, browser):
    page = browser.page()
    login(page, server.url, "supervisor")
    wait_for_cache(page, "tickets")
    page.goto(server.url + "/#/dashboard")
    page.get_by_text("张工单已超期").wait_for()
    online = _overdue(page)
    streets = page.locator("section.counts", has=page.get_by_role("heading", name="按街道/镇"))
    online_rows = streets.locator("li").all_inner_texts()
    browser.context.set_offline(True)
    page.goto(server.url + "/#/me")
    page.goto(server.url + "/#/dashboard")
    page.get_by_text("离线：以下按本机已同步的工单统计").wait_for()
    assert _overdue(page) == online
    assert streets.locator("li").all_inner_texts() == online_rows
    screenshot(page, "10d-supervisor-dashboard-offline")
    browser.context.set_offline(False)
