"""A vault whose folder cannot be written opens in a real read-only mode (issue 11): the pages get the view and no
editor, one line says in the user's words why nothing can be changed, and Export still writes the packet
elsewhere without touching the vault.

The folder is made read-only with chmod, as a user would; when the tests run as root (whom permissions do not
stop) the files are also marked immutable (``chattr +i``), which stops root too, so the vault truly cannot be
written either way.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QCheckBox, QComboBox, QLineEdit, QPlainTextEdit, QTextEdit, QWidget
from pytestqt.qtbot import QtBot

from ecfmg_desk.core.catalog import Catalog
from ecfmg_desk.ui import prompts
from ecfmg_desk.ui.modes import ReadOnlyVaultMode
from ecfmg_desk.ui.session import Session
from ecfmg_desk.ui.widgets import DateField
from ecfmg_desk.ui.window import MainWindow
from ecfmg_desk.vault.store import Vault
from tests.ui.conftest import AS_OF, Prompts, show_window

WRITE_BUTTONS = {"Browse…", "Replace scan…", "Remove", "Load review…", "Enter the date…", "Add a rotation…",
                 "Add a letter…", "Change the passphrase…", "Set a passphrase…", "Yes", "No", "Undo"}


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _set_immutable(paths: list[Path], on: bool) -> bool:
    if shutil.which("chattr") is None:
        return False
    result = subprocess.run(["chattr", "+i" if on else "-i", *map(str, paths)], capture_output=True, check=False)
    return result.returncode == 0


@pytest.fixture
def read_only_vault(ready_vault: dict[str, str], vault: Vault) -> Iterator[Path]:
    vault.close()  # (closing checkpoints the WAL: the folder holds what a closed vault holds)
    folder = vault.path
    items = [folder, *folder.rglob("*")]
    for item in reversed(items):
        item.chmod(0o500 if item.is_dir() else 0o400)
    immutable = os.geteuid() == 0 and _set_immutable(items, True)
    if os.access(folder, os.W_OK):
        for item in items:
            item.chmod(0o700 if item.is_dir() else 0o600)
        pytest.skip("running as root where neither permissions nor chattr can make the folder read-only")
    try:
        yield folder
    finally:
        if immutable:
            _set_immutable(items, False)
        for item in items:
            item.chmod(0o700 if item.is_dir() else 0o600)


def _write_controls(window: MainWindow) -> list[str]:
    """Every control on the shown page that would change something, described."""
    found = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window) or not widget.isEnabled():
            continue
        typed = isinstance(widget, QLineEdit | QTextEdit | QPlainTextEdit) and not widget.isReadOnly() \
            and not isinstance(widget.parent(), QComboBox)
        if typed or isinstance(widget, QComboBox | QCheckBox | DateField):
            found.append(f"{type(widget).__name__} {widget.accessibleName()!r}")
        elif isinstance(widget, QAbstractButton) and widget.text() in WRITE_BUTTONS:
            found.append(f"button {widget.text()!r}")
    return found


def test_a_read_only_vault_opens_to_look_and_export_only(qtbot: QtBot, read_only_vault: Path, catalog: Catalog,
                                                         asked: Prompts, tmp_path: Path) -> None:
    before = _files(read_only_vault)
    opened = Vault.open(read_only_vault)
    assert opened.read_only
    session = Session(opened, catalog, as_of=AS_OF)
    window = show_window(qtbot, session)
    try:
        mode = window.mode
        assert isinstance(mode, ReadOnlyVaultMode) and mode.editor is None
        line = mode.read_only_label
        assert line.isVisible() and line.text().startswith(
            "This vault's folder is read-only: you can look and export, but not change anything")
        assert "All changes saved" not in window.vault_label.text()
        # the vault's own read-only notice is for the command line: the line above says it in the window's words
        assert opened.notices and mode.notices(list(opened.notices)) == [
            n for n in opened.notices if "read-only" not in n]
        assert not window.attach_action.isEnabled() and not window.load_review_action.isEnabled()
        assert not window.undo_action.isEnabled() and not window.backup_action.isEnabled()

        pages = [*(f"req:{r.id}" for r in catalog.requirements), *window.pages]
        for key in pages:
            if key.startswith("req:"):
                window.open_requirement(key[4:])
            else:
                window.navigate(key)
            qtbot.waitUntil(lambda: session.is_idle, timeout=20_000)
            assert _write_controls(window) == [], f"{key} offers a change"
        window.navigate("review")
        review = window.review_page
        assert review.export_button.isVisible() and review.export_button.isEnabled()

        window.lock()  # the vault's own passphrase still guards the window; unlocking offers no change either
        qtbot.keyClicks(window.lock_screen.passphrase_field, "correct horse battery")
        qtbot.keyClick(window.lock_screen.passphrase_field, Qt.Key.Key_Return)
        assert not window.locked and not window.attach_action.isEnabled() and window.export_action.isEnabled()

        out = tmp_path / "elsewhere"
        out.mkdir()
        asked.exports.append(prompts.ExportAnswer(packet=out / "packet.pdf", bundle=out / "packet.ecfmgpkt",
                                                  password=None, paper="letter"))
        asked.after_export.append(None)
        review.export_button.click()
        qtbot.waitUntil(lambda: not review.exporting, timeout=120_000)
        assert asked.errors == []
        assert (out / "packet.pdf").read_bytes().startswith(b"%PDF") and (out / "packet.ecfmgpkt").is_file()
    finally:
        window.close()
        session.shutdown()
        opened.close()
    assert _files(read_only_vault) == before, "nothing was written into the vault"
