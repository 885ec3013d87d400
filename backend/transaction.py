"""Sessions and the one unit of work: the only place a transaction is committed.

Every write goes through a unit of work that commits when its work succeeds and rolls back
when it fails (keeping what a refusal must keep, e.g. a failed-login record):

- a request: `SessionDep` (the dependency `get_session`), or `run_write` for the ingestion
  endpoints, which run their whole work in one step, inline on the event loop when SQLite's
  write lock is free, else in a worker thread;
- a command, the worker, the demo loader, a script: `unit_of_work()`.

Services and routers only flush. Where sessions come from is `Sessions`: the engine in
production; tests swap in sessions bound to their own rolled-back connection
(`use_sessions`), never by reading FastAPI's dependency overrides.
"""

from __future__ import annotations

import asyncio
import math
import time
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager, nullcontext
from functools import partial
from typing import Annotated, TypeVar

import anyio
import anyio.to_thread
from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session

from backend.config import get_settings
from backend.db import WriteLockHeld, get_engine, start_checkpointer
from backend.errors import DomainError

T = TypeVar("T")


# ------------------------------------------------------------------ where sessions come from


class Sessions:
    """Opens the sessions units of work run in. `inline`: may a write that finds SQLite's lock
    free run on the event loop (`run_write`)? `serialised`: do this process's writers take
    turns (`_Turns`)?"""

    inline = False
    serialised = False

    def open(self, *, write: bool, nowait: bool = False) -> Session:
        raise NotImplementedError


class EngineSessions(Sessions):
    """Sessions on the process's engine. On SQLite a write begins IMMEDIATE (it waits for the
    write lock, up to the busy timeout) or, `nowait`, raises WriteLockHeld at once."""

    def __init__(self, engine: Engine, write_policy: str = "inline") -> None:
        self.engine = engine
        sqlite = engine.dialect.name == "sqlite"
        self.serialised = sqlite
        self.inline = sqlite and write_policy == "inline"
        self._immediate = engine.execution_options(sqlite_immediate=True) if sqlite else engine
        self._nowait = engine.execution_options(sqlite_nowait=True) if sqlite else engine

    def open(self, *, write: bool, nowait: bool = False) -> Session:
        if self.serialised:
            start_checkpointer(self.engine)
        bind = (self._nowait if nowait else self._immediate) if write else self.engine
        return Session(bind, expire_on_commit=False)


_chosen: Sessions | None = None  # use_sessions
_of_engine: EngineSessions | None = None


def sessions() -> Sessions:
    """Where units of work get their sessions: those chosen by `use_sessions`, else the
    process's engine (rebuilt when the engine is swapped, `backend.db.set_engine`)."""
    global _of_engine
    if _chosen is not None:
        return _chosen
    engine = get_engine()
    if _of_engine is None or _of_engine.engine is not engine:
        _of_engine = EngineSessions(engine, get_settings().write_policy)
    return _of_engine


def use_sessions(source: Sessions | None) -> None:
    """Where units of work get their sessions from; None: the engine again (tests)."""
    global _chosen
    _chosen = source


# ------------------------------------------------------------------ the unit of work


def _settle(session: Session, error: BaseException | None) -> None:
    """The one commit rule: commit when the work succeeded; when it failed, roll back, unless
    the error says its records must survive (a refused login still counts as a failure)."""
    if error is None or (isinstance(error, DomainError) and error.keep_changes):
        session.commit()
    else:
        session.rollback()


def _run(session: Session, work: Callable[[Session], T]) -> T:
    """`work(session)` and its settlement, as one synchronous step."""
    try:
        result = work(session)
    except BaseException as exc:
        _settle(session, exc)
        raise
    _settle(session, None)
    return result


@contextmanager
def unit_of_work(*, write: bool = True) -> Iterator[Session]:
    """One transaction for a command, the worker or a script."""
    session = sessions().open(write=write)
    try:
        yield session
    except BaseException as exc:
        _settle(session, exc)
        raise
    else:
        _settle(session, None)
    finally:
        session.close()


_READS = frozenset({"GET", "HEAD", "OPTIONS"})
# How long a writer lets the reads in flight go first (`_Turns`): a page is answered in tens
# of milliseconds; a phone's sync, in the background, can wait that long.
READS_FIRST_SECONDS = 0.25
# How long after a page was read writes keep to worker threads (`run_write`): a person at a
# screen asks again within a second or two (the next page, a filter, a drill-down), and each
# request should find the event loop free, not behind a batch written on it.
READING_RECENTLY_SECONDS = 2.0


class _Turns:
    """One event loop's write gate, and its reads in flight, which writers let go first.

    On SQLite this process's writers take turns, from before their first query until after
    their commit. They wait here, on the event loop, not in worker threads: waiting in
    SQLite's busy handler (or on a thread lock) would hold a thread each, and with more
    waiting writers than the thread pool has threads, the request holding the lock could not
    get a thread to finish. The busy handler polls with sleeps of up to 100 ms, which idled
    the CPU and gave p99 > 1 s under 16 concurrent writers (tests/bench/bench_sync.py).

    A writer whose turn comes while reads are in flight waits for them (up to
    READS_FIRST_SECONDS), and then runs in a worker thread, not inline (so do the writes for
    a moment after a read, `reading`): phones syncing at full speed would otherwise hold the
    loop or the GIL for most of a supervisor's page, which then waits seconds
    (tests/bench/bench_mixed.py). A read counts from the moment it enters the
    app (`ReadsFirst`), not from its first query: the steps before (parsing, routing,
    authentication) each need a turn of the loop.
    """

    def __init__(self) -> None:
        self.gate = asyncio.Lock()
        self.reads = 0
        self.no_reads = asyncio.Event()
        self.no_reads.set()
        self.last_read_ended = -math.inf  # time.monotonic()

    def begin_read(self) -> Callable[[], None]:
        """Count a read in flight; the function returned ends it (once)."""
        self.reads += 1
        self.no_reads.clear()
        ended = False

        def end() -> None:
            nonlocal ended
            if not ended:
                ended = True
                self.reads -= 1
                self.last_read_ended = time.monotonic()
                if not self.reads:
                    self.no_reads.set()
        return end

    def reading(self) -> bool:
        """Is a page being read, or was one within READING_RECENTLY_SECONDS?"""
        return bool(self.reads) or \
            time.monotonic() - self.last_read_ended < READING_RECENTLY_SECONDS

    @asynccontextmanager
    async def write(self) -> AsyncIterator["_Turns"]:
        async with self.gate:
            if self.reads:
                with anyio.move_on_after(READS_FIRST_SECONDS):
                    await self.no_reads.wait()
            yield self


class _PerLoop:
    """One `make()` per running event loop (tests run several loops in one process)."""

    def __init__(self, make: Callable[[], T]) -> None:
        self.make = make
        self.made: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def __call__(self):  # noqa: ANN204
        loop = asyncio.get_running_loop()
        value = self.made.get(loop)
        if value is None:
            value = self.made[loop] = self.make()
        return value


_loop_turns = _PerLoop(_Turns)


def _turn(write: bool) -> AbstractAsyncContextManager["_Turns | None"]:
    """A write's turn at the gate on SQLite (entered, the loop's `_Turns`); nothing for a read
    (`ReadsFirst` counts it) or on PostgreSQL, whose writers run side by side."""
    if not write or not sessions().serialised:
        return nullcontext()
    return _loop_turns().write()


class ReadsFirst:
    """ASGI middleware: API reads (GET, HEAD) are counted while in flight, from the moment they
    enter the app until their response starts, so that SQLite's writers let them go first
    (`_Turns`)."""

    def __init__(self, app) -> None:  # noqa: ANN001
        self.app = app

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        if scope["type"] != "http" or scope["method"] not in _READS or \
                not scope["path"].startswith("/api/") or not sessions().serialised:
            await self.app(scope, receive, send)
            return
        end = _loop_turns().begin_read()

        async def sending(message) -> None:  # noqa: ANN001
            if message["type"] == "http.response.start":
                end()  # its queries are done: a photo's bytes or a pull's body need no turn
            await send(message)
        try:
            await self.app(scope, receive, sending)
        finally:
            end()


# Ingestion work in worker threads at once, per process (PostgreSQL, or SQLite's thread path).
# Sixteen phones' writes running side by side in sixteen threads spend the CPU passing the GIL
# around (the server CPU of a PostgreSQL batch rose from 18 to 34 ms once writers stopped
# queueing on a row lock: tests/bench/RESULTS.md); the database does not go faster for more.
WRITER_THREADS = 4
_loop_writers = _PerLoop(lambda: anyio.CapacityLimiter(WRITER_THREADS))


async def _in_thread(step: Callable[[], T]) -> T:
    """A step that may do I/O, in a worker thread: shielded from cancellation (as FastAPI's
    own exit of sync dependencies), with a limiter of its own so that it never waits for a
    thread held by a request that waits for this session's connection."""
    with anyio.CancelScope(shield=True):
        return await anyio.to_thread.run_sync(step, limiter=anyio.CapacityLimiter(1))


@asynccontextmanager
async def request_unit_of_work(method: str) -> AsyncIterator[Session]:
    """The unit of work of one request. On SQLite a request that may write (not GET, HEAD,
    OPTIONS) takes its turn and begins IMMEDIATE; WAL readers are never blocked.

    Opening the session costs no thread hop (it connects on first use, in the endpoint's
    thread); the settlement and the close run in a worker thread whenever the session holds
    a connection, never on the event loop."""
    write = method not in _READS
    async with _turn(write):
        session = sessions().open(write=write)
        try:
            yield session
        except BaseException as exc:
            await _finish(session, partial(_settle, session, exc))
            raise
        else:
            await _finish(session, partial(_settle, session, None))
        finally:
            await _finish(session, session.close)


async def _finish(session: Session, step: Callable[[], None]) -> None:
    if session.in_transaction():
        await _in_thread(step)
    else:
        step()  # no connection: no I/O


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's session, in its unit of work (`request_unit_of_work`)."""
    async with request_unit_of_work(request.method) as session:
        yield session


# scope="function": the commit happens before the response is sent, never after. An answer
# of "created" or "photos_held" must mean the rows are committed: the phone drops its copy on it.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def run_write(request: Request, work: Callable[[Session], T]) -> T:
    """A write request's whole work, `work(session)`, and its settlement, in one step: the
    ingestion endpoints, whose cost is mostly per request (tests/bench/RESULTS.md).

    With the inline policy on SQLite the work runs on the event loop, in the process's write
    turn, when SQLite's write lock is free at once, which it is unless another process (the
    CLI, a second worker) is writing: then it waits for the lock in a worker thread, as every
    other write does. Inline, a request costs no thread hop and no hand-over of the GIL
    between the loop and a worker thread, and nothing in it can wait on another connection
    (`WriteLockHeld`); the transaction begins before the work starts, so the work runs once,
    inline or in the thread. Otherwise (PostgreSQL, the thread policy, tests' sessions) the
    work and its commit run in one worker-thread hop.

    Inline, a batch holds the loop ~12 ms: while a page is being read (`ReadsFirst`), and for
    READING_RECENTLY_SECONDS after, writes run in the thread instead, so that a supervisor's
    requests are not each queued behind a batch. Any API read counts (a page, a phone's pull,
    a health check), which at worst costs what the thread policy does. Measured
    (tests/bench/RESULTS.md): with phones saturating the server, the pages' p99 is about a
    third of the always-inline one; with nobody reading, inline takes 12–16 % more single
    findings a second than the thread policy.
    """
    source = sessions()
    write = request.method not in _READS
    async with _turn(write) as turns:
        if source.inline and write and not (turns and turns.reading()):
            session = source.open(write=True, nowait=True)
            try:
                session.connection()  # BEGIN IMMEDIATE now, before any of the work
            except WriteLockHeld:
                session.close()
            else:
                with session:  # closing rolls back whatever was not settled
                    return _run(session, work)
        session = source.open(write=write)
        try:
            return await anyio.to_thread.run_sync(lambda: _run(session, work),
                                                  limiter=_loop_writers())
        finally:
            await _finish(session, session.close)
