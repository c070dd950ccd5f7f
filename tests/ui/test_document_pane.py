"""The document pane for a newcomer (issue 15, findings 8 and 12): Tab walks it as it reads, a finished choice
changes the problem list at once, no checklist title is cut."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ecfmg_desk.core.catalog import Catalog
from ecfmg_desk.ui.window import MainWindow
from ecfmg_desk.vault.store import Vault
from tests.samples import make_jpeg
from tests.ui.conftest import attach, painted_text_height, type_into


def _focused_name() -> str:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget.accessibleName() or type(widget).__name__


def test_tab_walks_the_document_pane_in_reading_order(qtbot: QtBot, window: MainWindow, vault: Vault,
                                                      tmp_path: Path) -> None:
    attach(qtbot, window, "medical-diploma", [make_jpeg(tmp_path / "d.jpg", size_px=(1700, 1100), dpi=200)])
    page = window.requirement_page
    card = page.first_card()
    assert card is not None
    vault.edit_document(card.document.id, {"language": "es"})  # a translation row appears
    window.session.reload()
    qtbot.waitUntil(lambda: card.translation_button.isVisible() and all(
        row.isVisible() for row in page.finding_rows), timeout=5000)
    window.activateWindow()
    qtbot.waitActive(window)
    page.details.setFocus(Qt.FocusReason.TabFocusReason)
    names = []
    for _ in range(14):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        names.append(_focused_name())
    expected = ["Preview d.jpg", "Replace the scan of d.jpg", "Remove d.jpg", "Issued", "Language",
                "Name as printed", "Notes", "Translation status", "Attach translation",
                "Browse for files to attach"]
    assert names[:len(expected)] == expected, names
    rest = names[len(expected):]
    fixes = [row.action_button.accessibleName() for row in page.finding_rows if row.action_button is not None]
    assert fixes and rest[:len(fixes)] == fixes[:len(rest)], "then each problem's fix, in the order shown"
    if len(rest) > len(fixes):
        assert rest[len(fixes)] == "Review and export"


def test_a_date_left_with_tab_changes_the_problems_at_once(qtbot: QtBot, window: MainWindow, vault: Vault,
                                                           tmp_path: Path) -> None:
    attach(qtbot, window, "medical-diploma", [make_jpeg(tmp_path / "d.jpg", size_px=(1700, 1100), dpi=200)])
    page = window.requirement_page
    card = page.first_card()
    assert card is not None
    window.activateWindow()
    qtbot.waitActive(window)

    def problems() -> list[str]:
        return [row.finding.code for row in page.finding_rows]

    assert any("issue" in code or "date" in code for code in problems()), problems()
    before = problems()
    type_into(qtbot, card.fields["issued"], "15/07/2022")
    assert not card._timer.isActive(), "a finished date is not held back by the typing pause"
    QApplication.sendPostedEvents(None, QEvent.Type.MetaCall)  # queued signals only: no timer has fired yet
    QApplication.processEvents()
    assert vault.document(card.document.id).issued is not None
    assert problems() != before, "the problem list changed without waiting"


@pytest.mark.parametrize("size", [(1024, 600), (1024, 768), (1366, 768), (1920, 1080)],
                         ids=["1024x600", "1024x768", "1366x768", "1920x1080"])
def test_no_checklist_title_is_cut(qtbot: QtBot, window: MainWindow, catalog: Catalog,
                                   size: tuple[int, int]) -> None:
    """Titles wrap in the sidebar ("Final medical school transc…" was cut even at 1920 px), also when the list
    is short enough to need its scroll bar (1024×600), which takes width from the titles."""
    width = size[0]
    window.resize(*size)
    qtbot.waitUntil(lambda: window.size().toTuple() == size, timeout=5000)
    view = window.checklist
    view.expandAll()
    QApplication.processEvents()
    one_line = view.fontMetrics().height()
    wrapped = 0
    for requirement in catalog.requirements:
        index = window.model.index_of(requirement.id)
        if not index.isValid():
            continue
        lines_needed = painted_text_height(view, index)
        assert view.visualRect(index).height() >= lines_needed, f"{requirement.title!r} is cut at {width} px"
        wrapped += lines_needed > one_line
    assert wrapped or width == 1920, "at this width some title needs two lines (the test measures something)"
