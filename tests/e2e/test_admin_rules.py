"""Issue 16, "must show" (rules in force): the admin adds the coming year's holidays and a
provisional ticket is recomputed, audited and no longer 临时; sets the 二等奖 amount and the
next notice shows it with the settings version; uploads a rubric file with an error and sees
the line and the reason. At 1280×800 and 360×640."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import httpx
import pytest
from openpyxl import load_workbook

from backend.worktime.calendar import package_calendar
from tests.admin.test_rules_in_force import RUBRIC
from tests.e2e.conftest import Server
from tests.e2e.flows import login, logout, screenshot
from tests.e2e.test_supervisor_periods import _last_month

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 640}


def _admin_opens(page, server, size: dict, tab: str) -> None:  # noqa: ANN001
    page.set_viewport_size(size)
    login(page, server.url, "admin")
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator(".tab-bar").get_by_role("link", name=tab).click()


@pytest.fixture
def late_december(tmp_path_factory):  # noqa: ANN001, ANN201
    """A server whose clock reads 28 December 10:00 of the last year the holiday calendar
    covers: the next year's holidays are not published yet, as every December."""
    year = max(package_calendar().package_years) + 1
    then = datetime(year - 1, 12, 28, 2, 0, tzinfo=timezone.utc)  # 10:00 in Beijing
    offset = (then - datetime.now(timezone.utc)).total_seconds()
    srv = Server(tmp_path_factory.mktemp("xj-december"),
                 extra_env={"XUNJIAN_CLOCK_OFFSET_SECONDS": str(offset)})
    srv.start()
    yield srv, year
    srv.stop()
    print("---- server log (tail) ----\n" + srv.log.read_text(errors="replace")[-4000:])


def test_the_coming_years_holidays_recompute_a_provisional_ticket_audited(late_december, browser):
    server, year = late_december
    compound = server.get("/api/compounds", "inspector").json()["items"][0]
    r = server.post("/api/findings", "inspector", json={
        "id": str(uuid.uuid4()), "compound_id": compound["id"], "catalog_code": "WJ01",
        "description": "楼顶私搭乱建", "observed_at": f"{year - 1}-12-28T09:50:00+08:00"})
    assert r.status_code in (200, 201), r.text
    ticket = r.json()["ticket"]
    assert ticket["due_provisional"] is True and ticket["due_at"].startswith(str(year))

    page = browser.page()
    _admin_opens(page, server, DESKTOP, "日历")
    page.get_by_text(f"{year} 年节假日安排尚未录入").wait_for()
    entries = page.get_by_role("form", name="本地录入的节假日")
    entries.get_by_role("checkbox", name=f"{year} 年").check()
    entries.get_by_role("button", name="添加一项").click()
    entries.get_by_label("开始").fill(f"{year}-01-01")
    entries.get_by_label("结束").fill(f"{year}-01-01")
    entries.get_by_label("名称").fill("元旦")
    entries.get_by_label("依据（记入日志）").fill(f"国务院办公厅关于{year}年部分节假日安排的通知")
    screenshot(page, "16d-admin-calendar-year-desk")
    entries.get_by_role("button", name="保存并重算到期时间").click()
    page.get_by_text("1 张工单的到期时间已按新日历重算").wait_for()
    page.get_by_text("今明两年的节假日安排均已录入").wait_for()

    after = server.get(f"/api/tickets/{ticket['id']}", "supervisor").json()
    assert after["due_provisional"] is False and after["due_at"] > ticket["due_at"]
    audit = server.get("/api/audit?action=ticket", "admin").json()["items"]
    assert [(e["action"], e["object_id"], e["actor_name"]) for e in audit] == \
        [("ticket.due_recomputed", ticket["id"], "系统管理员")]
    logout(page)
    page.set_viewport_size(PHONE)
    login(page, server.url, "supervisor")
    page.goto(server.url + f"/#/ticket/{ticket['id']}")
    page.get_by_text("楼顶私搭乱建").first.wait_for()
    assert "（临时）" not in page.locator("main").inner_text()


def test_the_second_prize_set_by_the_admin_is_in_the_next_notice_with_its_version(
        server, browser, tmp_path):
    page = browser.page()
    _admin_opens(page, server, DESKTOP, "规则")
    # seed 003's subsidy terms are the district's to set, shown as the seed states them
    good = page.get_by_label("良好等次的补贴标准（元/㎡/月） 的值")
    assert good.input_value() == "0.20"
    assert "按标准原值" in page.get_by_role("row", name="良好等次的补贴标准").inner_text()
    prize = page.get_by_label("二等奖 的 奖金金额 的值")
    prize.fill("3000")
    page.get_by_label("修改原因（记入日志）").fill("区财政确认二等奖每名3000元")
    page.get_by_role("button", name="保存修改（1 项）").click()
    page.get_by_text("已保存为第 1 版设置").wait_for()
    assert "第 1 版设置" in page.locator("[data-testid=settings-in-force]").inner_text()
    screenshot(page, "16e-admin-rules-desk")
    logout(page)

    # the demo published last month under the files' values; re-opened, it is computed again
    login(page, server.url, "supervisor")
    key = _last_month(server.get("/api/scores", "supervisor").json())
    page.goto(server.url + f"/#/scores?period={key}")
    page.get_by_text("已发布 · 冻结于").wait_for()
    assert "标准文件原值" in page.locator("[data-testid=settings-version]").inner_text()
    page.get_by_role("button", name="重新开放").click()
    page.get_by_label("重新开放的理由").fill("二等奖金额确认后重新计算")
    page.get_by_role("button", name="确认重新开放").click()
    page.get_by_text("未发布").wait_for()
    page.locator("[data-testid=settings-version]", has_text="规则第 1 版").wait_for()
    rows = page.locator("[data-testid=score-row]", has_text="二等奖")
    assert rows.count() >= 1 and "奖金 3,000.00 元" in rows.first.inner_text()
    with page.expect_download() as download:
        page.get_by_role("button", name="导出通报（Excel）").click()
    path = tmp_path / "notice.xlsx"
    download.value.save_as(path)
    sheet = next(s for s in load_workbook(path).worksheets
                 if any(r[0].value == "奖金（元）" for r in s.iter_rows()))
    cells = {r[0].value: [c.value for c in r] for r in sheet.iter_rows(min_row=3)}
    second = [i for i, v in enumerate(cells["奖项"]) if v == "二等奖"]
    assert second and all(cells["奖金（元）"][i] == 3000 for i in second)
    assert cells["评分规则：第 1 版系统设置"] is not None


BROKEN_RUBRIC = RUBRIC.replace("    points: 10\n", "    points: 十分\n")


def test_a_rubric_file_with_an_error_shows_its_line_and_reason(server, browser, tmp_path):
    upload = tmp_path / "Q.yaml"
    upload.write_text(BROKEN_RUBRIC, encoding="utf-8")
    page = browser.page()
    _admin_opens(page, server, PHONE, "规则")
    page.locator("[data-testid=rubric-file]").set_input_files(str(upload))
    page.get_by_role("button", name="检查并上传").click()
    error = page.locator(".notice-error", has_text="Q.yaml 第 12 行")
    error.wait_for()
    assert "points" in error.inner_text()
    error.evaluate("e => e.scrollIntoView({ block: 'center' })")
    screenshot(page, "16f-admin-rubric-error-phone", at_top=False)
    settings = httpx.get(f"{server.url}/api/settings",
                         headers={"Authorization": f"Bearer {server.token('admin')}"}).json()
    assert settings["version"] == 0 and settings["rubric_files"] == []


def test_the_admin_moves_the_afternoon_window_and_the_next_tickets_use_it(server, browser):
    page = browser.page()
    _admin_opens(page, server, DESKTOP, "日历")
    standard = page.locator("[data-testid=schedule-standard]")
    standard.get_by_label("工作时段（如 08:30-12:00, 13:30-17:30）").fill("08:30-12:00，14:00-18:00")
    standard.get_by_label("工作时段（如 08:30-12:00, 13:30-17:30）").blur()
    schedules = page.get_by_role("form", name="作息时间")
    schedules.get_by_label("修改原因（记入日志）").fill("5月1日起执行夏令作息")
    schedules.get_by_role("button", name="保存作息时间").click()
    done = page.get_by_text("此后派发的工单按新作息计算期限")
    done.wait_for()
    standard.evaluate("e => e.scrollIntoView({ block: 'start' })")
    screenshot(page, "16g-admin-schedules-desk", at_top=False)
    settings = httpx.get(f"{server.url}/api/settings",
                         headers={"Authorization": f"Bearer {server.token('admin')}"}).json()
    assert settings["schedules_configured"] and settings["version"] == 1
    assert settings["schedules"]["schedules"]["standard"]["windows"] == ["08:30-12:00", "14:00-18:00"]
    audit = server.get("/api/audit?action=settings", "admin").json()["items"]
    assert [e["action"] for e in audit] == ["settings.schedules"]
