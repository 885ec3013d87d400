"""The ingestion hot paths' unit of work (backend.transaction.run_write) on a SQLite file: in a worker
thread with the thread policy; with the inline policy (the default) on the event loop when
SQLite's write lock is free and no page is being read or was a moment ago, in a worker thread
when another process holds it, never failing or blocking the loop for it;
writers let the reads in flight go first; the unit of work commits, the work never does; a served
app keeps the garbage collector off what start-up made.
(Always on a SQLite file: these test backend.db's and backend.transaction's SQLite set-up, whichever database the rest
of the suite uses.)"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time

import httpx
import pytest
from fastapi import FastAPI, Request
from sqlalchemy import text
from sqlmodel import Session, func, select

from backend.config import Settings
from backend.db import get_engine, make_engine, set_engine
from backend.transaction import (READING_RECENTLY_SECONDS, READS_FIRST_SECONDS, EngineSessions,
                                 ReadsFirst, SessionDep, run_write, use_sessions)


@pytest.fixture(params=["inline"])
def counter_db(request, tmp_path):  # noqa: ANN001, ANN201
    """A counter table on a SQLite file, served with the write policy of the test's parameter
    (`inline` unless the test says otherwise)."""
    path = tmp_path / "w.db"
    engine = make_engine(Settings(data_dir=tmp_path, database_url=f"sqlite:///{path}"))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER)"))
        conn.execute(text("INSERT INTO counter VALUES (1, 0)"))
    previous = get_engine()
    set_engine(engine)
    use_sessions(EngineSessions(engine, write_policy=request.param))
    yield engine, path
    use_sessions(None)  # the engine's sessions again, for the tests after this one
    set_engine(previous)
    engine.dispose()


def _app(threads: list[str]) -> FastAPI:
    app = FastAPI()

    def bump(session: Session) -> int:
        threads.append("loop" if threading.current_thread() is threading.main_thread()
                       else "worker")
        value = session.execute(text("SELECT value FROM counter")).scalar_one() + 1
        session.execute(text("UPDATE counter SET value = :v"), {"v": value})
        return value  # committed by run_write's unit of work

    @app.post("/bump")
    async def post_bump(request: Request) -> dict:
        return {"value": await run_write(request, bump)}

    @app.get("/ping")
    async def ping() -> dict:
        return {"at": time.monotonic()}

    @app.get("/api/read")
    def slow_read(session: SessionDep, seconds: float) -> dict:
        session.execute(text("SELECT value FROM counter")).scalar_one()
        time.sleep(seconds)  # a page being computed
        return {"done": time.monotonic()}

    app.add_middleware(ReadsFirst)
    return app


def _value(engine) -> int:  # noqa: ANN001
    with engine.connect() as conn:
        return conn.execute(text("SELECT value FROM counter")).scalar_one()


@pytest.mark.parametrize(("counter_db", "where"), [("inline", "loop"), ("thread", "worker")],
                         indirect=["counter_db"])
def test_a_write_runs_on_the_event_loop_when_inline_and_the_lock_is_free_else_in_a_thread(
        counter_db, where):
    engine, _ = counter_db
    threads: list[str] = []

    async def go() -> list[int]:
        transport = httpx.ASGITransport(app=_app(threads))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return [(await client.post("/bump")).json()["value"] for _ in range(3)]

    assert asyncio.run(go()) == [1, 2, 3]
    assert threads == [where] * 3
    assert _value(engine) == 3


def test_the_default_write_policy_is_inline():
    """Chosen by tests/bench/bench_sync.py and bench_mixed.py (RESULTS.md)."""
    assert Settings().write_policy == "inline"


@pytest.mark.parametrize("counter_db", ["thread", "inline"], indirect=True)
def test_a_write_lets_a_read_in_flight_finish_first_but_waits_no_longer_than_the_bound(
        counter_db):
    """A supervisor's page being read when a phone's write comes: the write starts after the
    read is done (0.15 s), and a read longer than READS_FIRST_SECONDS holds it no longer; the
    write then runs in a worker thread even with the inline policy, leaving the loop to the
    read."""
    engine, _ = counter_db
    threads: list[str] = []

    async def go(read_seconds: float) -> tuple[float, float, float]:
        transport = httpx.ASGITransport(app=_app(threads))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            read = asyncio.create_task(client.get("/api/read", params={"seconds": read_seconds}))
            await asyncio.sleep(0.05)
            started = time.monotonic()
            assert (await client.post("/bump")).status_code == 200
            written = time.monotonic()
            return (await read).json()["done"], started, written

    done, started, written = asyncio.run(asyncio.wait_for(go(0.15), timeout=20))
    assert written >= done  # the write waited for the read
    done, started, written = asyncio.run(asyncio.wait_for(go(READS_FIRST_SECONDS + 0.5),
                                                          timeout=20))
    assert written < done  # and a long read held it only READS_FIRST_SECONDS
    assert written - started >= READS_FIRST_SECONDS * 0.9
    assert _value(engine) == 2
    assert threads == ["worker", "worker"]  # inline too: a page was being read


@pytest.mark.parametrize("counter_db", ["inline"], indirect=True)
def test_inline_writes_keep_to_worker_threads_for_a_moment_after_a_page_was_read(
        counter_db, monkeypatch):
    """Phones' writes go inline while nobody reads; once a supervisor's page was read, the
    writes of the next READING_RECENTLY_SECONDS run in worker threads (the supervisor's next
    request then finds the loop free), and inline again after."""
    from types import SimpleNamespace

    import backend.transaction as transaction

    clock = [1000.0]  # the unit of work's clock only: asyncio keeps the real one
    monkeypatch.setattr(transaction, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    engine, _ = counter_db
    threads: list[str] = []

    async def go() -> None:
        transport = httpx.ASGITransport(app=_app(threads))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            await client.post("/bump")  # nobody has read: inline
            await client.get("/api/read", params={"seconds": 0})
            clock[0] += READING_RECENTLY_SECONDS - 0.1
            await client.post("/bump")  # just after a read: a worker thread
            clock[0] += 0.2
            await client.post("/bump")  # the moment has passed: inline again

    asyncio.run(asyncio.wait_for(go(), timeout=20))
    assert threads == ["loop", "worker", "loop"]
    assert _value(engine) == 3


def test_a_write_waits_in_a_worker_thread_while_another_process_holds_the_lock_and_the_loop_keeps_answering(
        counter_db):
    """Another process (here: another connection) holds the write lock for 0.4 s. The write
    neither fails with "database is locked" nor blocks the event loop: a GET sent meanwhile
    is answered before the write, which then completes in a worker thread."""
    engine, path = counter_db
    threads: list[str] = []
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    threading.Timer(0.4, lambda: other.execute("COMMIT")).start()

    async def go() -> tuple[int, float, float]:
        transport = httpx.ASGITransport(app=_app(threads))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            write = asyncio.create_task(client.post("/bump"))
            await asyncio.sleep(0.05)
            pinged = (await client.get("/ping")).json()["at"]
            answer = await write
            return answer.status_code, pinged, time.monotonic()

    status, pinged, written = asyncio.run(asyncio.wait_for(go(), timeout=20))
    other.close()
    assert status == 200
    assert pinged < written - 0.2  # the loop answered while the write waited
    assert threads == ["worker"]
    assert _value(engine) == 1


def test_a_connection_used_without_waiting_waits_again_for_the_next_ordinary_write(counter_db):
    """The no-wait switch is per connection and pooled connections are shared: the next
    ordinary write on the same connection waits for a lock held elsewhere instead of failing."""
    engine, path = counter_db
    asyncio.run(_one_bump())  # inline: the pooled connection was switched to no-wait
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    threading.Timer(0.3, lambda: other.execute("COMMIT")).start()
    with EngineSessions(engine).open(write=True) as session:  # the same pooled connection, waiting
        session.execute(text("UPDATE counter SET value = value + 10"))
        session.commit()
    other.close()
    assert _value(engine) == 11


async def _one_bump() -> None:
    transport = httpx.ASGITransport(app=_app([]))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.post("/bump")).status_code == 200


@pytest.mark.parametrize("policy", ["inline", "thread"])
def test_the_ingestion_endpoints_write_by_either_policy_and_a_refused_create_leaves_nothing(
        policy, tmp_path, monkeypatch):
    """The real endpoints on a migrated SQLite file with the demo data, no session override
    (the rest of the suite binds requests to its own connection, which takes the thread
    path): a batch and a single create are stored, inline or in a thread; a batch's refused item
    and a refused single create (an unknown compound) store nothing, and the create after the
    refusal finds its connection clean."""
    from backend.demo import load_demo
    from backend.findings.models import Finding, Ticket, TicketEvent
    from backend.ids import new_id
    from backend.main import create_app
    from backend.migrate import upgrade
    from backend.organisation.models import Compound

    url = f"sqlite:///{tmp_path / 'x.db'}"
    engine = make_engine(Settings(data_dir=tmp_path, database_url=url))
    upgrade("head", url)
    previous = get_engine()
    set_engine(engine)
    use_sessions(EngineSessions(engine, write_policy=policy))
    try:
        with Session(engine) as session:
            load_demo(session)
            session.commit()
            mine = session.exec(select(Compound.id).where(Compound.name == "锦绣花园")).one()
            before = {model: session.exec(select(func.count()).select_from(model)).one()
                      for model in (Finding, Ticket, TicketEvent)}
        inline: list[bool] = []
        real_open = EngineSessions.open

        def open_(self, *, write, nowait=False):  # noqa: ANN001, ANN202
            if nowait:
                inline.append(True)
            return real_open(self, write=write, nowait=nowait)

        monkeypatch.setattr(EngineSessions, "open", open_)

        def finding(compound, code="JC04"):  # noqa: ANN001, ANN202
            return {"id": str(new_id()), "compound_id": str(compound), "catalog_code": code,
                    "description": "井盖破损", "source": "patrol",
                    "observed_at": "2026-11-20T10:03:00+08:00", "photos": []}

        async def go() -> tuple:
            transport = httpx.ASGITransport(app=create_app())
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                token = (await client.post("/api/auth/login", json={
                    "username": "inspector", "password": "xunjian-demo"})).json()["access_token"]
                headers = {"Authorization": f"Bearer {token}"}
                batch = await client.post("/api/sync/findings", headers=headers, json={
                    "findings": [finding(mine), finding(mine, "ZZ99"), finding(mine, "HJ01")]})
                refused = await client.post("/api/findings", headers=headers,
                                            json=finding(new_id()))
                single = await client.post("/api/findings", headers=headers, json=finding(mine))
                return batch, single, refused

        batch, single, refused = asyncio.run(go())
    finally:
        use_sessions(None)
        set_engine(previous)
    assert batch.status_code == 200
    assert [r["status"] for r in batch.json()["results"]] == ["created", "invalid", "created"]
    assert single.status_code == 201
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "compound_not_found"
    # inline, each create began its transaction at once, on the loop
    assert len(inline) == (3 if policy == "inline" else 0)
    with Session(engine) as session:
        for model in (Finding, Ticket, TicketEvent):
            assert session.exec(select(func.count()).select_from(model)).one() == \
                before[model] + 3
    engine.dispose()


def test_while_serving_the_collector_leaves_start_up_objects_alone_and_young_ones_longer(app):
    """A served app freezes what start-up made out of the garbage collector's walks and lets
    young objects gather longer before a collection (backend.main `_serving`): under phones'
    load a full collection otherwise came each second and held every page ~100 ms
    (tests/bench/RESULTS.md). Stopping gives both back (a test process starts many apps)."""
    import gc

    from fastapi.testclient import TestClient

    from backend.main import YOUNG_COLLECTION_THRESHOLD

    thresholds = gc.get_threshold()
    gc.unfreeze()  # whatever froze before: this test counts only what the app does
    with TestClient(app) as client:
        assert client.get("/api/health").status_code == 200
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (YOUNG_COLLECTION_THRESHOLD, *thresholds[1:])
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == thresholds
