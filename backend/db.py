"""Engine, session and the one transaction boundary.

Routers get a session from `get_session`; it commits when the request succeeds and rolls
back when it fails. Services only flush. SQLite runs in WAL mode with foreign keys on.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import AsyncIterator, Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import MetaData, event

import backend.dbtypes  # noqa: F401 - sets the naming convention before any table exists
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

from backend.config import Settings, get_settings
from backend.errors import DomainError

metadata: MetaData = SQLModel.metadata  # naming convention set in backend.dbtypes


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # noqa: ANN001
        # Let SQLAlchemy, not pysqlite, decide when transactions begin, so that
        # SAVEPOINTs (nested transactions, test isolation) behave as documented.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_S * 1000}")
        # Checkpoints run in the background (`_Checkpointer`), not in the commit of whichever
        # request crosses the default 1,000 pages; this bound only applies if that stops.
        cursor.execute(f"PRAGMA wal_autocheckpoint={_WAL_AUTOCHECKPOINT_PAGES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        # A request that may write takes the write lock at BEGIN (see `get_session`): a
        # deferred transaction that read first and then writes fails at once with "database
        # is locked" (SQLITE_BUSY_SNAPSHOT, no busy wait) whenever another writer committed
        # in between.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(
            "sqlite_immediate") else "BEGIN")


_BUSY_TIMEOUT_S = 10
_WAL_AUTOCHECKPOINT_PAGES = 10_000  # 40 MB
_CHECKPOINT_EVERY_S = 1.0


class _Checkpointer(threading.Thread):
    """Copies the SQLite WAL back into the database once a second, on its own connection.

    With synchronous=NORMAL the checkpoint is where SQLite fsyncs; done inside a commit it
    cost a request ~5 ms per 100 findings (tests/bench/RESULTS.md). PASSIVE never blocks
    readers or writers. It also bounds how long a commit can stay unsynced when writes are
    few (the default only checkpoints after 1,000 pages).
    """

    def __init__(self, path: str) -> None:
        super().__init__(name="sqlite-checkpointer", daemon=True)
        self.path = path

    def run(self) -> None:
        import sqlite3
        import time

        conn = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_S, check_same_thread=False)
        while True:
            time.sleep(_CHECKPOINT_EVERY_S)
            try:
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error:
                pass  # busy or gone: try again next time; the autocheckpoint bound remains


_checkpointers: dict[str, _Checkpointer] = {}
_checkpointer_lock = threading.Lock()


def _start_checkpointer(engine: Engine) -> None:
    path = engine.url.database
    if not path or path == ":memory:" or path in _checkpointers:
        return
    with _checkpointer_lock:
        if path not in _checkpointers:
            _checkpointers[path] = _Checkpointer(path)
            _checkpointers[path].start()


def make_engine(settings: Settings) -> Engine:
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            settings.database_url,
            connect_args={"check_same_thread": False, "timeout": 10},
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(settings.database_url, pool_pre_ping=True, pool_size=10, max_overflow=10)


_engine: Engine | None = None


def get_engine() -> Engine:
    global _engine
    if _engine is None:
        _engine = make_engine(get_settings())
    return _engine


def set_engine(engine: Engine | None) -> None:
    """Swap the process-wide engine (tests, CLI with another URL)."""
    global _engine
    _engine = engine


def transaction(session: Session) -> Iterator[Session]:
    """Commit when the caller's block succeeds; roll back when it fails, unless the error
    says its records must survive (a refused login still counts as a failed attempt)."""
    try:
        yield session
        session.commit()
    except DomainError as exc:
        session.commit() if exc.keep_changes else session.rollback()
        raise
    except Exception:
        session.rollback()
        raise


_READS = frozenset({"GET", "HEAD", "OPTIONS"})
_immediate_engine: tuple[Engine, Engine] | None = None
_write_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = \
    weakref.WeakKeyDictionary()


def _immediate(engine: Engine) -> Engine:
    """The same engine (same pool) whose transactions begin IMMEDIATE."""
    global _immediate_engine
    if _immediate_engine is None or _immediate_engine[0] is not engine:
        _immediate_engine = (engine, engine.execution_options(sqlite_immediate=True))
    return _immediate_engine[1]


async def write_turn(request: Request) -> AsyncIterator[None]:
    """On SQLite, requests that may write take turns in this process, from before their first
    query until after their commit (FastAPI unwinds dependencies in reverse order).

    They wait here, on the event loop, not in worker threads: waiting in SQLite's busy handler
    (or on a thread lock) would hold a thread each, and with more waiting writers than the
    thread pool has threads, the request holding the lock could not get a thread to finish.
    The busy handler polls with sleeps of up to 100 ms, which idled the CPU and gave p99 > 1 s
    under 16 concurrent writers (tests/bench/bench_sync.py).
    """
    if request.method in _READS or get_engine().dialect.name != "sqlite":
        yield
        return
    loop = asyncio.get_running_loop()
    gate = _write_gates.get(loop)
    if gate is None:
        gate = _write_gates[loop] = asyncio.Lock()
    async with gate:
        yield


def get_session(request: Request, _turn: Annotated[None, Depends(write_turn)]
                ) -> Iterator[Session]:
    """A session for one request. On SQLite, requests that may write (not GET/HEAD/OPTIONS)
    take their turn (`write_turn`) and begin IMMEDIATE, so that another process's writer makes
    them wait (busy_timeout) rather than fail; WAL readers are never blocked."""
    engine = get_engine()
    if engine.dialect.name == "sqlite":
        _start_checkpointer(engine)
        if request.method not in _READS:
            engine = _immediate(engine)
    with Session(engine, expire_on_commit=False) as session:
        yield from transaction(session)


SessionDep = Annotated[Session, Depends(get_session)]
