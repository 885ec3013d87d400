"""The overdue dashboard: counts of overdue tickets, drilled street → community → compound.

Each request counts one level only (the children of the selection) and the selection's top
companies, so that a district of 10,000 compounds answers in a few grouped index scans
instead of counting every compound and company at once (tests/bench/bench_desk.py). The
counts are the overdue rule's (`overdue_clause`, work time), over the tickets the caller may
see (`ticket_filter`) and the worklist's own filters (`narrowing`): a count opens as the same
list in the worklist.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from backend.auth.models import User
from backend.auth.scope import Scope
from backend.findings.models import UP_THE_LADDER, Ticket
from backend.findings.overdue import OPEN_LITERAL, overdue_clause
from backend.findings.schemas import ChosenPlace, LadderBoard, OverdueBoard, OverdueCount, TicketNarrowing
from backend.findings.views import narrowing, ticket_filter
from backend.organisation.models import Company, Compound, OrgUnit

TOP_COMPANIES = 20
NO_COMPANY = "无物业"
NO_COMMUNITY = "未分社区"


def overdue_board(session: Session, user: User, scope: Scope, query: TicketNarrowing, *,
                  now: datetime) -> OverdueBoard:
    """The selection's overdue and open totals, the overdue counts one level down, and its
    companies with the most overdue tickets."""
    seen = [ticket_filter(scope, user), *narrowing(session, query)]
    overdue = [*seen, overdue_clause(now)]
    level, rows = _next_level(session, query, overdue)
    total = sum(r.overdue for r in rows) if level else _count(session, overdue)
    companies = session.exec(select(Ticket.company_id, func.count()).where(*overdue)
                             .group_by(Ticket.company_id).order_by(func.count().desc())).all()
    return OverdueBoard(
        total=total, open=_count(session, [*seen, OPEN_LITERAL]), level=level, rows=rows,
        by_company=_named(session, Company, companies[:TOP_COMPANIES], NO_COMPANY),
        companies=sum(1 for key, _ in companies if key is not None),  # 无物业 is no company
        path=_path(session, scope, query))


def ladder_board(session: Session, user: User, scope: Scope, query: TicketNarrowing) -> LadderBoard:
    """The selection's open tickets up the 催办 → 督办 ladder (backend/notifications), by step:
    beside the overdue board, from the ladder's own partial index (its condition written as the
    index's: a bound parameter would keep SQLite from proving the index holds the rows)."""
    seen = [ticket_filter(scope, user), *narrowing(session, query)]
    steps = dict(session.exec(select(Ticket.ladder_level, func.count()).where(*seen, UP_THE_LADDER)
                              .group_by(Ticket.ladder_level)).all())
    return LadderBoard(urged=steps.get(2, 0), yellow=steps.get(3, 0), red=steps.get(4, 0))


def _next_level(session: Session, query: TicketNarrowing, overdue: list
                ) -> tuple[str | None, list[OverdueCount]]:
    if query.compound_id is not None:
        return None, []
    if query.community_id is not None:
        column, model, level = Ticket.compound_id, Compound, "compound"
    elif query.street_id is not None:
        # a ticket carries its street, not its community: the compound has it
        column, model, level = Compound.community_id, OrgUnit, "community"
    else:
        column, model, level = Ticket.street_id, OrgUnit, "street"
    statement = select(column, func.count()).select_from(Ticket)
    if level == "community":
        statement = statement.join(Compound, Compound.id == Ticket.compound_id)
    counts = session.exec(statement.where(*overdue).group_by(column)
                          .order_by(func.count().desc())).all()
    return level, _named(session, model, counts, NO_COMMUNITY)


def _named(session: Session, model: type, counts: list, missing: str) -> list[OverdueCount]:
    """(id, count) rows with their names, read in one statement."""
    ids = [key for key, _ in counts if key is not None]
    names = dict(session.exec(select(model.id, model.name).where(model.id.in_(ids))).all()) \
        if ids else {}
    return [OverdueCount(id=key, name=names.get(key, missing) if key else missing, overdue=n)
            for key, n in counts]


def _count(session: Session, where: list) -> int:
    return session.exec(select(func.count()).select_from(Ticket).where(*where)).one()


def _path(session: Session, scope: Scope, query: TicketNarrowing) -> list[ChosenPlace]:
    """The chosen places, widest first, with their names: only those the caller may see (an
    unknown or foreign id is left out; its counts are empty, as for any filter that matches
    nothing)."""
    places = (("street_id", OrgUnit, scope.unit_filter()),
              ("community_id", OrgUnit, scope.unit_filter()),
              ("compound_id", Compound, scope.compound_filter()),
              ("company_id", Company, scope.company_filter()))
    path = []
    for key, model, visible in places:
        chosen: uuid.UUID | None = getattr(query, key)
        if chosen is None:
            continue
        name = session.exec(select(model.name).where(model.id == chosen, visible)).first()
        if name is not None:
            path.append(ChosenPlace(key=key, id=chosen, name=name))
    return path
