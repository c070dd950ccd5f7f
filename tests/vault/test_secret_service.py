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
