"""Registers the fonts the app carries with Qt, so names in any script draw the same on every machine.

Without them a machine with only DejaVu (a bare Linux, the frozen app on a fresh PC) draws Chinese or
Devanagari names as empty boxes and reports nothing. The packet's text drawing and the window both call
:func:`register_fonts` once a QGuiApplication exists; QtGui only, so the command line needs no widgets.
"""

from __future__ import annotations

from PySide6.QtCore import QLoggingCategory
from PySide6.QtGui import QFont, QFontDatabase

from ecfmg_desk.resources import font_paths

FAMILIES = ("Noto Sans", "Noto Sans Arabic", "Noto Sans Devanagari", "Noto Sans CJK SC")
"""Families in the order Qt tries them, character by character: Latin first (one font for the Latin text, so
its words and spaces stay one run, extracted and searched as written), then one family per script."""

_QUIET = "qt.text.font.db.warning=false"
"""Qt believes Noto Sans covers Devanagari, finds no Devanagari shaping in it, warns "OpenType support
missing" and then correctly falls back to Noto Sans Devanagari. The warning says nothing to act on; putting
Noto Sans Devanagari first instead would split every Latin space into its own run."""

_registered: tuple[str, ...] | None = None


def register_fonts() -> tuple[str, ...]:
    """Add the shipped fonts to Qt's font database (once per process); return the families now available.

    Needs a QGuiApplication. A font file Qt cannot read is skipped (its script falls back to system fonts).
    """
    global _registered
    if _registered is None:
        QLoggingCategory.setFilterRules(_QUIET)
        families: list[str] = []
        for path in font_paths():
            font_id = QFontDatabase.addApplicationFont(str(path))
            if font_id >= 0:
                families += [f for f in QFontDatabase.applicationFontFamilies(font_id) if f not in families]
        _registered = tuple(families)
    return _registered


def packet_font(points: float, *, bold: bool = False) -> QFont:
    """A QFont that draws Latin, Arabic, Devanagari and CJK with the shipped families (registering them)."""
    available = register_fonts()
    font = QFont()
    font.setFamilies([f for f in FAMILIES if f in available] or ["sans-serif"])
    font.setStyleHint(QFont.StyleHint.SansSerif)
    font.setPointSizeF(points)
    font.setBold(bold)
    return font
