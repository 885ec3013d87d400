"""Read models of tickets and findings for the screens: built in a few batched queries."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, text
from sqlmodel import Session, select

from backend.auth.models import User
from backend.auth.scope import Scope
from backend.dbtypes import as_local
from backend.findings import deadlines
from backend.findings.models import EventPublic, Finding, PhotoRef, Ticket, TicketEvent, \
    TicketPublic, TicketState
from backend.findings.tickets import is_overdue
from backend.organisation.models import Compound
from backend.worktime.engine import work_seconds

OPEN_STATES = (TicketState.open, TicketState.rectified)
# The predicate of the partial indexes ix_ticket_open_street_due / ix_ticket_open_company_due.
OPEN_LITERAL = text("ticket.state IN ('open', 'rectified')")


FINDING_COLUMNS = (Finding.id, Finding.description, Finding.building, Finding.location_text,
                   Finding.latitude, Finding.longitude, Finding.source, Finding.case_no,
                   Finding.observed_at, Finding.reporter_id, Finding.clock_skew_seconds,
                   Finding.photos_held, Finding.photos_declared)
PHOTO_COLUMNS = (PhotoRef.finding_id, PhotoRef.owner_id, PhotoRef.kind, PhotoRef.sha256,
                 PhotoRef.received_at)


def _work_seconds_left(ticket: Ticket, now: datetime) -> int | None:
    if ticket.due_at is None or ticket.state not in OPEN_STATES:
        return None
    config = deadlines.worktime()
    schedule = config.schedules.get(ticket.schedule_key or config.default,
                                    config.schedules[config.default])
    if now <= ticket.due_at:
        return work_seconds(now, ticket.due_at, schedule=schedule, calendar=config.calendar)
    return -work_seconds(ticket.due_at, now, schedule=schedule, calendar=config.calendar)


def tickets_public(session: Session, tickets: list[Ticket], now: datetime, *,
                   with_events: bool = True) -> list[TicketPublic]:
    if not tickets:
        return []
    ids = [t.id for t in tickets]
    # Only the columns the read model shows, as rows (no ORM identity map, no unused columns),
    # with the compound's name joined in (a statement less per page).
    findings, names = {}, {}
    for f in session.execute(select(*FINDING_COLUMNS, Compound.id.label("compound_id"),
                                    Compound.name.label("compound_name"))
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


def ticket_public(t: Ticket, f: Finding | None, compound_name: str | None, t_refs: list[PhotoRef],
                  t_events: list[TicketEvent], actor_names: dict[uuid.UUID, str],
                  now: datetime) -> TicketPublic:
    """One ticket's read model from rows already loaded (refs ordered by position)."""
    entry = deadlines.catalog_entry(t.catalog_code) if t.catalog_code else None
    return TicketPublic(
        id=t.id, compound_id=t.compound_id, compound_name=compound_name,
        street_id=t.street_id, company_id=t.company_id, catalog_code=t.catalog_code,
        catalog_name=entry.name if entry else None, state=t.state,
        dispatched_at=as_local(t.dispatched_at), deadline_amount=t.deadline_amount,
        deadline_unit=t.deadline_unit, due_at=as_local(t.due_at), due_provisional=t.due_provisional,
        rectified_at=as_local(t.rectified_at), closed_at=as_local(t.closed_at),
        overdue=is_overdue(TicketState(t.state), t.due_at, t.rectified_at, now),
        work_seconds_left=_work_seconds_left(t, now), version=t.version,
        finding={} if f is None else {
            "description": f.description, "building": f.building,
            "location_text": f.location_text, "latitude": f.latitude,
            "longitude": f.longitude, "source": f.source, "case_no": f.case_no,
            "observed_at": as_local(f.observed_at).isoformat(), "reporter_id": str(f.reporter_id),
            "clock_skew_seconds": f.clock_skew_seconds,
            "before_photos": [r.sha256 for r in t_refs if r.kind == "before"],
            "complete": f.photos_held == f.photos_declared},
        events=[EventPublic(
            id=e.id, seq=e.seq, kind=e.kind, actor_id=e.actor_id,
            actor_name=actor_names.get(e.actor_id), at=as_local(e.at),
            received_at=as_local(e.received_at),
            from_state=e.from_state, to_state=e.to_state, note=e.note, detail=e.detail,
            photos=[r.sha256 for r in t_refs if r.owner_id == e.id]) for e in t_events],
        photos_missing=[r.sha256 for r in t_refs if r.received_at is None])


def ticket_filter(scope: Scope, user: User) -> ColumnElement[bool]:
    """Tickets the caller may see: their scope; a manager only their own company's.

    A ticket carries its compound's district and street (copied at dispatch; a compound never
    changes street or district, CompoundUpdate has no such field), so a scope of districts and
    streets filters the ticket's own columns, which the dashboard indexes cover, instead of a
    sub-select of every compound in scope. Other scopes (communities, grids, a company's
    compounds) go through the compounds."""
    only_areas = not (scope.is_global or scope.community_ids or scope.grid_ids
                      or scope.company_id is not None) and (scope.district_ids or scope.street_ids)
    if only_areas:
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


def overdue_clause(now: datetime) -> ColumnElement[bool]:
    """SQL twin of tickets.is_overdue for open tickets (used by the dashboard lists).

    The state test is written out literally as well, so that the planner can use the partial
    indexes `WHERE state IN ('open', 'rectified')` (a bound parameter cannot prove it)."""
    return and_(OPEN_LITERAL, Ticket.due_at.is_not(None), Ticket.due_at < now,
                or_(Ticket.state == TicketState.open,
                    and_(Ticket.state == TicketState.rectified, Ticket.rectified_at > Ticket.due_at)))
