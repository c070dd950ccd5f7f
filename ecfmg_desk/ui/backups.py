"""File → Back up your documents… and Restore from a backup… in the student's window, and the reminder.

The vault holds the only copy of the scans. The work is :mod:`ecfmg_desk.vault.backups` (the command line's
``backup`` uses the same function: write, read back and check, record the time) and
:func:`ecfmg_desk.vault.backup.restore_backup`; this module only asks where, shows progress, and words the result.
The reminder sits in the status bar while a backup is due: never made, over 30 days old, or older than the newest
change to a document.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QPushButton

from ecfmg_desk.errors import DeskError, KeyUnavailableError, WrongPassphraseError
from ecfmg_desk.ui import icons, prompts
from ecfmg_desk.ui.words import format_date, plural

if TYPE_CHECKING:
    from ecfmg_desk.ui.session import Session
    from ecfmg_desk.ui.window import MainWindow

log = logging.getLogger(__name__)
SUFFIX = ".ecfmgbak"


class Backups(QObject):
    """Backup, restore and the reminder for one student's window."""

    def __init__(self, window: MainWindow, session: Session) -> None:
        super().__init__(window)
        self.window = window
        self.session = session
        self.running = False
        self.remind = True
        """``False`` for the example packet: a temporary vault deleted with its window needs no backup."""
        self.reminder = QPushButton(window.statusBar())
        self.reminder.setFlat(True)
        self.reminder.setIcon(icons.icon("attention"))
        self.reminder.setAccessibleName(self.tr("Back up your documents"))
        self.reminder.clicked.connect(self.back_up)
        window.statusBar().addPermanentWidget(self.reminder)
        self.reminder.hide()
        session.changed.connect(lambda: session.when_vault_free(self.update_reminder))
        self.update_reminder()

    # -- the reminder -----------------------------------------------------------------------------------

    def reminder_text(self) -> str | None:
        """What the status bar says while a backup is due (``None``: not due)."""
        from ecfmg_desk.vault.backups import backup_due

        try:
            due = backup_due(self.session.vault, datetime.now(UTC))
        except DeskError:
            log.warning("could not read when the vault was last backed up", exc_info=True)
            return None
        if due is None:
            return None
        if due.reason == "never":
            return self.tr("Not backed up yet: this computer holds the only copy of your scans. Back up now…")
        when = format_date(due.last.date()) if due.last else ""
        if due.reason == "newer":
            return self.tr("Changed since your last backup ({date}). Back up now…").format(date=when)
        return self.tr("Last backup {date}, over 30 days ago. Back up now…").format(date=when)

    def update_reminder(self) -> None:
        if self.window.locked or self.session.importing:  # (an import holds the vault: asked again after it)
            return
        text = None if self.running or not self.remind else self.reminder_text()
        self.reminder.setVisible(text is not None)
        if text is not None:
            self.reminder.setText(text)
            self.reminder.setToolTip(self.tr("File → Back up your documents…"))

    # -- backing up -------------------------------------------------------------------------------------

    def back_up(self) -> None:
        """Ask where, then write, read back and check the backup on a worker thread."""
        if self.running or self.window.locked:
            return
        from ecfmg_desk.ui.review import documents_folder

        window, session = self.window, self.session
        stamp = session.as_of.isoformat()
        suggested = documents_folder() / f"ECFMG Desk backup {stamp}{SUFFIX}"
        path = prompts.choose_save_path(window, self.tr("Back up your documents"), suggested, prompts.BACKUP_FILTER)
        if path is None:
            return
        if path.suffix.lower() != SUFFIX:
            path = path.with_name(path.name + SUFFIX)
        vault = session.vault

        def work(_report: Callable[[int, int], None], _cancelled: Callable[[], bool]) -> Any:
            from ecfmg_desk.vault.backups import back_up

            return back_up(vault, path)

        def done(result: Any) -> None:
            self._finished()
            session.notice.emit(self.tr("Backed up and checked."))
            prompts.show_info(window, self.tr("Backup made"), self.tr(
                "Your documents are backed up in “{name}” ({size}, encrypted), in {folder}. It was read back and "
                "checked: {files} and your details are all in it.\n\nKeep a copy away from this computer (a USB "
                "stick, your cloud storage). It opens with your recovery passphrase.").format(
                    name=result.path.name, size=_size(result.size), folder=result.path.parent,
                    files=plural(result.files, self.tr("stored file"), self.tr("stored files"))))

        def failed(message: str) -> None:
            self._finished()
            prompts.show_error(window, self.tr("The backup was not made"), message)

        self._start(self.tr("Backing up and checking…"))

        def start() -> None:
            session.run_task(work, "backup", done=done, failed=failed)

        session.when_vault_free(start)

    # -- restoring --------------------------------------------------------------------------------------

    def restore(self) -> None:
        """Restore a backup into a new folder, then open it (the vault now open stays as it is)."""
        from ecfmg_desk.ui.review import documents_folder

        if self.running:
            return
        window = self.window
        source = prompts.choose_open_path(window, self.tr("Restore from a backup"), documents_folder(),
                                          prompts.BACKUP_FILTER)
        if source is None:
            return
        folder = prompts.choose_directory(window, self.tr("Where should the restored documents go?"),
                                          self.session.vault.path.parent)
        if folder is None:
            return
        target = _empty_folder(folder)
        self._run_restore(source, target, None)

    def _run_restore(self, source: Path, target: Path, passphrase: str | None) -> None:
        window, session = self.window, self.session

        def work(_report: Callable[[int, int], None], _cancelled: Callable[[], bool]) -> Any:
            from ecfmg_desk.vault.backup import restore_backup

            try:
                vault = restore_backup(source, target, passphrase=passphrase)
            except (KeyUnavailableError, WrongPassphraseError) as exc:
                return exc  # asked for on the GUI thread, then tried again
            count = len(vault.documents())
            vault.close()
            return count

        def done(result: Any) -> None:
            self._finished()
            if isinstance(result, DeskError):
                asked = prompts.ask_passphrase(window, self.tr("Restore from a backup"), result.message + "\n\n"
                                               + self.tr("Type the recovery passphrase of the backed-up vault:"))
                if asked:
                    self._run_restore(source, target, asked)
                return
            prompts.show_info(window, self.tr("Backup restored"), self.tr(
                "{documents} restored into {folder}. It opens now.").format(
                    documents=plural(int(result), self.tr("document"), self.tr("documents")), folder=target))
            window.open_vault_requested.emit(target)

        def failed(message: str) -> None:
            self._finished()
            prompts.show_error(window, self.tr("Nothing was restored"), message)

        self._start(self.tr("Restoring…"))
        session.run_task(work, "restore", done=done, failed=failed)

    # -- progress ---------------------------------------------------------------------------------------

    def _start(self, text: str) -> None:
        self.running = True
        self.reminder.hide()
        window = self.window
        window.backup_action.setEnabled(False)
        window.restore_action.setEnabled(False)
        window.import_label.setText(text)
        window.import_bar.setRange(0, 0)  # (the time it takes is not known: a moving bar)
        window.import_label.show()
        window.import_bar.show()
        window.show_notice(text)

    def _finished(self) -> None:
        self.running = False
        window = self.window
        window.backup_action.setEnabled(True)
        window.restore_action.setEnabled(True)
        if not self.session.importing:
            window.import_label.hide()
            window.import_bar.hide()
        self.update_reminder()


def _size(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{max(1, size // 1000)} kB"


def _empty_folder(folder: Path) -> Path:
    """``folder`` when it is empty (or new), else a new folder inside it: a restore never overwrites."""
    if not folder.exists() or (folder.is_dir() and not any(folder.iterdir())):
        return folder
    for n in range(1, 100):
        candidate = folder / ("ECFMG Desk restored" if n == 1 else f"ECFMG Desk restored {n}")
        if not candidate.exists():
            return candidate
    return folder / f"ECFMG Desk restored {datetime.now(UTC):%Y%m%d%H%M%S}"

