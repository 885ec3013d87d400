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


@pytest.mark.parametrize("address", ["XX镇人民路128号沿街商铺", "XX镇农贸市场东门", "", "锦秀花园4幢"])
def test_an_address_like_no_compound_goes_to_review_with_the_closest_named(address):
    match = matching.AddressMatcher(TOWN).match(address)
    assert match.compound_id is None
    if address.startswith("锦秀"):
        assert match.candidates[0][1] == "锦绣花园" and "最接近“锦绣花园”" in match.reason


def test_a_saved_alias_matches_the_next_time():
    known = [*TOWN[:1], matching.Known(TOWN[1].id, "翠竹苑", None, ("竹园小区",))]
    assert matching.AddressMatcher(known).match("竹园小区3栋").compound_id == TOWN[1].id


def test_two_compounds_named_in_one_address_are_left_to_a_person():
    match = matching.AddressMatcher(TOWN).match("锦绣花园与翠竹苑之间的道路")
    assert match.compound_id is None and "请人工确认" in match.reason


def test_keywords_find_the_type_in_the_category_before_the_content():
    rules = [matching.TypeRule("HJ15", ("消防通道",)), matching.TypeRule("JC04", ("井盖",))]
    assert matching.match_type(rules, "消防通道", "井盖破损").code == "HJ15"
    assert matching.match_type(rules, "城市管理", "3号楼井盖破损").reason == "诉求内容含关键词“井盖”"
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
