"""A shared phone: user B neither sees nor loses user A's unsent items, which go up as A's when
A logs in again; and the pending queue exported to a file imports back without doubling."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import PHOTOS
from tests.e2e.flows import all_sent, log_finding, login, logout, outbox, screenshot, \
    server_findings, wait_for_cache, wait_outbox

# the real phone photos of ../shared/photos: see tests/conftest.py for when they are missing
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("shared_photos")]


def test_user_b_neither_sees_nor_sends_user_a_items_and_export_imports_back(server, browser, tmp_path):
    page = browser.page()
    page.on("dialog", lambda d: d.accept())
    login(page, server.url, "inspector")
    wait_for_cache(page, "compounds")
    wait_for_cache(page, "catalog")
    browser.context.set_offline(True)
    log_finding(page, "翠竹苑", "井盖", [PHOTOS / "orientation_landscape_3.jpg"], "A 的离线记录")

    page.goto(server.url + "/#/me")
    with page.expect_download() as download:
        page.get_by_role("button", name="导出待发送记录（含照片）").click()
    exported = tmp_path / "queue.json"
    download.value.save_as(exported)
    assert exported.stat().st_size > 10_000  # the photo travels inside, base64
    logout(page)  # offline: the token is forgotten here, the item stays

    browser.context.set_offline(False)
    login(page, server.url, "gridworker")
    page.goto(server.url + "/#/findings")
    page.get_by_text("还没有记录").wait_for()
    page.goto(server.url + "/#/me")
    page.get_by_text("本机还有其他用户的 1 条未发送记录").wait_for()
    screenshot(page, "16-shared-phone-other-user")
    page.evaluate("async () => (await import('./sync.js')).runOutbox({ force: true })")
    page.wait_for_timeout(1000)
    assert server_findings(server, "inspector") == []
    assert server_findings(server, "gridworker") == []
    logout(page)

    login(page, server.url, "inspector")
    wait_outbox(page, all_sent(1))
    [finding] = server_findings(server, "inspector")
    assert finding["finding"]["description"] == "A 的离线记录"
    assert finding["photo_status"]["complete"] is True

    # The exported file, imported on a wiped phone, goes up again as a harmless duplicate.
    browser.close()
    browser.profile = tmp_path / "another-phone"
    browser.open()
    page = browser.page()
    login(page, server.url, "inspector")
    page.goto(server.url + "/#/me")
    page.locator("[data-testid=import-file]").set_input_files(str(exported))
    page.get_by_text("已导入 1 条").wait_for()
    wait_outbox(page, all_sent(1))
    assert len(outbox(page)) == 1
    assert len(server_findings(server, "inspector")) == 1
