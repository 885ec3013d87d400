"""Who is told what, and when; the outbox a worker sends from (backend/notifications/README.md).

Two jobs, each run in short units of work by `worker.py`:

- `scan(session, now)` looks at the tickets whose `notify_at` has come (an indexed range read):
  their new events (dispatch, reject, rectify) and their ladder (即将到期, 催办, 黄牌, 红牌).
  For each message it writes one `Notification` per person (the inbox) and the deliveries to
  their channels, all keyed (ticket, rule, level[, person]): scanning again writes nothing twice.
  Then it moves the ticket's `notify_at` to the ladder's next step.
- the sending is `outbox.py`'s: claimed with a lease, sent outside any transaction, recorded.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterable

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from backend.auth.models import Role, User, UserScopeUnit
from backend.config import get_settings
from backend.configuration import service as configuration
from backend.findings import deadlines
from backend.findings.models import EventKind, Finding, Ticket, TicketEvent, TicketState
from backend.findings.overdue import overdue_clause
from backend.findings.repository import change_seq
from backend.notifications.models import (
    LADDER, TO_SEND, ChannelKind, Delivery, DeliveryStatus, Notification,
    NotifyChannel, Rule,
)
from backend.notifications.rules import NotifyRules, Subject, TicketClock, ladder_step, ladder_times, message
from backend.organisation.models import Company, Compound, CompoundGrid, OrgUnit
from backend.worktime import Unit, next_working_instant, parse_unit

_EVENT_RULES = {EventKind.dispatch.value: Rule.dispatched, EventKind.reject.value: Rule.rejected,
                EventKind.rectify.value: Rule.rectified}
# The events that move a ticket from one step to the next (one asking somebody to act).
_MOVES = frozenset({*_EVENT_RULES, EventKind.close.value, EventKind.cancel.value,
                    EventKind.merge.value})


def rules_in_force(session: Session) -> NotifyRules:
    row = configuration.latest(session)
    return NotifyRules.from_settings(row.notifications if row else None)


def _insert_ignore(session: Session, model: type, rows: list[dict]) -> None:
    """Insert rows whose key may exist already (a scan repeated): those are left as they are."""
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(model.__table__).values(rows).on_conflict_do_nothing())


# ------------------------------------------------------------------ who


@dataclass
class Person:
    id: uuid.UUID
    name: str
    role: str
    mobile: str | None
    email: str | None
    company_id: uuid.UUID | None
    unit_ids: list[uuid.UUID] = field(default_factory=list)


def _people(session: Session, where: Any) -> list[Person]:
    users = session.execute(select(User.id, User.display_name, User.role, User.phone, User.email,
                                   User.company_id).where(User.is_active.is_(True), where)).all()
    people = {u[0]: Person(*u) for u in users}
    if people:
        for user_id, unit_id in session.execute(select(UserScopeUnit.user_id, UserScopeUnit.unit_id)
                                                .where(UserScopeUnit.user_id.in_(people))):
            people[user_id].unit_ids.append(unit_id)
    return sorted(people.values(), key=lambda p: p.name)


def _scoped(role: Role, unit_ids: Iterable[uuid.UUID]) -> Any:
    return and_(User.role == role, User.id.in_(
        select(UserScopeUnit.user_id).where(UserScopeUnit.unit_id.in_(list(unit_ids)))))


@dataclass(frozen=True)
class TicketFacts:
    ticket: Any
    compound: str
    company: str | None
    community_id: uuid.UUID
    grid_ids: tuple[uuid.UUID, ...]
    reporter_id: uuid.UUID
    problem: str
    case_no: str | None


def _facts(session: Session, ticket: Any) -> TicketFacts:
    finding = session.execute(select(Finding.catalog_code, Finding.description, Finding.building,
                                     Finding.case_no, Finding.reporter_id, Finding.community_id)
                              .where(Finding.id == ticket.id)).one()
    compound = session.execute(select(Compound.name).where(Compound.id == ticket.compound_id)).scalar_one()
    company = session.execute(select(Company.name).where(Company.id == ticket.company_id)).scalar() \
        if ticket.company_id else None
    grids = tuple(session.execute(select(CompoundGrid.grid_id)
                                  .where(CompoundGrid.compound_id == ticket.compound_id)).scalars())
    entry = deadlines.catalog_entry(finding.catalog_code) if finding.catalog_code else None
    problem = entry.name if entry else (finding.description[:40] or "问题")
    if finding.building:
        problem = f"{problem}（{finding.building}）"
    return TicketFacts(ticket, compound, company, finding.community_id, grids, finding.reporter_id,
                       problem, finding.case_no)


def recipients(session: Session, rule: Rule, facts: TicketFacts) -> list[Person]:
    """The people each rule tells (issue 17 §2), active accounts only."""
    t = facts.ticket
    managers = and_(User.role == Role.property_manager, User.company_id == t.company_id) \
        if t.company_id else None
    if rule in (Rule.dispatched, Rule.rejected, Rule.due_soon):
        return _people(session, managers) if managers is not None else []
    if rule == Rule.rectified:
        return _people(session, or_(User.id == facts.reporter_id,
                                    _scoped(Role.supervisor, (t.street_id, facts.community_id))))
    if rule == Rule.urged:
        who = [_scoped(Role.grid_worker, facts.grid_ids)] if facts.grid_ids else []
        if managers is not None:
            who.append(managers)
        return _people(session, or_(*who)) if who else []
    if rule == Rule.yellow:
        heads = _people(session, and_(managers, User.is_company_head.is_(True))) \
            if managers is not None else []
        if not heads and managers is not None:
            heads = _people(session, managers)  # no head named: the company's managers
        return heads + _people(session, _scoped(Role.supervisor, (t.street_id,)))
    if rule == Rule.red:
        return _people(session, _scoped(Role.supervisor, (t.district_id,)))
    return []


# ------------------------------------------------------------------ where


class Channels:
    """The active channels, read once for a message: a manager is reached through their
    company's; an official through those of the nearest unit at or above each unit of their
    scope that has any (a grid worker is in the community's or street's group)."""

    def __init__(self, session: Session) -> None:
        self.by_company: dict[uuid.UUID, list[NotifyChannel]] = defaultdict(list)
        self.by_unit: dict[uuid.UUID, list[NotifyChannel]] = defaultdict(list)
        for c in session.scalars(select(NotifyChannel).where(NotifyChannel.is_active.is_(True))):
            (self.by_company[c.company_id] if c.company_id else self.by_unit[c.unit_id]).append(c)
        # the tree is read only when some unit has a channel
        self.parents = dict(session.execute(select(OrgUnit.id, OrgUnit.parent_id)).all()) \
            if self.by_unit else {}

    def of(self, person: Person) -> list[NotifyChannel]:
        if person.role == Role.property_manager:
            return list(self.by_company.get(person.company_id, [])) if person.company_id else []
        found: dict[uuid.UUID, NotifyChannel] = {}
        for unit in person.unit_ids:
            seen: set[uuid.UUID] = set()
            while unit is not None and unit not in seen and not self.by_unit.get(unit):
                seen.add(unit)
                unit = self.parents.get(unit)
            found.update({c.id: c for c in self.by_unit.get(unit, [])})
        return list(found.values())


# ------------------------------------------------------------------ writing a message


def _send_at(now: datetime, ticket: Any, rules: NotifyRules) -> datetime:
    """Out of hours a message waits for the next working window; a 小时 (urgent) type's never."""
    urgent = ticket is not None and ticket.deadline_unit is not None \
        and parse_unit(ticket.deadline_unit) is Unit.HOURS
    if urgent or not rules.hold_outside_windows:
        return now
    config = deadlines.worktime()
    key = getattr(ticket, "schedule_key", None) or config.default
    schedule = config.schedules.get(key) or config.schedules[config.default]
    return next_working_instant(now, schedule=schedule, calendar=config.calendar)


def write_message(session: Session, *, key: str, rule: Rule, title: str, body: str,
                  people: list[Person], now: datetime, ticket: Any = None,
                  rules: NotifyRules) -> int:
    """The inbox rows and the deliveries of one message; returns how many people it tells."""
    if not people:
        return 0
    ticket_id = ticket.id if ticket is not None else None
    _insert_ignore(session, Notification, [
        {"id": uuid.uuid4(), "key": f"{key}:{p.id}", "recipient_id": p.id, "ticket_id": ticket_id,
         "rule": rule.value, "title": title[:200], "body": body[:4000], "created_at": now,
         "read_at": None} for p in people])
    at = _send_at(now, ticket, rules)
    groups: dict[uuid.UUID, tuple[NotifyChannel, list[Person]]] = {}
    rows = []
    directory = Channels(session)
    for person in people:
        for channel in directory.of(person):
            if channel.kind == ChannelKind.email:
                if person.email:
                    rows.append(_delivery(f"{key}:{channel.id}:{person.id}", channel, rule, ticket_id,
                                          title, body, [], person.email, at, now))
            else:
                groups.setdefault(channel.id, (channel, []))[1].append(person)
    for channel, members in groups.values():
        mobiles = sorted({p.mobile for p in members if p.mobile})
        rows.append(_delivery(f"{key}:{channel.id}", channel, rule, ticket_id, title, body, mobiles,
                              None, at, now))
    _insert_ignore(session, Delivery, rows)
    return len(people)


def _delivery(key: str, channel: NotifyChannel, rule: Rule, ticket_id: Any, title: str, body: str,
              mobiles: list[str], email: str | None, at: datetime, now: datetime) -> dict:
    return {"id": uuid.uuid4(), "key": key[:240], "channel_id": channel.id, "rule": rule.value,
            "ticket_id": ticket_id, "title": title[:200], "body": body[:4000], "mobiles": mobiles,
            "email": email, "status": DeliveryStatus.pending.value, "attempts": 0,
            "created_at": now, "next_attempt_at": at, "claimed_until": None, "sent_at": None,
            "merged_into": None, "last_error": None}


def _link(ticket_id: uuid.UUID) -> str:
    base = get_settings().public_url.rstrip("/")
    return f"{base}/#/ticket/{ticket_id}" if base else f"在“巡检”应用中打开工单 {str(ticket_id)[:8]}"


# ------------------------------------------------------------------ the scan


def _due_tickets(session: Session, now: datetime, limit: int) -> list[Any]:
    query = (select(*Ticket.__table__.columns).where(Ticket.notify_at.is_not(None),
                                                     Ticket.notify_at <= now)
             .order_by(Ticket.notify_at).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)  # several workers share the scan
    return list(session.execute(query))


def _clock(ticket: Any) -> TicketClock | None:
    if ticket.due_at is None:
        return None
    config = deadlines.worktime()
    schedule = config.schedules.get(ticket.schedule_key or config.default) \
        or config.schedules[config.default]
    return TicketClock(ticket.dispatched_at, ticket.due_at, ticket.deadline_unit, schedule,
                       config.calendar, config.workday_rule)


def work_waiting(session: Session, now: datetime) -> tuple[bool, bool]:
    """(a ticket to scan, a delivery to send) by `now`: two indexed probes, so that an idle
    round reads and never takes SQLite's write lock from the requests."""
    ticket = session.execute(select(Ticket.id).where(Ticket.notify_at.is_not(None),
                                                     Ticket.notify_at <= now).limit(1)).first()
    delivery = session.execute(select(Delivery.id).where(TO_SEND, Delivery.next_attempt_at <= now)
                               .limit(1)).first()
    return ticket is not None, delivery is not None


def digest_sent(session: Session, today: date) -> bool:
    prefix = f"digest:{today.isoformat()}:"  # a range of the unique key's index
    return session.execute(select(Notification.id).where(
        Notification.key >= prefix, Notification.key < prefix[:-1] + ";").limit(1)).first() is not None


def scan(session: Session, now: datetime, *, limit: int = 200) -> int:
    """Tell what the due tickets' new events and ladder steps call for; returns the tickets seen."""
    rules = rules_in_force(session)
    due = _due_tickets(session, now, limit)
    for ticket in due:
        _scan_ticket(session, ticket, now, rules)
    return len(due)


def _scan_ticket(session: Session, ticket: Any, now: datetime, rules: NotifyRules) -> None:
    events = session.execute(select(TicketEvent.seq, TicketEvent.kind, TicketEvent.note)
                             .where(TicketEvent.ticket_id == ticket.id,
                                    TicketEvent.seq > ticket.notified_seq)
                             .order_by(TicketEvent.seq)).all()
    facts = None
    changes: dict[str, Any] = {"notified_seq": max([ticket.notified_seq, *(e.seq for e in events)])}

    def tell(rule: Rule, level: int, note: str | None = None) -> None:
        nonlocal facts
        facts = facts or _facts(session, ticket)
        subject = Subject(facts.compound, facts.company, facts.problem, facts.case_no,
                          ticket.due_at, note)
        title, body = message(rule, subject, link=_link(ticket.id), rules=rules)
        write_message(session, key=f"{ticket.id}:{rule.value}:{level}", rule=rule, title=title,
                      body=body, people=recipients(session, rule, facts), now=now,
                      ticket=ticket, rules=rules)

    # A ticket seen late (the notifier was stopped, or the demo wrote its history at once) is
    # told only its present step: a step that a later one overtook (待核查 of a ticket since
    # closed) asks nobody to act, and would sit unread in their inbox.
    for event in [e for e in events if e.kind in _MOVES][-1:]:
        rule = _EVENT_RULES.get(event.kind)
        if rule is not None:
            tell(rule, event.seq, event.note)

    level, next_at = ticket.ladder_level, None
    clock = _clock(ticket) if ticket.state == TicketState.open.value else None
    if clock is not None:
        times = ladder_times(clock, rules)
        reached, next_at = ladder_step(times, max(level, 0), now)
        if level < 0:  # open at the upgrade: its past steps were known without us
            level = reached
        elif reached > level:
            tell(LADDER[reached - 1], reached)
            level = reached
            changes["ladder_at"] = now
    elif level < 0:
        level = 0
    changes["notify_at"] = next_at
    if level != ticket.ladder_level:
        changes["ladder_level"] = level
        if level > 0 and ticket.ladder_level >= 0:  # phones show the ladder: pull it again
            changes["version"] = Ticket.version + 1
            changes["change_seq"] = change_seq(session)
    session.execute(update(Ticket).where(Ticket.id == ticket.id).values(**changes))


# ------------------------------------------------------------------ the morning digest


def digest(session: Session, now: datetime, today: date) -> int:
    """What is overdue in each supervisor's scope, by compound and company; once a day."""
    from backend.auth.scope import scope_for
    from backend.findings.views import ticket_filter

    rules = rules_in_force(session)
    told = 0
    for user in session.scalars(select(User).where(User.role == Role.supervisor,
                                                   User.is_active.is_(True))):
        scope = scope_for(session, user)
        rows = session.execute(
            select(Compound.name, Company.name, func.count())
            .select_from(Ticket).join(Compound, Compound.id == Ticket.compound_id)
            .outerjoin(Company, Company.id == Ticket.company_id)
            .where(ticket_filter(scope, user), overdue_clause(now))
            .group_by(Compound.name, Company.name).order_by(func.count().desc(), Compound.name)).all()
        if not rows:
            continue
        total = sum(r[2] for r in rows)
        title = f"逾期汇总（{today:%m月%d日}）：{total} 件工单逾期未办结"
        lines = [title] + [f"{compound}（{company or '无物业'}）：{n} 件" for compound, company, n in rows[:30]]
        if len(rows) > 30:
            lines.append(f"另有 {len(rows) - 30} 个小区，详见应用中的逾期看板")
        person = _people(session, User.id == user.id)
        told += write_message(session, key=f"digest:{today.isoformat()}:{user.id}", rule=Rule.digest,
                              title=title, body="\n".join(lines), people=person, now=now, rules=rules)
    return told


# ------------------------------------------------------------------ the inbox


def inbox(session: Session, user_id: uuid.UUID, *, limit: int = 50) -> dict:
    rows = list(session.scalars(select(Notification).where(Notification.recipient_id == user_id)
                                .order_by(Notification.created_at.desc(), Notification.id.desc())
                                .limit(limit)))
    unread = session.execute(select(func.count()).select_from(Notification).where(
        Notification.recipient_id == user_id, Notification.read_at.is_(None))).scalar_one()
    return {"unread": unread, "items": rows}


def inbox_version(session: Session, user_id: uuid.UUID) -> str:
    """Changes when a message arrives or is read: the pull sends the inbox only then."""
    total, unread, latest = session.execute(
        select(func.count(), func.count().filter(Notification.read_at.is_(None)),
               func.max(Notification.created_at))
        .where(Notification.recipient_id == user_id)).one()
    return f"{total}.{unread}.{latest.isoformat() if latest else ''}"


def mark_read(session: Session, user_id: uuid.UUID, *, ticket_id: uuid.UUID | None = None,
              ids: list[uuid.UUID] | None = None, every: bool = False, now: datetime) -> int:
    """Read: a ticket's messages once the ticket is opened, some by id, or all."""
    where = [Notification.recipient_id == user_id, Notification.read_at.is_(None)]
    if ticket_id is not None:
        where.append(Notification.ticket_id == ticket_id)
    elif ids:
        where.append(Notification.id.in_(ids))
    elif not every:
        return 0
    return session.execute(update(Notification).where(*where).values(read_at=now)).rowcount
