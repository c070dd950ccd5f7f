"""SVG icons from ``resources/icons/ui``, tinted to follow the system palette (light and dark alike).

Action icons are drawn with ``currentColor``; it becomes the palette's text colour when the icon is built, so a
dark theme gets light icons without a second set of files. Status icons carry their own colours but are always
shown beside a word (UX.md principle 2), so they never speak by colour alone. A missing file gives an empty
icon, never a crash.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from ecfmg_desk.resources import resource_path

_SIZES = (16, 20, 24, 32, 48, 64, 96)
_cache: dict[tuple[str, str], QIcon] = {}


def _text_color() -> str:
    return QGuiApplication.palette().color(QPalette.ColorRole.WindowText).name()


def icon(name: str) -> QIcon:
    """The icon ``resources/icons/ui/<name>.svg`` (cached per palette colour)."""
    color = _text_color()
    key = (name, color)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    result = QIcon()
    try:
        text = resource_path("icons", "ui", f"{name}.svg").read_text("utf-8")
    except OSError:
        _cache[key] = result
        return result
    renderer = QSvgRenderer(QByteArray(text.replace("currentColor", color).encode("utf-8")))
    if renderer.isValid():
        for size in _SIZES:
            pixmap = QPixmap(size, size)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            renderer.render(painter, QRectF(0, 0, size, size))
            painter.end()
            result.addPixmap(pixmap)
    _cache[key] = result
    return result


def pixmap(name: str, size: int, device_ratio: float = 1.0) -> QPixmap:
    """A crisp pixmap of an icon for a QLabel, at ``size`` logical pixels."""
    px = icon(name).pixmap(QSize(round(size * device_ratio), round(size * device_ratio)))
    px.setDevicePixelRatio(device_ratio)
    return px


def app_icon() -> QIcon:
    """The application's own icon (the packaging engineer's SVG/PNGs); empty when they are not there."""
    result = QIcon()
    svg = resource_path("icons", "app", "ecfmg-desk.svg")
    if svg.is_file():
        result.addFile(str(svg))
    for size in (16, 24, 32, 48, 64, 128, 256):
        png = resource_path("icons", "app", f"ecfmg-desk-{size}.png")
        if png.is_file():
            result.addFile(str(png), QSize(size, size))
    return result
