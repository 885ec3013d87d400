"""A finding the server refuses for good stays on the phone, failed, with the server's reason,
until the user deals with it. (A problem logged during a rubric inspection:
test_rubric_inspection.py.)"""

from __future__ import annotations

import pytest

from tests.e2e.flows import login, outbox, screenshot, server_findings, wait_for_cache, \
    wait_outbox

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
