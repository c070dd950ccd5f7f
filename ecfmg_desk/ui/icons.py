"""SVG icons from ``resources/icons/ui``, tinted to follow the system palette (light and dark alike).

Action icons are drawn with ``currentColor``; it becomes the palette's text colour when the icon is built, so a
dark theme gets light icons without a second set of files. Status icons carry their own colours but are always
shown beside a word (UX.md principle 2), so they never speak by colour alone. A missing file gives an empty
icon, never a crash.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from ecfmg_desk.resources import resource_path

_cache: dict[tuple[str, str], QIcon] = {}


def _text_color() -> str:
    return QGuiApplication.palette().color(QPalette.ColorRole.WindowText).name()


class _SvgEngine(QIconEngine):
    """Draws the tinted SVG at the size asked for, when first asked (then kept): no icon is rendered before
    it is shown, and none at sizes never shown (start-up used to draw every icon at seven sizes)."""

    def __init__(self, svg: QByteArray) -> None:
        super().__init__()
        self._svg = svg
        self._renderer: QSvgRenderer | None = None
        self._pixmaps: dict[tuple[int, int, int], QPixmap] = {}

    def clone(self) -> QIconEngine:
        return _SvgEngine(self._svg)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        if size.isEmpty():
            return QPixmap()
        key = (size.width(), size.height(), 1 if mode == QIcon.Mode.Disabled else 0)
        cached = self._pixmaps.get(key)
        if cached is None:
            if self._renderer is None:
                self._renderer = QSvgRenderer(self._svg)
            cached = QPixmap(size)
            cached.fill(Qt.GlobalColor.transparent)
            if self._renderer.isValid():  # a damaged file: an empty icon, never a crash
                painter = QPainter(cached)
                painter.setRenderHint(QPainter.RenderHint.Antialiasing)
                self._renderer.render(painter, QRectF(0, 0, size.width(), size.height()))
                painter.end()
            if mode == QIcon.Mode.Disabled:
                cached = _disabled(cached)
            self._pixmaps[key] = cached
        return cached

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        ratio = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
        size = QSize(round(rect.width() * ratio), round(rect.height() * ratio))
        painter.drawPixmap(rect, self.pixmap(size, mode, state))


def _disabled(pixmap: QPixmap) -> QPixmap:
    """The style's greyed look, as Qt gives an icon made of pixmaps."""
    from PySide6.QtWidgets import QApplication, QStyleOption

    style = QApplication.style() if isinstance(QApplication.instance(), QApplication) else None
    return style.generatedIconPixmap(QIcon.Mode.Disabled, pixmap, QStyleOption()) if style is not None else pixmap


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
    result = QIcon(_SvgEngine(QByteArray(text.replace("currentColor", color).encode("utf-8"))))
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
