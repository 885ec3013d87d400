"""Telling people when a ticket needs them (issue 17): the tables and what the API shows of them.

- `NotifyChannel`: a WeCom or DingTalk group robot, or an SMTP server, that a unit or a company
  configured. Its secrets live in `config` and leave the server only masked.
- `Notification`: one message for one person: the app's inbox (read with the sync pull) and the
  source of the deliveries. Its `key` (ticket, rule, level, person) makes deriving it idempotent.
- `Delivery`: the outbox. One message to one channel (a group robot mentions every person it
  concerns; an e-mail goes to one address), claimed by a worker with a lease, retried with
  backoff, each try recorded as a `DeliveryAttempt`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, String, text
from sqlmodel import Field, SQLModel

from backend.dbtypes import UTCDateTime, utcnow
from backend.ids import new_id


class ChannelKind(StrEnum):
    wecom = "wecom"        # 企业微信群机器人
    dingtalk = "dingtalk"  # 钉钉群机器人
    email = "email"        # SMTP


CHANNEL_LABELS = {"wecom": "企业微信群机器人", "dingtalk": "钉钉群机器人", "email": "电子邮件"}


class Rule(StrEnum):
    """What a notification is about; the ladder's steps in the order they come."""

    dispatched = "dispatched"    # 新工单 → the compound's property managers
    rejected = "rejected"        # 整改被退回 → the managers, with the reason
    rectified = "rectified"      # 待核查 → the verifiers of the scope
    due_soon = "due_soon"        # 即将到期 → the managers
    urged = "urged"              # 催办, at the due time → the managers and the grid worker
    yellow = "yellow"            # 黄牌督办, 1 工作日 overdue → the company head, the street
    red = "red"                  # 红牌督办, 3 工作日 overdue → the district
    digest = "digest"            # 每日逾期汇总, working mornings → supervisors
    test = "test"                # an admin's test message


RULE_LABELS = {"dispatched": "新工单", "rejected": "整改被退回", "rectified": "整改待核查",
               "due_soon": "即将到期", "urged": "催办", "yellow": "黄牌督办", "red": "红牌督办",
               "digest": "逾期汇总", "test": "测试消息"}

# The ticket's ladder: 0 nothing sent yet, then each step as it is reached.
LADDER = (Rule.due_soon, Rule.urged, Rule.yellow, Rule.red)


class DeliveryStatus(StrEnum):
    pending = "pending"   # waiting for its time (a working window, a retry, the rate limit)
    sending = "sending"   # claimed by a worker until `claimed_until`
    sent = "sent"
    merged = "merged"     # sent inside a digest of messages the rate limit held back
    failed = "failed"     # gave up after the last retry: an admin may retry it


class NotifyChannel(SQLModel, table=True):
    __tablename__ = "notify_channel"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    name: str = Field(max_length=100)
    unit_id: uuid.UUID | None = Field(default=None, foreign_key="org_unit.id", index=True)
    company_id: uuid.UUID | None = Field(default=None, foreign_key="company.id", index=True)
    config: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_failed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=500)


class Notification(SQLModel, table=True):
    __tablename__ = "notification"
    __table_args__ = (
        # A person's inbox, newest first; and its unread count.
        Index("ix_notification_recipient_created", "recipient_id", "created_at"),
        Index("ix_notification_unread", "recipient_id", "ticket_id",
              sqlite_where=text("read_at IS NULL"), postgresql_where=text("read_at IS NULL")),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    key: str = Field(max_length=200, unique=True, description="ticket:rule:level:person")
    recipient_id: uuid.UUID = Field(foreign_key="user_account.id")
    ticket_id: uuid.UUID | None = Field(default=None, foreign_key="ticket.id")
    rule: str = Field(sa_column=Column(String(16), nullable=False))
    title: str = Field(max_length=200)
    body: str = Field(max_length=4000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# Deliveries still to send: the partial index's condition and the worker's, written the same
# (SQLite uses a partial index only for a query that repeats its condition literally).
TO_SEND = text("delivery.status IN ('pending', 'sending')")


class Delivery(SQLModel, table=True):
    __tablename__ = "delivery"
    __table_args__ = (
        # What a worker claims next: the due ones, oldest first.
        Index("ix_delivery_due", "next_attempt_at", sqlite_where=TO_SEND, postgresql_where=TO_SEND),
        Index("ix_delivery_channel_status", "channel_id", "status"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    key: str = Field(max_length=240, unique=True, description="the message's key:channel[:person]")
    channel_id: uuid.UUID = Field(foreign_key="notify_channel.id")
    rule: str = Field(sa_column=Column(String(16), nullable=False))
    ticket_id: uuid.UUID | None = Field(default=None, foreign_key="ticket.id")
    title: str = Field(max_length=200)
    body: str = Field(max_length=4000)
    mobiles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    email: str | None = Field(default=None, max_length=200)
    status: str = Field(default=DeliveryStatus.pending,
                        sa_column=Column(String(16), nullable=False, index=True))
    attempts: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    next_attempt_at: datetime = Field(sa_type=UTCDateTime)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_by: uuid.UUID | None = Field(default=None, description="the claim a worker records under")
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    merged_into: uuid.UUID | None = Field(default=None, description="the digest that carried it")
    last_error: str | None = Field(default=None, max_length=500)


class DeliveryAttempt(SQLModel, table=True):
    __tablename__ = "delivery_attempt"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    delivery_id: uuid.UUID = Field(foreign_key="delivery.id", index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    ok: bool
    status_code: int | None = None
    error: str | None = Field(default=None, max_length=500)
    merged: int = Field(default=0, description="how many held-back messages this try carried")
