"""Issue 17 §2: who is told what, and when, on a ticket driven through its life with a fixed
clock across National Day 2026 and a weekend.

占用消防通道 (HJ15) has 4 工作时. Dispatched Wed 2026-09-30 16:30: one hour runs that day,
10-01..10-07 are holidays, so it is due Thu 10-08 11:30. The ladder, counted in work-time:
即将到期 when 1 h is left (25% of 4 h, the later of that and 2 工作时 left) at 10:30; 催办 at
11:30; 黄牌督办 1 工作日 later, at the close of Fri 10-09; 红牌督办 3 工作日 later: Fri 10-09,
the make-up Saturday 10-10, then (Sunday off) Mon 10-12 at 17:30."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlmodel import select

from backend.findings.models import Ticket
from backend.notifications.models import Delivery, Notification
from backend.notifications.worker import tick
from tests.findings.conftest import real_photo
from tests.notifications.conftest import MOBILES

CST = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=CST)


def _new(robots, since: int, path: str | None = None) -> list:  # noqa: ANN001
    return [m for m in robots.state.messages[since:] if path is None or m.path == path]


def test_a_ticket_through_its_life_tells_each_person_at_each_step(api, clock, wired, db, client,
                                                                   world):  # noqa: ANN001
    robots, smtp, http = wired.robots, wired.smtp, wired.client
    body = api.finding("inspector", code="HJ15")
    r = api.post_finding("inspector", body)
    assert r.status_code == 201, r.text
    ticket_id = body["id"]
    assert r.json()["ticket"]["due_at"] == "2026-10-08T11:30:00+08:00"

    # dispatched: the company's group at once, the manager mentioned, and an e-mail
    tick(at(2026, 9, 30, 16, 30), client=http)
    [new] = _new(robots, 0)
    assert new.key == "jia-key-0001" and new.mobiles == [MOBILES["manager_a"]]
    assert new.text.startswith("新工单：东苑 占用消防通道（3号楼）")
    assert "处置时限：10月08日 11:30" in new.text
    [(to, mail, tls)] = smtp.mails
    assert to == ["manager_a@jia-wuye.example.cn"] and tls and mail["Subject"].startswith("新工单")

    # nothing over the holiday; again at the same instant, nothing twice
    seen = len(robots.state.messages)
    tick(at(2026, 9, 30, 16, 30), client=http)
    tick(at(2026, 10, 4, 10, 0), client=http)
    assert len(robots.state.messages) == seen

    # 即将到期 with one work-hour left: the manager
    tick(at(2026, 10, 8, 10, 29), client=http)
    assert len(robots.state.messages) == seen
    tick(at(2026, 10, 8, 10, 30), client=http)
    [soon] = _new(robots, seen)
    assert soon.text.startswith("即将到期：东苑") and soon.mobiles == [MOBILES["manager_a"]]

    # 催办 at the due time: the manager (company group) and the grid worker (the street's group,
    # the nearest above 东一网格 that has one)
    seen = len(robots.state.messages)
    tick(at(2026, 10, 8, 11, 30), client=http)
    urged = {m.path: m for m in _new(robots, seen)}
    assert set(urged) == {"/cgi-bin/webhook/send", "/dingtalk/robot/send"}
    assert urged["/cgi-bin/webhook/send"].text.startswith("【催办】东苑")
    assert urged["/dingtalk/robot/send"].mobiles == [MOBILES["grid_worker"]]
    assert urged["/dingtalk/robot/send"].text.endswith(f"@{MOBILES['grid_worker']}")
    assert client.get(f"/api/tickets/{ticket_id}", headers=world.headers("manager_a")
                      ).json()["ladder_level"] == 2

    # rectified: the verifiers of the scope (the inspector who found it, the street supervisor)
    after = real_photo("orientation_landscape_2.jpg")
    clock.set(2026, 10, 8, 13, 40)
    assert api.event("manager_a", ticket_id, "rectify", photos=[after], note="已清理").status_code == 201
    seen = len(robots.state.messages)
    tick(at(2026, 10, 8, 13, 40), client=http)
    [check] = _new(robots, seen)
    assert check.path == "/dingtalk/robot/send" and check.text.startswith("待核查：东苑")
    assert check.mobiles == sorted([MOBILES["inspector"], MOBILES["street_supervisor"]])
    assert "整改说明：已清理" in check.text

    # rejected: the manager, with the reason
    clock.set(2026, 10, 8, 14, 0)
    assert api.event("inspector", ticket_id, "reject", note="通道口仍停有电动车").status_code == 201
    seen = len(robots.state.messages)
    tick(at(2026, 10, 8, 14, 0), client=http)
    [back] = _new(robots, seen)
    assert back.text.startswith("整改被退回：东苑") and "退回原因：通道口仍停有电动车" in back.text

    # the morning digest on Friday: the supervisors, the overdue in their scope
    seen = len(robots.state.messages)
    tick(at(2026, 10, 9, 8, 30), client=http)
    digests = {m.key: m for m in _new(robots, seen)}
    assert set(digests) == {"east-token", "district-key-9"}
    assert "东苑（甲物业服务有限公司）：1 件" in digests["district-key-9"].text
    tick(at(2026, 10, 9, 9, 0), client=http)  # once a day
    assert len(robots.state.messages) == seen + 2

    # 黄牌督办 at the close of Friday: the company's head and the street's supervisor
    seen = len(robots.state.messages)
    tick(at(2026, 10, 9, 17, 29), client=http)
    assert len(robots.state.messages) == seen
    tick(at(2026, 10, 9, 17, 30), client=http)
    yellow = {m.key: m for m in _new(robots, seen)}
    assert set(yellow) == {"jia-key-0001", "east-token"}
    assert yellow["east-token"].mobiles == [MOBILES["street_supervisor"]]
    assert all(m.text.startswith("【黄牌督办】") for m in yellow.values())

    # no digest on Sunday; 红牌督办 at the close of Monday 10-12: the district
    seen = len(robots.state.messages)
    tick(at(2026, 10, 11, 9, 0), client=http)
    assert len(robots.state.messages) == seen
    tick(at(2026, 10, 12, 17, 30), client=http)
    red = [m for m in _new(robots, seen) if "红牌督办" in m.text]
    assert [(m.key, m.mobiles) for m in red] == [("district-key-9", [MOBILES["supervisor"]])]
    tick(at(2026, 10, 12, 18, 0), client=http)
    assert not [m for m in _new(robots, seen) if "红牌督办" in m.text][1:]

    # the ladder is counted on the overdue dashboard and shown on the ticket
    supervisor = world.headers("supervisor")
    assert client.get("/api/dashboard/ladder", headers=supervisor).json() == \
        {"urged": 0, "yellow": 0, "red": 1}
    assert client.get("/api/dashboard/ladder", headers=supervisor, params={
        "street_id": str(world.units["west"].id)}).json() == {"urged": 0, "yellow": 0, "red": 0}
    assert client.get("/api/dashboard/ladder", headers=world.headers("manager_b")).json()["red"] == 0
    shown = client.get(f"/api/tickets/{ticket_id}", headers=world.headers("manager_a")).json()
    assert shown["ladder_level"] == 4 and shown["ladder_at"].startswith("2026-10-12T17:30")
    row = db.get(Ticket, UUID(ticket_id))
    db.refresh(row)
    assert (row.ladder_level, row.notify_at) == (4, None)
    # every person has it in the app's inbox too, and nothing failed or waits
    titles = [n.title for n in db.exec(select(Notification).where(
        Notification.recipient_id == world.users["manager_a"].id).order_by(Notification.created_at))]
    assert [t.split("：")[0].split("】")[0] for t in titles] == \
        ["新工单", "即将到期", "【催办", "整改被退回", "【黄牌督办"]
    statuses = {d.status for d in db.exec(select(Delivery).where(Delivery.ticket_id == UUID(ticket_id)))}
    assert statuses == {"sent"}
    assert not robots.state.refused


def test_out_of_hours_a_message_waits_for_the_next_window(api, clock, wired, db):  # noqa: ANN001
    """Logged at 19:00 on Wednesday 09-30, the manager's group hears of it at 08:30 on the
    first working day after the holiday, Thursday 10-08."""
    robots, http = wired.robots, wired.client
    clock.set(2026, 9, 30, 19, 0)
    body = api.finding("inspector", code="JC04", observed_at="2026-09-30T18:55:00+08:00")
    assert api.post_finding("inspector", body).status_code == 201
    tick(at(2026, 9, 30, 19, 0), client=http)
    tick(at(2026, 10, 8, 8, 29), client=http)
    assert robots.state.messages == []
    tick(at(2026, 10, 8, 8, 30), client=http)
    assert [m.text.split("\n")[0] for m in robots.state.messages] == ["新工单：东苑 井盖缺损（3号楼）"]


def test_the_inbox_arrives_with_the_pull_and_is_read_when_the_ticket_is_opened(
        api, clock, wired, client, world):  # noqa: ANN001
    body = api.finding("inspector", code="JC04")
    assert api.post_finding("inspector", body).status_code == 201
    tick(at(2026, 9, 30, 16, 30), client=wired.client)
    manager = world.headers("manager_a")
    pulled = client.get("/api/sync/pull", headers=manager).json()
    inbox = pulled["inbox"]
    assert inbox["unread"] == 1 and inbox["items"][0]["ticket_id"] == body["id"]
    assert inbox["items"][0]["title"] == "新工单：东苑 井盖缺损（3号楼）"
    again = client.get("/api/sync/pull", headers=manager,
                       params={"inbox_version": inbox["version"]}).json()
    assert again["inbox"] is None  # unchanged: not sent again
    r = client.post("/api/notifications/read", headers=manager, json={"ticket_id": body["id"]})
    assert r.json() == {"read": 1}
    after = client.get("/api/sync/pull", headers=manager,
                       params={"inbox_version": inbox["version"]}).json()["inbox"]
    assert after["unread"] == 0 and after["items"][0]["read_at"]
    # another company's manager was told nothing
    assert client.get("/api/notifications", headers=world.headers("manager_b")).json() == \
        {"unread": 0, "items": []}


def test_an_upgrade_does_not_tell_again_what_everyone_knew(api, clock, wired, db):  # noqa: ANN001
    """A ticket open at the upgrade (migration 0018: ladder_level -1) takes its past steps as
    told: the first scan sends nothing, the next step comes as usual."""
    robots, http = wired.robots, wired.client
    body = api.finding("inspector", code="HJ15")
    assert api.post_finding("inspector", body).status_code == 201
    row = db.get(Ticket, UUID(body["id"]))
    row.ladder_level, row.notified_seq = -1, 1
    db.add(row)
    db.commit()
    tick(at(2026, 10, 8, 11, 40), client=http)  # past its 即将到期 and 催办
    assert robots.state.messages == []
    tick(at(2026, 10, 9, 17, 30), client=http)
    assert [m.text.split("】")[0] for m in robots.state.messages] == ["【黄牌督办"] * 2



def test_a_ticket_seen_late_is_told_only_its_present_step(api, clock, wired, db):  # noqa: ANN001
    """While the notifier was stopped one ticket was dispatched and rectified, another
    dispatched, rectified and verified: the first scan tells the verifiers 待核查 of the first
    (not the managers 新工单, which it overtook) and nobody anything of the closed one."""
    robots, http = wired.robots, wired.client
    waiting, closed = api.finding("inspector", code="HJ15"), api.finding("inspector", code="JC04")
    for body in (waiting, closed):
        assert api.post_finding("inspector", body).status_code == 201
    clock.set(2026, 10, 8, 13, 40)
    for body in (waiting, closed):
        assert api.event("manager_a", body["id"], "rectify", note="已清理",
                         photos=[real_photo("orientation_landscape_2.jpg")]).status_code == 201
    assert api.event("inspector", closed["id"], "close").status_code == 201
    tick(at(2026, 10, 8, 13, 40), client=http)
    assert [m.text.split("\n")[0] for m in robots.state.messages] == ["待核查：东苑 占用消防通道（3号楼）"]
    told = {n.title.split("：")[0] for n in db.exec(select(Notification))}
    assert told == {"待核查"}
