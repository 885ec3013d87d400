"""A 12345 hotline work-order export of the demo town (XX镇) for November 2026, with its truth.

`generate(seed)` builds the month as the city's platform exports it (the issue: "300 work orders
for the demo town, with two-line headers, GBK encoding in the CSV variant, 30 addresses written in
the usual variants, 10 that match nothing, duplicates, and replies late and on time") and says of
each order what an import must make of it: its compound (None: it matches nothing), catalog code,
building and due time. `to_csv_gbk` and `to_xlsx` write the file; `case_counts` is what seed 002
§四(一) makes of the truth (超时, 核查不符, 反复, 重点 per compound), computed here from the
seed's rules, never with the backend's scoring code.

What the month holds:
- 300 distinct orders, accepted on the working days of 2026-11-02 … 11-27 between 08:30 and 17:00;
  290 at one of the six compounds (260 addresses in the plain form "XX镇锦绣花园3号楼2单元", 30 in
  the usual variants: 3栋, 3幢, 三号楼, 十二号楼, "…小区", a city/district prefix, no town), and 10
  at places that are no compound (人民路128号沿街商铺, 农贸市场东门 …: the review queue's);
- 5 rows repeated identically further down the file (the same 工单编号: counted once);
- eight problems (compound, catalog type, building) reported 3, 4 and 5 times, some while an
  earlier report was still within its deadline, so that 反复 and 重点 both occur and the folding
  of reports within a deadline decides some of them (PROBLEMS);
- 40 orders without 办理时限 (the catalog's deadline applies, from the work-time engine);
- replies: about two thirds 办结 in time, a fifth 办结 late, 处理中 both past due and not yet due
  as of NOW, a few 退单 and 延期; 15 callbacks that say the problem was not fixed.

The only backend code used is the catalog's deadline (the work-time engine), for the orders
without 办理时限. The keyword rules and callback words are read from rubrics/hotline.yaml, and each
order's truth is checked against them when it is made.
"""

from __future__ import annotations

import csv
import io
import random
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

TZ = ZoneInfo("Asia/Shanghai")
TOWN = "XX镇"
COMPOUNDS = ("锦绣花园", "翠竹苑", "金桂园", "银杏苑", "丹枫园", "紫荆园")
TITLE = "XX市12345政务服务便民热线工单明细（2026年11月）"
# The tests' "now" (the report's as_of and the import's clock): statuses are drawn around it.
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=TZ)
RULES_FILE = Path(__file__).resolve().parents[2] / "rubrics" / "hotline.yaml"

# The two-line header: group headings above, sub-headings below ("时间" over 受理时间 and 回复时间,
# "回访情况" over 回访结果 and 满意度); each column's "top/bottom" names one field.
HEADER_TOP = ("工单编号", "时间", "", "诉求内容", "诉求地址", "诉求分类", "承办单位", "办理时限",
              "工单状态", "回访情况", "", "级别")
HEADER_BOTTOM = ("", "受理时间", "回复时间", "", "", "", "", "", "", "回访结果", "满意度", "")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
LIMIT_FORMAT = "%Y-%m-%d %H:%M"

STATUSES = ("办结", "退单", "延期", "处理中")
LEVELS = {"市级": "city", "区级": "district"}
HANDLERS = ("XX镇人民政府", "XX镇综合行政执法队", "XX区住房和城乡建设局", "XX区城市管理局")

# What residents say, by the catalog type it is (rubrics/hotline.yaml's first matching rule; checked
# for every order in `_check_rules`). No compound name and no building number in the text: where
# the problem is, is the address column's.
CONTENT = {
    "HJ15": ("楼下消防通道长期被私家车占用，消防车无法通行", "单元门口生命通道被电动车堵塞",
             "小区内占道停车严重，救护车进不来"),
    "JC05": ("楼道消火栓箱玻璃破碎，水带缺失", "单元楼内灭火器过期一直没人更换",
             "消防箱门脱落，里面的设备锈蚀"),
    "JC04": ("小区道路上井盖破损，夜间行人容易踩空", "雨水箅子缺失，已有电动车车轮卡进去",
             "窨井盖松动，车辆经过响声很大"),
    "JC02": ("小区内部道路破损严重，雨天到处积水", "车行道出现坑洼，老人走路容易摔倒",
             "路面塌陷约一平方米，没有任何警示"),
    "JC03": ("单元牌缺失，快递外卖经常找不到", "楼号牌脱落，访客找不到楼"),
    "JC01": ("楼体外墙脱落，担心砸到行人", "楼体外立面瓷砖松动，有坠落风险"),
    "JC07": ("垃圾分类亭门损坏无法关闭", "垃圾桶损坏多日，垃圾散落一地"),
    "JC06": ("小区路灯不亮已有一周，晚上出行不便", "健身器材损坏，老人孩子容易受伤",
             "楼下监控摄像头损坏，电动车被盗无法查看", "宣传栏玻璃破碎，边角锋利"),
    "HJ02": ("有人在空地上焚烧垃圾，烟味很大", "保洁员在绿地里烧树叶，浓烟扰民"),
    "HJ04": ("居民在楼下空地养鸡，异味扰民", "楼顶有人养鸽，羽毛粪便污染严重"),
    "HJ05": ("楼道口堆放大量装修垃圾长期未清运", "小区空地被人倾倒建筑垃圾"),
    "HJ07": ("单元门和电梯里张贴大量小广告", "楼道墙面牛皮癣很多，一直没人清理"),
    "HJ08": ("居民在公共绿地拉绳晾晒衣物", "有人在小区护栏上晒被子"),
    "HJ09": ("垃圾桶满溢，周边苍蝇很多", "垃圾桶摆放混乱，占了人行道"),
    "HJ10": ("沿街店招破损，大风天有掉落风险",),
    "HJ11": ("小区门口悬挂商业横幅",),
    "HJ12": ("小区内有无证经营的小卖部",),
    "HJ13": ("小区门口商贩占道经营，影响通行", "底商出店经营，桌椅摆到人行道上"),
    "HJ14": ("地下室老鼠较多，居民很担心", "垃圾房附近蟑螂成群"),
    "HJ03": ("楼道堆放杂物，影响通行和消防安全", "有居民在公共区域乱堆旧家具"),
    "HJ06": ("垃圾站异味严重，夏天尤其明显", "垃圾桶脏，长时间没有清洗"),
    "HJ01": ("楼道卫生差，长期无人清扫", "小区保洁不到位，路面垃圾未清"),
    "LH02": ("有人擅自砍树，绿地被破坏", "居民毁绿种菜"),
    "LH03": ("树池盖板损坏", "绿化设施损坏无人维修"),
    "LH01": ("小区绿地杂草丛生", "树木修剪不及时，遮挡低层住户采光", "草坪枯黄，黄土裸露"),
    "WJ01": ("楼顶私搭乱建阳光房", "一楼住户违章搭建围墙占用公共区域"),
}
# 诉求分类: a platform's own category where it names the same type, else a generic one (which holds
# no keyword: the content decides).
CATEGORIES = {"JC04": "市政设施/井盖", "HJ15": "消防安全/消防通道", "JC06": "市政设施/路灯",
              "HJ07": "市容环卫/小广告", "HJ01": "市容环卫/环境卫生", "LH01": "园林绿化/树木修剪",
              "HJ13": "市容秩序/占道经营", "WJ01": "规划建设/违章搭建", "HJ05": "市容环卫/建筑垃圾",
              "JC02": "市政设施/道路破损"}
GENERIC_CATEGORIES = ("城市管理", "住房保障/物业管理", "城乡建设/住宅小区", "其他")
# How often each type is reported (the background orders).
WEIGHTS = {"HJ15": 8, "JC04": 6, "JC06": 8, "HJ03": 8, "HJ01": 7, "HJ07": 6, "HJ13": 5, "LH01": 5,
           "JC02": 4, "JC05": 4, "HJ09": 4, "HJ14": 3, "JC01": 3, "JC03": 2, "JC07": 3, "HJ02": 2,
           "HJ04": 2, "HJ05": 3, "HJ06": 2, "HJ08": 3, "HJ10": 1, "HJ11": 1, "HJ12": 1,
           "LH02": 2, "LH03": 2, "WJ01": 3}

# The repeated problems: (compound, code, building number or None, reports), each report (day of
# November, "HH:MM", 办理时限 as the k-th working day after acceptance at 17:30 or None for the
# catalog's deadline, address form). A report made before the previous report's due time is the
# same case (seed 002 §四(一) 4: 在处置时限内的多次举报视为一次).
PROBLEMS = (
    # 3 reports, each after the last one's deadline: 反复
    ("锦绣花园", "JC04", 5, ((3, "09:20", 2, "plain"), (11, "10:05", 2, "plain"),
                            (19, "14:40", 2, "plain"))),
    # 3 reports, the second within the first's deadline: 2 distinct, nothing
    ("翠竹苑", "JC06", 1, ((4, "09:10", 2, "plain"), (5, "15:30", 2, "plain"),
                         (16, "10:00", 2, "plain"))),
    # 4 reports, three of them one case: 重点 only
    ("金桂园", "HJ03", 8, ((9, "09:00", 2, "plain"), (10, "11:00", 2, "plain"),
                         (12, "09:30", 2, "plain"), (24, "10:00", 2, "plain"))),
    # 4 reports a week apart, the catalog's 2 工作时 each, two addresses "十二号楼": 反复 and 重点
    ("银杏苑", "HJ07", 12, ((2, "09:40", None, "cn"), (6, "14:10", None, "plain"),
                          (13, "10:20", None, "cn"), (25, "15:00", None, "plain"))),
    # 5 reports, 3 distinct (the catalog's 4 工作时 folds the second into the first): both
    ("丹枫园", "HJ15", 3, ((17, "08:45", None, "plain"), (17, "11:30", None, "plain"),
                         (18, "09:00", 1, "plain"), (19, "16:00", 1, "plain"),
                         (26, "10:00", None, "plain"))),
    # 5 reports, 4 of them within a long deadline: 重点 only
    ("紫荆园", "LH01", 6, ((2, "10:00", 5, "plain"), (4, "11:20", 5, "plain"),
                         (6, "09:45", 5, "plain"), (9, "09:00", 3, "plain"),
                         (20, "14:30", 3, "plain"))),
    # 3 reports written three ways (三号楼, 3栋, 小区…3幢): 反复
    ("金桂园", "JC05", 3, ((5, "10:30", 2, "cn"), (13, "15:10", 2, "dong_no_town"),
                         (23, "09:50", 2, "xiaoqu_zhuang"))),
    # 4 reports without a building, one of them "紫荆园小区": 3 distinct, 反复 and 重点
    ("紫荆园", "HJ13", None, ((3, "10:00", None, "plain"), (3, "10:50", None, "plain"),
                            (12, "11:00", None, "xiaoqu_no_town"), (23, "16:20", None, "plain"))),
)
# The places that are no compound: (address, code, content, the compound a reviewer assigns it
# to, reports (day, "HH:MM")). The four at the market become a problem of 丹枫园 once resolved.
UNMATCHED = (
    ("XX镇农贸市场东门", "HJ13", "农贸市场门口商贩占道经营，早上道路拥堵", "丹枫园",
     ((5, "08:50"), (12, "09:15"), (19, "08:40"), (26, "09:05"))),
    ("XX镇人民路128号沿街商铺", "HJ10", "沿街店招破损，大风天有掉落风险", "锦绣花园", ((10, "14:20"),)),
    ("XX镇政府门前广场", "JC06", "广场上的健身器材损坏，螺丝外露", "银杏苑", ((16, "10:40"),)),
    ("XX镇第二小学门口", "JC02", "学校门口道路破损坑洼，接送孩子不安全", "金桂园", ((18, "15:30"),)),
    ("XX镇汽车站对面", "HJ02", "汽车站对面有人焚烧垃圾，烟很大", "翠竹苑", ((6, "16:10"),)),
    ("XX镇解放路与和平路交叉口", "JC04", "路口井盖缺失，晚上很危险", "紫荆园", ((24, "11:35"),)),
    ("XX镇西河桥头", "HJ07", "桥头电线杆上张贴大量小广告", "紫荆园", ((20, "09:25"),)),
)
# The demo's own hotline case (backend/demo_activity.py STORY: 翠竹苑 HJ01 2号楼): no order of the
# file is that problem, so that what the file adds to the demo's month is the file's alone.
DEMO_PROBLEMS = {("翠竹苑", "HJ01", "2号楼")}

_DIGITS = "零一二三四五六七八九"


@dataclass(frozen=True)
class Order:
    """One work order as exported, and its truth."""

    case_no: str
    accepted_at: datetime            # 受理时间, aware (Asia/Shanghai)
    content: str                     # 诉求内容
    address: str                     # 诉求地址
    category: str                    # 诉求分类
    handler: str                     # 承办单位
    time_limit: datetime | None      # 办理时限 (None: the catalog's deadline applies)
    replied_at: datetime | None      # 回复时间
    status: str                      # 工单状态: 办结 | 退单 | 延期 | 处理中
    callback: str                    # 回访结果
    satisfaction: str                # 满意度
    level: str                       # 级别: 市级 | 区级
    # the truth
    compound: str | None             # None: the address matches no compound
    code: str                        # the catalog type rubrics/hotline.yaml gives it
    building: str | None             # "3号楼", or None when the address names no building
    due_at: datetime                 # 办理时限, else the catalog's deadline from acceptance
    address_form: str = "plain"      # plain | a variant (cn, dong, zhuang, xiaoqu …) | unmatched

    @property
    def problem(self) -> tuple[str | None, str, str | None]:
        return self.compound, self.code, self.building

    @property
    def callback_failed(self) -> bool:
        """回访结果 or 满意度 says the problem was not fixed (核查不符)."""
        words = rules()["callback_failed_words"]
        return any(w in self.callback or w in self.satisfaction for w in words)

    def overtime(self, now: datetime) -> bool:
        """超时: replied after the due time, or not replied and due before `now`."""
        if self.replied_at is not None:
            return self.replied_at > self.due_at
        return now > self.due_at


@dataclass
class Export:
    orders: list[Order]                   # the 300 distinct orders, in file order
    rows: list[Order]                     # the file's rows: the orders and the 5 repeated
    blank_after: int                      # the Excel variant has a blank row after this many rows
    review_answers: dict[str, str] = field(default_factory=dict)  # case_no → compound assigned

    @property
    def matched(self) -> list[Order]:
        return [o for o in self.orders if o.compound is not None]

    @property
    def unmatched(self) -> list[Order]:
        return [o for o in self.orders if o.compound is None]

    @property
    def repeated_rows(self) -> list[str]:
        return [no for no, n in Counter(o.case_no for o in self.rows).items() if n > 1]

    def resolved(self) -> list[Order]:
        """Every order, the unmatched ones assigned as `review_answers` says."""
        return [replace(o, compound=self.review_answers[o.case_no]) if o.compound is None else o
                for o in self.orders]


# ---------------------------------------------------------------- the rules and the expectation

@lru_cache(maxsize=1)
def rules() -> dict:
    return yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))


def _first_rule(text: str) -> str | None:
    return next((r["code"] for r in rules()["keywords"] if any(w in text for w in r["words"])),
                None)


def rule_code(category: str, content: str) -> str | None:
    """The type rubrics/hotline.yaml gives an order: the first rule whose keyword occurs in its
    诉求内容, else the first in its 诉求分类. The generator makes every order read the same with
    the other reading (each rule in turn, looked for in both), see `_check_rules`."""
    return _first_rule(content) or _first_rule(category)


def _rule_code_by_rule(category: str, content: str) -> str | None:
    return next((r["code"] for r in rules()["keywords"]
                 if any(w in category or w in content for w in r["words"])), None)


def fold(reports: Iterable[Order]) -> tuple[int, int]:
    """(raw, distinct) reports of one problem: in acceptance order, a report counts as a new one
    only when accepted after the due time of every report before it (seed 002 §四(一) 4)."""
    raw = distinct = 0
    latest_due = None
    for o in sorted(reports, key=lambda o: o.accepted_at):
        raw += 1
        if latest_due is None or o.accepted_at > latest_due:
            distinct += 1
        latest_due = o.due_at if latest_due is None else max(latest_due, o.due_at)
    return raw, distinct


def case_counts(orders: Iterable[Order], now: datetime) -> dict[str, dict[str, int]]:
    """Seed 002 §四(一)'s case counts of each compound for the month, nonzero only: overtime 超时,
    callback_failed 核查不符, repeated 反复 (≥ 3 distinct reports), key_problem 重点 (> 3 reports).
    shirking 推诿 is a supervisor's flag: never set by an import."""
    counts: dict[str, Counter] = {name: Counter() for name in COMPOUNDS}
    problems: dict[tuple, list[Order]] = defaultdict(list)
    for o in orders:
        if o.compound is None:
            continue
        counts[o.compound]["overtime"] += o.overtime(now)
        counts[o.compound]["callback_failed"] += o.callback_failed
        problems[o.problem].append(o)
    for (compound, _, _), reports in problems.items():
        raw, distinct = fold(reports)
        counts[compound]["repeated"] += distinct >= 3
        counts[compound]["key_problem"] += raw > 3
    return {name: {k: int(v) for k, v in c.items() if v} for name, c in counts.items()}


def problem_folds(orders: Iterable[Order]) -> dict[tuple, tuple[int, int]]:
    """(raw, distinct) of each problem reported more than once."""
    problems: dict[tuple, list[Order]] = defaultdict(list)
    for o in orders:
        if o.compound is not None:
            problems[o.problem].append(o)
    return {p: fold(r) for p, r in problems.items() if len(r) > 1}


# ---------------------------------------------------------------- the month

def _at(day: int, hhmm: str, second: int = 0) -> datetime:
    hour, minute = map(int, hhmm.split(":"))
    return datetime(2026, 11, day, hour, minute, second, tzinfo=TZ)


def _working_days() -> list[date]:
    """The working days of 2026-11-02 … 11-27 (no holiday falls in November)."""
    return [date(2026, 11, d) for d in range(2, 28) if date(2026, 11, d).weekday() < 5]


def _workday_after(day: date, k: int) -> date:
    """The k-th working day after `day` (Mondays to Fridays: no holiday or 调休 in Nov–Dec 2026)."""
    while k:
        day += timedelta(days=1)
        k -= day.weekday() < 5
    return day


def _limit(accepted: datetime, k: int) -> datetime:
    return datetime.combine(_workday_after(accepted.date(), k), time(17, 30), TZ)


def _catalog_due(code: str, accepted: datetime) -> datetime:
    # the work-time engine: the one piece of the backend the generator uses
    from backend.findings.deadlines import catalog_entry, deadline_for

    return deadline_for(catalog_entry(code), accepted).due_at


def _numeral(n: int) -> str:
    """三, 十, 十二, 二十: how a resident writes a building number in characters."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("十" if tens == 1 else _DIGITS[tens] + "十") + (_DIGITS[ones] if ones else "")


def _address(rng: random.Random, compound: str, number: int | None, form: str) -> str:
    """The address as a caller gave it."""
    unit = f"{rng.randint(1, 4)}单元"
    if number is None:
        return {"plain": f"{TOWN}{compound}", "xiaoqu": f"{TOWN}{compound}小区",
                "xiaoqu_no_town": f"{compound}小区"}[form]
    if form == "plain":
        room = f"{rng.randint(1, 6)}0{rng.randint(1, 4)}室"
        return rng.choice((f"{TOWN}{compound}{number}号楼{unit}", f"{TOWN}{compound}{number}号楼",
                           f"{TOWN}{compound}{number}号楼{unit}{room}"))
    return {"dong": f"{TOWN}{compound}{number}栋{unit}",
            "dong_no_town": f"{compound}{number}栋{unit}",
            "zhuang": f"{TOWN}{compound}{number}幢",
            "cn": f"{TOWN}{compound}{_numeral(number)}号楼",
            "xiaoqu": f"{TOWN}{compound}小区{number}号楼{unit}",
            "xiaoqu_zhuang": f"{TOWN}{compound}小区{number}幢",
            "prefix": rng.choice((f"XX市XX区{TOWN}{compound}{number}号楼",
                                  f"XX区{TOWN}{compound}{number}号楼{unit}")),
            "no_town": f"{compound}{number}号楼{unit}"}[form]


@dataclass
class _Draft:
    """An order being made: where and what first, then its deadline and reply."""

    accepted_at: datetime
    compound: str | None
    code: str
    number: int | None
    address: str
    form: str
    content: str
    time_limit: datetime | None = None
    limit_k: int | None = None        # the 办理时限 as working days, None: to be drawn
    catalog: bool = False             # no 办理时限: the catalog's deadline
    role: str = ""                    # controlled | unmatched | background
    status: str = ""
    replied_at: datetime | None = None
    callback: str = ""
    satisfaction: str = ""
    due_at: datetime | None = None

    @property
    def problem(self) -> tuple:
        return self.compound, self.code, self.number


def generate(seed: int = 20261130) -> Export:
    rng = random.Random(seed)
    taken: set[datetime] = set()

    def unique(at: datetime) -> datetime:
        while at in taken:
            at += timedelta(seconds=1)
        taken.add(at)
        return at

    drafts: list[_Draft] = []
    # the repeated problems
    for compound, code, number, reports in PROBLEMS:
        for day, hhmm, k, form in reports:
            assert date(2026, 11, day).weekday() < 5
            drafts.append(_Draft(
                unique(_at(day, hhmm)), compound, code, number,
                _address(rng, compound, number, form), form, rng.choice(CONTENT[code]),
                limit_k=k, catalog=k is None, role="controlled"))
    # the places that are no compound
    for address, code, content, _, reports in UNMATCHED:
        for day, hhmm in reports:
            assert date(2026, 11, day).weekday() < 5
            drafts.append(_Draft(unique(_at(day, hhmm, rng.randint(0, 59))), None, code, None,
                                 address, "unmatched", content, role="unmatched"))
    # the rest of the month: at most two reports of a problem, none of the problems above
    controlled = {(c, code, n) for c, code, n, _ in PROBLEMS}
    resolved_pairs = {(compound, code) for _, code, _, compound, _ in UNMATCHED}
    demo = {(c, code, int(b.removesuffix("号楼"))) for c, code, b in DEMO_PROBLEMS}
    per_problem: Counter = Counter()
    codes, weights = zip(*WEIGHTS.items())
    days = _working_days()
    while len(drafts) < 300:
        compound = rng.choice(COMPOUNDS)
        code = rng.choices(codes, weights)[0]
        number = None if rng.random() < 0.08 else rng.randint(1, 20)
        key = (compound, code, number)
        if key in controlled or key in demo or (compound, code) in resolved_pairs \
                or per_problem[key] >= 2:
            continue
        per_problem[key] += 1
        minute = rng.randrange(8 * 60 + 30, 17 * 60)
        accepted = unique(datetime.combine(rng.choice(days), time(minute // 60, minute % 60,
                                                                  rng.randint(0, 59)), TZ))
        drafts.append(_Draft(accepted, compound, code, number, "", "plain",
                             rng.choice(CONTENT[code]), role="background"))
    assert len(drafts) == 300
    background = [d for d in drafts if d.role == "background"]

    # 30 variant addresses: the 6 of the problems above and 24 here (two without a building)
    with_number = [d for d in background if d.number is not None]
    rng.shuffle(with_number)
    tens = [d for d in with_number if d.number >= 10][:2]  # 十一号楼 … 二十号楼
    rest = [d for d in with_number if d not in tens]
    forms = ["cn", "cn"] + ["dong"] * 4 + ["zhuang"] * 4 + ["cn"] * 3 + ["xiaoqu"] * 3 \
        + ["prefix"] * 4 + ["no_town"] * 2
    for d, form in zip(tens + rest, forms):
        d.form = form
    for d, form in zip([d for d in background if d.number is None], ("xiaoqu", "xiaoqu_no_town")):
        d.form = form
    for d in background:
        d.address = _address(rng, d.compound, d.number, d.form)

    # special roles, each on a problem reported once: 延期 (extended into December), 退单, and
    # 处理中 not yet due as of NOW
    singles = [d for d in background if per_problem[d.problem] == 1]
    rng.shuffle(singles)
    postponed = [d for d in singles if d.accepted_at.day >= 16][:8]
    returned = [d for d in singles if d not in postponed][:5]
    pending_not_due = [d for d in background if d.accepted_at.day >= 24
                       and d not in postponed and d not in returned][:10]
    for d in postponed:
        d.status = "延期"
        d.time_limit = datetime(2026, 12, rng.choice((3, 4, 7, 8, 9, 10)), 17, 30, tzinfo=TZ)
    for d in pending_not_due:
        d.status = "处理中"
        d.limit_k = 5  # the 5th working day after the 24th at the earliest: 12-01 17:30
    for d in returned:
        d.status = "退单"

    # 40 orders without 办理时限: 11 of the problems above, 29 others
    open_choice = [d for d in drafts if d.role != "controlled" and d.status not in ("延期", "处理中")]
    rng.shuffle(open_choice)
    for d in open_choice[:40 - sum(d.catalog for d in drafts)]:
        d.catalog = True
    for d in drafts:
        if d.time_limit is None and not d.catalog:
            d.time_limit = _limit(d.accepted_at, d.limit_k or rng.choice((1, 2, 2, 3, 3, 3)))
        d.due_at = d.time_limit if not d.catalog else _catalog_due(d.code, d.accepted_at)
    assert sum(d.time_limit is None for d in drafts) == 40

    # replies: 处理中 past due, 办结 late, 办结 in time (退单 replied in time too)
    undecided = [d for d in drafts if not d.status]
    rng.shuffle(undecided)
    overdue = [d for d in undecided if d.due_at < NOW - timedelta(hours=1)][:16]
    late = [d for d in undecided if d.due_at < NOW - timedelta(hours=3) and d not in overdue][:66]
    for d in overdue:
        d.status = "处理中"
    for d in late:
        d.status = "办结"
        span = min(NOW - timedelta(minutes=30) - d.due_at, timedelta(hours=60))
        d.replied_at = d.due_at + timedelta(seconds=rng.randint(1800, int(span.total_seconds())))
    for d in drafts:
        if d.status in ("", "退单"):
            d.status = d.status or "办结"
            span = min(d.due_at, NOW) - d.accepted_at - timedelta(minutes=16)
            d.replied_at = d.accepted_at + timedelta(
                seconds=rng.randint(900, 900 + int(span.total_seconds())))
    for d in drafts:
        if d.replied_at is not None:
            d.replied_at = d.replied_at.replace(microsecond=0)

    # callbacks: 15 that say it was not fixed, the others as residents answer
    closed = [d for d in drafts if d.status == "办结"]
    rng.shuffle(closed)
    failed = (("未解决", "不满意"), ("已解决", "不满意"), ("未解决", ""), ("仍未处理", ""),
              ("已联系", "不满意"))
    for i, d in enumerate(closed):
        if i < 15:
            d.callback, d.satisfaction = failed[i % len(failed)]
        else:
            d.callback = rng.choices(("已解决", "已联系", ""), (60, 15, 25))[0]
            d.satisfaction = rng.choices(("满意", "基本满意", ""), (55, 30, 15))[0]

    drafts.sort(key=lambda d: d.accepted_at)
    orders = []
    for index, d in enumerate(drafts, start=1):
        category = CATEGORIES[d.code] if d.code in CATEGORIES and rng.random() < 0.4 \
            else rng.choice(GENERIC_CATEGORIES)
        orders.append(Order(
            case_no=f"GD{d.accepted_at:%Y%m%d}{index:04d}", accepted_at=d.accepted_at,
            content=d.content, address=d.address, category=category,
            handler=rng.choice(HANDLERS), time_limit=d.time_limit, replied_at=d.replied_at,
            status=d.status, callback=d.callback, satisfaction=d.satisfaction,
            level=rng.choices(("市级", "区级"), (3, 7))[0], compound=d.compound, code=d.code,
            building=None if d.number is None else f"{d.number}号楼", due_at=d.due_at,
            address_form=d.form))

    # 5 rows repeated identically further down (matched orders of the first four fifths)
    rows = list(orders)
    for original in sorted(rng.sample([o for o in orders[:240] if o.compound], 5),
                           key=lambda o: -orders.index(o)):
        at = rng.randint(orders.index(original) + 10, len(orders))
        rows.insert(at, original)
    export = Export(orders=orders, rows=rows, blank_after=len(rows) // 2,
                    review_answers={o.case_no: next(u[3] for u in UNMATCHED if u[0] == o.address)
                                    for o in orders if o.compound is None})
    _check(export)
    return export


def _check(export: Export) -> None:
    """What the issue asks of the file, and what keeps its truth unambiguous."""
    orders = export.orders
    assert len(orders) == 300 and len({o.case_no for o in orders}) == 300
    assert len(export.matched) == 290 and len(export.unmatched) == 10
    forms = Counter("unmatched" if o.compound is None else
                    "plain" if o.address_form == "plain" else "variant" for o in orders)
    assert forms == {"plain": 260, "variant": 30, "unmatched": 10}, forms
    assert len(export.rows) == 305 and len(export.repeated_rows) == 5
    for o in orders:
        _check_rules(o)
        assert o.accepted_at.weekday() < 5 and time(8, 30) <= o.accepted_at.time() < time(17)
        assert o.accepted_at.month == 11 and 2 <= o.accepted_at.day <= 27
        assert o.replied_at is None or o.accepted_at < o.replied_at < NOW
        assert (o.replied_at is None) == (o.status in ("处理中", "延期")), o
        text = o.content + o.category
        assert not any(c in text for c in COMPOUNDS) and "号楼" not in text
    # 退单 and 延期 are not late and are single reports, however an import reads them
    once = Counter(o.problem for o in export.matched)
    for o in orders:
        if o.status in ("退单", "延期"):
            assert once[o.problem] == 1 and not o.overtime(NOW) and not o.callback_failed, o
    assert sum(o.callback_failed for o in orders) == 15
    assert {o.overtime(NOW) for o in orders if o.status == "处理中"} == {True, False}
    assert {o.replied_at > o.due_at for o in orders if o.status == "办结"} == {True, False}
    assert not any(o.problem in DEMO_PROBLEMS for o in orders)
    folds = problem_folds(export.matched)
    assert any(raw >= 3 > distinct for raw, distinct in folds.values())  # folding matters
    counts = case_counts(export.matched, NOW)
    assert any(c.get("repeated") for c in counts.values())
    assert any(c.get("key_problem") for c in counts.values())


def _check_rules(o: Order) -> None:
    """The order's type is its rule's under either reading of "诉求分类 first, then 诉求内容"."""
    assert rule_code(o.category, o.content) == o.code, (o.category, o.content, o.code)
    assert _rule_code_by_rule(o.category, o.content) == o.code, (o.category, o.content, o.code)


# ---------------------------------------------------------------- the files

def _text(at: datetime | None, fmt: str = TIME_FORMAT) -> str:
    return "" if at is None else at.astimezone(TZ).strftime(fmt)


def _cells(o: Order) -> list[str]:
    return [o.case_no, _text(o.accepted_at), _text(o.replied_at), o.content, o.address,
            o.category, o.handler, _text(o.time_limit, LIMIT_FORMAT), o.status, o.callback,
            o.satisfaction, o.level]


def to_csv_gbk(export: Export) -> bytes:
    """The CSV the platform saves from Excel: GBK, the two-line header, one row per line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER_TOP)
    writer.writerow(HEADER_BOTTOM)
    for o in export.rows:
        writer.writerow(_cells(o))
    return out.getvalue().encode("gbk")


def to_xlsx(export: Export) -> bytes:
    """The Excel export: a merged title row, the two-line header with merged cells, 受理时间 as a
    date in some rows, as a serial number (with a date format or without) in others, a blank row
    in the middle."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils.datetime import to_excel

    book = Workbook()
    sheet = book.active
    sheet.title = "工单明细"
    width = len(HEADER_TOP)
    sheet.cell(1, 1, TITLE).font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    for column, (top, bottom) in enumerate(zip(HEADER_TOP, HEADER_BOTTOM), start=1):
        if top:
            sheet.cell(2, column, top)
        if bottom:
            sheet.cell(3, column, bottom)
        else:
            sheet.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)
    for first, last in ((2, 3), (10, 11)):  # 时间, 回访情况
        sheet.merge_cells(start_row=2, start_column=first, end_row=2, end_column=last)
    for row in (2, 3):
        for column in range(1, width + 1):
            sheet.cell(row, column).alignment = Alignment(horizontal="center", vertical="center")
            sheet.cell(row, column).font = Font(bold=True)

    row = 4
    position = {o.case_no: n for n, o in enumerate(export.orders)}  # a repeated row: the same cells
    for n, o in enumerate(export.rows):
        if n == export.blank_after:
            row += 1  # a blank row, as a hand-merged export has
        index = position[o.case_no]
        values: list = _cells(o)
        accepted = o.accepted_at.astimezone(TZ).replace(tzinfo=None)
        # a date (the usual), a serial number with a date format (the same on disk), or a bare
        # serial number (a column whose format was lost: 46328.3948…, as Excel keeps 15 digits)
        values[1] = accepted if index % 3 == 0 else round(to_excel(accepted), 10)
        if o.replied_at is not None and index % 3 != 0:
            values[2] = o.replied_at.astimezone(TZ).replace(tzinfo=None)
        if o.time_limit is not None and index % 4 != 1:
            values[7] = o.time_limit.astimezone(TZ).replace(tzinfo=None)
        for column, value in enumerate(values, start=1):
            if value == "":
                continue
            cell = sheet.cell(row, column, value)
            if column == 2 and index % 3 == 2:
                cell.number_format = "General"
            elif column in (2, 3):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            elif column == 8 and not isinstance(value, str):
                cell.number_format = "yyyy-mm-dd hh:mm"
        row += 1
    for column, w in zip("ABCDEFGHIJKL", (18, 20, 20, 40, 34, 20, 24, 18, 10, 10, 10, 8)):
        sheet.column_dimensions[column].width = w
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def table(counts: dict[str, dict[str, int]]) -> str:
    """The expected counts as a small table (for a report or a failing test's message)."""
    kinds = ("overtime", "callback_failed", "repeated", "key_problem")
    lines = ["compound  " + " ".join(f"{k:>15}" for k in kinds)]
    for name, c in counts.items():
        lines.append(f"{name:<8}" + " ".join(f"{c.get(k, 0):>15}" for k in kinds))
    return "\n".join(lines)
