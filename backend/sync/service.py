"""The offline sync protocol's work (backend/sync/README.md): batches checked item by item,
transitions applied each in its own savepoint, and the pull: everything that changed in the
caller's scope since a cursor, plus reference data only when the phone's copy is out of date."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import pydantic_core
from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy import and_, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from backend.auth.scope import Scope
from backend.errors import validation_errors, validation_message
from backend.sync.errors import REFUSALS
from backend.findings import deadlines, repository, transitions
from backend.findings.errors import refused
from backend.findings.models import Ticket
from backend.findings.schemas import ItemResult
from backend.findings.views import ticket_filter, tickets_public
from backend.inspections import service as inspections
from backend.inspections.schemas import InspectionItemResult
from backend.notifications import service as notifications
from backend.notifications.schemas import NotificationPublic
from backend.organisation.models import Compound
from backend.organisation.service import compounds_public
from backend.rubrics import library

BATCH_LIMIT = 500
INSPECTION_BATCH_LIMIT = 20  # each is scored whole on arrival
_MAX_POSITION = 2**63 - 1


# ------------------------------------------------------------------ batches, item by item


def parse_batch(body: bytes, key: str, model: type[BaseModel], batch: type[BaseModel], *,
                limit: int = BATCH_LIMIT) -> list[BaseModel | ItemResult]:
    """A batch's items, each validated on its own: an item that is not valid is answered
    `invalid` with the reason, and the others go on. Only a request whose own shape is wrong
    (not JSON, no list, too many items, an item without a usable id) is refused as a whole.
    A batch that is valid throughout, as phones send them, is read in one step (`batch`, the
    documented body)."""
    try:
        return getattr(batch.model_validate_json(body), key)
    except ValueError:
        pass  # somewhere invalid: item by item, below
    try:
        data = pydantic_core.from_json(body, allow_inf_nan=False) if body else None
    except ValueError:
        raise REFUSALS("malformed_json") from None
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise REFUSALS("validation_error", reason=f"请求体应为 {{\"{key}\": [...]}}")
    if len(items) > limit:
        raise REFUSALS("batch_too_large", limit=limit)
    validate = _validator(model)
    out: list[BaseModel | ItemResult] = []
    for index, item in enumerate(items):
        try:
            out.append(validate(item))
        except ValidationError as exc:
            try:
                item_id = uuid.UUID(str(item.get("id"))) if isinstance(item, dict) else None
            except ValueError:
                item_id = None
            if item_id is None:
                raise REFUSALS("validation_error", reason=f"第 {index + 1} 条缺少有效的编号（id）",
                              detail=validation_errors(exc.errors())) from None
            out.append(refused(item_id, "item_invalid", validation_message(exc.errors())))
    return out


@lru_cache(maxsize=8)
def _validator(model: type[BaseModel]) -> Callable[[Any], BaseModel]:
    """pydantic's own validator of `model` (SQLModel's model_validate wraps it, slower)."""
    return TypeAdapter(model).validate_python


def each_in_savepoint(session: Session, items: list, apply: Callable[[Any], Any], *,
                      done: type = ItemResult) -> list:
    """Apply each item in its own savepoint: one refusal or race never undoes the others.
    Items already answered (`done`: refused when parsed) are passed through."""
    results = []
    for item in items:
        if isinstance(item, done):  # refused when parsed
            results.append(item)
            continue
        try:
            with session.begin_nested():
                result = apply(item)
                if result.status not in ("created", "duplicate"):
                    raise _Undo(result)
        except _Undo as undo:
            result = undo.result
        except IntegrityError:
            # Another request stored the same id between our check and our insert: answer as
            # for any repeat, from what is now stored.
            with session.begin_nested():
                result = apply(item)
        results.append(result)
    return results


class _Undo(Exception):
    def __init__(self, result: ItemResult) -> None:
        self.result = result


def apply_events(session: Session, user, scope: Scope, items: list, clock) -> list[ItemResult]:  # noqa: ANN001
    return each_in_savepoint(session, items, lambda e: transitions.apply_event(
        session, user, scope, e, clock=clock))


def receive_inspections(session: Session, user, scope: Scope, items: list, clock) -> list:  # noqa: ANN001
    """Whole inspections, each in its own savepoint; a refused item is answered as refused
    when parsed (an ItemResult), in the inspections' answer shape."""
    parsed = [InspectionItemResult(**item.model_dump(include={"id", "status", "code", "message"}))
              if isinstance(item, ItemResult) else item for item in items]
    return each_in_savepoint(session, parsed, lambda i: inspections.receive(
        session, user, scope, i, clock=clock), done=InspectionItemResult)


# ------------------------------------------------------------------ pull


def _versioned(payload: Any) -> dict:
    body = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return {"version": hashlib.sha256(body.encode()).hexdigest()[:16], **payload}


@lru_cache(maxsize=4)
def _catalog_payload(_version: int) -> dict:
    return _versioned({"types": [e.model_dump(mode="json") for e in deadlines.catalog().entries]})


@lru_cache(maxsize=4)
def _rubrics_payload(_version: int) -> dict:
    return _versioned({"rubrics": [r.model_dump(mode="json")
                                   for r in library.current().rubrics().values()]})


def catalog_payload() -> dict:
    return _catalog_payload(library.version())


def rubrics_payload() -> dict:
    return _rubrics_payload(library.version())


def calendar_payload(today: date) -> dict:
    """What a phone needs to count work-time offline: schedules and working-day exceptions for
    last year to next year. Uncovered years are listed so the phone marks its times provisional."""
    config = deadlines.worktime()
    cal = config.calendar
    years = range(today.year - 1, today.year + 2)
    in_range = lambda days: sorted(d.isoformat() for d in days if d.year in years)  # noqa: E731
    return _versioned({
        "timezone": config.timezone, "default": config.default,
        "workday_rule": config.workday_rule,
        "by_catalog_type": dict(config.by_catalog_type),
        "by_responsible_unit": dict(config.by_responsible_unit),
        "schedules": {key: {
            "name": s.name, "days": s.days, "windows": [w.label() for w in s.windows],
            "periods": [{"on": p.on.isoformat() if p.on else None,
                         "month_day": "%02d-%02d" % p.month_day if p.month_day else None,
                         "windows": [w.label() for w in p.windows]} for p in s.periods]}
            for key, s in config.schedules.items()},
        "years": list(years), "covered_years": sorted(y for y in years if cal.is_covered(y)),
        "days_off": in_range(cal.days_off), "days_on": in_range(cal.days_on)})


_CURSOR = re.compile(r"^(\d{1,19})(?:\.([0-9a-f]{32}))?$")


def parse_cursor(text: str, *, sqlite: bool) -> tuple[int, uuid.UUID]:
    """The position after which a pull continues. Cursors are opaque to the phone: this one
    is "position.id". A bare number is an earlier version's, a position of SQLite's counter:
    still valid there; on PostgreSQL, where positions became transaction ids, the phone
    starts again from the beginning (merging by id and version makes that safe)."""
    m = _CURSOR.match(text or "0")
    if not m or int(m[1]) > _MAX_POSITION:
        raise REFUSALS("cursor_invalid")
    if m[2] is None:
        return (int(m[1]) if sqlite else 0), uuid.UUID(int=0)
    return int(m[1]), uuid.UUID(hex=m[2])


def pull(session: Session, user, scope: Scope, *, cursor: str, limit: int,  # noqa: ANN001
         now: datetime, versions: dict[str, str | None]) -> dict:
    position, after = parse_cursor(cursor, sqlite=session.get_bind().dialect.name == "sqlite")
    query = (select(Ticket).where(ticket_filter(scope, user), repository.feed_visible(session),
                                  or_(Ticket.change_seq > position,
                                      and_(Ticket.change_seq == position, Ticket.id > after)))
             .order_by(Ticket.change_seq, Ticket.id).limit(limit + 1))
    tickets = list(session.exec(query))
    more = len(tickets) > limit
    tickets = tickets[:limit]
    next_cursor = f"{tickets[-1].change_seq}.{tickets[-1].id.hex}" if tickets else \
        (cursor or "0")

    offered = (scope.compound_filter(), Compound.is_active.is_(True))  # retired: not offered
    count, latest = session.exec(select(func.count(), func.max(Compound.updated_at))
                                 .where(*offered)).one()
    compounds_version = hashlib.sha256(f"{count}|{latest}".encode()).hexdigest()[:16]
    compounds = None
    if versions.get("compounds") != compounds_version:
        rows = session.exec(select(Compound).where(*offered).order_by(Compound.name))
        compounds = {"version": compounds_version,
                     "items": [c.model_dump(mode="json") for c in compounds_public(session, list(rows))]}
    reference = {"catalog": catalog_payload(), "rubrics": rubrics_payload(),
                 "calendar": calendar_payload(now.date())}
    inbox = None
    inbox_version = notifications.inbox_version(session, user.id)
    if versions.get("inbox") != inbox_version:
        box = notifications.inbox(session, user.id)
        inbox = {"version": inbox_version, "unread": box["unread"],
                 "items": [NotificationPublic.model_validate(n, from_attributes=True).model_dump(mode="json")
                           for n in box["items"]]}
    return {
        "cursor": next_cursor, "more": more, "server_time": now.isoformat(), "inbox": inbox,
        "tickets": [t.model_dump(mode="json") for t in tickets_public(session, tickets, now)],
        "compounds": compounds,
        **{name: (payload if versions.get(name) != payload["version"] else None)
           for name, payload in reference.items()},
    }
