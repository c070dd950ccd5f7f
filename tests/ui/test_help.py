"""F1 help and the sources line speak the applicant's language (issue 15, finding 10): no RULES.md references, no
rule ids, no bracket codes; every source says how sure it is in words (DESIGN.md section 4)."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ecfmg_desk.core.catalog import Catalog
from ecfmg_desk.ui.helptext import plain
from ecfmg_desk.ui.window import MainWindow
from tests.ui.conftest import Prompts, open_in_checklist

INTERNAL = re.compile(r"RULES\.md|\[(?:C-old|C|T|M|\?)\]|\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b|open question \d")
WORDS = ("confirmed", "older source", "third-party guide", "our reading", "not confirmed")


@pytest.mark.parametrize(("text", "expected"), [
    ("Scan resolution, 150–300 dpi suggested (RULES.md SCAN_DPI_MIN)", "Scan resolution, 150–300 dpi suggested"),
    ("MyIntealth photo specifications (RULES.md PHOTO_FILE, open question 1)", "MyIntealth photo specifications"),
    ("The old EPIC portal took PDF, JPG or TIF [C-old]; current limits were not found.",
     "The old EPIC portal took PDF, JPG or TIF (older source); current limits were not found."),
    ("See RULES.md PHOTO_RECENCY for the details.", "See for the details."),
    ("USMLE Step 1 and OET Medicine", "USMLE Step 1 and OET Medicine"),
])
def test_internal_notes_are_taken_out(text: str, expected: str) -> None:
    assert plain(text) == expected


def test_f1_help_of_every_requirement_is_in_plain_words(qtbot: QtBot, window: MainWindow, asked: Prompts,
                                                        catalog: Catalog) -> None:
    for requirement in catalog.requirements:
        if not window.model.index_of(requirement.id).isValid():
            continue
        open_in_checklist(qtbot, window, requirement.id)
        qtbot.keyClick(window.checklist, Qt.Key.Key_F1)
        _title, text = asked.helps[-1]
        assert not INTERNAL.search(text), f"{requirement.id}: {INTERNAL.search(text)} in the help"
        if requirement.sources:
            assert any(word in text for word in WORDS), requirement.id
        page = window.requirement_page
        page._source_link("#more")
        shown = page.sources_label.text()
        assert not INTERNAL.search(shown), f"{requirement.id}: {INTERNAL.search(shown)} under the title"
        assert not INTERNAL.search(page.help_label.text())
    qtbot.keyClick(window.checklist, Qt.Key.Key_F1)
    assert len(asked.helps) >= 10


def test_the_resolution_the_help_suggests_is_the_one_that_warns(catalog: Catalog) -> None:
    """The help called 150–300 dpi "suggested" while a 150 dpi scan got a warning (min_dpi is 200)."""
    checked = 0
    for requirement in catalog.requirements:
        if requirement.min_dpi is None:
            continue
        covering = [s for s in requirement.sources if "min_dpi" in s.covers]
        assert covering, requirement.id
        for source in covering:
            assert f"{requirement.min_dpi} dpi or more" in plain(source.title), (requirement.id, source.title)
        checked += 1
    assert checked >= 3


def test_the_photograph_page_speaks_of_a_photograph(qtbot: QtBot, window: MainWindow) -> None:
    open_in_checklist(qtbot, window, "photo")
    tips = window.requirement_page.drop_zone.accepted_label.text()
    assert "stamp" not in tips and "signature" not in tips and "pages of one document" not in tips
    assert "photograph" in tips
    open_in_checklist(qtbot, window, "medical-diploma")
    assert "every signature and stamp" in window.requirement_page.drop_zone.accepted_label.text()
    open_in_checklist(qtbot, window, "eras-photo")
    assert window.requirement_page.drop_zone.accepted_label.text().startswith("Accepted: JPEG or PNG.")
