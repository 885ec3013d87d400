"""Pull: everything that changed in the caller's scope since a cursor, plus reference data
(catalog, rubrics, calendar) only when the phone's copy is out of date."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from backend.auth.models import User
from backend.auth.scope import Scope
from backend.config import get_settings
from backend.findings import deadlines
from backend.findings.models import Ticket
from backend.findings.views import ticket_filter, tickets_public
from backend.organisation.models import Compound
from backend.organisation.service import compounds_public
from backend.rubrics.loader import load_dir


def _versioned(payload: Any) -> dict:
    body = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return {"version": hashlib.sha256(body.encode()).hexdigest()[:16], **payload}


@lru_cache
def catalog_payload() -> dict:
    return _versioned({"types": [e.model_dump(mode="json") for e in deadlines.catalog().entries]})


@lru_cache
def rubrics_payload() -> dict:
    library = load_dir(get_settings().rubrics_dir)
    return _versioned({"rubrics": [r.model_dump(mode="json")
                                   for r in library.rubrics().values()]})


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


def pull(session: Session, user: User, scope: Scope, *, cursor: int, limit: int, now: datetime,
         versions: dict[str, str | None]) -> dict:
    query = select(Ticket).where(ticket_filter(scope, user), Ticket.change_seq > cursor)
    tickets = list(session.exec(query.order_by(Ticket.change_seq).limit(limit + 1)))
    more = len(tickets) > limit
    tickets = tickets[:limit]
    next_cursor = tickets[-1].change_seq if tickets else cursor

    count, latest = session.exec(select(func.count(), func.max(Compound.updated_at))
                                 .where(scope.compound_filter())).one()
    compounds_version = hashlib.sha256(f"{count}|{latest}".encode()).hexdigest()[:16]
    compounds = None
    if versions.get("compounds") != compounds_version:
        rows = session.exec(select(Compound).where(scope.compound_filter()).order_by(Compound.name))
        compounds = {"version": compounds_version,
                     "items": [c.model_dump(mode="json") for c in compounds_public(session, list(rows))]}
    reference = {"catalog": catalog_payload(), "rubrics": rubrics_payload(),
                 "calendar": calendar_payload(now.date())}
    return {
        "cursor": str(next_cursor), "more": more, "server_time": now.isoformat(),
        "tickets": [t.model_dump(mode="json") for t in tickets_public(session, tickets, now)],
        "compounds": compounds,
        **{name: (payload if versions.get(name) != payload["version"] else None)
           for name, payload in reference.items()},
    }
