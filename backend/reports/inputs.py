"""What a period report is computed from, read from SQL as plain values: one row per compound
(or per compound and month) of finding counts and summed deductions, hotline-case counts, the
latest inspections and the demonstration projects (ids and dates as text, no per-value
conversion; the large results through the session's Core connection, whose rows cost ~0.3 µs
less than the ORM's). `read_months` reads several whole months in one pass of GROUP BY month,
compound statements; `read_period` any other period (a quarter, a year, a range of days).
scorers.py scores them, assemble.py makes the report.

With `per_code` (the detailed path) a compound's findings are counted per catalog code for the
engine's trace; otherwise they are summed with the catalog's weights (`Rules`) in SQL.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Text, case, cast, func, literal, null, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import String
from sqlmodel import Session

from backend.config import get_settings
from backend.findings.models import Ticket, TicketState
from backend.findings.overdue import overdue_flag
from backend.inspections.models import ASSESSMENTS, Inspection, observations_digest
from backend.organisation.models import Company, Compound, OrgUnit
from backend.reports import aggregate
from backend.reports.models import CompanyDirectScore, DemonstrationProject
from backend.reports.periods import Period

if TYPE_CHECKING:
    from backend.reports.scorers import Rules

id_text = aggregate._text
_text = id_text
KeyT = Any  # a compound id as the driver returns it (hex text on SQLite, UUID on PostgreSQL)


@dataclass
class Shared:
    """What the reports of one pass (one or several periods) share: the scope's compounds
    (`_compounds`) and the names and direct scores of their units and companies."""

    compounds: list[tuple]
    id_text: dict[KeyT, str]  # a compound's key → its id as text
    unit_names: dict[str, str]
    company_names: dict
    company_direct: dict  # (company id, period key) → direct score

    @classmethod
    def read(cls, session: Session, compounds: list[tuple], periods: list[Period]) -> "Shared":
        units = [uuid.UUID(k) for k in {c[4] for c in compounds} | {c[5] for c in compounds}]
        companies = [uuid.UUID(k) for k in {c[6] for c in compounds if c[6]}]  # each once
        unit_names = {str(i): n for i, n in session.execute(
            select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(units)))} if units else {}
        names = dict(session.execute(select(Company.id, Company.name)
                                     .where(Company.id.in_(companies))).all()) if companies else {}
        direct = {(cid, key): score for cid, key, score in session.execute(
            select(CompanyDirectScore.company_id, CompanyDirectScore.period_key,
                   CompanyDirectScore.score).where(
                CompanyDirectScore.company_id.in_(companies),
                CompanyDirectScore.period_key.in_([p.key for p in periods])))} if companies else {}
        return cls(compounds, {c[0]: c[3] for c in compounds}, unit_names, names, direct)


@dataclass
class PeriodInputs:
    """One period's inputs by compound key; `findings` is summed or per code (module doc)."""

    findings: dict = field(default_factory=dict)
    cases: dict = field(default_factory=dict)
    inspections: dict = field(default_factory=dict)
    demos: dict = field(default_factory=dict)
    recurrent: list = field(default_factory=list)


def read_months(session: Session, unit: OrgUnit, periods: list[Period], *, as_of: datetime,
                r: "Rules | None", recurrence: bool = True
                ) -> tuple[Shared, dict[str, PeriodInputs], dict[str, str]] | None:
    """(shared, {period key: inputs}, P observation texts by digest) of whole months, or None
    when a finding's code is one the catalog no longer has (the engine reports it)."""
    assert all(p.whole_months and len(p.months) == 1 for p in periods), "whole months only"
    settings = get_settings()
    scope = _scope(unit)
    months = sorted({p.months[0] for p in periods})
    compounds = _compounds(session, unit)
    inside = {c[0] for c in compounds}
    if r is None:
        findings = aggregate.finding_counts_by_month(session, scope, months, as_of,
                                                     settings.scored_sources, key=_raw)
    else:
        findings = findings_by_month(session, scope, months, as_of, settings.scored_sources, r)
        for month_rows in findings.values():
            if any(row[3] and cid in inside for cid, row in month_rows.items()):
                return None
    cases = aggregate.case_counts_by_month(session, scope, months, as_of, key=_raw)
    inspections, observations = inspections_by_month(session, scope, periods, unit.level)
    demos = demonstrations_by_month(session, scope, periods)
    recurrent: dict[int, list] = defaultdict(list)
    for row in aggregate.recurrence_rows(session, scope, months, key=_raw) if recurrence else ():
        if row[0] in inside:
            recurrent[row[3]].append(row)
    by_period = {p.key: PeriodInputs(findings.get(m, {}), cases.get(m, {}),
                                     inspections.get(m, {}), demos.get(m, {}), recurrent.get(m, []))
                 for p in periods for m in p.months}
    return Shared.read(session, compounds, periods), by_period, observations


def read_period(session: Session, unit: OrgUnit, period: Period, *, as_of: datetime,
                r: "Rules | None") -> tuple[Shared, PeriodInputs, dict[str, str]] | None:
    """`read_months` for any period: sums over the whole period."""
    settings = get_settings()
    ids = select(Compound.id).where(aggregate.compounds_under(unit.level, unit.id))
    compounds = _compounds(session, unit)
    if r is None:
        findings = aggregate.finding_counts(session, ids, period, as_of, settings.scored_sources,
                                            settings.timezone, key=_raw)
    else:
        findings = findings_summed(session, ids, period, as_of, settings.scored_sources,
                                   settings.timezone, r)
        if any(v[3] for v in findings.values()):
            return None
    cases = aggregate.case_counts(session, ids, period, as_of, settings.timezone, key=_raw)
    inspections, observations = latest_inspections(session, ids, period)
    demos = aggregate.demonstrations(session, ids, period, key=_raw)
    recurrent = aggregate.recurrence_rows(session, ids, period.months, key=_raw)
    return (Shared.read(session, compounds, [period]),
            PeriodInputs(findings, cases, inspections, demos, recurrent), observations)


class _AsText(FunctionElement):
    """A column as text without SQLAlchemy's per-value conversion: as stored on SQLite (uuids
    as 32 hex digits, dates as ISO text), cast to text on PostgreSQL (so the driver builds no
    UUID objects). See `_text`."""

    type = String()
    inherit_cache = True


@compiles(_AsText)
def _as_text_plain(element, compiler, **kw):  # noqa: ANN001, ANN202
    return compiler.process(list(element.clauses)[0], **kw)


@compiles(_AsText, "postgresql")
def _as_text_pg(element, compiler, **kw):  # noqa: ANN001, ANN202
    return f"CAST({compiler.process(list(element.clauses)[0], **kw)} AS TEXT)"


def _raw(column):  # noqa: ANN001, ANN202
    """A uuid (or date) column as text, without SQLAlchemy's per-value conversion."""
    return _AsText(column)


def findings_summed(session: Session, compounds, period: Period, as_of: datetime,
                    sources: tuple[str, ...], timezone: str, r: Rules
                    ) -> dict[KeyT, tuple[int, int, int, int]]:
    """{compound: (findings, overdue, Σ scaled deduction, findings with an unknown code)}."""
    rows = (select(Ticket.compound_id.label("compound_id"), Ticket.catalog_code.label("code"),
                   overdue_flag(as_of).label("late"))
            .where(*aggregate.in_period(period, timezone), Ticket.compound_id.in_(compounds),
                   Ticket.source.in_(sources), Ticket.state != TicketState.cancelled,
                   Ticket.catalog_code.is_not(None))
            .subquery())
    unknown = case((rows.c.code.in_(list(r.weights)), literal(0)), else_=literal(1))
    distinct = set(r.weights.values())
    if len(distinct) == 1:  # one deduction for every code (the seed's catalog): no CASE per row
        (w_on, w_late), = distinct
        query = (select(_raw(rows.c.compound_id), func.count(), func.sum(rows.c.late),
                        func.sum(unknown)).group_by(rows.c.compound_id))
        return {cid: (int(n), int(o or 0), (int(n) - int(o or 0)) * w_on + int(o or 0) * w_late,
                      int(u or 0)) for cid, n, o, u in session.execute(query)}
    on_time = case(*((rows.c.code == code, literal(w)) for code, (w, _) in r.weights.items()),
                   else_=literal(0))
    late = case(*((rows.c.code == code, literal(w)) for code, (_, w) in r.weights.items()),
                else_=literal(0))
    query = (select(_raw(rows.c.compound_id), func.count(), func.sum(rows.c.late),
                    func.sum(case((rows.c.late == 1, late), else_=on_time)), func.sum(unknown))
             .group_by(rows.c.compound_id))
    return {cid: (int(n), int(o or 0), int(w or 0), int(u or 0))
            for cid, n, o, w, u in session.execute(query)}


def latest_inspections(session: Session, compounds, period: Period  # noqa: ANN001
                       ) -> tuple[dict[KeyT, dict[str, tuple]], dict[str, str]]:
    """({compound: {rubric: (id, observations digest[, grade, total, result JSON text])}},
    {digest: P observations JSON text}) for the latest submitted P, E and D inspections (the
    grade, total and result only for E: its subsidy); see `_with_details`."""
    rows = session.execute(
        select(_raw(Inspection.compound_id), Inspection.rubric_id, _raw(Inspection.id),
               Inspection.observations_digest)
        .where(Inspection.compound_id.in_(compounds), Inspection.rubric_id.in_(("P", "E", "D")),
               aggregate.inspection_in_period(period))
        .order_by(Inspection.submitted_at))
    out: dict[KeyT, dict[str, tuple]] = defaultdict(dict)
    for cid, rubric_id, iid, digest in rows:
        out[cid][rubric_id] = (iid, digest)  # later ones win
    latest, texts = _with_details(session, {period.key: out})
    return latest[period.key], texts


def _scope(unit: OrgUnit):  # noqa: ANN202
    """The unit's compounds as a sub-select for the aggregates, or None for a district: its
    rows are then read in index order without a seek per compound, and the compounds outside
    the unit (another district's) are left out here, in Python."""
    if unit.level == "district":
        return None
    return select(Compound.id).where(aggregate.compounds_under(unit.level, unit.id))


def _compounds(session: Session, unit: OrgUnit) -> list[tuple]:
    """(id, name, unique name, id text, street text, community text, company text or None),
    in name order."""
    rows = session.connection().execute(
        select(_raw(Compound.id), Compound.name, _raw(Compound.street_id),
               _raw(Compound.community_id), _raw(Compound.company_id))
        .where(aggregate.compounds_under(unit.level, unit.id)).order_by(Compound.name)).all()
    names = {row[0]: row[1] for row in rows}
    if len(set(names.values())) != len(names):  # the engine keys by name: make names unique
        names = {cid: f"{name}（{_text(cid)[:8]}）" for cid, name in names.items()}
    texts: dict = {}

    def text(key):  # noqa: ANN001, ANN202
        hit = texts.get(key)
        if hit is None:
            hit = texts[key] = _text(key)
        return hit
    return [(cid, name, names[cid], _text(cid), text(street), text(community),
             text(company) if company else None)
            for cid, name, street, community, company in rows]


def findings_by_month(session: Session, scope, months: list[int], as_of: datetime,  # noqa: ANN001
                      sources: tuple[str, ...], r: Rules
                      ) -> dict[int, dict[KeyT, tuple[int, int, int, int]]]:
    """{month: {compound: (findings, overdue, Σ scaled deduction, findings with an unknown
    code)}}: one GROUP BY month, compound in the order of ix_ticket_month_compound, which
    covers every column read (an index-only scan)."""
    late = overdue_flag(as_of)
    where = [Ticket.month.in_(months), Ticket.source.in_(sources),
             Ticket.state != TicketState.cancelled, Ticket.catalog_code.is_not(None)]
    if scope is not None:
        where.append(Ticket.compound_id.in_(scope))
    unknown = func.sum(case((Ticket.catalog_code.in_(list(r.weights)), literal(0)),
                            else_=literal(1)))
    group = (Ticket.month, Ticket.compound_id)
    out: dict[int, dict] = defaultdict(dict)
    free = [code for code, weights in r.weights.items() if weights == (0, 0)]
    charged = set(r.weights.values()) - {(0, 0)}
    if len(charged) <= 1:
        # One deduction for every code (the seed's catalog), or none (其他问题, QT01): no CASE
        # over the codes per row; the free codes' findings and late ones are counted apart.
        (w_on, w_late), = charged or {(0, 0)}
        is_free = Ticket.catalog_code.in_(free or [""])
        query = (select(Ticket.month, _raw(Ticket.compound_id), func.count(), func.sum(late),
                        unknown, func.sum(case((is_free, literal(1)), else_=literal(0))),
                        func.sum(case((is_free, late), else_=literal(0))))
                 .where(*where).group_by(*group))
        for month, cid, n, o, u, n_free, o_free in session.connection().execute(query):
            n, o = int(n), int(o or 0)
            paid, paid_late = n - int(n_free or 0), o - int(o_free or 0)
            out[month][cid] = (n, o, (paid - paid_late) * w_on + paid_late * w_late, int(u or 0))
        return out
    on_time = case(*((Ticket.catalog_code == code, literal(w)) for code, (w, _) in r.weights.items()),
                   else_=literal(0))
    overdue = case(*((Ticket.catalog_code == code, literal(w)) for code, (_, w) in r.weights.items()),
                   else_=literal(0))
    query = (select(Ticket.month, _raw(Ticket.compound_id), func.count(), func.sum(late),
                    func.sum(case((late == 1, overdue), else_=on_time)), unknown)
             .where(*where).group_by(*group))
    for month, cid, n, o, w, u in session.connection().execute(query):
        out[month][cid] = (int(n), int(o or 0), int(w or 0), int(u or 0))
    return out


def inspections_by_month(session: Session, scope, periods: list[Period],  # noqa: ANN001
                         unit_level: str = "community"
                         ) -> tuple[dict[int, dict[KeyT, dict[str, tuple]]], dict[str, str]]:
    """({month: {compound: {rubric: (id, observations digest[, grade, total, result JSON
    text])}}}, {digest: P observations JSON text}): the latest submitted P, E and D inspections
    assessing each month (aggregate's inspection_in_period).

    The latest are picked from ix_inspection_rubric_period alone (it holds the period, the
    submission time, the id and the observations' digest); then the observations are read once
    per distinct digest, and the grade, total and result (its subsidy) only of the E ones."""
    by_month = {p.months[0]: p for p in periods}
    lo, hi = min(p.start for p in periods), max(p.end for p in periods)
    # Raw values where only a comparison or a key needs them (dates: ISO text on SQLite).
    columns = (_raw(Inspection.compound_id).label("compound_id"), Inspection.rubric_id,
               _raw(Inspection.id).label("id"), Inspection.observations_digest.label("digest"),
               _raw(Inspection.period_start).label("start"),
               _raw(Inspection.period_end).label("end"),
               _raw(Inspection.submitted_at).label("submitted_at"))
    where = [Inspection.rubric_id.in_(("P", "E", "D")), Inspection.submitted_at.is_not(None),
             Inspection.source.in_(ASSESSMENTS)]
    if scope is not None and unit_level == "community":
        # a few compounds: through their own inspections; a street's or a district's are
        # read by period (ix_inspection_rubric_period) and the others left out by the caller
        where.append(Inspection.compound_id.in_(scope))
    both = union_all(
        # the month only matters without a declared period: NULL keeps this branch covered
        select(*columns, null().label("month"))
        .where(*where, Inspection.period_start.between(lo, hi), Inspection.period_end <= hi),
        select(*columns, Inspection.month)
        .where(*where, Inspection.period_start.is_(None), Inspection.month.in_(list(by_month)))
    ).subquery()
    bounds = None
    out: dict[int, dict] = defaultdict(lambda: defaultdict(dict))
    for cid, rubric_id, iid, digest, start, end, _, month in session.connection().execute(
            select(both).order_by(both.c.submitted_at)):
        entry = (iid, digest)
        if start is None:
            if month in by_month:
                out[month][cid][rubric_id] = entry  # later ones win
            continue
        if end is None:
            continue
        if bounds is None:  # the months' first and last days, as the driver gives dates
            text = isinstance(start, str)
            bounds = {m: (p.start.isoformat(), p.end.isoformat()) if text else (p.start, p.end)
                      for m, p in by_month.items()}
        if end >= start:  # only the month it starts in can hold it
            month = int(start[:4]) * 100 + int(start[5:7]) if isinstance(start, str) else \
                start.year * 100 + start.month
            b = bounds.get(month)
            if b is not None and end <= b[1]:
                out[month][cid][rubric_id] = entry
            continue
        for month, (first, last) in bounds.items():  # an end before the start: as SQL has it
            if first <= start <= last and end <= last:
                out[month][cid][rubric_id] = entry
    return _with_details(session, out)


def _with_details(session: Session, latest: dict) -> tuple[dict, dict[str, str]]:
    """`latest` ({…: {compound: {rubric: (id, digest)}}}) with each E entry completed by its
    grade, total and result, and each digest filled in; and the P observations' texts by
    digest, one row read per distinct digest (a row without a digest, written around the ORM,
    is read and digested here)."""
    wanted: dict = {}  # an inspection id → its digest (None: to be computed)
    digests: set[str] = set()
    e_ids: set = set()
    for compounds in latest.values():
        for mine in compounds.values():
            p, e = mine.get("P"), mine.get("E")
            if p is not None and p[1] not in digests:
                wanted[p[0]] = p[1]
                if p[1] is not None:
                    digests.add(p[1])
            if e is not None:
                e_ids.add(e[0])
    texts: dict[str, str] = {}
    computed: dict = {}
    for iid, text in _by_ids(session, (_raw(Inspection.id), cast(Inspection.observations, Text)),
                             list(wanted)):
        digest = wanted[iid]
        if digest is None:
            digest = computed[iid] = observations_digest(json.loads(text))
        texts[digest] = text
    e_details = {iid: (grade, total, result) for iid, grade, total, result in _by_ids(
        session, (_raw(Inspection.id), Inspection.grade, Inspection.total,
                  cast(Inspection.result, Text)), list(e_ids))} if e_ids else {}
    if computed or e_details:
        for compounds in latest.values():
            for mine in compounds.values():
                for rubric_id, (iid, digest, *_) in mine.items():
                    if rubric_id == "E":
                        mine[rubric_id] = (iid, digest, *e_details[iid])
                    elif digest is None:
                        mine[rubric_id] = (iid, computed.get(iid))
    return latest, texts


def _by_ids(session: Session, columns: tuple, ids: list) -> list[tuple]:
    """Inspection rows by id (ids as `_raw` gives them), a few thousand at a time."""
    rows: list[tuple] = []
    for start in range(0, len(ids), 5000):
        chunk = [uuid.UUID(str(i)) for i in ids[start:start + 5000]]
        rows += session.execute(select(*columns).where(Inspection.id.in_(chunk))).all()
    return rows


def demonstrations_by_month(session: Session, scope, periods: list[Period]  # noqa: ANN001
                            ) -> dict[int, dict[KeyT, dict[str, int]]]:
    months = {p.months[0] for p in periods}
    lo, hi = min(p.start for p in periods), max(p.end for p in periods)
    where = [DemonstrationProject.completed_on >= lo, DemonstrationProject.completed_on <= hi]
    if scope is not None:
        where.append(DemonstrationProject.compound_id.in_(scope))
    counts: dict = defaultdict(int)
    for cid, level, done in session.execute(
            select(_raw(DemonstrationProject.compound_id), DemonstrationProject.level,
                   DemonstrationProject.completed_on).where(*where)):
        month = done.year * 100 + done.month
        if month in months:
            counts[(month, cid, level)] += 1
    out: dict[int, dict] = defaultdict(lambda: defaultdict(dict))
    for (month, cid, level), n in sorted(counts.items(), key=lambda kv: kv[0][2]):
        out[month][cid][level] = n
    return out
