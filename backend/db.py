"""The engine: SQLite's set-up (WAL, busy handling, IMMEDIATE writes, the checkpointer) or
PostgreSQL's pool. Transactions are opened and settled only by backend/transaction.py.
"""

from __future__ import annotations

import sqlite3
import threading
import time

from sqlalchemy import MetaData, event

import backend.dbtypes  # noqa: F401 - sets the naming convention before any table exists
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, create_engine

from backend.config import Settings, get_settings

metadata: MetaData = SQLModel.metadata  # naming convention set in backend.dbtypes

_BUSY_TIMEOUT_S = 10
_CACHE_KIB = 64 * 1024  # per connection
_WAL_AUTOCHECKPOINT_PAGES = 10_000  # 40 MB
_CHECKPOINT_EVERY_S = 1.0
# PostgreSQL: a transaction left open holds back the pull feed (backend/sync/README.md), so
# no session may idle inside one for long.
_PG_IDLE_IN_TRANSACTION_MS = 60_000


# ------------------------------------------------------------------ engines


class WriteLockHeld(Exception):
    """A no-wait write (`run_write`) found SQLite's write lock taken, by another process.

    Such a write begins without SQLite's busy handler. Nothing else in a WAL write
    transaction waits for another connection: readers never block it, PASSIVE checkpoints
    neither, and with synchronous=NORMAL a commit does not fsync."""


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
        # A unit of work that may write takes the write lock at BEGIN: a deferred
        # transaction that read first and then writes fails at once with "database is
        # locked" (SQLITE_BUSY_SNAPSHOT, no busy wait) whenever another writer committed in
        # between. Straight to the DB-API: exec_driver_sql's machinery cost more than the
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


def _busy_wait(driver, *, on: bool) -> None:  # noqa: ANN001 - a sqlite3.Connection
    """SQLite's busy handler: wait up to _BUSY_TIMEOUT_S for a lock, or fail at once. Kept per
    connection and switched only when a no-wait write and a waiting one alternate on it."""
    driver.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_S * 1000 if on else 0}")


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
        conn = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_S, check_same_thread=False)
        while True:
            time.sleep(_CHECKPOINT_EVERY_S)
            try:
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error:
                pass  # busy or gone: try again next time; the autocheckpoint bound remains


_checkpointers: dict[str, _Checkpointer] = {}
_checkpointer_lock = threading.Lock()


def start_checkpointer(engine: Engine) -> None:
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
            connect_args={"check_same_thread": False, "timeout": _BUSY_TIMEOUT_S},
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(
        settings.database_url, pool_pre_ping=True, pool_size=10, max_overflow=10,
        connect_args={"options": "-c idle_in_transaction_session_timeout="
                                 f"{_PG_IDLE_IN_TRANSACTION_MS}"})


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
