"""Benchmark: period roll-ups over 1,000,000 findings and the overdue dashboard (issue 7).

Run:  .venv/bin/python tests/bench/bench_rollup.py [--pg URL] [--write-results]
                                                   [--runs 5] [--db PATH] [--reuse]

What it does, in one process:
1. a fresh database built by the migrations (`backend.migrate.upgrade`): SQLite in a temporary
   folder (or `--db PATH`; `--reuse` keeps a database this script generated before), and with
   `--pg URL` a PostgreSQL database whose name must contain "bench" (its public schema is
   dropped and rebuilt);
2. a district of 10 streets/towns, 100 communities, 10,000 compounds and 400 companies, and
   1,000,000 findings with their tickets observed over the 12 months of 2026, inserted with Core
   executemany straight into the tables (the rows the API writes: same columns, month = yyyymm
   of the observed time in Asia/Shanghai, due times from the real catalog and work-time engine,
   state / rectified_at / closed_at / cancelled_at / overdue_at_close / version coherent).
   ~2% cancelled; of the rest ~19% overdue at the report instant (late rectifications, open or
   unverified past due); 5% are hotline cases, clustered as the same problem reported 1–5
   times in a month (some while the previous report is still within its deadline), 2% shirked,
   2% failing the callback check. Every compound has a submitted P inspection per month
   (observations drawn from a small set, scored by the engine like the API does), 400
   demonstration projects, and half the companies a direct score per month;
3. measures, in-process, the median of `--runs` runs after one warm-up:
   (a) `backend.reports.rollup.compute` for the district, period 2026-06: all 10,000
       compounds' scores, the town and community rankings, prizes, companies, recurrence;
   (b) the 12 months of 2026 in one pass: `rollup.compute_months` (its June report is checked
       against (a));
   (c) `GET /api/tickets?overdue=true&street_id=<a town>&limit=50` and `GET /api/dashboard/overdue`
       as the district supervisor, through the FastAPI app in-process, timed at the server by
       an ASGI wrapper (from the request reaching the app to the last body byte);
   (d) bare SQL on the same rows, through the DBAPI cursor: the GROUP BY for one month and for
       all months, and the indexed overdue query; product numbers are reported as ratios.
4. prints the query plans (EXPLAIN QUERY PLAN / EXPLAIN) of every statement the roll-up and the
   overdue page issue, captured while they run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
RESULTS = REPO / "tests" / "bench" / "RESULTS.md"
SECTION = "## Period roll-ups (issue 7)"
ZONE = ZoneInfo("Asia/Shanghai")
YEAR = 2026
# The report instant: the last working afternoon of the year.
NOW = datetime(2026, 12, 31, 17, 0, tzinfo=ZONE)
N_STREETS, N_COMMUNITIES_PER, N_COMPANIES = 10, 10, 400


def _uuid7(ms: int, rnd: random.Random) -> uuid.UUID:
    """A time-ordered id like the phones generate (UUIDv7)."""
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | rnd.getrandbits(12) << 64 \
        | 0b10 << 62 | rnd.getrandbits(62)
    return uuid.UUID(int=value)


# ------------------------------------------------------------------ data generation

def generate(engine, n_compounds: int, n_findings: int, seed: int) -> dict:  # noqa: ANN001, C901
    from sqlalchemy import insert
    from sqlmodel import Session

    from backend.auth import users
    from backend.auth.models import Role, UserCreate
    from backend.findings import deadlines, repository
    from backend.findings.repository import NewFinding
    from backend.inspections.models import Inspection, observations_digest
    from backend.organisation.models import Company, Compound, OrgUnit
    from backend.reports.models import CompanyDirectScore, DemonstrationProject
    from backend.rubrics.loader import load_dir
    from backend.config import get_settings
    from backend.scoring.engine import score
    from backend.scoring.observations import from_data

    rnd = random.Random(seed)
    started = time.perf_counter()
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    ids = lambda: _uuid7(int(t0.timestamp() * 1000) + rnd.randrange(10**6), rnd)  # noqa: E731

    def put(table, rows: list[dict], chunk: int = 20_000) -> None:  # noqa: ANN001
        for i in range(0, len(rows), chunk):
            with engine.begin() as conn:
                conn.execute(insert(table), rows[i:i + chunk])

    # organisation
    district = ids()
    units = [dict(id=district, name="基准区", level="district", code=None, parent_id=None,
                  district_id=district, street_id=None, community_id=None, created_at=t0)]
    streets, communities = [], []
    for s in range(N_STREETS):
        sid = ids()
        streets.append(sid)
        units.append(dict(id=sid, name=f"{'街道' if s % 2 else '镇'}{s + 1:02d}",
                          level="street" if s % 2 else "town", code=None, parent_id=district,
                          district_id=district, street_id=sid, community_id=None, created_at=t0))
        for c in range(N_COMMUNITIES_PER):
            cid = ids()
            communities.append((cid, sid))
            units.append(dict(id=cid, name=f"社区{s + 1:02d}-{c + 1:02d}", level="community",
                              code=None, parent_id=sid, district_id=district, street_id=sid,
                              community_id=cid, created_at=t0))
    put(OrgUnit.__table__, units)
    companies = [ids() for _ in range(N_COMPANIES)]
    put(Company.__table__, [dict(id=c, name=f"基准物业服务有限公司{i + 1:03d}", credit_code=None,
                                 credit_grade=None, community_run=False, phone=None, created_at=t0)
                            for i, c in enumerate(companies)])
    compounds = []
    for i in range(n_compounds):
        community, street = communities[i % len(communities)]
        company = None if rnd.random() < 0.03 else rnd.choice(companies)
        compounds.append(dict(
            id=ids(), name=f"小区{i + 1:05d}", address=None,
            building_area_m2=rnd.randrange(8_000, 200_000), households=rnd.randrange(80, 3000),
            company_moved_in_on=date(2020, 1, 1), is_old=rnd.random() < 0.2,
            has_party_branch=False, latitude=None, longitude=None, community_id=community,
            street_id=street, district_id=district, company_id=company, created_at=t0,
            updated_at=t0))
    put(Compound.__table__, compounds)
    with Session(engine) as session:
        accounts = {}
        for name, role, unit_ids in (("bench_supervisor", Role.supervisor, [district]),
                                     ("bench_inspector", Role.inspector, [district])):
            accounts[name] = users.create_user(session, UserCreate(
                username=name, display_name=name, role=role, password="correct-horse-9",
                unit_ids=unit_ids), actor_id=None).id
        session.commit()
    reporter = accounts["bench_inspector"]

    # findings and tickets
    catalog = deadlines.catalog()
    codes = [e.code for e in catalog.entries]
    weights = [1 / (k + 1) for k in range(len(codes))]  # a few problems are far more common
    config = deadlines.worktime()
    n_hotline = n_findings // 20
    month_starts = [datetime(YEAR, m, 1, tzinfo=ZONE) for m in range(1, 13)] + \
        [datetime(YEAR + 1, 1, 1, tzinfo=ZONE)]
    due_cache: dict = {}

    def due(code: str, dispatched: datetime):  # noqa: ANN202
        key = (code, dispatched.replace(second=0, microsecond=0))
        if key not in due_cache:
            due_cache[key] = deadlines.deadline_for(catalog.entry(code), key[1], config)
        return due_cache[key]

    seq = [0]
    rows: list[NewFinding] = []  # written by the product's one write path (repository.insert)
    stats = {"overdue": 0, "open": 0, "rectified": 0, "closed": 0, "cancelled": 0, "hotline": 0}

    def add(compound: dict, code: str, observed: datetime, source: str, building: str | None,
            case: bool = False) -> datetime:
        seq[0] += 1
        fid = _uuid7(int(observed.timestamp() * 1000), rnd)
        dispatched = observed + timedelta(seconds=rnd.randrange(5, 600))
        d = due(code, dispatched)
        state, rectified, closed, cancelled, version = "closed", None, None, None, 3
        u = rnd.random()
        if u < 0.02:
            state, cancelled, version = "cancelled", dispatched + timedelta(hours=2), 2
        elif d.due_at > NOW:
            v = rnd.random()
            if v < 0.6:
                state, version = "open", 1
            else:
                rectified = dispatched + (min(d.due_at, NOW) - dispatched) * rnd.random()
                if v < 0.8:
                    state, version = "rectified", 2
                else:
                    closed = min(NOW, rectified + timedelta(hours=rnd.uniform(0.5, 6)))
        else:
            v = rnd.random()
            if v < 0.05:
                state, version = "open", 1
            else:
                late = rnd.random() < 0.15
                rectified = (d.due_at + timedelta(hours=rnd.uniform(0.5, 120))) if late else \
                    dispatched + (d.due_at - dispatched) * rnd.random()
                rectified = min(rectified, NOW - timedelta(minutes=1))
                if v < 0.07:
                    state, version = "rectified", 2
                else:
                    closed = min(NOW, rectified + timedelta(hours=rnd.uniform(0.5, 48)))
        overdue = state != "cancelled" and (
            (rectified is not None and rectified > d.due_at)
            or (state != "closed" and rectified is None and d.due_at < NOW))
        stats["overdue"] += overdue
        stats[state] += 1
        month = observed.astimezone(ZONE).year * 100 + observed.astimezone(ZONE).month
        common = dict(id=fid, compound_id=compound["id"], district_id=district,
                      street_id=compound["street_id"], company_id=compound["company_id"],
                      catalog_code=code, source=source, month=month, change_seq=seq[0])
        finding = common | dict(
            community_id=compound["community_id"], reporter_id=reporter, inspection_id=None,
            rubric_item=None, description="基准数据", building=building, location_text=None,
            latitude=None, longitude=None, accuracy_m=None,
            case_no=f"12345-{seq[0]:08d}" if case else None,
            case_level=("city" if rnd.random() < 0.3 else "district") if case else None,
            case_shirking=case and rnd.random() < 0.02,
            case_callback_failed=case and rnd.random() < 0.02,
            observed_at=observed, client_observed_at=observed, received_at=dispatched,
            clock_skew_seconds=0, time_flag=None, photos_declared=0, photos_held=0,
            content_hash=fid.hex * 2)
        ticket = common | dict(
            state=state, dispatched_at=dispatched, deadline_amount=d.amount,
            deadline_unit=d.unit, schedule_key=d.schedule_key, due_at=d.due_at,
            due_provisional=d.provisional, rectified_at=rectified, closed_at=closed,
            cancelled_at=cancelled,
            overdue_at_close=(rectified > d.due_at) if state == "closed" else None,
            version=version)
        # the events that brought the ticket to its state, every transition one
        steps = [("dispatch", dispatched, None, "open")]
        if cancelled:
            steps.append(("cancel", cancelled, "open", "cancelled"))
        if rectified:
            steps.append(("rectify", rectified, "open", "rectified"))
        if closed:
            steps.append(("close", closed, "rectified", "closed"))
        # ids derived from the finding's (no draw from `rnd`: the data stay those of the seed)
        events = [dict(id=uuid.uuid5(fid, kind), ticket_id=fid,
                       seq=n + 1, kind=kind, actor_id=reporter, at=at, client_at=None,
                       received_at=at, clock_skew_seconds=0, time_flag=None, from_state=before,
                       to_state=after, note=None, detail={}, content_hash=None)
                  for n, (kind, at, before, after) in enumerate(steps)]
        rows.append(NewFinding(finding, ticket, events, []))
        return d.due_at

    def moment(month: int) -> datetime:
        start, end = month_starts[month - 1], month_starts[month]
        day = start + timedelta(seconds=rnd.randrange(int((end - start).total_seconds())))
        return day.replace(hour=rnd.randrange(8, 18))

    def flush() -> None:
        for i in range(0, len(rows), 20_000):
            with Session(engine) as session:
                repository.insert(session, rows[i:i + 20_000])
                session.commit()
        rows.clear()

    made = 0
    while stats["hotline"] < n_hotline:  # the same problem reported 1-5 times in a month
        compound, month = rnd.choice(compounds), rnd.randrange(1, 13)
        code = rnd.choices(codes, weights)[0]
        building = f"{rnd.randrange(1, 21)}号楼"
        at = moment(month)
        for _ in range(rnd.choices((1, 2, 3, 4, 5), (40, 25, 20, 10, 5))[0]):
            due_at = add(compound, code, at, "hotline", building, case=True)
            stats["hotline"] += 1
            made += 1
            # the next report: sometimes while this one is still within its deadline
            at = at + (due_at - at) * 0.5 if rnd.random() < 0.3 else \
                at + timedelta(days=rnd.uniform(2, 9))
            if at >= month_starts[month]:
                break
    sources = ("patrol", "announced", "unannounced")
    while made < n_findings:
        compound = compounds[rnd.randrange(n_compounds)]
        building = f"{rnd.randrange(1, 21)}号楼" if rnd.random() < 0.6 else None
        add(compound, rnd.choices(codes, weights)[0], moment(rnd.randrange(1, 13)),
            rnd.choices(sources, (65, 20, 15))[0], building)
        made += 1
        if len(rows) >= 100_000:
            flush()
    flush()

    # P inspections, one per compound and month, scored like the API does (memoised)
    lib = load_dir(get_settings().rubrics_dir)
    p_rubric = lib.rubrics()["P"]
    memo: dict[str, dict] = {}
    inspections = []
    for m in range(1, 13):
        start = date(YEAR, m, 1)
        end = (month_starts[m] - timedelta(days=1)).date()
        for compound in compounds:
            obs: dict = {}
            if rnd.random() < 0.3:
                obs["1"] = {"missing_plans": rnd.randrange(1, 4)}
            if rnd.random() < 0.1:
                obs["2"] = {"feedback_missing": 1}
            if rnd.random() < 0.05:
                obs["3"] = {"mishandled": 1}
            if rnd.random() < 0.01:
                obs.setdefault("3", {})["delay_or_shirk"] = 1  # needs configuration
            if rnd.random() < 0.05:
                obs["4"] = {"not_completed": 1}
            if rnd.random() < 0.05:
                obs["5"] = {"no_sign_in": 1}
            if rnd.random() < 0.4:
                obs["B1"] = {"activities": rnd.randrange(1, 4)}
            if rnd.random() < 0.2:
                obs["B2"] = {"satisfaction": {"value": rnd.choice((75, 85, 92)), "sample": 85}}
            key = json.dumps(obs, sort_keys=True)
            if key not in memo:
                parsed = next(iter(from_data({"subject": "x", "observations": obs}).values()))
                memo[key] = score(p_rubric, parsed).to_dict()
            result = memo[key]
            started_at = datetime(YEAR, m, 10, 9, tzinfo=ZONE) + timedelta(minutes=rnd.randrange(600))
            seq[0] += 1
            inspections.append(dict(
                id=_uuid7(int(started_at.timestamp() * 1000), rnd), compound_id=compound["id"],
                unit_id=None, district_id=district, street_id=compound["street_id"],
                company_id=compound["company_id"], rubric_id="P",
                inspector_id=accounts["bench_inspector"], source="announced", period_start=start,
                period_end=end, started_at=started_at, submitted_at=started_at + timedelta(hours=1),
                observations=obs | {"_not_assessed": []},
                observations_digest=observations_digest(obs | {"_not_assessed": []}), notes={},
                result=result | {"subject": compound["name"]}, total=result["total"],
                grade=result["grade"], complete=result["complete"], month=YEAR * 100 + m,
                content_hash=uuid.uuid4().hex * 2, change_seq=seq[0]))
    put(Inspection.__table__, inspections, chunk=10_000)
    demos = [dict(id=ids(), compound_id=rnd.choice(compounds)["id"],
                  level=rnd.choices(("district", "city", "province", "national"), (60, 25, 10, 5))[0],
                  title="示范项目", completed_on=date(YEAR, rnd.randrange(1, 13), rnd.randrange(1, 29)),
                  recorded_by=accounts["bench_supervisor"], recorded_at=t0) for _ in range(400)]
    put(DemonstrationProject.__table__, demos)
    direct = [dict(id=ids(), company_id=c, period_key=f"{YEAR}-{m:02d}",
                   score=rnd.randrange(60, 100), recorded_by=accounts["bench_supervisor"],
                   recorded_at=t0) for c in companies[::2] for m in range(1, 13)]
    put(CompanyDirectScore.__table__, direct)
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    stats["seconds"] = round(time.perf_counter() - started, 1)
    stats["findings"] = n_findings
    print(f"generated in {stats['seconds']} s: {stats}", flush=True)
    return stats


# ------------------------------------------------------------------ measuring

def median_ms(fn, runs: int, warm: bool = True) -> tuple[float, list[float]]:  # noqa: ANN001
    if warm:
        fn()  # warm-up
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), times


class ServerTimer:
    """ASGI wrapper: time from the request entering the app to its last body byte."""

    def __init__(self, app) -> None:  # noqa: ANN001
        self.app, self.last = app, None

    async def __call__(self, scope, receive, send):  # noqa: ANN001
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()

        async def timed_send(message):  # noqa: ANN001, ANN202
            if message["type"] == "http.response.body" and not message.get("more_body"):
                self.last = (time.perf_counter() - start) * 1000
            await send(message)

        await self.app(scope, receive, timed_send)


def capture(engine, fn):  # noqa: ANN001, ANN201
    """The statements `fn` sends to the database, with their parameters."""
    from sqlalchemy import event

    seen = []

    def before(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return seen


def explain(engine, statements) -> list[str]:  # noqa: ANN001
    out = []
    with engine.connect() as conn:
        dbapi = conn.connection.dbapi_connection
        for statement, params in statements:
            first = statement.lstrip().split()[0].upper()
            if first not in ("SELECT", "WITH"):
                continue
            prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
            cur = dbapi.cursor()
            cur.execute(prefix + statement, params)
            rows = cur.fetchall()
            if engine.dialect.name == "sqlite":
                plan = "\n".join(f"{'  ' * _depth(rows, r)}{r[3]}" for r in rows)
            else:
                plan = "\n".join(r[0] for r in rows)
            short = " ".join(statement.split())
            out.append(f"-- {short[:400]}{' …' if len(short) > 400 else ''}\n{plan}")
    return out


def _depth(rows, row) -> int:  # noqa: ANN001
    parents = {r[0]: r[1] for r in rows}
    depth, parent = 0, row[1]
    while parent in parents:
        depth, parent = depth + 1, parents[parent]
    return depth


def bare(engine, kind: str):  # noqa: ANN001, ANN201
    """The floor: the same rows through the DBAPI cursor, no product code."""
    sqlite = engine.dialect.name == "sqlite"
    now = NOW.astimezone(timezone.utc)
    now_p = now.replace(tzinfo=None).isoformat(sep=" ") if sqlite else now
    mark = "?" if sqlite else "%s"
    overdue = (f"CASE WHEN state != 'closed' AND due_at < {mark} AND rectified_at IS NULL THEN 1 "
               "WHEN rectified_at > due_at THEN 1 ELSE 0 END")
    sqls = {
        "month": (f"SELECT compound_id, count(*), sum({overdue}) FROM ticket "
                  f"WHERE month = {mark} AND state != 'cancelled' GROUP BY compound_id",
                  (now_p, 202606)),
        "all": (f"SELECT compound_id, month, count(*), sum({overdue}) FROM ticket "
                f"WHERE month BETWEEN {mark} AND {mark} AND state != 'cancelled' "
                "GROUP BY month, compound_id", (now_p, 202601, 202612)),
    }

    def run(sql, params):  # noqa: ANN001, ANN202
        def go():  # noqa: ANN202
            with engine.connect() as conn:
                cur = conn.connection.dbapi_connection.cursor()
                cur.execute(sql, params)
                return cur.fetchall()
        return go

    if kind == "overdue":
        def go():  # noqa: ANN202
            with engine.connect() as conn:
                cur = conn.connection.dbapi_connection.cursor()
                cur.execute(f"SELECT * FROM ticket WHERE street_id = {mark} "
                            "AND state IN ('open', 'rectified') AND due_at < "
                            f"{mark} ORDER BY due_at LIMIT 50", (_bare_town[0], now_p))
                return cur.fetchall()
        return go
    return run(*sqls[kind])


_bare_town: list = [None]


def measure(engine, runs: int, label: str) -> dict:  # noqa: ANN001
    from fastapi.testclient import TestClient
    from sqlmodel import Session, select

    from backend.main import create_app
    from backend.organisation.models import OrgUnit
    from backend.reports import rollup
    from backend.reports.periods import parse_period

    with Session(engine) as session:
        district = session.exec(select(OrgUnit).where(OrgUnit.level == "district")).one()
        town = session.exec(select(OrgUnit).where(OrgUnit.level == "town")
                            .order_by(OrgUnit.name)).first()
    sqlite = engine.dialect.name == "sqlite"
    _bare_town[0] = town.id.hex if sqlite else town.id
    out: dict = {"label": label}

    def compute(period: str):  # noqa: ANN202
        with Session(engine) as session:
            return rollup.compute(session, district, parse_period(period), as_of=NOW)

    report = compute("2026-06")
    out["compounds"] = len(report.compounds)
    out["ranked"] = sum(1 for c in report.compounds if c.rank is not None)
    out["checksum"] = _checksum(report)
    del report  # a server holds no report between requests: the pages below are timed without
    out["one_month"], out["one_month_runs"] = median_ms(lambda: compute("2026-06"), runs)
    print(f"[{label}] one month: {out['one_month']:.0f} ms {out['one_month_runs']}", flush=True)

    months = [parse_period(f"{YEAR}-{m:02d}") for m in range(1, 13)]

    def year():  # noqa: ANN202
        with Session(engine) as session:
            return rollup.compute_months(session, district, months, as_of=NOW)
    reports = year()
    out["months_match"] = _checksum(reports["2026-06"]) == out["checksum"]
    out["months_ranked"] = [sum(1 for c in r.compounds if c.rank is not None)
                            for r in reports.values()]
    del reports
    out["all_months"], out["all_months_runs"] = median_ms(year, max(1, min(runs, 3)))
    print(f"[{label}] 12 months (compute_months): {out['all_months']:.0f} ms "
          f"{out['all_months_runs']}, June equal to compute: {out['months_match']}", flush=True)

    for kind in ("month", "all", "overdue"):
        out[f"bare_{kind}"], _ = median_ms(bare(engine, kind), runs if kind != "overdue" else 50)
    print(f"[{label}] bare: month {out['bare_month']:.1f} ms, all {out['bare_all']:.1f} ms, "
          f"overdue {out['bare_overdue']:.3f} ms", flush=True)

    # the API, in-process, timed at the server
    app = create_app()
    timer = ServerTimer(app)
    with _server_clock_at(NOW), TestClient(timer) as client:
        r = client.post("/api/auth/login", json={"username": "bench_supervisor",
                                                 "password": "correct-horse-9"})
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        for name, path, params in (
                ("overdue_page", "/api/tickets", {"overdue": "true", "street_id": str(town.id),
                                                  "limit": 50}),
                ("dashboard", "/api/dashboard/overdue", {})):
            def call():  # noqa: ANN202
                resp = client.get(path, params=params, headers=headers)
                assert resp.status_code == 200, resp.text
                return resp
            body = call().json()
            server, wall = [], []
            for _ in range(20 if name == "overdue_page" else 5):
                t = time.perf_counter()
                call()
                wall.append((time.perf_counter() - t) * 1000)
                server.append(timer.last)
            out[name] = statistics.median(server)
            out[name + "_client"] = statistics.median(wall)
            if name == "overdue_page":
                out["overdue_total"] = body["total"]
                out["overdue_items"] = len(body["items"])
                out["overdue_checksum"] = [i["id"] for i in body["items"]][:3]
            else:
                out["dashboard_total"] = body["total"]
            print(f"[{label}] {name}: {out[name]:.2f} ms at the server "
                  f"({out[name + '_client']:.2f} ms through TestClient)", flush=True)
        out["plans"] = explain(engine, capture(engine, lambda: compute("2026-06")))
        out["plans_overdue"] = explain(engine, capture(engine, lambda: client.get(
            "/api/tickets", params={"overdue": "true", "street_id": str(town.id), "limit": 50},
            headers=headers)))
    out["plans_bare"] = explain(engine, [(bare_sql, params) for bare_sql, params in _bare_sqls(engine, town)])
    return out


@contextmanager
def _server_clock_at(moment: datetime) -> Iterator[None]:
    """The API's clock (backend.clock) reads `moment`, so that the pages are those of the
    report instant. Not through `app.dependency_overrides`: while that holds any entry, FastAPI
    analyses every dependency of every request again (fastapi.dependencies.utils.
    solve_dependencies), ~5 ms a page that no production request pays."""
    from backend import clock

    real = clock.utcnow
    clock.utcnow = lambda: moment.astimezone(timezone.utc)
    try:
        yield
    finally:
        clock.utcnow = real


def _bare_sqls(engine, town):  # noqa: ANN001, ANN202
    sqlite = engine.dialect.name == "sqlite"
    now = NOW.astimezone(timezone.utc)
    now_p = now.replace(tzinfo=None).isoformat(sep=" ") if sqlite else now
    mark = "?" if sqlite else "%s"
    tid = town.id.hex if sqlite else town.id
    return [(f"SELECT compound_id, count(*) FROM ticket WHERE month = {mark} "
             "AND state != 'cancelled' GROUP BY compound_id", (202606,)),
            (f"SELECT * FROM ticket WHERE street_id = {mark} AND state IN ('open', 'rectified') "
             f"AND due_at < {mark} ORDER BY due_at LIMIT 50", (tid, now_p))]


def _checksum(report) -> str:  # noqa: ANN001
    """A digest of every number in the report (to show optimisations change no result)."""
    import hashlib

    report = report.to_json()
    keep = {k: report[k] for k in ("compounds", "prizes", "communities", "streets", "companies",
                                   "recurrent", "warnings")}
    for row in keep["compounds"]:
        row.pop("detail", None)
    return hashlib.sha256(json.dumps(keep, sort_keys=True, default=str).encode()).hexdigest()[:16]


# ------------------------------------------------------------------ main

def setup_database(url: str, fresh: bool) -> None:
    from sqlalchemy import create_engine, text

    from backend.migrate import upgrade

    if url.startswith("postgresql") and fresh:
        if "bench" not in url.rsplit("/", 1)[-1]:
            sys.exit("refusing: the PostgreSQL database name must contain 'bench'")
        eng = create_engine(url)
        with eng.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        eng.dispose()
    upgrade("head", url)


@contextmanager
def bench_database(url: str, args, fresh: bool) -> Iterator[tuple[object, dict | None]]:  # noqa: ANN001
    """The app's engine on `url`, migrated; with this script's data generated when `fresh`
    (the generation's stats, else None, beside the engine), ANALYZEd when reused so that a new
    revision's indexes are planned for. Disposed afterwards. Shared with bench_desk.py."""
    os.environ["XUNJIAN_DATABASE_URL"] = url
    from backend import db as db_module
    from backend.config import get_settings

    get_settings.cache_clear()
    if db_module._engine is not None:
        db_module._engine.dispose()
    db_module._engine = None
    setup_database(url, fresh)
    engine = db_module.get_engine()
    try:
        stats = generate(engine, args.compounds, args.findings, args.seed) if fresh else None
        if not fresh:
            with engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
        yield engine, stats
    finally:
        engine.dispose()
        db_module._engine = None


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    """Where the data lives and how much of it: the options bench_desk.py shares."""
    parser.add_argument("--pg", help="also run on this PostgreSQL database (name contains 'bench')")
    parser.add_argument("--db", help="SQLite database file (default: a temporary one)")
    parser.add_argument("--reuse", action="store_true", help="reuse --db / --pg data if present")
    parser.add_argument("--compounds", type=int, default=10_000)
    parser.add_argument("--findings", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--write-results", action="store_true")


def measured_on_each(description: str, prefix: str, measure) -> tuple[dict, argparse.Namespace]:  # noqa: ANN001
    """The command line of a benchmark on this data (the data options and --runs), and
    `measure(engine, runs, label)`'s rows on each database: bench_desk.py, bench_notify.py."""
    parser = argparse.ArgumentParser(description=description)
    add_data_arguments(parser)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    results = {}
    for label, url, fresh in databases(args, prefix):
        with bench_database(url, args, fresh) as (engine, _):
            results[label] = measure(engine, args.runs, label)
    return results, args


def databases(args, prefix: str) -> list[tuple[str, str, bool]]:  # noqa: ANN001
    """(label, url, fresh) of each database to run on, in a temporary data folder; a SQLite
    file that is not reused is removed first, with its WAL."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ["XUNJIAN_DATA_DIR"] = str(tmp / "data")
    os.environ.setdefault("XUNJIAN_ARGON2_TIME_COST", "1")
    os.environ.setdefault("XUNJIAN_ARGON2_MEMORY_KIB", "8192")
    out = []
    if not args.skip_sqlite:
        path = Path(args.db) if args.db else tmp / "bench.db"
        fresh = not (args.reuse and path.exists())
        if fresh:
            for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                p.unlink(missing_ok=True)
        out.append(("SQLite", f"sqlite:///{path}", fresh))
    if args.pg:
        out.append(("PostgreSQL", args.pg, not args.reuse))
    return out


def run_one(url: str, args, label: str, fresh: bool) -> dict:  # noqa: ANN001
    with bench_database(url, args, fresh) as (engine, stats):
        if args.generate_only:
            return {"label": label, "generation": stats}
        out = measure(engine, args.runs, label)
    out["generation"] = stats
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_arguments(parser)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--generate-only", action="store_true",
                        help="build the data and stop (measure later with --reuse)")
    parser.add_argument("--json", help="write the raw numbers here")
    args = parser.parse_args()
    results = [run_one(url, args, label, fresh)
               for label, url, fresh in databases(args, "xunjian-bench-rollup-")]
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str))
    if args.generate_only:
        return
    for r in results:
        for key in ("plans", "plans_overdue", "plans_bare"):
            print(f"\n==== {r['label']} {key}")
            print("\n\n".join(r[key]))
    if args.write_results:
        write_results(results, args)


def write_results(results: list[dict], args) -> None:  # noqa: ANN001
    from bench_sync import shown_url

    cmd = "`.venv/bin/python tests/bench/bench_rollup.py" + \
        (f" --reuse --db {args.db}" if args.reuse and args.db else "") + \
        (f" --pg {shown_url(args.pg)}" if args.pg else "") + \
        f" --runs {args.runs} --write-results`"
    lines = [SECTION, "",
             f"Command: {cmd} (defaults `--runs {args.runs} --compounds {args.compounds} "
             f"--findings {args.findings} --seed {args.seed}`).",
             f"Measured {datetime.now():%Y-%m-%d %H:%M} on {os.cpu_count()} cores, Python "
             f"{platform.python_version()}; in-process, median of {args.runs} runs after a "
             "warm-up (12 months: median of up to 3 `compute_months` runs). API pages "
             "through the FastAPI app in-process (TestClient), timed at the server by an ASGI "
             "wrapper; the report instant is 2026-12-31 17:00 +08:00.", ""]
    gen = next((r["generation"] for r in results if r.get("generation")), None)
    if gen:
        n = gen["findings"]
        lines += [f"Data: 10 streets/towns, 100 communities, {args.compounds:,} compounds, "
                  f"{N_COMPANIES} companies; {n:,} findings + tickets over 2026: "
                  f"{gen['overdue'] / n:.1%} overdue, {gen['open'] / n:.1%} open, "
                  f"{gen['rectified'] / n:.1%} rectified awaiting verification, "
                  f"{gen['cancelled'] / n:.1%} cancelled, {gen['hotline'] / n:.1%} hotline cases "
                  "(the same problem reported 1–5 times a month); a P inspection per compound and "
                  f"month; generated in {gen['seconds']} s.", ""]
    lines += ["| measure | " + " | ".join(r["label"] for r in results) + " | target (SQLite) |",
              "|---|" + "---|" * len(results) + "---|"]

    def row(name: str, fmt, target: str = "") -> None:  # noqa: ANN001
        lines.append(f"| {name} | " + " | ".join(fmt(r) for r in results) + f" | {target} |")

    row("one month (2026-06), all compounds scored + ranked: `rollup.compute`",
        lambda r: f"{r['one_month']:.0f} ms", "< 150 ms " + ("✓" if results[0]["one_month"] < 150 else "✗"))
    row("bare SQL: GROUP BY compound, one month", lambda r: f"{r['bare_month']:.1f} ms")
    row("ratio one month / bare", lambda r: f"{r['one_month'] / r['bare_month']:.1f}×")
    row("12 months, one `rollup.compute_months` pass", lambda r: f"{r['all_months']:.0f} ms",
        "< 750 ms " + ("✓" if results[0]["all_months"] < 750 else "✗"))
    row("bare SQL: GROUP BY compound, month, all months", lambda r: f"{r['bare_all']:.1f} ms")
    row("ratio 12 months / bare", lambda r: f"{r['all_months'] / r['bare_all']:.1f}×")
    row("overdue page `GET /api/tickets?overdue=true&street_id=…&limit=50` (server)",
        lambda r: f"{r['overdue_page']:.2f} ms",
        "< 10 ms " + ("✓" if results[0]["overdue_page"] < 10 else "✗"))
    row("  same, through TestClient", lambda r: f"{r['overdue_page_client']:.2f} ms")
    row("bare SQL: indexed overdue query (50 rows)", lambda r: f"{r['bare_overdue']:.3f} ms")
    row("ratio overdue page / bare", lambda r: f"{r['overdue_page'] / r['bare_overdue']:.0f}×")
    row("`GET /api/dashboard/overdue` (server)", lambda r: f"{r['dashboard']:.1f} ms")
    lines += ["", "Runs (ms): " + "; ".join(
        f"{r['label']}: one month " + ", ".join(f"{x:.0f}" for x in r["one_month_runs"])
        + "; 12 months " + ", ".join(f"{x:.0f}" for x in r["all_months_runs"])
        for r in results), ""]
    lines += ["Result checks: " + "; ".join(
        f"{r['label']}: {r['ranked']:,} of {r['compounds']:,} compounds ranked, report digest "
        f"`{r['checksum']}` (`compute_months`' June: "
        f"{'the same' if r['months_match'] else 'DIFFERENT'}), overdue page {r['overdue_items']} of {r['overdue_total']:,}, "
        f"dashboard total {r['dashboard_total']:,}" for r in results), ""]
    for r in results:
        lines += [f"<details><summary>{r['label']}: query plans of the roll-up, the overdue page "
                  "and the bare queries</summary>", "", "```"]
        lines += ["\n\n".join(r["plans"] + r["plans_overdue"] + r["plans_bare"]), "```", "",
                  "</details>", ""]
    text = RESULTS.read_text()
    head, _, rest = text.partition(SECTION)
    notes_marker = "<!-- rollup notes below are kept by --write-results -->"
    after = rest.split("\n## ", 1)
    tail = ("\n## " + after[1]) if len(after) > 1 else ""
    kept = after[0].split(notes_marker, 1)
    notes = (notes_marker + kept[1]) if len(kept) > 1 else notes_marker + "\n"
    RESULTS.write_text(head + "\n".join(lines) + "\n" + notes.rstrip("\n") + "\n" + tail)
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
