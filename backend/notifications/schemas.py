"""What the notifications API takes and shows. Secrets go in, and come out only masked."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field


class NotificationPublic(BaseModel):
    id: uuid.UUID
    ticket_id: uuid.UUID | None
    rule: str
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None


class Inbox(BaseModel):
    unread: int
    items: list[NotificationPublic]


class MarkRead(BaseModel):
    """One of: the messages of a ticket (it was opened), some by id, or all."""

    ticket_id: uuid.UUID | None = None
    ids: list[uuid.UUID] = Field(default_factory=list, max_length=500)
    all: bool = False


class ChannelIn(BaseModel):
    kind: Literal["wecom", "dingtalk", "email"]
    name: str = Field(min_length=1, max_length=100)
    unit_id: uuid.UUID | None = None
    company_id: uuid.UUID | None = None
    config: dict[str, Any] = Field(description=(
        "wecom: webhook; dingtalk: webhook, secret; email: host, port, security "
        "(starttls | ssl | none), username, password, sender, ca_file"))
    is_active: bool = True


class ChannelUpdate(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=100)
    config: dict[str, Any] | None = Field(None, description="a secret left out or masked is kept")
    is_active: bool | None = None


class ChannelPublic(BaseModel):
    id: uuid.UUID
    kind: str
    kind_label: str
    name: str
    unit_id: uuid.UUID | None
    company_id: uuid.UUID | None
    owner_name: str | None = None
    config: dict[str, Any] = Field(description="secrets masked")
    is_active: bool
    last_sent_at: datetime | None
    last_failed_at: datetime | None
    last_error: str | None
    waiting: int = 0
    failed: int = 0


class TestResult(BaseModel):
    ok: bool
    error: str | None = None


class DeliveryPublic(BaseModel):
    id: uuid.UUID
    channel_id: uuid.UUID
    channel_name: str | None = None
    rule: str
    rule_label: str
    ticket_id: uuid.UUID | None
    title: str
    mobiles: list[str]
    email: str | None
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    last_error: str | None


class RulesIn(BaseModel):
    due_soon_share: Decimal = Field(Decimal("0.25"), gt=0, lt=1)
    due_soon_hours: Decimal = Field(Decimal("2"), gt=0, le=80)
    yellow_workdays: int = Field(1, ge=1, le=30)
    red_workdays: int = Field(3, ge=1, le=60)
    digest_at: time = time(8, 30)
    hold_outside_windows: bool = True
    per_minute: int = Field(20, ge=1, le=600)
    max_attempts: int = Field(8, ge=1, le=50)
    reason: str = Field(min_length=2, max_length=500)
    base_version: int | None = None
