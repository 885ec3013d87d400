"""Fixtures for photo tests: the shared real-photo folder, a store in tmp, a watermark."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from backend.photos import PhotoLimits, PhotoStore, WatermarkInfo, require_cjk_font

@pytest.fixture(scope="session")
def photos(shared_photos: Path) -> Path:
    return shared_photos


@pytest.fixture
def store(tmp_path: Path) -> PhotoStore:
    return PhotoStore(tmp_path / "photos", durable=False)


@pytest.fixture
def limits() -> PhotoLimits:
    return PhotoLimits()  # the product defaults: 25 MB, 50 MP, 1600 px display, 320 px thumb


@pytest.fixture
def uploaded_at() -> datetime:
    return datetime(2026, 11, 20, 2, 30, 0, tzinfo=timezone.utc)  # 10:30 in China


@pytest.fixture
def watermark(uploaded_at: datetime) -> WatermarkInfo:
    return WatermarkInfo(compound="阳光花园小区", author="张巡查", uploaded_at=uploaded_at)


@pytest.fixture(scope="session")
def font():
    return require_cjk_font()


@pytest.fixture
def stored_files(store: PhotoStore):
    """A function listing every file under the store root, temp files included."""
    return lambda: sorted(p for p in store.root.rglob("*") if p.is_file())
