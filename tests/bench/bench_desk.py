"""Benchmark: the supervisor's desk pages on 10,000 compounds (issue 15 §2: each ≤ 100 ms).

Run:  .venv/bin/python tests/bench/bench_desk.py [--db PATH] [--pg URL] [--reuse]
                                                 [--runs 20] [--write-results]

The data is the roll-up benchmark's (tests/bench/bench_rollup.py `generate`: a district of 10
streets/towns, 100 communities, 10,000 compounds, 400 companies and 1,000,000 findings with
their tickets over 2026), built fresh or reused with `--reuse` from a database either script
generated. As the district supervisor, in-process through the FastAPI app, at the report
instant, each page is requested once to warm up and then `--runs` times; the time is taken at
the server (from the request reaching the app to its last body byte, bench_rollup.ServerTimer).

Pages: the overdue dashboard at each drill level (the district, a town, a community of it, a
compound of that), the 催办 → 督办 counts beside it (issue 17) and the worklist's first page under each filter a supervisor uses (the
default open list, overdue in a town, a community, a company, a catalog type, hotline cases, a
week's dispatches, a case number, words of the description, a deep page).
"""

from __future__ import annotations

import math
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_rollup  # noqa: E402 - the data generator and the server timer
import bench_sync  # noqa: E402 - RESULTS.md's sections

SECTION = "## The supervisor's desk pages (issue 15)"
TARGET_MS = 100.0


def pages(session) -> list[tuple[str, str, dict]]:  # noqa: ANN001
    """The pages to time, with real ids from the data: (label, path, params)."""
    from sqlmodel import select

    from backend.findings.models import Finding, Ticket
    from backend.organisation.models import Compound, OrgUnit

    town = session.exec(select(OrgUnit).where(OrgUnit.level == "town").order_by(OrgUnit.name)).first()
    community = session.exec(select(OrgUnit).where(OrgUnit.parent_id == town.id)
                             .order_by(OrgUnit.name)).first()
    compound = session.exec(select(Compound).where(Compound.community_id == community.id)
                            .order_by(Compound.name)).first()
    company_id = compound.company_id or session.exec(
        select(Compound.company_id).where(Compound.company_id.is_not(None))).first()
    case_no = session.exec(select(Finding.case_no).where(Finding.case_no.is_not(None))
                           .order_by(Finding.id.desc())).first()
    catalog_code = session.exec(select(Ticket.catalog_code).order_by(Ticket.catalog_code).limit(1)).one()
    board, ladder, tickets = "/api/dashboard/overdue", "/api/dashboard/ladder", "/api/tickets"
    return [
        ("dashboard: the district", board, {}),
        ("dashboard: a town", board, {"street_id": town.id}),
        ("dashboard: a community", board, {"street_id": town.id, "community_id": community.id}),
        ("dashboard: a compound", board, {"street_id": town.id, "community_id": community.id,
                                          "compound_id": compound.id}),
        ("ladder: the district", ladder, {}),
        ("ladder: a town", ladder, {"street_id": town.id}),
        ("ladder: a community", ladder, {"street_id": town.id, "community_id": community.id}),
        ("worklist: open, the district", tickets, {}),
        ("worklist: overdue, a town", tickets, {"overdue": "true", "street_id": town.id}),
        ("worklist: overdue, a community", tickets, {"overdue": "true", "community_id": community.id}),
        ("worklist: open, a company", tickets, {"company_id": company_id}),
        ("worklist: open, a catalog type", tickets, {"catalog_code": catalog_code}),
        ("worklist: all hotline cases of a town", tickets, {"state": "all", "source": "hotline",
                                                            "street_id": town.id}),
        ("worklist: all, dispatched in one week", tickets, {"state": "all",
                                                            "dispatched_from": "2026-12-21",
                                                            "dispatched_to": "2026-12-27"}),
        ("worklist: a case number", tickets, {"state": "all", "q": case_no}),
        ("worklist: words, open in a community", tickets, {"q": "基准", "community_id": community.id}),
        ("worklist: open, the district, page 100", tickets, {"offset": 4950}),
    ]


def measure(engine, runs: int, label: str) -> list[dict]:  # noqa: ANN001
    from fastapi.testclient import TestClient
    from sqlmodel import Session

    from backend.main import create_app

    with Session(engine) as session:
        plan = pages(session)
    timer = bench_rollup.ServerTimer(create_app())
    out = []
    with bench_rollup._server_clock_at(bench_rollup.NOW), TestClient(timer) as client:
        r = client.post("/api/auth/login", json={"username": "bench_supervisor",
                                                 "password": "correct-horse-9"})
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        for name, path, params in plan:
            params = {"limit": 50, **{k: str(v) for k, v in params.items()}} \
                if path == "/api/tickets" else {k: str(v) for k, v in params.items()}
            times = []
            for i in range(runs + 1):
                resp = client.get(path, params=params, headers=headers)
                assert resp.status_code == 200, resp.text
                if i:  # the first is the warm-up
                    times.append(timer.last)
            body = resp.json()
            size = body["total"] if "total" in body else body["urged"] + body["yellow"] + body["red"]
            times.sort()
            row = {"page": name, "median": statistics.median(times),
                   "p95": times[math.ceil(len(times) * 0.95) - 1], "max": times[-1], "total": size}
            out.append(row)
            print(f"[{label}] {name}: median {row['median']:.1f} ms, p95 {row['p95']:.1f} ms, "
                  f"max {row['max']:.1f} ms (total {size:,})", flush=True)
    return out


def main() -> None:
    results, args = bench_rollup.measured_on_each(__doc__.splitlines()[0], "xunjian-bench-desk-", measure)
    if args.write_results:
        write_results(results, args)


def write_results(results: dict[str, list[dict]], args) -> None:  # noqa: ANN001
    import platform

    labels = list(results)
    lines = [SECTION, "",
             f"`.venv/bin/python tests/bench/bench_desk.py --runs {args.runs}"
             + (" --pg …" if args.pg else "") + "` on the roll-up benchmark's data (10,000 "
             "compounds, 1,000,000 findings), as the district supervisor, at the server; "
             f"{time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} CPUs. "
             f"Target: each page ≤ {TARGET_MS:.0f} ms (median and p95 of {args.runs}).", "",
             "| page | rows | " + " | ".join(f"{lab} median / p95" for lab in labels) + " |",
             "|---|---:|" + "---:|" * len(labels)]
    for i, row in enumerate(results[labels[0]]):
        cells = []
        for lab in labels:
            r = results[lab][i]
            ok = "✓" if r["p95"] <= TARGET_MS else "✗"
            cells.append(f"{r['median']:.1f} / {r['p95']:.1f} ms {ok}")
        lines.append(f"| {row['page']} | {row['total']:,} | " + " | ".join(cells) + " |")
    bench_sync.write_section("\n".join(lines) + "\n", SECTION)


if __name__ == "__main__":
    main()
