"""Issue 13 §6: a pull feed that does not serialise writers on PostgreSQL.

Two connections write at once. On PostgreSQL the second commits while the first is still open,
without waiting for it (no counter row to lock); a pull taken in between does not return the
second and skip the first (its position is fenced by the first, still in flight); after both
commit, the pull returns both exactly once, whether it starts from the beginning or from the
cursor taken in between. On SQLite, one writer at a time is the database's own rule: the
second write waits, and the pull's guarantees are the same."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from backend.auth.scope import scope_for
from backend.auth.models import User
from backend.clock import RequestClock
from backend.db import make_engine
from backend.transaction import EngineSessions
from backend.config import Settings
from backend.demo import load_demo
from backend.dbtypes import utcnow
from backend.findings import service
from backend.findings.schemas import FindingIn
from backend.migrate import upgrade
from backend.organisation.models import Compound
from backend.sync.service import pull
from tests.foundation.test_migrations import _scratch_database_url


@pytest.fixture
def scratch(tmp_path):  # noqa: ANN001, ANN201
    url, drop = _scratch_database_url(tmp_path)
    upgrade("head", url)
    engine = make_engine(Settings(data_dir=tmp_path, database_url=url))
    with Session(engine) as session:
        load_demo(session)
        session.commit()
    yield engine
    engine.dispose()
    drop()


def _finding(session: Session, user: User, compound: Compound) -> uuid.UUID:
    item = FindingIn(id=uuid.uuid4(), compound_id=compound.id, catalog_code="JC04",
                     observed_at=utcnow())
    [result] = service.create_findings(session, user, scope_for(session, user), [item],
                                       clock=RequestClock(utcnow(), timedelta(0)))
    assert result["status"] == "created", result
    return item.id


def _pull(engine, user_id, cursor: str = "0") -> tuple[list[uuid.UUID], str]:  # noqa: ANN001
    with Session(engine) as session:
        user = session.get(User, user_id)
        answer = pull(session, user, scope_for(session, user), cursor=cursor, limit=100,
                      now=utcnow(), versions={})
    return [uuid.UUID(t["id"]) for t in answer["tickets"]], answer["cursor"]


def test_two_writers_at_once_and_a_pull_in_between(scratch):
    engine = scratch
    postgres = engine.dialect.name == "postgresql"
    with Session(engine) as s:
        inspector = s.exec(select(User).where(User.username == "inspector")).one()
        compound = s.exec(select(Compound).where(Compound.name == "锦绣花园")).one()
    supervisor = Session(engine).exec(select(User).where(User.username == "supervisor")).one().id
    _, start = _pull(engine, supervisor)

    writers = EngineSessions(engine)  # as the unit of work opens them (SQLite: IMMEDIATE)
    first = writers.open(write=True)
    first_id = _finding(first, first.get(User, inspector.id), compound)  # open, not committed

    second_done = threading.Event()
    second: dict = {}

    def write_second() -> None:
        with writers.open(write=True) as s2:
            if postgres:  # a writer that had to wait for the first would fail here, not hang
                s2.execute(text("SET LOCAL lock_timeout = '3s'"))
            second["id"] = _finding(s2, s2.get(User, inspector.id), compound)
            s2.commit()
        second_done.set()

    writer = threading.Thread(target=write_second)
    writer.start()
    if postgres:
        assert second_done.wait(10), "the second writer waited for the first"
        # the first is still in flight: neither is returned, so nothing can be skipped
        between, cursor = _pull(engine, supervisor, start)
        assert second["id"] not in between and first_id not in between
    else:
        time.sleep(0.3)
        assert not second_done.is_set()  # SQLite: one writer at a time
        between, cursor = _pull(engine, supervisor, start)
        assert between == []
    first.commit()
    first.close()
    writer.join(15)
    assert second_done.is_set()

    everything, _ = _pull(engine, supervisor, start)
    assert sorted(everything) == sorted([first_id, second["id"]])
    resumed, _ = _pull(engine, supervisor, cursor)
    assert sorted(resumed) == sorted([first_id, second["id"]])
