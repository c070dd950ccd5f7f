"""Files for a portal from the window (issue 14): the export dialog's choice of destination, the preflight report
shown before anything is written, then the files written and a clear result.

The rules and the files themselves come from ``packet.destinations`` (the same code as ``export --for``); this
module only asks and shows. Both steps run on a worker thread: making a letter fit the LoR Portal may
recompress its scans, which takes seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ecfmg_desk.ui import prompts
from ecfmg_desk.ui.widgets import heading, muted, wrapping
from ecfmg_desk.ui.words import file_name, plural

if TYPE_CHECKING:
    from ecfmg_desk.packet.destinations import Preflight
    from ecfmg_desk.ui.view import PacketView
    from ecfmg_desk.vault.store import Vault

PACKET = "packet"


def _tr(text: str) -> str:
    return QCoreApplication.translate("PortalExport", text)


def choices() -> tuple[tuple[str, str, str], ...]:
    """(key, choice, what it writes) for the packet and each portal, in the dialog's order."""
    return (
        (PACKET, _tr("The packet: one PDF for ECFMG and your advisor"), ""),
        ("myintealth", _tr("Files for MyIntealth: one file per credential"),
         _tr("MyIntealth does not publish its upload limits, so your scans are written as they are, unencrypted, "
             "one file per document.")),
        ("lor-portal", _tr("Files for the LoR Portal: one PDF per letter"),
         _tr("Each letter becomes a PDF of at most 1 MB on 8.5 × 11 in pages, without password or signature "
             "fields, as the AAMC LoR Portal requires. A letter is made smaller only when it is over 1 MB.")),
        ("eras", _tr("Files for ERAS: photo, MSPE and transcript"),
         _tr("Each document as its own file, all its pages in one file. ECFMG publishes no file limits for "
             "ERAS documents; the photo's size is checked against guides, which are not confirmed.")),
    )


def portal_name(destination: str) -> str:
    return {"myintealth": _tr("MyIntealth"), "lor-portal": _tr("the LoR Portal"), "eras": _tr("ERAS")}.get(
        destination, destination)


def default_folder(packet: Path, destination: str) -> Path:
    """Beside the suggested packet: ``GARCIA LOPEZ - files for the LoR Portal``."""
    stem = packet.stem.split(" - ")[0] if " - " in packet.stem else ""
    name = _tr("files for {portal}").format(portal=portal_name(destination))
    return packet.parent / file_name(f"{stem} - {name}" if stem else name[:1].upper() + name[1:])


class DestinationChoice(QWidget):
    """What to export: the packet or one portal's files. While problems block the packet its entry stays in
    the list, greyed, saying why."""

    changed = Signal(str)

    def __init__(self, current: str, packet_ready: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        label = QLabel(self.tr("Export:"), self)
        self.combo = QComboBox(self)
        self.combo.setAccessibleName(self.tr("What to export"))
        self._notes: dict[str, str] = {}
        for key, text, note in choices():
            self.combo.addItem(text, key)
            self._notes[key] = note
        label.setBuddy(self.combo)
        row.addWidget(label)
        row.addWidget(self.combo, 1)
        if not packet_ready:
            model = self.combo.model()
            item = model.item(0) if isinstance(model, QStandardItemModel) else None
            if item is not None:
                item.setEnabled(False)
                item.setText(item.text() + self.tr(" (once the problems are fixed)"))
            current = current if current != PACKET else "myintealth"
        self.note = muted(wrapping("", self))
        self.select(current)
        self._show_note()
        self.combo.currentIndexChanged.connect(self._chosen)

    def current(self) -> str:
        data = self.combo.currentData()
        return data if isinstance(data, str) else PACKET

    def select(self, key: str) -> None:
        index = self.combo.findData(key)
        self.combo.setCurrentIndex(index if index >= 0 else 0)

    def portal_page(self, parent: QWidget) -> QWidget:
        """The dialog's page for a portal: what its files will be, and that nothing is written unseen."""
        page = QWidget(parent)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        layout.addWidget(muted(wrapping(self.tr(
            "Nothing is written before you have seen, file by file, what will be changed and what still fails "
            "a rule."), page)))
        layout.addStretch(1)
        return page

    def _show_note(self) -> None:
        self.note.setText(self._notes[self.current()])

    def _chosen(self, _index: int) -> None:
        self._show_note()
        self.changed.emit(self.current())


def report_text(report: Preflight) -> str:
    """The preflight in plain words, file by file (shown as plain text: names come from the user's files)."""
    lines = [report.note, ""]
    if not report.files:
        lines.append(_tr("None of your documents goes to {portal} yet.").format(portal=portal_name(
            report.destination)))
    for number, item in enumerate(report.files):
        if number:
            lines.append("")
        state = _tr("ready") if item.ok else _tr("will not be written")
        lines.append(f"{item.name} ({item.title}): {state}")
        lines += [_tr("  Changed: {what}").format(what=line) for line in item.changes]
        lines += [_tr("  Worth checking: {what}").format(what=line) for line in item.warnings]
        lines += [_tr("  Still fails: {what}").format(what=line) for line in item.problems]
        if not (item.changes or item.warnings or item.problems):
            lines.append(_tr("  Kept as it is."))
    return "\n".join(lines)


def summary_text(report: Preflight) -> str:
    ready, failing = len(report.ready), len(report.failing)
    parts = [plural(ready, _tr("file is ready"), _tr("files are ready")) + _tr(" for {portal}").format(
        portal=portal_name(report.destination))]
    if failing:
        parts.append(plural(failing, _tr("file still fails a rule and will not be written"),
                            _tr("files still fail a rule and will not be written")))
    existing = report.existing()
    if existing:
        parts.append(plural(len(existing), _tr("file of the same name in the folder will be replaced"),
                            _tr("files of the same names in the folder will be replaced")))
    return "; ".join(parts) + _tr(". Nothing has been written yet.")


class PreflightDialog(QDialog):
    """What will be written, what was changed and what still fails, before anything is written."""

    def __init__(self, report: Preflight, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Check the files for {portal}").format(portal=portal_name(report.destination)))
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.windowTitle(), 2, self))
        self.summary = wrapping(summary_text(report), self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.summary)
        self.folder = muted(wrapping(self.tr("Folder: {folder}").format(folder=report.folder), self))
        self.folder.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.folder)
        self.details = QPlainTextEdit(self)
        self.details.setReadOnly(True)
        self.details.setPlainText(report_text(report))
        self.details.setAccessibleName(self.tr("What will be written"))
        layout.addWidget(self.details, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        count = len(report.ready)
        self.write_button = self.buttons.addButton(
            self.tr("Write {files}").format(files=plural(count, self.tr("file"), self.tr("files"))),
            QDialogButtonBox.ButtonRole.AcceptRole)
        self.write_button.setEnabled(count > 0)
        self.write_button.setDefault(count > 0)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.setMinimumSize(QSize(560, 360))


class PortalExport(QObject):
    """Runs one portal export for a page: preflight on a worker, the report, the files written, the result."""

    busy = Signal(str)
    """A status line while it works ("Checking…", "Writing…")."""
    idle = Signal()

    def __init__(self, page: QWidget, session: PacketView, vault: Vault) -> None:
        """``vault``: where the files come from (only read: a read-only vault has portal files too)."""
        super().__init__(page)
        self._page = page
        self._session = session
        self._vault = vault
        self._task: Any = None

    @property
    def running(self) -> bool:
        return self._task is not None

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def start(self, destination: str, folder: Path) -> None:
        """Make and check the files (nothing written), then ask with the report."""
        if self._task is not None:
            return
        from ecfmg_desk.packet.destinations import preflight_vault

        vault, catalog = self._vault, self._session.catalog

        def work(_report: Callable[[int, int], None], cancelled: Callable[[], bool]) -> Preflight:
            return preflight_vault(destination, vault, catalog, folder, cancel=cancelled)

        self._run(work, self.tr("Checking the files for {portal}…").format(portal=portal_name(destination)),
                  self._checked)

    def _run(self, work: Callable[[Callable[[int, int], None], Callable[[], bool]], object], status: str,
             done: Callable[[Any], None]) -> None:
        def finished() -> None:
            self._task = None
            self.idle.emit()

        def ok(result: object) -> None:
            finished()
            done(result)

        def failed(message: str) -> None:
            finished()
            prompts.show_error(self._page, self.tr("The files were not written"), message)

        def cancelled() -> None:
            finished()
            self._session.notice.emit(self.tr("Cancelled; nothing was written."))

        self.busy.emit(status)
        self._session.notice.emit(status)
        self._task = self._session.run_task(work, "portal files", done=ok, failed=failed, cancelled=cancelled)

    def _checked(self, report: Preflight) -> None:
        if not prompts.ask_write_portal_files(self._page, report):
            self._session.notice.emit(self.tr("Nothing was written."))
            return
        from ecfmg_desk.packet.destinations import write_ready

        def work(_report: Callable[[int, int], None], _cancelled: Callable[[], bool]) -> tuple[Path, ...]:
            return write_ready(report)

        self._run(work, self.tr("Writing the files…"), lambda written: self._written(report, written))

    def _written(self, report: Preflight, written: tuple[Path, ...]) -> None:
        lines = [self.tr("{files} for {portal} in {folder}.").format(
            files=plural(len(written), self.tr("file written"), self.tr("files written")),
            portal=portal_name(report.destination), folder=report.folder)]
        lines += [f"• {path.name}" for path in written]
        if report.failing:
            lines.append(self.tr("Not written, because they still fail a rule:"))
            lines += [f"• {item.name}: {item.problems[0]}" for item in report.failing]
        self._session.notice.emit(self.tr("Files for {portal} written.").format(
            portal=portal_name(report.destination)))
        title = self.tr("Files written") if not report.failing else self.tr("Some files were not written")
        if written and prompts.ask_show_folder(self._page, title, "\n".join(lines)):
            if not prompts.open_url(QUrl.fromLocalFile(str(report.folder))):
                prompts.show_error(self._page, self.tr("Could not open it"), self.tr(
                    "No program on this computer opened {path}. The files are saved there.").format(
                        path=report.folder))
        elif not written:
            prompts.show_error(self._page, title, "\n".join(lines))

