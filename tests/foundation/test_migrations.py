"""Issue 2 §3: the schema exists only through Alembic; every migration goes up and down."""

from __future__ import annotations

import uuid

from sqlalchemy import create_engine, inspect, make_url, text

from backend.config import get_settings
from backend.db import metadata
from backend.migrate import downgrade, upgrade


def _scratch_database_url(tmp_path) -> tuple[str, callable]:  # noqa: ANN001
    """A database of its own, so the shared test database stays at head."""
    url = make_url(get_settings().database_url)
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{tmp_path / 'migrations.db'}", lambda: None
    name = f"xunjian_mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


def test_migrations_go_up_down_and_up_again(tmp_path):
    url, drop = _scratch_database_url(tmp_path)
    try:
        upgrade("head", url)
        engine = create_engine(url)
        tables = set(inspect(engine).get_table_names())
        assert set(metadata.tables) <= tables, set(metadata.tables) - tables
        downgrade("base", url)
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade("head", url)
        assert set(metadata.tables) <= set(inspect(engine).get_table_names())
        engine.dispose()
    finally:
        drop()


def test_the_migrated_schema_matches_the_models(engine):
    """Autogenerate against the migrated test database finds nothing to add or change."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    assert diff == [], diff


def test_sqlite_runs_in_wal_mode_with_foreign_keys(engine):
    if engine.dialect.name != "sqlite":
        assert engine.dialect.name == "postgresql"
        return
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
