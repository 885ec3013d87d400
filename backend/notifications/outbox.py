"""The outbox: deliveries claimed by a worker with a lease, sent outside any transaction
(`worker.deliver_all`), and recorded with each attempt.

A worker claims due deliveries (`FOR UPDATE SKIP LOCKED` on PostgreSQL: two workers never claim
the same one) under a token of its own, sends, and records the attempt; only the claim's holder
moves the delivery's state. Killed between sending and recording, its lease runs out and the
message goes once more: at most one repeat, never a loss.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlmodel import Session

from backend.notifications.channels import Message, scrub
from backend.notifications.models import (
    TO_SEND, ChannelKind, Delivery, DeliveryAttempt, DeliveryStatus, NotifyChannel,
)
from backend.notifications.service import rules_in_force

# A claim's lease; each recorded send renews it for the rest of its batch (a try times out in
# 10 s), so only a worker that stopped loses its claim.
LEASE = timedelta(minutes=2)


@dataclass(frozen=True)
class Claimed:
    id: uuid.UUID
    channel_id: uuid.UUID
    kind: str
    config: dict
    message: Message
    attempts: int
    carries: tuple[uuid.UUID, ...] = ()  # held-back deliveries merged into this one
    token: uuid.UUID | None = None       # the claim: only its holder records the outcome


def _sent_last_minute(session: Session, channel_id: uuid.UUID, now: datetime) -> list[datetime]:
    return list(session.scalars(
        select(DeliveryAttempt.at).join(Delivery, Delivery.id == DeliveryAttempt.delivery_id)
        .where(Delivery.channel_id == channel_id, DeliveryAttempt.at > now - timedelta(seconds=60),
               or_(DeliveryAttempt.ok.is_(True), DeliveryAttempt.status_code == 429,
                   DeliveryAttempt.error.like("errcode 45009%"),
                   DeliveryAttempt.error.like("errcode 130101%")))
        .order_by(DeliveryAttempt.at)))


def claim(session: Session, now: datetime, *, limit: int = 200,
          clock: datetime | None = None) -> list[Claimed]:
    """Due deliveries (by `now`), leased to this worker from `clock` (the real time) under a
    token of its own. A robot over its per-minute budget gets what it can take, and the rest
    merged into one digest message, never dropped."""
    clock = clock or now
    token = uuid.uuid4()
    rules = rules_in_force(session)
    query = (select(Delivery).where(
        TO_SEND, Delivery.next_attempt_at <= now,
        or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now))
        .order_by(Delivery.next_attempt_at).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    due = list(session.scalars(query))
    by_channel: dict[uuid.UUID, list[Delivery]] = defaultdict(list)
    for d in due:
        by_channel[d.channel_id].append(d)
    out: list[Claimed] = []
    for channel_id, items in by_channel.items():
        channel = session.get(NotifyChannel, channel_id)
        if channel is None or not channel.is_active:
            for d in items:
                _finish(d, DeliveryStatus.failed, "渠道已停用", now)
            continue
        if channel.kind == ChannelKind.email:
            budget = len(items)
        else:
            recent = _sent_last_minute(session, channel_id, now)
            budget = rules.per_minute - len(recent)
            if budget <= 0:  # wait until the oldest send of the minute leaves the window
                for d in items:
                    d.next_attempt_at = recent[0] + timedelta(seconds=61)
                continue
        single, held = (items, []) if len(items) <= budget else (items[:budget - 1], items[budget - 1:])
        for d in single:
            out.append(_lease(d, channel, clock, token))
        if held:
            carried = _fitting(held)
            out.append(_merge(carried, channel, clock, token))
            for d in held[len(carried):]:  # more than one message holds: the next minute's
                d.next_attempt_at = now + timedelta(seconds=61)
    return out


# WeCom takes at most 2,048 bytes of text; a digest of held-back messages stays under it.
MAX_TEXT_BYTES = 1800


def _merged_lines(held: list[Delivery]) -> list[str]:
    return [f"【消息汇总】以下 {len(held)} 条通知因发送频率限制合并发送："] + \
        [f"{i}. {d.title}" for i, d in enumerate(held, start=1)]


def _fitting(held: list[Delivery]) -> list[Delivery]:
    n = len(held)
    while n > 1 and len("\n".join(_merged_lines(held[:n])).encode()) > MAX_TEXT_BYTES:
        n -= 1
    return held[:n]


def _message(d: Delivery) -> Message:
    return Message(d.title, d.body, tuple(d.mobiles or ()), d.email)


def _lease(d: Delivery, channel: NotifyChannel, clock: datetime, token: uuid.UUID) -> Claimed:
    d.status, d.claimed_until, d.claimed_by = DeliveryStatus.sending.value, clock + LEASE, token
    return Claimed(d.id, channel.id, channel.kind, dict(channel.config), _message(d), d.attempts,
                   token=token)


def _merge(held: list[Delivery], channel: NotifyChannel, clock: datetime, token: uuid.UUID) -> Claimed:
    """One message carrying several held back by the rate limit; the first delivery carries it."""
    carrier = held[0]
    lines = _merged_lines(held)
    mobiles = sorted({m for d in held for m in (d.mobiles or [])})
    for d in held:
        d.status, d.claimed_until, d.claimed_by = DeliveryStatus.sending.value, clock + LEASE, token
    message = Message(f"消息汇总（{len(held)} 条）", "\n".join(lines), tuple(mobiles))
    return Claimed(carrier.id, channel.id, channel.kind, dict(channel.config), message,
                   carrier.attempts, tuple(d.id for d in held[1:]), token=token)


def _finish(d: Delivery, status: DeliveryStatus, error: str | None, now: datetime) -> None:
    d.status, d.claimed_until, d.last_error = status.value, None, error
    if status in (DeliveryStatus.sent, DeliveryStatus.merged):
        d.sent_at = now


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … at most an hour between tries."""
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def record(session: Session, claimed: Claimed, outcome: Any, now: datetime) -> None:
    """The attempt's result, in its own unit of work after the sending."""
    rules = rules_in_force(session)
    d = session.get(Delivery, claimed.id)
    channel = session.get(NotifyChannel, claimed.channel_id)
    carried = [session.get(Delivery, i) for i in claimed.carries]
    error = scrub(outcome.error, claimed.config) if outcome.error else None  # never a secret
    session.add(DeliveryAttempt(delivery_id=claimed.id, at=now, ok=outcome.ok,
                                status_code=outcome.status_code, error=error,
                                merged=len(claimed.carries) + (1 if claimed.carries else 0)))
    # the rest of this claim's batch is still being sent: its lease holds
    session.execute(update(Delivery).where(Delivery.claimed_by == claimed.token,
                                           Delivery.status == DeliveryStatus.sending.value)
                    .values(claimed_until=now + LEASE))
    # A lease that ran out went to another worker: the try is kept, the state is theirs.
    everyone = [x for x in (d, *carried) if x.claimed_by == claimed.token]
    if d not in everyone:
        return
    if outcome.ok:
        for x in everyone:
            _finish(x, DeliveryStatus.sent if x is d else DeliveryStatus.merged, None, now)
            x.merged_into = d.id if x is not d else None
        channel.last_sent_at = now
        return
    channel.last_failed_at, channel.last_error = now, error
    for x in everyone:
        x.attempts += 1
        x.claimed_until = None
        x.last_error = error
        if outcome.rate_limited:  # not the message's fault: try again in a minute, merged
            x.status, x.next_attempt_at = DeliveryStatus.pending.value, now + timedelta(seconds=61)
        elif x.attempts >= rules.max_attempts:
            x.status = DeliveryStatus.failed.value
        else:
            x.status, x.next_attempt_at = DeliveryStatus.pending.value, now + backoff(x.attempts)
