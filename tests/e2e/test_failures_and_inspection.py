"""A finding the server refuses for good stays on the phone, failed, with the server's reason,
until the user deals with it; and a rubric inspection logs a problem as a finding that carries
its inspection and rubric item."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import PHOTOS
from tests.e2e.flows import all_sent, login, outbox, screenshot, server_findings, \
    wait_for_cache, wait_outbox

# the real phone photos of ../shared/photos: see tests/conftest.py for when they are missing
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("shared_photos")]


def test_a_refused_finding_stays_failed_with_the_reason_until_the_user_deletes_it(server, browser):
    page = browser.page()
    page.on("dialog", lambda d: d.accept())
    login(page, server.url, "inspector")
    wait_for_cache(page, "compounds")
    page.evaluate("""async () => {
      const sync = await import('./sync.js');
      const { uuid7 } = await import('./logic/uuid7.js');
      await sync.enqueue('finding', { id: uuid7(), compound_id: '01a20000-0000-7000-8000-000000000000',
        description: '不存在的小区', observed_at: new Date().toISOString(), source: 'patrol' }, []);
    }""")
    [item] = wait_outbox(page, lambda items: len(items) == 1 and items[0]["state"] == "failed")
    assert item["error"]["message"] and not item["error"]["transient"]
    page.goto(server.url + "/#/findings")
    page.get_by_text("失败：").wait_for()
    screenshot(page, "20-inspector-finding-failed")
    page.get_by_role("button", name="重试").click()  # refused again: still kept, still failed
    wait_outbox(page, lambda items: len(items) == 1 and items[0]["state"] == "failed")
    page.get_by_role("button", name="删除").click()
    page.get_by_text("还没有记录").wait_for()
    assert outbox(page) == [] and server_findings(server) == []


def test_a_problem_found_in_a_rubric_inspection_is_logged_with_its_item(server, browser):
    page = browser.page()
    login(page, server.url, "inspector")
    wait_for_cache(page, "rubrics")
    page.goto(server.url + "/#/inspect")
    page.get_by_role("button", name="开始检查").click()
    title = page.locator(".rubric-item h2").inner_text()
    page.get_by_role("button", name="有问题").click()
    page.locator("[data-testid=photo-gallery]").set_input_files(str(PHOTOS / "orientation_portrait_1.jpg"))
    page.locator(".photo-picker-item").first.wait_for(timeout=30000)
    page.get_by_label("问题说明").fill("党组织公示牌缺失")
    page.get_by_role("button", name="保存问题").click()
    page.get_by_text("第 2 /").wait_for()
    [item] = wait_outbox(page, all_sent(1))
    assert item["payload"]["inspection_id"] and item["payload"]["rubric_item"]
    [finding] = server_findings(server)
    assert finding["finding"]["description"] == "党组织公示牌缺失"
    assert finding["photo_status"]["complete"] is True
    assert title
