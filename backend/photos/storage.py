"""Content-addressed photo files under one root (the product uses settings.photo_dir).

    <root>/originals/ab/cd/<sha256>        the uploaded bytes, never modified (mode 0444)
    <root>/display/ab/cd/<sha256>.jpg      watermarked display copy
    <root>/thumbs/ab/cd/<sha256>.jpg       thumbnail
    <root>/meta/ab/cd/<sha256>.json        processing result; written last = "fully processed"
    <root>/tmp/                            uploads in progress (same filesystem: renames are atomic)

Every final file appears atomically and is never overwritten: it is written to tmp/ and then
hard-linked into place (`os.link` fails if the name exists), so two racing uploads of the same
bytes both succeed and leave exactly one copy, and no reader ever sees half a file. Where hard
links are not supported (some network filesystems) `os.replace` is used; overwriting a
content-addressed file with the same content is harmless.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from backend.photos.errors import InvalidPhotoId, PhotoRejected

Variant = Literal["original", "display", "thumb", "meta"]
_LAYOUT: dict[str, tuple[str, str]] = {
    "original": ("originals", ""), "display": ("display", ".jpg"),
    "thumb": ("thumbs", ".jpg"), "meta": ("meta", ".json"),
}
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
CHUNK_SIZE = 256 * 1024


def check_sha256(sha256: str) -> str:
    """The id itself if it is a lowercase hex SHA-256; raises InvalidPhotoId (no path tricks)."""
    if not isinstance(sha256, str) or not _SHA256_RE.match(sha256):
        raise InvalidPhotoId(f"not a photo id: {sha256!r}")
    return sha256


@dataclass(frozen=True, slots=True)
class PhotoPaths:
    original: Path
    display: Path
    thumb: Path


class Upload:
    """Bytes received into a temp file, with their digest. Use as a context manager: the temp
    file is removed on exit whatever happens (it has been linked into place if committed)."""

    def __init__(self, path: Path, sha256: str, size: int) -> None:
        self.path, self.sha256, self.size = path, sha256, size

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> "Upload":
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()


class PhotoStore:
    def __init__(self, root: str | os.PathLike[str], *, durable: bool = True) -> None:
        """durable: fsync new files and their directories before reporting them stored, so an
        OK to the phone means the photo survives a power cut (the phone then deletes its copy)."""
        self.root = Path(root)
        self.tmp_dir = self.root / "tmp"
        self.durable = durable
        self.tmp_dir.mkdir(parents=True, exist_ok=True)

    # -- paths -----------------------------------------------------------------------------
    def path(self, sha256: str, variant: Variant = "original") -> Path:
        """Where a variant of a photo lives (whether or not it exists). Validates the id."""
        check_sha256(sha256)
        folder, suffix = _LAYOUT[variant]
        return self.root / folder / sha256[:2] / sha256[2:4] / f"{sha256}{suffix}"

    def serving_paths(self, sha256: str) -> PhotoPaths:
        """Paths of the three servable files (check scope before serving any of them)."""
        return PhotoPaths(self.path(sha256, "original"), self.path(sha256, "display"),
                          self.path(sha256, "thumb"))

    def has_original(self, sha256: str) -> bool:
        return self.path(sha256, "original").is_file()

    # -- receiving -------------------------------------------------------------------------
    def receive(self, stream: BinaryIO, *, max_bytes: int, chunk_size: int = CHUNK_SIZE) -> Upload:
        """Copy a binary stream to a temp file in chunks, hashing it and enforcing max_bytes.

        Raises PhotoRejected("file_too_large") as soon as the cap is passed (without reading
        the rest). On any failure, including the stream itself raising (client went away), the
        temp file is removed and the exception propagates.
        """
        fd, name = tempfile.mkstemp(dir=self.tmp_dir, prefix="upload-", suffix=".part")
        digest = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(chunk_size):
                    size += len(chunk)
                    if size > max_bytes:
                        raise PhotoRejected("file_too_large", detail={"max_bytes": max_bytes})
                    digest.update(chunk)
                    out.write(chunk)
        except BaseException:
            os.unlink(name)
            raise
        return Upload(Path(name), digest.hexdigest(), size)

    # -- committing ------------------------------------------------------------------------
    def commit_original(self, upload: Upload) -> bool:
        """Put the received bytes at originals/<sha256>. True if stored now, False if the same
        bytes were already there (from an earlier or concurrent upload)."""
        target = self.path(upload.sha256, "original")
        if target.is_file():
            return False
        os.chmod(upload.path, 0o444)
        if self.durable:
            _fsync_file(upload.path)
        return self._place(upload.path, target)

    def put_file(self, sha256: str, variant: Variant, data: bytes) -> Path:
        """Store a derivative (display, thumb, meta) unless one is already there; first wins."""
        target = self.path(sha256, variant)
        if target.is_file():
            return target
        fd, name = tempfile.mkstemp(dir=self.tmp_dir, prefix=f"{variant}-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                if self.durable:
                    out.flush()
                    os.fsync(out.fileno())
            os.chmod(name, 0o444)
            self._place(Path(name), target)
        finally:
            Path(name).unlink(missing_ok=True)
        return target

    def _place(self, source: Path, target: Path) -> bool:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except FileExistsError:
            return False
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
                raise
            os.replace(source, target)  # no hard links here; same content, so overwrite is fine
        if self.durable:
            _fsync_dir(target.parent)
        return True

    # -- processing result -----------------------------------------------------------------
    def write_meta(self, sha256: str, meta: dict) -> None:
        self.put_file(sha256, "meta", json.dumps(meta, ensure_ascii=False, sort_keys=True).encode())

    def read_meta(self, sha256: str) -> dict | None:
        """The stored processing result, or None if the photo is not (fully) processed."""
        try:
            return json.loads(self.path(sha256, "meta").read_bytes())
        except (FileNotFoundError, ValueError):
            return None

    # -- housekeeping ----------------------------------------------------------------------
    def sweep_tmp(self, older_than_seconds: float = 3600, *, now: float | None = None) -> int:
        """Delete temp files left by a killed worker (call at start-up). Returns the count."""
        cutoff = (time.time() if now is None else now) - older_than_seconds
        removed = 0
        for entry in self.tmp_dir.iterdir():
            with contextlib.suppress(FileNotFoundError):
                if entry.stat().st_mtime < cutoff:
                    entry.unlink()
                    removed += 1
        return removed


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not supported everywhere; best effort
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
