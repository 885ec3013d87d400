"""Reading the audit log: who did what and when, filtered by actor, kind, unit and date."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import date, datetime, time, timedelta

from sqlalchemy import false, func, or_
from sqlmodel import Session, select

from backend.audit.models import ACTION_LABELS, OBJECT_LABELS, AuditEvent, AuditPublic
from backend.auth.models import User, UserScopeUnit
from backend.dbtypes import as_local, local_zone
from backend.organisation.models import Company, Compound, OrgUnit, compounds_under, units_under

# The objects a log line can name, by type: the model and its name column.
_NAMED = {"user": (User, User.display_name), "org_unit": (OrgUnit, OrgUnit.name),
          "compound": (Compound, Compound.name), "company": (Company, Company.name)}

EXPORT_LIMIT = 100_000


def _day_start(day: date) -> datetime:
    """Dates are the officials' civil (Beijing) days."""
    return datetime.combine(day, time(), tzinfo=local_zone())


def _about_unit(session: Session, unit_id: uuid.UUID):  # noqa: ANN202 - a WHERE clause
    """Events about the unit, any unit or compound under it, or a user scoped under it."""
    unit = session.get(OrgUnit, unit_id)
    if unit is None:
        return false()
    units = [str(u) for u in session.exec(select(OrgUnit.id).where(units_under(unit)))]
    compounds = [str(c) for c in session.exec(select(Compound.id).where(compounds_under(unit)))]
    users = [str(u) for u in session.exec(select(UserScopeUnit.user_id).where(
        UserScopeUnit.unit_id.in_([uuid.UUID(u) for u in units])))]
    return AuditEvent.object_id.in_(units + compounds + users)


def _where(session: Session, *, actor_id: uuid.UUID | None, action: str | None,
           unit_id: uuid.UUID | None, since: date | None, until: date | None) -> list:
    where = []
    if actor_id:
        where.append(AuditEvent.actor_id == actor_id)
    if action:  # a kind ("user") or one action ("user.create")
        where.append(or_(AuditEvent.action == action, AuditEvent.action.startswith(f"{action}.")))
    if unit_id:
        where.append(_about_unit(session, unit_id))
    if since:
        where.append(AuditEvent.at >= _day_start(since))
    if until:
        where.append(AuditEvent.at < _day_start(until + timedelta(days=1)))
    return where


def _names(session: Session, events: list[AuditEvent]) -> dict[str, str]:
    """The names of the actors and of the objects the events are about, one query per type."""
    wanted: dict[str, set[uuid.UUID]] = {"user": {e.actor_id for e in events if e.actor_id}}
    for e in events:
        if e.object_type in _NAMED and e.object_id:
            try:
                wanted.setdefault(e.object_type, set()).add(uuid.UUID(e.object_id))
            except ValueError:
                continue
    names: dict[str, str] = {}
    for kind, ids in wanted.items():
        if ids:
            model, name = _NAMED[kind]
            names |= {str(i): n for i, n in session.exec(select(model.id, name)
                                                         .where(model.id.in_(ids))).all()}
    return names


def _public(session: Session, events: list[AuditEvent]) -> list[AuditPublic]:
    names = _names(session, events)
    return [AuditPublic.model_validate(e, update={
        "actor_name": names.get(str(e.actor_id)) if e.actor_id else None,
        "action_label": ACTION_LABELS.get(e.action, e.action),
        "object_label": OBJECT_LABELS.get(e.object_type, e.object_type),
        "object_name": names.get(e.object_id) if e.object_id else None}) for e in events]


def search(session: Session, *, actor_id: uuid.UUID | None = None, action: str | None = None,
           unit_id: uuid.UUID | None = None, since: date | None = None,
           until: date | None = None, limit: int = 50, offset: int = 0
           ) -> tuple[list[AuditPublic], int]:
    """A page of events, newest first, and how many match."""
    where = _where(session, actor_id=actor_id, action=action, unit_id=unit_id, since=since,
                   until=until)
    total = session.exec(select(func.count()).select_from(AuditEvent).where(*where)).one()
    events = list(session.exec(select(AuditEvent).where(*where)
                               .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                               .limit(limit).offset(offset)))
    return _public(session, events), total


def export_csv(session: Session, **filters: object) -> bytes:
    """The matching events as CSV (UTF-8 with a BOM, for Excel), newest first."""
    events, _ = search(session, limit=EXPORT_LIMIT, offset=0, **filters)  # type: ignore[arg-type]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["时间", "操作人", "操作", "对象类型", "对象", "对象编号", "详情"])
    for e in events:
        writer.writerow([as_local(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                         e.actor_name or "系统", e.action_label, e.object_label,
                         e.object_name or "", e.object_id or "",
                         json.dumps(e.detail, ensure_ascii=False, sort_keys=True)])
    return out.getvalue().encode("utf-8-sig")
