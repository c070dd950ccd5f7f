"""The fonts the app ships: present, licensed, registered, and covering the scripts names are written in.

The suite runs with only DejaVu visible to Qt (tests/conftest.py), so these glyphs can come only from the
shipped files.
"""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFontDatabase, QFontInfo, QGuiApplication, QRawFont

from ecfmg_desk.packet.fonts import FAMILIES, packet_font, register_fonts
from ecfmg_desk.resources import FONT_FILES, font_paths, resource_path


def test_every_font_ships_with_its_licence() -> None:
    assert [p.name for p in font_paths()] == list(FONT_FILES)
    licence = resource_path("fonts", "OFL.txt").read_text("utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence
    assert "Google" in licence and "Adobe" in licence


def test_registering_gives_every_family_once(gui_app: QGuiApplication) -> None:
    assert register_fonts() == FAMILIES
    assert register_fonts() == FAMILIES  # idempotent: a second call adds nothing
    assert set(FAMILIES) <= set(QFontDatabase.families())


@pytest.mark.parametrize(
    ("file", "family", "text"),
    [
        ("NotoSans-Regular.ttf", "Noto Sans", "María José García-López Ñ Ø Ş Ğ"),
        ("NotoSansArabic-Regular.ttf", "Noto Sans Arabic", "محمد عبد الله"),
        ("NotoSansDevanagari-Regular.ttf", "Noto Sans Devanagari", "राहुल शर्मा"),
        # GB 2312, Big5, JIS X 0208 (kanji and kana), KS X 1001 Hangul
        ("NotoSansCJKsc-Regular-subset.otf", "Noto Sans CJK SC", "王小明 張偉 山田太郎 やまだ カタカナ 김민준"),
    ],
)
def test_each_script_has_its_glyphs_in_a_shipped_font(
    gui_app: QGuiApplication, file: str, family: str, text: str
) -> None:
    raw = QRawFont(str(resource_path("fonts", file)), 12)
    assert raw.isValid() and raw.familyName() == family
    assert [c for c in text if not c.isspace() and not raw.supportsCharacter(ord(c))] == []


def test_the_packet_font_draws_latin_with_the_shipped_family(gui_app: QGuiApplication) -> None:
    font = packet_font(10)
    assert font.families()[0] == "Noto Sans"
    assert QFontInfo(font).family() == "Noto Sans"  # not DejaVu, the only system font the suite lets Qt see
