"""The fonts the app ships: present, licensed, registered, and covering the scripts names are written in.

The suite runs with only DejaVu visible to Qt (tests/conftest.py), so these glyphs can come only from the
shipped files.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtGui import QFontDatabase, QFontInfo, QGuiApplication, QRawFont

from ecfmg_desk.core.model import Finding, ValidationResult
from ecfmg_desk.packet.assemble import Section, assemble_packet
from ecfmg_desk.packet.fonts import FAMILIES, packet_font, register_fonts
from ecfmg_desk.resources import FONT_FILES, font_paths, resource_path
from tests import samples
from tests.packet.conftest import AS_OF, PROFILE, READY, Store


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


def _font_names(reader: PdfReader) -> set[str]:
    """The /BaseFont of every font the pages draw with, in their resources and their forms' (the stamps)."""
    names: set[str] = set()

    def walk(resources: object, depth: int = 0) -> None:
        if not hasattr(resources, "get") or depth > 4:
            return
        for ref in (resources.get("/Font") or {}).values():
            names.add(str(ref.get_object().get("/BaseFont")))
        for ref in (resources.get("/XObject") or {}).values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Form":
                walk(obj.get("/Resources"), depth + 1)

    for page in reader.pages:
        walk(page.get("/Resources"))
    return names


@pytest.mark.parametrize("ready", [True, False], ids=["ready", "needs-attention"])
def test_cover_contents_and_stamps_draw_only_with_shipped_fonts(
    gui_app: QGuiApplication, tmp_path: Path, ready: bool
) -> None:
    """DejaVu is visible to Qt here (the README installs it): a glyph the shipped fonts lack would be drawn with
    it, and the packet would need it on every machine. The cover's status once did (✓ and ⚠)."""
    store = Store()
    doc = store.document("d", "other", [samples.make_scan_pdf(tmp_path / "a.pdf", dpi=50)])  # no text of its own
    profile = replace(PROFILE, given_names="राहुल 小明 José", family_name="محمد Łukasz-García")
    findings = (Finding("error", "expired", "other", "d", "Your passport expired on 3 Jan 2026 (“Ø”).", "Renew it."),)
    validation = READY if ready else ValidationResult(AS_OF, READY.findings + findings)
    assemble_packet(tmp_path / "p.pdf", sections=[Section("other", "Other · documents — 1", (doc,))],
                    profile=profile, validation=validation, read_file=store.read, as_of=AS_OF,
                    app_version="9.8.7", catalog_cycle="2026")
    names = _font_names(PdfReader(tmp_path / "p.pdf"))
    assert names and all("Noto" in name for name in names), names


def test_the_letter_writer_sheet_and_clinical_summary_draw_only_with_shipped_fonts(gui_app: QGuiApplication) -> None:
    from ecfmg_desk.core.clinical import Letter, Rotation
    from ecfmg_desk.packet._textpages import render_sheet
    from ecfmg_desk.packet.clinical import clinical_summary_sheet, letter_sheet

    profile = replace(PROFILE, given_names="राहुल 小明", family_name="محمد", aamc_id="12345678")
    rotation = Rotation("r1", "elective", "Hôpital Saint-Louis · Paris", "Internal medicine", "Dr. Zoë Łukasiewicz",
                        date(2026, 3, 2), date(2026, 3, 29), status="completed")
    letter = Letter("l1", "Dr. 王 Wei", writer_title="Professor — Medicine", rotation="r1", due=date(2026, 9, 1),
                    letter_id="L-123")
    for sheet in (letter_sheet(profile, letter, rotation, AS_OF), clinical_summary_sheet([rotation], [letter])):
        pdf, _pages = render_sheet((612.0, 792.0), sheet)
        names = _font_names(PdfReader(io.BytesIO(pdf)))
        assert names and all("Noto" in name for name in names), names
