"""Engine, session and the one transaction boundary.

Routers get a session from `get_session`; it commits when the request succeeds and rolls
back when it fails. Services only flush. SQLite runs in WAL mode with foreign keys on.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
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
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        conn.exec_driver_sql("BEGIN")


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


def get_session() -> Iterator[Session]:
    with Session(get_engine(), expire_on_commit=False) as session:
        yield from transaction(session)


SessionDep = Annotated[Session, Depends(get_session)]
