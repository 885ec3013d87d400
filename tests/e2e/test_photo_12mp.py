"""A 12-megapixel phone JPEG is shrunk in the browser: stored and sent at <= 500 KB, long edge
1600 px, upright (the EXIF orientation is applied to the pixels, as the photo was meant)."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from tests.e2e.conftest import PHOTOS
from tests.e2e.flows import all_sent, log_finding, login, outbox, server_findings, wait_for_cache, \
    wait_outbox

# the real phone photos of ../shared/photos: see tests/conftest.py for when they are missing
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("shared_photos")]


def twelve_megapixel_portrait(path) -> None:  # noqa: ANN001
    """A 3000x4000 upright portrait (red band on top) stored as 4000x3000 pixels with EXIF
    orientation 6 ("rotate 90° clockwise to view"), like a phone held upright."""
    scene = Image.open(PHOTOS / "hdr_iphone_hdr_NO.jpg").convert("RGB").resize((3000, 4000))
    ImageDraw.Draw(scene).rectangle([0, 0, 3000, 500], fill=(220, 0, 0))
    stored = scene.rotate(90, expand=True)  # counter-clockwise: orientation 6 turns it back
    assert stored.size == (4000, 3000)
    exif = Image.Exif()
    exif[0x0112] = 6
    stored.save(path, "JPEG", quality=92, exif=exif.tobytes())
    assert path.stat().st_size > 1_500_000


def test_a_12_megapixel_jpeg_is_stored_and_sent_at_most_500_kb_upright(server, browser, tmp_path):
    photo = tmp_path / "IMG_12MP.jpg"
    twelve_megapixel_portrait(photo)
    page = browser.page()
    login(page, server.url, "inspector")
    wait_for_cache(page, "compounds")
    wait_for_cache(page, "catalog")
    browser.context.set_offline(True)
    log_finding(page, "锦绣花园", "井盖", [photo], "12MP 照片")
    [item] = outbox(page)
    stored = page.evaluate("""async (sha) => {
      const { getPhoto, getMeta } = await import('./db.js');
      const p = await getPhoto(await getMeta('current'), sha);
      return { bytes: p.blob.size, type: p.blob.type, width: p.width, height: p.height };
    }""", item["photos"][0])
    assert stored["bytes"] <= 500 * 1024 and stored["type"] == "image/jpeg"
    assert (stored["width"], stored["height"]) == (1200, 1600)

    browser.context.set_offline(False)
    wait_outbox(page, all_sent(1))
    [finding] = server_findings(server)
    [sha] = finding["photo_status"]["photos_held"]
    sent = server.get(f"/api/photos/{sha}/original", "inspector").content
    assert len(sent) <= 500 * 1024
    image = Image.open(io.BytesIO(sent))
    assert image.getexif().get(0x0112, 1) == 1  # nothing left for a viewer to rotate
    assert image.size == (1200, 1600)  # portrait, as the phone was held
    top = image.convert("RGB").crop((0, 0, 1200, 100)).resize((1, 1)).getpixel((0, 0))
    bottom = image.convert("RGB").crop((0, 1500, 1200, 1600)).resize((1, 1)).getpixel((0, 0))
    assert top[0] > 180 and top[1] < 60 and top[2] < 60, top  # the red band is on top
    assert not (bottom[0] > 180 and bottom[1] < 60), bottom
