"""Benchmark: due times and elapsed work time for 1,000,000 random tickets, on one core.

Run:  .venv/bin/python tests/bench/bench_worktime.py [--n 1000000] [--seed 4]

Starts are uniform over 2025-01-01..2026-12-31 (Asia/Shanghai, second resolution), so some
tickets reach into uncovered 2027 and take the provisional slow path, as in production.
Units are 工作时 (1-40), 工作日 (1-10, civil rule) and 小时 (1-24), a third each.
The bare baseline, measured in the same run, is the floor any implementation pays through the
public API: convert each datetime to epoch seconds and back to a zoned datetime.
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from backend.worktime import default_schedule, due_time, package_calendar, work_elapsed  # noqa: E402
from backend.worktime.timeline import timeline_for  # noqa: E402

ZONE = ZoneInfo("Asia/Shanghai")


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}/s ({seconds * 1e9 / n:,.0f} ns each)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    n, rng = args.n, random.Random(args.seed)

    t0 = time.perf_counter()
    calendar = package_calendar()
    schedule = default_schedule()
    timeline_for(schedule, calendar)
    setup = time.perf_counter() - t0

    lo = int(datetime(2025, 1, 1, tzinfo=ZONE).timestamp())
    hi = int(datetime(2027, 1, 1, tzinfo=ZONE).timestamp())
    choices = [("工作时", 1, 40), ("工作日", 1, 10), ("小时", 1, 24)]
    starts, amounts, units = [], [], []
    for _ in range(n):
        unit, a, b = choices[rng.randrange(3)]
        starts.append(datetime.fromtimestamp(rng.randrange(lo, hi), ZONE))
        amounts.append(rng.randint(a, b))
        units.append(unit)
    ends = [s + timedelta(seconds=rng.randrange(0, 30 * 86400)) for s in starts]

    # Bare baseline: epoch out and back, no arithmetic.
    fromts = datetime.fromtimestamp
    t0 = time.perf_counter()
    for s in starts:
        fromts(int(s.timestamp()) + 3600, ZONE)
    bare = time.perf_counter() - t0

    provisional = 0
    t0 = time.perf_counter()
    for s, a, u in zip(starts, amounts, units):
        if due_time(s, a, u, schedule=schedule, calendar=calendar).provisional:
            provisional += 1
    due_secs = time.perf_counter() - t0

    t0 = time.perf_counter()
    for s, e in zip(starts, ends):
        work_elapsed(s, e, schedule=schedule, calendar=calendar)
    elapsed_secs = time.perf_counter() - t0

    print(f"python {platform.python_version()} on {platform.machine()}, n={n:,}, seed={args.seed}")
    print(f"setup (calendar + tables, once per process): {setup * 1000:.0f} ms")
    print(f"bare baseline (epoch out and back): {_rate(n, bare)}")
    print(f"due_time:     {_rate(n, due_secs)}  = {due_secs / bare:.1f}x baseline; "
          f"{provisional:,} provisional")
    print(f"work_elapsed: {_rate(n, elapsed_secs)}  = {elapsed_secs / bare:.1f}x baseline")
    target = 200_000
    ok = n / due_secs >= target and n / elapsed_secs >= target
    print(f"target >= {target:,}/s for both: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
