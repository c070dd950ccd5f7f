"""Key hygiene (issue 11.4): private permissions, scrypt cost and re-wrapping, overwritten old wraps, strength."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from datetime import date
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from ecfmg_desk.errors import UsageError, WrongPassphraseError
from ecfmg_desk.vault import crypto, db
from ecfmg_desk.vault.crypto import Cipher, b64
from ecfmg_desk.vault.passphrase import WeakPassphraseError
from ecfmg_desk.vault.store import Vault, is_vault
from tests.samples import make_jpeg

PASS = "correct horse battery"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_vault_folder_and_files_are_private_whatever_the_umask(vault_dir: Path, tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        with Vault.open(vault_dir, create=True) as vault:
            vault.add_document("photo", [make_jpeg(tmp_path / "me.jpg", size_px=(300, 400))])
    finally:
        os.umask(previous)
    items = [vault_dir, *vault_dir.rglob("*")]
    assert len(items) >= 5
    for item in items:
        mode = stat.S_IMODE(item.stat().st_mode)
        assert mode == (0o700 if item.is_dir() else 0o600), f"{item.relative_to(tmp_path)}: {oct(mode)}"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_an_existing_vault_with_loose_permissions_is_tightened_on_open(vault_dir: Path) -> None:
    Vault.open(vault_dir, create=True).close()
    vault_dir.chmod(0o755)
    (vault_dir / db.DB_NAME).chmod(0o644)
    Vault.open(vault_dir).close()
    assert stat.S_IMODE(vault_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((vault_dir / db.DB_NAME).stat().st_mode) == 0o600


def _meta(vault_dir: Path, key: str) -> str:
    conn = sqlite3.connect(vault_dir / db.DB_NAME)
    try:
        return str(conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0])
    finally:
        conn.close()


def test_new_wraps_use_scrypt_n_2_17(vault_dir: Path) -> None:
    Vault.open(vault_dir, create=True, passphrase=PASS).close()
    wrapped = json.loads(_meta(vault_dir, "wrapped_key"))
    assert (wrapped["n"], wrapped["r"], wrapped["p"]) == (2**17, 8, 1)


def test_an_old_cheap_wrap_is_rewrapped_on_the_next_passphrase_unlock(vault_dir: Path, memory_keyring: object
                                                                       ) -> None:
    """A vault from the first release: its key wrapped with N=2^15 (written here as that release did)."""
    with Vault.open(vault_dir, create=True) as vault:
        master = vault._keys.master
    salt = os.urandom(16)
    kek = Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(PASS.encode())
    old = {"kdf": "scrypt", "n": 2**15, "r": 8, "p": 1, "salt": b64(salt),
           "wrapped": b64(Cipher(kek).encrypt(master, b"ecfmg-desk/vault-key/v1"))}
    conn = sqlite3.connect(vault_dir / db.DB_NAME)
    conn.execute("INSERT INTO meta(key, value) VALUES ('wrapped_key', ?)", (json.dumps(old),))
    conn.commit()
    conn.close()
    Vault.open(vault_dir).close()  # the keyring opens it: no passphrase to re-wrap with, so it stays
    assert json.loads(_meta(vault_dir, "wrapped_key"))["n"] == 2**15
    Vault.open(vault_dir, passphrase=PASS).close()
    rewrapped = json.loads(_meta(vault_dir, "wrapped_key"))
    assert rewrapped["n"] == crypto.SCRYPT_N and rewrapped["salt"] != old["salt"]
    with Vault.open(vault_dir, passphrase=PASS) as vault:
        assert vault._keys.master == master


def test_a_changed_passphrase_leaves_no_copy_of_the_old_wrapped_key(vault_dir: Path) -> None:
    with Vault.open(vault_dir, create=True, passphrase=PASS) as vault:
        vault.update_profile({"given_names": "Maria"})
        old = json.loads(_meta(vault_dir, "wrapped_key"))
        vault.set_passphrase("violet harbour lantern 93")
    needles = [old["wrapped"].encode(), old["salt"].encode()]
    for path in (p for p in vault_dir.rglob("*") if p.is_file()):
        data = path.read_bytes()
        for needle in needles:
            assert needle not in data, f"the old wrapped key survives in {path.name}"
    with pytest.raises(WrongPassphraseError):
        Vault.open(vault_dir, passphrase=PASS)
    Vault.open(vault_dir, passphrase="violet harbour lantern 93").close()


@pytest.mark.parametrize("weak", ["password1", "Password123!", "qwertyuiop", "aaaaaaaaaaaa", "maria1995garcia"])
def test_guessable_passphrases_are_refused_whatever_their_length(vault_dir: Path, weak: str) -> None:
    with Vault.open(vault_dir, create=True) as vault:
        vault.update_profile({"given_names": "Maria", "family_name": "Garcia", "date_of_birth": date(1995, 3, 14)})
        with pytest.raises(WeakPassphraseError) as caught:
            vault.set_passphrase(weak)
        assert isinstance(caught.value, UsageError) and caught.value.exit_code == 2
        assert "too easy to guess" in caught.value.message
        assert not vault.has_passphrase


def test_a_weak_passphrase_creates_no_vault(vault_dir: Path) -> None:
    with pytest.raises(WeakPassphraseError):
        Vault.open(vault_dir, create=True, passphrase="letmein123")
    assert not is_vault(vault_dir)
