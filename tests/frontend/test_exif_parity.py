"""The phone reads a photo's EXIF evidence itself (frontend/logic/exif.js) because its canvas
re-encode drops EXIF, and writes the evidence back into the re-encoded JPEG. Both halves must
agree with the server: the phone reads what backend/photos/evidence.py reads, and the server
reads the phone's JPEG with the original's capture time and GPS, upright (Orientation 1)."""

from __future__ import annotations

import io
import random
import struct
from datetime import datetime, timezone
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageOps, ImageStat

from backend.photos import PhotoLimits, WatermarkInfo, require_cjk_font
from backend.photos.evidence import extract_evidence, orientation, read_exif
from backend.photos.processing import process_photo
from tests.frontend.node import run_module
from tests.support import require_shared_photos

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"

# stdin: {"read": [paths], "rebuild": [[original, canvas JPEG, output]]}; stdout: the evidence read
# from each path. A rebuild splices the original's evidence into the canvas JPEG, as photo.js does.
NODE = """
import { readFileSync, writeFileSync } from 'node:fs';
import { exifSegment, insertExif, readExif } from './logic/exif.js';
let input = '';
process.stdin.on('data', (c) => { input += c; });
process.stdin.on('end', () => {
  const { read, rebuild } = JSON.parse(input);
  for (const [original, canvas, out] of rebuild) {
    writeFileSync(out, insertExif(readFileSync(canvas), exifSegment(readExif(readFileSync(original)))));
  }
  process.stdout.write(JSON.stringify(read.map((p) => readExif(readFileSync(p)))));
});
"""


def run_js(read: list[Path] = (), rebuild: list[tuple[Path, Path, Path]] = ()) -> list[dict]:
    return run_module(NODE, {"read": [str(p) for p in read],
                             "rebuild": [[str(p) for p in r] for r in rebuild]})


def server_view(path: Path) -> dict:
    """The server's evidence of a photo, in exif.js's shape."""
    with Image.open(path, formats=["JPEG"]) as img:  # as processing.py opens it
        exif = read_exif(img)
        ev = extract_evidence(exif)
        return {"orientation": orientation(exif),
                "takenAt": ev.taken_at.isoformat() if ev.taken_at else None,
                "latitude": ev.lat, "longitude": ev.lon, "make": ev.make, "model": ev.model}


def jpegs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".jpg", ".jpeg"))


def test_phone_reads_the_same_evidence_as_the_server_from_every_real_jpeg():
    photos = jpegs(require_shared_photos())
    assert len(photos) >= 20, photos
    got = run_js(read=photos)
    mismatches = [(p.name, server_view(p), g) for p, g in zip(photos, got) if server_view(p) != g]
    assert not mismatches, mismatches
    assert any(g["latitude"] for g in got) and any(g["takenAt"] for g in got)  # not all-null


def scan_start(data: bytes) -> int:
    """Offset of the JPEG's SOS marker, walking the segments."""
    i = 2
    while data[i + 1] != 0xDA:
        i += 2 + struct.unpack(">H", data[i + 2:i + 4])[0]
    return i


def test_phone_and_server_agree_on_damaged_exif(tmp_path: Path):
    """Random bytes changed inside the EXIF of real phone photos: the phone never throws and
    keeps the same fields as the server (both read each field on its own, the phone following
    Pillow's rules for cut IFDs and values past the end)."""
    folder = require_shared_photos()
    rng = random.Random(5)
    cases = []
    for name in ("gps_DSCN0010.jpg", "mobile_HMD_Nokia_8.3_5G.jpg", "hdr_iphone_hdr_NO.jpg"):
        data = (folder / name).read_bytes()
        at = data.index(b"Exif\0\0") + 6
        size = struct.unpack(">H", data[at - 8:at - 6])[0] - 8  # the TIFF block of APP1
        head = data[:scan_start(data) + 64]  # Image.open and EXIF need no more than this
        for i in range(150):
            mutated = bytearray(head)
            for _ in range(rng.randint(1, 12)):
                # Half anywhere, half near the start, where the IFDs and short values are.
                where = rng.randrange(size) if rng.random() < 0.5 else int(rng.expovariate(1 / 300))
                mutated[at + min(size - 1, where)] = rng.randrange(256)
            path = tmp_path / f"{name}-{i}.jpg"
            path.write_bytes(bytes(mutated))
            cases.append(path)
    got = run_js(read=cases)  # fails if exif.js throws on any of them
    mismatches, compared = [], 0
    for path, js in zip(cases, got):
        try:
            server = server_view(path)
        except Image.UnidentifiedImageError:
            continue  # Pillow itself refuses some (a damaged XResolution): nothing to compare
        compared += 1
        # Known difference: a numeric Make/Model (damaged type) is str()-ed by the server, e.g.
        # "1097887852"; the phone drops it.
        for key in ("make", "model"):
            if js[key] is None and (server[key] or "").replace(".", "").isdigit():
                server[key] = None
        if server != js:
            mismatches.append((path.name, server, js))
    assert compared > 400, compared
    assert not mismatches, mismatches[:5]


def canvas_copy(original: Path, out: Path) -> tuple[int, int]:
    """What the PWA's canvas makes of a photo: upright pixels (EXIF orientation applied),
    long edge <= 1600, JPEG without any metadata."""
    with Image.open(original) as img:
        img.draft("RGB", (1600, 1600))
        upright = ImageOps.exif_transpose(img).convert("RGB")
    upright.thumbnail((1600, 1600))
    upright.save(out, "JPEG", quality=82)  # no exif= argument: no EXIF, as a canvas
    return upright.size


@pytest.mark.parametrize("name", [
    "gps_DSCN0010.jpg", "mobile_HMD_Nokia_8.3_5G.jpg", "hdr_iphone_hdr_NO.jpg", "corrupted.jpg",
    "orientation_landscape_3.jpg", "orientation_landscape_6.jpg", "orientation_portrait_5.jpg",
    "orientation_portrait_8.jpg",
])
def test_server_reads_the_phone_jpeg_with_the_original_evidence_and_upright(name: str,
                                                                            tmp_path: Path):
    original = require_shared_photos() / name
    canvas, upload = tmp_path / "canvas.jpg", tmp_path / "upload.jpg"
    size = canvas_copy(original, canvas)
    assert server_view(canvas)["takenAt"] is None  # the re-encode really lost the evidence
    run_js(rebuild=[(original, canvas, upload)])
    assert upload.read_bytes()[2:4] == b"\xff\xe1"  # APP1 right after SOI

    before, after = server_view(original), server_view(upload)
    assert after == {**before, "orientation": 1}
    with Image.open(upload) as img:
        assert img.format == "JPEG" and img.size == size
        img.load()  # the spliced file decodes

    processed = process_photo(
        upload, sha256="0" * 64, limits=PhotoLimits(), font=require_cjk_font(),
        watermark=WatermarkInfo(compound="阳光花园小区", author="张巡查",
                                uploaded_at=datetime(2026, 11, 20, 2, 30, tzinfo=timezone.utc)))
    assert processed.orientation == 1
    assert (processed.width, processed.height) == size
    assert (processed.oriented_width, processed.oriented_height) == size
    w, h = processed.display_size
    assert (w, h) == size  # not rotated a second time...
    assert (w > h) == ("portrait" not in name)
    # ...nor flipped: the display copy shows the canvas pixels (compared above the watermark).
    with Image.open(io.BytesIO(processed.display)) as shown, Image.open(canvas) as drawn:
        top = (0, 0, w, h * 2 // 5)
        diff = ImageChops.difference(shown.convert("L").crop(top), drawn.convert("L").crop(top))
        assert ImageStat.Stat(diff).mean[0] < 4, ImageStat.Stat(diff).mean
    ev = processed.evidence
    assert (ev.taken_at.isoformat() if ev.taken_at else None, ev.lat, ev.lon) == \
        (before["takenAt"], before["latitude"], before["longitude"])
    if before["takenAt"]:
        assert processed.watermark[0].startswith("拍摄时间")

