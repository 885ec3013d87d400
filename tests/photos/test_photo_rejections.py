"""Issue 5 "Must show: bad input": each a clear 4xx with a stable code, and nothing stored."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, ImageFile

from backend.photos import PhotoLimits, PhotoRejected, ingest_photo


def rejected(data: bytes, store, limits, watermark) -> PhotoRejected:
    with pytest.raises(PhotoRejected) as info:
        ingest_photo(io.BytesIO(data), store=store, limits=limits, watermark=watermark)
    return info.value


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


@pytest.fixture(scope="session")
def huge_png(tmp_path_factory) -> bytes:
    """A real, valid 20,000 x 20,000 solid grey PNG: ~0.4 MB on the wire, 400 MB decoded
    (1.2 GB as RGB). Written chunk by chunk so making it never holds the pixels."""
    width = height = 20_000
    deflate = zlib.compressobj(9)
    row = b"\x00" + b"\x80" * width  # filter byte 0, then one grey byte per pixel
    idat = b"".join(deflate.compress(row) for _ in range(height)) + deflate.flush()
    data = (b"\x89PNG\r\n\x1a\n"
            + png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b""))
    path = tmp_path_factory.mktemp("bomb") / "huge.png"
    path.write_bytes(data)
    return path.read_bytes()


def test_text_file_named_jpg_is_not_an_image(store, limits, watermark, stored_files):
    """Content decides, not the name: a text file is refused with 422 not_an_image."""
    error = rejected("这是一段文字，不是照片。\n".encode() * 20, store, limits, watermark)
    assert (error.status_code, error.code, error.message) == (422, "not_an_image",
                                                              "文件不是可识别的图片")
    assert stored_files() == []


def test_empty_upload_is_not_an_image(store, limits, watermark, stored_files):
    assert rejected(b"", store, limits, watermark).code == "not_an_image"
    assert stored_files() == []


def test_jpeg_magic_followed_by_garbage_is_refused(store, limits, watermark, stored_files):
    error = rejected(b"\xff\xd8\xff\xe0" + b"garbage" * 50, store, limits, watermark)
    assert error.code in ("not_an_image", "image_corrupt", "image_truncated")
    assert 400 <= error.status_code < 500
    assert stored_files() == []


def test_20000_square_png_is_rejected_from_its_header_before_decoding(
        huge_png, store, limits, watermark, stored_files, monkeypatch):
    """400 MP > photo_max_pixels (50 MP): 413 image_too_large, decided from the IHDR alone.
    Any attempt to decode pixels fails the test."""
    assert len(huge_png) < 2_000_000

    def no_decoding(self, *args, **kwargs):
        raise AssertionError("pixels were decoded")
    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)  # our own cap must do the work
    error = rejected(huge_png, store, limits, watermark)
    assert (error.status_code, error.code) == (413, "image_too_large")
    assert error.detail == {"width": 20000, "height": 20000, "max_pixels": 50_000_000}
    assert stored_files() == []


def test_pillow_decompression_bomb_guard_is_reported_as_too_large(
        huge_png, store, watermark, stored_files):
    """With our cap set absurdly high, Pillow's own DecompressionBombError (raised at open for
    more than 2 x MAX_IMAGE_PIXELS) still ends as image_too_large, not a server error."""
    error = rejected(huge_png, store, PhotoLimits(max_pixels=10**12), watermark)
    assert error.code == "image_too_large"
    assert stored_files() == []


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.999])
def test_truncated_jpeg_is_rejected_not_half_decoded(photos, store, limits, watermark,
                                                     stored_files, keep):
    data = (photos / "hdr_iphone_hdr_NO.jpg").read_bytes()
    error = rejected(data[: int(len(data) * keep)], store, limits, watermark)
    assert (error.status_code, error.code) == (422, "image_truncated")
    assert stored_files() == []


def test_truncated_heic_is_rejected_not_decoded_as_green(photos, store, limits, watermark,
                                                         stored_files):
    """libheif would decode the missing tiles of a cut-off HEIC as flat green; the container
    check refuses it instead."""
    data = (photos / "IMG_5195.HEIC").read_bytes()
    error = rejected(data[: len(data) // 2], store, limits, watermark)
    assert error.code == "image_truncated"
    assert stored_files() == []


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_truncated_png_and_webp_are_rejected(photos, store, limits, watermark, stored_files,
                                             fmt):
    buf = io.BytesIO()
    with Image.open(photos / "hdr_iphone_hdr_NO.jpg") as img:
        img.reduce(4).save(buf, fmt)
    data = buf.getvalue()
    error = rejected(data[: len(data) // 2], store, limits, watermark)
    assert error.code == "image_truncated"
    assert stored_files() == []


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_other_image_formats_are_unsupported(store, limits, watermark, stored_files, fmt):
    """Real images, but not the four formats the phones send: 415 unsupported_format."""
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buf, fmt)
    error = rejected(buf.getvalue(), store, limits, watermark)
    assert (error.status_code, error.code) == (415, "unsupported_format")
    assert stored_files() == []


def test_avif_is_unsupported(store, limits, watermark):
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buf, "AVIF")
    assert rejected(buf.getvalue(), store, limits, watermark).code == "unsupported_format"


def test_upload_over_the_byte_cap_is_refused_early_and_leaves_no_temp_file(
        photos, store, watermark, stored_files):
    """A 1.9 MB photo against a 100 KB cap: 413 file_too_large; reading stops at the cap (at
    most one chunk beyond it) and the temp file is gone."""
    stream = io.BytesIO((photos / "hdr_iphone_hdr_NO.jpg").read_bytes())
    with pytest.raises(PhotoRejected) as info:
        ingest_photo(stream, store=store, limits=PhotoLimits(max_bytes=100_000),
                     watermark=watermark)
    assert (info.value.status_code, info.value.code) == (413, "file_too_large")
    assert stream.tell() <= 100_000 + 256 * 1024
    assert stored_files() == []


def test_rejection_message_is_chinese_and_code_is_stable():
    error = PhotoRejected("image_truncated")
    assert error.code == "image_truncated"
    assert error.message == "照片文件不完整，可能上传中断，请重新上传"
    assert str(error).startswith("image_truncated:")
