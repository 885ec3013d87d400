"""The personas wired for notifications: mobile numbers and e-mail addresses, a street
supervisor, the 甲物业 company's WeCom robot and e-mail, the street's DingTalk robot and the
district's WeCom robot, all pointing at receivers on 127.0.0.1 started here."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest

from backend.auth import users
from backend.auth.models import Role, UserCreate, UserUpdate
from backend.configuration import service as configuration
from tests.findings.conftest import api, clock  # noqa: F401  fixtures shared
from tests.notifications.receivers import RobotEndpoint, SmtpServer
from tests.personas import PASSWORD

MOBILES = {"manager_a": "13900000001", "grid_worker": "13900000002",
           "street_supervisor": "13900000003", "supervisor": "13900000004",
           "inspector": "13900000005"}


@dataclass
class Wired:
    robots: RobotEndpoint
    smtp: SmtpServer
    channels: dict
    client: httpx.Client


@pytest.fixture
def robots():  # noqa: ANN201
    endpoint = RobotEndpoint().start()
    yield endpoint
    endpoint.stop()


@pytest.fixture
def smtp(tmp_path):  # noqa: ANN001, ANN201
    server = SmtpServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def wired(db, client, world, robots, smtp):  # noqa: ANN001, ANN201
    world.users["street_supervisor"] = users.create_user(db, UserCreate(
        username="street_supervisor", display_name="东街道监管", role=Role.supervisor,
        password=PASSWORD, unit_ids=[world.units["east"].id]), actor_id=None)
    for persona, mobile in MOBILES.items():
        users.update_user(db, world.users[persona], UserUpdate(phone=mobile), actor_id=None)
    users.update_user(db, world.users["manager_a"],
                      UserUpdate(email="manager_a@jia-wuye.example.cn", is_company_head=True),
                      actor_id=None)
    db.commit()
    admin = world.headers("admin")

    def channel(**body) -> dict:  # noqa: ANN003
        r = client.post("/api/notify/channels", json=body, headers=admin)
        assert r.status_code == 201, r.text
        return r.json()

    channels = {
        "company_wecom": channel(kind="wecom", name="甲物业工作群", company_id=str(world.companies["a"].id),
                                 config={"webhook": robots.wecom("jia-key-0001")}),
        "company_mail": channel(kind="email", name="甲物业邮件", company_id=str(world.companies["a"].id),
                                config={"host": "127.0.0.1", "port": smtp.port, "security": "starttls",
                                        "sender": "xunjian@street.example.cn", "ca_file": smtp.ca_file}),
        "street_dingtalk": channel(kind="dingtalk", name="东街道城管群", unit_id=str(world.units["east"].id),
                                   config={"webhook": robots.dingtalk("east-token", "SECeast-secret-1"),
                                           "secret": "SECeast-secret-1"}),
        "district_wecom": channel(kind="wecom", name="XX区物管科群", unit_id=str(world.units["district"].id),
                                  config={"webhook": robots.wecom("district-key-9")}),
    }
    with httpx.Client() as http:
        yield Wired(robots, smtp, channels, http)
    configuration.observe(db, None)
