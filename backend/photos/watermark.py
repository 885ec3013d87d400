"""The visible watermark on display copies, and the CJK font it needs.

Chinese inspection cameras (水印相机) stamp time, place and person on the picture itself, so the
evidence survives screenshots and forwarding in WeChat. We do the same on the display copy:
capture time (or upload time, labelled so, when the photo has none), compound, uploader and the
first 16 hex digits of the original's SHA-256, which anyone can check against the stored original.

Drawing Chinese needs a CJK font. Without one FreeType draws tofu boxes (□□□) and nobody
notices until an evidence photo is disputed, so `require_cjk_font()` fails loudly instead: call it
at start-up and from the health check. Debian packages: fonts-noto-cjk or fonts-wqy-microhei.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from backend.photos.errors import CJKFontMissing

FONT_ENV = "XUNJIAN_PHOTO_FONT"  # path to a .ttf/.ttc/.otf; "path:index" selects a face in a .ttc
CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")
_KNOWN_FONTS = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # face 2 = Simplified Chinese
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
)
_PROBE = "巡检小区拍摄"
_MAX_FIELD = 40  # characters of compound/author shown; longer names are cut with "…"
_DARKEN = [int(v * 0.35) for v in range(256)] * 3  # LUT: text box background at 35% brightness
_ACCENT = (255, 153, 0)
# A FreeType face is not safe to render from two threads at once, and the cached faces are
# shared by the threadpool's workers: drawing text takes ~1 ms, so a lock costs nothing.
_DRAW_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class FontRef:
    path: Path
    index: int = 0  # face index inside a .ttc collection


@dataclass(frozen=True, slots=True)
class WatermarkInfo:
    """What the router knows about an upload, stamped on its display copy.

    uploaded_at: when the server received the photo (aware datetime); shown only when the photo
    has no EXIF capture time. tz: zone in which to show uploaded_at (default UTC+8, China).
    """

    compound: str
    author: str
    uploaded_at: datetime
    tz: tzinfo | None = None


def _draws_chinese(font: FontRef) -> bool:
    """True if the font has real glyphs for Chinese: missing glyphs all render as the same box."""
    try:
        face = ImageFont.truetype(str(font.path), 32, index=font.index)
        masks = {bytes(face.getmask(ch)) for ch in _PROBE}
    except Exception:
        return False
    return len(masks) == len(set(_PROBE)) and all(any(m) for m in masks)


def _parse_ref(value: str) -> FontRef:
    path, _, index = value.rpartition(":")
    if path and index.isdigit():
        return FontRef(Path(path), int(index))
    return FontRef(Path(value))


def _fc_match() -> FontRef | None:
    if not shutil.which("fc-match"):
        return None
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}\t%{index}", ":lang=zh-cn"],
                             capture_output=True, text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    path, _, index = out.partition("\t")
    if not path:
        return None
    return FontRef(Path(path), int(index) if index.strip().isdigit() else 0)


def find_cjk_font(configured: str | os.PathLike[str] | None = None) -> FontRef:
    """Locate a font that draws Chinese; raise CJKFontMissing if there is none.

    Order: `configured` (a setting), then $XUNJIAN_PHOTO_FONT, then fontconfig (`fc-match
    :lang=zh-cn`; it always answers, possibly with a Latin font, hence the glyph probe), then
    well-known Debian paths. An explicitly configured font that cannot draw Chinese is an error,
    not something to silently replace.
    """
    explicit = configured or os.environ.get(FONT_ENV)
    if explicit:
        ref = _parse_ref(str(explicit))
        if _draws_chinese(ref):
            return ref
        raise CJKFontMissing(f"configured photo font {explicit!r} cannot draw Chinese "
                             "(missing file or no CJK glyphs)")
    candidates = [_fc_match()] + [FontRef(Path(p), i) for p, i in _KNOWN_FONTS]
    for ref in candidates:
        if ref is not None and ref.path.is_file() and _draws_chinese(ref):
            return ref
    raise CJKFontMissing("no font that can draw Chinese is installed, so photo watermarks would "
                         "show empty boxes; install the Debian package fonts-wqy-microhei (or "
                         f"fonts-noto-cjk), or set {FONT_ENV} to a CJK .ttf/.ttc file")


@lru_cache(maxsize=4)
def require_cjk_font(configured: str | None = None) -> FontRef:
    """find_cjk_font(), cached: for start-up, the health check and every watermark.

    Raises CJKFontMissing (a RuntimeError): the app should refuse to start / report unhealthy.
    """
    return find_cjk_font(configured)


@lru_cache(maxsize=32)
def _font(ref: FontRef, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(ref.path), size, index=ref.index)


def _clip(text: str) -> str:
    text = " ".join(text.split())  # no newlines or tabs from user-entered names
    return text if len(text) <= _MAX_FIELD else text[: _MAX_FIELD - 1] + "…"


def _show_time(t: datetime) -> str:
    text = t.strftime("%Y-%m-%d %H:%M:%S")
    offset = t.utcoffset()
    if offset is not None and offset != timedelta(hours=8):  # China needs no zone; others do
        total = int(offset.total_seconds()) // 60
        text += f" UTC{'+' if total >= 0 else '-'}{abs(total) // 60:02d}:{abs(total) % 60:02d}"
    return text


def watermark_lines(info: WatermarkInfo, taken_at: datetime | None, sha256: str) -> list[str]:
    """The text stamped on the display copy, one string per line."""
    if taken_at is not None:
        when = f"拍摄时间：{_show_time(taken_at)}"
    else:
        shown = info.uploaded_at.astimezone(info.tz or CHINA_TZ)
        when = f"上传时间：{_show_time(shown)}（照片无拍摄时间）"
    return [
        when,
        f"小区：{_clip(info.compound)}",
        f"上传人：{_clip(info.author)}",
        f"SHA-256：{sha256[:16]}",
    ]


def draw_watermark(img: Image.Image, lines: list[str], font: FontRef) -> None:
    """Stamp `lines` in the bottom-left corner of an RGB image, in place.

    The box behind the text is darkened through a LUT on a crop (no RGBA compositing of the
    whole picture, which would cost more than the resize) and an orange bar marks it, like the
    watermark cameras' templates. Font size follows the short edge, shrunk until the text fits.
    """
    with _DRAW_LOCK:
        _draw_locked(img, lines, font)


def _draw_locked(img: Image.Image, lines: list[str], font: FontRef) -> None:
    w, h = img.size
    size = max(10, min(30, round(min(w, h) / 40)))
    while True:
        face = _font(font, size)
        text_w = max(face.getlength(line) for line in lines)
        pad = max(4, size // 2)
        if text_w + 3 * pad <= w or size <= 8:
            break
        size -= 1
    line_h = round(size * 1.35)
    box_w = min(w, int(text_w) + 3 * pad)
    box_h = min(h, line_h * len(lines) + 2 * pad - (line_h - size))
    left, top = 0, h - box_h
    region = (left, top, left + box_w, h)
    img.paste(img.crop(region).point(_DARKEN), region)
    draw = ImageDraw.Draw(img)
    draw.rectangle((left, top, left + max(2, pad // 2) - 1, h - 1), fill=_ACCENT)
    y = top + pad
    for line in lines:
        draw.text((left + 2 * pad, y), line, font=face, fill=(255, 255, 255))
        y += line_h
