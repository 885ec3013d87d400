"""Content-addressed storage: stored once, atomically, and nothing left behind on failure."""

from __future__ import annotations

import hashlib
import io
import os
import threading
import time

import pytest

from backend.photos import (CJKFontMissing, InvalidPhotoId, PhotoRejected, PhotoStore,
                            find_cjk_font, ingest_photo)
from backend.photos import service
from backend.photos import watermark as watermark_module


class BrokenStream(io.RawIOBase):
    """A client that goes away after sending `cut` bytes (the read raises, as Starlette's
    ClientDisconnect or a reset socket would)."""

    def __init__(self, data: bytes, cut: int) -> None:
        self.data, self.cut, self.pos = data, cut, 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if self.pos >= self.cut:
            raise ConnectionResetError("client disconnected")
        chunk = self.data[self.pos: min(self.pos + n, self.cut)]
        self.pos += len(chunk)
        return chunk


def originals(store: PhotoStore) -> list:
    return [p for p in (store.root / "originals").rglob("*") if p.is_file()]


def test_same_bytes_uploaded_twice_are_stored_once_and_not_decoded_again(
        photos, store, limits, watermark, monkeypatch):
    data = (photos / "gps_DSCN0010.jpg").read_bytes()
    first = ingest_photo(io.BytesIO(data), store=store, limits=limits, watermark=watermark)

    def must_not_decode(*args, **kwargs):
        raise AssertionError("an already processed photo was decoded again")
    monkeypatch.setattr(service, "process_photo", must_not_decode)
    second = ingest_photo(io.BytesIO(data), store=store, limits=limits, watermark=watermark)
    assert (first.already_stored, second.already_stored) == (False, True)
    assert second.sha256 == first.sha256 == hashlib.sha256(data).hexdigest()
    assert (second.lat, second.taken_at, second.watermark) == (first.lat, first.taken_at,
                                                               first.watermark)
    assert originals(store) == [first.original_path]
    assert list(store.tmp_dir.iterdir()) == []


def test_original_is_filed_under_its_sha256(photos, store, limits, watermark):
    data = (photos / "gps_DSCN0010.jpg").read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    result = ingest_photo(io.BytesIO(data), store=store, limits=limits, watermark=watermark)
    assert result.original_path == store.root / "originals" / sha[:2] / sha[2:4] / sha
    paths = store.serving_paths(sha)
    assert (paths.original, paths.display, paths.thumb) == (
        result.original_path, result.display_path, result.thumb_path)


def test_upload_broken_off_halfway_leaves_nothing_and_a_retry_stores_one_photo(
        photos, store, limits, watermark, stored_files):
    data = (photos / "hdr_iphone_hdr_NO.jpg").read_bytes()
    with pytest.raises(ConnectionResetError):
        ingest_photo(BrokenStream(data, len(data) // 2), store=store, limits=limits,
                     watermark=watermark)
    assert stored_files() == []
    retry = ingest_photo(io.BytesIO(data), store=store, limits=limits, watermark=watermark)
    again = ingest_photo(io.BytesIO(data), store=store, limits=limits, watermark=watermark)
    assert (retry.already_stored, again.already_stored) == (False, True)
    assert originals(store) == [retry.original_path]
    assert retry.original_path.read_bytes() == data
    assert list(store.tmp_dir.iterdir()) == []


def test_concurrent_uploads_of_the_same_bytes_store_one_intact_copy(photos, store, limits,
                                                                    watermark):
    """Eight threads upload the same photo at once: all succeed, one original, one display
    copy, one thumbnail, byte-identical to the upload; no temp files remain."""
    data = (photos / "mobile_HMD_Nokia_8.3_5G.jpg").read_bytes()
    start = threading.Barrier(8)
    results, errors = [], []

    def upload():
        start.wait()
        try:
            results.append(ingest_photo(io.BytesIO(data), store=store, limits=limits,
                                        watermark=watermark))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
    threads = [threading.Thread(target=upload) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len({r.sha256 for r in results}) == 1 and len(results) == 8
    assert originals(store) == [results[0].original_path]
    assert results[0].original_path.read_bytes() == data
    for folder in ("display", "thumbs", "meta"):
        assert len([p for p in (store.root / folder).rglob("*") if p.is_file()]) == 1
    assert list(store.tmp_dir.iterdir()) == []


def test_stored_files_are_read_only(photos, store, limits, watermark):
    result = ingest_photo(io.BytesIO((photos / "gps_DSCN0010.jpg").read_bytes()), store=store,
                          limits=limits, watermark=watermark)
    for path in (result.original_path, result.display_path, result.thumb_path):
        assert path.stat().st_mode & 0o222 == 0


def test_missing_meta_means_not_fully_processed_and_is_redone(photos, store, limits, watermark):
    """A worker killed after storing the original but before the meta file: the next upload of
    the same bytes processes again and completes the set."""
    data = (photos / "gps_DSCN0010.jpg").read_bytes()
    first = ingest_photo(io.BytesIO(data), store=store, limits=limits, watermark=watermark)
    meta = store.path(first.sha256, "meta")
    meta.unlink()
    second = ingest_photo(io.BytesIO(data), store=store, limits=limits, watermark=watermark)
    assert second.already_stored is False and meta.is_file()
    assert originals(store) == [first.original_path]


@pytest.mark.parametrize("bad", ["../../etc/passwd", "A" * 64, "abc", "g" * 64,
                                 "0" * 63 + "/", ""])
def test_photo_ids_must_be_lowercase_hex_sha256(store, bad):
    """Ids come from URLs: anything else must never become a path."""
    with pytest.raises(InvalidPhotoId):
        store.path(bad, "display")


def test_stale_temp_files_are_swept_at_start_up(store):
    old = store.tmp_dir / "upload-old.part"
    new = store.tmp_dir / "upload-new.part"
    old.write_bytes(b"x")
    new.write_bytes(b"y")
    an_hour_ago = time.time() - 7200
    os.utime(old, (an_hour_ago, an_hour_ago))
    assert store.sweep_tmp(older_than_seconds=3600) == 1
    assert list(store.tmp_dir.iterdir()) == [new]


def test_watermark_needs_a_cjk_font_and_says_so_loudly(monkeypatch):
    """A Latin-only font would draw tofu boxes: configuring one is an error, and with no CJK
    font installed at all the error names the Debian package to install."""
    latin = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    if os.path.exists(latin):
        with pytest.raises(CJKFontMissing):
            find_cjk_font(latin)
    with pytest.raises(CJKFontMissing):
        find_cjk_font("/nonexistent/font.ttc")
    monkeypatch.delenv(watermark_module.FONT_ENV, raising=False)
    monkeypatch.setattr(watermark_module, "_fc_match", lambda: None)
    monkeypatch.setattr(watermark_module, "_KNOWN_FONTS", ())
    with pytest.raises(CJKFontMissing, match="fonts-wqy-microhei"):
        find_cjk_font()


def test_a_cjk_font_is_installed_here(font):
    """The health check's question, on this machine: CI and Docker install fonts-wqy-microhei."""
    assert font.path.is_file()


def test_bytes_not_declared_by_the_finding_are_refused_before_storing(
        photos, store, limits, watermark, stored_files):
    """allowed_sha256: the router passes the finding's declared digests; other bytes get 422
    photo_not_declared, nothing decoded, nothing stored. Declared bytes go through."""
    data = (photos / "gps_DSCN0010.jpg").read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    with pytest.raises(PhotoRejected) as info:
        ingest_photo(io.BytesIO(data), store=store, limits=limits, watermark=watermark,
                     allowed_sha256={"0" * 64})
    assert (info.value.status_code, info.value.code) == (422, "photo_not_declared")
    assert info.value.detail == {"sha256": sha}
    assert stored_files() == []
    result = ingest_photo(io.BytesIO(data), store=store, limits=limits, watermark=watermark,
                          allowed_sha256={sha})
    assert result.sha256 == sha
