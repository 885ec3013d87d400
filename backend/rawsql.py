"""The DB-API connection under a session's transaction (`RawSQL`), for the few hot paths
(finding ingestion, authentication) where SQLAlchemy's per-statement cost dominated, and the
conversions that make its rows read back through the ORM like the ORM's own."""

from __future__ import annotations

import uuid
import weakref
from datetime import datetime, timezone

from sqlalchemy import Table
from sqlmodel import Session


class RawSQL:
    """The DB-API connection under a session's transaction, for the few hot paths (finding
    ingestion, authentication) where SQLAlchemy's per-statement cost dominated.

    Statements are written once with `?` placeholders (turned into `%s` for psycopg), and
    values are converted as the tables' SQLAlchemy column types store them (`binders`), so
    rows written here read back through the ORM exactly like rows written through it
    (tests/findings/test_raw_sql.py). Everything runs in the session's transaction: the
    session commits or rolls it back.

    Every statement gets a cursor of its own, released by the caller in its own thread
    (`fetchall()` and drop it). A cursor kept for the session's life was freed whenever the
    garbage collector got to the session, in whichever thread, possibly while another request
    was using the same pooled connection: pysqlite then reset a statement under that request
    ("bad parameter or other API misuse", seen once under bench_sync's load). Nothing here
    refers back to the session, so no reference cycle delays that either.
    """

    __slots__ = ("dialect", "sqlite", "dbapi", "transaction")

    def __new__(cls, session: Session) -> RawSQL:
        # One per session transaction: looking up the session's connection costs more than
        # most statements here.
        transaction = session.get_transaction()
        cached = session.info.get(_RAW_KEY)
        if cached is not None and transaction is not None and \
                cached.transaction() is transaction:
            return cached
        raw = super().__new__(cls)
        connection = session.connection()  # begins the transaction (IMMEDIATE, see above)
        raw.transaction = weakref.ref(session.get_transaction())
        raw.dialect = connection.dialect
        raw.sqlite = raw.dialect.name == "sqlite"
        raw.dbapi = connection.connection.driver_connection
        session.info[_RAW_KEY] = raw
        return raw

    def sql(self, statement: str) -> str:
        if self.sqlite:
            return statement
        text = _PG_STATEMENTS.get(statement)
        if text is None:
            text = _PG_STATEMENTS[statement] = statement.replace("?", "%s")
        return text

    def execute(self, statement: str, params: tuple | list = ()):  # noqa: ANN201 - a cursor
        """A new cursor that has run `statement`: fetch from it, then let it go."""
        cursor = self.dbapi.cursor()
        cursor.execute(self.sql(statement), params)
        return cursor

    def executemany(self, statement: str, rows: list) -> int:
        """Run one statement for many rows; the number of rows it changed."""
        if not rows:
            return 0
        cursor = self.dbapi.cursor()
        try:
            cursor.executemany(self.sql(statement), rows)
            return cursor.rowcount
        finally:
            cursor.close()

    def insert(self, table: Table, rows: list[dict], *, on_conflict_do_nothing: bool = False) -> int:
        """Insert dicts of Python values, all with the same keys; the number of rows inserted.

        As SQLAlchemy's insert(): a column missing from the keys takes its scalar default
        (`Field(default=...)`), or is left out of the statement if it has none.
        """
        if not rows:
            return 0
        columns, bind, defaults = _table_binders(table, self.dialect, tuple(rows[0]))
        statement = _insert_statement(table, columns, on_conflict_do_nothing)
        # Column by column: one comprehension per column costs less than a loop per value.
        values = []
        for column, f in zip(columns, bind):
            if f is None:
                values.append([row[column] for row in rows])
            elif f in _INSTANT_BINDERS:
                # A batch's rows share instants (the request's `now` in several columns):
                # convert each distinct one once.
                memo: dict = {}
                values.append([memo[v] if v in memo else memo.setdefault(v, f(v))
                               for v in (row[column] for row in rows)])
            else:
                values.append([f(row[column]) for row in rows])
        values.extend([value] * len(rows) for value in defaults)
        return self.executemany(statement, list(zip(*values)))

    def bind_uuid(self, value):  # noqa: ANN001, ANN201
        """A uuid.UUID as a parameter compared with a Uuid column."""
        return value.hex if self.sqlite and value is not None else value

    # values read back: the driver's storage form into what the ORM would give
    def uuid(self, value):  # noqa: ANN001, ANN201
        if value is None or not self.sqlite:
            return value
        return uuid.UUID(hex=value)

    def instant(self, value):  # noqa: ANN001, ANN201
        """A UTCDateTime column's value, aware and in UTC, as UTCDateTime reads it."""
        if value is None:
            return None
        if self.sqlite:
            return datetime.fromisoformat(value).replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc) if value.tzinfo else value.replace(tzinfo=timezone.utc)


_RAW_KEY = "backend.rawsql.RawSQL"
_PG_STATEMENTS: dict[str, str] = {}
_BINDERS: dict[tuple, tuple] = {}
_INSERTS: dict[tuple[str, tuple, bool], str] = {}


def _sqlite_instant(value: datetime | None) -> str | None:
    # UTCDateTime on SQLite: naive UTC, in SQLAlchemy's SQLite DATETIME storage format.
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime; every stored instant must carry a timezone")
    v = value.astimezone(timezone.utc)
    return "%04d-%02d-%02d %02d:%02d:%02d.%06d" % (v.year, v.month, v.day, v.hour, v.minute,
                                                   v.second, v.microsecond)


def _pg_instant(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime; every stored instant must carry a timezone")
    return value.astimezone(timezone.utc)


_INSTANT_BINDERS = (_sqlite_instant, _pg_instant)


def _sqlite_uuid(value):  # noqa: ANN001, ANN202 - sqlalchemy.Uuid on SQLite: CHAR(32) hex
    return None if value is None else value.hex


def column_binder(column, dialect):  # noqa: ANN001, ANN201
    """A function from a Python value to what SQLAlchemy sends the driver for `column`, or
    None when it sends the value as it is. The two types on every row (Uuid, UTCDateTime) are
    done here, without SQLAlchemy's layers; others use SQLAlchemy's own bind processor."""
    from sqlalchemy import Uuid

    from backend.dbtypes import UTCDateTime

    sqlite = dialect.name == "sqlite"
    if isinstance(column.type, UTCDateTime):
        return _sqlite_instant if sqlite else _pg_instant
    if isinstance(column.type, Uuid) and column.type.as_uuid:
        return _sqlite_uuid if sqlite else None  # psycopg adapts uuid.UUID natively
    return column.type.dialect_impl(dialect).bind_processor(dialect)


def _table_binders(table: Table, dialect, keys: tuple[str, ...]) -> tuple:  # noqa: ANN001
    """For rows with `keys`: the columns to insert (the keys, then the defaulted ones), a
    binder per key and the defaults' values, already bound."""
    cache_key = (table.name, dialect.name, keys)
    found = _BINDERS.get(cache_key)
    if found is None:
        unknown = set(keys) - set(table.columns.keys())
        if unknown:
            raise KeyError(f"{table.name} has no column {sorted(unknown)}")
        defaulted, values = [], []
        for column in table.columns:
            if column.name in keys or column.default is None:
                continue
            if not column.default.is_scalar:
                raise ValueError(f"{table.name}.{column.name}: give a value (its default is "
                                 "computed)")
            bind = column_binder(column, dialect)
            defaulted.append(column.name)
            values.append(column.default.arg if bind is None else bind(column.default.arg))
        found = _BINDERS[cache_key] = (
            [*keys, *defaulted], [column_binder(table.columns[k], dialect) for k in keys],
            tuple(values))
    return found


def _insert_statement(table: Table, columns: list[str], on_conflict_do_nothing: bool) -> str:
    key = (table.name, tuple(columns), on_conflict_do_nothing)
    statement = _INSERTS.get(key)
    if statement is None:
        pk = ", ".join(c.name for c in table.primary_key.columns)
        statement = _INSERTS[key] = (
            f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES "
            f"({', '.join('?' * len(columns))})"
            + (f" ON CONFLICT ({pk}) DO NOTHING" if on_conflict_do_nothing else ""))
    return statement
