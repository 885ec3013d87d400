"""The phone counts work time left offline (frontend/logic/worktime.js) from the calendar the
pull delivers (backend/sync/service.py calendar_payload). It must agree with the server's
engine to the second, for every schedule of the deployment, across holidays and make-up days."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from backend.findings import deadlines
from backend.sync.service import calendar_payload
from backend.worktime import work_seconds
from tests.frontend.node import run_module

ZONE = ZoneInfo("Asia/Shanghai")

NODE = """
import { prepareSchedule, workSeconds } from './logic/worktime.js';
let input = '';
process.stdin.on('data', (c) => { input += c; });
process.stdin.on('end', () => {
  const { calendar, cases } = JSON.parse(input);
  const plans = {};
  const out = cases.map(([key, a, b]) => {
    plans[key] ??= prepareSchedule(calendar, key);
    return workSeconds(a, b, plans[key]);
  });
  process.stdout.write(JSON.stringify(out));
});
"""


def test_phone_work_seconds_equal_the_server_engine_for_every_schedule():
    today = date(2026, 11, 20)
    calendar = calendar_payload(today)
    config = deadlines.worktime()
    rng = random.Random(6)
    start = datetime(2025, 12, 20, tzinfo=ZONE)  # across New Year, Spring Festival, National Day
    cases, expected = [], []
    for key, schedule in config.schedules.items():
        for _ in range(150):
            a = start + timedelta(seconds=rng.randrange(0, 330 * 86400))
            b = a + timedelta(seconds=rng.choice([rng.randrange(-3 * 86400, 0),
                                                  rng.randrange(0, 40 * 86400),
                                                  rng.randrange(0, 4 * 3600)]))
            cases.append([key, int(a.timestamp() * 1000), int(b.timestamp() * 1000)])
            expected.append(work_seconds(a, b, schedule=schedule, calendar=config.calendar))
    got = run_module(NODE, {"calendar": calendar, "cases": cases})
    mismatches = [(c, e, g) for c, e, g in zip(cases, expected, got) if e != g]
    assert not mismatches, mismatches[:5]
