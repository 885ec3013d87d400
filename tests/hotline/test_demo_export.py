"""The demo town's November 12345 export (tests/hotline/export.py), imported as a supervisor
would import it: each compound's hotline case deductions for the month (seed 002 §四(一)), the
review queue of the orders that match no compound, the Excel variant, and a second import.

The expectation is computed from the export's truth with the seed's rules (export.case_counts),
never with the backend's scoring code. The demo's own month (backend/demo_activity.py, played
relative to today's date) may already hold hotline cases: the report before the import is the
base, and the file's problems are none of the demo's (export.DEMO_PROBLEMS).
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import Session, select

from backend.auth.models import User
from backend.demo import TOWN, load_demo
from backend.organisation.models import Compound, OrgUnit
from tests.hotline.export import (
    COMPOUNDS,
    LEVELS,
    NOW,
    TZ,
    Export,
    Order,
    case_counts,
    generate,
    table,
    to_csv_gbk,
    to_xlsx,
)

SEED = 20261130
PERIOD = "2026-11"


@pytest.fixture(scope="module")
def export() -> Export:
    return generate(seed=SEED)


@pytest.fixture(scope="module")
def csv_file(export: Export) -> bytes:
    return to_csv_gbk(export)


@pytest.fixture
def town(db: Session) -> tuple[User, OrgUnit]:
    """The demo loaded; the district supervisor (王科长, over XX区) and the town. The demo
    publishes the month before today's (backend/demo_activity.py), and an import never changes
    a published month: when that month is November 2026, the supervisor reopens it first, as
    they would to take in a late export."""
    from backend.dbtypes import utcnow
    from backend.reports import service as reports
    from backend.reports.models import PeriodPublication
    from backend.reports.periods import parse_period

    load_demo(db)
    user = db.exec(select(User).where(User.username == "supervisor")).one()
    unit = db.exec(select(OrgUnit).where(OrgUnit.name == TOWN)).one()
    period = parse_period(PERIOD)
    for row in db.exec(select(PeriodPublication).where(
            PeriodPublication.period_key == period.key, PeriodPublication.reopened_at.is_(None))):
        reports.reopen(db, db.get(OrgUnit, row.scope_unit_id), period, actor_id=user.id,
                       reason="补录12345热线工单", now=utcnow())
    return user, unit


def _service():
    """The hotline service, imported here: the generator's own test runs without it."""
    from backend.hotline import service

    return service


def _counts(report) -> tuple[int, ...]:
    return tuple(getattr(report, k) for k in
                 ("created", "updated", "unchanged", "review", "conflicts", "duplicates"))


def _errors(report) -> list[tuple]:
    return [(e.line, e.column, e.message) for e in report.errors]


def _cases(db: Session, unit: OrgUnit) -> dict[str, dict[str, int]]:
    """Each of the town's compounds' hotline case counts in the November report as of NOW."""
    from backend.reports import service as reports
    from backend.reports.periods import parse_period

    report = reports.report(db, unit, parse_period(PERIOD), now=NOW)
    return {c.name: dict(c.cases) for c in report.compounds if c.name in COMPOUNDS}


def _plus(base: dict[str, dict[str, int]], more: dict[str, dict[str, int]]) -> dict:
    out = {name: dict(base.get(name, {})) for name in COMPOUNDS}
    for name, counts in more.items():
        for kind, n in counts.items():
            out[name][kind] = out[name].get(kind, 0) + n
    return out


# The hotline service as it stands (backend/hotline/service.py): the caller's scope is passed
# in, the queue is a page (rows, total), and the alias to save is the address's variant.

def _import(db: Session, user: User, raw: bytes, filename: str):
    from backend.auth.scope import scope_for

    return _service().import_file(db, user, raw, filename=filename, mapping=None,
                                  scope=scope_for(db, user), now=NOW)


def _queue(db: Session, user: User) -> list:
    """The export's orders waiting for review (the demo's own export has one waiting too)."""
    from backend.auth.scope import scope_for

    from backend.hotline import review

    rows, total = review.review_queue(db, scope_for(db, user), limit=500)
    assert total == len(rows)
    return [row for row in rows if row.case_no.startswith("GD")]


def _resolve(db: Session, user: User, case_no: str, *, compound_id, catalog_code: str,
             alias: str) -> None:
    from backend.auth.scope import scope_for

    from backend.hotline import review

    review.resolve(db, user, scope_for(db, user), case_no, compound_id=compound_id,
                   catalog_code=catalog_code, alias=alias, now=NOW)


def _stored(db: Session, case_nos: set[str]) -> dict[str, tuple]:
    """The cases the import stored, by 工单编号: what the truth says of each."""
    from backend.findings.models import Finding, Ticket

    rows = db.exec(select(Finding, Ticket, Compound.name)
                   .join(Ticket, Ticket.id == Finding.id)
                   .join(Compound, Compound.id == Finding.compound_id)
                   .where(Finding.case_no.in_(case_nos))).all()
    return {f.case_no: (name, f.catalog_code, f.building, str(f.source), f.observed_at,
                        t.dispatched_at, t.due_at, t.rectified_at, t.state == "closed",
                        str(f.case_level))
            for f, t, name in rows}


def _truth(orders: list[Order]) -> dict[str, tuple]:
    return {o.case_no: (o.compound, o.code, o.building, "hotline", o.accepted_at, o.accepted_at,
                        o.due_at, o.replied_at, o.status == "办结", LEVELS[o.level])
            for o in orders if o.compound is not None}


def _check_stored(db: Session, orders: list[Order]) -> None:
    """Each order at a compound is stored as the export says; nothing else is."""
    stored = _stored(db, {o.case_no for o in orders})
    truth = _truth(orders)
    differences = _differences(stored, truth)
    assert differences == [], f"{len(differences)} differences, the first:\n" + \
        "\n".join(differences[:20])
    assert not stored.keys() - truth.keys()


FIELDS = ("compound", "catalog_code", "building", "source", "observed_at", "dispatched_at",
          "due_at", "rectified_at", "closed", "case_level")


def _differences(stored: dict[str, tuple], truth: dict[str, tuple]) -> list[str]:
    out = [f"{no}: not stored" for no in sorted(truth.keys() - stored.keys())]
    for no in sorted(truth.keys() & stored.keys()):
        out += [f"{no} {name}: stored {_show(got)}, the export says {_show(want)}"
                for name, got, want in zip(FIELDS, stored[no], truth[no]) if got != want]
    return out


def _show(value: object) -> str:
    return value.astimezone(TZ).isoformat(" ") if isinstance(value, datetime) else repr(value)


def _address(order) -> str:
    """A waiting order's 诉求地址 (as the export stated it)."""
    return getattr(order, "address", None) or order.stated["address"]


# ---------------------------------------------------------------- the export itself

def test_the_generated_export_is_the_month_the_issue_describes(export: Export, csv_file: bytes):
    """300 orders of November (290 at the compounds, 30 of them in variant forms, 10 at no
    compound), 5 rows repeated, a GBK CSV with a two-line header, replies late and on time, and
    problems reported often enough for 反复 and 重点, some folded within their deadline."""
    assert generate(seed=SEED).rows == export.rows  # deterministic
    text = csv_file.decode("gbk")
    lines = text.splitlines()
    assert lines[0].startswith("工单编号,时间,,诉求内容") and lines[1].startswith(",受理时间,回复时间")
    assert len(lines) == 2 + 305
    with pytest.raises(UnicodeDecodeError):
        csv_file.decode("utf-8")
    statuses = {o.status for o in export.orders}
    assert statuses == {"办结", "退单", "延期", "处理中"}
    late = [o for o in export.orders if o.replied_at and o.replied_at > o.due_at]
    assert 50 <= len(late) <= 70
    assert sum(o.time_limit is None for o in export.orders) == 40
    counts = case_counts(export.matched, NOW)
    assert sum(c.get("repeated", 0) for c in counts.values()) >= 3
    assert sum(c.get("key_problem", 0) for c in counts.values()) >= 3
    assert to_xlsx(export)[:4] == b"PK\x03\x04"


# ---------------------------------------------------------------- the import

def test_importing_the_towns_november_export_gives_each_compound_its_case_deductions(
        db: Session, town, export: Export, csv_file: bytes):
    """The GBK CSV: 290 cases created, the 10 orders at no compound to the review queue, the 5
    repeated rows counted once, no error; each compound's 超时, 核查不符, 反复 and 重点 for
    November as seed 002 counts them from the orders (推诿 is a supervisor's, never the file's)."""
    user, unit = town
    before = _cases(db, unit)
    report = _import(db, user, csv_file, "工单.csv")
    assert _errors(report) == []
    assert _counts(report) == (290, 0, 0, 10, 0, 5)
    expected = _plus(before, case_counts(export.matched, NOW))
    assert _cases(db, unit) == expected, "expected:\n" + table(expected)


def test_each_matched_order_is_stored_as_a_case_of_its_compound(
        db: Session, town, export: Export, csv_file: bytes):
    """Every order at a compound is that compound's hotline case: its catalog type (the first
    rule of rubrics/hotline.yaml), building ("三号楼", "3栋", "3幢" → 3号楼), observed and
    dispatched at 受理时间, due at 办理时限 or else the catalog's deadline, rectified at 回复时间,
    closed when 办结, 市级/区级 as its level."""
    user, _ = town
    _import(db, user, csv_file, "工单.csv")
    _check_stored(db, export.orders)  # and nothing of the unmatched ten


def test_the_review_queue_holds_exactly_the_ten_unmatched_orders_and_resolving_them_scores_them(
        db: Session, town, export: Export, csv_file: bytes):
    """The ten orders at places that are no compound wait for a person; once each is assigned
    (the four at the market to 丹枫园, where they are one problem reported four times), the
    month's case counts include them."""
    user, unit = town
    before = _cases(db, unit)
    _import(db, user, csv_file, "工单.csv")
    queue = _queue(db, user)
    assert sorted((o.case_no, _address(o)) for o in queue) == \
        sorted((o.case_no, o.address) for o in export.unmatched)

    compounds = {c.name: c.id
                 for c in db.exec(select(Compound).where(Compound.name.in_(COMPOUNDS)))}
    for order in export.unmatched:
        if order.case_no not in {o.case_no for o in _queue(db, user)}:
            continue  # assigned with an earlier order's saved address
        _resolve(db, user, order.case_no,
                 compound_id=compounds[export.review_answers[order.case_no]],
                 catalog_code=order.code, alias=order.address.removeprefix(TOWN))
    assert _queue(db, user) == []
    _check_stored(db, export.resolved())
    expected = _plus(before, case_counts(export.resolved(), NOW))
    assert _cases(db, unit) == expected, "expected:\n" + table(expected)


def test_the_excel_variant_with_merged_cells_and_serial_dates_imports_the_same(
        db: Session, town, export: Export, csv_file: bytes):
    """The .xlsx (a merged title row, a two-line header of merged cells, 受理时间 as date serial
    numbers in some rows, a blank row in the middle) stores the CSV's cases: each as the export
    says, the same counts, and the CSV imported after it changes nothing."""
    user, unit = town
    before = _cases(db, unit)
    report = _import(db, user, to_xlsx(export), "工单.xlsx")
    assert _errors(report) == []
    assert _counts(report) == (290, 0, 0, 10, 0, 5)
    _check_stored(db, export.orders)
    expected = _plus(before, case_counts(export.matched, NOW))
    assert _cases(db, unit) == expected, "expected:\n" + table(expected)
    again = _import(db, user, csv_file, "工单.csv")
    assert _errors(again) == []
    assert (again.created, again.updated, again.conflicts) == (0, 0, 0)
    assert _cases(db, unit) == expected


def test_importing_the_same_file_again_changes_nothing(
        db: Session, town, export: Export, csv_file: bytes):
    """A second import of the same file: nothing created or updated, the 290 cases unchanged,
    the ten unmatched orders still waiting once each, the scores as they were."""
    user, unit = town
    _import(db, user, csv_file, "工单.csv")
    scores = _cases(db, unit)
    again = _import(db, user, csv_file, "工单.csv")
    assert _errors(again) == []
    assert (again.created, again.updated, again.conflicts) == (0, 0, 0)
    assert again.duplicates == 5
    assert sorted(o.case_no for o in _queue(db, user)) == \
        sorted(o.case_no for o in export.unmatched)
    assert _cases(db, unit) == scores
    # the 290 cases are unchanged; the ten orders waiting for a person are not cases
    assert again.unchanged == 290

