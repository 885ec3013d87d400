"""A month of work in the demo town, so that every screen shows something real: findings with
their photos, tickets rectified in time, late, rejected and still waiting, one overdue, one
waiting for the verifier with its after-photo, a hotline case, and last month's results
published by the district's supervisor.

Everything goes through the services the API uses (findings, transitions, photo evidence,
reports), each step with a request clock set to when it happened, so that deadlines, overdue
flags and the feed are what the app would have recorded. Ids are derived from the story
(uuid5), so running the demo again adds nothing: each step is answered as a duplicate.
"""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw
from sqlmodel import Session, select

from backend.auth.models import User
from backend.auth.scope import scope_for
from backend.clock import RequestClock
from backend.config import get_settings
from backend.dbtypes import utcnow
from backend.findings import evidence, service as findings, transitions
from backend.findings.models import EventKind
from backend.findings.schemas import EventIn, FindingIn, PhotoDecl
from backend.inspections import service as inspections
from backend.inspections.models import Inspection
from backend.inspections.schemas import InspectionStart, InspectionSubmit
from backend.organisation.models import Compound, OrgUnit
from backend.photos.storage import PhotoStore
from backend.reports import service as reports
from backend.reports.periods import parse_period

_IDS = uuid.UUID("5b0e7c1e-8d4a-4f55-9a57-0d3f6c1de001")  # the namespace of the story's ids


@dataclass(frozen=True)
class Step:
    """What happened to a ticket after dispatch: `days` later, by `by`."""

    kind: EventKind
    days: float
    by: str
    note: str | None = None


@dataclass(frozen=True)
class Case:
    days_ago: float
    reporter: str
    compound: str
    code: str
    description: str
    building: str
    source: str = "patrol"
    case_no: str | None = None
    steps: tuple[Step, ...] = field(default_factory=tuple)


def _fixed(days: float, by: str = "manager") -> Step:
    return Step(EventKind.rectify, days, by, "已整改完毕")


def _verified(days: float) -> Step:
    return Step(EventKind.close, days, "supervisor", "现场核查，整改到位")


STORY = (
    Case(34, "inspector", "锦绣花园", "JC04", "3号楼东侧雨水箅子缺失", "3号楼",
         steps=(_fixed(1), _verified(2))),
    Case(31, "inspector", "翠竹苑", "HJ03", "地下车库入口堆放装修物料", "地下车库",
         steps=(_fixed(0.05, "manager2"), _verified(1))),
    Case(27, "gridworker", "锦绣花园", "HJ15", "5号楼消防通道被电动车占用", "5号楼",
         steps=(_fixed(6), _verified(7))),  # rectified late: counts double (seed 002 §四(一))
    Case(24, "inspector", "金桂园", "LH01", "中心绿地黄土裸露、杂草丛生", "中心绿地"),
    Case(20, "supervisor", "翠竹苑", "HJ01", "居民反映2号楼楼道长期无人清扫", "2号楼",
         source="hotline", case_no="12345-2026-118806",
         steps=(_fixed(0.05, "manager2"), _verified(1))),
    Case(12, "inspector", "锦绣花园", "JC05", "7号楼2单元消火栓箱玻璃破损", "7号楼",
         steps=(_fixed(1), Step(EventKind.reject, 2, "supervisor", "照片只拍到箱门，未见玻璃已更换，请补拍"),
                )),
    Case(9, "inspector", "银杏苑", "JC02", "南门道路路面塌陷约1平方米", "南门"),  # overdue
    Case(5, "gridworker", "翠竹苑", "JC07", "4号楼旁垃圾分类亭门损坏", "4号楼",
         steps=(_fixed(1, "manager2"),)),  # waiting for the verifier, after-photo attached
    # just logged: its 2 工作时 run from now (a tenth of a day ago it was overdue whenever the
    # demo was loaded at 10:30-12:00 or 15:30-17:30 on a working day)
    Case(0, "inspector", "丹枫园", "HJ07", "单元门上张贴非法小广告", "1号楼"),
)
PUBLISHED_BY = "supervisor"


def _id(*parts: object) -> uuid.UUID:
    return uuid.uuid5(_IDS, "/".join(str(p) for p in parts))


def finding_ids() -> set[uuid.UUID]:
    """The story's findings (tests that count what a user logged leave them out)."""
    return {_id("finding", number) for number in range(len(STORY))}


def _photo(label: int, after: bool) -> bytes:
    """A photo-sized JPEG that tells before from after (a dark gap, a mended grey plate)."""
    image = Image.new("RGB", (1200, 900), (118 + label % 40, 122, 116))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 560, 1200, 900), fill=(92, 94, 90))
    if after:
        draw.ellipse((430, 470, 770, 690), fill=(70, 72, 74), outline=(200, 200, 190), width=12)
    else:
        draw.ellipse((430, 470, 770, 690), fill=(20, 18, 16))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


class _Actors:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.users: dict[str, tuple[User, object]] = {}

    def __call__(self, username: str) -> tuple[User, object]:
        if username not in self.users:
            user = self.session.exec(select(User).where(User.username == username)).one()
            self.users[username] = (user, scope_for(self.session, user))
        return self.users[username]


def _upload(session: Session, user: User, scope: object, finding_id: uuid.UUID,
            data: bytes, store: PhotoStore, at: datetime) -> None:
    evidence.attach_upload(session, user, scope, finding_id=finding_id, stream=io.BytesIO(data),
                           sha256=hashlib.sha256(data).hexdigest(), store=store, now=at)


def play(session: Session, now: datetime | None = None) -> None:
    """The story, up to `now`."""
    now = now or utcnow()
    actors = _Actors(session)
    store = PhotoStore(get_settings().photo_dir)
    compounds = {c.name: c for c in session.exec(select(Compound))}
    for number, case in enumerate(STORY):
        observed = now - timedelta(days=case.days_ago)
        user, scope = actors(case.reporter)
        before = _photo(number, after=False)
        finding_id = _id("finding", number)
        result = findings.create_finding(session, user, scope, FindingIn(
            id=finding_id, compound_id=compounds[case.compound].id, catalog_code=case.code,
            description=case.description, building=case.building, source=case.source,
            case_no=case.case_no, observed_at=observed,
            photos=[PhotoDecl(sha256=hashlib.sha256(before).hexdigest(), bytes=len(before))]),
            clock=RequestClock(observed, timedelta(0)))
        if result.status != "created":
            continue  # played before
        _upload(session, user, scope, finding_id, before, store, observed)
        for index, step in enumerate(case.steps):
            at = observed + timedelta(days=step.days)
            actor, actor_scope = actors(step.by)
            after = _photo(number * 10 + index, after=True) if step.kind == EventKind.rectify \
                else None
            transitions.apply_event(session, actor, actor_scope, EventIn(
                id=_id("event", number, index), ticket_id=finding_id, kind=step.kind, at=at,
                note=step.note, photos=[PhotoDecl(sha256=hashlib.sha256(after).hexdigest(),
                                                  bytes=len(after))] if after else []),
                clock=RequestClock(at, timedelta(0)))
            if after:
                _upload(session, actor, actor_scope, finding_id, after, store, at)
    _assess_last_month(session, actors, compounds, now)
    _publish_last_month(session, actors, now)
    _import_hotline(session, actors, now)


# Last month's 物业管理考核 (rubric P, seed 002 附件2) of each compound, 明查 by the inspector:
# (missing plans, unreported rectifications, community activities, satisfaction %); so the
# published month has a ranking, prizes and company scores.
ASSESSMENTS = {"锦绣花园": (0, 0, 3, 92), "翠竹苑": (1, 0, 1, 86), "金桂园": (0, 1, 2, 90),
               "银杏苑": (2, 1, 0, 78), "丹枫园": (1, 0, 2, 88), "紫荆园": (0, 0, 1, 84)}


def _assess_last_month(session: Session, actors: _Actors, compounds: dict, now: datetime) -> None:
    period = _last_month(now)
    user, scope = actors("inspector")
    for number, (name, (plans, unreported, activities, satisfied)) in enumerate(ASSESSMENTS.items()):
        inspection_id = _id("inspection", period.key, name)
        if name not in compounds or session.get(Inspection, inspection_id) is not None:
            continue  # played before
        at = datetime.combine(period.end, datetime.min.time(), ZoneInfo(get_settings().timezone)) \
            - timedelta(days=3, hours=-9 - number)
        clock = RequestClock(at, timedelta(0))
        inspection, _ = inspections.start(session, user, scope, InspectionStart(
            id=inspection_id, compound_id=compounds[name].id, rubric_id="P",
            period_start=period.start, period_end=period.end), clock=clock)
        observations = {"1": {"missing_plans": plans}, "2": {"feedback_missing": unreported},
                        "B1": {"activities": activities},
                        "B2": {"satisfaction": {"value": satisfied, "sample": 85}}}
        inspections.submit(session, user, inspection,
                           InspectionSubmit(observations=observations), clock=clock)


def _last_month(now: datetime):  # noqa: ANN202
    local = now.astimezone(ZoneInfo(get_settings().timezone))
    last = local.replace(day=1) - timedelta(days=1)
    return parse_period(f"{last.year}-{last.month:02d}")


def _publish_last_month(session: Session, actors: _Actors, now: datetime) -> None:
    """The district's supervisor publishes last month's results (the period the story covers)."""
    period = _last_month(now)
    supervisor, scope = actors(PUBLISHED_BY)
    unit = reports.own_unit(session, scope)
    if isinstance(unit, OrgUnit) and reports.publication(session, unit, period) is None:
        reports.freeze(session, unit, period, actor_id=supervisor.id, now=now)


# This month's 12345 work orders as the platform exports them (issue 18), imported by the
# supervisor: (days ago, None: in last month; address as the resident gave it, content, hours to reply or None,
# callback). One names no compound and one misspells 锦绣花园 (both wait in 待核对), one was
# taken in last month, which is published (it is listed as a conflict), one was replied after
# its time limit.
HOTLINE_FILE = "演示-12345热线工单.csv"
HOTLINE_ORDERS = (
    (6, "XX镇锦绣花园3栋", "3号楼东侧井盖松动，踩上去晃动", 20, "满意"),
    (5, "锦绣花园小区五号楼", "5号楼楼道堆放杂物，影响通行", 3, "满意"),
    (5, "XX镇翠竹苑2号楼", "2号楼门前消防通道被私家车占用", 2, "基本满意"),
    (4, "金桂园8幢", "8号楼旁垃圾桶满溢，环境卫生差", 100, "不满意"),
    (3, "XX镇银杏苑南门", "南门附近路灯不亮，晚上出行不便", None, ""),
    (2, "丹枫园1号楼", "1号楼前健身器材损坏，老人孩子易受伤", 1, "满意"),
    (2, "XX镇锦秀花园4幢", "4号楼前绿化带杂草丛生", None, ""),
    (1, "XX镇人民路128号沿街商铺", "商铺门口堆放杂物，占用人行道", None, ""),
    (None, "XX镇紫荆园6号楼", "6号楼地下室入口乱堆物料", 30, "满意"),  # last month
)


def hotline_rows(now: datetime, zone: ZoneInfo) -> list[list[str]]:
    """The demo's export as of `now`: a two-line header, then one row per order."""
    rows = [["工单编号", "时间", "", "诉求内容", "诉求地址", "诉求分类", "承办单位", "办理时限",
             "工单状态", "回访情况", "", "级别"],
            ["", "受理时间", "回复时间", "", "", "", "", "", "", "回访结果", "满意度", ""]]
    local = now.astimezone(zone)
    for number, (days, address, content, hours, callback) in enumerate(HOTLINE_ORDERS, start=1):
        if days is None:
            accepted = datetime.combine(_last_month(now).start + timedelta(days=3),
                                        datetime.min.time(), zone).replace(hour=9, minute=10 + number)
        else:  # this month's, however early in it the demo is loaded, and never ahead of now
            start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
            accepted = max(start + timedelta(minutes=number),
                           (local - timedelta(days=days)).replace(hour=9, minute=10 + number))
            accepted = min(accepted, local - timedelta(minutes=60 - number))
        # replied (never ahead of now, whatever the hour the demo is loaded: a reply that
        # would still be to come left 金桂园's order open and overdue before 13:00)
        replied = (min(accepted + timedelta(hours=hours), local - timedelta(minutes=number))
                   if hours is not None else None)
        # replied within five days, or (金桂园's) two days late; none still open is overdue
        limit = accepted + timedelta(days=2 if hours and hours > 48 else 5)
        fmt = "%Y-%m-%d %H:%M"
        rows.append([f"{accepted:%Y%m}{number:05d}", accepted.strftime(fmt),
                     replied.strftime(fmt) if replied else "", content, address, "城市管理",
                     "XX镇人民政府", limit.strftime(fmt), "办结" if replied else "处理中",
                     callback, "", "区级" if number % 3 else "市级"])
    return rows


def _import_hotline(session: Session, actors: _Actors, now: datetime) -> None:
    from backend.hotline import service as hotline
    from backend.hotline.models import HotlineImport

    if session.exec(select(HotlineImport.id).where(HotlineImport.filename == HOTLINE_FILE)).first():
        return  # imported before
    rows = hotline_rows(now, ZoneInfo(get_settings().timezone))
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    supervisor, scope = actors("supervisor")
    hotline.import_file(session, supervisor, out.getvalue().encode("gb18030"),
                        filename=HOTLINE_FILE, mapping=None, scope=scope, now=now)
