"""Read models of tickets: what the lists, the ticket screen and the pull show, and who may see
which. The finding's columns read are derived from `FindingPublic` (schemas.py)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import ColumnElement, and_, func, or_, union_all
from sqlmodel import Session, select

from backend.auth.models import User
from backend.auth.scope import Scope
from backend.dbtypes import as_local
from backend.findings import deadlines
from backend.findings.models import Finding, PhotoRef, Ticket, TicketEvent
from backend.findings.overdue import OPEN_LITERAL, OPEN_STATES, is_overdue, overdue_clause
from backend.config import get_settings
from backend.findings.schemas import EventPublic, FindingPublic, TicketNarrowing, TicketPublic, TicketQuery
from backend.organisation.models import Compound, OrgUnit, UnitLevel
from backend.worktime.engine import work_seconds

# The finding's columns a screen reads: FindingPublic's fields that are columns, and the
# photo counts its `complete` comes from.
_FINDING_FIELDS = tuple(name for name in FindingPublic.model_fields
                        if name in Finding.__table__.columns)
FINDING_COLUMNS = (Finding.id, *(getattr(Finding, name) for name in _FINDING_FIELDS),
                   Finding.photos_held, Finding.photos_declared)
# pydantic's own validator, without SQLModel's wrapper around model_validate (a fifth of it)
_FINDING_PUBLIC = TypeAdapter(FindingPublic)
PHOTO_COLUMNS = (PhotoRef.finding_id, PhotoRef.owner_id, PhotoRef.kind, PhotoRef.sha256,
                 PhotoRef.received_at)


def _work_seconds_left(ticket: Any, now: datetime) -> int | None:
    if ticket.due_at is None or ticket.state not in OPEN_STATES:
        return None
    config = deadlines.worktime()
    schedule = config.schedules.get(ticket.schedule_key or config.default,
                                    config.schedules[config.default])
    if now <= ticket.due_at:
        return work_seconds(now, ticket.due_at, schedule=schedule, calendar=config.calendar)
    return -work_seconds(ticket.due_at, now, schedule=schedule, calendar=config.calendar)


def tickets_public(session: Session, tickets: list[Any], now: datetime, *,
                   with_events: bool = True) -> list[TicketPublic]:
    """The read model of tickets (ORM rows or plain rows with the ticket's attributes)."""
    if not tickets:
        return []
    ids = [t.id for t in tickets]
    # Only the columns the read model shows, as rows (no ORM identity map, no unused columns),
    # with the compound's name joined in (a statement less per page).
    findings, names = {}, {}
    for f in session.execute(select(*FINDING_COLUMNS, Compound.name.label("compound_name"))
                             .join(Compound, Compound.id == Finding.compound_id)
                             .where(Finding.id.in_(ids))):
        findings[f.id] = f
        names[f.compound_id] = f.compound_name
    refs: dict[uuid.UUID, list] = defaultdict(list)
    for ref in session.execute(select(*PHOTO_COLUMNS).where(PhotoRef.finding_id.in_(ids))
                               .order_by(PhotoRef.position)):
        refs[ref.finding_id].append(ref)
    events: dict[uuid.UUID, list[TicketEvent]] = defaultdict(list)
    actor_names: dict[uuid.UUID, str] = {}
    if with_events:
        for event in session.exec(select(TicketEvent).where(TicketEvent.ticket_id.in_(ids))
                                  .order_by(TicketEvent.ticket_id, TicketEvent.seq)):
            events[event.ticket_id].append(event)
        actor_ids = {e.actor_id for evs in events.values() for e in evs if e.actor_id}
        if actor_ids:
            actor_names = dict(session.exec(select(User.id, User.display_name)
                                            .where(User.id.in_(actor_ids))).all())
    return [ticket_public(t, findings.get(t.id), names.get(t.compound_id), refs[t.id],
                          events[t.id], actor_names, now) for t in tickets]


def ticket_public(t: Any, f: Any, compound_name: str | None, t_refs: list[Any],
                  t_events: list[Any], actor_names: dict[uuid.UUID, str],
                  now: datetime) -> TicketPublic:
    """One ticket's read model from rows already loaded (refs ordered by position). Reads
    attributes only: ORM rows, result rows or plain namespaces."""
    entry = deadlines.catalog_entry(t.catalog_code) if t.catalog_code else None
    finding = None
    if f is not None:
        local = {k: as_local(getattr(f, k)) for k in ("observed_at", "client_observed_at",
                                                       "received_at")}
        finding = _FINDING_PUBLIC.validate_python(
            {**{k: getattr(f, k) for k in _FINDING_FIELDS}, **local,
             "before_photos": [r.sha256 for r in t_refs if r.kind == "before"],
             "complete": f.photos_held == f.photos_declared})
    return TicketPublic(
        id=t.id, compound_id=t.compound_id, compound_name=compound_name,
        street_id=t.street_id, company_id=t.company_id, catalog_code=t.catalog_code,
        catalog_name=entry.name if entry else None, source=t.source, state=t.state,
        dispatched_at=as_local(t.dispatched_at), deadline_amount=t.deadline_amount,
        deadline_unit=t.deadline_unit, due_at=as_local(t.due_at), due_provisional=t.due_provisional,
        rectified_at=as_local(t.rectified_at), closed_at=as_local(t.closed_at),
        overdue=is_overdue(t.state, t.due_at, t.rectified_at, now),
        work_seconds_left=_work_seconds_left(t, now), version=t.version,
        ladder_level=max(t.ladder_level, 0), ladder_at=as_local(t.ladder_at),
        finding=finding,
        events=[EventPublic(
            id=e.id, seq=e.seq, kind=e.kind, actor_id=e.actor_id,
            actor_name=actor_names.get(e.actor_id), at=as_local(e.at),
            client_at=as_local(e.client_at), received_at=as_local(e.received_at),
            time_flag=e.time_flag, from_state=e.from_state, to_state=e.to_state, note=e.note,
            detail=e.detail, photos=[r.sha256 for r in t_refs if r.owner_id == e.id])
            for e in t_events],
        photos_missing=[r.sha256 for r in t_refs if r.received_at is None])


def ticket_filter(scope: Scope, user: User) -> ColumnElement[bool]:
    """Tickets the caller may see: their scope; a manager only their own company's.

    A ticket carries its compound's district and street (copied at dispatch; a compound never
    changes street or district, CompoundUpdate has no such field), so a scope of districts and
    streets filters the ticket's own columns, which the dashboard indexes cover, instead of a
    sub-select of every compound in scope. Other scopes (communities, grids, a company's
    compounds) go through the compounds."""
    if scope.areas_only:
        areas = []
        if scope.district_ids:
            areas.append(Ticket.district_id.in_(sorted(scope.district_ids)))
        if scope.street_ids:
            areas.append(Ticket.street_id.in_(sorted(scope.street_ids)))
        clause = or_(*areas)
    else:
        clause = Ticket.compound_id.in_(scope.compound_ids())
    if user.role == "property_manager":
        clause = and_(clause, Ticket.company_id == user.company_id)
    return clause


# ------------------------------------------------------------------ lists


def list_findings(session: Session, user: User, scope: Scope, *, limit: int, offset: int,
                  now: datetime, mine: bool, compound_id: uuid.UUID | None
                  ) -> tuple[list[TicketPublic], int]:
    """Recent findings (newest first) with their tickets: by default the caller's own."""
    where = [ticket_filter(scope, user)]
    if mine:
        where.append(Finding.reporter_id == user.id)
    if compound_id:
        where.append(Ticket.compound_id == compound_id)
    query = select(Ticket).join(Finding, Finding.id == Ticket.id).where(*where)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(Finding.received_at.desc(), Ticket.id)
                        .limit(limit).offset(offset)).all()
    return tickets_public(session, rows, now, with_events=False), total


def _by_due_time(session: Session, where: list, dated: int, undated: int, limit: int,
                 offset: int, streets: list[uuid.UUID] | None = None) -> list[Ticket]:
    """A page of tickets by due time, those without one (no deadline) last, read in index
    order rather than by sorting every ticket listed (`due_at IS NULL` first would need a sort
    no index serves). `dated`, `undated`: how many of the listed tickets have a due time, and
    how many have none (no query for a part that is empty).

    `streets`: the streets of the districts listed. An open ticket's due-time index is by street
    (or company): each street's first `offset + limit` are read in order and merged, a few
    short range reads instead of a second index that every new ticket would pay for."""
    rows: list[Ticket] = []
    if offset < dated:
        dated_where = [*where, Ticket.due_at.is_not(None)]
        if streets:
            # each street's first `offset + limit` from its index, merged and cut by the database
            ranges = [select(Ticket.due_at, Ticket.id).where(*dated_where, Ticket.street_id == s)
                      .order_by(Ticket.due_at, Ticket.id).limit(offset + limit).subquery()
                      for s in streets]
            keys = union_all(*(select(r.c.due_at, r.c.id) for r in ranges)).subquery()
            page = session.exec(select(keys.c.id).order_by(keys.c.due_at, keys.c.id)
                                .limit(limit).offset(offset)).all()
        else:
            page = session.exec(select(Ticket.id).where(*dated_where)
                                .order_by(Ticket.due_at, Ticket.id).limit(limit).offset(offset)).all()
        # the page's keys came first (an index that covers the filters answers them alone);
        # now only the page's rows
        found = {t.id: t for t in session.exec(select(Ticket).where(Ticket.id.in_(page)))}
        rows = [found[i] for i in page]
    if len(rows) < limit and undated:
        rows += session.exec(select(Ticket).where(*where, Ticket.due_at.is_(None))
                             .order_by(Ticket.id).limit(limit - len(rows))
                             .offset(max(0, offset - dated))).all()
    return rows


def _district_streets(session: Session, scope: Scope, user: User) -> list[uuid.UUID] | None:
    """The streets of a scope that is districts only (a district supervisor's), else None."""
    if user.role == "property_manager" or not scope.areas_only or scope.street_ids:
        return None
    return list(session.exec(select(OrgUnit.id).where(
        OrgUnit.district_id.in_(sorted(scope.district_ids)),
        OrgUnit.level.in_((UnitLevel.street, UnitLevel.town)))).all())


def narrowing(session: Session, query: TicketNarrowing) -> list[ColumnElement[bool]]:
    """The worklist's filters as conditions on the ticket (and, for text, on its finding)."""
    where: list[ColumnElement[bool]] = []
    for column, value in ((Ticket.street_id, query.street_id), (Ticket.company_id, query.company_id),
                          (Ticket.compound_id, query.compound_id),
                          (Ticket.catalog_code, query.catalog_code), (Ticket.source, query.source)):
        if value is not None:
            where.append(column == value)
    if query.community_id is not None:
        where.append(Ticket.compound_id.in_(
            select(Compound.id).where(Compound.community_id == query.community_id)))
    zone = ZoneInfo(get_settings().timezone)
    if query.dispatched_from is not None:
        where.append(Ticket.dispatched_at >= datetime.combine(query.dispatched_from, time(), zone))
    if query.dispatched_to is not None:
        where.append(Ticket.dispatched_at < datetime.combine(
            query.dispatched_to + timedelta(days=1), time(), zone))
    text = (query.q or "").strip()
    if text:
        where.append(_text_search(session, text))
    return where


def _text_search(session: Session, text: str) -> ColumnElement[bool]:
    """A case number finds its case (ix_finding_case_no); other text, the descriptions that
    contain it. Asked in that order so that a case number is one index probe, not a read of
    every description in scope (tests/bench/bench_desk.py)."""
    cases = session.exec(select(Finding.id).where(Finding.case_no == text).limit(100)).all()
    if cases:
        return Ticket.id.in_(cases)
    like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    # correlated: each ticket already in scope looks up its own finding (by key), instead
    # of a search through every finding in the database
    return select(Finding.id).where(Finding.id == Ticket.id,
                                    Finding.description.like(like, escape="\\")).exists()


def list_tickets(session: Session, user: User, scope: Scope, query: TicketQuery, *, limit: int,
                 offset: int, now: datetime) -> tuple[list[TicketPublic], int]:
    """Tickets in scope by due time, filtered (a worklist): a manager's open tickets, a
    supervisor's overdue list, a street's hotline cases of last week…"""
    where = [ticket_filter(scope, user), *narrowing(session, query)]
    if query.state == "open":
        where.append(OPEN_LITERAL)  # literal: the partial indexes by due time serve it
    elif query.state in ("closed", "cancelled"):
        where.append(Ticket.state == query.state)
    if query.overdue:
        where.append(overdue_clause(now))
    streets = _district_streets(session, scope, user) \
        if query.state == "open" and not query.narrowed else None

    def counts(extra: list) -> tuple[int, int]:
        return session.exec(select(func.count(), func.count(Ticket.due_at))
                            .select_from(Ticket).where(*where, *extra)).one()

    # by street too: each count is a range of a street's index (an overdue page's, a short one)
    total, dated = map(sum, zip(*(counts([Ticket.street_id == s]) for s in streets))) \
        if streets else counts([])
    rows = _by_due_time(session, where, dated, total - dated, limit, offset, streets)
    return tickets_public(session, list(rows), now, with_events=False), total
