"""Benchmark: findings ingested per second through the API, beside a bare FastAPI+SQLite endpoint.

Run:  .venv/bin/python tests/bench/bench_sync.py [--duration 10] [--rounds 3] [--connections 16]
                                                 [--compounds 300] [--pg postgresql+psycopg://...]

What it does, all on 127.0.0.1:
1. a temporary data folder; `xunjian db upgrade`, `xunjian demo`, then `--compounds` more
   compounds in the demo town (so the inspector's scope has a few hundred);
2. the real service under uvicorn (one worker, pinned to CPU 0 when `taskset` exists), and the
   bare app defined below (another uvicorn, one worker, same CPU), started one at a time;
3. load from a second process, `wrk` (Debian package; pinned to CPU 1), 16 connections, each
   phase bounded by `--duration` seconds after a 2-second warm-up:
   - product, one finding per request: `POST /api/findings` as the demo inspector, a new UUIDv7
     each, a real catalog code and a compound of the inspector's scope, no photos;
   - product, batches of 100: `POST /api/sync/findings`, each finding at a compound drawn
     from the whole scope (a worst case: every batch lands in ~100 places of each index);
   - product, batches of 100 from 5 compounds: the same, each batch's findings spread over
     5 compounds drawn for that batch (one phone's queue after an inspector's day);
   - bare, one per request and batches of 100: read the body, validate a 15-field pydantic
     model, insert with sqlite3 (WAL, synchronous=NORMAL) and commit, answer id + status.
   Rounds alternate bare and product; the median round is reported, and every round is listed.
4. after each phase the stored rows are counted (findings, tickets and dispatch events for the
   product): a rate counts only what the database holds, and any non-2xx answer fails the run.

`--pg URL` runs the product (and the bare endpoint, with psycopg) once more against PostgreSQL.
The database must be a throw-away one whose name contains "bench": its public schema is
dropped and rebuilt by the migrations.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from datetime import datetime
from pathlib import Path

from starlette.requests import Request

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
BATCH = 100
RESULTS = REPO / "tests" / "bench" / "RESULTS.md"
SECTION = "## Sync ingestion (issue 5)"


# ------------------------------------------------------------------ the bare baseline app

def make_bare_app():  # noqa: ANN201 - uvicorn factory: `bench_sync:make_bare_app --factory`
    """The floor: read the body, validate 15 fields, insert and commit. No auth, no logic."""
    from fastapi import FastAPI
    from fastapi.responses import Response
    from pydantic import BaseModel, Field

    class BareFinding(BaseModel):
        id: uuid.UUID
        compound_id: uuid.UUID
        catalog_code: str | None = Field(default=None, max_length=16)
        inspection_id: uuid.UUID | None = None
        rubric_item: str | None = Field(default=None, max_length=64)
        description: str = Field(default="", max_length=2000)
        building: str | None = Field(default=None, max_length=100)
        location_text: str | None = Field(default=None, max_length=200)
        latitude: float | None = Field(default=None, ge=-90, le=90)
        longitude: float | None = Field(default=None, ge=-180, le=180)
        accuracy_m: float | None = Field(default=None, ge=0)
        source: str = "patrol"
        case_no: str | None = Field(default=None, max_length=64)
        case_level: str | None = None
        observed_at: datetime

    class BareBatch(BaseModel):
        findings: list[BareFinding] = Field(max_length=500)

    columns = list(BareFinding.model_fields)
    pg_url = os.environ.get("BENCH_BARE_PG")
    if pg_url:
        import psycopg

        conn = psycopg.connect(pg_url.replace("postgresql+psycopg://", "postgresql://"))
        placeholders = ", ".join(["%s"] * len(columns))
    else:
        import sqlite3

        conn = sqlite3.connect(os.environ["BENCH_BARE_DB"], check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        placeholders = ", ".join(["?"] * len(columns))
    sql = f"INSERT INTO bare_finding ({', '.join(columns)}) VALUES ({placeholders})"

    def row(item: BareFinding) -> tuple:
        return tuple(str(v) if isinstance(v, uuid.UUID | datetime) else v
                     for v in (getattr(item, c) for c in columns))

    app = FastAPI()

    @app.post("/bare/findings", status_code=201)
    async def one(request: Request) -> Response:
        item = BareFinding.model_validate_json(await request.body())
        cur = conn.cursor()
        cur.execute(sql, row(item))
        conn.commit()
        return Response(json.dumps({"id": str(item.id), "status": "created"}),
                        media_type="application/json", status_code=201)

    @app.post("/bare/batch")
    async def batch(request: Request) -> Response:
        body = BareBatch.model_validate_json(await request.body())
        cur = conn.cursor()
        cur.executemany(sql, [row(item) for item in body.findings])
        conn.commit()
        return Response(json.dumps({"results": [{"id": str(i.id), "status": "created"}
                                                for i in body.findings]}),
                        media_type="application/json")

    return app


BARE_DDL = """CREATE TABLE IF NOT EXISTS bare_finding (
    id VARCHAR(36) PRIMARY KEY, compound_id VARCHAR(36) NOT NULL, catalog_code VARCHAR(16),
    inspection_id VARCHAR(36), rubric_item VARCHAR(64), description TEXT NOT NULL,
    building VARCHAR(100), location_text VARCHAR(200), latitude FLOAT, longitude FLOAT,
    accuracy_m FLOAT, source VARCHAR(16) NOT NULL, case_no VARCHAR(64), case_level VARCHAR(16),
    observed_at VARCHAR(40) NOT NULL)"""


# ------------------------------------------------------------------ load: wrk + Lua

LUA = r"""
-- generated by bench_sync.py: one body per request, every finding with a fresh UUIDv7
local compounds = {%(compounds)s}
local codes = {%(codes)s}
local batch = %(batch)d
local walk = %(walk)d  -- compounds per batch (0: any compound of the scope, item by item)
local path = "%(path)s"
local token = "%(token)s"
local nonce = %(nonce)d
local counter = 0
local ms = os.time() * 1000

function setup(thread)
  thread:set("id", __next_id or 0)
  __next_id = (__next_id or 0) + 1
end

local function uuid7()
  counter = counter + 1
  local hex = string.format("%%012x", ms)
  return string.format("%%s-%%s-7%%03x-8%%03x-%%012x", hex:sub(1, 8), hex:sub(9, 12),
                       (id or 0) %% 4096, nonce, counter)
end

local walked = compounds

local function finding()
  local c = walked[math.random(#walked)]
  local code = codes[math.random(#codes)]
  return string.format('{"id":"%%s","compound_id":"%%s","catalog_code":"%%s",' ..
    '"description":"3号楼东侧雨水箅子缺失，已拍照","building":"3号楼","location_text":"东侧单元门口",' ..
    '"latitude":31.2301,"longitude":121.4737,"accuracy_m":12.5,"source":"patrol",' ..
    '"case_no":null,"case_level":null,"inspection_id":null,"rubric_item":null,' ..
    '"observed_at":"2026-11-20T10:03:00+08:00","photos":[]}', uuid7(), c, code)
end

local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}

function init(args)
  math.randomseed(nonce + (id or 0))
end

function request()
  local body
  if batch == 1 then
    body = finding()
  else
    local items = {}
    if walk > 0 then  -- one phone's queue after a day's walk: a few compounds
      walked = {}
      for i = 1, walk do walked[i] = compounds[math.random(#compounds)] end
    end
    for i = 1, batch do items[i] = finding() end
    body = '{"findings":[' .. table.concat(items, ",") .. ']}'
  end
  return wrk.format("POST", path, headers, body)
end
%(done)s
"""

# wrk's summary as one JSON line, the `done` of every load script (bench_mixed.py's too).
WRK_DONE = r"""
function done(summary, latency, requests)
  io.write(string.format('WRK_JSON {"requests":%d,"duration_us":%d,"status_errors":%d,' ..
    '"socket_errors":%d,"p50_us":%d,"p99_us":%d}\n', summary.requests, summary.duration,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, latency:percentile(50), latency:percentile(99)))
end"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pinned(cpu: int, argv: list[str], pin: bool) -> list[str]:
    return ["taskset", "-c", str(cpu), *argv] if pin and shutil.which("taskset") else argv


def wait_up(port: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("server did not start")


class Server:
    """uvicorn with `workers` processes; more than one is never pinned to one CPU."""

    def __init__(self, app: list[str], env: dict, pin: bool, log: Path, workers: int = 1) -> None:
        self.port = free_port()
        argv = [str(VENV_BIN / "python"), "-m", "uvicorn", *app, "--host", "127.0.0.1",
                "--port", str(self.port), "--workers", str(workers), "--no-access-log",
                "--log-level", "warning"]
        self.log = log.open("ab")
        self.proc = subprocess.Popen(pinned(0, argv, pin and workers == 1), env=env, cwd=REPO,
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        wait_up(self.port, self.proc)
        if workers > 1:
            time.sleep(2)  # every worker listening, not only the first

    def cpu_seconds(self) -> float:
        """The server's CPU time so far (user + system, all its threads and worker processes):
        a per-request cost that, unlike a rate, holds when something else shares the machine."""
        pids = [self.proc.pid] + [int(p) for p in subprocess.run(
            ["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout.split()]
        total = 0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def run_wrk(port: int, path: str, batch: int, token: str, compounds: list[str],
            codes: list[str], seconds: float, connections: int, tmp: Path, pin: bool,
            walk: int = 0) -> dict:
    script = tmp / f"load-{random.randrange(1 << 30)}.lua"
    script.write_text(LUA % {
        "compounds": ", ".join(f'"{c}"' for c in compounds),
        "codes": ", ".join(f'"{c}"' for c in codes), "batch": batch, "walk": walk, "path": path,
        "token": token, "nonce": random.randrange(4096), "done": WRK_DONE},
        encoding="utf-8")
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s",
            "-s", str(script), f"http://127.0.0.1:{port}"]
    out = subprocess.run(pinned(1, argv, pin), capture_output=True, text=True, timeout=seconds + 60)
    return wrk_result(path, out.stdout, out.stderr)


def wrk_result(name: str, stdout: str, stderr: str) -> dict:
    """What WRK_DONE printed; a load with any non-2xx answer or socket error stops the bench."""
    for line in stdout.splitlines():
        if line.startswith("WRK_JSON "):
            result = json.loads(line[len("WRK_JSON "):])
            if result["status_errors"] or result["socket_errors"]:
                raise SystemExit(f"{name}: {result['status_errors']} non-2xx answers, "
                                 f"{result['socket_errors']} socket errors\n{stdout}")
            return result
    raise SystemExit(f"wrk failed ({name}): {stdout}\n{stderr}")


# ------------------------------------------------------------------ set-up of a database


def prepare(env: dict, n_compounds: int, pg: str | None) -> None:
    xunjian = str(VENV_BIN / "xunjian")
    if pg:
        from sqlalchemy import create_engine, text

        engine = create_engine(pg)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    for argv in ([xunjian, "db", "upgrade"], [xunjian, "demo"]):
        subprocess.run(argv, env=env, cwd=REPO, check=True, capture_output=True)
    code = textwrap.dedent(f"""
        from sqlmodel import select
        from backend.clitools import cli_session
        from backend.organisation import service
        from backend.organisation.models import Company, Compound, CompoundCreate, OrgUnit
        with cli_session() as s:
            community = s.exec(select(OrgUnit).where(OrgUnit.name == "XX镇中心社区")).one()
            companies = s.exec(select(Company.id).order_by(Company.name)).all()
            have = len(s.exec(select(Compound.id)).all())
            for i in range(have, {n_compounds}):
                service.create_compound(s, CompoundCreate(
                    name=f"压测小区{{i:04d}}", community_id=community.id,
                    company_id=companies[i % len(companies)], address=f"XX镇{{i}}号"))
    """)
    subprocess.run([str(VENV_BIN / "python"), "-c", code], env=env, cwd=REPO, check=True)


def login(port: int) -> str:
    import httpx

    r = httpx.post(f"http://127.0.0.1:{port}/api/auth/login",
                   json={"username": "inspector", "password": "xunjian-demo"}, timeout=30)
    r.raise_for_status()
    return r.json()["access_token"]


def scope_compounds(port: int, token: str) -> list[str]:
    import httpx

    ids, offset = [], 0
    while True:
        r = httpx.get(f"http://127.0.0.1:{port}/api/compounds",
                      params={"limit": 200, "offset": offset},
                      headers={"Authorization": f"Bearer {token}"}, timeout=30)
        r.raise_for_status()
        page = r.json()
        ids += [c["id"] for c in page["items"]]
        offset += len(page["items"])
        if not page["items"] or offset >= page["total"]:
            return ids


def count_rows(url: str, tables: list[str]) -> dict[str, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables}
    engine.dispose()
    return counts


# ------------------------------------------------------------------ one database, all phases


WALK = 5  # compounds in one phone's batch: an inspector's day
PHASES = (  # (name, app, path, batch, compounds per batch: 0 = each item anywhere in scope)
    ("bare, 1 per request", "bare", "/bare/findings", 1, 0),
    ("product, 1 per request", "product", "/api/findings", 1, 0),
    ("bare, batches of 100", "bare", "/bare/batch", BATCH, 0),
    ("product, batches of 100", "product", "/api/sync/findings", BATCH, 0),
    (f"product, batches of 100 from {WALK} compounds", "product", "/api/sync/findings", BATCH,
     WALK),
)


def bench_database(label: str, args: argparse.Namespace, tmp: Path, pg: str | None) -> dict:
    data = tmp / label
    data.mkdir()
    env = {**os.environ, "XUNJIAN_DATA_DIR": str(data), "PYTHONPATH": str(REPO)}
    db_url = pg or f"sqlite:///{data / 'xunjian.db'}"
    env["XUNJIAN_DATABASE_URL"] = db_url
    print(f"[{label}] preparing {db_url}", flush=True)
    prepare(env, args.compounds, pg)

    bare_env = {**env, "BENCH_BARE_DB": str(data / "bare.db")}
    if pg:
        bare_env["BENCH_BARE_PG"] = pg
        from sqlalchemy import create_engine, text

        engine = create_engine(pg)
        with engine.begin() as conn:
            conn.execute(text(BARE_DDL))
        engine.dispose()
        bare_url = pg
    else:
        import sqlite3

        with sqlite3.connect(data / "bare.db") as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(BARE_DDL)
        bare_url = f"sqlite:///{data / 'bare.db'}"

    log = tmp / f"{label}-server.log"
    product = Server(["backend.main:app"], env, args.pin, log)
    try:
        token = login(product.port)
        compounds = scope_compounds(product.port, token)
    finally:
        product.stop()
    from backend.findings import deadlines

    codes = [e.code for e in deadlines.catalog().entries]
    print(f"[{label}] inspector's scope: {len(compounds)} compounds; {len(codes)} catalog codes",
          flush=True)

    runs: dict[str, list[dict]] = {name: [] for name, *_ in PHASES}
    for round_no in range(1, args.rounds + 1):
        for name, app, path, batch, walk in PHASES:
            if app == "bare":
                server = Server(["--app-dir", str(REPO / "tests" / "bench"),
                                 "bench_sync:make_bare_app", "--factory"], bare_env, args.pin, log)
                url, tables = bare_url, ["bare_finding"]
            else:
                server = Server(["backend.main:app"], env, args.pin, log, args.workers)
                url, tables = db_url, ["finding", "ticket", "ticket_event"]
            try:
                before = count_rows(url, tables)
                run_wrk(server.port, path, batch, token, compounds, codes, 2,
                        args.connections, tmp, args.pin, walk)  # warm-up
                middle = count_rows(url, tables)
                cpu_before = server.cpu_seconds()
                result = run_wrk(server.port, path, batch, token, compounds, codes,
                                 args.duration, args.connections, tmp, args.pin, walk)
                cpu = server.cpu_seconds() - cpu_before
                after = count_rows(url, tables)
            finally:
                server.stop()
            stored = {t: after[t] - middle[t] for t in tables}
            sent = result["requests"] * batch
            # Requests in flight when a wrk run stops still commit: allow one per connection
            # at each end of the measured run.
            if any(abs(n - sent) > 2 * batch * args.connections for n in stored.values()):
                raise SystemExit(f"{name}: sent {sent} items but stored {stored}")
            if before and any(n < 0 for n in stored.values()):
                raise SystemExit(f"{name}: rows vanished {stored}")
            seconds = result["duration_us"] / 1e6
            items = sent  # answered 2xx; the count above checks they are stored
            run = {"items": items, "seconds": seconds, "rate": items / seconds,
                   "requests": result["requests"], "p50_ms": result["p50_us"] / 1000,
                   "p99_ms": result["p99_us"] / 1000, "stored": stored,
                   "cpu_ms_per_request": cpu * 1000 / max(result["requests"], 1)}
            runs[name].append(run)
            print(f"[{label}] round {round_no} {name:26} {run['rate']:9,.0f} items/s  "
                  f"p50 {run['p50_ms']:7.1f} ms  p99 {run['p99_ms']:7.1f} ms  "
                  f"server CPU {run['cpu_ms_per_request']:.2f} ms/request  stored {stored}",
                  flush=True)
    return runs


def median_run(runs: list[dict]) -> dict:
    return sorted(runs, key=lambda r: r["rate"])[len(runs) // 2]


def shown_url(url: str) -> str:
    """The database URL as the results show it: the port (which changes from run to run) and
    any password left out."""
    import re

    from sqlalchemy.engine import make_url

    return re.sub(r":\d+/", ":PORT/", make_url(url).render_as_string(hide_password=True))


def report(all_runs: dict[str, dict], args: argparse.Namespace) -> str:
    lines = [
        SECTION, "",
        "Command: `.venv/bin/python tests/bench/bench_sync.py"
        + (f" --pg {shown_url(args.pg)}" if args.pg else "")
        + (" --write-results" if args.write_results else "") + "`"
        + f" (defaults: `--duration {args.duration} --rounds {args.rounds} --connections "
          f"{args.connections} --compounds {args.compounds}`).",
        f"Measured {datetime.now():%Y-%m-%d %H:%M} on {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; server: uvicorn, "
        + (f"{args.workers} workers" if args.workers > 1 else "one worker")
        + (", pinned to CPU 0" if args.pin and args.workers == 1 else "") + "; load: `wrk -t1 -c"
        + f"{args.connections}`" + (" pinned to CPU 1" if args.pin else "")
        + f", {args.duration} s per phase after a 2 s warm-up, bare and product alternating, "
          f"{args.rounds} rounds, median round shown. Product requests are the demo inspector's "
          f"(scope: {args.compounds} compounds), each finding a new UUIDv7 with a real catalog "
          "code and no photos, at a compound drawn from the whole scope or, in the last row, "
          f"from {WALK} compounds drawn per batch (one phone's day); every rate counts rows "
          "found in the database afterwards. Server CPU: the uvicorn process's user + system "
          "time over the measured run, per request.", "",
        "| database | phase | bare items/s | product items/s | product/bare | product p50 / p99 | "
        "server CPU per request, bare / product | target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, runs in all_runs.items():
        for kind, bare_kind, target in (
                ("1 per request", "1 per request", 1000),
                ("batches of 100", "batches of 100", 10000),
                (f"batches of 100 from {WALK} compounds", "batches of 100", 10000)):
            bare = median_run(runs[f"bare, {bare_kind}"])
            prod = median_run(runs[f"product, {kind}"])
            ok = "✓" if prod["rate"] >= target else "✗"
            lines.append(f"| {label} | {kind} | {bare['rate']:,.0f} | {prod['rate']:,.0f} | "
                         f"{prod['rate'] / bare['rate']:.2f} | {prod['p50_ms']:.1f} / "
                         f"{prod['p99_ms']:.1f} ms | {bare['cpu_ms_per_request']:.2f} / "
                         f"{prod['cpu_ms_per_request']:.2f} ms | ≥ {target:,}/s {ok} |")
    lines += ["", "All rounds (items/s):", ""]
    for label, runs in all_runs.items():
        for name, rs in runs.items():
            lines.append(f"- {label}, {name}: " + ", ".join(f"{r['rate']:,.0f}" for r in rs))
    return "\n".join(lines) + "\n"


NOTES = "<!-- notes below are kept by --write-results -->"


def write_section(text: str, section: str = SECTION) -> None:
    """Replace the measured part of `section` (`text` begins with its heading); hand-written
    notes after NOTES stay. A section not there yet is added at the end. Every bench's way
    into RESULTS.md."""
    content = RESULTS.read_text(encoding="utf-8")
    if section not in content:
        RESULTS.write_text(content.rstrip("\n") + "\n\n" + text, encoding="utf-8")
        return
    start = content.index(section)
    end = content.find("\n## ", start + len(section))
    end = len(content) if end < 0 else end + 1
    old = content[start:end]
    notes = old[old.index(NOTES):].rstrip("\n") + "\n" if NOTES in old else ""
    RESULTS.write_text(content[:start] + text + ("\n" + notes if notes else "") + "\n"
                       + content[end:], encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured phase")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--compounds", type=int, default=300,
                        help="compounds in the inspector's scope (demo's 6 plus generated ones)")
    parser.add_argument("--pg", help="also run on this PostgreSQL database (name must contain "
                                     "'bench'; its public schema is dropped)")
    parser.add_argument("--no-pin", dest="pin", action="store_false",
                        help="do not pin server and load generator to separate CPUs")
    parser.add_argument("--sqlite", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--workers", type=int, default=1,
                        help="uvicorn workers of the product (PostgreSQL: do writers scale out?)")
    parser.add_argument("--write-results", action="store_true",
                        help=f"replace the '{SECTION}' section of tests/bench/RESULTS.md")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    if args.pg and "bench" not in args.pg.rsplit("/", 1)[-1]:
        raise SystemExit("--pg: the database name must contain 'bench' (its schema is dropped)")

    # A SIGTERM unwinds like Ctrl-C, so that the servers started here are stopped.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    tmp = Path(tempfile.mkdtemp(prefix="xunjian-bench-sync-"))
    os.environ["XUNJIAN_DATA_DIR"] = str(tmp / "main")  # this process reads the catalog only
    sys.path.insert(0, str(REPO))
    all_runs = {}
    try:
        if args.sqlite:
            all_runs["SQLite"] = bench_database("sqlite", args, tmp, None)
        if args.pg:
            all_runs["PostgreSQL"] = bench_database("postgresql", args, tmp, args.pg)
    except BaseException:
        print(f"kept for inspection (server logs *-server.log): {tmp}", file=sys.stderr)
        raise
    shutil.rmtree(tmp, ignore_errors=True)
    text = report(all_runs, args)
    print("\n" + text)
    if args.write_results:
        write_section(text)
        print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
