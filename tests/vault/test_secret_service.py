"""The vault key through a real Secret Service (gnome-keyring), the path desktop Linux users take.

``make test`` runs the suite inside ``dbus-run-session`` with an unlocked gnome-keyring when both are
installed (``.ci/run`` installs them) and sets ECFMG_DESK_SECRET_SERVICE=1. In CI a missing Secret Service
fails this test instead of skipping it, so the integration is proven, not assumed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.errors import KeyringError

from ecfmg_desk.errors import KeyUnavailableError
from ecfmg_desk.vault import keys
from ecfmg_desk.vault.keys import SERVICE
from ecfmg_desk.vault.store import Vault
from tests.samples import make_jpeg


@pytest.fixture
def secret_service() -> Iterator[keyring.backend.KeyringBackend]:
    if os.environ.get("ECFMG_DESK_SECRET_SERVICE") != "1":
        if os.environ.get("CI"):
            pytest.fail("CI must run the suite under dbus-run-session with gnome-keyring (see tests/run-pytest.sh)")
        pytest.skip("no Secret Service session (run through `make test` with gnome-keyring installed)")
    from keyring.backends import SecretService

    backend = SecretService.Keyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        backend.set_password("ecfmg-desk-probe", "probe", "ok")
        backend.delete_password("ecfmg-desk-probe", "probe")
    except KeyringError as exc:
        keyring.set_keyring(previous)
        pytest.fail(f"the Secret Service does not work: {exc}")
    yield backend
    keyring.set_keyring(previous)


@pytest.mark.secret_service
def test_vault_key_round_trips_through_gnome_keyring(
    secret_service: keyring.backend.KeyringBackend, tmp_path: Path
) -> None:
    vault_dir = tmp_path / "vault"
    with Vault.open(vault_dir, create=True, passphrase="recovery passphrase") as vault:
        doc = vault.add_document("photo", [make_jpeg(tmp_path / "p.jpg", size_px=(300, 400))]).document
        vault_id = vault.id
    assert secret_service.get_password(SERVICE, vault_id)
    with Vault.open(vault_dir) as vault:  # no passphrase: the key came from gnome-keyring
        assert vault.document(doc.id).sha256 == doc.sha256
    secret_service.delete_password(SERVICE, vault_id)
    with pytest.raises(KeyUnavailableError):
        Vault.open(vault_dir)
    with Vault.open(vault_dir, passphrase="recovery passphrase") as vault:
        assert [d.id for d in vault.documents()] == [doc.id]
    assert secret_service.get_password(SERVICE, vault_id)  # put back for daily use
    secret_service.delete_password(SERVICE, vault_id)


@pytest.mark.secret_service
def test_the_secret_service_that_held_the_key_is_asked_first_at_the_next_start(
    secret_service: keyring.backend.KeyringBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ecfmg_desk.vault.location import config_dir
    from tests.conftest import MemoryKeyring

    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    remembered = config_dir() / keys.BACKEND_FILE
    with Vault.open(tmp_path / "vault", create=True, passphrase="recovery passphrase") as vault:
        vault_id = vault.id
    assert remembered.read_text() == "keyring.backends.SecretService.Keyring\n"
    # next start: keyring would now choose another backend (here: an empty one); the key is still found
    elsewhere = MemoryKeyring()
    keyring.set_keyring(elsewhere)
    with Vault.open(tmp_path / "vault") as vault:  # no passphrase: asked of the remembered Secret Service
        assert vault.id == vault_id
    with Vault.open(tmp_path / "other", create=True, passphrase="recovery passphrase") as vault:
        other_id = vault.id
    assert secret_service.get_password(SERVICE, other_id), "a new key goes where the next start looks first"
    assert elsewhere.entries == {}
    for gone in (vault_id, other_id):
        elsewhere.set_password(SERVICE, gone, "a stale copy")
        keys.keyring_delete(gone)
        assert secret_service.get_password(SERVICE, gone) is None
        assert elsewhere.entries.get((SERVICE, gone)) is None, "a deleted key is gone from every backend"
