"""Issue 16: a street office's clerk keeps the organisation and the users from the app, at a
desk (1280×800) and on a phone (360×640): an organisation file with 3 bad lines among 20, a new
inspector who sees only their street, a one-time password that must be changed, and a
deactivation that ends a session at once. Every admin screen is photographed at both sizes."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.flows import login, logout, screenshot

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 640}

HEADER = "区,街道,社区,网格,小区,地址,建筑面积,户数,物业企业,企业信用等级,进驻日期,老旧小区,党支部\n"
TWENTY_LINES = HEADER + "".join(
    f"XX区,XX镇,新华社区,新华第{1 + i % 2}网格,新华{i + 1:02d}号院,XX镇新华路{i + 1}号,{12000 + i * 100},"
    f"{150 + i},新华物业服务有限公司,A,2023-05-01,{'是' if i % 3 == 0 else '否'},否\n" for i in range(17)) + (
    "XX区,XX镇,新华社区,,新华错一,,一万二,150,新华物业服务有限公司,A,,否,否\n"       # line 19: 建筑面积
    "XX区,XX镇,新华社区,,新华错二,,12000,150,新华物业服务有限公司,A,2023-02-30,否,否\n"  # line 20: 进驻日期
    "XX区,XX镇,新华社区,,新华错三,,12000,150,新华物业服务有限公司,A,,也许,否\n")     # line 21: 老旧小区


def _admin(page, server, size: dict) -> None:  # noqa: ANN001
    page.set_viewport_size(size)
    login(page, server.url, "admin")
    page.get_by_role("heading", name="待处理").wait_for()


def test_an_organisation_file_with_three_bad_lines_keeps_seventeen_and_again_changes_nothing(
        server, browser, tmp_path):
    page = browser.page()
    _admin(page, server, DESKTOP)
    upload = tmp_path / "组织机构.csv"
    upload.write_text(TWENTY_LINES, encoding="utf-8-sig")
    page.locator(".tab-bar").get_by_role("link", name="组织").click()
    page.get_by_role("link", name="导入", exact=True).click()
    page.locator("[data-testid=org-file]").set_input_files(str(upload))
    page.get_by_role("button", name="预览").click()
    report = page.locator("[data-testid=import-report]")
    report.get_by_text("预览结果（尚未保存）").wait_for()
    assert "将新建小区 17" in report.inner_text().replace("\n", " ")
    page.get_by_role("button", name="导入", exact=True).click()
    report.get_by_text("导入结果").wait_for()
    rows = page.locator("[data-testid=import-errors] tbody tr")
    assert rows.count() == 3
    lines = [rows.nth(i).inner_text().split("\t") for i in range(3)]
    assert [(ln[0], ln[1]) for ln in lines] == [("第 19 行", "建筑面积"), ("第 20 行", "进驻日期"),
                                                ("第 21 行", "老旧小区")]
    assert "一万二" in lines[0][2]
    screenshot(page, "16a-admin-import-desk")
    with page.expect_download() as fixing:
        page.get_by_role("button", name="下载错误行").click()
    errors = fixing.value.path().read_text(encoding="utf-8-sig").splitlines()
    assert len(errors) == 4 and errors[1].startswith("XX区,XX镇,新华社区,,新华错一") \
        and ",19,建筑面积," in errors[1]
    stored = server.get("/api/compounds?q=新华&limit=100", "admin").json()
    assert stored["total"] == 17

    page.get_by_role("button", name="导入", exact=True).click()  # the same file again
    page.locator("[data-testid=import-report]", has_text="无变化 17").wait_for()
    counts = report.inner_text().replace("\n", " ")
    assert "新建小区 0" in counts and "更新 0" in counts and "新单位 0" in counts
    assert server.get("/api/compounds?q=新华&limit=100", "admin").json()["total"] == 17
    page.get_by_role("link", name="社区 新华社区").click()
    page.get_by_role("heading", name="新华社区 社区").wait_for()
    page.get_by_role("link", name="新华01号院").wait_for()
    assert page.locator(".list-item").count() == 17


def test_an_inspector_created_for_a_street_sees_only_that_street(server, browser):
    page = browser.page()
    _admin(page, server, PHONE)
    page.locator(".tab-bar").get_by_role("link", name="用户").click()
    page.get_by_role("link", name="新建用户").click()
    form = page.get_by_role("form", name="新建用户")
    form.get_by_label("账号（字母、数字）").fill("zhou")
    form.get_by_label("姓名").fill("周考核")
    form.get_by_label("角色").select_option("inspector")
    form.get_by_label("管辖范围（区、街道、镇、社区）").select_option(label="二七区 / 淮河路街道（街道）")
    form.get_by_label("手机号（通知用）").fill("13900000002")
    first = form.get_by_label("初始密码（首次登录须修改）").input_value()
    assert len(first) == 10
    screenshot(page, "16b-admin-new-user-phone")
    form.get_by_role("button", name="保存").click()
    page.get_by_text("已创建").wait_for()
    assert first in page.locator(".otp").inner_text()
    logout(page)

    login(page, server.url, "zhou", first, forced_change="zhou-own-pass-1")
    page.goto(server.url + "/#/compounds")
    page.locator(".list-item").first.wait_for()
    names = set(page.locator(".list-item-title").all_inner_texts())
    erqi = {c["name"] for c in server.get("/api/compounds?street_id="
                                          + _unit_id(server, "淮河路街道"), "admin").json()["items"]}
    assert names == erqi and len(erqi) == 3


def _admin_opens_user(page, server, size: dict, name: str) -> None:  # noqa: ANN001
    """The admin, logged in at `size`, opens a user's page; confirmations are accepted."""
    _admin(page, server, size)
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator(".tab-bar").get_by_role("link", name="用户").click()
    page.get_by_role("link", name=name).click()


def _unit_id(server, name: str) -> str:  # noqa: ANN001
    return next(u["id"] for u in server.get("/api/organisation/tree", "admin").json()
                if u["name"] == name)


def test_a_reset_password_is_shown_once_and_must_be_changed_at_login(server, browser):
    page = browser.page()
    _admin_opens_user(page, server, DESKTOP, "赵经理（锦绣物业）")
    page.get_by_role("button", name="重置密码").click()
    one_time = page.locator("[data-testid=otp]").inner_text().strip()
    assert len(one_time) == 10
    screenshot(page, "16c-admin-reset-password-desk")
    logout(page)
    page.set_viewport_size(PHONE)
    page.goto(server.url + "/")
    page.get_by_label("用户名").fill("manager")
    page.get_by_label("密码").fill("xunjian-demo")
    page.get_by_role("button", name="登录").click()
    page.get_by_text("用户名或密码错误").wait_for()  # the old password is gone
    login(page, server.url, "manager", one_time, forced_change="jinxiu-new-pass-2")
    page.get_by_role("heading", name="工单").first.wait_for()
    assert server.token("manager", "jinxiu-new-pass-2")


def test_a_deactivated_users_open_session_is_refused_at_once(server, browser):
    token = server.token("inspector")
    me = httpx.get(f"{server.url}/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    page = browser.page()
    _admin_opens_user(page, server, PHONE, "李考核")
    page.get_by_role("button", name="停用").click()
    page.get_by_text("已停用，所有登录已注销").wait_for()
    refused = httpx.get(f"{server.url}/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401
    assert refused.json()["error"]["message"] in ("账号已停用", "登录已失效，请重新登录")


@pytest.mark.parametrize("size,label", [(DESKTOP, "desk"), (PHONE, "phone")])
def test_every_admin_screen_at_both_sizes(server, browser, size, label):
    page = browser.page()
    _admin(page, server, size)
    screens = [("#/admin", "待处理"), ("#/admin/org", "组织机构"), ("#/admin/org/import", "导入组织机构"),
               ("#/admin/org/companies", "物业服务企业"), ("#/admin/users", "用户管理"),
               ("#/admin/users/new", "新建用户"), ("#/admin/calendar", "节假日日历"),
               ("#/admin/rules", "规则设置"), ("#/admin/log", "操作日志")]
    for number, (route, heading) in enumerate(screens):
        page.goto(server.url + "/" + route)
        page.get_by_role("heading", name=heading).first.wait_for()
        page.wait_for_timeout(300)
        screenshot(page, f"16-admin-{number}-{route.strip('#/').replace('/', '-')}-{label}")
    page.goto(server.url + "/#/admin/org")
    page.get_by_role("link", name="社区 XX镇中心社区").click()
    page.locator(".list-item").first.click()
    page.locator("[data-testid=compound-facts]").wait_for()
    facts = page.locator("[data-testid=compound-facts]").inner_text()
    for label_text in ("老旧小区", "党支部", "建筑面积", "户数", "物业企业", "进驻日期"):
        assert label_text in facts
    screenshot(page, f"16-admin-compound-{label}")
