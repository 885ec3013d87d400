"""The demo's own 12345 export (backend/demo_activity.py) is built relative to the moment the
demo is loaded. Whatever that moment, the story holds: no reply lies ahead of now, none before
its acceptance, no order still open is past its time limit (the overdue dashboard's demo count
must not depend on the hour), and 金桂园's order is replied late once its limit has passed."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from backend.demo_activity import hotline_rows

ZONE = ZoneInfo("Asia/Shanghai")
FMT = "%Y-%m-%d %H:%M"


def _moments() -> list[datetime]:
    """Every hour of a day early, mid and late in a month, and the first minutes of a month."""
    days = [datetime(2026, 12, 1, 0, 20, tzinfo=ZONE), datetime(2026, 12, 2, tzinfo=ZONE),
            datetime(2026, 12, 7, tzinfo=ZONE), datetime(2026, 12, 31, tzinfo=ZONE)]
    return [day + timedelta(hours=h) for day in days[1:] for h in range(24)] + days[:1]


@pytest.mark.parametrize("now", _moments(), ids=lambda t: t.strftime("%d日%H时"))
def test_the_demo_orders_tell_the_same_story_at_any_hour(now):
    rows = hotline_rows(now, ZONE)[2:]
    late_seen = False
    for row in rows:
        accepted = datetime.strptime(row[1], FMT).replace(tzinfo=ZONE)
        limit = datetime.strptime(row[7], FMT).replace(tzinfo=ZONE)
        assert accepted <= now, row
        if row[2]:
            replied = datetime.strptime(row[2], FMT).replace(tzinfo=ZONE)
            assert accepted <= replied <= now and row[8] == "办结", row
            late_seen |= replied > limit
        else:
            assert row[8] == "处理中" and limit > now, row  # open, and not overdue
        if row[4] == "金桂园8幢" and limit + timedelta(minutes=10) < now:
            assert row[2] and datetime.strptime(row[2], FMT).replace(tzinfo=ZONE) > limit, row
    assert late_seen or now.day <= 3  # the late reply needs two days of the month behind it


@pytest.mark.parametrize("now", [datetime(2026, 12, d, h, m, tzinfo=ZONE)
                                 for d in (5, 7) for h in range(24) for m in (0, 30)],
                         ids=lambda t: t.strftime("%d日%H:%M"))
def test_the_demo_storys_open_findings_are_overdue_only_when_days_old_at_any_hour(now):
    """The demo's overdue dashboard shows the same three at any hour of a working day or a
    weekend: the bare soil (24 days), the caved-in road (9); the fresh 小广告 never."""
    from backend.demo_activity import STORY
    from backend.findings import deadlines

    for case in STORY:
        if case.steps:
            continue
        observed = now - timedelta(days=case.days_ago)
        due = deadlines.deadline_for(deadlines.catalog_entry(case.code), observed).due_at
        assert (due <= now) == (case.days_ago >= 9), (case.code, case.days_ago)
