"""Issue 6, "must show": nothing captured offline is lost or doubled.

Inspector: log in online, go offline, log 3 findings with real JPEG photos, reload offline,
close and reopen the browser, go online: the server holds exactly 3 findings with their photos.
The server stopped in the middle of a sync (the answer lost after the server stored the batch)
and restarted: still exactly 3. The same for a manager rectifying offline.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import PHOTOS
from tests.e2e.flows import (all_sent, log_finding, login, outbox, screenshot, seed_ticket,
                             server_findings, wait_for_cache, wait_for_worker, wait_outbox,
                             wait_until)

# the real phone photos of ../shared/photos: see tests/conftest.py for when they are missing
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("shared_photos")]

JPEGS = [PHOTOS / "orientation_landscape_6.jpg", PHOTOS / "gps_DSCN0010.jpg",
         PHOTOS / "hdr_iphone_hdr_NO.jpg"]


def _log_three_offline(browser, server) -> None:  # noqa: ANN001
    page = browser.page()
    login(page, server.url, "inspector")
    wait_for_worker(page)
    wait_for_cache(page, "compounds")
    wait_for_cache(page, "catalog")
    browser.context.set_offline(True)
    log_finding(page, "锦绣花园", "井盖", [JPEGS[0]], "3号楼东侧雨水箅子缺失")
    log_finding(page, "翠竹苑", "外立面", [JPEGS[1]], "5号楼外墙皮脱落")
    log_finding(page, "金桂园", "JC02", [JPEGS[2], JPEGS[0]], "南门道路坑洼")
    items = outbox(page)
    assert len(items) == 3 and all(i["state"] == "pending" for i in items)
    assert sum(len(i["photos"]) for i in items) == 4
    screenshot(page, "09-inspector-findings-pending-offline")


def _assert_server_holds_three(server) -> None:  # noqa: ANN001
    held = server_findings(server)
    assert len(held) == 3, [t["finding"]["description"] for t in held]
    assert sorted(t["finding"]["description"] for t in held) == \
        ["3号楼东侧雨水箅子缺失", "5号楼外墙皮脱落", "南门道路坑洼"]
    for t in held:
        assert t["photo_status"]["complete"] is True
        assert t["photo_status"]["photos_missing"] == []
    assert sum(len(t["photo_status"]["photos_held"]) for t in held) == 4


def test_three_findings_offline_survive_reload_and_browser_restart_then_sync_once(server, browser):
    _log_three_offline(browser, server)
    page = browser.page()

    page.reload()  # offline: the shell comes from the service worker, the items from IndexedDB
    page.locator(".offline-banner").wait_for()
    page.goto(server.url + "/#/findings")
    assert page.locator(".outbox-item").count() == 3
    assert page.locator(".state-pending").count() == 3

    browser.close()
    context = browser.open()
    context.set_offline(True)
    page = browser.page()
    page.goto(server.url + "/#/findings")
    page.locator(".outbox-item").nth(2).wait_for()
    assert page.locator(".state-pending").count() == 3
    assert server_findings(server) == []

    context.set_offline(False)  # the 'online' event resumes the outbox
    wait_outbox(page, all_sent(3))
    page.reload()
    page.locator(".state-sent").nth(2).wait_for()
    screenshot(page, "12-inspector-findings-sent")
    _assert_server_holds_three(server)


def test_server_stopped_mid_sync_then_restarted_still_exactly_three(server, browser):
    _log_three_offline(browser, server)
    page = browser.page()
    stopped = []

    def lose_the_answer(route):  # noqa: ANN001
        # The server stores the batch, then dies before the phone hears back.
        if not stopped:
            route.fetch()
            server.stop()
            stopped.append(True)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/sync/findings", lose_the_answer)
    browser.context.set_offline(False)
    page.wait_for_function("() => true")
    for _ in range(100):
        if stopped:
            break
        page.wait_for_timeout(100)
    assert stopped, "the outbox never sent"
    page.wait_for_timeout(1000)
    items = outbox(page)
    assert len(items) == 3 and all(i["state"] == "pending" for i in items), items
    assert any(i["error"] and i["error"]["transient"] for i in items)

    server.start()
    wait_outbox(page, all_sent(3))
    _assert_server_holds_three(server)
    page.evaluate("async () => (await import('./sync.js')).runOutbox({ force: true })")  # nothing more goes up
    _assert_server_holds_three(server)


def test_manager_rectifies_offline_through_a_server_restart(server, browser):
    ticket_id = seed_ticket(server, "锦绣花园", PHOTOS / "orientation_landscape_1.jpg", "2号楼井盖破损")
    page = browser.page()
    login(page, server.url, "manager")
    wait_for_worker(page)
    wait_for_cache(page, "tickets")
    page.get_by_text("井盖缺损").first.wait_for()
    screenshot(page, "08-manager-tickets")
    page.get_by_text("井盖缺损").first.click()
    page.get_by_role("link", name="整改并拍照").wait_for()
    screenshot(page, "13-manager-ticket-detail")

    [before] = server.get(f"/api/tickets/{ticket_id}", "manager").json()["finding"]["before_photos"]
    wait_until(page, """async (sha) => {
      const { getPhoto, getMeta } = await import('./db.js');
      const p = await getPhoto(await getMeta('current'), sha);
      return !!(p && p.blob);
    }""", before)  # the pull keeps the before-photo for offline use

    browser.context.set_offline(True)
    page.get_by_role("link", name="整改并拍照").click()
    page.wait_for_function("() => { const i = document.querySelector('.compare-before img');"
                           " return i && i.complete && i.naturalWidth > 0; }")
    page.locator("[data-testid=photo-gallery]").set_input_files(str(PHOTOS / "orientation_landscape_2.jpg"))
    page.locator(".photo-picker-item").first.wait_for(timeout=30000)
    page.get_by_label("整改说明").fill("已更换井盖")
    screenshot(page, "14-manager-rectify")
    page.get_by_role("button", name="提交整改（离线也可）").click()
    page.get_by_role("heading", name="整改工单").wait_for()  # saved, back on the list
    page.reload()
    page.goto(server.url + f"/#/ticket/{ticket_id}")
    page.get_by_text("等待网络").first.wait_for()  # offline: nothing is tried, nothing counted
    assert len(outbox(page)) == 1

    browser.close()
    browser.open()
    page = browser.page()
    server.stop()  # back online, but the server is down: the item waits with backoff
    page.goto(server.url + "/#/tickets")
    page.wait_for_timeout(1500)
    [item] = outbox(page)
    assert item["state"] == "pending" and item["kind"] == "event"
    server.start()
    wait_outbox(page, all_sent(1))

    ticket = server.get(f"/api/tickets/{ticket_id}", "manager").json()
    assert ticket["state"] == "rectified"
    rectify = [e for e in ticket["events"] if e["kind"] == "rectify"]
    assert len(rectify) == 1 and rectify[0]["note"] == "已更换井盖" and len(rectify[0]["photos"]) == 1
    assert ticket["photos_missing"] == []
