"""The rules in force: the rubric library, loaded once per process, with one `reload()`.

Every part of the product that scores, shows or sends rules reads them here: inspections, the
roll-ups, the pull's rubrics and catalog, the deadlines. Caches derived from the library key on
`version()`, which moves at every reload, so nothing serves rules older than the library's.
"""

from __future__ import annotations

import threading

from backend.config import get_settings
from backend.errors import Invalid
from backend.rubrics.loader import Library, Overlay, load_dir
from backend.rubrics.models import Catalog, Rubric

_lock = threading.Lock()
_library: Library | None = None
_version = 0
_overlay = Overlay()


def current() -> Library:
    global _library
    lib = _library  # read once: another thread's reload may clear the global meanwhile
    if lib is None:
        with _lock:
            lib = _library
            if lib is None:
                lib = _library = load_dir(get_settings().rubrics_dir, _overlay)
    return lib


def settings_version() -> int:
    """The version of the deployment's settings the rules in force were loaded with."""
    return _overlay.version


def use_settings(overlay: Overlay) -> None:
    """Rules from now on: the files with these settings over them (backend/configuration)."""
    global _overlay, _library, _version
    if overlay != _overlay:
        with _lock:
            _overlay, _library = overlay, None
            _version += 1


def version() -> int:
    current()
    return _version


def reload() -> None:
    """Forget the loaded rules (after the files or the settings over them changed)."""
    global _library, _version
    with _lock:
        _library = None
        _version += 1


def rubric(rubric_id: str) -> Rubric:
    """A rubric by id, or a 422 naming the ones there are."""
    found = current().rubrics().get(rubric_id)
    if found is None:
        raise Invalid(f"评分标准不存在: {rubric_id}（可用: {'、'.join(sorted(current().rubrics()))}）",
                      code="rubric_not_found")
    return found


def catalog() -> Catalog:
    """The finding catalog (seed 002 附件1): exactly one per deployment."""
    catalogs = current().catalogs()
    if len(catalogs) != 1:
        raise RuntimeError(f"expected one finding catalog in {get_settings().rubrics_dir}, "
                           f"found {len(catalogs)}")
    return next(iter(catalogs.values()))
