"""The one seam for every modal question: message boxes, file pickers, passphrase prompts, small dialogs.

Nothing else in the UI calls ``exec()`` on a dialog. Code calls these module-level functions (``prompts.show_error``
…) so that tests replace them with ``monkeypatch.setattr(prompts, "show_error", …)`` and never block, and so that
``--screenshot`` can switch every prompt off (:func:`set_interactive`): a screenshot run must never wait for a
click. In non-interactive mode each function prints what it would have asked on stderr and returns "no".
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from PySide6.QtCore import QCoreApplication, Qt, QUrl
from PySide6.QtWidgets import QDialog, QWidget

# The dialogs' own classes are imported where they are used: each Qt class brings its enumerations, made on first
# use (~10 ms for these three), and none of them is needed before the window is shown.
if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

    from ecfmg_desk.packet.destinations import Preflight

DOCUMENT_FILTER = (
    "Documents (*.pdf *.jpg *.jpeg *.png *.tif *.tiff *.PDF *.JPG *.JPEG *.PNG *.TIF *.TIFF);;All files (*)"
)

BUNDLE_FILTER = "ECFMG Desk bundles (*.ecfmgpkt);;All files (*)"
REVIEW_FILTER = "Reviews (*.json);;All files (*)"
BACKUP_FILTER = "ECFMG Desk backups (*.ecfmgbak);;All files (*)"
KEY_FILTER = "Signing keys (*.json);;All files (*)"

_interactive = True


def set_interactive(value: bool) -> None:
    """``False`` in screenshot mode: every prompt answers "no"/"cancel" at once instead of opening."""
    global _interactive
    _interactive = value


def _tr(text: str) -> str:
    return QCoreApplication.translate("prompts", text)


def _skip(kind: str, text: str) -> bool:
    """True when prompts are off; says on stderr what was not asked, so a silent failure is still visible."""
    if _interactive:
        return False
    if sys.stderr is not None:  # a windowed Windows build has no console streams at all
        print(f"ecfmg-desk: {kind} (not shown): {text}", file=sys.stderr)
    return True


def run_dialog(dialog: QDialog) -> bool:
    """Run a prepared dialog modally; True when accepted. The only ``exec()`` in the UI."""
    if _skip("dialog", dialog.windowTitle()):
        return False
    return dialog.exec() == QDialog.DialogCode.Accepted


def message_box(icon: QMessageBox.Icon, title: str, message: str, parent: QWidget | None,
                buttons: QMessageBox.StandardButton | None = None) -> QMessageBox:
    """A message box that shows its message as plain text: messages carry names, file names and comments
    that come from bundles and reviews, which must never be taken for markup (Qt guesses "rich text" from a
    ``<`` otherwise)."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(icon, title, message, QMessageBox.StandardButton.NoButton if buttons is None else buttons,
                      parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    return box


def show_error(parent: QWidget | None, title: str, message: str) -> None:
    from PySide6.QtWidgets import QMessageBox

    if _skip("error", message):
        return
    message_box(QMessageBox.Icon.Warning, title, message, parent, QMessageBox.StandardButton.Ok).exec()


def show_info(parent: QWidget | None, title: str, message: str) -> None:
    from PySide6.QtWidgets import QMessageBox

    if _skip("info", message):
        return
    message_box(QMessageBox.Icon.Information, title, message, parent, QMessageBox.StandardButton.Ok).exec()


def show_help(parent: QWidget | None, title: str, html: str) -> None:
    """Help for one requirement (rich text: the help, how to add it, its sources and their confidence)."""
    from PySide6.QtWidgets import QMessageBox

    if _skip("help", title):
        return
    box = QMessageBox(QMessageBox.Icon.Information, title, html, QMessageBox.StandardButton.Close, parent)
    box.setTextFormat(Qt.TextFormat.RichText)
    box.exec()


def ask_yes_no(parent: QWidget | None, title: str, question: str, *, yes: str = "", no: str = "",
               warning: bool = False) -> bool:
    """Yes or no (No is the default); ``warning`` shows the warning icon for a question about a risk."""
    from PySide6.QtWidgets import QMessageBox

    if _skip("question", question):
        return False
    box = message_box(QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Question, title, question, parent)
    yes_button = box.addButton(yes or _tr("Yes"), QMessageBox.ButtonRole.AcceptRole)
    no_button = box.addButton(no or _tr("No"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no_button)
    box.exec()
    return box.clickedButton() is yes_button


def ask_passphrase(parent: QWidget | None, title: str, prompt: str) -> str | None:
    """The recovery passphrase of an existing vault; ``None`` when cancelled."""
    if _skip("passphrase", prompt):
        return None
    from ecfmg_desk.ui.dialogs import PassphraseDialog

    dialog = PassphraseDialog(title, prompt, parent)
    try:
        return dialog.passphrase() or None if dialog.exec() == QDialog.DialogCode.Accepted else None
    finally:
        dialog.deleteLater()


def ask_new_passphrase(parent: QWidget | None, title: str = "", explanation: str = "") -> str | None:
    """A new passphrase (the recovery passphrase unless ``title``/``explanation`` say otherwise), typed twice;
    ``None`` when cancelled."""
    from ecfmg_desk.ui.dialogs import NewPassphraseDialog

    dialog = NewPassphraseDialog(parent, title, explanation)
    try:
        return dialog.passphrase() if run_dialog(dialog) else None
    finally:
        dialog.deleteLater()


@dataclass(frozen=True)
class TranslatorAnswer:
    name: str
    kind: str


def ask_translator(parent: QWidget | None, original_title: str) -> TranslatorAnswer | None:
    """Who translated a document, and which kind of translator (government, school, professional)."""
    from ecfmg_desk.ui.dialogs import TranslatorDialog

    dialog = TranslatorDialog(original_title, parent)
    try:
        if not run_dialog(dialog):
            return None
        return TranslatorAnswer(dialog.translator_name(), dialog.translator_kind())
    finally:
        dialog.deleteLater()


def choose_files(parent: QWidget | None, title: str, directory: Path | None = None) -> list[Path]:
    """Files to import (several files = the pages of one document, in the order given)."""
    from PySide6.QtWidgets import QFileDialog

    if _skip("file picker", title):
        return []
    names, _filter = QFileDialog.getOpenFileNames(parent, title, str(directory or Path.home()), DOCUMENT_FILTER)
    return [Path(name) for name in names]


def choose_save_path(parent: QWidget | None, title: str, suggested: Path, file_filter: str) -> Path | None:
    from PySide6.QtWidgets import QFileDialog

    if _skip("save dialog", title):
        return None
    name, _filter = QFileDialog.getSaveFileName(parent, title, str(suggested), file_filter)
    return Path(name) if name else None


def choose_directory(parent: QWidget | None, title: str, start: Path) -> Path | None:
    from PySide6.QtWidgets import QFileDialog

    if _skip("folder picker", title):
        return None
    name = QFileDialog.getExistingDirectory(parent, title, str(start))
    return Path(name) if name else None


def choose_open_path(parent: QWidget | None, title: str, directory: Path, file_filter: str) -> Path | None:
    """One existing file to open (a bundle, a review)."""
    from PySide6.QtWidgets import QFileDialog

    if _skip("file picker", title):
        return None
    name, _filter = QFileDialog.getOpenFileName(parent, title, str(directory), file_filter)
    return Path(name) if name else None


def ask_text(parent: QWidget | None, title: str, prompt: str, default: str = "") -> str | None:
    """One line of text (the reviewer's name); ``None`` when cancelled or left empty."""
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    if _skip("question", prompt):
        return None
    text, ok = QInputDialog.getText(parent, title, prompt, QLineEdit.EchoMode.Normal, default)
    return text.strip() if ok and text.strip() else None


@dataclass(frozen=True)
class DateAnswer:
    value: date | None
    """The date typed; ``None``: the box was left empty (no date)."""


def ask_date(parent: QWidget | None, title: str, prompt: str, current: date | None = None) -> DateAnswer | None:
    """One date in the window's date field (read in the applicant's order, echoed in words, an inline reason
    when it cannot be read); ``None`` when cancelled."""
    from ecfmg_desk.ui.dialogs import DateDialog

    dialog = DateDialog(title, prompt, current, parent)
    try:
        if not run_dialog(dialog):
            return None
        return DateAnswer(dialog.value())
    finally:
        dialog.deleteLater()


Unsaved = Literal["save", "discard", "cancel"]


def ask_unsaved(parent: QWidget | None, title: str, question: str) -> Unsaved:
    """Save / Don't save / Cancel, before unsaved work would be lost (Cancel when prompts are off)."""
    from PySide6.QtWidgets import QMessageBox

    if _skip("question", question):
        return "cancel"
    box = message_box(QMessageBox.Icon.Warning, title, question, parent)
    save = box.addButton(QMessageBox.StandardButton.Save)
    discard = box.addButton(QMessageBox.StandardButton.Discard)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(save)
    box.exec()
    clicked = box.clickedButton()
    return "save" if clicked is save else "discard" if clicked is discard else "cancel"


@dataclass(frozen=True)
class ExportAnswer:
    """What the export dialog collected."""

    packet: Path
    bundle: Path | None
    """The advisor bundle, beside the PDF; ``None`` when not wanted."""
    password: str | None
    paper: str
    """``letter`` or ``a4``."""
    destination: str = "packet"
    """``packet``, or a portal (``myintealth``, ``lor-portal``, ``eras``): then ``packet`` is the folder for its
    files, and there is no bundle and no password."""


def ask_export(parent: QWidget | None, suggested: Path, paper: str = "letter", *, packet_ready: bool = True,
               destination: str = "packet") -> ExportAnswer | None:
    """The export dialog: the packet or a portal's files; where; the advisor bundle, a password, the paper.
    ``packet_ready`` false: only a portal can be chosen (problems still block the packet)."""
    from ecfmg_desk.ui.dialogs import ExportDialog

    dialog = ExportDialog(suggested, paper, parent, packet_ready=packet_ready, destination=destination)
    try:
        return dialog.answer() if run_dialog(dialog) else None
    finally:
        dialog.deleteLater()


def ask_write_portal_files(parent: QWidget | None, report: Preflight) -> bool:
    """The preflight report (what will be changed, what still fails), before anything is written: Write or
    Cancel."""
    from ecfmg_desk.ui.portal_export import PreflightDialog

    dialog = PreflightDialog(report, parent)
    try:
        return run_dialog(dialog)
    finally:
        dialog.deleteLater()


def ask_show_folder(parent: QWidget | None, title: str, message: str) -> bool:
    """Files are written: Show in folder (true) or Close."""
    from PySide6.QtWidgets import QMessageBox

    if _skip("info", message):
        return False
    box = message_box(QMessageBox.Icon.Information, title, message, parent)
    folder_button = box.addButton(_tr("Show in folder"), QMessageBox.ButtonRole.AcceptRole)
    close_button = box.addButton(QMessageBox.StandardButton.Close)
    box.setDefaultButton(folder_button)
    box.setEscapeButton(close_button)
    box.exec()
    return box.clickedButton() is folder_button


AfterExport = Literal["open", "folder"]


def ask_after_export(parent: QWidget | None, title: str, message: str) -> AfterExport | None:
    """The packet is written: Open PDF, Show in folder, or Close (``None``)."""
    from PySide6.QtWidgets import QMessageBox

    if _skip("info", message):
        return None
    box = message_box(QMessageBox.Icon.Information, title, message, parent)
    open_button = box.addButton(_tr("Open PDF"), QMessageBox.ButtonRole.AcceptRole)
    folder_button = box.addButton(_tr("Show in folder"), QMessageBox.ButtonRole.ActionRole)
    close_button = box.addButton(QMessageBox.StandardButton.Close)
    box.setDefaultButton(open_button)
    box.setEscapeButton(close_button)
    box.exec()
    clicked = box.clickedButton()
    return "open" if clicked is open_button else "folder" if clicked is folder_button else None


def open_url(url: QUrl) -> bool:
    """Hand a file or folder to the system (the PDF viewer, the file manager). Tests capture it instead."""
    if _skip("open", url.toString()):
        return False
    from PySide6.QtGui import QDesktopServices

    return QDesktopServices.openUrl(url)


def show_crash(parent: QWidget | None, log_file: Path | None, details: str) -> None:
    """"Something went wrong" after a bug: the log's location and a button that copies ``details``."""
    if _skip("error", "something went wrong; the details are in the log file"):
        return
    from ecfmg_desk.ui.crash import CrashDialog

    dialog = CrashDialog(log_file, details, parent)
    try:
        dialog.exec()
    finally:
        dialog.deleteLater()
