"""A period's scores for a scope, from what actually happened: the entry points.

The inputs come from SQL (inputs.py), a scorer scores each compound (scorers.py) and one
assembler makes the typed report (assemble.py). Two paths, one result:

- the bulk path (the default): findings summed in SQL, the compiled rules, no trace; what the
  report page and the rankings need for 10,000 compounds;
- the detailed path (`detail=True`, a publication, and whatever the compiled rules cannot
  evaluate): findings per catalog code and the engine's full trace for every compound.

tests/reports hold the two equal, the traces aside.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from datetime import datetime

from sqlmodel import Session

from backend.organisation.models import OrgUnit
from backend.reports.assemble import assemble
from backend.reports.inputs import read_months, read_period
from backend.reports.periods import Period
from backend.reports.schemas import PeriodReport
from backend.reports.scorers import CompiledScorer, EngineScorer, rules


def compute(session: Session, unit: OrgUnit, period: Period, *, as_of: datetime,
            detail: bool = False) -> PeriodReport:
    """The period's report for the unit; with `detail`, every compound also carries its
    findings by catalog code and the engine's full trace."""
    if not detail and (r := rules()) is not None:
        if period.whole_months and len(period.months) == 1:
            reports = compute_months(session, unit, [period], as_of=as_of)
            return reports[period.key]
        with _no_cyclic_gc():
            read = read_period(session, unit, period, as_of=as_of, r=r)
            report = None if read is None else assemble(
                unit, period, as_of, read[0], read[1], CompiledScorer(r, period, read[2]))
        if report is not None:
            return report
    shared, inputs, observations = read_period(session, unit, period, as_of=as_of, r=None)
    report = assemble(unit, period, as_of, shared, inputs, EngineScorer(period, observations))
    return report if detail else _without_traces(report)


def compute_months(session: Session, unit: OrgUnit, months: list[Period], *,
                   as_of: datetime, recurrence: bool = True) -> dict[str, PeriodReport]:
    """{period key: report} for several whole months, each equal to `compute` for that month
    alone (without detail), from one pass of GROUP BY month, compound statements. Without
    `recurrence`, every report's `recurrent` list is empty (not computed)."""
    if not months:
        return {}
    r = rules()
    if r is not None:
        with _no_cyclic_gc():
            read = read_months(session, unit, months, as_of=as_of, r=r, recurrence=recurrence)
            if read is not None:
                shared, inputs, observations = read
                scorer = CompiledScorer(r, months[0], observations)
                reports = {p.key: assemble(unit, p, as_of, shared, inputs[p.key], scorer)
                           for p in months}
                if all(report is not None for report in reports.values()):
                    return reports
    shared, inputs, observations = read_months(session, unit, months, as_of=as_of, r=None,
                                               recurrence=recurrence)
    scorer = EngineScorer(months[0], observations)
    return {p.key: _without_traces(assemble(unit, p, as_of, shared, inputs[p.key], scorer))
            for p in months}


def _without_traces(report: PeriodReport) -> PeriodReport:
    """The report as the bulk path gives it: a ranking, not a drill-down."""
    for row in report.compounds:
        row.findings = row.detail = None
    return report


@contextmanager
def _no_cyclic_gc():  # noqa: ANN202
    """Builds hundreds of thousands of small objects, none of them in a reference cycle: the
    cyclic collector would rescan the growing heap again and again (a third of the time) for
    nothing. Reference counting still frees everything; the collector runs again afterwards,
    as before (unless something else had switched it off)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
