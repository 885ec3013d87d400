"""Column types shared by every domain."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Annotated, Any

from pydantic import AfterValidator, Field
from sqlalchemy import BigInteger, DateTime, Integer
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("时间必须带时区 / time must carry a UTC offset")
    return value


# An instant sent by a phone or a client: refused (422) without a UTC offset, which a phone's
# local time would otherwise silently lose (and comparing it with the server's would fail).
AwareDatetime = Annotated[datetime, AfterValidator(_aware)]

# A number sent by a client: never Infinity or NaN (JSON 1e400 parses as Infinity).
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]

# A pull-feed position (backend/findings/repository.py): 64 bits on PostgreSQL, where it holds
# a shifted transaction id; SQLite's INTEGER is 64 bits already.
Position = BigInteger().with_variant(Integer(), "sqlite")

# Stable constraint names, so that migrations can drop and alter them on both databases.
# Set here because every model module imports this one before defining a table.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Timezone-aware instants stored as UTC on both databases.

    PostgreSQL keeps `timestamptz`; SQLite has no zone, so values are normalised to UTC on the
    way in and marked UTC on the way out. Naive datetimes are refused: a naive time from a phone
    is a bug, not a guess to make.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; every stored instant must carry a timezone")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def utcnow() -> datetime:
    """The server's clock: every instant the product records comes from here."""
    return datetime.now(timezone.utc) + _clock_offset()


@lru_cache(maxsize=1)
def _clock_offset() -> timedelta:
    from backend.config import get_settings

    return timedelta(seconds=get_settings().clock_offset_seconds)


def as_local(value: datetime | None) -> datetime | None:
    """An instant in the deployment's zone (Asia/Shanghai), as people read it on screens."""
    if value is None:
        return None
    return value.astimezone(local_zone())


@lru_cache(maxsize=1)
def local_zone():  # noqa: ANN201 - a ZoneInfo, looked up once per process
    from zoneinfo import ZoneInfo

    from backend.config import get_settings

    return ZoneInfo(get_settings().timezone)
