"""Issue 14, "must show": rubric inspections on the phone that really score, offline.

- 二七区's inspector starts rubric E on an old compound online, goes offline, records counts,
  a per-day count, a fixed deduction, satisfaction with its sample and two photos on items,
  plus a finding with a catalog type from an item; reloads mid-run and resumes; submits while
  offline; closes the browser, reopens it and goes online. The server then holds exactly one
  inspection with those observations, scored as `xunjian score` scores them; the finding's
  ticket has its due time; the supervisor's period ranking shows the compound with that score.
- 西岗区's supervisor assesses a street with X (time nodes), the same way.
Screenshots at 360×640 of each entry form, the summary and the plan.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tests.e2e.conftest import PHOTOS
from tests.e2e.flows import login, logout, screenshot, wait_for_cache, wait_for_worker, wait_outbox

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("shared_photos")]

COMPOUND = "建新街3号院"
EXPECTED = {"1": {"not_filed": True, "no_contract": False},  # 不扣分 is recorded, not left out
            "10": {"guard_absent": 2, "no_patrol_record": 5},
            "18": {"missing": 1},
            "20": {"satisfaction": {"value": 72.5, "sampled": 30, "households": 240}}}


def _item(page, base: str, item_id: str) -> None:  # noqa: ANN001
    page.goto(f"{base}/item/{item_id}")
    page.locator(".rubric-item").wait_for()


def _plan(server, browser, username: str):  # noqa: ANN001, ANN202
    """The user's inspection plan, with the catalog and rubrics cached for offline use."""
    page = browser.page()
    page.on("dialog", lambda d: d.accept())
    login(page, server.url, username)
    for name in ("catalog", "rubrics"):
        wait_for_cache(page, name)
    page.goto(server.url + "/#/inspect")
    return page


def _cli_score(tmp_path: Path, rubric: str, subject: str, inspection: dict, facts: dict) -> dict:
    doc = {"rubric": rubric, "subject": subject,
           "period": {"start": inspection["period_start"], "end": inspection["period_end"]},
           "facts": facts, "not_assessed": inspection["observations"].get("_not_assessed", []),
           "observations": {k: v for k, v in inspection["observations"].items()
                            if not k.startswith("_")}}
    submitted = inspection["submitted_at"][:10]
    if inspection["period_start"] <= submitted < inspection["period_end"]:
        doc["as_of"] = submitted
    path = tmp_path / f"{rubric}.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    out = subprocess.run([str(Path(sys.executable).parent / "xunjian"), "score", rubric, str(path)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_an_old_compound_assessed_with_rubric_e_offline_counts_once_as_the_engine_scores_it(
        server, browser, tmp_path):
    page = browser.page()
    page.on("dialog", lambda d: d.accept())
    login(page, server.url, "erqi")
    wait_for_worker(page)
    for name in ("compounds", "catalog", "rubrics"):
        wait_for_cache(page, name)

    page.goto(server.url + "/#/inspect")
    row = page.locator("[data-testid=plan-row]", has_text=COMPOUND).filter(has_text="明查").first
    row.wait_for()
    assert page.locator("[data-testid=plan-row]", has_text="嵩山南路锦华苑").count() == 0  # not old
    screenshot(page, "40-inspector-plan")
    row.get_by_role("button", name="开始明查").click()
    page.locator("[data-testid=running-score]").wait_for()
    base = page.url.split("#")[0] + "#" + page.url.split("#")[1]

    browser.context.set_offline(True)
    # counts: 保安缺岗 2 次 with the stepper, 无巡查记录 5 日 typed
    _item(page, base, "10")
    page.locator("[data-testid=clause-guard_absent]").get_by_role("button", name="加一").click()
    page.locator("[data-testid=clause-guard_absent]").get_by_role("button", name="加一").click()
    page.locator("[data-testid=count-no_patrol_record]").fill("5")
    page.locator("[data-testid=count-no_patrol_record]").blur()
    page.locator("[data-testid=clause-no_patrol_record]").get_by_text("5日 × 0.1 = 0.5").wait_for()
    page.locator("[data-testid=photo-gallery]").set_input_files(str(PHOTOS / "orientation_portrait_1.jpg"))
    page.locator(".photo-picker-item").first.wait_for(timeout=30000)
    screenshot(page, "41-inspector-item-stepper")
    # a fixed deduction: 未备案
    _item(page, base, "1")
    page.locator("[data-testid=yes-not_filed]").click()
    page.locator("[data-testid=clause-no_contract]").get_by_role("radio", name="不扣分").click()
    screenshot(page, "42-inspector-item-yesno")
    # satisfaction with its sample (households from the compound: 240)
    _item(page, base, "20")
    page.locator("[data-testid=measure-satisfaction-value]").fill("72.5")
    page.locator("[data-testid=measure-satisfaction-value]").blur()
    page.locator("[data-testid=measure-satisfaction-sampled]").fill("20")
    page.locator("[data-testid=measure-satisfaction-sampled]").blur()
    page.get_by_text("样本不足").wait_for()  # 20 of 240 = 8.3% < 10%
    screenshot(page, "43-inspector-item-measure-sample-short")
    page.locator("[data-testid=measure-satisfaction-sampled]").fill("30")
    page.locator("[data-testid=measure-satisfaction-sampled]").blur()
    page.get_by_text("样本 12.5%").wait_for()
    # a problem on the manhole item, with a catalog type mapped to it (JC04 井盖缺损), and a photo
    _item(page, base, "18")
    page.locator("[data-testid=photo-gallery]").set_input_files(str(PHOTOS / "gps_DSCN0010.jpg"))
    page.locator(".photo-picker-item").first.wait_for(timeout=30000)
    page.get_by_role("button", name="发现问题，登记并派单").click()
    page.locator(".problem-form .chip", has_text="井盖缺损").first.click()
    page.locator(".problem-form").get_by_label("说明").fill("2号楼北侧井盖缺失")
    screenshot(page, "44-inspector-item-problem")
    page.get_by_role("button", name="保存问题").click()
    page.get_by_text("本项次数已加 1").wait_for()

    page.reload()  # offline, mid-run: the draft is in IndexedDB
    page.locator("[data-testid=running-score]").wait_for()
    assert page.locator("[data-testid=count-missing]").input_value() == "1"
    page.goto(base)
    page.locator("[data-testid=running-score]").wait_for()
    screenshot(page, "45-inspector-run-overview")
    page.get_by_role("button", name="提交检查（离线也可）").click()
    page.get_by_text("等待网络").wait_for()
    screenshot(page, "46-inspector-summary-offline")
    local_total = page.locator("[data-testid=summary-score] .score-card-total").inner_text()

    browser.close()
    browser.open()  # online again
    page = browser.page()
    page.goto(server.url + "/#/inspect")
    items = wait_outbox(page, lambda xs: len(xs) == 2 and all(x["state"] == "sent" for x in xs))
    assert sorted(x["kind"] for x in items) == ["finding", "inspection"]

    [inspection] = server.get("/api/inspections?mine=true", "erqi").json()["items"]
    observed = {k: v for k, v in inspection["observations"].items() if not k.startswith("_")}
    assert observed == EXPECTED
    assert sum(len(v) for v in inspection["photos"].values()) == 2
    assert inspection["photos_missing"] == []
    expected = _cli_score(tmp_path, "E", COMPOUND, inspection,
                          {"area_m2": 18600, "moved_in": "2024-03-01", "households": 240})
    assert Decimal(inspection["total"]) == Decimal(expected["total"]) == Decimal(local_total)
    [finding_id] = inspection["finding_ids"]
    ticket = server.get(f"/api/tickets/{finding_id}", "erqi").json()
    assert ticket["due_at"] and ticket["finding"]["catalog_code"] == "JC04"
    assert ticket["finding"]["rubric_item"] == "18"

    page.goto(server.url + f"/#/inspect/done/{inspection['id']}")
    page.get_by_text("服务器已计分").wait_for()
    screenshot(page, "47-inspector-summary")

    # the supervisor's ranking of the month shows the compound with that score
    period = date.today().strftime("%Y-%m")
    report = server.get(f"/api/reports/{period}", "erqi_supervisor").json()
    [row] = [c for c in report["compounds"] if c["name"] == COMPOUND]
    assert Decimal(row["old_compound"]["total"]) == Decimal(inspection["total"])
    logout(page)
    login(page, server.url, "erqi_supervisor")
    page.goto(server.url + "/#/scores")
    page.locator("[data-testid=score-row]", has_text=COMPOUND).wait_for()
    assert str(Decimal(inspection["total"]).normalize()) in \
        page.locator("[data-testid=score-row]", has_text=COMPOUND).inner_text()
    screenshot(page, "48-supervisor-scores-with-e")
    # ... drills down to the inspection's items, and from there to an item's photo, full screen
    page.locator("[data-testid=score-row]", has_text=COMPOUND).locator("[data-testid=inspection-link]").click()
    item10 = page.locator("[data-testid=detail-item]", has_text="安保与巡查")
    item10.get_by_text("2次 × 0.5 = 1（记录：2）").wait_for()
    item10.get_by_role("button", name="查看第10项照片第 1 张").click()
    page.locator(".viewer img").wait_for()
    assert page.locator(".viewer img").evaluate("img => img.complete && img.naturalWidth > 0")
    screenshot(page, "48b-supervisor-inspection-photo")


def test_a_district_user_assesses_a_street_with_x_time_nodes(server, browser, tmp_path):
    page = _plan(server, browser, "xigang")
    # S (seed 000, yearly) and X (西岗区's half-year assessment) both apply to the street
    row = page.locator("[data-testid=plan-row]", has_text="白云街道").filter(has_text="半年考核").first
    row.wait_for()
    row.get_by_role("button", name="开始明查").click()
    page.locator("[data-testid=running-score]").wait_for()
    base = page.url.split("#")[0] + "#" + page.url.split("#")[1]
    # 5.2: 每季度末21日之前报送: this half year's September node, reported late
    _item(page, base, "5.2")
    nodes = page.locator("[data-testid^=node-][data-testid$=-late]")
    first = nodes.first.get_attribute("data-testid").split("-")
    deadline = "-".join(first[1:4])
    nodes.first.click()
    late_day = deadline[:8] + "25"
    page.locator(f"[data-testid=node-{deadline}-date]").fill(late_day)
    page.locator(f"[data-testid=node-{deadline}-date]").blur()
    page.get_by_text("逾期报送").first.wait_for()
    screenshot(page, "49-supervisor-item-time-nodes")
    page.locator("[data-testid=count-unrecorded]").fill("2")
    page.locator("[data-testid=count-unrecorded]").blur()
    page.goto(base)
    page.get_by_role("button", name="提交检查（离线也可）").click()
    page.get_by_text("服务器已计分").wait_for(timeout=30000)

    [inspection] = [i for i in server.get("/api/inspections?mine=true", "xigang").json()["items"]
                    if i["rubric_id"] == "X" and i["submitted_at"] and i["period_start"] != "2021-01-01"]
    assert inspection["observations"]["5.2"] == {"report": {deadline: late_day}, "unrecorded": 2}
    expected = _cli_score(tmp_path, "X", "白云街道", inspection, {})
    assert Decimal(inspection["total"]) == Decimal(expected["total"])


def test_every_entry_form_and_the_supervisors_coverage_check(server, browser):
    """The remaining entry forms at 360×640: awarded points and the veto (rubric D on a compound
    with a party branch), bonus occurrences and a measured value with its sample (P's 附加分),
    an item the server computes (L, 待汇总); then the district supervisor's plan: every
    compound's 明查 and 暗访 of the month, which are done and which are missing."""
    page = _plan(server, browser, "inspector")

    def start(compound: str, rubric: str) -> str:
        row = page.locator("[data-testid=plan-row]", has_text=compound).filter(has_text=rubric).first
        row.get_by_role("button").first.click()
        page.locator("[data-testid=running-score]").wait_for()
        return page.url.split("#")[0] + "#" + page.url.split("#")[1]

    base = start("锦绣花园", "党建引领")
    assert page.locator("[data-testid=plan-row]").count() == 0  # on the run's screen now
    _item(page, base, "1.1.1")
    screenshot(page, "50-inspector-item-veto")
    _item(page, base, "1.1.2")
    page.locator("[data-testid=award-score]").fill("2.5")
    page.locator("[data-testid=award-score]").blur()
    page.get_by_text("得 2.5 / 3").wait_for()
    screenshot(page, "51-inspector-item-award")

    page.goto(server.url + "/#/inspect")
    base = start("锦绣花园", "物业管理工作考核细则")
    _item(page, base, "B1")
    page.locator("[data-testid=clause-activities]").get_by_role("button", name="加一").click()
    page.get_by_text("1例 × 2 = 2").wait_for()
    screenshot(page, "52-inspector-item-bonus")
    _item(page, base, "B2")
    page.locator("[data-testid=measure-satisfaction-value]").fill("92")
    page.locator("[data-testid=measure-satisfaction-value]").blur()
    screenshot(page, "53-inspector-item-measure")

    page.goto(server.url + "/#/inspect")
    base = start("锦绣花园", "长效管理")
    _item(page, base, "1")
    page.get_by_text("待汇总").first.wait_for()
    screenshot(page, "54-inspector-item-pending")
    assert page.locator("[data-testid=clause-findings]").count() == 1

    logout(page)
    login(page, server.url, "supervisor")
    page.goto(server.url + "/#/inspect")
    page.locator("[data-testid=plan-counts]").wait_for()
    rows = page.locator("[data-testid=plan-row]")
    assert rows.filter(has_text="暗访").count() >= 6 and rows.filter(has_text="明查").count() >= 6
    screenshot(page, "55-supervisor-coverage")


def test_the_same_problem_logged_again_becomes_a_supplement_to_the_open_ticket(server, browser):
    """Issue 14 item 8: before saving, the phone shows the open finding of the same type at the
    same compound and building (银杏苑's caved-in road by the south gate, overdue in the demo);
    同一问题，补充照片 adds the photo to it instead of a second ticket that would cost twice."""
    page = browser.page()
    login(page, server.url, "inspector")
    for name in ("compounds", "catalog", "tickets"):
        wait_for_cache(page, name)
    [open_ticket] = [t for t in server.get("/api/tickets?limit=200", "supervisor").json()["items"]
                     if t["compound_name"] == "银杏苑" and t["catalog_code"] == "JC02"]
    before = len(server.get(f"/api/tickets/{open_ticket['id']}", "supervisor").json()["events"])

    page.goto(server.url + "/#/compounds")
    page.get_by_role("link", name="银杏苑").first.click()
    page.get_by_label("问题类型").fill("道路")
    page.locator(".chip", has_text="小区道路破损").first.click()
    page.get_by_label("楼栋 / 位置").fill("南门")
    near = page.locator("[data-testid=near-duplicates]")
    near.get_by_text("南门道路路面塌陷约1平方米").wait_for()
    near.get_by_role("button", name="同一问题，补充照片").click()
    near.get_by_text("请先拍照，再补充到已有问题").wait_for()  # a supplement is a photo
    page.locator("[data-testid=photo-gallery]").set_input_files(str(PHOTOS / "gps_DSCN0010.jpg"))
    page.locator(".photo-picker-item").first.wait_for(timeout=30000)
    screenshot(page, "56-inspector-near-duplicate")
    near.get_by_role("button", name="同一问题，补充照片").click()
    wait_outbox(page, lambda xs: len(xs) == 1 and xs[0]["kind"] == "event" and xs[0]["state"] == "sent")

    ticket = server.get(f"/api/tickets/{open_ticket['id']}", "supervisor").json()
    assert len(ticket["events"]) == before + 1
    supplement = ticket["events"][-1]
    assert supplement["kind"] == "supplement" and len(supplement["photos"]) == 1
    assert ticket["state"] == open_ticket["state"]  # the clock and the state are untouched
    assert not [t for t in server.get("/api/tickets?limit=200", "supervisor").json()["items"]
                if t["compound_name"] == "银杏苑" and t["catalog_code"] == "JC02" and t["id"] != open_ticket["id"]]
