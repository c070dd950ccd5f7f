"""Key rotation (issue 11.4): everything re-encrypted under a new vault key, resumable after a kill."""

from __future__ import annotations

import json
import signal
from datetime import date
from pathlib import Path

import pytest

from ecfmg_desk.core.model import Comment
from ecfmg_desk.errors import WrongPassphraseError
from ecfmg_desk.vault.faults import CRASHPOINT_ENV
from ecfmg_desk.vault.rekey import rekey
from ecfmg_desk.vault.store import Vault
from tests.cli.conftest import Cli, run_process
from tests.conftest import MemoryKeyring
from tests.samples import make_jpeg, make_scan_pdf

PASS = "correct horse battery"


def blob_names(vault_dir: Path) -> set[str]:
    return {p.name for p in (vault_dir / "blobs").rglob("*") if p.is_file()}


def snapshot(vault: Vault) -> tuple[object, ...]:
    return (vault.documents(), vault.profile(), vault.plan_dates(), vault.clinical.rotations(),
            vault.clinical.letters())


def test_rotation_re_encrypts_everything_and_the_old_key_opens_nothing(
    vault_dir: Path, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    with Vault.open(vault_dir, create=True) as vault:
        vault.update_profile({"given_names": "Maria", "date_of_birth": date(1995, 3, 14)})
        passport = vault.add_document("passport", [make_scan_pdf(tmp_path / "p.pdf", pages=2, dpi=150)],
                                      expires=date(2031, 1, 4), name_on_document="Maria Garcia").document
        photo = vault.add_document("photo", [make_jpeg(tmp_path / "me.jpg", size_px=(600, 800))]).document
        vault.store_review("b", {
            passport.id: ("approved", "Dr A", date(2026, 1, 2), passport.sha256, (Comment("Dr A", date(2026, 1, 2),
                                                                                       "Fine"),)),
            photo.id: ("changes", "Dr A", date(2026, 1, 2), "0" * 64, ()),  # a stale review stays stale
        })
        vault.set_plan_dates({"match_day": date(2027, 3, 19)})
        rotation = vault.clinical.add_rotation(kind="clerkship", institution="St Mary", specialty="Surgery",
                                               start=date(2026, 1, 5), end=date(2026, 2, 1))
        vault.clinical.add_letter(writer="Dr House", rotation=rotation.id)
        from ecfmg_desk.vault.signing import vault_signing_key

        signing = vault_signing_key(vault)
        before = snapshot(vault)
        old_master = vault._keys.master
        old_blobs = blob_names(vault_dir)
        result = rekey(vault, None)
        assert result.blobs == len(old_blobs) and result.values >= 10 and not result.resumed
        assert snapshot(vault) == before
    with Vault.open(vault_dir) as vault:
        assert snapshot(vault) == before
        assert vault_signing_key(vault).public_key().public_bytes_raw() == signing.public_key().public_bytes_raw()
        photo_review, passport_review = vault.document(photo.id).review, vault.document(passport.id).review
        assert photo_review is not None and photo_review.stale
        assert passport_review is not None and not passport_review.stale
        assert vault.read_file(vault.document(photo.id).files[0]) == (tmp_path / "me.jpg").read_bytes()
        assert vault.check().ok
        assert vault._keys.master != old_master
    assert not blob_names(vault_dir) & old_blobs, "every blob re-encrypted under a new name, the old ones gone"
    vault_id = next(iter(memory_keyring.entries))[1]
    import base64

    memory_keyring.entries[("ecfmg-desk", vault_id)] = base64.b64encode(old_master).decode()
    with pytest.raises(WrongPassphraseError):
        Vault.open(vault_dir)


@pytest.mark.parametrize("point", ["rekey-blob", "rekey-after-commit"])
def test_a_killed_rotation_loses_nothing_and_finishes_when_run_again(tmp_path: Path, point: str) -> None:
    vault = tmp_path / "vault"
    env = {"ECFMG_DESK_PASSPHRASE": PASS}
    assert run_process("--vault", vault, "add", "photo", make_jpeg(tmp_path / "p.jpg", size_px=(300, 400)),
                       env=env).returncode == 0
    assert run_process("--vault", vault, "add", "medical-diploma", make_scan_pdf(tmp_path / "d.pdf", dpi=100),
                       env=env).returncode == 0
    listing = run_process("--vault", vault, "list", "--json", env=env).stdout
    killed = run_process("--vault", vault, "rekey", env={**env, CRASHPOINT_ENV: point})
    assert killed.returncode == -signal.SIGKILL
    after_kill = run_process("--vault", vault, "list", "--json", env=env)
    assert after_kill.returncode == 0, after_kill.stderr
    assert json.loads(after_kill.stdout) == json.loads(listing)
    again = run_process("--vault", vault, "rekey", env=env)
    assert again.returncode == 0, again.stderr
    assert run_process("--vault", vault, "check", env=env).returncode == 0
    assert json.loads(run_process("--vault", vault, "list", "--json", env=env).stdout) == json.loads(listing)


def test_passphrase_command_changes_it_and_can_rotate_the_key(cli: Cli, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli("add", "photo", make_jpeg(tmp_path / "p.jpg", size_px=(300, 400))).code == 0
    monkeypatch.setenv("ECFMG_DESK_NEW_PASSPHRASE", "password123")
    weak = cli("passphrase")
    assert weak.code == 2 and "too easy to guess" in weak.err
    monkeypatch.setenv("ECFMG_DESK_NEW_PASSPHRASE", PASS)
    done = cli("passphrase", "--rekey")
    assert done.code == 0, done.err
    assert "rotated the vault key" in done.err
    monkeypatch.setenv("ECFMG_DESK_PASSPHRASE", PASS)
    assert cli("check").code == 0


@pytest.fixture
def cli(vault_dir: Path) -> Cli:
    return Cli(vault_dir)
