"""Export from the window (issue 5): the dialog's answers, the worker with progress and Cancel, what is written,
Open PDF / Show in folder, and errors as readable dialogs."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtWidgets import QAbstractButton
from pytestqt.qtbot import QtBot

from ecfmg_desk.packet.bundle import verify_bundle
from ecfmg_desk.ui import prompts
from ecfmg_desk.ui.dialogs import ExportDialog
from ecfmg_desk.ui.window import MainWindow
from tests.ui.conftest import Prompts

STEM = "GARCIA LOPEZ - ECFMG packet 2026-05-04"


def documents(home: Path) -> Path:
    folder = home / "Documents"
    folder.mkdir(exist_ok=True)
    return folder


def tick(qtbot: QtBot, box: QAbstractButton) -> None:
    """Click a check box on its box (a laid-out check box is wider than its box and its words)."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def open_review(qtbot: QtBot, window: MainWindow) -> None:
    window.checklist.setFocus()
    qtbot.keyClick(window.checklist, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() is window.review_page


def test_export_writes_the_packet_and_the_bundle_then_opens_the_pdf(
        qtbot: QtBot, ready_vault: dict[str, str], window: MainWindow, asked: Prompts, isolated_dirs: Path) -> None:
    folder = documents(isolated_dirs)
    open_review(qtbot, window)
    page = window.review_page
    assert page.export_button.isEnabled() and page.badge.text() == "Ready to export"
    pdf, bundle = folder / f"{STEM}.pdf", folder / f"{STEM}.ecfmgpkt"
    asked.exports.append(prompts.ExportAnswer(packet=pdf, bundle=bundle, password="open sesame 42", paper="a4"))
    asked.after_export.append("open")
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert page.exporting and page.cancel_button.isVisible() and not page.export_button.isEnabled()
    qtbot.waitUntil(lambda: bool(asked.opened_urls or asked.errors), timeout=60_000)

    assert asked.errors == []
    assert asked.export_requests == [(pdf, "letter")], "default: the Documents folder, a name that says whose"
    message = asked.after_export_messages[0]
    assert message.startswith(f"Your packet is ready: “{STEM}.pdf” (")
    assert f"“{STEM}.ecfmgpkt”" in message
    assert asked.opened_urls == [QUrl.fromLocalFile(str(pdf))]
    reader = PdfReader(pdf)
    assert reader.is_encrypted and reader.decrypt("open sesame 42")
    manifest = verify_bundle(bundle)
    assert manifest.applicant.name_of_record == "Maria Jose Garcia Lopez"
    key = manifest.signer.fingerprint if manifest.signer else "(unsigned)"
    assert f"signed with your key {key}." in message.replace("\u00a0", " "), \
        "the student can check the key with the advisor, as the command line's export says it"
    assert sorted(p.name for p in folder.iterdir()) == [f"{STEM}.ecfmgpkt", f"{STEM}.pdf"], "no temporary file"
    assert not page.exporting and not page.cancel_button.isVisible() and page.export_button.isEnabled()
    assert window.notice_label.text() == "Packet written."


def test_show_in_folder_opens_the_folder_and_the_paper_is_remembered(
        qtbot: QtBot, ready_vault: dict[str, str], window: MainWindow, asked: Prompts, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    open_review(qtbot, window)
    asked.exports.append(prompts.ExportAnswer(packet=out / "p.pdf", bundle=None, password=None, paper="a4"))
    asked.after_export.append("folder")
    qtbot.mouseClick(window.review_page.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(asked.opened_urls or asked.errors), timeout=60_000)
    assert asked.opened_urls == [QUrl.fromLocalFile(str(out))]
    assert [p.name for p in out.iterdir()] == ["p.pdf"], "no bundle when it was not asked for"
    assert "advisor bundle" not in asked.after_export_messages[0]

    asked.exports.append(None)  # the next export starts on A4, then the user cancels the dialog
    qtbot.mouseClick(window.review_page.export_button, Qt.MouseButton.LeftButton)
    assert asked.export_requests[-1][1] == "a4"


def test_cancel_leaves_no_file(qtbot: QtBot, ready_vault: dict[str, str], window: MainWindow, asked: Prompts,
                               tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    open_review(qtbot, window)
    page = window.review_page
    asked.exports.append(prompts.ExportAnswer(packet=out / "p.pdf", bundle=out / "p.ecfmgpkt", password=None,
                                              paper="letter"))
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert page.cancel_button.isVisible()
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.exporting, timeout=60_000)
    assert window.notice_label.text() == "Export cancelled; nothing was written."
    assert list(out.iterdir()) == []
    assert asked.after_export_messages == [] and asked.errors == []
    assert page.export_button.isEnabled() and not page.export_progress.isVisible()


def test_an_existing_file_is_replaced_only_when_the_user_says_so(
        qtbot: QtBot, ready_vault: dict[str, str], window: MainWindow, asked: Prompts, tmp_path: Path) -> None:
    pdf = tmp_path / "p.pdf"
    pdf.write_bytes(b"an older packet")
    open_review(qtbot, window)
    asked.exports.append(prompts.ExportAnswer(packet=pdf, bundle=None, password=None, paper="letter"))
    asked.answers.append(False)
    qtbot.mouseClick(window.review_page.export_button, Qt.MouseButton.LeftButton)
    assert asked.questions == [f"“p.pdf” is already in {tmp_path}. Replace it with the new export?"]
    assert not window.review_page.exporting and pdf.read_bytes() == b"an older packet"


def test_an_export_error_is_a_readable_dialog(qtbot: QtBot, ready_vault: dict[str, str], window: MainWindow,
                                              asked: Prompts, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "a file"
    not_a_folder.write_text("x")
    open_review(qtbot, window)
    asked.exports.append(prompts.ExportAnswer(packet=not_a_folder / "p.pdf", bundle=None, password=None,
                                              paper="letter"))
    qtbot.mouseClick(window.review_page.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(asked.errors), timeout=60_000)
    title, message = asked.errors[0]
    assert title == "The packet was not written"
    assert message.startswith("Cannot write the packet in ") and "Traceback" not in message
    assert window.review_page.export_button.isEnabled()


def test_the_export_dialog(qtbot: QtBot, asked: Prompts, tmp_path: Path) -> None:
    suggested = tmp_path / f"{STEM}.pdf"
    dialog = ExportDialog(suggested, "letter")
    qtbot.addWidget(dialog)
    dialog.show()  # shown, never exec()'d: the test clicks and types as a person would
    qtbot.waitExposed(dialog)
    assert dialog.path_label.full_text() == str(suggested)
    assert not dialog.bundle_box.isChecked(), "every scan, unencrypted: the bundle is written only when asked for"
    assert "not password-protected" in dialog.bundle_note.text()
    assert f"“{STEM}.ecfmgpkt”" in dialog.bundle_note.text()
    assert dialog.paper_buttons["letter"].isChecked()
    assert not dialog.password_fields.isEnabled() and dialog.export_button.isEnabled()

    tick(qtbot, dialog.password_box)
    assert dialog.password_fields.isEnabled()
    assert not dialog.export_button.isEnabled(), "a password must be typed twice first"
    qtbot.keyClicks(dialog.password_fields.first, "open sesame 42")
    qtbot.keyClicks(dialog.password_fields.second, "open sesame 4")
    assert not dialog.export_button.isEnabled()
    qtbot.keyClicks(dialog.password_fields.second, "2")
    assert dialog.export_button.isEnabled()

    elsewhere = tmp_path / "elsewhere" / "packet"
    asked.save_paths.append(elsewhere)
    qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)
    assert dialog.path_label.full_text() == str(elsewhere) + ".pdf"
    tick(qtbot, dialog.paper_buttons["a4"])
    assert dialog.answer() == prompts.ExportAnswer(packet=tmp_path / "elsewhere" / "packet.pdf", bundle=None,
                                                   password="open sesame 42", paper="a4")
    tick(qtbot, dialog.bundle_box)
    assert dialog.answer().bundle == tmp_path / "elsewhere" / "packet.ecfmgpkt"
    tick(qtbot, dialog.bundle_box)
    assert dialog.answer().bundle is None
