"""Files for a portal from the window (issue 14): the export dialog's choice of destination, the preflight report
before anything is written, the files and the result. Only ``ui/prompts.py`` is replaced; the dialog itself is
shown and clicked, the vault, the rules and the worker thread are real."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from ecfmg_desk.packet.destinations import Preflight, preflight
from ecfmg_desk.resources import load_catalog
from ecfmg_desk.ui import prompts
from ecfmg_desk.ui.dialogs import ExportDialog
from ecfmg_desk.ui.portal_export import PreflightDialog, report_text
from ecfmg_desk.ui.window import MainWindow
from ecfmg_desk.vault.store import Vault
from tests import samples
from tests.ui.conftest import Prompts

STEM = "GARCIA LOPEZ - ECFMG packet 2026-05-04"


def choose(qtbot: QtBot, dialog: ExportDialog, key: str) -> None:
    """Pick ``key`` in the "Export:" list with the keyboard, as a person would (Up/Down skip greyed entries)."""
    combo = dialog.choice.combo
    combo.setFocus()
    target = combo.findData(key)
    for _ in range(combo.count()):
        if combo.currentIndex() == target:
            return
        qtbot.keyClick(combo, Qt.Key.Key_Down if combo.currentIndex() < target else Qt.Key.Key_Up)
    assert combo.currentIndex() == target, f"{key} cannot be chosen"


def open_review(qtbot: QtBot, window: MainWindow) -> None:
    window.checklist.setFocus()
    qtbot.keyClick(window.checklist, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() is window.review_page


def test_the_export_dialog_offers_each_portal_and_a_folder_for_its_files(
        qtbot: QtBot, asked: Prompts, tmp_path: Path) -> None:
    dialog = ExportDialog(tmp_path / f"{STEM}.pdf", "letter")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.destination() == "packet" and dialog.where_label.text() == "Save the PDF as:"
    assert dialog.export_button.text() == "Export" and dialog.bundle_box.isVisible()
    size = dialog.minimumSize()
    assert size.height() <= 540, "the dialog (plus its title bar) fits a 1024 × 600 screen"

    choose(qtbot, dialog, "lor-portal")
    assert dialog.destination() == "lor-portal"
    assert dialog.where_label.text() == "Save the files in:"
    assert dialog.path_label.full_text() == str(tmp_path / "GARCIA LOPEZ - files for the LoR Portal")
    assert "at most 1 MB" in dialog.choice.note.text()
    assert not dialog.bundle_box.isVisible() and not dialog.password_box.isVisible(), "no bundle, no password"
    assert not any(b.isVisible() for b in dialog.paper_buttons.values())
    assert dialog.minimumSize() == size, "one size for every choice"
    assert dialog.export_button.text() == "Check the files…" and dialog.export_button.isEnabled()

    chosen = tmp_path / "uploads"
    asked.directories.append(chosen)
    qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)
    assert dialog.path_label.full_text() == str(chosen)
    assert dialog.answer() == prompts.ExportAnswer(packet=chosen, bundle=None, password=None, paper="letter",
                                                   destination="lor-portal")

    choose(qtbot, dialog, "myintealth")
    assert "does not publish its upload limits" in dialog.choice.note.text()
    choose(qtbot, dialog, "packet")
    assert dialog.bundle_box.isVisible() and dialog.answer().destination == "packet"
    assert dialog.answer().packet == tmp_path / f"{STEM}.pdf"


def test_while_problems_block_the_packet_only_a_portal_can_be_chosen(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = ExportDialog(tmp_path / f"{STEM}.pdf", "letter", packet_ready=False, destination="packet")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.destination() == "myintealth"
    assert dialog.choice.combo.itemText(0).endswith("(once the problems are fixed)")
    dialog.choice.combo.setFocus()
    qtbot.keyClick(dialog.choice.combo, Qt.Key.Key_Up)
    assert dialog.destination() == "myintealth", "the packet cannot be chosen"


def test_portal_files_from_the_window_preflight_first_then_the_files_and_the_folder(
        qtbot: QtBot, vault: Vault, window: MainWindow, asked: Prompts, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The packet is far from ready (no passport, no diploma...): the letters can still go to the LoR Portal.
    vault.add_document("recommendation-letter", [samples.make_text_pdf(tmp_path / "a4.pdf", page_size="a4")],
                       issued=date(2026, 3, 1))
    big = samples.make_scan_pdf(tmp_path / "big.pdf", pages=3, dpi=300, texture=True)
    vault.add_document("recommendation-letter", [big], issued=date(2026, 3, 2))
    window.session.reload()
    open_review(qtbot, window)
    page = window.review_page
    assert not page.export_button.isEnabled() and page.portal_button.isEnabled()

    folder = tmp_path / "for the portal"
    asked.exports.append(prompts.ExportAnswer(packet=folder, bundle=None, password=None, paper="letter",
                                              destination="lor-portal"))

    recorded = prompts.ask_write_portal_files
    folder_when_asked: list[bool] = []

    def look_then_write(parent: QWidget | None, report: Preflight) -> bool:
        folder_when_asked.append(folder.exists())
        return recorded(parent, report)

    monkeypatch.setattr(prompts, "ask_write_portal_files", look_then_write)
    asked.portal_writes.append(True)
    asked.show_folder.append(True)
    qtbot.mouseClick(page.portal_button, Qt.MouseButton.LeftButton)
    assert asked.export_choices == [(False, "myintealth")]
    assert page.exporting and page.cancel_button.isVisible() and not page.portal_button.isEnabled()
    qtbot.waitUntil(lambda: bool(asked.opened_urls or asked.errors), timeout=120_000)

    assert asked.errors == []
    assert folder_when_asked == [False], "the report comes before anything is written"
    (report,) = asked.portal_reports
    text = report_text(report)
    assert "recommendation-letter-1.pdf (Letters of recommendation): ready" in text
    assert "Changed: page 1 placed on 8.5 × 11 in paper." in text
    assert "recommendation-letter-2.pdf (Letters of recommendation): will not be written" in text
    assert "Still fails: It is" in text
    assert sorted(p.name for p in folder.iterdir()) == ["recommendation-letter-1.pdf"]
    title, message = asked.folder_messages[0]
    assert title == "Some files were not written"
    assert message.startswith(f"1 file written for the LoR Portal in {folder}.")
    assert "recommendation-letter-2.pdf: It is" in message
    assert asked.opened_urls == [QUrl.fromLocalFile(str(folder))]
    assert window.notice_label.text() == "Files for the LoR Portal written."
    assert not page.exporting and page.portal_button.isEnabled() and not page.cancel_button.isVisible()


def test_cancel_after_the_preflight_writes_nothing(
        qtbot: QtBot, vault: Vault, window: MainWindow, asked: Prompts, tmp_path: Path) -> None:
    vault.add_document("passport", [samples.make_jpeg(tmp_path / "p.jpg")], expires=date(2031, 1, 1))
    window.session.reload()
    open_review(qtbot, window)
    folder = tmp_path / "mi"
    asked.exports.append(prompts.ExportAnswer(packet=folder, bundle=None, password=None, paper="letter",
                                              destination="myintealth"))
    asked.portal_writes.append(False)
    qtbot.mouseClick(window.review_page.portal_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(asked.portal_reports) and not window.review_page.exporting, timeout=60_000)
    assert [f.name for f in asked.portal_reports[0].files] == ["passport.jpg"]
    assert not folder.exists() and asked.folder_messages == []
    assert window.notice_label.text() == "Nothing was written."


def test_the_preflight_dialog_says_what_will_happen(qtbot: QtBot, vault: Vault, tmp_path: Path) -> None:
    grey = samples.make_jpeg(tmp_path / "me.jpg", size_px=(600, 800), color=False, text="<b>Me</b>")
    vault.add_document("photo", [grey], issued=date(2026, 4, 1))
    report = preflight("myintealth", vault.documents(), load_catalog(2026), tmp_path / "out",
                       read_file=vault.read_file)
    dialog = PreflightDialog(report)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Check the files for MyIntealth"
    assert dialog.summary.text() == ("0 files are ready for MyIntealth; 1 file still fails a rule and will not be "
                                     "written. Nothing has been written yet.")
    assert dialog.summary.textFormat() == Qt.TextFormat.PlainText
    assert "photo.jpg (Photograph): will not be written" in dialog.details.toPlainText()
    assert "Still fails: It is in black and white" in dialog.details.toPlainText()
    assert not dialog.write_button.isEnabled(), "nothing to write: only Cancel"
