"""Issue 17 §3: delivered once, never lost. Faults against the real receivers: the robot down
for a while, the robot's rate limit, a worker killed between sending and recording, and two
workers sharing the outbox."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlmodel import Session, select

from backend.config import Settings
from backend.db import make_engine
from backend.migrate import upgrade
from backend.notifications.models import Delivery, DeliveryAttempt, NotifyChannel
from backend.notifications.worker import deliver_all, tick
from backend.transaction import EngineSessions, use_sessions
from tests.foundation.test_migrations import _scratch_database_url
from tests.notifications.receivers import RobotEndpoint

CST = ZoneInfo("Asia/Shanghai")
T = datetime(2026, 9, 30, 16, 30, tzinfo=CST)
REPO = Path(__file__).resolve().parents[2]


def _titles(texts: list[str]) -> list[str]:
    """Every message title a robot received, counting those inside a merged digest."""
    out = []
    for text in texts:
        lines = text.split("\n")
        if lines[0].startswith("【消息汇总】"):
            out += [line.split(". ", 1)[1] for line in lines[1:] if ". " in line]
        else:
            out.append(lines[0])
    return out


def _company_texts(robots) -> list[str]:  # noqa: ANN001
    return [m.text for m in robots.state.messages if m.key == "jia-key-0001"]


def test_the_robot_down_for_a_while_then_up_every_message_arrives_once(api, clock, wired, db, client,
                                                                         world):  # noqa: ANN001
    robots, http = wired.robots, wired.client
    for building in ("1号楼", "2号楼"):
        assert api.post_finding("inspector", api.finding("inspector", building=building)).status_code == 201
    robots.stop()
    tick(T, client=http)
    tick(T + timedelta(seconds=31), client=http)
    failed = db.exec(select(Delivery).where(Delivery.channel_id == uuid.UUID(
        wired.channels["company_wecom"]["id"]))).all()
    for d in failed:
        db.refresh(d)
    assert [(d.status, d.attempts) for d in failed] == [("pending", 2)] * 2
    shown = client.get("/api/notify/channels", headers=world.headers("admin")).json()
    group = next(c for c in shown if c["name"] == "甲物业工作群")
    assert group["waiting"] == 2 and group["last_error"].startswith("无法连接")
    robots.start()  # the same port again
    tick(T + timedelta(minutes=2), client=http)
    tick(T + timedelta(minutes=10), client=http)
    assert sorted(_titles(_company_texts(robots))) == \
        ["新工单：东苑 井盖缺损（1号楼）", "新工单：东苑 井盖缺损（2号楼）"]
    attempts = db.exec(select(DeliveryAttempt.ok).join(Delivery).where(
        Delivery.channel_id == uuid.UUID(wired.channels["company_wecom"]["id"]))).all()
    assert sorted(attempts) == [False] * 4 + [True] * 2


def test_over_the_robots_twenty_a_minute_messages_are_held_and_merged_never_lost(api, clock, wired):  # noqa: ANN001
    robots, http = wired.robots, wired.client
    for n in range(1, 31):
        assert api.post_finding("inspector", api.finding("inspector", building=f"{n}号楼")).status_code == 201
    tick(T, client=http)
    texts = _company_texts(robots)
    assert len(texts) == 20  # 19 alone, and one carrying the other 11
    assert texts[-1].startswith("【消息汇总】以下 11 条通知因发送频率限制合并发送")

    # five more within the same minute wait for it to pass; the robot then refuses three as
    # too fast (errcode 45009): they come a minute later
    for n in range(31, 36):
        assert api.post_finding("inspector", api.finding("inspector", building=f"{n}号楼")).status_code == 201
    tick(T + timedelta(seconds=10), client=http)
    assert len(_company_texts(robots)) == 20
    robots.state.limit_after = len(robots.state.messages) + 2
    tick(T + timedelta(seconds=62), client=http)
    robots.state.limit_after = None
    tick(T + timedelta(seconds=124), client=http)
    titles = _titles(_company_texts(robots))
    assert sorted(titles) == sorted(f"新工单：东苑 井盖缺损（{n}号楼）" for n in range(1, 36))


def test_a_dingtalk_robot_with_the_wrong_secret_is_refused_and_the_message_kept(
        api, wired, client, world):  # noqa: ANN001
    """The receiver checks the signature as DingTalk does: a wrong secret is refused there
    (errcode 310000), recorded as a failure with the secret masked, and retried."""
    robots = wired.robots
    channel = wired.channels["street_dingtalk"]
    r = client.patch(f"/api/notify/channels/{channel['id']}", headers=world.headers("admin"),
                     json={"config": {"secret": "SECwrong-secret-2"}})
    assert r.status_code == 200 and r.json()["config"]["secret"] == "SEC••••t-2"
    test = client.post(f"/api/notify/channels/{channel['id']}/test", headers=world.headers("admin"))
    assert test.json() == {"ok": False, "error": "errcode 310000：sign not match (sign)"}
    assert robots.state.refused == ["sign"]
    shown = client.get("/api/notify/channels", headers=world.headers("admin")).json()
    street = next(c for c in shown if c["id"] == channel["id"])
    assert street["last_error"].startswith("errcode 310000") and street["failed"] == 1
    assert "SECwrong-secret-2" not in str(shown)
    # put right (the masked value sent back keeps the secret), the retry goes through
    client.patch(f"/api/notify/channels/{channel['id']}", headers=world.headers("admin"),
                 json={"config": {"secret": "SECeast-secret-1"}})
    failed = client.get("/api/notify/deliveries", headers=world.headers("admin"),
                        params={"status": "failed"}).json()["items"]
    r = client.post(f"/api/notify/deliveries/{failed[0]['id']}/retry", headers=world.headers("admin"))
    assert r.status_code == 200 and r.json()["status"] == "pending"
    tick(datetime.now(timezone.utc), client=wired.client)
    assert [m.text.split("\n")[0] for m in robots.state.messages] == ["巡检系统测试消息：东街道城管群（钉钉群机器人）已接通。"]


# ------------------------------------------------------------------ real workers, real commits


@pytest.fixture
def scratch(tmp_path):  # noqa: ANN001, ANN201
    """A database of its own (the workers commit for real), migrated, with one robot per channel."""
    url, drop = _scratch_database_url(tmp_path)
    upgrade("head", url)
    engine = make_engine(Settings(data_dir=tmp_path, database_url=url))
    use_sessions(EngineSessions(engine))
    yield engine, url
    use_sessions(None)
    engine.dispose()
    drop()


def _outbox(engine, robots: RobotEndpoint, channels: int, per_channel: int, now: datetime) -> None:  # noqa: ANN001
    with Session(engine) as session:
        for c in range(channels):
            channel = NotifyChannel(kind="wecom", name=f"群{c}", config={"webhook": robots.wecom(f"k{c}")})
            session.add(channel)
            session.flush()
            for m in range(per_channel):
                session.add(Delivery(key=f"m{c}-{m}", channel_id=channel.id, rule="dispatched",
                                     title=f"消息 {c}-{m}", body=f"消息 {c}-{m}", next_attempt_at=now))
        session.commit()


def test_two_workers_never_send_the_same_message_twice(scratch):  # noqa: ANN001
    """1,000 due messages, two workers claiming at once (FOR UPDATE SKIP LOCKED on PostgreSQL;
    SQLite's one writer on the embedded default): each arrives exactly once."""
    engine, _ = scratch
    robots = RobotEndpoint().start()
    now = datetime.now(timezone.utc)
    try:
        _outbox(engine, robots, channels=100, per_channel=10, now=now)
        errors: list[BaseException] = []

        def worker() -> None:
            try:
                with httpx.Client() as http:
                    while deliver_all(now, http, clock_now=lambda: now) != (0, 0):
                        pass
            except BaseException as e:  # noqa: BLE001 - reported by the test
                errors.append(e)

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not errors, errors
        texts = robots.state.texts()
        assert len(texts) == 1000 and len(set(texts)) == 1000
        with Session(engine) as session:
            assert set(session.exec(select(Delivery.status)).all()) == {"sent"}
    finally:
        robots.stop()


def _worker(url: str, data_dir: Path, offset: int = 0) -> subprocess.Popen:
    env = {**os.environ, "XUNJIAN_DATABASE_URL": url, "XUNJIAN_DATA_DIR": str(data_dir),
           "XUNJIAN_CLOCK_OFFSET_SECONDS": str(offset)}
    log = open(data_dir / f"worker-{offset}.log", "ab")  # noqa: SIM115 - the child holds it
    return subprocess.Popen([str(Path(sys.executable).parent / "xunjian"), "worker", "--every", "0.3"],
                            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)


def _until(check, seconds: float = 30) -> None:  # noqa: ANN001
    end = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.1)


def test_a_worker_killed_between_sending_and_recording_repeats_that_message_once(scratch, tmp_path):  # noqa: ANN001
    """`xunjian worker` sends; the robot has the message but holds its answer; the worker is
    killed (SIGKILL) before it can record the send. Its lease runs out (two minutes; the second
    worker runs five minutes ahead), and the next worker sends that message once more: at most
    one repeat, and the other messages once each."""
    engine, url = scratch
    robots = RobotEndpoint().start()
    try:
        _outbox(engine, robots, channels=1, per_channel=3, now=datetime.now(timezone.utc))
        robots.state.hold_seconds = 30
        first = _worker(url, tmp_path)
        _until(lambda: len(robots.state.messages) >= 1)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        robots.state.hold_seconds = 0
        robots.state.released.set()  # the held answer finds its sender gone
        with Session(engine) as session:
            assert session.exec(select(DeliveryAttempt)).all() == []  # nothing recorded
        second = _worker(url, tmp_path, offset=300)
        try:
            def all_sent() -> bool:
                with Session(engine) as session:
                    return set(session.exec(select(Delivery.status)).all()) == {"sent"}
            _until(all_sent)
            time.sleep(1.5)  # a few more rounds: nothing more goes
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(10)
        texts = robots.state.texts()
        assert sorted(texts) == sorted([texts[0], "消息 0-0", "消息 0-1", "消息 0-2"])
        assert texts.count(texts[0]) == 2
    finally:
        robots.stop()
