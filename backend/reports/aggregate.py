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

from sqlalchemy import and_, case, func, literal, or_, select, text
from sqlalchemy.sql import ColumnElement, Select
from sqlmodel import Session

from backend.findings.models import Finding, Ticket, TicketState
from backend.inspections.models import Inspection
from backend.organisation.models import Compound
from backend.reports.models import DemonstrationProject
from backend.reports.periods import Period


# The predicate of the partial index ix_ticket_cancelled_month, written literally so that the
# planner can use it (a bound parameter cannot prove it).
CANCELLED_LITERAL = text("ticket.state = 'cancelled'")


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


def case_counts(session: Session, compounds: Select | None, period: Period, as_of: datetime,
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
    rows = session.execute(case_query(compounds, in_period(period, timezone), as_of, key))
    return {compound_id: counts for compound_id, counts in _case_rows(rows)}


def case_counts_by_month(session: Session, compounds: Select | None, months: list[int],
                         as_of: datetime, key=lambda column: column  # noqa: ANN001
                         ) -> dict[int, dict[uuid.UUID, dict[str, int]]]:
    """`case_counts` of each whole month of `months`, in one statement: {month: {compound: …}}."""
    out: dict[int, dict] = defaultdict(dict)
    rows = session.execute(case_query(compounds, [Ticket.month.in_(months)], as_of, key,
                                      by_month=True))
    for (month, compound_id), counts in _case_rows(rows, by_month=True):
        out[month][compound_id] = counts
    return out


def case_query(compounds: Select | None, where: list, as_of: datetime, key,  # noqa: ANN001
               by_month: bool = False) -> Select:
    # a problem: month, compound, catalog type, building (in the order of
    # ix_ticket_month_compound, so that the window needs to sort only within a compound's month)
    problem = (Ticket.month, Ticket.compound_id, Ticket.catalog_code, Finding.building)
    previous_due = func.lag(Ticket.due_at).over(partition_by=problem, order_by=Finding.observed_at)
    scope = [] if compounds is None else [Ticket.compound_id.in_(compounds)]
    reports = (select(*problem, Finding.observed_at, previous_due.label("previous_due"),
                      overdue_expr(as_of).label("overdue"),
                      Finding.case_shirking, Finding.case_callback_failed)
               .join(Finding, Finding.id == Ticket.id)
               .where(*where, *scope, Ticket.source == "hotline",
                      Ticket.state != TicketState.cancelled)
               .subquery())
    new_report = case((or_(reports.c.previous_due.is_(None),
                           reports.c.observed_at > reports.c.previous_due), literal(1)),
                      else_=literal(0))
    as_int = lambda flag: case((flag, literal(1)), else_=literal(0))  # noqa: E731
    problems = (select(reports.c.compound_id, reports.c.month, func.count().label("raw"),
                       func.sum(new_report).label("distinct"),
                       func.sum(reports.c.overdue).label("overtime"),
                       func.sum(as_int(reports.c.case_shirking)).label("shirking"),
                       func.sum(as_int(reports.c.case_callback_failed)).label("callback_failed"))
                .group_by(reports.c.month, reports.c.compound_id, reports.c.catalog_code,
                          reports.c.building).subquery())
    grouping = (problems.c.month, problems.c.compound_id) if by_month else (problems.c.compound_id,)
    return (select(*(grouping[:-1]), key(problems.c.compound_id), func.sum(problems.c.overtime),
                   func.sum(problems.c.shirking), func.sum(problems.c.callback_failed),
                   func.sum(case((problems.c.distinct >= 3, literal(1)), else_=literal(0))),
                   func.sum(case((problems.c.raw > 3, literal(1)), else_=literal(0))))
            .group_by(*grouping))


def _case_rows(rows, by_month: bool = False):  # noqa: ANN001, ANN202
    for row in rows:
        head, (overtime, shirking, callback, repeated, key_problem) = \
            (row[:2], row[2:]) if by_month else (row[0], row[1:])
        counts = {"overtime": overtime, "shirking": shirking, "callback_failed": callback,
                  "repeated": repeated, "key_problem": key_problem}
        yield head, {k: int(v or 0) for k, v in counts.items() if v}


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


def previous_month(month):  # noqa: ANN001, ANN201
    """yyyymm of the month before (a Python int, or a SQL expression over a month column)."""
    if isinstance(month, int):
        return month - 89 if month % 100 == 1 else month - 1
    return case(((month % 100) == 1, month - 89), else_=month - 1)


def recurrent_problems(session: Session, compounds: Select | None, period: Period,
                       key=lambda column: column) -> list[dict]:  # noqa: ANN001
    """The same catalog type at the same compound (and building) in consecutive months, the
    later month inside the period: problems rectification did not really fix.

    Each row: the later month's count and the previous month's, cancelled tickets left out, both
    above zero. `compounds` None: every compound (the caller keeps those in its scope)."""
    return [{"compound_id": _text(c), "catalog_code": code, "building": building, "month": month,
             "count": n, "previous_month_count": prev}
            for c, code, building, month, n, prev in recurrence_rows(session, compounds,
                                                                   period.months, key=key)]


def recurrence_rows(session: Session, compounds: Select | None, months: list[int],
                    key=lambda column: column) -> list[tuple]:  # noqa: ANN001
    """(compound, code, building, month, count, previous month's count) ordered by compound,
    code, month, building: the recurrences whose later month is one of `months`.

    Two statements, both on ix_finding_month_compound (month, compound_id, catalog_code,
    building), which a finding shares with its ticket:
    - the candidates: each month's findings that have a finding of the same problem in the
      previous month, grouped in index order; on SQLite the previous month is probed through
      the index (an EXISTS per finding, then a count per problem), on PostgreSQL the two
      months' groups are hash-joined;
    - the cancelled tickets of those months (few), subtracted here: a problem counts while a
      non-cancelled finding remains in both months."""
    wanted = sorted({*months, *(previous_month(m) for m in months)})
    scope = [] if compounds is None else [Finding.compound_id.in_(compounds)]
    problem_key = (key(Finding.compound_id), Finding.catalog_code, Finding.building, Finding.month)
    if session.get_bind().dialect.name == "sqlite":
        earlier = Finding.__table__.alias("earlier")

        def same_problem_before():  # noqa: ANN202
            return and_(earlier.c.month == previous_month(Finding.month),
                        earlier.c.compound_id == Finding.compound_id,
                        earlier.c.catalog_code == Finding.catalog_code,
                        earlier.c.building.is_not_distinct_from(Finding.building))
        before = (select(func.count()).select_from(earlier).where(same_problem_before())
                  .scalar_subquery())
        candidates = (select(*problem_key, func.count(), before)
                      .where(Finding.month.in_(months), Finding.catalog_code.is_not(None), *scope,
                             select(literal(1)).select_from(earlier)
                             .where(same_problem_before()).exists())
                      .group_by(Finding.month, Finding.compound_id, Finding.catalog_code,
                                Finding.building)
                      .order_by(Finding.compound_id, Finding.catalog_code, Finding.month,
                                Finding.building))
    else:
        def found(which: list[int]):  # noqa: ANN202
            return (select(Finding.compound_id, Finding.catalog_code,
                           Finding.building, Finding.month, func.count().label("n"))
                    .where(Finding.month.in_(which), Finding.catalog_code.is_not(None), *scope)
                    .group_by(Finding.month, Finding.compound_id, Finding.catalog_code,
                              Finding.building).subquery())
        later = found(months)
        earlier = found(sorted({previous_month(m) for m in months}))
        candidates = (  # joined on the uuid (a merge join in index order), then as text
            select(key(later.c.compound_id), later.c.catalog_code, later.c.building,
                   later.c.month, later.c.n, earlier.c.n)
            .join(earlier, and_(earlier.c.month == previous_month(later.c.month),
                                earlier.c.compound_id == later.c.compound_id,
                                earlier.c.catalog_code == later.c.catalog_code,
                                # hashable: equal buildings have equal coalesces; then exactly
                                func.coalesce(earlier.c.building, "")
                                == func.coalesce(later.c.building, ""),
                                earlier.c.building.is_not_distinct_from(later.c.building)))
            .order_by(later.c.compound_id, later.c.catalog_code, later.c.month,
                      later.c.building))
    rows = session.execute(candidates).all()
    if not rows:
        return []
    # from the partial index of cancelled tickets, then each finding by its id
    cancelled_ids = select(Ticket.id).where(
        Ticket.month.in_(wanted), CANCELLED_LITERAL,
        *([] if compounds is None else [Ticket.compound_id.in_(compounds)]))
    cancelled = dict(((c, code, b, m), int(n)) for c, code, b, m, n in session.execute(
        select(*problem_key, func.count())
        .where(Finding.id.in_(cancelled_ids), Finding.catalog_code.is_not(None))
        .group_by(Finding.month, Finding.compound_id, Finding.catalog_code, Finding.building)))
    out = []
    for c, code, building, month, n, prev in rows:
        if cancelled:
            n = n - cancelled.get((c, code, building, month), 0)
            prev = prev - cancelled.get((c, code, building, previous_month(month)), 0)
        if n > 0 and prev > 0:
            out.append((c, code, building, month, int(n), int(prev)))
    return out


def _text(key) -> str:  # noqa: ANN001
    """A compound id as text with dashes (the driver gives hex text on SQLite, a UUID on PG)."""
    if isinstance(key, str) and len(key) == 32:
        return f"{key[:8]}-{key[8:12]}-{key[12:16]}-{key[16:20]}-{key[20:]}"
    return str(key)


def compounds_under(unit_level: str, unit_id: uuid.UUID) -> ColumnElement[bool]:
    column = {"district": Compound.district_id, "street": Compound.street_id,
              "town": Compound.street_id, "community": Compound.community_id}[unit_level]
    return column == unit_id

