"""Icons are drawn when shown, at the size shown (start-up drew every icon at seven sizes before the window
appeared): crisp at any size and pixel ratio, greyed when disabled, tinted with the palette's text colour."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QImage, QPalette
from PySide6.QtWidgets import QApplication

from ecfmg_desk.ui import icons


def _opaque(image: QImage) -> list[QColor]:
    return [image.pixelColor(x, y) for x in range(image.width()) for y in range(image.height())
            if image.pixelColor(x, y).alpha() > 200]


def test_an_icon_is_drawn_at_the_size_asked_for(qapp: QApplication) -> None:
    icon = icons.icon("export")
    for size in (14, 18, 40):
        pixmap = icon.pixmap(QSize(size, size))
        assert (pixmap.width(), pixmap.height()) == (size, size)
        assert _opaque(pixmap.toImage()), "something is drawn"
    sharp = icon.pixmap(QSize(20, 20), 2.0)
    assert (sharp.width(), sharp.height(), sharp.devicePixelRatio()) == (40, 40, 2.0)
    assert icons.pixmap("lock", 48, 1.5).size() == QSize(72, 72)


def test_an_action_icon_takes_the_palette_text_colour_and_greys_when_disabled(qapp: QApplication) -> None:
    text = QGuiApplication.palette().color(QPalette.ColorRole.WindowText)
    icon = icons.icon("add")
    normal = _opaque(icon.pixmap(QSize(32, 32)).toImage())
    assert normal and all(c.rgb() == text.rgb() for c in normal)
    disabled = icon.pixmap(QSize(32, 32), QIcon.Mode.Disabled).toImage()
    assert disabled != icon.pixmap(QSize(32, 32)).toImage()


def test_a_missing_icon_is_empty_not_a_crash(qapp: QApplication) -> None:
    assert icons.icon("no-such-icon").isNull()
    assert icons.icon("export") is icons.icon("export"), "built once per palette colour"
