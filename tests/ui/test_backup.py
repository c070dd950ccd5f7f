"""Backup and restore in the window (issue 15): File → Back up writes, reads back and checks the backup; the status
bar reminds while one is due; File → Restore brings a backup back into a new folder and opens it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from ecfmg_desk.cli import run
from ecfmg_desk.errors import IntegrityError
from ecfmg_desk.ui.window import MainWindow
from ecfmg_desk.ui.words import format_date
from ecfmg_desk.vault.backups import LAST_BACKUP, back_up, last_backup, verify_backup
from ecfmg_desk.vault.store import Vault
from tests.samples import make_jpeg
from tests.ui.conftest import Prompts, wait_saved


def _file_menu(window: MainWindow) -> list[str]:
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    assert isinstance(menu, QMenu)
    return [a.text() for a in menu.actions()]


def test_back_up_from_the_file_menu_then_restore_it(qtbot: QtBot, ready_vault: dict[str, str], vault: Vault,
                                                    window: MainWindow, asked: Prompts, tmp_path: Path) -> None:
    assert {"&Back up your documents…", "Res&tore from a backup…"} <= set(_file_menu(window))
    reminder = window.mode.backups.reminder  # type: ignore[attr-defined]
    assert reminder.isVisible() and reminder.text().startswith("Not backed up yet")

    target = tmp_path / "usb stick" / "my documents"  # no suffix typed: it is added
    asked.save_paths.append(target)
    window.backup_action.trigger()
    assert window.import_label.isVisible() and window.import_label.text() == "Backing up and checking…"
    assert not window.backup_action.isEnabled(), "one backup at a time"
    qtbot.waitUntil(lambda: bool(asked.infos) or bool(asked.errors), timeout=60_000)
    assert asked.errors == []
    title, message = asked.infos.pop()
    backup = target.with_name("my documents.ecfmgbak")
    assert title == "Backup made" and backup.is_file()
    assert "read back and checked" in message and "my documents.ecfmgbak" in message
    assert asked.save_requests[0][1].name.startswith("ECFMG Desk backup 2026-05-04")
    assert not window.import_label.isVisible() and window.backup_action.isEnabled()
    assert not reminder.isVisible(), "backed up: nothing to remind"
    assert last_backup(vault) is not None

    # restore into a folder that is not empty: a new folder inside it, never an overwrite
    place = tmp_path / "restored here"
    place.mkdir()
    (place / "something.txt").write_text("keep me")
    asked.open_paths.append(backup)
    asked.directories.append(place)
    opened: list[Path] = []
    window.open_vault_requested.connect(opened.append)
    window.restore_action.trigger()
    qtbot.waitUntil(lambda: bool(opened) or bool(asked.errors), timeout=60_000)
    assert asked.errors == []
    assert opened == [place / "ECFMG Desk restored"]
    assert asked.infos[-1][0] == "Backup restored" and "restored into" in asked.infos[-1][1]
    assert (place / "something.txt").read_text() == "keep me"
    with Vault.open(opened[0]) as restored:
        assert sorted(d.id for d in restored.documents()) == sorted(d.id for d in vault.documents())


def test_the_reminder_says_when_a_backup_is_due(qtbot: QtBot, ready_vault: dict[str, str], vault: Vault,
                                                window: MainWindow, tmp_path: Path) -> None:
    reminder = window.mode.backups.reminder  # type: ignore[attr-defined]
    back_up(vault, tmp_path / "b.ecfmgbak")
    window.session.reload()
    assert not reminder.isVisible()
    record = json.loads(vault.sealed_value(LAST_BACKUP) or b"{}")
    long_ago = datetime.now(UTC) - timedelta(days=40)
    vault.set_sealed_value(LAST_BACKUP, json.dumps({**record, "at": long_ago.isoformat()}).encode())
    window.session.reload()
    assert reminder.isVisible() and reminder.text().startswith("Last backup ")
    assert "over 30 days ago" in reminder.text() and format_date(long_ago.date()) in reminder.text()
    vault.set_sealed_value(LAST_BACKUP, json.dumps(record).encode())
    window.session.reload()
    assert not reminder.isVisible()
    # a change after the backup: due again, with the backup's date in words
    passport = ready_vault["passport"]
    editor = window.mode.editor
    assert editor is not None
    editor.edit_document(passport, {"notes": "renewed at the consulate"})
    wait_saved(qtbot, window, lambda: reminder.isVisible())
    backed_up = format_date(datetime.fromisoformat(record["at"]).date())
    assert reminder.text() == f"Changed since your last backup ({backed_up}). Back up now…"


def test_only_the_reminder_of_a_vault_with_documents(qtbot: QtBot, window: MainWindow) -> None:
    reminder = window.mode.backups.reminder  # type: ignore[attr-defined]
    assert window.session.documents == [] and not reminder.isVisible(), "nothing to lose yet"


def test_a_backup_that_does_not_read_back_is_refused(vault: Vault, tmp_path: Path) -> None:
    vault.add_document("photo", [make_jpeg(tmp_path / "me.jpg", size_px=(600, 800))])
    good = tmp_path / "good.ecfmgbak"
    result = back_up(vault, good)
    assert result.files >= 1 and verify_backup(vault, good) == result.files
    data = bytearray(good.read_bytes())
    data[-10] ^= 0xFF  # one flipped bit near the end
    bad = tmp_path / "bad.ecfmgbak"
    bad.write_bytes(bytes(data))
    with pytest.raises(IntegrityError):
        verify_backup(vault, bad)


def test_the_command_line_backs_up_the_same_way(vault: Vault, vault_dir: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    vault.add_document("photo", [make_jpeg(tmp_path / "me.jpg", size_px=(600, 800))])
    assert last_backup(vault) is None
    assert run(["--vault", str(vault_dir), "backup", "--out", str(tmp_path / "cli.ecfmgbak")]) == 0
    assert "read back and checked" in capsys.readouterr().err
    assert last_backup(vault) is not None, "the window's reminder counts a backup made on the command line"


def test_a_locked_window_offers_no_backup(qtbot: QtBot, ready_vault: dict[str, str], window: MainWindow,
                                          asked: Prompts) -> None:
    reminder = window.mode.backups.reminder  # type: ignore[attr-defined]
    assert reminder.isVisible()
    window.lock()
    assert not reminder.isVisible() and not window.backup_action.isEnabled()
    window.mode.backups.back_up()  # type: ignore[attr-defined]
    assert asked.save_requests == [], "nothing asked while locked"
    window.unlock()
    assert reminder.isVisible() and window.backup_action.isEnabled()
