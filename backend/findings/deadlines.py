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
from functools import lru_cache

from backend.config import get_settings
from backend.rubrics.loader import load_dir
from backend.rubrics.models import Catalog, CatalogEntry
from backend.worktime.loader import WorktimeConfig, load_worktime


@lru_cache
def catalog() -> Catalog:
    library = load_dir(get_settings().rubrics_dir)
    catalogs = library.catalogs()
    if len(catalogs) != 1:
        raise RuntimeError(f"expected one finding catalog in {get_settings().rubrics_dir}, "
                           f"found {len(catalogs)}")
    return next(iter(catalogs.values()))


@lru_cache
def worktime() -> WorktimeConfig:
    return load_worktime(get_settings())


def reload() -> None:
    """Forget the cached configuration (after an admin edits the calendar or the catalog)."""
    catalog.cache_clear()
    worktime.cache_clear()


def catalog_entry(code: str) -> CatalogEntry | None:
    try:
        return catalog().entry(code)
    except KeyError:
        return None


@dataclass(frozen=True)
class Deadline:
    amount: Decimal
    unit: str
    schedule_key: str
    due_at: datetime
    provisional: bool
    missing_years: tuple[int, ...]


def deadline_for(entry: CatalogEntry, dispatched_at: datetime,
                 config: WorktimeConfig | None = None) -> Deadline:
    config = config or worktime()
    key = config.schedule_key_for(entry.name, entry.responsible)
    result = config.due(dispatched_at, entry.deadline.amount, entry.deadline.unit,
                        catalog_type=entry.name, responsible_unit=entry.responsible)
    return Deadline(Decimal(entry.deadline.amount), entry.deadline.unit, key, result.due,
                    result.provisional, tuple(result.missing_years))
