"""An append-only record of actions that change what people are judged by.

Revoking a login, re-opening a published period, recomputing provisional due times: each
leaves an event with who, when, what and why.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from backend.dbtypes import UTCDateTime, utcnow
from backend.ids import new_id


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_id: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    action: str = Field(max_length=64, index=True)
    object_type: str = Field(max_length=32)
    object_id: str | None = Field(default=None, max_length=64, index=True)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


def record(session, *, actor_id: uuid.UUID | None, action: str, object_type: str,  # noqa: ANN001
           object_id: Any = None, **detail: Any) -> AuditEvent:
    event = AuditEvent(actor_id=actor_id, action=action, object_type=object_type,
                       object_id=None if object_id is None else str(object_id), detail=detail)
    session.add(event)
    return event
