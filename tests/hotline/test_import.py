"""Issue 18: importing 12345 work orders through the API, as a supervisor would: bad inputs
reported by line and column with nothing half-stored, the deadline an order states, the update
of a later export as ticket events, the review queue and its aliases, and a frozen period."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from backend.findings.models import Finding, Ticket, TicketEvent
from backend.hotline.models import HotlineConflict, WorkOrder
from tests.personas import World, world  # noqa: F401

HEADER = ["工单编号", "受理时间", "诉求内容", "诉求地址", "诉求分类", "承办单位", "办理时限",
          "回复时间", "工单状态", "回访结果", "满意度", "级别"]
ZONE = ZoneInfo("Asia/Shanghai")


def order(no: str, **values: str) -> list[str]:
    row = {"工单编号": no, "受理时间": "2026-11-03 09:15", "诉求内容": "3号楼门口井盖破损，有安全隐患",
           "诉求地址": "东街道东苑3号楼", "诉求分类": "城市管理", "承办单位": "东街道",
           "办理时限": "", "回复时间": "", "工单状态": "处理中", "回访结果": "", "满意度": "",
           "级别": "区级"}
    row.update(values)
    return [row[h] for h in HEADER]


def export(*rows: list[str], encoding: str = "utf-8", header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode(encoding)


def upload(client, w: World, raw: bytes, name: str = "工单.csv", **form: str):  # noqa: ANN001, ANN201
    return client.post("/api/hotline/imports", headers=w.headers("supervisor"),
                       files={"file": (name, raw, "text/csv")}, data=form)


def stored(db) -> tuple[int, int, int]:  # noqa: ANN001
    return tuple(db.execute(select(func.count()).select_from(t)).scalar_one()
                 for t in (WorkOrder, Finding, TicketEvent))


def test_an_order_becomes_a_hotline_case_of_its_compound_due_by_its_own_time_limit(client, world, db):  # noqa: F811
    raw = export(order("12345-001", 办理时限="2026-11-05 17:30"), order("12345-002"), encoding="gbk")
    answer = upload(client, world, raw)
    assert answer.status_code == 201, answer.text
    report = answer.json()
    assert (report["created"], report["review"], report["errors"]) == (2, 0, [])
    case = db.execute(select(Finding).where(Finding.case_no == "12345-001")).scalar_one()
    ticket = db.get(Ticket, case.id)
    assert (case.source, case.compound_id, case.catalog_code, case.building, case.case_level) == \
        ("hotline", world.compounds["east_a"].id, "JC04", "3号楼", "district")
    assert ticket.company_id == world.compounds["east_a"].company_id
    assert ticket.due_at == datetime(2026, 11, 5, 17, 30, tzinfo=ZONE)
    # without a time limit: the catalog's 3 工作日 from acceptance, Tue 09:15 → by the close
    # of Friday (the deadlines' civil work-day rule)
    other = db.get(Ticket, db.execute(select(Finding.id).where(Finding.case_no == "12345-002")).scalar_one())
    assert (other.deadline_amount, other.deadline_unit) == (3, "工作日")
    assert other.due_at == datetime(2026, 11, 6, 17, 30, tzinfo=ZONE)


def test_a_reply_is_the_rectification_and_banjie_closes_the_case_late_when_after_the_limit(client, world, db):  # noqa: F811
    raw = export(order("12345-010", 办理时限="2026-11-04 17:30", 回复时间="2026-11-06 10:00",
                       工单状态="已办结", 回访结果="未解决"))
    assert upload(client, world, raw).json()["created"] == 1
    case = db.execute(select(Finding).where(Finding.case_no == "12345-010")).scalar_one()
    ticket = db.get(Ticket, case.id)
    assert ticket.state == "closed" and ticket.overdue_at_close is True
    assert ticket.rectified_at == datetime(2026, 11, 6, 10, 0, tzinfo=ZONE)
    assert case.case_callback_failed is True  # 核查不符: the callback says it is not fixed
    kinds = db.execute(select(TicketEvent.kind).where(TicketEvent.ticket_id == case.id)
                       .order_by(TicketEvent.seq)).scalars().all()
    assert kinds == ["dispatch", "rectify", "close"]


@pytest.mark.parametrize("values, line_error", [
    ({"受理时间": "十一月三日"}, ("受理时间（B列）", "无法识别的时间")),
    ({"受理时间": ""}, ("受理时间（B列）", "缺少受理时间")),
    ({"回复时间": "2026-11-01 08:00"}, ("回复时间（H列）", "回复时间早于受理时间")),
    ({"级别": "省级"}, ("级别（L列）", "应为 市级 或 区级")),
    ({"办理时限": "尽快"}, ("办理时限（G列）", "应为时间")),
    ({"办理时限": "0个工作日"}, ("办理时限（G列）", "应大于 0 且不超过一年")),
    ({"办理时限": "99999天"}, ("办理时限（G列）", "应大于 0 且不超过一年")),
    ({"办理时限": "2026-11-01 08:00"}, ("办理时限（G列）", "办理时限早于受理时间")),
    ({"办理时限": "5"}, ("办理时限（G列）", "不在 2000–2100 年之间")),  # a day count read as a date
    ({"受理时间": "1960-05-01 09:00"}, ("受理时间（B列）", "不在 2000–2100 年之间")),
    ({"受理时间": "2099-01-01 09:00"}, ("受理时间（B列）", "受理时间晚于现在")),
    ({"工单状态": "已办结"}, ("回复时间（H列）", "工单已办结，但没有回复/办结时间")),
])
def test_a_bad_line_is_reported_with_its_line_and_column_and_stores_nothing(
        client, world, db, values, line_error):  # noqa: ANN001, F811
    raw = export(order("12345-020"), order("12345-021", **values), order("12345-022"))
    before = stored(db)
    report = upload(client, world, raw).json()
    assert report["created"] == 2
    [error] = report["errors"]
    assert error["line"] == 3 and error["column"] == line_error[0]
    assert line_error[1] in error["message"]
    assert db.get(WorkOrder, "12345-021") is None
    assert stored(db)[1] == before[1] + 2


def test_a_number_repeated_with_other_content_is_an_error_of_the_later_line(client, world, db):  # noqa: F811
    raw = export(order("12345-030"), order("12345-030"), order("12345-030", 诉求内容="楼道堆放杂物"))
    report = upload(client, world, raw).json()
    assert (report["created"], report["duplicates"]) == (1, 1)
    [error] = report["errors"]
    assert error["line"] == 4 and "与第 2 行相同，但内容不同" in error["message"]


@pytest.mark.parametrize("raw, name, code", [
    (b"", "a.csv", "file_empty"),
    (b"\xd0\xcf\x11\xe0" + b"\0" * 100, "a.xls", "file_unreadable"),
    ("标题\n甲,乙\n1,2\n".encode(), "a.csv", "header_not_found"),
    (b"PK\x03\x04broken", "a.xlsx", "file_unreadable"),
])
def test_a_file_that_cannot_be_read_is_refused_whole_in_chinese(client, world, db, raw, name, code):  # noqa: ANN001, F811
    before = stored(db)
    answer = upload(client, world, raw, name)
    assert answer.status_code in (413, 422) and answer.json()["error"]["code"] == code
    assert stored(db) == before


def test_a_mapping_that_names_a_missing_column_is_refused(client, world, db):  # noqa: F811
    answer = upload(client, world, export(order("12345-040")),
                    mapping='{"case_no": "工单编号", "accepted_at": "来电日期"}')
    assert answer.status_code == 422
    assert "来电日期" in answer.json()["error"]["message"]


def test_a_saved_mapping_reads_another_platforms_columns(client, world, db):  # noqa: F811
    header = ["案件号", "登记日期时间", "问题", "位置", "类型", "部门", "期限", "答复", "结果", "回访", "评价", "来源"]
    raw = export(order("SZ-1"), header=header)
    columns = dict(zip(("case_no", "accepted_at", "content", "address"), header[:4]))
    preview = client.post("/api/hotline/preview", headers=world.headers("supervisor"),
                          files={"file": ("x.csv", raw)}, data={"mapping": __import__("json").dumps(columns)})
    assert preview.status_code == 200, preview.text
    assert preview.json()["rows"][0]["case_no"] == "SZ-1"
    report = upload(client, world, raw, mapping=__import__("json").dumps(columns), save_as="苏州12345")
    assert report.json()["created"] == 1
    saved = client.get("/api/hotline/mappings", headers=world.headers("supervisor")).json()
    assert saved[0]["name"] == "苏州12345" and saved[0]["columns"] == columns
    # the next file of that platform is read with the saved mapping, without being told
    again = upload(client, world, export(order("SZ-2"), header=header)).json()
    assert again["created"] == 1


def test_importing_the_same_file_again_changes_nothing(client, world, db):  # noqa: F811
    raw = export(order("12345-050", 回复时间="2026-11-03 15:00", 工单状态="办结"), order("12345-051"),
                 order("12345-052", 诉求地址="人民路128号沿街商铺"))
    first = upload(client, world, raw).json()
    assert (first["created"], first["review"]) == (2, 1)
    before = stored(db)
    second = upload(client, world, raw).json()
    # the order still waiting for review is counted as waiting, not stored twice
    assert (second["created"], second["updated"], second["unchanged"], second["review"]) == (0, 0, 2, 1)
    assert stored(db) == before


def test_a_later_export_moves_the_case_by_events_naming_its_file(client, world, db):  # noqa: F811
    upload(client, world, export(order("12345-060", 办理时限="2026-11-05 17:30")), "十一月第一周.csv")
    later = export(order("12345-060", 办理时限="2026-11-06 17:30", 回复时间="2026-11-05 16:00",
                         工单状态="办结", 满意度="满意"))
    report = upload(client, world, later, "十一月第二周.csv").json()
    assert (report["created"], report["updated"]) == (0, 1)
    case_id = db.execute(select(Finding.id).where(Finding.case_no == "12345-060")).scalar_one()
    events = db.execute(select(TicketEvent).where(TicketEvent.ticket_id == case_id)
                        .order_by(TicketEvent.seq)).scalars().all()
    assert [e.kind for e in events] == ["dispatch", "due_recomputed", "rectify", "close", "hotline_update"]
    assert all(e.detail["source_file"] == "十一月第二周.csv" for e in events[1:])
    ticket = db.get(Ticket, case_id)
    assert ticket.state == "closed" and ticket.overdue_at_close is False
    assert ticket.due_at == datetime(2026, 11, 6, 17, 30, tzinfo=ZONE)


def test_an_unmatched_order_waits_for_review_and_its_alias_matches_the_next_import(client, world, db):  # noqa: F811
    raw = export(order("12345-070", 诉求地址="东街道东方苑小区5幢"))
    assert upload(client, world, raw).json()["review"] == 1
    queue = client.get("/api/hotline/review", headers=world.headers("supervisor")).json()
    [item] = queue["items"]
    assert item["case_no"] == "12345-070" and item["suggested_alias"] == "东方苑小区"
    assert item["building"] == "5号楼"
    answer = client.post("/api/hotline/review/12345-070", headers=world.headers("supervisor"),
                         json={"compound_id": str(world.compounds["east_a"].id),
                               "catalog_code": "JC04", "alias": item["suggested_alias"]})
    assert answer.status_code == 200, answer.text
    case = db.execute(select(Finding).where(Finding.case_no == "12345-070")).scalar_one()
    assert (case.compound_id, case.building) == (world.compounds["east_a"].id, "5号楼")
    assert client.get("/api/hotline/review", headers=world.headers("supervisor")).json()["total"] == 0
    again = upload(client, world, export(order("12345-071", 诉求地址="东方苑2栋"))).json()
    assert (again["created"], again["review"]) == (1, 0)


def test_resolving_outside_ones_scope_or_with_an_unknown_type_is_refused(client, world, db):  # noqa: F811
    upload(client, world, export(order("12345-080", 诉求地址="不存在的地方")))
    bad_type = client.post("/api/hotline/review/12345-080", headers=world.headers("supervisor"),
                           json={"compound_id": str(world.compounds["east_a"].id), "catalog_code": "ZZ99"})
    assert bad_type.status_code == 422 and "ZZ99" in bad_type.json()["error"]["message"]
    assert client.post("/api/hotline/review/12345-999", headers=world.headers("supervisor"),
                       json={"compound_id": str(world.compounds["east_a"].id),
                             "catalog_code": "JC04"}).status_code == 404
    assert client.post("/api/hotline/review/12345-080", headers=world.headers("inspector"),
                       json={"compound_id": str(world.compounds["east_a"].id),
                             "catalog_code": "JC04"}).status_code == 403


def test_an_import_never_changes_a_published_period_and_lists_the_conflict(client, world, db):  # noqa: F811
    headers = world.headers("supervisor")
    upload(client, world, export(order("12345-090")))
    assert client.post("/api/reports/2026-11/freeze", params={"unit_id": str(world.units["district"].id)},
                       headers=headers).status_code == 200
    before = stored(db)
    later = export(order("12345-090", 回复时间="2026-11-05 10:00", 工单状态="办结"),
                   order("12345-091"))
    report = upload(client, world, later, "十二月补报.csv").json()
    assert (report["created"], report["updated"], report["conflicts"]) == (0, 0, 2)
    assert stored(db)[1:] == before[1:]
    listed = client.get("/api/hotline/conflicts", headers=headers).json()
    assert {c["case_no"] for c in listed} == {"12345-090", "12345-091"}
    assert all(c["filename"] == "十二月补报.csv" and "2026年11月" in c["period"] for c in listed)
    # imported again while still frozen: the same conflicts, listed once
    upload(client, world, later)
    assert len(client.get("/api/hotline/conflicts", headers=headers).json()) == 2
    assert db.execute(select(func.count()).select_from(HotlineConflict)).scalar_one() == 2


def test_the_import_command_names_each_bad_line_and_keeps_the_good_ones(client, world, db, tmp_path):  # noqa: F811
    """`xunjian import hotline FILE --as supervisor`: the API's import from a shell."""
    from typer.testing import CliRunner

    from backend.cli import app

    path = tmp_path / "十一月.csv"
    path.write_bytes(export(order("CLI-1"), order("CLI-2", 受理时间="昨天"), encoding="gbk"))
    result = CliRunner().invoke(app, ["import", "hotline", str(path), "--as", "supervisor"])
    assert result.exit_code == 1, result.output
    assert "新建案卷 1" in result.output
    assert f"{path}:3: 受理时间（B列）" in result.output
    assert db.execute(select(Finding.id).where(Finding.case_no == "CLI-1")).first() is not None
    missing = CliRunner().invoke(app, ["import", "hotline", str(path), "--as", "nobody"])
    assert missing.exit_code == 1 and "没有可用的督查或管理员账号" in missing.output


def test_every_keyword_rule_names_a_type_of_the_catalog():
    """rubrics/hotline.yaml stays in step with catalog.yaml (a rule naming no type would put its
    orders in review for ever)."""
    from backend.findings import deadlines
    from backend.hotline.rules import rules as hotline_rules

    rules = hotline_rules()
    assert rules.types and rules.callback_failed_words
    assert [r.code for r in rules.types if deadlines.catalog_entry(r.code) is None] == []


def test_a_waiting_order_that_is_no_compounds_problem_is_left_out_with_its_reason(client, world, db):  # noqa: F811
    upload(client, world, export(order("12345-100", 诉求地址="人民路128号沿街商铺")))
    headers = world.headers("supervisor")
    assert client.post("/api/hotline/review/12345-100/dismiss", headers=headers,
                       json={"reason": "x"}).status_code == 422  # a reason of two characters at least
    answer = client.post("/api/hotline/review/12345-100/dismiss", headers=headers,
                         json={"reason": "沿街商铺，不属于住宅小区"})
    assert answer.status_code == 200, answer.text
    assert client.get("/api/hotline/review", headers=headers).json()["total"] == 0
    assert db.get(WorkOrder, "12345-100").finding_id is None
    # imported again, it stays out (nothing about it changed)
    assert upload(client, world, export(order("12345-100", 诉求地址="人民路128号沿街商铺"))).json()["unchanged"] == 1


def test_saving_an_alias_matches_the_orders_already_waiting_with_that_variant(client, world, db):  # noqa: F811
    upload(client, world, export(order("12345-110", 诉求地址="东方苑小区5幢"),
                                 order("12345-111", 诉求地址="东方苑7号楼", 诉求内容="楼道堆放杂物")))
    headers = world.headers("supervisor")
    assert client.get("/api/hotline/review", headers=headers).json()["total"] == 2
    answer = client.post("/api/hotline/review/12345-110", headers=headers,
                         json={"compound_id": str(world.compounds["east_a"].id),
                               "catalog_code": "JC04", "alias": "东方苑"})
    assert answer.json()["rematched"] == 1
    assert client.get("/api/hotline/review", headers=headers).json()["total"] == 0
    other = db.execute(select(Finding).where(Finding.case_no == "12345-111")).scalar_one()
    assert (other.compound_id, other.catalog_code, other.building) == \
        (world.compounds["east_a"].id, "HJ03", "7号楼")


def test_each_supervisor_sees_only_the_waiting_orders_and_imports_of_their_own_units(client, world, db):  # noqa: F811
    """An order waiting for review has no compound yet: it belongs to the units of whoever
    imported it. A supervisor of another district sees neither it nor the import."""
    theirs = _other_district_supervisor(client, db)
    upload(client, world, export(order("12345-120", 诉求地址="不存在的地方")))
    assert client.get("/api/hotline/review", headers=world.headers("supervisor")).json()["total"] == 1
    assert client.get("/api/hotline/review", headers=world.headers("admin")).json()["total"] == 1
    assert client.get("/api/hotline/review", headers=theirs).json()["total"] == 0
    assert client.get("/api/hotline/imports", headers=theirs).json() == []
    assert client.post("/api/hotline/review/12345-120/dismiss", headers=theirs,
                       json={"reason": "不是我们的"}).status_code == 404


def _case(db, case_no: str) -> Finding:  # noqa: ANN001
    return db.execute(select(Finding).where(Finding.case_no == case_no)).scalar_one()


def _kinds(db, case_no: str) -> list[str]:  # noqa: ANN001
    return list(db.execute(select(TicketEvent.kind).where(TicketEvent.ticket_id == _case(db, case_no).id)
                           .order_by(TicketEvent.seq)).scalars())


def _other_district_supervisor(client, db) -> dict:  # noqa: ANN001
    from backend.auth import users
    from backend.auth.models import Role, UserCreate
    from backend.organisation import service as org
    from backend.organisation.models import OrgUnitCreate, UnitLevel
    from tests.personas import PASSWORD

    other = org.create_unit(db, OrgUnitCreate(name="YY区", level=UnitLevel.district))
    users.create_user(db, UserCreate(username="yy_supervisor", display_name="YY区督查",
                                     role=Role.supervisor, password=PASSWORD, unit_ids=[other.id]),
                      actor_id=None)
    db.commit()
    token = client.post("/api/auth/login", json={"username": "yy_supervisor",
                                                 "password": PASSWORD}).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def test_an_import_cannot_move_a_case_outside_the_importers_scope(client, world, db):  # noqa: F811
    upload(client, world, export(order("12345-130")))
    theirs = _other_district_supervisor(client, db)
    answer = client.post("/api/hotline/imports", headers=theirs, files={"file": ("x.csv", export(
        order("12345-130", 回复时间="2026-11-04 10:00", 工单状态="办结")), "text/csv")}).json()
    assert answer["updated"] == 0 and "管辖范围以外" in answer["errors"][0]["message"]
    assert _kinds(db, "12345-130") == ["dispatch"]


def test_a_case_entered_by_hand_is_updated_by_the_import_not_doubled(client, world, db):  # noqa: F811
    created = client.post("/api/findings", headers=world.headers("supervisor"), json={
        "id": "01936f9a-0000-7000-8000-000000000131", "compound_id": str(world.compounds["east_a"].id),
        "catalog_code": "JC04", "source": "hotline", "case_no": "12345-131", "description": "井盖破损",
        "observed_at": "2026-11-03T09:15:00+08:00", "photos": []})
    assert created.status_code in (200, 201), created.text
    report = upload(client, world, export(order("12345-131", 回复时间="2026-11-04 10:00"))).json()
    assert (report["created"], report["updated"]) == (0, 1)
    assert db.execute(select(func.count()).select_from(Finding).where(Finding.case_no == "12345-131")
                      ).scalar_one() == 1
    assert _kinds(db, "12345-131") == ["dispatch", "rectify", "hotline_update"]


def test_a_dismissed_order_restated_later_stays_out_without_failing_the_import(client, world, db):  # noqa: F811
    upload(client, world, export(order("12345-140", 诉求地址="人民路128号沿街商铺")))
    client.post("/api/hotline/review/12345-140/dismiss", headers=world.headers("supervisor"),
                json={"reason": "沿街商铺，不属于住宅小区"})
    later = upload(client, world, export(order("12345-140", 诉求地址="人民路128号沿街商铺",
                                               回复时间="2026-11-04 10:00", 工单状态="办结")))
    assert later.status_code == 201 and later.json()["updated"] == 1
    assert db.get(WorkOrder, "12345-140").dismissed_reason == "沿街商铺，不属于住宅小区"


def test_a_supervisors_reject_stands_when_a_later_export_changes_only_the_callback(client, world, db):  # noqa: F811
    upload(client, world, export(order("12345-150", 回复时间="2026-11-04 10:00")))
    ticket_id = _case(db, "12345-150").id
    rejected = client.post(f"/api/tickets/{ticket_id}/events", headers=world.headers("supervisor"), json={
        "id": "01936f9a-0000-7000-8000-000000000150", "ticket_id": str(ticket_id), "kind": "reject",
        "note": "现场查看井盖仍松动"})
    assert rejected.status_code in (200, 201), rejected.text
    upload(client, world, export(order("12345-150", 回复时间="2026-11-04 10:00", 满意度="不满意")))
    assert _kinds(db, "12345-150") == ["dispatch", "rectify", "reject", "hotline_update"]
    assert db.get(Ticket, ticket_id).state == "open" and _case(db, "12345-150").case_callback_failed


def test_a_changed_acceptance_time_is_an_error_of_its_line_and_moves_nothing(client, world, db):  # noqa: F811
    upload(client, world, export(order("12345-160")))
    report = upload(client, world, export(order("12345-160", 受理时间="2026-12-03 09:15"))).json()
    assert report["updated"] == 0 and "受理时间与此前导入的不同" in report["errors"][0]["message"]
    assert db.get(Ticket, _case(db, "12345-160").id).month == 202611


def test_a_supervisors_failed_check_is_not_cleared_by_a_later_satisfied_callback(client, world, db):  # noqa: F811
    upload(client, world, export(order("12345-170", 回复时间="2026-11-04 10:00", 工单状态="办结")))
    case = _case(db, "12345-170")
    assert client.post(f"/api/findings/{case.id}/case-flags", headers=world.headers("supervisor"),
                       json={"callback_failed": True, "note": "回访核查仍未修复"}).status_code == 200
    upload(client, world, export(order("12345-170", 回复时间="2026-11-04 10:00", 工单状态="办结",
                                     回访结果="满意")))
    db.expire_all()
    assert _case(db, "12345-170").case_callback_failed is True


def test_a_waiting_order_refused_by_a_published_month_waits_until_the_month_is_reopened(client, world, db):  # noqa: F811
    headers, unit = world.headers("supervisor"), {"unit_id": str(world.units["district"].id)}
    upload(client, world, export(order("12345-180", 诉求地址="东方苑小区5幢")))
    client.post("/api/reports/2026-11/freeze", params=unit, headers=headers)
    # an alias saved from another order now places it, but November is published
    upload(client, world, export(order("12345-182", 诉求地址="东方苑6号楼", 受理时间="2026-12-01 09:00")))
    answer = client.post("/api/hotline/review/12345-182", headers=headers, json={
        "compound_id": str(world.compounds["east_a"].id), "catalog_code": "JC04", "alias": "东方苑"})
    assert answer.status_code == 200, answer.text
    waiting = db.get(WorkOrder, "12345-180")
    assert waiting.needs_review and waiting.finding_id is None
    client.post("/api/reports/2026-11/reopen", params=unit, headers=headers, json={"reason": "补录12345工单"})
    again = upload(client, world, export(order("12345-180", 诉求地址="东方苑小区5幢"))).json()
    assert again["created"] == 1
    db.expire_all()
    assert db.get(WorkOrder, "12345-180").finding_id is not None
