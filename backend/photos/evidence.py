"""Evidence fields read from a photo's EXIF: capture time, GPS position, camera make and model.

Phone and camera EXIF is often damaged (bad offsets, zero denominators, garbage strings), so every
field is read on its own and any failure turns that field into None: metadata must never make
an upload fail. Only EXIF is read; XMP is ignored, so a photo with XMP but no EXIF has no capture
time (IFD0 DateTime is the last *modification* time, not the capture time, and is not used).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from PIL import Image

TAG_ORIENTATION = 0x0112
TAG_MAKE = 0x010F
TAG_MODEL = 0x0110
IFD_EXIF = 0x8769
IFD_GPS = 0x8825
TAG_DATETIME_ORIGINAL = 0x9003
TAG_OFFSET_TIME_ORIGINAL = 0x9011
GPS_LAT_REF, GPS_LAT, GPS_LON_REF, GPS_LON = 1, 2, 3, 4

_MAX_TEXT = 64
_DATETIME_RE = re.compile(r"^(\d{4})[:\-](\d{2})[:\-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_OFFSET_RE = re.compile(r"^([+-])(\d{2}):(\d{2})$")


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the photo says about itself. Any field may be None.

    taken_at: the phone's local time of capture; timezone-aware when the photo records its UTC
    offset (OffsetTimeOriginal, most phones since 2017), else naive (local time of the phone,
    offset unknown). lat/lon: WGS-84 decimal degrees as written by the phone, signed (S and W
    negative). Chinese phones usually write WGS-84 here even though maps in China use GCJ-02.
    """

    taken_at: datetime | None = None
    lat: float | None = None
    lon: float | None = None
    make: str | None = None
    model: str | None = None


def read_exif(img: Image.Image) -> Image.Exif | None:
    """The image's EXIF, or None when absent or unreadable. Parsing reads no pixel data."""
    try:
        return img.getexif()
    except Exception:  # damaged EXIF: Pillow raises many kinds (struct.error, SyntaxError, ...)
        return None


def orientation(exif: Image.Exif | None) -> int:
    """EXIF orientation 1..8; 1 (as stored) when absent or invalid."""
    if exif is None:
        return 1
    try:
        value = int(exif.get(TAG_ORIENTATION, 1))
    except Exception:
        return 1
    return value if 1 <= value <= 8 else 1


def extract_evidence(exif: Image.Exif | None) -> Evidence:
    if exif is None:
        return Evidence()
    exif_ifd = _ifd(exif, IFD_EXIF)
    gps_ifd = _ifd(exif, IFD_GPS)
    lat, lon = _safe(lambda: _gps(gps_ifd), (None, None))
    return Evidence(
        taken_at=_safe(lambda: _taken_at(exif_ifd), None),
        lat=lat,
        lon=lon,
        make=_safe(lambda: _text(exif.get(TAG_MAKE)), None),
        model=_safe(lambda: _text(exif.get(TAG_MODEL)), None),
    )


def _safe(fn, default):
    try:
        return fn()
    except Exception:
        return default


def _ifd(exif: Image.Exif, tag: int) -> dict:
    try:
        return dict(exif.get_ifd(tag))
    except Exception:
        return {}


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    text = str(value).replace("\x00", " ").strip()
    # Keep only printable characters: damaged EXIF yields control bytes that would break JSON/UI.
    text = "".join(ch for ch in text if ch.isprintable()).strip()
    return text[:_MAX_TEXT] or None


def _taken_at(exif_ifd: dict) -> datetime | None:
    raw = _text(exif_ifd.get(TAG_DATETIME_ORIGINAL))
    if not raw:
        return None
    m = _DATETIME_RE.match(raw)
    if not m:
        return None
    try:
        taken = datetime(*(int(g) for g in m.groups()))
    except ValueError:  # "0000:00:00 00:00:00" and other impossible dates
        return None
    if taken.year < 1990:  # unset camera clocks; not credible evidence
        return None
    offset = _text(exif_ifd.get(TAG_OFFSET_TIME_ORIGINAL))
    om = _OFFSET_RE.match(offset or "")
    if om:
        sign = -1 if om.group(1) == "-" else 1
        delta = timedelta(hours=int(om.group(2)), minutes=int(om.group(3)))
        if delta <= timedelta(hours=14):
            taken = taken.replace(tzinfo=timezone(sign * delta))
    return taken


def _degrees(value: object) -> float | None:
    parts = [float(v) for v in value]  # IFDRational -> float; a 0 denominator gives nan
    if len(parts) != 3:
        return None
    deg = parts[0] + parts[1] / 60 + parts[2] / 3600
    return deg if math.isfinite(deg) else None


def _ref(value: object) -> str:
    return (_text(value) or "").upper()[:1]


def _gps(gps_ifd: dict) -> tuple[float | None, float | None]:
    if GPS_LAT not in gps_ifd or GPS_LON not in gps_ifd:
        return None, None
    lat, lon = _degrees(gps_ifd[GPS_LAT]), _degrees(gps_ifd[GPS_LON])
    if lat is None or lon is None:
        return None, None
    if _ref(gps_ifd.get(GPS_LAT_REF)) == "S":
        lat = -lat
    if _ref(gps_ifd.get(GPS_LON_REF)) == "W":
        lon = -lon
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    if lat == 0 and lon == 0:  # written by phones without a fix; not a real position
        return None, None
    return round(lat, 7), round(lon, 7)
