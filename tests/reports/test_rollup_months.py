"""Issue 7, round 3: several months in one pass, and the recurrence query, give the numbers of
the month-by-month computation and of a plain reading of the rows."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import select

from backend.findings.models import Finding, Ticket
from backend.ids import new_id
from backend.inspections.models import Inspection, observations_digest
from backend.organisation.models import Compound
from backend.reports import aggregate, rollup
from backend.reports.periods import parse_period
from tests.reports.test_period_scenario import _log, build_september

ZONE = ZoneInfo("Asia/Shanghai")


def _inspect(client, world, clock, compound: str, month: int, observations: dict) -> None:  # noqa: ANN001
    clock.set(2026, month, 20, 10, 0)
    headers = world.headers("supervisor")
    body = {"id": str(new_id()), "compound_id": str(world.compounds[compound].id),
            "rubric_id": "P", "period_start": f"2026-{month:02d}-01",
            "period_end": f"2026-{month:02d}-{30 if month in (9, 11) else 31}"}
    assert client.post("/api/inspections", json=body, headers=headers).status_code == 201
    r = client.post(f"/api/inspections/{body['id']}/submit", headers=headers,
                    json={"observations": observations})
    assert r.status_code == 200, r.text


def _build_autumn(api, clock, client, world) -> None:  # noqa: ANN001
    """September as in the scenario, plus findings, cases, cancellations and P inspections in
    August and October at several compounds (some repeated in consecutive months)."""
    build_september(api, clock, client, world)
    for compound in ("east_a", "east_b"):
        _log(api, clock, "JC04", (2026, 8, 12, 10, 0), building="5号楼", compound=compound)
        _log(api, clock, "JC04", (2026, 10, 12, 10, 0), building="5号楼", compound=compound)
        _log(api, clock, "HJ01", (2026, 8, 13, 10, 0), compound=compound, building=None)
        _log(api, clock, "HJ01", (2026, 9, 13, 10, 0), compound=compound, building=None)
        cancelled = _log(api, clock, "LH02", (2026, 10, 14, 10, 0), building="1号楼",
                         compound=compound)
        assert api.event("supervisor", cancelled, "cancel", note="误报").status_code == 201
        _log(api, clock, "LH02", (2026, 9, 14, 10, 0), building="1号楼", compound=compound)
    for day in (5, 12, 19, 26):  # a key problem in October
        _log(api, clock, "HJ07", (2026, 10, day, 9, 0), source="hotline",
             case_no=f"12345-{new_id().hex[:8]}", case_level="district", building="2号楼")
    _inspect(client, world, clock, "east_a", 8, {"1": {"missing_plans": 1}})
    _inspect(client, world, clock, "east_a", 10, {"B1": {"activities": 2},
                                                  "B2": {"satisfaction": {"value": 92,
                                                                          "sample": 85}}})
    _inspect(client, world, clock, "east_b", 10, {"5": {"no_sign_in": 1}})


def test_the_months_in_one_pass_equal_each_month_alone(api, clock, client, world, db):
    _build_autumn(api, clock, client, world)
    clock.set(2026, 11, 30, 12, 0)
    headers = world.headers("supervisor")
    for unit in ("east", "district"):
        params = {"unit_id": str(world.units[unit].id)}
        r = client.get("/api/reports/2026/monthly", params=params, headers=headers)
        assert r.status_code == 200, r.text
        months = {m["period"]["key"]: m for m in r.json()["months"]}
        assert list(months) == [f"2026-{m:02d}" for m in range(1, 13)]
        for key in ("2026-08", "2026-09", "2026-10", "2026-11"):
            detailed = client.get(f"/api/reports/{key}", params=params | {"detail": "true"},
                                  headers=headers).json()
            assert [(c["compound_id"], c["total"], c["rank"]) for c in months[key]["compounds"]] \
                == [(c["compound_id"], c["total"], c["rank"]) for c in detailed["compounds"]]
            assert months[key]["prizes"] == detailed["prizes"]
            assert months[key]["streets"] == detailed["streets"]
    # the whole reports, in-process: one pass over three months = three single months
    unit = world.units["district"]
    periods = [parse_period(k) for k in ("2026-08", "2026-09", "2026-10")]
    as_of = datetime(2026, 11, 30, 12, 0, tzinfo=ZONE)
    together = rollup.compute_months(db, unit, periods, as_of=as_of)
    for p in periods:
        detailed = rollup.compute(db, unit, p, as_of=as_of, detail=True)
        assert all(row.detail and row.findings is not None for row in detailed.compounds)
        for row in detailed.compounds:
            row.findings = row.detail = None
        assert together[p.key] == detailed == rollup.compute(db, unit, p, as_of=as_of)
    assert together["2026-09"].recurrent and together["2026-10"].recurrent
    # the year's rankings skip recurrence (GET …/monthly shows none): everything else equal
    lean = rollup.compute_months(db, unit, periods, as_of=as_of, recurrence=False)
    assert lean == {key: replace(report, recurrent=[]) for key, report in together.items()}
    ranked = [c for c in together["2026-10"].compounds if c.rank]
    assert len(ranked) == 2  # east_a and east_b were inspected in October



def test_inspections_are_scored_by_the_digest_of_their_observations(api, clock, client, world, db):
    """Submission stores the observations' digest (ix_inspection_rubric_period covers it); a row
    without one, written around the ORM, is read, digested and scored the same."""
    _build_autumn(api, clock, client, world)
    stored = db.exec(select(Inspection).where(Inspection.submitted_at.is_not(None))).all()
    assert stored and all(i.observations_digest == observations_digest(i.observations)
                          for i in stored)
    assert observations_digest({"1": {"a": 1}, "B1": {"b": 2.5}}) == \
        observations_digest({"B1": {"b": 2.5}, "1": {"a": 1}})
    unit = world.units["district"]
    periods = [parse_period(k) for k in ("2026-08", "2026-09", "2026-10")]
    as_of = datetime(2026, 11, 30, 12, 0, tzinfo=ZONE)
    quarter = parse_period("2026Q3")
    before = (rollup.compute_months(db, unit, periods, as_of=as_of),
              rollup.compute(db, unit, quarter, as_of=as_of))
    db.execute(update(Inspection.__table__).values(observations_digest=None))
    assert (rollup.compute_months(db, unit, periods, as_of=as_of),
            rollup.compute(db, unit, quarter, as_of=as_of)) == before

def _plain_recurrences(db, months: list[int]) -> list[dict]:  # noqa: ANN001
    """Recurrence read off the rows: non-cancelled findings counted per problem and month."""
    rows = db.exec(select(Finding.compound_id, Finding.catalog_code, Finding.building,
                          Finding.month, Ticket.state).join(Ticket, Ticket.id == Finding.id)).all()
    counts = Counter((c, code, b, m) for c, code, b, m, state in rows
                     if code is not None and state != "cancelled")
    out = []
    for (c, code, b, m), n in counts.items():
        before = m - 89 if m % 100 == 1 else m - 1
        if m in months and counts.get((c, code, b, before)):
            out.append({"compound_id": str(c), "catalog_code": code, "building": b, "month": m,
                        "count": n, "previous_month_count": counts[(c, code, b, before)]})
    return sorted(out, key=lambda r: (r["compound_id"], r["catalog_code"], r["month"],
                                      r["building"] or ""))


def _recurrences(db, compounds, period) -> list[dict]:  # noqa: ANN001
    return [{"compound_id": aggregate._text(c), "catalog_code": code, "building": building,
             "month": month, "count": n, "previous_month_count": prev}
            for c, code, building, month, n, prev in aggregate.recurrence_rows(
                db, compounds, period.months)]


def test_recurrence_rows_are_those_of_the_rows(api, clock, client, world, db):
    _build_autumn(api, clock, client, world)
    # across the turn of the year, and a problem whose only earlier finding is cancelled
    _log(api, clock, "JC01", (2026, 12, 28, 10, 0), building="7号楼")
    _log(api, clock, "JC01", (2027, 1, 4, 10, 0), building="7号楼")
    _log(api, clock, "JC01", (2027, 1, 5, 10, 0), building="7号楼")
    gone = _log(api, clock, "JC02", (2026, 12, 28, 11, 0), building=None)
    assert api.event("supervisor", gone, "cancel", note="误报").status_code == 201
    _log(api, clock, "JC02", (2027, 1, 6, 10, 0), building=None)
    db.expire_all()
    key = lambda r: (r["compound_id"], r["catalog_code"], r["month"], r["building"] or "")  # noqa: E731
    for unit in ("east", "district"):
        ids = select(Compound.id).where(
            aggregate.compounds_under(world.units[unit].level, world.units[unit].id))
        for period in ("2026-09", "2026-10", "2026Q4", "2027-01", "2026-08-01..2027-01-31"):
            p = parse_period(period)
            got = _recurrences(db, ids, p)
            assert sorted(got, key=key) == _plain_recurrences(db, p.months), period
    got = _recurrences(db, None, parse_period("2027-01"))
    assert [(r["catalog_code"], r["building"], r["count"], r["previous_month_count"])
            for r in got] == [("JC01", "7号楼", 2, 1)]
    october = _recurrences(db, None, parse_period("2026-10"))
    # LH02 at 1号楼 in October was cancelled: not a recurrence of September's
    assert october and all(r["catalog_code"] != "LH02" for r in october)
