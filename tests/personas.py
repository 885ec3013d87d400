"""Named personas, one per role and scope, so permission tests read as one line each.

    XX区 (district)
      东街道 (street)  → 东社区 (community) → 东一网格, 东二网格 (grids)
          compound 东苑  (company 甲物业, grid 东一网格)
          compound 东园  (company 乙物业, grid 东二网格)
      西镇 (town)      → 西社区 → 西一网格
          compound 西苑  (company 乙物业, grid 西一网格)

    admin; supervisor (XX区); inspector (东街道); inspector_west (西镇);
    grid_worker (东一网格); manager_a (甲物业); manager_b (乙物业)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from sqlmodel import Session

from backend.auth import users
from backend.auth.models import Role, User, UserCreate
from backend.organisation import service as org
from backend.organisation.models import Company, CompanyCreate, Compound, CompoundCreate, \
    OrgUnit, OrgUnitCreate, UnitLevel

PASSWORD = "correct-horse-9"


@dataclass
class World:
    units: dict[str, OrgUnit] = field(default_factory=dict)
    companies: dict[str, Company] = field(default_factory=dict)
    compounds: dict[str, Compound] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, persona: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[persona]}"}


def build_world(session: Session) -> World:
    w = World()

    def unit(key: str, name: str, level: UnitLevel, parent: str | None) -> None:
        w.units[key] = org.create_unit(session, OrgUnitCreate(
            name=name, level=level, parent_id=w.units[parent].id if parent else None))

    unit("district", "XX区", UnitLevel.district, None)
    unit("east", "东街道", UnitLevel.street, "district")
    unit("east_c", "东社区", UnitLevel.community, "east")
    unit("east_g1", "东一网格", UnitLevel.grid, "east_c")
    unit("east_g2", "东二网格", UnitLevel.grid, "east_c")
    unit("west", "西镇", UnitLevel.town, "district")
    unit("west_c", "西社区", UnitLevel.community, "west")
    unit("west_g1", "西一网格", UnitLevel.grid, "west_c")
    for key, name in (("a", "甲物业服务有限公司"), ("b", "乙物业服务有限公司")):
        w.companies[key] = org.create_company(session, CompanyCreate(name=name))
    for key, name, community, company, grid in (
            ("east_a", "东苑", "east_c", "a", "east_g1"),
            ("east_b", "东园", "east_c", "b", "east_g2"),
            ("west_b", "西苑", "west_c", "b", "west_g1")):
        w.compounds[key] = org.create_compound(session, CompoundCreate(
            name=name, community_id=w.units[community].id, company_id=w.companies[company].id,
            grid_ids=[w.units[grid].id], building_area_m2=Decimal("52000"), households=600))
    for persona, role, units, company in (
            ("admin", Role.admin, [], None),
            ("supervisor", Role.supervisor, ["district"], None),
            ("inspector", Role.inspector, ["east"], None),
            ("inspector_west", Role.inspector, ["west"], None),
            ("grid_worker", Role.grid_worker, ["east_g1"], None),
            ("manager_a", Role.property_manager, [], "a"),
            ("manager_b", Role.property_manager, [], "b")):
        w.users[persona] = users.create_user(session, UserCreate(
            username=persona, display_name=persona, role=role, password=PASSWORD,
            unit_ids=[w.units[u].id for u in units],
            company_id=w.companies[company].id if company else None), actor_id=None)
    session.commit()
    return w


@pytest.fixture
def world(db: Session, client) -> World:  # noqa: ANN001
    """The personas, logged in through the API."""
    w = build_world(db)
    for persona in w.users:
        response = client.post("/api/auth/login", json={"username": persona, "password": PASSWORD})
        assert response.status_code == 200, response.text
        w.tokens[persona] = response.json()["access_token"]
    return w
