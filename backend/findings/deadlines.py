"""The finding catalog and the work-time configuration, loaded once per process.

Which instant starts the clock? The dispatch: the moment the server receives the finding and
creates its ticket. The manager cannot act before the ticket reaches them, the server's clock
is the one nobody can set back, and an inspector offline in a basement for an hour does not
eat an hour of the company's deadline. The phone's observation time is kept beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
import threading
from functools import cached_property, lru_cache

from backend.config import get_settings
from backend.rubrics import library
from backend.rubrics.models import Catalog, CatalogEntry
from backend.worktime.loader import WorktimeConfig, load_worktime


def catalog() -> Catalog:
    return library.catalog()


# The admin's calendar entries and schedules (backend/configuration) over the files, and the
# configuration built from them, keyed by a generation that moves at every change: a build
# that started before a change is never kept as the current one.
_settings: tuple[dict, dict] = ({}, {})
_generation = 0
_built: tuple[int, WorktimeConfig] | None = None
_lock = threading.Lock()


def build_worktime(calendar_entries: dict, schedules: dict) -> WorktimeConfig:
    return load_worktime(get_settings(), calendar_entries=calendar_entries, schedules=schedules)


def worktime() -> WorktimeConfig:
    global _built
    built = _built
    if built is not None and built[0] == _generation:
        return built[1]
    with _lock:
        if _built is None or _built[0] != _generation:
            _built = (_generation, build_worktime(*_settings))
        return _built[1]


def reload() -> None:
    """Forget the built work-time configuration (after the calendar file changed)."""
    global _generation
    with _lock:
        _generation += 1


def use_settings(calendar_entries: dict, schedules: dict) -> None:
    """The admin's calendar entries and schedules from now on (backend/configuration)."""
    global _settings
    if (calendar_entries, schedules) != _settings:
        with _lock:
            _settings = (calendar_entries, schedules)
        reload()


@lru_cache(maxsize=4)
def _entries(_version: int) -> dict[str, CatalogEntry]:
    return {e.code: e for e in catalog().entries}


def catalog_entry(code: str) -> CatalogEntry | None:
    return _entries(library.version()).get(code)


@dataclass(frozen=True)
class Deadline:
    amount: Decimal | None  # None: a due time stated outright (fixed_deadline)
    unit: str | None
    schedule_key: str | None
    due_at: datetime
    provisional: bool
    missing_years: tuple[int, ...]

    @cached_property
    def event_detail(self) -> dict:
        """What the dispatch event records of it (one dict for a batch's findings of a code)."""
        return {"due_at": self.due_at.isoformat(), "provisional": self.provisional,
                "missing_years": list(self.missing_years)}

    @cached_property
    def ticket_columns(self) -> dict:
        """The ticket's columns it sets: a new ticket's, or a retyped one's."""
        return {"deadline_amount": self.amount, "deadline_unit": self.unit,
                "schedule_key": self.schedule_key, "due_at": self.due_at,
                "due_provisional": self.provisional}


def deadline_for(entry: CatalogEntry, dispatched_at: datetime,
                 config: WorktimeConfig | None = None, *,
                 limit: tuple[Decimal, str] | None = None) -> Deadline:
    """The catalog type's deadline from `dispatched_at`, or another `limit` (amount, unit) of
    its (a hotline work order's own 办理时限) under the type's schedule."""
    config = config or worktime()
    amount, unit = limit or (entry.deadline.count, entry.deadline.unit)
    key = config.schedule_key_for(entry.name, entry.responsible, entry.code)
    result = config.due(dispatched_at, amount, unit,
                        catalog_type=entry.name, responsible_unit=entry.responsible,
                        catalog_code=entry.code)
    return Deadline(Decimal(amount), unit, key, result.due,
                    result.provisional, tuple(result.missing_years))


def fixed_deadline(due_at: datetime) -> Deadline:
    """A due time stated outright (a hotline work order's 办理时限 as a time): no amount."""
    return Deadline(None, None, None, due_at, False, ())
