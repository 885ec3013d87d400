"""Recompute provisional due times after the calendar gained a year (or a correction).

Pure: plain ticket data in, the changes out. Writing them back and recording the audited event
belong to the ticket service (issue 5).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Hashable, Iterable, Mapping

from backend.worktime.calendar import HolidayCalendar
from backend.worktime.engine import CIVIL, Unit, due_time
from backend.worktime.schedule import Schedule


@dataclass(frozen=True)
class ProvisionalTicket:
    id: Hashable
    start: datetime
    amount: Any
    unit: Unit | str
    schedule_key: str
    old_due: datetime
    workday_rule: str = CIVIL


@dataclass(frozen=True)
class DueChange:
    id: Hashable
    old_due: datetime
    new_due: datetime
    provisional: bool  # still provisional after the update (another year still missing)
    missing_years: tuple[int, ...]

    @property
    def due_moved(self) -> bool:
        return self.new_due != self.old_due


def recompute_provisional(tickets: Iterable[ProvisionalTicket | tuple], *,
                          schedules: Mapping[str, Schedule],
                          calendar: HolidayCalendar) -> list[DueChange]:
    """New due times for provisional tickets under the updated `calendar`.

    `tickets` are ProvisionalTicket or plain tuples (id, start, amount, unit, schedule_key,
    old_due[, workday_rule]). Returned: one DueChange per ticket whose due time moved or which is
    no longer provisional; tickets unchanged and still provisional are left out. An unknown
    schedule key raises KeyError naming it.
    """
    changes = []
    for raw in tickets:
        ticket = raw if isinstance(raw, ProvisionalTicket) else ProvisionalTicket(*raw)
        try:
            schedule = schedules[ticket.schedule_key]
        except KeyError:
            raise KeyError(f"未知的作息表：{ticket.schedule_key!r} / unknown schedule key") from None
        result = due_time(ticket.start, ticket.amount, ticket.unit, schedule=schedule,
                          calendar=calendar, workday_rule=ticket.workday_rule)
        if result.due != ticket.old_due or not result.provisional:
            changes.append(DueChange(ticket.id, ticket.old_due, result.due, result.provisional,
                                     result.missing_years))
    return changes
