"""Issue 18 §1–2, pure: reading an export's header and values, and matching an address to a
compound with the variants residents write."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from backend.hotline import matching, orders

ZONE = ZoneInfo("Asia/Shanghai")
TOWN = [matching.Known(uuid.uuid5(uuid.NAMESPACE_DNS, n), n, f"XX镇{n}")
        for n in ("锦绣花园", "翠竹苑", "金桂园", "银杏苑", "丹枫园", "紫荆园", "嵩山南路锦华苑")]
BY_NAME = {k.name: k.id for k in TOWN}


@pytest.mark.parametrize("address, name, building", [
    ("XX镇锦绣花园3号楼2单元", "锦绣花园", "3号楼"),
    ("XX镇锦绣花园3栋", "锦绣花园", "3号楼"),
    ("锦绣花园三号楼", "锦绣花园", "3号楼"),
    ("锦绣花园小区十二幢", "锦绣花园", "12号楼"),
    ("大连市XX镇翠竹苑 5 座", "翠竹苑", "5号楼"),
    ("金桂园（东门）", "金桂园", None),
    ("ＸＸ镇银杏苑２号楼", "银杏苑", "2号楼"),
])
def test_the_usual_address_variants_find_their_compound(address, name, building):
    match = matching.AddressMatcher(TOWN).match(address)
    assert match.compound_id == BY_NAME[name] and match.score >= matching.THRESHOLD
    assert matching.building_of(address) == building


@pytest.mark.parametrize("address", ["XX镇人民路128号沿街商铺", "XX镇农贸市场东门", "", "锦秀花园4幢",
                                     "XX镇锦绣家园5号楼", "嵩山南路锦绣苑"])
def test_an_address_like_no_compound_goes_to_review_with_the_closest_named(address):
    """One character off a name (锦秀 for 锦绣, 家园 for 花园, 锦绣苑 for 锦华苑) is left to a
    person: a wrong compound would cost its company points it did not lose."""
    match = matching.AddressMatcher(TOWN).match(address)
    assert match.compound_id is None
    if address.startswith("锦秀"):
        assert match.candidates[0][1] == "锦绣花园" and "最接近“锦绣花园”" in match.reason


def test_a_number_in_a_compounds_name_must_stand_in_the_address_as_it_is():
    courts = [matching.Known(uuid.uuid4(), n, f"郑州市二七区{n}") for n in ("陇海西路28号院", "建新街3号院")]
    matcher = matching.AddressMatcher(courts)
    assert matcher.match("郑州市二七区陇海西路26号院3号楼").compound_id is None
    assert matcher.match("建新街5号院").compound_id is None
    assert matcher.match("陇海西路28号院3号楼").compound_id == courts[0].id


def test_a_saved_alias_matches_the_next_time():
    known = [*TOWN[:1], matching.Known(TOWN[1].id, "翠竹苑", None, ("竹园小区",))]
    assert matching.AddressMatcher(known).match("竹园小区3栋").compound_id == TOWN[1].id


def test_two_compounds_named_in_one_address_are_left_to_a_person():
    match = matching.AddressMatcher(TOWN).match("锦绣花园与翠竹苑之间的道路")
    assert match.compound_id is None and "请人工确认" in match.reason


def test_keywords_find_the_type_in_the_content_before_the_broad_category():
    rules = [matching.TypeRule("JC06", ("公共设施",)), matching.TypeRule("JC04", ("井盖",))]
    assert matching.match_type(rules, "公共设施", "井盖破损").code == "JC04"
    assert matching.match_type(rules, "城市管理", "3号楼井盖破损").reason == "诉求内容含关键词“井盖”"
    assert matching.match_type(rules, "公共设施", "东门有损坏").reason == "诉求分类含关键词“公共设施”"
    assert matching.match_type(rules, "城市管理", "噪音扰民").code is None


def test_a_callback_of_dissatisfaction_is_a_failed_check_but_satisfaction_is_not():
    words = ("不满意", "未解决")
    assert matching.callback_failed(words, "不满意", "")
    assert matching.callback_failed(words, "", "问题未解决")
    assert not matching.callback_failed(words, "满意", "基本满意")


def test_the_alias_offered_is_the_compounds_part_of_the_address():
    assert matching.alias_of("大连市XX镇锦秀花园4幢") == "锦秀花园"
    assert matching.alias_of("西岗区八一路街道丹枫苑2号楼1单元") == "丹枫苑"


def test_a_two_line_header_under_a_title_row_gives_group_and_sub_labels():
    rows = [(1, ["XX市12345热线工单明细", None, None]),
            (2, ["工单编号", "时间", "时间"]),
            (3, ["工单编号", "受理时间", "回复时间"]),
            (4, [None, None, None]),
            (5, ["A-1", "2026-11-03 09:00", ""])]
    table = orders.find_table(rows)
    assert table.labels == ["工单编号", "时间/受理时间", "时间/回复时间"]
    assert table.header_lines == [2, 3] and [line for line, _ in table.rows] == [5]
    assert orders.guess_mapping(table.labels) == {"case_no": "工单编号", "accepted_at": "时间/受理时间",
                                                  "replied_at": "时间/回复时间"}


@pytest.mark.parametrize("value, expected", [
    ("2026-11-03 09:15", datetime(2026, 11, 3, 9, 15)),
    ("2026/11/3 9:15", datetime(2026, 11, 3, 9, 15)),
    ("2026年11月3日 09：15", datetime(2026, 11, 3, 9, 15)),
    (46329.385416666664, datetime(2026, 11, 3, 9, 15)),  # an Excel serial date
    ("46329.385416666664", datetime(2026, 11, 3, 9, 15)),
    (datetime(2026, 11, 3, 9, 15), datetime(2026, 11, 3, 9, 15)),
])
def test_times_as_platforms_write_them(value, expected):
    got = orders.read_time(value, ZONE)
    assert abs((got - expected.replace(tzinfo=ZONE)).total_seconds()) < 1


@pytest.mark.parametrize("text, expected", [
    ("3个工作日", (Decimal(3), "工作日")), ("2工作时", (Decimal(2), "工作时")),
    ("24小时", (Decimal(24), "小时")), ("3天", (Decimal(72), "小时")), ("尽快", None)])
def test_a_time_limit_may_be_a_duration(text, expected):
    assert orders.read_duration(text) == expected


def test_a_saved_number_column_is_found_under_a_title_row():
    rows = [(1, ["某市热线工单", None]), (2, ["流水号", "受理时间"]), (3, ["L-1", "2026-11-03 09:00"])]
    table = orders.find_table(rows, key_labels=["流水号"])
    assert table.labels == ["流水号", "受理时间"] and [line for line, _ in table.rows] == [3]


def test_a_first_order_without_its_number_is_an_order_not_a_second_heading():
    rows = [(1, ["工单编号", "受理时间"]), (2, ["", "2026-12-01 09:00"]), (3, ["A-2", "2026-12-01 10:00"])]
    table = orders.find_table(rows)
    assert table.header_lines == [1] and [line for line, _ in table.rows] == [2, 3]
    read = orders.read_rows(table, {"case_no": "工单编号", "accepted_at": "受理时间"}, ZONE)
    assert [(e.line, e.column, e.message) for e in read.errors] == [(2, "工单编号（A列）", "缺少工单编号")]


def test_an_excel_date_alone_as_time_limit_means_the_end_of_that_day_as_in_a_csv():
    from_excel = orders.read_time(datetime(2026, 11, 5), ZONE, end_of_day=True)
    from_csv = orders.read_time("2026-11-05", ZONE, end_of_day=True)
    assert from_excel == from_csv and from_csv.astimezone(ZONE).hour == 23


def test_a_header_named_shi_ji_qu_ji_is_recognised_whole():
    assert orders.guess_mapping(["工单编号", "受理时间", "市级/区级"])["level"] == "市级/区级"
