"""The roll-up's SQL: what happened in a period, aggregated per compound in the database.

Nothing here loops over findings in Python: each function is one GROUP BY over the ticket
table (a ticket carries its finding's compound, catalog code, source and observed month), and
the results are small (one row per compound, or per compound and catalog code). The pure
scoring engine then applies the rubric rules to these aggregates (rollup.py).

Overdue, as of the report's `as_of` instant (seed 002 §四(一): 未按要求及时整改到位的双倍扣分),
mirrors backend.findings.tickets.is_overdue: closed on a late rectification; or still open, or
rectified late and awaiting verification, past the due time; never when cancelled or without a
deadline.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.sql import ColumnElement, Select
from sqlmodel import Session

from backend.findings.models import Finding, Ticket, TicketState
from backend.inspections.models import Inspection
from backend.organisation.models import Compound
from backend.reports.models import DemonstrationProject
from backend.reports.periods import Period


def overdue_expr(as_of: datetime) -> ColumnElement[int]:
    late_rectification = and_(Ticket.rectified_at.is_not(None), Ticket.rectified_at > Ticket.due_at)
    return case(
        (or_(Ticket.due_at.is_(None), Ticket.state == TicketState.cancelled), literal(0)),
        (Ticket.state == TicketState.closed, case((late_rectification, literal(1)), else_=literal(0))),
        (and_(Ticket.state == TicketState.rectified, Ticket.rectified_at <= Ticket.due_at), literal(0)),
        (Ticket.due_at < as_of, literal(1)),
        else_=literal(0))


def in_period(period: Period, timezone: str) -> list[ColumnElement[bool]]:
    """Tickets whose finding was observed in the period: by the stored month column, plus the
    exact instants when the period does not cover whole months."""
    where: list[ColumnElement[bool]] = [Ticket.month.in_(period.months)]
    if not period.whole_months:
        start, end = period.bounds(timezone)
        where.append(Ticket.id.in_(select(Finding.id).where(Finding.observed_at >= start,
                                                          Finding.observed_at < end)))
    return where


@dataclass
class CompoundFacts:
    """Everything the roll-up knows about one compound for the period."""

    findings: dict[str, dict[str, int]] = field(default_factory=dict)  # code → on_time/overdue
    cases: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    inspections: dict[str, dict] = field(default_factory=dict)  # rubric id → latest submitted
    demonstrations: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def finding_counts(session: Session, compounds: Select, period: Period, as_of: datetime,
                   sources: tuple[str, ...], timezone: str) -> dict[uuid.UUID, dict[str, dict[str, int]]]:
    """Seed 002 §四(一) 1: problems found by inspections, per compound and catalog code."""
    overdue = func.sum(overdue_expr(as_of))
    rows = session.execute(
        select(Ticket.compound_id, Ticket.catalog_code, func.count(), overdue)
        .where(*in_period(period, timezone), Ticket.compound_id.in_(compounds),
               Ticket.source.in_(sources), Ticket.state != TicketState.cancelled,
               Ticket.catalog_code.is_not(None))
        .group_by(Ticket.compound_id, Ticket.catalog_code))
    out: dict[uuid.UUID, dict[str, dict[str, int]]] = defaultdict(dict)
    for compound_id, code, total, late in rows:
        out[compound_id][code] = {"on_time": int(total) - int(late or 0), "overdue": int(late or 0)}
    return out


def case_counts(session: Session, compounds: Select, period: Period, as_of: datetime,
                timezone: str, key=lambda column: column) -> dict[uuid.UUID, dict[str, int]]:  # noqa: ANN001
    """Seed 002 §四(一) 2–6: hotline cases (案卷), per compound.

    - overtime 超时: a case not disposed of within its deadline;
    - shirking 推诿 and callback_failed 核查不符: flags a supervisor sets on the case;
    - repeated 反复性: the same problem (compound, catalog type, building) reported three times in
      a month, where a report made while an earlier report of it is still within its deadline
      counts as one (in_deadline reports are folded by comparing with the previous report's due
      time, a window function);
    - key_problem 重点问题: the same problem reported more than three times in a month.
    Each counts 2 points per case (rubric L item 2); a repeated or key problem counts once.
    """
    problem = (Ticket.compound_id, Ticket.catalog_code, Finding.building, Ticket.month)
    previous_due = func.lag(Ticket.due_at).over(partition_by=problem, order_by=Finding.observed_at)
    reports = (select(*problem, Finding.observed_at, previous_due.label("previous_due"),
                      overdue_expr(as_of).label("overdue"),
                      Finding.case_shirking, Finding.case_callback_failed)
               .join(Finding, Finding.id == Ticket.id)
               .where(*in_period(period, timezone), Ticket.compound_id.in_(compounds),
                      Ticket.source == "hotline", Ticket.state != TicketState.cancelled)
               .subquery())
    new_report = case((or_(reports.c.previous_due.is_(None),
                           reports.c.observed_at > reports.c.previous_due), literal(1)),
                      else_=literal(0))
    as_int = lambda flag: case((flag, literal(1)), else_=literal(0))  # noqa: E731
    problems = (select(reports.c.compound_id, func.count().label("raw"),
                       func.sum(new_report).label("distinct"),
                       func.sum(reports.c.overdue).label("overtime"),
                       func.sum(as_int(reports.c.case_shirking)).label("shirking"),
                       func.sum(as_int(reports.c.case_callback_failed)).label("callback_failed"))
                .group_by(reports.c.compound_id, reports.c.catalog_code, reports.c.building,
                          reports.c.month).subquery())
    rows = session.execute(select(
        key(problems.c.compound_id), func.sum(problems.c.overtime), func.sum(problems.c.shirking),
        func.sum(problems.c.callback_failed),
        func.sum(case((problems.c.distinct >= 3, literal(1)), else_=literal(0))),
        func.sum(case((problems.c.raw > 3, literal(1)), else_=literal(0))))
        .group_by(problems.c.compound_id))
    out: dict[uuid.UUID, dict[str, int]] = {}
    for compound_id, overtime, shirking, callback, repeated, key in rows:
        counts = {"overtime": overtime, "shirking": shirking, "callback_failed": callback,
                  "repeated": repeated, "key_problem": key}
        out[compound_id] = {k: int(v or 0) for k, v in counts.items() if v}
    return out


def latest_inspections(session: Session, compounds: Select, period: Period,
                       rubric_ids: tuple[str, ...]) -> dict[uuid.UUID, dict[str, Inspection]]:
    """The latest submitted inspection per compound and rubric assessing the period."""
    rows = session.execute(
        select(Inspection).where(Inspection.compound_id.in_(compounds),
                                 Inspection.rubric_id.in_(rubric_ids),
                                 inspection_in_period(period))
        .order_by(Inspection.submitted_at)).scalars()
    out: dict[uuid.UUID, dict[str, Inspection]] = defaultdict(dict)
    for inspection in rows:
        out[inspection.compound_id][inspection.rubric_id] = inspection  # later ones win
    return out


def inspection_in_period(period: Period) -> ColumnElement[bool]:
    """Submitted, and assessing the period: its declared assessment period lies inside it, or,
    when it declares none, it was started in one of the period's months."""
    declared = and_(Inspection.period_start.is_not(None), Inspection.period_start >= period.start,
                    Inspection.period_end <= period.end)
    undeclared = and_(Inspection.period_start.is_(None), Inspection.month.in_(period.months))
    return and_(Inspection.submitted_at.is_not(None), or_(declared, undeclared))


def demonstrations(session: Session, compounds: Select, period: Period,
                   key=lambda column: column) -> dict[uuid.UUID, dict[str, int]]:  # noqa: ANN001
    rows = session.execute(
        select(key(DemonstrationProject.compound_id), DemonstrationProject.level, func.count())
        .where(DemonstrationProject.compound_id.in_(compounds),
               DemonstrationProject.completed_on >= period.start,
               DemonstrationProject.completed_on <= period.end)
        .group_by(DemonstrationProject.compound_id, DemonstrationProject.level))
    out: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
    for compound_id, level, count in rows:
        out[compound_id][level] = int(count)
    return out


def recurrent_problems(session: Session, compounds: Select, period: Period) -> list[dict]:
    """The same catalog type at the same compound (and building) in consecutive months, the
    later month inside the period: problems rectification did not really fix.

    Counted from the finding table in the order of ix_finding_month_compound (a finding and its
    ticket share id, compound, code and month), less the cancelled tickets among them (few; the
    only rows that need the ticket). Each month's problems are grouped once (a CTE) and joined
    with the previous month's."""
    months = period.months
    first = months[0]
    before = first - 89 if first % 100 == 1 else first - 1
    wanted = [before, *months]
    problem = (Finding.compound_id, Finding.catalog_code, Finding.building, Finding.month)
    found = (select(*problem, func.count().label("n"))
             .where(Finding.month.in_(wanted), Finding.compound_id.in_(compounds),
                    Finding.catalog_code.is_not(None))
             .group_by(Finding.month, Finding.compound_id, Finding.catalog_code, Finding.building)
             .subquery("found"))
    cancelled = (select(*problem, func.count().label("n"))
                 .join(Ticket, Ticket.id == Finding.id)
                 .where(Ticket.month.in_(wanted), Ticket.compound_id.in_(compounds),
                        Ticket.state == TicketState.cancelled, Finding.catalog_code.is_not(None))
                 .group_by(*problem).subquery("cancelled"))
    remaining = found.c.n - func.coalesce(cancelled.c.n, 0)
    keyed = (select(found.c.compound_id, found.c.catalog_code, found.c.building, found.c.month,
                    remaining.label("n"))
             .select_from(found.outerjoin(cancelled, and_(
                 cancelled.c.month == found.c.month,
                 cancelled.c.compound_id == found.c.compound_id,
                 cancelled.c.catalog_code == found.c.catalog_code,
                 cancelled.c.building.is_not_distinct_from(found.c.building))))
             .where(remaining > 0)
             .cte("keyed"))
    later, earlier = keyed.alias("later"), keyed.alias("earlier")
    previous_month = case(((later.c.month % 100) == 1, later.c.month - 89), else_=later.c.month - 1)
    rows = session.execute(
        select(later.c.compound_id, later.c.catalog_code, later.c.building, later.c.month,
               later.c.n, earlier.c.n)
        .join(earlier, and_(earlier.c.month == previous_month,
                            earlier.c.compound_id == later.c.compound_id,
                            earlier.c.catalog_code == later.c.catalog_code,
                            earlier.c.building.is_not_distinct_from(later.c.building)))
        .where(later.c.month.in_(months))
        .order_by(later.c.compound_id, later.c.catalog_code, later.c.month, later.c.building))
    return [{"compound_id": str(c), "catalog_code": code, "building": building, "month": month,
             "count": int(n), "previous_month_count": int(prev)}
            for c, code, building, month, n, prev in rows]


def compounds_under(unit_level: str, unit_id: uuid.UUID) -> ColumnElement[bool]:
    column = {"district": Compound.district_id, "street": Compound.street_id,
              "town": Compound.street_id, "community": Compound.community_id}[unit_level]
    return column == unit_id

