"""A stored photo: one row per SHA-256 of the original bytes, with its EXIF evidence fields."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from backend.dbtypes import UTCDateTime, utcnow


class Photo(SQLModel, table=True):
    __tablename__ = "photo"

    sha256: str = Field(primary_key=True, max_length=64)
    byte_size: int
    format: str = Field(max_length=8)
    width: int
    height: int
    taken_at: datetime | None = Field(default=None, sa_type=UTCDateTime, description="EXIF")
    taken_at_local: str | None = Field(default=None, max_length=32,
                                       description="EXIF time as written, when it has no offset")
    latitude: float | None = None
    longitude: float | None = None
    make: str | None = Field(default=None, max_length=64)
    model: str | None = Field(default=None, max_length=64)
    uploaded_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
