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


def _every_kind_of_row(vault_dir: Path, tmp_path: Path) -> None:
    """A vault with a row in every table and a value in every optional column (what rotation must re-encrypt)."""
    from ecfmg_desk.vault.demo import create_demo
    from ecfmg_desk.vault.signing import KNOWN_ADVISORS

    with Vault.open(vault_dir, create=True) as vault:
        create_demo(vault)
        step1 = vault.add_document("usmle-step1", [make_scan_pdf(tmp_path / "s1.pdf", dpi=200)]).document
        vault.edit_document(step1.id, {"fields": {"result": "pass"}, "notes": "mine", "name_on_document": "M. G."})
        docs = vault.documents()
        translation = next(d for d in docs if d.is_translation)
        vault.edit_document(translation.id, {"translator": "Lingua"})
        vault.store_review("b", {docs[0].id: ("changes", "Dr A", date(2026, 1, 2), docs[0].sha256,
                                              (Comment("Dr A", date(2026, 1, 2), "Sharper, please"),))},
                           sealed={KNOWN_ADVISORS: b"{}"})
        vault.set_plan_dates({"match_day": date(2027, 3, 19)})
        vault.set_confirmation("school-listed", None, True)
        assert vault.thumbnail(step1.files[0])  # (a blob of its own, named by files.thumb_blob)


def test_every_encrypted_column_is_in_the_registry_key_rotation_follows(vault_dir: Path, tmp_path: Path) -> None:
    """``integrity.ENCRYPTED`` is what :func:`rekey` re-encrypts: a BLOB column (or any value stored as bytes) in
    no entry would be left under the old key and never open again; a blob file no ``BLOB_NAME_COLUMNS`` column
    names would not be renamed. Each entry's associated data must also open every value it lists."""
    import sqlite3

    from ecfmg_desk.vault import db, integrity

    _every_kind_of_row(vault_dir, tmp_path)
    listed = {(spec.table, spec.column) for spec in integrity.ENCRYPTED}
    with Vault.open(vault_dir) as vault:
        fields = vault._keys.fields
    conn = sqlite3.connect(vault_dir / db.DB_NAME)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                  if r[0] != "sqlite_sequence"]
        unlisted: set[tuple[str, str]] = set()
        for table in tables:
            for _cid, column, declared, *_rest in conn.execute(f"PRAGMA table_info({table})"):
                if column == integrity.AUTH_COLUMN or (table, column) in listed:
                    continue
                if declared.upper() == "BLOB" or conn.execute(
                        f"SELECT 1 FROM {table} WHERE typeof({column}) = 'blob' LIMIT 1").fetchone():
                    unlisted.add((table, column))
        assert unlisted == set(), f"encrypted columns key rotation would not re-encrypt: {sorted(unlisted)}"
        for spec in integrity.ENCRYPTED:
            assert spec.table in tables and spec.column in (integrity.table_columns(conn, spec.table) or []), spec
            rows = conn.execute(f"SELECT {spec.column}, {spec.aad_sql} FROM {spec.table}"
                                f" WHERE {spec.column} IS NOT NULL AND ({spec.where})").fetchall()
            assert rows, f"the vault made for this test holds no {spec.table}.{spec.column}"
            for value, aad in rows:
                from ecfmg_desk.vault.crypto import unb64

                fields.decrypt(unb64(value) if spec.text else bytes(value), str(aad).encode("utf-8"))
        named: set[str] = set()
        for table, column in integrity.BLOB_NAME_COLUMNS:
            named |= {str(n) for (n,) in conn.execute(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL")}
    finally:
        conn.close()
    assert blob_names(vault_dir) <= named, "every blob file is named by a column key rotation renames"
