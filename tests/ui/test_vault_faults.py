"""The window's answer to a damaged or tampered vault: a dialog that says what is wrong, never a silent exit."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ecfmg_desk.ui.app import DeskApp
from ecfmg_desk.ui.settings import open_settings
from ecfmg_desk.vault.store import Vault
from tests.samples import make_jpeg
from tests.ui.conftest import AS_OF, Prompts


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
