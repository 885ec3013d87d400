"""Alembic environment: the URL comes from the settings object (or the caller's Config)."""

from __future__ import annotations

from pathlib import Path

from alembic import context
from sqlalchemy import make_url, pool
from sqlmodel import create_engine

import backend.models  # noqa: F401 - registers every table on the metadata
from backend.db import _configure_sqlite, metadata

config = context.config


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, poolclass=pool.NullPool)
    if engine.dialect.name != "sqlite":
        with engine.connect() as conn:
            _run(conn)
        return
    _configure_sqlite(engine)
    with engine.connect() as conn:
        # A batch migration rebuilds a table (copy, drop, rename). With foreign keys enforced,
        # dropping the old table checks every referencing row per row deleted: on a large
        # database (an inspection table referenced by millions of findings) that took longer
        # than half an hour. Enforcement is off for the migration (a pragma that only works
        # outside a transaction), and the result is checked before it is kept.
        driver = conn.connection.driver_connection
        driver.execute("PRAGMA foreign_keys=OFF")
        try:
            _run(conn, check_foreign_keys=True)
        finally:
            driver.execute("PRAGMA foreign_keys=ON")


def _run(connection, check_foreign_keys: bool = False) -> None:  # noqa: ANN001
    # Batch mode lets ALTERs work on SQLite, which rebuilds the table instead. On SQLite the
    # whole upgrade is one transaction (SQLite's DDL is transactional, though Alembic does not
    # assume it), so that a failed key check below undoes every step, the version stamp too.
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                      compare_type=True, transactional_ddl=True if check_foreign_keys else None)
    with context.begin_transaction():
        context.run_migrations()
        if check_foreign_keys:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
