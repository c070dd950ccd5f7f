"""The window's answer to a damaged or tampered vault: a dialog that says what is wrong, never a silent exit."""

from __future__ import annotations

import resource
import signal
import sqlite3
from pathlib import Path

from pytestqt.qtbot import QtBot

from ecfmg_desk.ui.app import DeskApp
from ecfmg_desk.ui.settings import open_settings
from ecfmg_desk.ui.window import MainWindow
from ecfmg_desk.vault.store import Vault
from tests.conftest import MemoryKeyring
from tests.samples import make_jpeg
from tests.ui.conftest import AS_OF, Prompts, attach


def test_a_damaged_vault_is_a_dialog(vault_dir: Path, asked: Prompts) -> None:
    with Vault.open(vault_dir, create=True) as vault:
        vault.update_profile({"given_names": "Maria"})
    (vault_dir / "vault.db").write_bytes(b"not a database" * 500)
    desk = DeskApp(vault_dir, settings=open_settings(), as_of=AS_OF)
    try:
        assert desk.start() == 1
        assert desk.window is None
        assert [title for title, _ in asked.errors] == ["Cannot open the vault"]
        assert "damaged" in asked.errors[0][1]
    finally:
        desk.shutdown()


def test_a_document_changed_outside_the_app_is_named_not_shown(vault_dir: Path, tmp_path: Path,
                                                               asked: Prompts) -> None:
    with Vault.open(vault_dir, create=True) as vault:
        doc = vault.add_document("photo", [make_jpeg(tmp_path / "me.jpg", size_px=(600, 800))]).document
    conn = sqlite3.connect(vault_dir / "vault.db")
    conn.execute("UPDATE documents SET requirement = 'passport'")
    conn.commit()
    conn.close()
    desk = DeskApp(vault_dir, settings=open_settings(), as_of=AS_OF)
    try:
        assert desk.start() == 1
        assert desk.window is None, "the untrusted document is not shown"
        (title, message), = asked.errors
        assert title == "Cannot open the vault"
        assert doc.id in message and "changed outside ECFMG Desk" in message
    finally:
        desk.shutdown()


def test_disk_full_at_an_import_is_a_dialog_and_the_vault_stays_as_it_was(
        qtbot: QtBot, window: MainWindow, vault: Vault, asked: Prompts, tmp_path: Path) -> None:
    """A real write failure (a file-size limit, SIGXFSZ ignored: EFBIG, as a full disk gives) while the scan's
    blob is written: the window says so in a dialog and shows nothing half-imported."""
    scan = make_jpeg(tmp_path / "diploma.jpg", size_px=(500, 700))
    before = vault.documents()
    previous_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    previous_limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024, previous_limit[1]))
    try:
        attach(qtbot, window, "medical-diploma", [scan])
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, previous_limit)
        signal.signal(signal.SIGXFSZ, previous_handler)
    (title, message), = asked.errors
    assert title == "Could not add your medical diploma" and message.startswith("The disk is full"), message
    assert vault.documents() == before and window.session.documents == before
    assert vault.check().ok
    assert window.isVisible()


def test_a_backup_with_absurd_key_settings_is_a_dialog(qtbot: QtBot, window: MainWindow, vault: Vault,
                                                       asked: Prompts, tmp_path: Path,
                                                       memory_keyring: MemoryKeyring) -> None:
    """On a new laptop (no keyring entry) the backup's own wrapped key is used: a header asking scrypt for 16 GiB
    is refused before any derivation, in a dialog."""
    from ecfmg_desk.vault.backups import back_up
    from tests.cli.test_vault_faults import _rewrite_header

    back_up(vault, tmp_path / "good.bak")
    hostile = _rewrite_header(tmp_path / "good.bak", tmp_path / "hostile.bak", n=2**24)
    memory_keyring.entries.clear()
    asked.passphrases.append("correct horse battery")
    asked.open_paths.append(hostile)
    asked.directories.append(tmp_path / "new-laptop")
    (tmp_path / "new-laptop").mkdir()
    window.restore_action.trigger()
    qtbot.waitUntil(lambda: bool(asked.errors), timeout=30_000)
    (title, message), = asked.errors
    assert title == "Nothing was restored" and "settings" in message
    assert list((tmp_path / "new-laptop").iterdir()) == []
