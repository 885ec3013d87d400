"""The roll-up's SQL: what happened in a period, aggregated per compound in the database.

Nothing here loops over findings in Python: each function is one GROUP BY over the ticket
table (a ticket carries its finding's compound, catalog code, source and observed month), and
the results are small (one row per compound, or per compound and catalog code). The pure
scoring engine then applies the rubric rules to these aggregates (rollup.py).

Overdue, as of the report's `as_of` instant (seed 002 §四(一): 未按要求及时整改到位的双倍扣分),
is backend.findings.overdue's rule in SQL (`overdue_flag`).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime

from sqlalchemy import and_, case, func, literal, or_, select, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement, Select
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import NullType
from sqlmodel import Session

from backend.findings.models import Finding, Ticket, TicketState
from backend.findings.overdue import overdue_flag
from backend.inspections.models import ASSESSMENTS, Inspection
from backend.organisation.models import Compound
from backend.reports.models import DemonstrationProject
from backend.reports.periods import Period


# The predicates of the partial indexes ix_ticket_cancelled_month and ix_ticket_hotline_month,
# written literally so that the planner can use them (a bound parameter cannot prove them).
CANCELLED_LITERAL = text("ticket.state = 'cancelled'")
HOTLINE_LITERAL = text("ticket.source = 'hotline'")


def in_period(period: Period, timezone: str) -> list[ColumnElement[bool]]:
    """Tickets whose finding was observed in the period: by the stored month column, plus the
    exact instants when the period does not cover whole months."""
    where: list[ColumnElement[bool]] = [Ticket.month.in_(period.months)]
    if not period.whole_months:
        start, end = period.bounds(timezone)
        where.append(Ticket.id.in_(select(Finding.id).where(Finding.observed_at >= start,
                                                          Finding.observed_at < end)))
    return where


def finding_counts(session: Session, compounds: Select, period: Period, as_of: datetime,
                   sources: tuple[str, ...], timezone: str, key=lambda column: column  # noqa: ANN001
                   ) -> dict[uuid.UUID, dict[str, dict[str, int]]]:
    """Seed 002 §四(一) 1: problems found by inspections, per compound and catalog code."""
    rows = session.execute(_counted(key, [*in_period(period, timezone),
                                          Ticket.compound_id.in_(compounds)], sources, as_of))
    out: dict[uuid.UUID, dict[str, dict[str, int]]] = defaultdict(dict)
    for _, compound_id, code, total, late in rows:  # a period of several months: summed
        counts = out[compound_id].setdefault(code, {"on_time": 0, "overdue": 0})
        counts["on_time"] += int(total) - int(late or 0)
        counts["overdue"] += int(late or 0)
    return out


def finding_counts_by_month(session: Session, compounds: Select | None, months: list[int],
                            as_of: datetime, sources: tuple[str, ...], key=lambda column: column  # noqa: ANN001
                            ) -> dict[int, dict[uuid.UUID, dict[str, dict[str, int]]]]:
    """`finding_counts` of each whole month of `months`: {month: {compound: {code: …}}}."""
    scope = [] if compounds is None else [Ticket.compound_id.in_(compounds)]
    out: dict[int, dict] = defaultdict(lambda: defaultdict(dict))
    for month, compound_id, code, total, late in session.connection().execute(
            _counted(key, [Ticket.month.in_(months), *scope], sources, as_of)):
        out[month][compound_id][code] = {"on_time": int(total) - int(late or 0),
                                         "overdue": int(late or 0)}
    return out


def _counted(key, where: list, sources: tuple[str, ...], as_of: datetime) -> Select:  # noqa: ANN001
    return (select(Ticket.month, key(Ticket.compound_id), Ticket.catalog_code, func.count(),
                   func.sum(overdue_flag(as_of)))
            .where(*where, Ticket.source.in_(sources), Ticket.state != TicketState.cancelled,
                   Ticket.catalog_code.is_not(None))
            .group_by(Ticket.month, Ticket.compound_id, Ticket.catalog_code))


def case_counts(session: Session, compounds: Select | None, period: Period, as_of: datetime,
                timezone: str, key=lambda column: column) -> dict[uuid.UUID, dict[str, int]]:  # noqa: ANN001
    """Seed 002 §四(一) 2–6: hotline cases (案卷), per compound.

    - overtime 超时: a case not disposed of within its deadline;
    - shirking 推诿 and callback_failed 核查不符: flags a supervisor sets on the case;
    - repeated 反复性: the same problem (compound, catalog type, building) reported three times in
      a month, where a report made while an earlier report of it is still within its deadline
      counts as one (reports are folded by comparing with the latest due time of those before);
    - key_problem 重点问题: the same problem reported more than three times in a month.
    Each counts 2 points per case (rubric L item 2); a repeated or key problem counts once.
    """
    rows = session.execute(case_reports(compounds, in_period(period, timezone), as_of, key))
    return _fold_cases(rows, lambda month, compound: compound)


def case_counts_by_month(session: Session, compounds: Select | None, months: list[int],
                         as_of: datetime, key=lambda column: column  # noqa: ANN001
                         ) -> dict[int, dict[uuid.UUID, dict[str, int]]]:
    """`case_counts` of each whole month of `months`, in one statement: {month: {compound: …}}."""
    out: dict[int, dict] = defaultdict(dict)
    rows = session.connection().execute(  # Core: no ORM handling per row
        case_reports(compounds, [Ticket.month.in_(months)], as_of, key))
    for (month, compound_id), counts in _fold_cases(rows, lambda *bucket: bucket).items():
        out[month][compound_id] = counts
    return out


class _Comparable(FunctionElement):
    """A column's value as the driver gives it, without SQLAlchemy's conversion: compared in
    Python exactly as the database compares it (SQLite's stored ISO text, PostgreSQL's
    timestamps)."""

    type = NullType()
    inherit_cache = True


@compiles(_Comparable)
def _comparable(element, compiler, **kw):  # noqa: ANN001, ANN202
    return compiler.process(list(element.clauses)[0], **kw)


def case_reports(compounds: Select | None, where: list, as_of: datetime, key) -> Select:  # noqa: ANN001
    """The hotline reports, one row each, grouped by problem (month, compound, catalog type,
    building) and in the order they were observed: (month, compound, code, building, observed
    at, due at, overdue, shirking, callback failed). The problem's folding is `_fold_cases`
    (the rows are few, a twentieth of the findings: folding them here is cheaper than a window
    and two GROUP BYs in the database)."""
    scope = [] if compounds is None else [Ticket.compound_id.in_(compounds)]
    return (select(Ticket.month, key(Ticket.compound_id), Ticket.catalog_code, Finding.building,
                   _Comparable(Finding.observed_at), _Comparable(Ticket.due_at),
                   overdue_flag(as_of), Finding.case_shirking, Finding.case_callback_failed)
            .join(Finding, Finding.id == Ticket.id)
            .where(*where, *scope, HOTLINE_LITERAL, Ticket.state != TicketState.cancelled)
            # in the order of ix_ticket_hotline_month: only within a problem is sorted
            .order_by(Ticket.month, Ticket.compound_id, Ticket.catalog_code, Finding.building,
                      Finding.observed_at))


CASE_COUNTS = ("overtime", "shirking", "callback_failed", "repeated", "key_problem")


def _fold_cases(rows, bucket) -> dict:  # noqa: ANN001
    """{bucket(month, compound): {count: n, … nonzero counts only}} from `case_reports` rows."""
    sums: dict = {}

    def add(problem, raw: int, distinct: int, overtime: int, shirking: int, callback: int) -> None:  # noqa: ANN001
        totals = sums.get(b := bucket(problem[0], problem[1]))
        if totals is None:
            totals = sums[b] = [0, 0, 0, 0, 0]
        totals[0] += overtime
        totals[1] += shirking
        totals[2] += callback
        totals[3] += distinct >= 3
        totals[4] += raw > 3

    problem = None
    raw = distinct = overtime = shirking = callback = 0
    previous_due = None
    for month, compound, code, building, observed, due, late, shirked, failed in rows:
        if problem is None or problem != (month, compound, code, building):
            if problem is not None:
                add(problem, raw, distinct, overtime, shirking, callback)
            problem = (month, compound, code, building)
            raw = distinct = overtime = shirking = callback = 0
            previous_due = None
        raw += 1
        # a report made while an earlier one is within its deadline is the same case (seed 002
        # §四(一) 4: 在处置时限内的…多次举报视为一次): compared with the latest deadline so far
        if previous_due is None or observed > previous_due:
            distinct += 1
        if previous_due is None or due > previous_due:
            previous_due = due
        overtime += late
        shirking += bool(shirked)
        callback += bool(failed)
    if problem is not None:
        add(problem, raw, distinct, overtime, shirking, callback)
    return {b: {name: int(n) for name, n in zip(CASE_COUNTS, totals) if n}
            for b, totals in sums.items()}


def inspection_in_period(period: Period) -> ColumnElement[bool]:
    """Submitted, and assessing the period: its declared assessment period lies inside it, or,
    when it declares none, it was started in one of the period's months. (The start's upper
    bound follows from start <= end, which the API enforces; stated, it bounds the index range
    of ix_inspection_rubric_period to the period's own starts.)"""
    declared = and_(Inspection.period_start.is_not(None),
                    Inspection.period_start.between(period.start, period.end),
                    Inspection.period_end <= period.end)
    undeclared = and_(Inspection.period_start.is_(None), Inspection.month.in_(period.months))
    return and_(Inspection.submitted_at.is_not(None), Inspection.source.in_(ASSESSMENTS),
                or_(declared, undeclared))


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


def recurrence_rows(session: Session, compounds: Select | None, months: list[int],
                    key=lambda column: column) -> list[tuple]:  # noqa: ANN001
    """(compound, code, building, month, count, previous month's count) ordered by compound,
    code, month, building: the recurrences whose later month is one of `months`.

    - the candidates, from ix_finding_month_compound (month, compound_id, catalog_code,
      building), which a finding shares with its ticket: each month's findings that have a
      finding of the same problem in the previous month, grouped in index order; on SQLite the
      previous month is probed through the index (an EXISTS per finding, then a count per
      problem), on PostgreSQL the two months' groups are merge-joined;
    - the cancelled findings of the candidates' problems (`_cancelled_findings`), subtracted
      here: a problem counts while a non-cancelled finding remains in both months."""
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
    rows = session.connection().execute(candidates).all()
    if not rows:
        return []
    cancelled = _cancelled_findings(session, compounds, wanted, rows, key)
    out = []
    for c, code, building, month, n, prev in rows:
        if cancelled:
            n = n - cancelled.get((c, code, building, month), 0)
            prev = prev - cancelled.get((c, code, building, previous_month(month)), 0)
        if n > 0 and prev > 0:
            out.append((c, code, building, month, int(n), int(prev)))
    return out


def _cancelled_findings(session: Session, compounds: Select | None, months: list[int],
                        candidates: list[tuple], key) -> dict[tuple, int]:  # noqa: ANN001
    """{(compound, code, building, month): cancelled findings} for the candidates' problems in
    their month and the month before. The months' cancelled tickets come from the partial index
    ix_ticket_cancelled_month; only those of a candidate's compound, code and month are looked
    up in the finding table (for their building), a tenth of them or so."""
    touched = {(c, code, m) for c, code, _, month, _, _ in candidates
               for m in (month, previous_month(month))}
    scope = [] if compounds is None else [Ticket.compound_id.in_(compounds)]
    ids = [uuid.UUID(str(i)) for i, c, code, m in session.execute(
        select(key(Ticket.id), key(Ticket.compound_id), Ticket.catalog_code, Ticket.month)
        .where(Ticket.month.in_(months), CANCELLED_LITERAL, *scope)) if (c, code, m) in touched]
    out: dict[tuple, int] = defaultdict(int)
    for start in range(0, len(ids), 5000):
        for c, code, building, month, n in session.execute(
                select(key(Finding.compound_id), Finding.catalog_code, Finding.building,
                       Finding.month, func.count())
                .where(Finding.id.in_(ids[start:start + 5000]))
                .group_by(Finding.month, Finding.compound_id, Finding.catalog_code,
                          Finding.building)):
            out[(c, code, building, month)] += int(n)
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

