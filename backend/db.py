"""Engine, session and the one transaction boundary.

Routers get a session from `get_session`; it commits when the request succeeds and rolls
back when it fails. Services only flush. SQLite runs in WAL mode with foreign keys on.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Annotated, TypeVar

import anyio
import anyio.to_thread
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
        # The default 2 MB page cache holds too little of the indexes that new findings land
        # in at random places (by compound): under sustained ingestion every insert read its
        # pages again through the OS, a third of the server's CPU (tests/bench/RESULTS.md).
        cursor.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")
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
        # Straight to the DB-API: exec_driver_sql's execution machinery cost more than the
        # statement, on every transaction.
        options = conn.get_execution_options()
        record = conn.connection
        nowait = bool(options.get("sqlite_nowait"))
        if record.info.get("busy_wait_off", False) != nowait:  # switched only on a change
            _busy_wait(record.driver_connection, on=not nowait)
            record.info["busy_wait_off"] = nowait
        if not nowait:
            record.driver_connection.execute(
                "BEGIN IMMEDIATE" if options.get("sqlite_immediate") else "BEGIN")
            return
        try:
            record.driver_connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY:
                raise
            raise WriteLockHeld() from exc


class WriteLockHeld(Exception):
    """A no-wait write (`run_write`) found SQLite's write lock taken, by another process.

    Such a write begins without SQLite's busy handler. Nothing else in a WAL write
    transaction waits for another connection: readers never block it, PASSIVE checkpoints
    neither, and with synchronous=NORMAL a commit does not fsync."""


def _busy_wait(driver, *, on: bool) -> None:  # noqa: ANN001 - a sqlite3.Connection
    """SQLite's busy handler: wait up to _BUSY_TIMEOUT_S for a lock, or fail at once. Kept per
    connection and switched only when a no-wait write and a waiting one alternate on it."""
    driver.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_S * 1000 if on else 0}")


_BUSY_TIMEOUT_S = 10
_CACHE_KIB = 64 * 1024  # per connection
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
_immediate_engine: tuple[Engine, Engine, Engine] | None = None
_write_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = \
    weakref.WeakKeyDictionary()


def _immediate(engine: Engine) -> Engine:
    """The same engine (same pool) whose transactions begin IMMEDIATE."""
    global _immediate_engine
    if _immediate_engine is None or _immediate_engine[0] is not engine:
        _immediate_engine = (engine, engine.execution_options(sqlite_immediate=True),
                             engine.execution_options(sqlite_nowait=True))
    return _immediate_engine[1]


def _nowait(engine: Engine) -> Engine:
    """The same engine whose transactions begin IMMEDIATE or raise WriteLockHeld at once."""
    _immediate(engine)
    return _immediate_engine[2]


@asynccontextmanager
async def _write_turn(method: str) -> AsyncIterator[None]:
    """On SQLite, requests that may write take turns in this process, from before their first
    query until after their commit.

    They wait here, on the event loop, not in worker threads: waiting in SQLite's busy handler
    (or on a thread lock) would hold a thread each, and with more waiting writers than the
    thread pool has threads, the request holding the lock could not get a thread to finish.
    The busy handler polls with sleeps of up to 100 ms, which idled the CPU and gave p99 > 1 s
    under 16 concurrent writers (tests/bench/bench_sync.py).
    """
    if method in _READS or get_engine().dialect.name != "sqlite":
        yield
        return
    loop = asyncio.get_running_loop()
    gate = _write_gates.get(loop)
    if gate is None:
        gate = _write_gates[loop] = asyncio.Lock()
    async with gate:
        yield


@asynccontextmanager
async def _request_session(method: str) -> AsyncIterator[Session]:
    """A session for one request. On SQLite, requests that may write (not GET/HEAD/OPTIONS)
    begin IMMEDIATE, so that another process's writer makes them wait (busy_timeout) rather
    than fail; WAL readers are never blocked.

    Commits when the request succeeds and rolls back when it fails, as `transaction` does.
    Opening the session costs no thread-pool hop (creating a Session does no I/O: it connects
    on first use, in the endpoint's thread); the commit, rollback and close run in a worker
    thread whenever the session still holds a connection, never on the event loop. An
    endpoint that commits itself (the ingestion hot paths, in their one thread-pool hop)
    leaves nothing to do here.
    """
    engine = get_engine()
    if engine.dialect.name == "sqlite":
        _start_checkpointer(engine)
        if method not in _READS:
            engine = _immediate(engine)
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        await _finish(session, session.commit)
    except DomainError as exc:
        await _finish(session, session.commit if exc.keep_changes else session.rollback)
        raise
    except BaseException:
        await _finish(session, session.rollback)
        raise
    finally:
        await _finish(session, session.close)


async def write_turn(request: Request) -> AsyncIterator[None]:
    """`_write_turn` as a dependency (FastAPI unwinds dependencies in reverse order, so the
    turn outlasts the session's commit)."""
    async with _write_turn(request.method):
        yield


async def get_session(request: Request,
                      _turn: Annotated[None, Depends(write_turn, scope="function")]
                      ) -> AsyncIterator[Session]:
    """The request's session (`_request_session`), inside its write turn (`_write_turn`)."""
    async with _request_session(request.method) as session:
        yield session


@asynccontextmanager
async def request_session(request: Request) -> AsyncIterator[Session]:
    """`get_session` without FastAPI's dependency machinery, for the endpoints that take no
    dependencies (backend.hotpath): the same turn, transaction and commit, and the same
    override where one replaces `get_session` (the tests bind requests to their own
    connection that way)."""
    override = request.app.dependency_overrides.get(get_session)
    if override is not None:
        with contextmanager(override)() as session:
            yield session
        return
    async with _write_turn(request.method), _request_session(request.method) as session:
        yield session


T = TypeVar("T")


async def run_write(request: Request, work: Callable[[Session], T]) -> T:
    """Run a write request's whole work, `work(session)`, which commits itself: the ingestion
    hot paths (backend.hotpath).

    On SQLite the work runs on the event loop, in the process's write turn, when SQLite's
    write lock is free at once, which it is unless another process (the CLI, a second worker)
    is writing: then it waits for the lock in a worker thread, as every other write does
    (`get_session`). Inline, a request costs no thread-pool hop and no hand-over of the GIL
    between the loop and a worker thread (a quarter of a one-finding request's CPU,
    tests/bench/RESULTS.md), and nothing in it can wait on another connection
    (`WriteLockHeld`); the transaction begins before the work starts, so the work runs once,
    inline or in the thread. On PostgreSQL, whose every statement is a network round trip,
    and under the tests' session override, it runs in a worker thread.
    """
    override = request.app.dependency_overrides.get(get_session)
    engine = get_engine()
    if override is not None or engine.dialect.name != "sqlite":
        async with request_session(request) as session:
            return await anyio.to_thread.run_sync(work, session)
    _start_checkpointer(engine)
    async with _write_turn(request.method):
        session = Session(_nowait(engine), expire_on_commit=False)
        try:
            session.connection()  # BEGIN IMMEDIATE now, before any of the work
        except WriteLockHeld:
            session.close()
        else:
            with session:  # closing rolls back whatever the work did not commit
                return work(session)
        async with _request_session(request.method) as session:
            return await anyio.to_thread.run_sync(work, session)


async def _finish(session: Session, step: Callable[[], None]) -> None:
    """Run a commit, rollback or close: in a worker thread if the session holds a connection
    (it may do I/O), inline if it has none (then it does none).

    Like FastAPI's own exit of sync dependencies: shielded from cancellation, and with a
    limiter of its own, so that it never waits for a thread held by a request that waits
    for this session's connection to return to the pool.
    """
    if not session.in_transaction():
        step()
        return
    with anyio.CancelScope(shield=True):
        await anyio.to_thread.run_sync(step, limiter=anyio.CapacityLimiter(1))


# scope="function": the commit happens before the response is sent, never after. An answer
# of "created" or "photos_held" must mean the rows are committed: the phone drops its copy on it.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
