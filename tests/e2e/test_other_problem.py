"""Issue 15 §7: a catalog search with no match says so and offers 其他问题, the catch-all type whose
deadline each place sets (3 工作日 by default); the words searched for start the description, which
其他问题 requires. At 360×640; then a supervisor corrects the type at a desk, with the reason."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import PHOTOS
from tests.e2e.flows import all_sent, login, logout, screenshot, server_findings, wait_for_cache, wait_outbox

DESKTOP, PHONE = {"width": 1280, "height": 800}, {"width": 360, "height": 640}

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("shared_photos")]


def test_a_search_with_no_match_offers_other_problem_which_must_say_what_it_is(server, browser):
    page = browser.page()
    login(page, server.url, "inspector")
    wait_for_cache(page, "compounds")
    wait_for_cache(page, "catalog")
    page.goto(server.url + "/#/compounds")
    page.get_by_role("link", name="锦绣花园").first.click()
    page.get_by_label("问题类型").fill("门禁")
    status = page.locator(".catalog-none")
    status.get_by_text("目录里没有“门禁”").wait_for()
    screenshot(page, "67-inspector-catalog-no-match", at_top=False)
    # every type can still be browsed by category, 其他 last
    browse = page.locator(".catalog-browse")
    assert browse.get_attribute("open") is not None
    assert browse.locator("h3").all_inner_texts()[-1] == "其他"

    status.get_by_role("button", name="其他问题").click()
    page.get_by_text("目录未列出的问题（须写明问题）；按期整改，不扣分（整改时限 3 工作日）").wait_for()
    description = page.get_by_label("说明（必填：写明是什么问题）")
    assert description.input_value() == "门禁"  # the words searched for
    description.fill("")
    page.locator("[data-testid=photo-gallery]").set_input_files(str(PHOTOS / "orientation_landscape_1.jpg"))
    page.locator(".photo-picker-item").first.wait_for(timeout=30000)
    page.get_by_role("button", name="保存（离线也可）").click()
    page.get_by_text("选择“其他问题”时请写明是什么问题").wait_for()  # nothing saved yet
    description.fill("2号楼单元门禁对讲机损坏")
    page.get_by_role("button", name="保存（离线也可）").click()
    page.locator("[data-testid=outbox-summary]").wait_for()
    wait_outbox(page, all_sent(1))

    [finding] = server_findings(server)
    ticket = server.get(f"/api/tickets/{finding['id']}", "inspector").json()
    assert (ticket["catalog_code"], ticket["finding"]["description"]) == ("QT01", "2号楼单元门禁对讲机损坏")
    assert (ticket["deadline_amount"], ticket["deadline_unit"]) == ("3.00", "工作日")

    # the supervisor finds it is a listed type after all, and corrects it with the reason
    logout(page)
    page.set_viewport_size(DESKTOP)
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, server.url, "supervisor")
    wait_for_cache(page, "tickets")
    page.goto(server.url + f"/#/ticket/{finding['id']}")
    page.get_by_role("button", name="更正问题类型").click()
    form = page.get_by_role("form", name="更正问题类型")
    form.get_by_label("问题类型").fill("公共设施")
    form.get_by_role("button", name="公共设施缺损").click()
    form.get_by_role("button", name="确认更正").click()
    form.get_by_text("请填写更正原因").wait_for()
    form.get_by_label("更正原因（必填）").fill("门禁对讲属公共设施（监控、信报箱同类）")
    form.get_by_role("button", name="确认更正").click()
    page.get_by_text("已更正为“公共设施缺损”，处理记录中可见").wait_for()
    entry = page.locator(".timeline li", has_text="更正问题类型")
    entry.get_by_text("由 “其他问题” 改为 “公共设施缺损”").wait_for()
    assert "门禁对讲属公共设施" in entry.inner_text()
    entry.scroll_into_view_if_needed()
    screenshot(page, "68-supervisor-retyped-desk", at_top=False)
    page.set_viewport_size(PHONE)  # the desk's two panes become the phone's one column
    page.wait_for_timeout(300)
    entry.wait_for()
    entry.scroll_into_view_if_needed()
    screenshot(page, "68-supervisor-retyped-phone", at_top=False)
    ticket = server.get(f"/api/tickets/{finding['id']}", "supervisor").json()
    assert (ticket["catalog_code"], ticket["events"][-1]["kind"]) == ("JC06", "retype")
