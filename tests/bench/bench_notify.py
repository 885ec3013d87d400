"""Benchmark: the notifier's scan finds what is due among 1,000,000 tickets (issue 17: ≤ 200 ms,
with an index).

Run:  .venv/bin/python tests/bench/bench_notify.py [--db PATH] [--pg URL] [--reuse]
                                                   [--runs 20] [--write-results]

The data is the roll-up benchmark's (tests/bench/bench_rollup.py: 10,000 compounds, 1,000,000
findings with their tickets over 2026). It is put in the notifier's steady state: closed and
cancelled tickets have nothing to come (`notify_at` null), open ones their next step tomorrow,
and 1,000 open tickets are due at the report instant (a busy morning: new events and ladder
steps). Timed, in-process, `--runs` times after a warm-up:

- the probe of an idle round (`service.work_waiting`: is anything due?);
- finding what is due: the scan's first batch of 200 (its own query, `FOR UPDATE SKIP LOCKED`
  on PostgreSQL) and every due ticket in the order the scan takes them, rolled back;
- for information, one whole scan batch: 200 due tickets turned into their messages (rolled back).

The plan of the scan's query is printed: it reads the partial index `ix_ticket_notify`.
"""

from __future__ import annotations

import math
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_rollup  # noqa: E402 - the data generator
import bench_sync  # noqa: E402 - RESULTS.md's sections

SECTION = "## The notifier's scan (issue 17)"
TARGET_MS = 200.0
DUE = 1_000


def steady_state(engine) -> int:  # noqa: ANN001
    """Closed tickets done, open ones due tomorrow, DUE of them due now; returns the tickets."""
    from sqlalchemy import text

    now = bench_rollup.NOW
    with engine.begin() as conn:
        conn.execute(text("UPDATE ticket SET notify_at = NULL WHERE state NOT IN ('open', 'rectified')"
                          " AND notify_at IS NOT NULL"))
        conn.execute(text("UPDATE ticket SET notify_at = :t, ladder_level = 0 WHERE state IN ('open', 'rectified')"),
                     {"t": _stored(engine, now + timedelta(days=1))})
        ids = [r[0] for r in conn.execute(text(
            f"SELECT id FROM ticket WHERE state = 'open' ORDER BY id LIMIT {DUE}"))]
        conn.execute(text("UPDATE ticket SET notify_at = :t WHERE id = :id"),
                     [{"t": _stored(engine, now - timedelta(minutes=1)), "id": i} for i in ids])
        if engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE ticket"))
        else:
            conn.execute(text("ANALYZE"))
        return conn.execute(text("SELECT count(*) FROM ticket")).scalar_one()


def _stored(engine, moment):  # noqa: ANN001, ANN202
    """A datetime as UTCDateTime stores it on this database."""
    from backend.dbtypes import UTCDateTime

    return UTCDateTime().process_bind_param(moment, engine.dialect)


def _timed(fn, runs: int) -> dict:  # noqa: ANN001
    fn()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"median": statistics.median(times), "p95": times[math.ceil(len(times) * 0.95) - 1],
            "max": times[-1]}


def measure(engine, runs: int, label: str) -> list[dict]:  # noqa: ANN001
    from sqlalchemy import select
    from sqlmodel import Session

    from backend.findings.models import Ticket
    from backend.notifications import service

    total = steady_state(engine)
    now = bench_rollup.NOW
    found: list[int] = []

    def probe() -> None:
        with Session(engine) as session:
            assert service.work_waiting(session, now)[0]

    def find_all_due() -> None:
        with Session(engine) as session:
            first = service._due_tickets(session, now, 200)  # the scan's first batch, locked
            every = session.execute(select(Ticket.id).where(  # and all that is due, in its order
                Ticket.notify_at.is_not(None), Ticket.notify_at <= now).order_by(Ticket.notify_at)).all()
            session.rollback()
        assert len(first) == 200
        found.append(len(every))

    def one_batch() -> None:
        with Session(engine) as session:
            service.scan(session, now, limit=200)
            session.rollback()

    rows = []
    for name, fn, n in (("idle round's probe: anything due?", probe, runs),
                        (f"find every due ticket ({DUE:,} of {total:,})", find_all_due, runs),
                        ("one scan batch: 200 due tickets into their messages", one_batch, max(3, runs // 4))):
        row = {"step": name, **_timed(fn, n)}
        rows.append(row)
        print(f"[{label}] {name}: median {row['median']:.1f} ms, p95 {row['p95']:.1f} ms", flush=True)
    assert found and all(n == DUE for n in found), found
    with Session(engine) as session:
        plan = _plan(session, now)
    print(f"[{label}] plan: {plan}", flush=True)
    rows.append({"plan": plan})
    return rows


def _plan(session, now) -> str:  # noqa: ANN001
    from sqlalchemy import text

    stored = _stored(session.get_bind(), now)
    sql = "SELECT id FROM ticket WHERE notify_at IS NOT NULL AND notify_at <= :now ORDER BY notify_at LIMIT 200"
    explain = "EXPLAIN QUERY PLAN " if session.get_bind().dialect.name == "sqlite" else "EXPLAIN "
    rows = session.execute(text(explain + sql), {"now": stored}).all()
    return " / ".join(str(r[-1]) for r in rows)


def main() -> None:
    results, args = bench_rollup.measured_on_each(__doc__.splitlines()[0], "xunjian-bench-notify-", measure)
    if args.write_results:
        write_results(results, args)


def write_results(results: dict[str, list[dict]], args) -> None:  # noqa: ANN001
    import platform

    labels = list(results)
    lines = [SECTION, "",
             f"`.venv/bin/python tests/bench/bench_notify.py --runs {args.runs}"
             + (" --pg …" if args.pg else "") + "` on the roll-up benchmark's data (1,000,000 "
             f"tickets), {DUE:,} of them due; {time.strftime('%Y-%m-%d')}, {platform.machine()}, "
             f"{os.cpu_count()} CPUs. Target: finding what is due ≤ {TARGET_MS:.0f} ms.", "",
             "| step | " + " | ".join(f"{lab} median / p95" for lab in labels) + " |",
             "|---|" + "---:|" * len(labels)]
    for i, row in enumerate(results[labels[0]][:-1]):
        cells = [f"{results[lab][i]['median']:.1f} / {results[lab][i]['p95']:.1f} ms" for lab in labels]
        lines.append(f"| {row['step']} | " + " | ".join(cells) + " |")
    lines += [""] + [f"Plan on {lab}: `{results[lab][-1]['plan']}`" for lab in labels]
    bench_sync.write_section("\n".join(lines) + "\n", SECTION)


if __name__ == "__main__":
    main()
