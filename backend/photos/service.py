"""ingest_photo(): the one call the upload route makes. Receive, check, decode, store.

Blocking and CPU-bound (about 0.1 s for a 12-MP JPEG): call it from a sync route or through
`starlette.concurrency.run_in_threadpool`, never directly in an `async def` route.

Order of work, so that nothing is stored half-way:
1. stream into tmp/ while hashing and counting (file_too_large stops the read at the cap);
2. if these bytes are already fully processed (meta file present), return that result without
   decoding anything;
3. decode and derive in memory (any PhotoRejected: the temp file is deleted, nothing stored);
4. link the original into place, then display and thumb, then the meta file last: a crash
   between steps leaves no meta, so the next upload of the same bytes finishes the job.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from backend.photos.errors import PhotoRejected
from backend.photos.evidence import Evidence
from backend.photos.processing import PhotoLimits, ProcessedPhoto, process_photo
from backend.photos.storage import PhotoStore
from backend.photos.watermark import FontRef, WatermarkInfo, require_cjk_font


@dataclass(frozen=True, slots=True)
class IngestedPhoto:
    """What the router stores in its Photo row (all plain values).

    already_stored: True when these exact bytes had been fully processed before this call; the
    copies, and the watermark on the display copy, are then those of the *first* upload (one
    display copy per SHA-256). The router should decide what a second upload of the same
    bytes means (same finding: idempotent retry; another compound: suspicious reuse).
    taken_at/lat/lon/make/model: EXIF evidence, None when absent or damaged (see evidence.py).
    """

    sha256: str
    byte_size: int
    format: str  # "jpeg" | "png" | "webp" | "heic"
    width: int  # stored pixel grid
    height: int
    orientation: int  # EXIF orientation that was applied (1 = none)
    oriented_width: int  # as displayed upright
    oriented_height: int
    taken_at: datetime | None
    lat: float | None
    lon: float | None
    make: str | None
    model: str | None
    watermark: tuple[str, ...]  # the lines drawn on the display copy
    display_width: int
    display_height: int
    thumb_width: int
    thumb_height: int
    original_path: Path
    display_path: Path
    thumb_path: Path
    already_stored: bool

    @property
    def evidence(self) -> Evidence:
        return Evidence(self.taken_at, self.lat, self.lon, self.make, self.model)


def ingest_photo(stream: BinaryIO, *, store: PhotoStore, limits: PhotoLimits,
                 watermark: WatermarkInfo, font: FontRef | None = None,
                 allowed_sha256: Container[str] | None = None) -> IngestedPhoto:
    """Store one uploaded photo and its served copies; return what the database should keep.

    stream: a binary file-like object with .read(n) (FastAPI: `upload.file`).
    Raises PhotoRejected (codes in errors.REJECTIONS) for anything that is not an acceptable
    photo or is over a cap; nothing is stored then. Exceptions from the stream itself (client
    disconnected) propagate unchanged, also with nothing stored. CJKFontMissing if no font.
    allowed_sha256: the digests the caller expects (e.g. those a finding declared); other
    bytes are refused with "photo_not_declared" before any decoding, and nothing is stored.
    """
    font = font or require_cjk_font()
    with store.receive(stream, max_bytes=limits.max_bytes) as upload:
        if allowed_sha256 is not None and upload.sha256 not in allowed_sha256:
            raise PhotoRejected("photo_not_declared", detail={"sha256": upload.sha256})
        meta = store.read_meta(upload.sha256)
        paths = store.serving_paths(upload.sha256)
        if meta is not None and paths.original.is_file() and paths.display.is_file() \
                and paths.thumb.is_file():
            return _from_meta(meta, store, already_stored=True)
        done = process_photo(upload.path, sha256=upload.sha256, limits=limits,
                             watermark=watermark, font=font)
        store.commit_original(upload)
        store.put_file(upload.sha256, "display", done.display)
        store.put_file(upload.sha256, "thumb", done.thumb)
        meta = _to_meta(upload.sha256, upload.size, done)
        store.write_meta(upload.sha256, meta)
        # A concurrent upload may have won the race for a file; report what is on disk.
        return _from_meta(store.read_meta(upload.sha256) or meta, store, already_stored=False)


def receive_declared(session, stream: BinaryIO, *, sha256: str | None, declared: set[str],  # noqa: ANN001
                     place: str, uploader, store: PhotoStore, now: datetime) -> IngestedPhoto:  # noqa: ANN001
    """The bytes of a photo something (a finding, an event, an inspection) declared by SHA-256:
    refused unless declared, stored once, watermarked with the place, the uploader and `now`,
    and its row recorded. What the photo then proves is the caller's business."""
    if sha256 is not None and sha256 not in declared:
        raise PhotoRejected("photo_not_declared")
    # Undeclared bytes are refused after hashing, before anything is decoded or stored.
    photo = ingest_photo(stream, store=store, limits=PhotoLimits.from_settings(),
                         watermark=WatermarkInfo(compound=place, author=uploader.display_name,
                                                 uploaded_at=now),
                         allowed_sha256=declared)
    record_photo(session, photo, uploader.id)
    return photo


def _to_meta(sha256: str, size: int, done: ProcessedPhoto) -> dict:
    evidence = asdict(done.evidence)
    evidence["taken_at"] = done.evidence.taken_at.isoformat() if done.evidence.taken_at else None
    return {
        "version": 1, "sha256": sha256, "byte_size": size, "format": done.format,
        "width": done.width, "height": done.height, "orientation": done.orientation,
        "oriented_width": done.oriented_width, "oriented_height": done.oriented_height,
        "evidence": evidence, "watermark": list(done.watermark),
        "display_size": list(done.display_size), "thumb_size": list(done.thumb_size),
    }


def _from_meta(meta: dict, store: PhotoStore, *, already_stored: bool) -> IngestedPhoto:
    sha = meta["sha256"]
    ev = meta["evidence"]
    paths = store.serving_paths(sha)
    return IngestedPhoto(
        sha256=sha, byte_size=meta["byte_size"], format=meta["format"],
        width=meta["width"], height=meta["height"], orientation=meta["orientation"],
        oriented_width=meta["oriented_width"], oriented_height=meta["oriented_height"],
        taken_at=datetime.fromisoformat(ev["taken_at"]) if ev["taken_at"] else None,
        lat=ev["lat"], lon=ev["lon"], make=ev["make"], model=ev["model"],
        watermark=tuple(meta["watermark"]),
        display_width=meta["display_size"][0], display_height=meta["display_size"][1],
        thumb_width=meta["thumb_size"][0], thumb_height=meta["thumb_size"][1],
        original_path=paths.original, display_path=paths.display, thumb_path=paths.thumb,
        already_stored=already_stored,
    )


def capture_instant(taken: datetime | None) -> datetime | None:
    """An EXIF capture time as an instant: a time written without its UTC offset is read in
    the deployment's zone (phones in China keep China's time)."""
    if taken is None or taken.tzinfo is not None:
        return taken
    from zoneinfo import ZoneInfo

    from backend.config import get_settings

    return taken.replace(tzinfo=ZoneInfo(get_settings().timezone))


def capture_times(session, shas: set[str]) -> dict[str, datetime]:  # noqa: ANN001
    """{sha256: capture instant} of the stored photos among `shas` that carry one."""
    if not shas:
        return {}
    from sqlmodel import select

    from backend.photos.models import Photo

    rows = session.execute(select(Photo.sha256, Photo.taken_at, Photo.taken_at_local)
                           .where(Photo.sha256.in_(sorted(shas))))
    return {sha: t for sha, at, local in rows if (t := capture_instant(
        at or (datetime.fromisoformat(local) if local else None))) is not None}


def record_photo(session, photo: IngestedPhoto, uploaded_by) -> None:  # noqa: ANN001
    """The row of stored bytes, once per SHA-256 (the first upload's evidence is kept)."""
    from backend.photos.models import Photo

    if session.get(Photo, photo.sha256) is not None:
        return
    taken = photo.taken_at
    session.add(Photo(
        sha256=photo.sha256, byte_size=photo.byte_size, format=photo.format,
        width=photo.oriented_width, height=photo.oriented_height,
        taken_at=taken if taken and taken.tzinfo else None,
        taken_at_local=taken.isoformat() if taken and not taken.tzinfo else None,
        latitude=photo.lat, longitude=photo.lon, make=photo.make, model=photo.model,
        uploaded_by=uploaded_by))
    session.flush()
