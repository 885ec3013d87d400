"""`xunjian demo`: the seeds' places and one user of every role, loaded idempotently.

- The town of seed 002 (XX镇) with its six compounds, each served by its own property company.
  The seed anonymises the compound names (XX花园、XX苑、XX园、XX苑、XX园、XX园); the demo keeps
  each name's suffix and gives it a made-up first part so the six can be told apart.
- The five streets of seed 001 in 大连市西岗区, each with its 2021 half-year inspection by rubric X
  as the seed's notice reads it (rubrics/examples/X.json), so that
  `xunjian report 2021H1 大连市西岗区` prints the published table: 98, 99, 99, 98, 99.
- One user of every role, with the passwords printed below (change them before real use).
- 二七区 (seed 003) with two old compounds, where rubric E applies, and its inspector and
  supervisor.
- A month of the town's work (backend/demo_activity.py): findings with photos, tickets in every
  state (one overdue, one waiting for the verifier), a hotline case, last month published.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import typer
from sqlmodel import Session, select

from backend import demo_activity
from backend.auth import users
from backend.auth.models import Role, User, UserCreate
from backend.auth.scope import scope_for
from backend.clitools import cli_session
from backend.clock import RequestClock
from backend.config import get_settings
from backend.dbtypes import utcnow
from backend.notifications import service as notifications
from backend.ids import new_id
from backend.inspections import service as inspections
from backend.inspections.models import Inspection
from backend.inspections.schemas import InspectionStart, InspectionSubmit
from backend.organisation import service as org_service
from backend.organisation.models import Company, CompanyCreate, Compound, CompoundCreate, \
    CreditGrade, OrgUnit, OrgUnitCreate, UnitLevel

TOWN_DISTRICT = "XX区"
TOWN = "XX镇"
TOWN_COMMUNITY = "XX镇中心社区"
TOWN_GRIDS = ("第一网格", "第二网格", "第三网格")
# (name, company, credit grade, area m², households, moved in, old compound, party branch, grid,
#  latitude, longitude)
TOWN_COMPOUNDS = (
    ("锦绣花园", "锦绣物业服务有限公司", "AA", "52000", 620, date(2022, 3, 1), True, True, 0, 31.2301, 121.4737),
    ("翠竹苑", "翠竹物业管理有限公司", "A", "38500", 410, date(2021, 7, 15), True, False, 0, 31.2312, 121.4761),
    ("金桂园", "金桂物业服务有限公司", "AAA", "61200", 730, date(2020, 1, 1), False, True, 1, 31.2289, 121.4702),
    ("银杏苑", "银杏物业服务有限公司", "B", "27400", 300, date(2023, 5, 20), True, False, 1, 31.2275, 121.4750),
    ("丹枫园", "丹枫社区物业服务有限公司", "A", "44800", 520, date(2022, 9, 1), False, True, 2, 31.2330, 121.4720),
    ("紫荆园", "紫荆物业服务有限公司", "AA", "33600", 380, date(2021, 11, 8), False, False, 2, 31.2260, 121.4780),
)
XIGANG_DISTRICT = "大连市西岗区"
XIGANG_STREETS = ("八一路街道", "人民广场街道", "白云街道", "日新街道", "香炉礁街道")
# Seed 003's district, where rubric E applies to old compounds (老旧小区): one street's
# community with two old compounds and a newer one. The compounds and companies are made up.
ERQI_DISTRICT = "二七区"
ERQI_STREET = "淮河路街道"
ERQI_COMMUNITY = "淮河路社区"
# (name, company, area m², households, moved in, old compound)
ERQI_COMPOUNDS = (
    ("建新街3号院", "郑州安居物业服务有限公司", "18600", 240, date(2024, 3, 1), True),
    ("陇海西路28号院", "郑州安居物业服务有限公司", "26400", 330, date(2023, 9, 1), True),
    ("嵩山南路锦华苑", "郑州锦华物业管理有限公司", "41000", 520, date(2019, 6, 1), False),
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: Role
    display_name: str
    scope: str


DEMO_LOGINS = (
    DemoLogin("admin", "xunjian-admin", Role.admin, "系统管理员", "全部"),
    DemoLogin("supervisor", "xunjian-demo", Role.supervisor, "王科长（物管科）", TOWN_DISTRICT),
    DemoLogin("inspector", "xunjian-demo", Role.inspector, "李考核", TOWN),
    DemoLogin("gridworker", "xunjian-demo", Role.grid_worker, "张网格", f"{TOWN_COMMUNITY} 第一网格"),
    DemoLogin("manager", "xunjian-demo", Role.property_manager, "赵经理（锦绣物业）", "锦绣物业服务有限公司"),
    DemoLogin("manager2", "xunjian-demo", Role.property_manager, "钱经理（翠竹物业）", "翠竹物业管理有限公司"),
    DemoLogin("xigang", "xunjian-demo", Role.supervisor, "西岗区住建局", XIGANG_DISTRICT),
    DemoLogin("erqi", "xunjian-demo", Role.inspector, "孙考核（淮河路街道）", ERQI_STREET),
    DemoLogin("erqi_supervisor", "xunjian-demo", Role.supervisor, "二七区住建局", ERQI_DISTRICT),
)


def _unit(session: Session, name: str, level: UnitLevel, parent: OrgUnit | None) -> OrgUnit:
    found = session.exec(select(OrgUnit).where(
        OrgUnit.name == name,
        OrgUnit.parent_id == parent.id if parent else OrgUnit.parent_id.is_(None))).first()
    return found or org_service.create_unit(session, OrgUnitCreate(
        name=name, level=level, parent_id=parent.id if parent else None))


def load_demo(session: Session) -> None:
    district = _unit(session, TOWN_DISTRICT, UnitLevel.district, None)
    town = _unit(session, TOWN, UnitLevel.town, district)
    community = _unit(session, TOWN_COMMUNITY, UnitLevel.community, town)
    grids = [_unit(session, g, UnitLevel.grid, community) for g in TOWN_GRIDS]
    for (name, company_name, grade, area, households, moved_in, old, party, grid, lat,
         lon) in TOWN_COMPOUNDS:
        company = session.exec(select(Company).where(Company.name == company_name)).first() \
            or org_service.create_company(session, CompanyCreate(
                name=company_name, credit_grade=CreditGrade(grade),
                community_run=company_name.startswith("丹枫社区")))
        if session.exec(select(Compound).where(Compound.name == name,
                                               Compound.community_id == community.id)).first():
            continue
        org_service.create_compound(session, CompoundCreate(
            name=name, community_id=community.id, company_id=company.id,
            address=f"{TOWN}{name}", building_area_m2=Decimal(area), households=households,
            company_moved_in_on=moved_in, is_old=old, has_party_branch=party,
            grid_ids=[grids[grid].id], latitude=lat, longitude=lon))
    xigang = _unit(session, XIGANG_DISTRICT, UnitLevel.district, None)
    for street in XIGANG_STREETS:
        _unit(session, street, UnitLevel.street, xigang)
    erqi = _unit(session, ERQI_DISTRICT, UnitLevel.district, None)
    erqi_street = _unit(session, ERQI_STREET, UnitLevel.street, erqi)
    erqi_community = _unit(session, ERQI_COMMUNITY, UnitLevel.community, erqi_street)
    for name, company_name, area, households, moved_in, old in ERQI_COMPOUNDS:
        company = session.exec(select(Company).where(Company.name == company_name)).first() \
            or org_service.create_company(session, CompanyCreate(name=company_name))
        if session.exec(select(Compound).where(Compound.name == name,
                                               Compound.community_id == erqi_community.id)).first():
            continue
        org_service.create_compound(session, CompoundCreate(
            name=name, community_id=erqi_community.id, company_id=company.id,
            address=f"郑州市{ERQI_DISTRICT}{name}", building_area_m2=Decimal(area),
            households=households, company_moved_in_on=moved_in, is_old=old))

    scope_units = {"supervisor": [district], "inspector": [town], "gridworker": [grids[0]],
                   "xigang": [xigang], "erqi": [erqi_street], "erqi_supervisor": [erqi]}
    scope_companies = {"manager": "锦绣物业服务有限公司", "manager2": "翠竹物业管理有限公司"}
    for login in DEMO_LOGINS:
        if session.exec(select(User).where(User.username == login.username)).first():
            continue
        company_id = None
        if login.username in scope_companies:
            company_id = session.exec(select(Company.id).where(
                Company.name == scope_companies[login.username])).one()
        users.create_user(session, UserCreate(
            username=login.username, password=login.password, role=login.role,
            display_name=login.display_name,
            unit_ids=[u.id for u in scope_units.get(login.username, [])], company_id=company_id),
            actor_id=None)
    session.flush()
    _seed_001_inspections(session, xigang)
    session.flush()
    demo_activity.play(session)
    # What the month's tickets told each person: the inbox and the ladder have something to show.
    while notifications.scan(session, utcnow()) == 200:
        pass


def _seed_001_inspections(session: Session, district: OrgUnit) -> None:
    """The district's supervisor inspects each street with rubric X over 2021H1, through the
    inspections service (scored like any submission), unless it already has."""
    example = json.loads((get_settings().rubrics_dir / "examples" / "X.json")
                         .read_text(encoding="utf-8"))
    user = session.exec(select(User).where(User.username == "xigang")).one()
    scope = scope_for(session, user)
    start, end = (date.fromisoformat(example["period"][k]) for k in ("start", "end"))
    clock = RequestClock(utcnow(), timedelta(0))
    for name, subject in example["subjects"].items():
        street = _unit(session, name, UnitLevel.street, district)
        if session.exec(select(Inspection.id).where(
                Inspection.unit_id == street.id, Inspection.rubric_id == example["rubric"],
                Inspection.period_start == start, Inspection.submitted_at.is_not(None))).first():
            continue
        inspection, _ = inspections.start(
            session, user, scope, InspectionStart(id=new_id(), unit_id=street.id,
                                                  rubric_id=example["rubric"],
                                                  period_start=start, period_end=end),
            clock=clock)
        inspections.submit(session, user, inspection,
                           InspectionSubmit(observations=subject["observations"]), clock=clock)


def print_logins() -> None:
    typer.echo("演示账号 demo logins:")
    for login in DEMO_LOGINS:
        typer.echo(f"  {login.username:11} / {login.password:14} {login.display_name}（{login.scope}）")


def demo() -> None:
    """Load the demo organisation and users (safe to run again), then print the logins."""
    with cli_session() as session:
        load_demo(session)
    typer.echo(f"demo data loaded: {TOWN} with {len(TOWN_COMPOUNDS)} compounds and a month of "
               f"findings and tickets ({len(demo_activity.STORY)}), last month published; "
               f"{XIGANG_DISTRICT} with {len(XIGANG_STREETS)} streets and their 2021H1 "
               f"inspections (xunjian report 2021H1 大连市西岗区); {ERQI_DISTRICT} with "
               f"{len(ERQI_COMPOUNDS)} compounds, {sum(c[5] for c in ERQI_COMPOUNDS)} of them old")
    print_logins()


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
