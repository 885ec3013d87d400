"""The holiday calendar's coverage and the recomputation that follows a new year."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Session

from backend.findings import deadlines
from backend.findings.recompute import recompute_provisional_tickets


def status(now: datetime) -> dict:
    calendar = deadlines.worktime().calendar
    this_year = now.year
    missing = [y for y in (this_year, this_year + 1) if not calendar.is_covered(y)]
    return {"covered": [list(r) for r in calendar.covered_ranges()], "missing": missing,
            "warning": (f"{'、'.join(map(str, missing))} 年节假日安排尚未录入：跨入该年的整改期限按"
                        "仅双休日临时计算（标注“临时”）。请在日历中补录后重算。")
            if missing else None}


def recompute(session: Session, *, actor_id: uuid.UUID, config=None) -> list[dict]:  # noqa: ANN001
    """`config`: the work-time rules to recompute by (default: those in force)."""
    return recompute_provisional_tickets(session, actor_id=actor_id, config=config)
