"""EXIF evidence parsing: damaged values become None, never an exception."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from PIL import Image, TiffImagePlugin

from backend.photos.evidence import (IFD_EXIF, IFD_GPS, TAG_DATETIME_ORIGINAL, TAG_MAKE,
                                     TAG_OFFSET_TIME_ORIGINAL, Evidence, extract_evidence,
                                     orientation)

R = TiffImagePlugin.IFDRational


def exif_with(exif_ifd: dict | None = None, gps: dict | None = None, **ifd0) -> Image.Exif:
    exif = Image.Exif()
    for tag, value in ifd0.items():
        exif[int(tag.removeprefix("t"))] = value
    if exif_ifd:
        exif.get_ifd(IFD_EXIF).update(exif_ifd)
    if gps:
        exif.get_ifd(IFD_GPS).update(gps)
    # Round-trip through bytes, as a real upload would be parsed.
    parsed = Image.Exif()
    parsed.load(exif.tobytes())
    return parsed


def test_no_exif_gives_no_evidence():
    assert extract_evidence(None) == Evidence()
    assert orientation(None) == 1


def test_capture_time_with_offset_is_timezone_aware():
    ev = extract_evidence(exif_with({TAG_DATETIME_ORIGINAL: "2026:03:02 09:15:00",
                                     TAG_OFFSET_TIME_ORIGINAL: "+08:00"}))
    assert ev.taken_at == datetime(2026, 3, 2, 9, 15, tzinfo=timezone(timedelta(hours=8)))


def test_unset_or_impossible_capture_times_are_none():
    for raw in ("0000:00:00 00:00:00", "    :  :     :  :  ", "2026:13:45 99:00:00",
                "1970:01:01 00:00:00", "garbage"):
        assert extract_evidence(exif_with({TAG_DATETIME_ORIGINAL: raw})).taken_at is None


def test_bad_offset_keeps_the_time_but_not_the_offset():
    ev = extract_evidence(exif_with({TAG_DATETIME_ORIGINAL: "2026:03:02 09:15:00",
                                     TAG_OFFSET_TIME_ORIGINAL: "+99:00"}))
    assert ev.taken_at == datetime(2026, 3, 2, 9, 15)


def test_gps_with_zero_denominators_is_none():
    gps = {1: "N", 2: (R(31, 1), R(0, 0), R(0, 0)), 3: "E", 4: (R(121, 1), R(28, 1), R(0, 1))}
    assert extract_evidence(exif_with(gps=gps)).lat is None


def test_gps_south_and_west_are_negative():
    """31°30'0"S 121°28'30"W = -31.5, -121.475."""
    gps = {1: "S", 2: (R(31, 1), R(30, 1), R(0, 1)), 3: "W", 4: (R(121, 1), R(28, 1), R(30, 1))}
    ev = extract_evidence(exif_with(gps=gps))
    assert (ev.lat, ev.lon) == (-31.5, -121.475)


def test_gps_null_island_and_out_of_range_are_none():
    zero = {1: "N", 2: (R(0, 1), R(0, 1), R(0, 1)), 3: "E", 4: (R(0, 1), R(0, 1), R(0, 1))}
    assert extract_evidence(exif_with(gps=zero)).lat is None
    far = {1: "N", 2: (R(95, 1), R(0, 1), R(0, 1)), 3: "E", 4: (R(10, 1), R(0, 1), R(0, 1))}
    assert extract_evidence(exif_with(gps=far)).lat is None


def test_camera_strings_are_cleaned():
    ev = extract_evidence(exif_with(**{f"t{TAG_MAKE}": "OLYMPUS\x00\x01  "}))
    assert ev.make == "OLYMPUS"


def test_invalid_orientation_means_as_stored():
    assert orientation(exif_with(t274=9)) == 1
    assert orientation(exif_with(t274=6)) == 6
