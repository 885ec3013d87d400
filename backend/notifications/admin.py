"""What an admin does with notifications: the channels (secrets kept, shown masked), a test
message, the messages waiting and failed (each can be retried), and the rules."""

from __future__ import annotations

import time
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

import httpx
from sqlalchemy import func, select
from sqlmodel import Session

from backend.audit.models import record
from backend.auth.models import User
from backend.configuration import service as configuration
from backend.notifications import channels
from backend.notifications.channels import CONFIG_FIELDS, Message
from backend.notifications.errors import REFUSALS
from backend.notifications.models import (
    CHANNEL_LABELS, RULE_LABELS, ChannelKind, Delivery, DeliveryAttempt, DeliveryStatus,
    NotifyChannel, Rule,
)
from backend.notifications.rules import NotifyRules
from backend.notifications.schemas import (
    ChannelIn, ChannelPublic, ChannelUpdate, DeliveryPublic, RulesIn, TestResult,
)
from backend.organisation.models import Company, OrgUnit

_SECURITY = ("starttls", "ssl", "none")


def _check_config(kind: str, config: dict[str, Any]) -> dict[str, Any]:
    fields = CONFIG_FIELDS[kind]
    unknown = set(config) - {name for name, _, _ in fields}
    if unknown:
        raise REFUSALS("channel_config_invalid", reason=f"不认识的设置项：{'、'.join(sorted(unknown))}")
    missing = [name for name, _, required in fields if required and not config.get(name)]
    if missing:
        raise REFUSALS("channel_config_missing", kind=CHANNEL_LABELS[kind], fields="、".join(missing))
    clean = {k: v for k, v in config.items() if v not in (None, "")}
    if kind in (ChannelKind.wecom, ChannelKind.dingtalk):
        url = urlparse(str(clean["webhook"]))
        if url.scheme not in ("http", "https") or not url.netloc:
            raise REFUSALS("channel_config_invalid", reason="Webhook 地址须以 https:// 开头")
    else:
        try:
            clean["port"] = int(clean["port"])
        except (TypeError, ValueError):
            raise REFUSALS("channel_config_invalid", reason="端口须为数字") from None
        if not 0 < clean["port"] < 65536:
            raise REFUSALS("channel_config_invalid", reason="端口须在 1–65535 之间")
        if clean["security"] not in _SECURITY:
            raise REFUSALS("channel_config_invalid", reason="加密方式须为 starttls、ssl 或 none")
        if "@" not in str(clean["sender"]):
            raise REFUSALS("channel_config_invalid", reason="发件地址不是电子邮件地址")
    for name, value in clean.items():
        if name != "port" and (not isinstance(value, str) or len(value) > 500):
            raise REFUSALS("channel_config_invalid", reason=f"{name} 须为不超过 500 字的文字")
    return clean


def _public(session: Session, c: NotifyChannel, counts: dict | None = None) -> ChannelPublic:
    owner = session.get(OrgUnit, c.unit_id).name if c.unit_id else \
        (session.get(Company, c.company_id).name if c.company_id else None)
    counts = counts if counts is not None else _counts(session)
    return ChannelPublic(
        id=c.id, kind=c.kind, kind_label=CHANNEL_LABELS.get(c.kind, c.kind), name=c.name,
        unit_id=c.unit_id, company_id=c.company_id, owner_name=owner,
        config=channels.masked(c.kind, c.config), is_active=c.is_active,
        last_sent_at=c.last_sent_at, last_failed_at=c.last_failed_at, last_error=c.last_error,
        waiting=counts.get((c.id, DeliveryStatus.pending.value), 0)
        + counts.get((c.id, DeliveryStatus.sending.value), 0),
        failed=counts.get((c.id, DeliveryStatus.failed.value), 0))


def _counts(session: Session) -> dict:
    return {(cid, status): n for cid, status, n in session.execute(
        select(Delivery.channel_id, Delivery.status, func.count())
        .where(Delivery.status.in_(("pending", "sending", "failed")))
        .group_by(Delivery.channel_id, Delivery.status))}


def list_channels(session: Session) -> list[ChannelPublic]:
    counts = _counts(session)
    rows = session.scalars(select(NotifyChannel).order_by(NotifyChannel.created_at))
    return [_public(session, c, counts) for c in rows]


def _channel(session: Session, channel_id: uuid.UUID) -> NotifyChannel:
    channel = session.get(NotifyChannel, channel_id)
    if channel is None:
        raise REFUSALS("channel_not_found")
    return channel


def create_channel(session: Session, data: ChannelIn, *, actor_id: uuid.UUID) -> ChannelPublic:
    if (data.unit_id is None) == (data.company_id is None):
        raise REFUSALS("channel_owner")
    if data.unit_id and session.get(OrgUnit, data.unit_id) is None:
        raise REFUSALS("channel_unit_unknown")
    if data.company_id and session.get(Company, data.company_id) is None:
        raise REFUSALS("channel_company_unknown")
    channel = NotifyChannel(kind=data.kind, name=data.name, unit_id=data.unit_id,
                            company_id=data.company_id, config=_check_config(data.kind, data.config),
                            is_active=data.is_active)
    session.add(channel)
    session.flush()
    record(session, actor_id=actor_id, action="notify.channel_create", object_type="notify_channel",
           object_id=channel.id, name=channel.name, kind=channel.kind,
           config=channels.masked(channel.kind, channel.config))
    return _public(session, channel)


def update_channel(session: Session, channel_id: uuid.UUID, data: ChannelUpdate, *,
                   actor_id: uuid.UUID) -> ChannelPublic:
    channel = _channel(session, channel_id)
    changes: dict[str, Any] = {}
    if data.name is not None:
        channel.name = changes["name"] = data.name
    if data.config is not None:
        shown = channels.masked(channel.kind, channel.config)
        merged = dict(channel.config)
        for name, value in data.config.items():
            secret = any(n == name and s for n, s, _ in CONFIG_FIELDS[channel.kind])
            if secret and (value in (None, "") or value == shown.get(name)):
                continue  # left as shown: the stored secret stays
            merged[name] = value
        channel.config = _check_config(channel.kind, merged)
        changes["config"] = channels.masked(channel.kind, channel.config)
    if data.is_active is not None:
        channel.is_active = changes["is_active"] = data.is_active
    session.add(channel)
    record(session, actor_id=actor_id, action="notify.channel_update", object_type="notify_channel",
           object_id=channel.id, **changes)
    return _public(session, channel)


def test_channel(session: Session, channel_id: uuid.UUID, *, actor: Any, now: datetime,
                 client: httpx.Client) -> TestResult:
    """Send a test message at once and say how it went; kept like any other delivery."""
    channel = _channel(session, channel_id)
    actor = session.get(User, actor.id)  # the caller's mobile and address
    body = (f"巡检系统测试消息：{channel.name}（{CHANNEL_LABELS[channel.kind]}）已接通。\n"
            f"发送人：{actor.display_name}")
    message = Message("巡检系统测试消息", body, tuple(m for m in [actor.phone] if m),
                      actor.email or channel.config.get("sender"))
    outcome = channels.send(channel.kind, channel.config, message, now_ms=int(time.time() * 1000),
                            client=client)
    error = channels.scrub(outcome.error, channel.config) if outcome.error else None
    delivery = Delivery(key=f"test:{uuid.uuid4()}", channel_id=channel.id, rule=Rule.test.value,
                        title=message.title, body=body, mobiles=list(message.mobiles),
                        email=message.email, attempts=1, next_attempt_at=now, created_at=now,
                        status=(DeliveryStatus.sent if outcome.ok else DeliveryStatus.failed).value,
                        sent_at=now if outcome.ok else None, last_error=error)
    session.add(delivery)
    session.flush()
    session.add(DeliveryAttempt(delivery_id=delivery.id, at=now, ok=outcome.ok,
                                status_code=outcome.status_code, error=error))
    if outcome.ok:
        channel.last_sent_at = now
    else:
        channel.last_failed_at, channel.last_error = now, error
    session.add(channel)
    record(session, actor_id=actor.id, action="notify.channel_test", object_type="notify_channel",
           object_id=channel.id, ok=outcome.ok, error=error)
    return TestResult(ok=outcome.ok, error=error)


def list_deliveries(session: Session, *, status: str | None, channel_id: uuid.UUID | None,
                    limit: int, offset: int) -> tuple[list[DeliveryPublic], int]:
    where = []
    if status == "waiting":
        where.append(Delivery.status.in_((DeliveryStatus.pending.value, DeliveryStatus.sending.value)))
    elif status:
        where.append(Delivery.status == status)
    if channel_id:
        where.append(Delivery.channel_id == channel_id)
    total = session.execute(select(func.count()).select_from(Delivery).where(*where)).scalar_one()
    rows = session.execute(select(Delivery, NotifyChannel.name)
                           .join(NotifyChannel, NotifyChannel.id == Delivery.channel_id)
                           .where(*where).order_by(Delivery.created_at.desc(), Delivery.id)
                           .limit(limit).offset(offset)).all()
    return [_delivery_public(d, name) for d, name in rows], total


def _delivery_public(d: Delivery, channel_name: str | None) -> DeliveryPublic:
    return DeliveryPublic(**d.model_dump(exclude={"body", "key", "claimed_until", "claimed_by", "merged_into"}),
                          channel_name=channel_name, rule_label=RULE_LABELS.get(d.rule, d.rule))


def retry_delivery(session: Session, delivery_id: uuid.UUID, *, actor_id: uuid.UUID,
                   now: datetime) -> DeliveryPublic:
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:
        raise REFUSALS("delivery_not_found")
    if delivery.status in (DeliveryStatus.sent.value, DeliveryStatus.merged.value):
        raise REFUSALS("delivery_not_retryable")
    if delivery.status == DeliveryStatus.sending.value and delivery.claimed_until \
            and delivery.claimed_until > now:
        raise REFUSALS("delivery_sending")
    delivery.status, delivery.next_attempt_at, delivery.attempts = DeliveryStatus.pending.value, now, 0
    delivery.claimed_until = delivery.claimed_by = None
    session.add(delivery)
    record(session, actor_id=actor_id, action="notify.delivery_retry", object_type="delivery",
           object_id=delivery.id, title=delivery.title)
    return _delivery_public(delivery, _channel(session, delivery.channel_id).name)


def rules_public(session: Session) -> dict:
    row = configuration.latest(session)
    rules = NotifyRules.from_settings(row.notifications if row else None)
    return {"version": row.version if row else 0,
            "configured": bool(row and row.notifications),
            "rules": {k: (v.isoformat(timespec="minutes") if hasattr(v, "isoformat") else
                          str(v) if not isinstance(v, (bool, int)) else v)
                      for k, v in rules.__dict__.items()}}


def set_rules(session: Session, data: RulesIn, *, actor_id: uuid.UUID) -> dict:
    if data.red_workdays <= data.yellow_workdays:
        raise REFUSALS("rules_invalid", reason="红牌督办须晚于黄牌督办")
    values = data.model_dump(mode="json", exclude={"reason", "base_version"})
    configuration.set_notifications(session, values, reason=data.reason, base=data.base_version,
                                    actor_id=actor_id)
    return rules_public(session)
