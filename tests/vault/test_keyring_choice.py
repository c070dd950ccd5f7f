"""Which keyring backend holds the vault key: the one that held it last time is asked first (keyring's own
search for a backend costs every start 80-120 ms on Linux), keyring's choice whenever that one has no answer.

The remembered name is outside input (a file in the settings folder): only keyring's own OS backends may be
named, nothing else is ever imported. With a real Secret Service, see ``test_secret_service.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ecfmg_desk.vault import keys
from ecfmg_desk.vault.location import config_dir
from ecfmg_desk.vault.store import Vault
from tests.conftest import MemoryKeyring

PASSPHRASE = "recovery passphrase for tests"
NOT_HERE = ("keyring.backends.macOS.Keyring" if sys.platform != "darwin"
            else "keyring.backends.Windows.WinVaultKeyring")
"""An OS backend keyring ships that cannot work on this machine."""


@pytest.fixture(autouse=True)
def _no_backend_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)


def _remembered_file() -> Path:
    return config_dir() / keys.BACKEND_FILE


def _new_vault(folder: Path) -> str:
    with Vault.open(folder, create=True, passphrase=PASSPHRASE) as vault:
        return vault.id


def test_a_backend_keyring_does_not_ship_is_never_remembered(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    vault_id = _new_vault(tmp_path / "vault")
    assert memory_keyring.entries[(keys.SERVICE, vault_id)], "the key went to keyring's choice"
    with Vault.open(tmp_path / "vault"):
        pass
    assert not _remembered_file().exists(), "only keyring's own OS backends are remembered"


def test_a_remembered_backend_that_cannot_work_here_leaves_the_choice_to_keyring(
        tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    vault_id = _new_vault(tmp_path / "vault")
    _remembered_file().parent.mkdir(parents=True, exist_ok=True)
    _remembered_file().write_text(NOT_HERE + "\n")
    with Vault.open(tmp_path / "vault") as vault:  # no passphrase: the key came from keyring's choice
        assert vault.id == vault_id
    keys.keyring_delete(vault_id)
    assert (keys.SERVICE, vault_id) not in memory_keyring.entries


@pytest.mark.parametrize("content", [b"this.Keyring\n", b"keyring.backends.SecretService.Keyring; import os",
                                     b"\xff\xfe garbage", b"keyring.backends." + b"x" * 5_000_000])
def test_a_tampered_remembered_name_is_ignored_and_nothing_is_imported(
        tmp_path: Path, memory_keyring: MemoryKeyring, content: bytes) -> None:
    vault_id = _new_vault(tmp_path / "vault")
    _remembered_file().parent.mkdir(parents=True, exist_ok=True)
    _remembered_file().write_bytes(content)
    with Vault.open(tmp_path / "vault") as vault:
        assert vault.id == vault_id
    assert "this" not in sys.modules, "a name outside keyring's own backends is never imported"


def test_a_backend_the_user_named_wins_over_the_remembered_one(
        tmp_path: Path, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.conftest.MemoryKeyring")
    _remembered_file().parent.mkdir(parents=True, exist_ok=True)
    _remembered_file().write_text("keyring.backends.SecretService.Keyring\n")
    vault_id = _new_vault(tmp_path / "vault")
    assert memory_keyring.entries[(keys.SERVICE, vault_id)], "keyring's (the user's) choice, not ours"


@pytest.mark.secret_service
def test_a_working_remembered_keyring_without_the_entry_is_an_answer_not_a_failure(
        tmp_path: Path, no_keyring: None) -> None:
    """The remembered keyring works but has no key for this vault, and keyring's own choice fails: the vault
    asks for its passphrase (no key), it does not say the keyring is broken."""
    import os

    if os.environ.get("ECFMG_DESK_SECRET_SERVICE") != "1":
        pytest.skip("needs a Secret Service session (run through `make test` with gnome-keyring installed)")
    _remembered_file().parent.mkdir(parents=True, exist_ok=True)
    _remembered_file().write_text("keyring.backends.SecretService.Keyring\n")
    assert keys.keyring_get("no-such-vault") is None
