"""One requirement's page: importing (drop and Browse… alike), refusing bad files, details, replace, preview."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ecfmg_desk.ui.window import MainWindow
from ecfmg_desk.vault.store import Vault
from tests.samples import make_html, make_jpeg, make_scan_pdf, make_truncated_pdf
from tests.ui.conftest import Prompts, attach, drop_files, open_in_checklist, set_fields, type_into, wait_imported


def test_a_bad_file_is_explained_and_changes_nothing(qtbot: QtBot, window: MainWindow, vault: Vault,
                                                      asked: Prompts, tmp_path: Path) -> None:
    open_in_checklist(qtbot, window, "passport")
    before = vault.documents()
    drop_files(window.requirement_page.drop_zone, [make_html(tmp_path / "passport.pdf")])
    qtbot.waitUntil(lambda: bool(asked.errors), timeout=10_000)
    wait_imported(qtbot, window)
    title, message = asked.errors[0]
    assert title == "Could not add your passport"
    assert "passport.pdf" in message
    assert vault.documents() == before == []
    assert window.model.state_of("passport") == "missing"
    assert window.requirement_page.first_card() is None
    assert not window.requirement_page.drop_zone.big.isHidden(), "the teaching drop zone is still there"


def test_one_bad_page_refuses_the_whole_document(qtbot: QtBot, window: MainWindow, vault: Vault, asked: Prompts,
                                                 tmp_path: Path) -> None:
    good = make_scan_pdf(tmp_path / "front.pdf", pages=1, dpi=200)
    bad = make_truncated_pdf(tmp_path / "back.pdf")
    open_in_checklist(qtbot, window, "medical-diploma")
    drop_files(window.requirement_page.drop_zone, [good, bad])
    qtbot.waitUntil(lambda: bool(asked.errors), timeout=10_000)
    wait_imported(qtbot, window)
    assert "back.pdf" in asked.errors[0][1]
    assert vault.documents() == []


def test_several_files_become_the_pages_of_one_document(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    front = make_jpeg(tmp_path / "diploma-front.jpg", size_px=(1700, 2200), dpi=200)
    back = make_jpeg(tmp_path / "diploma-back.jpg", size_px=(1700, 2200), dpi=200, text="Back")
    attach(qtbot, window, "medical-diploma", [front, back])
    card = window.requirement_page.first_card()
    assert card is not None
    assert card.files_label.text() == "diploma-front.jpg, diploma-back.jpg"
    assert card.summary_label.text() == "2 pages · 200 dpi · colour"
    assert len(window.session.documents) == 1
    assert window.requirement_page.drop_zone.small_label.isVisible(), "the drop zone shrank to one line"


def test_browse_uses_the_same_import_as_a_drop(qtbot: QtBot, window: MainWindow, asked: Prompts,
                                               tmp_path: Path) -> None:
    open_in_checklist(qtbot, window, "usmle-step1")
    asked.files.append([make_scan_pdf(tmp_path / "step1.pdf", pages=1, dpi=200)])
    qtbot.mouseClick(window.requirement_page.drop_zone.browse_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(window.session.documents) == 1, timeout=10_000)
    wait_imported(qtbot, window)
    assert asked.file_requests == ["Attach your USMLE Step 1 score report"] or asked.file_requests[0].startswith(
        "Attach your")
    assert window.model.state_of("usmle-step1") == "problems"  # imported; its result is not entered yet
    set_fields(window, "usmle-step1", result="pass")
    assert window.model.state_of("usmle-step1") == "ready"


def test_something_that_is_not_a_file_is_ignored(qtbot: QtBot, window: MainWindow) -> None:
    open_in_checklist(qtbot, window, "passport")
    mime = QMimeData()
    mime.setText("https://example.org/passport.pdf")
    event = QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window.requirement_page.drop_zone, event)
    assert not window.session.importing
    assert window.session.documents == []


def test_details_are_saved_as_you_type_and_undone_with_ctrl_z(qtbot: QtBot, window: MainWindow, vault: Vault,
                                                              tmp_path: Path) -> None:
    attach(qtbot, window, "passport", [make_jpeg(tmp_path / "p.jpg", size_px=(1700, 1100), dpi=200)])
    card = window.requirement_page.first_card()
    assert card is not None
    doc_id = card.document.id
    type_into(qtbot, card.fields["name_on_document"], "Maria Jose Garcia Lopez")
    qtbot.waitUntil(lambda: vault.document(doc_id).name_on_document == "Maria Jose Garcia Lopez", timeout=5000)
    assert window.notice_label.text() == "Saved."
    assert window.vault_label.text().endswith("All changes saved on this computer")
    window.checklist.setFocus()
    qtbot.keyClick(window.checklist, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: vault.document(doc_id).name_on_document is None, timeout=5000)
    card = window.requirement_page.first_card()
    assert card is not None and card.field_text("name_on_document") == ""


def test_replace_scan_keeps_the_details(qtbot: QtBot, window: MainWindow, vault: Vault, asked: Prompts,
                                        tmp_path: Path) -> None:
    attach(qtbot, window, "passport", [make_jpeg(tmp_path / "old.jpg", size_px=(1000, 700), dpi=100)])
    card = window.requirement_page.first_card()
    assert card is not None
    doc_id = card.document.id
    type_into(qtbot, card.fields["expires"], "2031-02-09")
    qtbot.waitUntil(lambda: vault.document(doc_id).expires == date(2031, 2, 9), timeout=5000)
    assert any("resolution" in t.lower() or "dpi" in t for t in window.requirement_page.finding_texts())
    asked.files.append([make_jpeg(tmp_path / "new.jpg", size_px=(1700, 1100), dpi=200)])
    asked.answers.append(True)
    qtbot.mouseClick(card.replace_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: vault.document(doc_id).files[0].name == "new.jpg", timeout=10_000)
    wait_imported(qtbot, window)
    assert "with 1 new file" in asked.questions[0]
    assert vault.document(doc_id).expires == date(2031, 2, 9)
    card = window.requirement_page.first_card()
    assert card is not None and card.summary_label.text() == "1 page · 200 dpi · colour"
    assert window.notice_label.text() == "Replaced the scan of Passport."
    assert not any("dpi" in t for t in window.requirement_page.finding_texts())


def test_a_translation_can_be_tracked_before_it_is_attached(qtbot: QtBot, window: MainWindow, vault: Vault,
                                                            tmp_path: Path) -> None:
    attach(qtbot, window, "medical-diploma", [make_scan_pdf(tmp_path / "t.pdf", pages=1, dpi=200)])
    card = window.requirement_page.first_card()
    assert card is not None
    assert card.translation_row.isHidden(), "no language yet: nothing to translate"
    card.fields["language"].setFocus()
    qtbot.keyClicks(card.fields["language"], "Spanish")
    qtbot.waitUntil(lambda: vault.documents()[0].language == "es", timeout=5000)
    card = window.requirement_page.first_card()
    assert card is not None and not card.translation_row.isHidden()
    assert card.translation_badge.text() == "needed"
    assert window.model.state_of("translation") == "missing"
    card.translation_combo.setFocus()
    qtbot.keyClicks(card.translation_combo, "Ordered")
    qtbot.waitUntil(lambda: vault.documents()[0].manual_translation_status == "ordered", timeout=5000)
    card = window.requirement_page.first_card()
    assert card is not None and card.translation_badge.text() == "ordered"
    assert any("the translation is ordered" in t for t in window.requirement_page.finding_texts())
    open_in_checklist(qtbot, window, "translation")
    rows = window.requirement_page.translations_box
    assert rows.count() == 1
    item = rows.itemAt(0)
    row = item.widget() if item is not None else None
    assert row is not None
    assert row.accessibleName() == "Medical diploma (Spanish) → English: ordered"


def test_the_preview_shows_each_page_and_zooms(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    attach(qtbot, window, "final-transcript", [make_scan_pdf(tmp_path / "transcript.pdf", pages=2, dpi=100)])
    preview = window.requirement_page.preview
    qtbot.waitUntil(lambda: not preview.image_label.pixmap().isNull(), timeout=10_000)
    assert preview.caption.full_text() == "transcript.pdf"
    assert preview.page_label.text() == "Page 1 of 2"
    assert not preview.previous_button.isEnabled()
    qtbot.mouseClick(preview.next_button, Qt.MouseButton.LeftButton)
    assert preview.page_label.text() == "Page 2 of 2"
    wait_imported(qtbot, window)
    fit = preview.zoom_percent()
    qtbot.mouseClick(preview.zoom_in_button, Qt.MouseButton.LeftButton)
    assert preview.zoom_percent() > fit
    qtbot.mouseClick(preview.fit_button, Qt.MouseButton.LeftButton)
    assert preview.zoom_percent() == fit


def test_a_preview_closed_while_its_page_renders_drops_the_page(qtbot: QtBot, window: MainWindow,
                                                               tmp_path: Path) -> None:
    """The advisor closes a bundle's window while a page is still being drawn on a worker: the finished page
    arrives for a pane that no longer exists and must be dropped, not crash the app."""
    from shiboken6 import delete, isValid

    from ecfmg_desk.ui.preview import PreviewPane

    attach(qtbot, window, "final-transcript", [make_scan_pdf(tmp_path / "transcript.pdf", pages=2, dpi=100)])
    document = window.session.documents_for("final-transcript")[-1]
    pane = PreviewPane(window.session, window)
    pane.show()
    pane.repaint()  # a pane renders from its first paint
    pane.show_document(document)  # the render starts on a worker; its result is delivered by the event loop
    delete(pane)  # gone before the event loop can deliver the page
    assert not isValid(pane)
    wait_imported(qtbot, window)  # the page arrives now; pytest-qt fails the test if the callback raises


def test_cancel_stops_an_import_and_adds_nothing(qtbot: QtBot, window: MainWindow, vault: Vault,
                                                 tmp_path: Path) -> None:
    pages = [make_jpeg(tmp_path / f"page-{i:02}.jpg", size_px=(1275, 1650), dpi=150) for i in range(30)]
    open_in_checklist(qtbot, window, "final-transcript")
    drop_files(window.requirement_page.drop_zone, pages)
    assert window.session.importing
    assert window.cancel_button.isVisible()
    qtbot.mouseClick(window.cancel_button, Qt.MouseButton.LeftButton)
    wait_imported(qtbot, window)
    assert vault.documents() == []
    assert window.notice_label.text() == "Import cancelled; nothing was added."
    assert not window.cancel_button.isVisible()
