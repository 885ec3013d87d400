"""Draw the PWA icons with Pillow (no font needed): a clipboard with a check mark.

Run from the repository root: `.venv/bin/python frontend/scripts/icons.py`.
"""

from pathlib import Path

from PIL import Image, ImageDraw

ICONS = Path(__file__).resolve().parent.parent / "icons"
BLUE = (11, 87, 208, 255)


def icon(size: int, maskable: bool) -> Image.Image:
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    if maskable:
        d.rectangle([0, 0, size, size], fill=BLUE)  # full bleed: the launcher crops its own shape
        inset = size * 0.22  # the drawing stays inside the 80% safe zone
    else:
        d.rounded_rectangle([0, 0, size - 1, size - 1], radius=size * 0.2, fill=BLUE)
        inset = size * 0.16
    x0, y0, x1, y1 = inset, inset, size - inset, size - inset
    w = x1 - x0
    d.rounded_rectangle([x0 + w * .12, y0 + w * .06, x1 - w * .12, y1], radius=w * .08, fill="white")
    d.rounded_rectangle([x0 + w * .34, y0 - w * .02, x1 - w * .34, y0 + w * .14], radius=w * .04,
                        fill=(255, 200, 40, 255))
    d.line([(x0 + w * .3, y0 + w * .56), (x0 + w * .45, y0 + w * .72), (x0 + w * .72, y0 + w * .36)],
           fill=BLUE, width=max(2, int(w * .09)), joint="curve")
    return img


if __name__ == "__main__":
    for size in (192, 512):
        icon(size, False).save(ICONS / f"icon-{size}.png", optimize=True)
    icon(512, True).save(ICONS / "icon-maskable-512.png", optimize=True)
    icon(180, True).convert("RGB").save(ICONS / "apple-touch-icon.png", optimize=True)  # iOS: opaque
