"""Helpers shared by the test folders (not fixtures: importable from any test module)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("XUNJIAN_SHARED_DIR", REPO.parent / "shared"))
SHARED_PHOTOS = Path(os.environ.get("XUNJIAN_TEST_PHOTOS") or SHARED / "photos")
PHOTOS_MISSING = "../shared/photos not found: photo tests need the shared real-photo folder"


def require_shared_photos() -> Path:
    """The real phone photos of ../shared/photos. Where a clone lacks them the test says so
    plainly and is skipped; under CI (which always has them) their absence is a failure."""
    if not (SHARED_PHOTOS / "gps_DSCN0010.jpg").is_file():
        where = f"{PHOTOS_MISSING} (looked in {SHARED_PHOTOS}; set XUNJIAN_TEST_PHOTOS)"
        if os.environ.get("CI"):
            pytest.fail(where, pytrace=False)
        pytest.skip(where)
    return SHARED_PHOTOS
