"""Generate every raster application icon from the SVG sources.

    .venv/bin/python scripts/make_icons.py

Reads   resources/icons/app/ecfmg-desk.svg        (the design; sizes above 32 px)
        resources/icons/app/ecfmg-desk-small.svg  (pixel-fitted; 16, 24 and 32 px)
Writes  resources/icons/app/ecfmg-desk-<N>.png    N = 16 24 32 48 64 128 256 512 (window icon, Linux hicolor)
        packaging/icons/ecfmg-desk.ico             Windows, 16..256 in one file
        packaging/icons/ecfmg-desk.icns            macOS, 16..1024 (the @2x retina sizes included)

The SVG is rendered by Qt's own SVG renderer (PySide6.QtSvg, part of PySide6-Essentials) on the offscreen
platform, so no display and no extra tool (Inkscape, rsvg) is needed; Pillow writes the ICO and ICNS.
The outputs are committed: rerun this script after editing an SVG and commit the results with it.
"""

from __future__ import annotations

import io
import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent
APP_ICONS = ROOT / "resources" / "icons" / "app"
PACKAGING_ICONS = ROOT / "packaging" / "icons"
LARGE_SVG = APP_ICONS / "ecfmg-desk.svg"
SMALL_SVG = APP_ICONS / "ecfmg-desk-small.svg"
SMALL_MAX = 32  # sizes up to this come from the pixel-fitted SVG

PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS entries: (OSType, pixels). Pillow's ICNS writer leaves out the 16 and 32 px 1x entries (icp4, icp5)
# that Finder's list view uses, so this script writes the container itself: header, then (type, length, PNG).
ICNS_ENTRIES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic10", 1024),
    (b"ic11", 32),
    (b"ic12", 64),
    (b"ic13", 256),
    (b"ic14", 512),
)
ICNS_SIZES = tuple(sorted({size for _, size in ICNS_ENTRIES}))


def render(size: int) -> Image.Image:
    """Render the right SVG at ``size`` x ``size`` pixels into an RGBA Pillow image."""
    source = SMALL_SVG if size <= SMALL_MAX else LARGE_SVG
    renderer = QSvgRenderer(str(source))
    if not renderer.isValid():
        raise SystemExit(f"error: Qt cannot read {source}")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    # Straight (not premultiplied) RGBA rows, as Pillow's "RGBA" mode expects; each row may be padded.
    rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)
    data = bytes(rgba.constBits())
    return Image.frombuffer("RGBA", (size, size), data, "raw", "RGBA", rgba.bytesPerLine(), 1).copy()


def png_bytes(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def icns_bytes(images: dict[int, Image.Image]) -> bytes:
    """An Apple icon family: b"icns", total length, then one PNG-compressed record per entry (macOS 10.7+)."""
    body = b"".join(
        kind + struct.pack(">I", 8 + len(data)) + data
        for kind, data in ((kind, png_bytes(images[size])) for kind, size in ICNS_ENTRIES)
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # QSvgRenderer needs a Gui app
    PACKAGING_ICONS.mkdir(parents=True, exist_ok=True)
    images = {size: render(size) for size in sorted({*PNG_SIZES, *ICO_SIZES, *ICNS_SIZES})}

    written: list[Path] = []
    for size in PNG_SIZES:
        path = APP_ICONS / f"ecfmg-desk-{size}.png"
        images[size].save(path, optimize=True)
        written.append(path)

    # Pillow takes each entry from append_images when its size matches (no down-scaling of the largest).
    ico = PACKAGING_ICONS / "ecfmg-desk.ico"
    largest_ico = images[max(ICO_SIZES)]
    largest_ico.save(
        ico,
        format="ICO",
        sizes=[(s, s) for s in ICO_SIZES],
        append_images=[images[s] for s in ICO_SIZES if s != max(ICO_SIZES)],
    )
    written.append(ico)

    icns = PACKAGING_ICONS / "ecfmg-desk.icns"
    icns.write_bytes(icns_bytes(images))
    written.append(icns)

    del app
    for path in written:
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
