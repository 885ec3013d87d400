"""Test fixtures: a real database migrated by Alembic, each test in a rolled-back transaction.

The database is SQLite in a temporary folder unless XUNJIAN_TEST_DATABASE_URL names another
(CI runs the suite twice: once on SQLite, once on PostgreSQL). A named server that cannot be
reached fails the run; nothing is skipped for want of it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

_TMP = Path(tempfile.mkdtemp(prefix="xunjian-test-"))
os.environ["XUNJIAN_DATA_DIR"] = str(_TMP / "data")
os.environ["XUNJIAN_DATABASE_URL"] = os.environ.get("XUNJIAN_TEST_DATABASE_URL") or \
    f"sqlite:///{_TMP / 'test.db'}"
# Cheap argon2 parameters: the tests exercise the flow, not the cost.
os.environ["XUNJIAN_ARGON2_TIME_COST"] = "1"
os.environ["XUNJIAN_ARGON2_MEMORY_KIB"] = "8192"

import pytest  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlmodel import Session  # noqa: E402

from backend.config import get_settings  # noqa: E402
from backend.db import get_engine  # noqa: E402
from backend.transaction import Sessions, use_sessions  # noqa: E402

from tests.support import require_shared_photos  # noqa: E402
@pytest.fixture(scope="session")
def shared_photos() -> Path:
    return require_shared_photos()


def _reset_database(engine) -> None:  # noqa: ANN001
    """Start from an empty schema, then build it only through the migrations."""
    from backend.migrate import upgrade

    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade("head", get_settings().database_url)


@pytest.fixture(scope="session")
def engine():  # noqa: ANN201
    engine = get_engine()
    _reset_database(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine) -> Iterator:  # noqa: ANN001
    conn = engine.connect()
    outer = conn.begin()
    yield conn
    outer.rollback()
    conn.close()


@pytest.fixture
def db(connection) -> Iterator[Session]:  # noqa: ANN001
    """A session whose commits are savepoints inside the test's rolled-back transaction."""
    with Session(bind=connection, join_transaction_mode="create_savepoint",
                 expire_on_commit=False) as session:
        yield session


class ConnectionSessions(Sessions):
    """Units of work on the test's own connection: each commit is a savepoint inside the
    test's transaction, which is rolled back at the end."""

    def __init__(self, connection) -> None:  # noqa: ANN001
        self.connection = connection

    def open(self, *, write: bool, nowait: bool = False) -> Session:
        return Session(bind=self.connection, join_transaction_mode="create_savepoint",
                       expire_on_commit=False)


@pytest.fixture
def app(connection):  # noqa: ANN001, ANN201
    from backend.main import create_app

    use_sessions(ConnectionSessions(connection))
    yield create_app()
    use_sessions(None)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # noqa: ANN001
    with TestClient(app) as test_client:
        yield test_client


pytest_plugins = ["tests.personas"]
