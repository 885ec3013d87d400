"""Issue 5 item 4, with the real phone photos in ../shared/photos (see its README)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

import pytest
from PIL import Image, ImageChops, ImageOps, ImageStat

from backend.photos import IngestedPhoto, ingest_photo


def ingest(path, store, limits, watermark) -> IngestedPhoto:
    with open(path, "rb") as stream:
        return ingest_photo(stream, store=store, limits=limits, watermark=watermark)


def size_of(path) -> tuple[int, int]:
    with Image.open(path) as img:
        return img.size


def mean_abs_diff(a: Image.Image, b: Image.Image) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3


@pytest.mark.parametrize("shape", ["landscape", "portrait"])
@pytest.mark.parametrize("n", range(1, 9))
def test_every_exif_orientation_is_shown_upright(photos, store, limits, watermark, shape, n):
    """orientation_<shape>_N: landscape copies are wider than tall, portrait ones taller than
    wide, and each thumbnail matches the orientation-1 file's (same scene, already upright)
    far better than it matches that thumbnail mirrored or turned upside down."""
    result = ingest(photos / f"orientation_{shape}_{n}.jpg", store, limits, watermark)
    for w, h in (size_of(result.display_path), size_of(result.thumb_path),
                 (result.oriented_width, result.oriented_height)):
        assert (w > h) if shape == "landscape" else (h > w)
    with Image.open(result.thumb_path) as thumb, \
            Image.open(photos / f"orientation_{shape}_1.jpg") as ref_file:
        ref = ref_file.convert("RGB").resize(thumb.size)
        thumb = thumb.convert("RGB")
        upright = mean_abs_diff(thumb, ref)  # ~5 for N=1, ~15 for the others (label differs)
        assert upright < 20
        for wrong in (ImageOps.mirror(ref), ImageOps.flip(ref), ref.rotate(180)):  # >= 37
            assert upright < mean_abs_diff(thumb, wrong) / 2


@pytest.mark.parametrize("name, size", [("mobile_iphone_13_pro_max.HEIC", (1200, 1600)),
                                        ("IMG_5195.HEIC", (1239, 1600))])
def test_iphone_heic_photos_are_accepted(photos, store, limits, watermark, name, size):
    """Both iPhone HEIC files decode (pillow-heif); display copies are portrait JPEGs."""
    result = ingest(photos / name, store, limits, watermark)
    assert result.format == "heic"
    assert result.make == "Apple"
    assert size_of(result.display_path) == size == (result.display_width, result.display_height)
    with Image.open(result.display_path) as img:
        assert img.format == "JPEG"


def test_heic_capture_time_and_gps_are_evidence(photos, store, limits, watermark):
    """IMG_5195.HEIC: taken 2021-04-11 15:47:53 at UTC-05:00; GPS 39°3'4.84"N, 94°17'19.58"W
    = 39.0513444, -94.2887722 (west is negative)."""
    result = ingest(photos / "IMG_5195.HEIC", store, limits, watermark)
    assert result.taken_at == datetime(2021, 4, 11, 15, 47, 53,
                                       tzinfo=timezone(timedelta(hours=-5)))
    assert result.lat == pytest.approx(39 + 3 / 60 + 4.84 / 3600, abs=1e-6)
    assert result.lon == pytest.approx(-(94 + 17 / 60 + 19.58 / 3600), abs=1e-6)


def test_nine_megapixel_phone_jpeg_gets_a_1600px_display_copy(photos, store, limits, watermark):
    """Nokia 8.3 5G, 4608 x 1976: display 1600 x 686 (4608/1600 = 2.88; 1976/2.88 = 686),
    thumbnail 320 x 137; capture time keeps the phone's +03:00 offset."""
    result = ingest(photos / "mobile_HMD_Nokia_8.3_5G.jpg", store, limits, watermark)
    assert (result.width, result.height) == (4608, 1976)
    assert size_of(result.display_path) == (1600, 686)
    assert size_of(result.thumb_path) == (320, 137)
    assert result.taken_at == datetime(2022, 8, 14, 14, 12, 31,
                                       tzinfo=timezone(timedelta(hours=3)))


def test_eight_megapixel_iphone_jpeg_is_accepted(photos, store, limits, watermark):
    result = ingest(photos / "hdr_iphone_hdr_NO.jpg", store, limits, watermark)
    assert (result.width, result.height) == (3264, 2448)
    assert size_of(result.display_path) == (1600, 1200)


def test_gps_position_in_exif_is_kept_as_evidence(photos, store, limits, watermark):
    """gps_DSCN0010.jpg (Nikon COOLPIX P6000): 43°28'2.814"N 11°53'6.456"E
    = 43.4674483, 11.8851267; taken 2008-10-22 16:28:39, no offset recorded (naive)."""
    result = ingest(photos / "gps_DSCN0010.jpg", store, limits, watermark)
    assert result.lat == pytest.approx(43.4674483, abs=1e-6)
    assert result.lon == pytest.approx(11.8851267, abs=1e-6)
    assert result.taken_at == datetime(2008, 10, 22, 16, 28, 39)
    assert (result.make, result.model) == ("NIKON", "COOLPIX P6000")


@pytest.mark.parametrize("name", ["corrupted.jpg", "invalid_image00971.jpg",
                                  "invalid_image01088.jpg"])
def test_damaged_exif_never_fails_the_upload(photos, store, limits, watermark, name):
    result = ingest(photos / name, store, limits, watermark)
    assert result.format == "jpeg"
    assert result.display_path.is_file() and result.thumb_path.is_file()


def test_xmp_without_exif_gives_no_capture_time(photos, store, limits, watermark):
    """xmp_no_exif.jpg has XMP and an IFD0 modification DateTime, but no DateTimeOriginal:
    no capture time, and the watermark shows the upload time, labelled as such (10:30 China)."""
    result = ingest(photos / "xmp_no_exif.jpg", store, limits, watermark)
    assert result.taken_at is None
    assert result.watermark[0] == "上传时间：2026-11-20 10:30:00（照片无拍摄时间）"


@pytest.mark.parametrize("name", ["gps_DSCN0010.jpg", "IMG_5195.HEIC", "xmp_no_exif.jpg"])
def test_served_copies_carry_no_exif_xmp_or_gps(photos, store, limits, watermark, name):
    """The original is kept byte for byte; the display copy and thumbnail have no metadata."""
    source = (photos / name).read_bytes()
    result = ingest(photos / name, store, limits, watermark)
    assert result.original_path.read_bytes() == source
    assert result.sha256 == hashlib.sha256(source).hexdigest()
    for path in (result.display_path, result.thumb_path):
        data = path.read_bytes()
        assert b"Exif\x00\x00" not in data
        assert b"http://ns.adobe.com/xap/" not in data and b"<x:xmpmeta" not in data
        assert b"Photoshop 3.0" not in data
        with Image.open(path) as img:
            assert "exif" not in img.info and "xmp" not in img.info
            assert len(img.getexif()) == 0


def test_display_copy_carries_a_visible_watermark(photos, store, limits, watermark):
    """The bottom-left corner differs strongly from a plain resize of the upright original,
    the top of the picture does not: the stamp is there and only there. The thumbnail is
    not stamped (too small to read)."""
    result = ingest(photos / "hdr_iphone_hdr_NO.jpg", store, limits, watermark)
    with Image.open(photos / "hdr_iphone_hdr_NO.jpg") as original:
        plain = ImageOps.exif_transpose(original).convert("RGB").resize((1600, 1200))
    with Image.open(result.display_path) as display:
        display = display.convert("RGB")
        corner = (0, 1200 - 120, 400, 1200)
        top = (0, 0, 1600, 300)
        assert mean_abs_diff(display.crop(corner), plain.crop(corner)) > 25
        assert mean_abs_diff(display.crop(top), plain.crop(top)) < 4
    with Image.open(result.thumb_path) as thumb:
        corner = (0, 240 - 24, 80, 240)
        small = plain.resize((320, 240))
        assert mean_abs_diff(thumb.convert("RGB").crop(corner), small.crop(corner)) < 8


def test_watermark_names_capture_time_compound_author_and_sha256(photos, store, limits,
                                                                   watermark):
    result = ingest(photos / "hdr_iphone_hdr_NO.jpg", store, limits, watermark)
    assert result.watermark == (
        "拍摄时间：2015-04-10 20:12:23",
        "小区：阳光花园小区",
        "上传人：张巡查",
        f"SHA-256：{result.sha256[:16]}",
    )


def test_capture_time_outside_china_shows_its_utc_offset(photos, store, limits, watermark):
    result = ingest(photos / "mobile_HMD_Nokia_8.3_5G.jpg", store, limits, watermark)
    assert result.watermark[0] == "拍摄时间：2022-08-14 14:12:31 UTC+03:00"


@pytest.mark.parametrize("fmt, mode", [("PNG", "RGBA"), ("WEBP", "RGB"), ("PNG", "I;16")])
def test_png_and_webp_are_accepted(photos, store, limits, watermark, tmp_path, fmt, mode):
    """PNG (with transparency, or 16-bit grey) and WebP decode and come out as RGB JPEGs."""
    with Image.open(photos / "orientation_landscape_1.jpg") as img:
        img = img.convert("RGB")
        if mode == "RGBA":
            img.putalpha(128)
        elif mode == "I;16":
            img = img.convert("L").point(lambda v: v * 256, "I").convert("I;16")
        path = tmp_path / "picture.bin"  # the name says nothing: content decides
        img.save(path, fmt)
    result = ingest(path, store, limits, watermark)
    assert result.format == fmt.lower()
    with Image.open(result.display_path) as display:
        assert (display.format, display.mode, display.size) == ("JPEG", "RGB", (600, 450))
        assert max(ImageStat.Stat(display.crop((0, 0, 600, 200))).mean) > 40  # not black


def test_ingest_result_matches_the_files_on_disk(photos, store, limits, watermark):
    result = ingest(photos / "orientation_portrait_6.jpg", store, limits, watermark)
    assert (result.width, result.height, result.orientation) == (600, 450, 6)
    assert (result.oriented_width, result.oriented_height) == (450, 600)
    assert (result.display_width, result.display_height) == size_of(result.display_path)
    assert (result.thumb_width, result.thumb_height) == size_of(result.thumb_path) == (240, 320)
    assert result.byte_size == (photos / "orientation_portrait_6.jpg").stat().st_size
    assert result.already_stored is False


def test_heic_with_a_vendor_trailer_after_its_boxes_is_accepted(photos, store, limits,
                                                                watermark, tmp_path):
    """Some phones append their own data after the HEIF boxes; only a box cut short means
    truncation."""
    path = tmp_path / "trailer.heic"
    path.write_bytes((photos / "IMG_5195.HEIC").read_bytes() + b"\x00\x00\x10\x00SEFHtrailer")
    assert ingest(path, store, limits, watermark).format == "heic"
