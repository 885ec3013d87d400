"""Decode an uploaded photo and make its served copies: no database, no HTTP, no clock.

`process_photo(path, ...)` takes the uploaded bytes (already on disk, see storage.py) and returns
the facts about the original plus two JPEGs: a watermarked display copy and a thumbnail, both
upright and free of EXIF/XMP/GPS. Anything that is not an acceptable photo raises PhotoRejected.

Rules, and why:
- The format is decided by the file's first bytes, never by its name or content type, and the
  decoder is restricted to that one format (no Pillow plugin guessing on hostile input).
- Pixel count is checked from the header before any pixel is decoded (decompression bombs: a
  20,000 x 20,000 PNG is a few hundred KB on the wire and 1.2 GB in memory). Pillow's own
  DecompressionBombError is caught too.
- Truncated files are rejected, never padded with grey: Pillow's LOAD_TRUNCATED_IMAGES stays off,
  and HEIF/WebP containers are checked for boxes that run past the end of the file (libheif
  otherwise decodes the missing tiles as flat green).
- Speed (see /work/shared/performance.md): JPEGs decode through `draft()`, i.e. libjpeg's DCT
  scaling at 1/2, 1/4 or 1/8 straight to a size just above the display size, and the EXIF
  rotation is applied to the small copy, not the 12-MP original.
- HEIF: libheif applies the container's rotation (irot/imir) while decoding and the HEIF spec
  says EXIF orientation must then be ignored, so it is.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pillow_heif
from PIL import Image

from backend.photos.errors import PhotoRejected
from backend.photos.evidence import Evidence, extract_evidence, orientation, read_exif
from backend.photos.watermark import FontRef, WatermarkInfo, draw_watermark, watermark_lines

# One decode thread: workers are sized one per core; thumbnails/depth maps are never needed.
pillow_heif.register_heif_opener(decode_threads=1, thumbnails=False, depth_images=False,
                                 aux_images=False)

# Pillow format name -> our API name. Only these four are accepted.
FORMATS = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp", "HEIF": "heic"}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs",
                b"mif1", b"msf1"}
_AVIF_BRANDS = {b"avif", b"avis"}
# Real image formats we recognise but do not accept (-> unsupported_format, not not_an_image).
_OTHER_IMAGE_MAGIC = (b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*", b"8BPS",
                      b"\x00\x00\x01\x00", b"\x00\x00\x00\x0cjP  ", b"\xff\x4f\xff\x51")
# EXIF orientation -> the transpose that makes the picture upright (as ImageOps.exif_transpose).
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_90,
}


@dataclass(frozen=True, slots=True)
class PhotoLimits:
    """Caps and sizes; `from_settings()` gives the product's values."""

    max_bytes: int = 25 * 1024 * 1024
    max_pixels: int = 50_000_000
    display_edge: int = 1600
    thumb_edge: int = 320
    jpeg_quality: int = 80

    @classmethod
    def from_settings(cls, settings: Any = None) -> "PhotoLimits":
        if settings is None:
            from backend.config import get_settings
            settings = get_settings()
        return cls(max_bytes=settings.photo_max_bytes, max_pixels=settings.photo_max_pixels,
                   display_edge=settings.photo_display_edge, thumb_edge=settings.photo_thumb_edge)


@dataclass(frozen=True, slots=True)
class ProcessedPhoto:
    """An accepted photo: facts about the original plus the two served JPEGs (bytes).

    width/height: the stored pixel grid (for HEIF, after the container's rotation);
    oriented_width/height: as shown upright. The copies are watermarked (display only), upright
    and carry no EXIF, XMP or GPS; an RGB ICC profile is kept so colours stay right.
    """

    format: str
    width: int
    height: int
    orientation: int
    oriented_width: int
    oriented_height: int
    evidence: Evidence
    watermark: tuple[str, ...]
    display: bytes
    display_size: tuple[int, int]
    thumb: bytes
    thumb_size: tuple[int, int]


def sniff_format(head: bytes) -> str:
    """Pillow format name from the first 32+ bytes; raises PhotoRejected for anything else."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp":
        size = struct.unpack(">I", head[:4])[0]
        brands = {head[8:12]} | {head[i:i + 4] for i in range(16, min(size, len(head)) - 3, 4)}
        if brands & _AVIF_BRANDS:
            raise PhotoRejected("unsupported_format", detail={"format": "avif"})
        if brands & _HEIF_BRANDS:
            return "HEIF"
        raise PhotoRejected("unsupported_format")
    if head.startswith(_OTHER_IMAGE_MAGIC):
        raise PhotoRejected("unsupported_format")
    raise PhotoRejected("not_an_image")


def _check_container(f: io.BufferedReader, fmt: str, file_size: int) -> None:
    """Reject HEIF/WebP files whose boxes/chunks claim more bytes than the file has."""
    if fmt == "WEBP":
        f.seek(4)
        riff_size = struct.unpack("<I", f.read(4))[0]
        if riff_size + 8 > file_size:
            raise PhotoRejected("image_truncated")
    elif fmt == "HEIF":
        # Walk the top-level ISO-BMFF boxes (ftyp, meta, mdat, ...): a box that runs past the
        # end means the file was cut off. Once meta and mdat are both complete the walk stops:
        # some phones (Samsung) append their own trailer after the boxes.
        offset, seen = 0, set()
        while offset + 8 <= file_size and not {b"meta", b"mdat"} <= seen:
            f.seek(offset)
            header = f.read(16)
            size, kind = struct.unpack(">I4s", header[:8])
            if size == 1:
                if len(header) < 16:
                    raise PhotoRejected("image_truncated")
                size = struct.unpack(">Q", header[8:16])[0]
            elif size == 0:  # box extends to end of file
                size = file_size - offset
            if size < 8:
                raise PhotoRejected("image_corrupt")
            if offset + size > file_size:
                raise PhotoRejected("image_truncated")
            seen.add(kind)
            offset += size


def _decode_error(exc: BaseException) -> PhotoRejected:
    text = str(exc).lower()
    if "truncated" in text or "premature" in text or "not enough data" in text:
        return PhotoRejected("image_truncated")
    return PhotoRejected("image_corrupt", detail={"reason": type(exc).__name__})


def _fit(size: tuple[int, int], edge: int) -> tuple[int, int]:
    """Largest size with the same aspect whose long edge is <= edge (never enlarges)."""
    w, h = size
    if max(w, h) <= edge:
        return w, h
    scale = edge / max(w, h)
    return max(1, round(w * scale)), max(1, round(h * scale))


def _rgb_icc(img: Image.Image) -> bytes | None:
    """The ICC profile, only if it describes RGB (a CMYK profile would be wrong after conversion)."""
    icc = img.info.get("icc_profile")
    if isinstance(icc, bytes) and len(icc) >= 20 and icc[16:20] == b"RGB ":
        return icc
    return None


def _normalise_mode(img: Image.Image) -> Image.Image:
    """RGB, L or RGBA: modes the resize handles and JPEG can take after flattening."""
    if img.mode in ("RGB", "L", "RGBA"):
        return img
    if img.mode in ("LA", "PA", "La") or (img.mode == "P" and "transparency" in img.info):
        return img.convert("RGBA")
    if img.mode.startswith("I;16") or img.mode == "I":  # 16-bit PNG: scale, don't clip
        return img.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    return img.convert("RGB")  # P, CMYK, YCbCr, 1, F, ...


def _flatten(img: Image.Image) -> Image.Image:
    if img.mode == "RGBA":  # transparent PNG/WebP: white background, as browsers show them
        background = Image.new("RGB", img.size, (255, 255, 255))
        background.paste(img, mask=img.getchannel("A"))
        return background
    return img if img.mode == "RGB" else img.convert("RGB")


def _encode(img: Image.Image, quality: int, icc: bytes | None) -> bytes:
    buf = io.BytesIO()
    # No exif=/xmp= arguments: save() then writes none, which is how metadata is stripped.
    img.save(buf, "JPEG", quality=quality, icc_profile=icc)
    return buf.getvalue()


def process_photo(path: str | Path, *, sha256: str, limits: PhotoLimits,
                  watermark: WatermarkInfo, font: FontRef) -> ProcessedPhoto:
    """Validate, decode and derive. Pure apart from reading `path`; raises PhotoRejected.

    `sha256` is the original's digest (computed while receiving) for the watermark; `font`
    comes from watermark.require_cjk_font().
    """
    path = Path(path)
    file_size = path.stat().st_size
    with open(path, "rb") as f:
        fmt = sniff_format(f.read(64))
        _check_container(f, fmt, file_size)
        f.seek(0)
        try:
            img = Image.open(f, formats=[fmt])  # reads the header only
        except Image.DecompressionBombError as exc:
            raise PhotoRejected("image_too_large") from exc
        except Image.UnidentifiedImageError as exc:
            raise PhotoRejected("not_an_image") from exc
        except Exception as exc:  # malformed header
            raise _decode_error(exc) from exc
        with img:
            width, height = img.size
            if width * height > limits.max_pixels:
                raise PhotoRejected("image_too_large", detail={
                    "width": width, "height": height, "max_pixels": limits.max_pixels})
            exif = read_exif(img)
            orient = 1 if fmt == "HEIF" else orientation(exif)
            evidence = extract_evidence(exif)
            icc = _rgb_icc(img)
            target = _fit((width, height), limits.display_edge)
            try:
                if fmt == "JPEG":
                    img.draft("RGB", target)  # DCT-scaled decode to >= target
                img.load()
                small = _normalise_mode(img)
                if small.size != target:
                    # reducing_gap: box-reduce big non-JPEG images first, then resample.
                    small = small.resize(target, Image.Resampling.BICUBIC, reducing_gap=3.0)
                if small is img:  # closing img below would destroy its pixels
                    small = img.copy()
            except PhotoRejected:
                raise
            except Image.DecompressionBombError as exc:
                raise PhotoRejected("image_too_large") from exc
            except MemoryError:
                raise
            except Exception as exc:  # truncated or corrupt pixel data
                raise _decode_error(exc) from exc
    display = _flatten(small)
    if orient in _TRANSPOSE:
        display = display.transpose(_TRANSPOSE[orient])  # rotate after shrinking: cheap
    thumb = display.resize(_fit(display.size, limits.thumb_edge), Image.Resampling.BICUBIC,
                           reducing_gap=2.0)
    lines = watermark_lines(watermark, evidence.taken_at, sha256)
    draw_watermark(display, lines, font)
    rotated = orient in (5, 6, 7, 8)
    return ProcessedPhoto(
        format=FORMATS[fmt], width=width, height=height, orientation=orient,
        oriented_width=height if rotated else width, oriented_height=width if rotated else height,
        evidence=evidence, watermark=tuple(lines),
        display=_encode(display, limits.jpeg_quality, icc), display_size=display.size,
        thumb=_encode(thumb, limits.jpeg_quality, icc), thumb_size=thumb.size,
    )
