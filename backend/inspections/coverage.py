"""The coverage plan: for a period and a scope, the inspections the rubrics' `due` rows ask for
(each compound's 明查 and 暗访 of the month, an old compound's weekly 巡查…), which are done, by
whom, and which are missing. The inspector's plan on the phone; the supervisor's check.

An inspection counts for a window when it is of that subject, rubric and source, submitted, not
replaced by an amendment, and falls in the window: its declared period inside it, or (with none
declared) the day it was started.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import and_, or_
from sqlmodel import Session, select

from backend.auth.models import User
from backend.auth.scope import Scope
from backend.dbtypes import as_local
from backend.inspections.models import Inspection
from backend.inspections.schemas import Plan, PlanDone, PlanRow
from backend.inspections.service import in_scope
from backend.organisation.models import Compound, OrgUnit, UnitLevel
from backend.reports.periods import Period
from backend.rubrics import library
from backend.rubrics.applicability import Subject, due_label, why_not, windows

_ORDER = {"missing": 0, "upcoming": 1, "done": 2}


def plan(session: Session, scope: Scope, period: Period, *, today: date) -> Plan:
    rubrics = [r for r in library.current().rubrics().values() if r.applies and r.applies.due]
    units = {u.id: u for u in session.exec(select(OrgUnit))}
    subjects: list[tuple[str, uuid.UUID, str, str | None, Subject]] = []
    for c in session.exec(select(Compound).where(scope.compound_filter())):
        names = frozenset(units[i].name for i in (c.community_id, c.street_id, c.district_id)
                          if i in units)
        flags = frozenset(f for f in ("is_old", "has_party_branch") if getattr(c, f))
        subjects.append(("compound", c.id, c.name, _name(units, c.street_id),
                         Subject("compound", names, flags)))
    for u in session.exec(select(OrgUnit).where(scope.unit_filter(), OrgUnit.level.in_(
            (UnitLevel.street, UnitLevel.town)))):
        if not scope.oversees(u):
            continue  # a street's own staff do not assess their street
        names = frozenset(units[i].name for i in (u.id, u.district_id) if i in units)
        subjects.append(("street", u.id, u.name, _name(units, u.district_id),
                         Subject("street", names)))
    done = _done(session, scope, period)
    rows = []
    for kind, sid, name, place, subject in subjects:
        for r in rubrics:
            if why_not(r, subject):
                continue
            for due in r.applies.due:
                for w in windows(due.every, period.start, period.end):
                    found = [d for d in done.get((sid, r.id, due.source), ())
                             if w.start <= d[0] and d[1] <= w.end]
                    status = "done" if found else "missing" if w.start <= today else "upcoming"
                    rows.append(PlanRow(
                        subject_kind=kind, subject_id=sid, subject_name=name, place=place,
                        rubric_id=r.id, rubric_name=r.name, source=due.source,
                        due_label=due_label(due), window_start=w.start, window_end=w.end,
                        window_label=w.label, status=status, done=[d[2] for d in found]))
    rows.sort(key=lambda row: (_ORDER[row.status], row.window_end, row.place or "",
                               row.subject_name, row.rubric_id, row.source))
    counts = defaultdict(int)
    for row in rows:
        counts[row.status] += 1
    return Plan(period=period.key, period_label=period.label, start=period.start, end=period.end,
                rows=rows, counts=dict(counts))


def _name(units: dict, unit_id: uuid.UUID | None) -> str | None:
    return units[unit_id].name if unit_id in units else None


def _done(session: Session, scope: Scope, period: Period) -> dict:
    """(subject, rubric, source) → [(first day, last day, PlanDone)] of the submitted, current
    inspections that may fall in the period's windows (a quarter or half-year window can reach
    outside a month: read a year around it)."""
    lo = date(period.start.year - 1, 1, 1)
    hi = date(period.end.year + 1, 12, 31)
    # the columns the plan shows (an inspection's observations and result stay in the table),
    # bounded on both sides in SQL; the exact test on local days follows in Python
    after_hi = datetime.combine(hi + timedelta(days=2), time(), timezone.utc)
    rows = session.exec(select(
        Inspection.id, Inspection.compound_id, Inspection.unit_id, Inspection.rubric_id,
        Inspection.source, Inspection.period_start, Inspection.period_end, Inspection.started_at,
        Inspection.total, Inspection.grade, User.display_name)
        .join(User, User.id == Inspection.inspector_id)
        .where(in_scope(scope), Inspection.submitted_at.is_not(None),
               Inspection.superseded_by_id.is_(None),
               Inspection.started_at >= datetime(lo.year, 1, 1, tzinfo=timezone.utc),
               or_(Inspection.period_start <= hi,
                   and_(Inspection.period_start.is_(None), Inspection.started_at < after_hi)))).all()
    out: dict = defaultdict(list)
    for inspection in rows:
        inspector = inspection.display_name
        day = as_local(inspection.started_at).date()
        first = inspection.period_start or day
        last = inspection.period_end or day
        if last < lo or first > hi:
            continue
        out[(inspection.compound_id or inspection.unit_id, inspection.rubric_id,
             inspection.source)].append((first, last, PlanDone(
                 id=inspection.id, inspector_name=inspector, started_at=inspection.started_at,
                 total=inspection.total, grade=inspection.grade)))
    return out
