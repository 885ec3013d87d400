"""The inbox (everyone's own) and, for admins, the channels, the messages waiting or failed,
and the rules."""

from __future__ import annotations

import uuid
from typing import Literal

import httpx
from fastapi import APIRouter, Query

from backend.auth.dependencies import AdminUser, CurrentUser
from backend.clock import ClockDep
from backend.errors import error_responses
from backend.notifications import admin, service
from backend.notifications.schemas import (
    ChannelIn, ChannelPublic, ChannelUpdate, DeliveryPublic, Inbox, MarkRead, NotificationPublic,
    RulesIn, TestResult,
)
from backend.pagination import Page, PageDep
from backend.transaction import SessionDep

router = APIRouter(prefix="/api", tags=["notifications"])


@router.get("/notifications", response_model=Inbox, responses=error_responses(401))
def my_inbox(session: SessionDep, user: CurrentUser) -> Inbox:
    """The caller's latest messages and how many are unread (the phone has them from the pull)."""
    box = service.inbox(session, user.id)
    return Inbox(unread=box["unread"],
                 items=[NotificationPublic.model_validate(n, from_attributes=True) for n in box["items"]])


@router.post("/notifications/read", responses=error_responses(401, 422))
def mark_read(body: MarkRead, session: SessionDep, user: CurrentUser, clock: ClockDep) -> dict:
    """Mark read: a ticket's messages (it was opened), some by id, or all."""
    n = service.mark_read(session, user.id, ticket_id=body.ticket_id, ids=body.ids,
                          every=body.all, now=clock.now)
    return {"read": n}


@router.get("/notify/channels", response_model=list[ChannelPublic], responses=error_responses(401, 403))
def channels(session: SessionDep, _admin: AdminUser) -> list[ChannelPublic]:
    """Every channel, its secrets masked, with its last delivery and failure."""
    return admin.list_channels(session)


@router.post("/notify/channels", response_model=ChannelPublic, status_code=201,
             responses=error_responses(401, 403, 422))
def create_channel(body: ChannelIn, session: SessionDep, user: AdminUser) -> ChannelPublic:
    """A group robot or an SMTP server for a unit or a company."""
    return admin.create_channel(session, body, actor_id=user.id)


@router.patch("/notify/channels/{channel_id}", response_model=ChannelPublic,
              responses=error_responses(401, 403, 404, 422))
def update_channel(channel_id: uuid.UUID, body: ChannelUpdate, session: SessionDep,
                   user: AdminUser) -> ChannelPublic:
    """Rename, re-address, stop or resume a channel; a secret sent back masked is kept."""
    return admin.update_channel(session, channel_id, body, actor_id=user.id)


@router.post("/notify/channels/{channel_id}/test", response_model=TestResult,
             responses=error_responses(401, 403, 404))
def test_channel(channel_id: uuid.UUID, session: SessionDep, user: AdminUser,
                 clock: ClockDep) -> TestResult:
    """Send a test message now and say how it went."""
    with httpx.Client() as client:
        return admin.test_channel(session, channel_id, actor=user, now=clock.now, client=client)


@router.get("/notify/deliveries", response_model=Page[DeliveryPublic],
            responses=error_responses(401, 403, 422))
def deliveries(session: SessionDep, _admin: AdminUser, page: PageDep,
               status: Literal["waiting", "pending", "sending", "sent", "merged", "failed"] | None = Query(
                   None, description="waiting = pending or sending"),
               channel_id: uuid.UUID | None = None) -> Page[DeliveryPublic]:
    """The outbox, newest first: what waits, what failed, what went."""
    items, total = admin.list_deliveries(session, status=status, channel_id=channel_id,
                                         limit=page.limit, offset=page.offset)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.post("/notify/deliveries/{delivery_id}/retry", response_model=DeliveryPublic,
             responses=error_responses(401, 403, 404, 409))
def retry(delivery_id: uuid.UUID, session: SessionDep, user: AdminUser,
          clock: ClockDep) -> DeliveryPublic:
    """Send a failed or waiting message again at once, with a fresh count of tries."""
    return admin.retry_delivery(session, delivery_id, actor_id=user.id, now=clock.now)


@router.get("/notify/rules", responses=error_responses(401, 403))
def rules(session: SessionDep, _admin: AdminUser) -> dict:
    """The notification rules in force (the defaults until an admin sets them)."""
    return admin.rules_public(session)


@router.put("/notify/rules", responses=error_responses(401, 403, 409, 422))
def set_rules(body: RulesIn, session: SessionDep, user: AdminUser) -> dict:
    """Set the rules; a new, audited version of the settings."""
    return admin.set_rules(session, body, actor_id=user.id)
