"""The installable shell: login online, the app opens offline from the service worker, and a
screenshot of every screen at 360 x 640 (tests/artifacts/screenshots/)."""

from __future__ import annotations

import pytest

from tests.e2e.flows import login, logout, screenshot, wait_for_cache, wait_for_worker

pytestmark = pytest.mark.browser


def test_login_online_then_the_shell_opens_offline_after_reload(server, browser):
    page = browser.page()
    page.goto(server.url + "/")
    screenshot(page, "01-login")
    login(page, server.url, "inspector")
    wait_for_worker(page)
    wait_for_cache(page, "compounds")
    page.get_by_role("link", name="锦绣花园").wait_for()

    browser.context.set_offline(True)
    timings = []
    for _ in range(3):  # the best of three: a busy CI machine must not fail the budget by chance
        page.reload()
        page.get_by_role("link", name="锦绣花园").wait_for()  # compounds come from IndexedDB
        timings.append(page.evaluate("performance.now()"))  # since the navigation started
    print(f"offline open: {', '.join(f'{t:.0f}' for t in timings)} ms")
    assert min(timings) < 1000, f"offline open took {timings} ms"
    page.locator(".offline-banner").wait_for()
    page.goto(server.url + "/#/me")  # a navigation offline, not only a reload
    page.get_by_text("李考核").wait_for()


def test_manifest_and_icons_make_it_installable(server, browser):
    page = browser.page()
    page.goto(server.url + "/")
    manifest = page.evaluate("fetch('./manifest.webmanifest').then(r => r.json())")
    assert manifest["display"] == "standalone" and manifest["lang"] == "zh-CN"
    sizes = {(i["sizes"], i["purpose"]) for i in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        assert page.request.get(server.url + "/" + icon["src"]).headers["content-type"] == "image/png"


def test_screenshots_of_every_screen(server, browser):
    page = browser.page()
    login(page, server.url, "inspector")
    wait_for_cache(page, "compounds")
    screenshot(page, "02-inspector-compounds")
    page.get_by_role("link", name="锦绣花园").click()
    page.get_by_label("问题类型").wait_for()
    screenshot(page, "03-inspector-new-finding")
    page.goto(server.url + "/#/findings")
    screenshot(page, "04-inspector-findings")
    page.goto(server.url + "/#/inspect")
    page.wait_for_timeout(300)
    screenshot(page, "05-inspector-inspection-start")
    if page.get_by_role("button", name="开始检查").count():
        page.get_by_role("button", name="开始检查").click()
        screenshot(page, "06-inspector-inspection-item")
    page.goto(server.url + "/#/me")
    screenshot(page, "07-me")
    logout(page)

    login(page, server.url, "manager")
    page.goto(server.url + "/#/tickets")
    page.wait_for_timeout(500)
    screenshot(page, "18-manager-tickets-empty")

    logout(page)
    login(page, server.url, "supervisor")
    page.wait_for_timeout(500)
    screenshot(page, "19-supervisor-dashboard-empty")
