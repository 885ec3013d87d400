"""A new version of the app while items are queued: the new service worker waits, the user is
told "新版本已就绪，点击更新", the old shell cache is deleted, and the queue in IndexedDB survives
and syncs under the new version."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import PHOTOS
from tests.e2e.flows import all_sent, log_finding, login, outbox, screenshot, server_findings, \
    wait_for_cache, wait_for_worker, wait_outbox

# the real phone photos of ../shared/photos: see tests/conftest.py for when they are missing
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("shared_photos")]


def test_update_while_items_are_queued_keeps_the_queue_and_syncs_it(server, browser):
    page = browser.page()
    login(page, server.url, "inspector")
    wait_for_worker(page)
    wait_for_cache(page, "catalog")
    browser.context.set_offline(True)
    log_finding(page, "锦绣花园", "井盖", [PHOTOS / "orientation_portrait_3.jpg"], "更新前登记")
    old_caches = page.evaluate("caches.keys()")

    # Online again, but the sync endpoints fail: the item stays queued across the update.
    page.route(re.compile(r".*/api/(sync/|photos).*"), lambda route: route.abort("connectionrefused"))
    browser.context.set_offline(False)

    sw = server.frontend / "sw.js"
    sw.write_text(re.sub(r"const VERSION = '[^']*';", "const VERSION = 'e2e-next';", sw.read_text()))
    index = server.frontend / "index.html"
    index.write_text(index.read_text().replace("<title>", '<meta name="xunjian-build" content="next">\n  <title>'))
    page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")

    banner = page.get_by_role("button", name="新版本已就绪，点击更新")
    banner.wait_for()
    screenshot(page, "15-update-ready")
    assert page.locator('meta[name="xunjian-build"]').count() == 0  # still the old version
    [item] = outbox(page)
    assert item["state"] == "pending"

    banner.click()
    page.locator('meta[name="xunjian-build"]').wait_for(state="attached")
    assert page.evaluate("caches.keys()") == ["xunjian-shell-e2e-next"]
    assert old_caches != ["xunjian-shell-e2e-next"]
    [after] = outbox(page)
    assert after["id"] == item["id"] and after["photos"] == item["photos"]

    page.unroute(re.compile(r".*/api/(sync/|photos).*"))
    wait_outbox(page, all_sent(1))
    [finding] = server_findings(server)
    assert finding["finding"]["description"] == "更新前登记"
    assert finding["photo_status"]["complete"] is True
