"""Draw the home-screen icons of the web app manifest (static/icons/*.png) with Pillow:
the favicon's chart line, white on the brand blue. Run after changing the design:
``.venv/bin/python scripts/make_app_icons.py``; the PNGs are committed (a few KB)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

BLUE = (13, 110, 253, 255)
WHITE = (255, 255, 255, 255)
OUT = Path(__file__).resolve().parent.parent / "static" / "icons"
#: The favicon's line on its 32-unit grid.
LINE = [(7, 23), (13, 16), (17, 20), (25, 10)]


def draw(size: int, *, maskable: bool) -> Image.Image:
    """One icon of ``size`` pixels. A maskable icon fills the square (the launcher cuts
    its own shape) and keeps the line inside the central safe zone (80 %)."""
    scale = 4  # draw large, then shrink: smooth edges without anti-aliasing support
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if maskable:
        pen.rectangle((0, 0, big, big), fill=BLUE)
        inset, unit = big * 0.1, big * 0.8 / 32
    else:
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 6 // 32, fill=BLUE)
        inset, unit = 0.0, big / 32
    points = [(inset + x * unit, inset + y * unit) for x, y in LINE]
    width = round(3 * unit)
    pen.line(points, fill=WHITE, width=width, joint="curve")
    for x, y in (points[0], points[-1]):
        r = width / 2
        pen.ellipse((x - r, y - r, x + r, y + r), fill=WHITE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    """Write icon-192.png, icon-512.png, maskable-512.png and apple-touch-icon.png."""
    OUT.mkdir(parents=True, exist_ok=True)
    draw(192, maskable=False).save(OUT / "icon-192.png", optimize=True)
    draw(512, maskable=False).save(OUT / "icon-512.png", optimize=True)
    draw(512, maskable=True).save(OUT / "maskable-512.png", optimize=True)
    draw(180, maskable=True).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
