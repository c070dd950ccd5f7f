"""Authenticated rows: edits made to vault.db with sqlite3 (an attacker with the folder but not the key) are caught
by ``check`` (exit 3, naming the document), refused on load, and block export."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from ecfmg_desk.errors import UntrustedDataError
from ecfmg_desk.vault import db, integrity
from ecfmg_desk.vault.inspect import InspectedFile
from ecfmg_desk.vault.store import Vault
from tests.cli.conftest import Cli
from tests.samples import make_jpeg, make_scan_pdf

AS_OF = "2026-11-25"


@contextmanager
def raw(vault_dir: Path) -> Iterator[sqlite3.Connection]:
    """The attacker's tool: a plain sqlite3 connection to the vault file, no key."""
    conn = sqlite3.connect(vault_dir / db.DB_NAME)
    try:
        yield conn
        conn.commit()
    finally:
        conn.close()


@pytest.fixture
def cli(vault_dir: Path) -> Cli:
    return Cli(vault_dir)


@pytest.fixture
def two_documents(cli: Cli, tmp_path: Path) -> dict[str, str]:
    """A passport (dated) and a photograph, plus a removed diploma; returns requirement -> id."""
    ids = {
        "passport": cli("add", "passport", make_scan_pdf(tmp_path / "pp.pdf", dpi=200), "--issued", "2021-01-05",
                        "--expires", "2031-01-04").last_line,
        "photo": cli("add", "photo", make_jpeg(tmp_path / "me.jpg", size_px=(600, 800))).last_line,
        "medical-diploma": cli("add", "medical-diploma", make_scan_pdf(tmp_path / "dip.pdf", dpi=200)).last_line,
    }
    assert cli("remove", ids["medical-diploma"]).code == 0
    assert cli("check").code == 0
    return ids


def assert_caught(cli: Cli, *doc_ids: str) -> None:
    checked = cli("check")
    assert checked.code == 3, checked.err
    assert checked.err.strip().splitlines()[-1].startswith("error: ") and "Traceback" not in checked.err
    for doc_id in doc_ids:
        assert doc_id in checked.err
    listed = cli("list", "--json")
    assert listed.code == 3 and listed.out == "" and doc_ids[0] in listed.err


def test_swapped_file_rows_of_two_documents(cli: Cli, two_documents: dict[str, str]) -> None:
    passport, photo = two_documents["passport"], two_documents["photo"]
    with raw(cli.vault) as conn:
        conn.execute("UPDATE files SET document_id = 'swap' WHERE document_id = ?", (passport,))
        conn.execute("UPDATE files SET document_id = ? WHERE document_id = ?", (passport, photo))
        conn.execute("UPDATE files SET document_id = ? WHERE document_id = 'swap'", (photo,))
    assert_caught(cli, passport, photo)


def test_edited_expiry_date(cli: Cli, two_documents: dict[str, str]) -> None:
    with raw(cli.vault) as conn:
        conn.execute("UPDATE documents SET expires = '2040-01-04' WHERE id = ?", (two_documents["passport"],))
    assert_caught(cli, two_documents["passport"])


def test_edited_requirement(cli: Cli, two_documents: dict[str, str]) -> None:
    with raw(cli.vault) as conn:
        conn.execute("UPDATE documents SET requirement = 'medical-diploma' WHERE id = ?", (two_documents["photo"],))
    assert_caught(cli, two_documents["photo"])


def test_inserted_approval_row(cli: Cli, two_documents: dict[str, str]) -> None:
    photo = two_documents["photo"]
    digest = cli("list", "--json").json()["documents"][1]["sha256"]
    with raw(cli.vault) as conn:
        conn.execute("INSERT INTO reviews(document_id, bundle_id, decision, reviewed_on, reviewed_sha256)"
                     " VALUES (?, 'b', 'approved', '2026-11-20', ?)", (photo, digest))
    assert_caught(cli, photo)


def test_inserted_approval_with_an_authenticator_copied_from_a_real_review(
    cli: Cli, tmp_path: Path, two_documents: dict[str, str]
) -> None:
    """A genuine review row of one document, re-pointed at another with its authenticator, is still refused."""
    passport, photo = two_documents["passport"], two_documents["photo"]
    with Vault.open(cli.vault) as vault:
        digest = vault.document(passport).sha256
        vault.store_review("b1", {passport: ("approved", "Dr Advisor", date(2026, 11, 20), digest, ())})
    assert cli("check").code == 0
    with raw(cli.vault) as conn:
        conn.execute("INSERT INTO reviews SELECT ?, bundle_id, decision, reviewer, reviewed_on, reviewed_sha256, auth"
                     " FROM reviews WHERE document_id = ?", (photo, passport))
    assert_caught(cli, photo)


def test_flipped_trash_flag(cli: Cli, two_documents: dict[str, str]) -> None:
    diploma = two_documents["medical-diploma"]
    with raw(cli.vault) as conn:
        conn.execute("UPDATE documents SET removed_at = NULL WHERE id = ?", (diploma,))
    assert_caught(cli, diploma)


def test_export_is_refused_from_a_tampered_vault(cli: Cli, tmp_path: Path) -> None:
    assert cli("demo").code == 0
    docs = cli("list", "--json").json()["documents"]
    passport = next(d["id"] for d in docs if d["requirement"] == "passport")
    with raw(cli.vault) as conn:
        conn.execute("UPDATE documents SET expires = '2039-12-31' WHERE id = ?", (passport,))
    out, bundle = tmp_path / "packet.pdf", tmp_path / "packet.ecfmgpkt"
    result = cli("export", "--out", out, "--bundle", bundle, "--as-of", AS_OF)
    assert result.code == 3 and passport in result.err
    assert not out.exists() and not bundle.exists()


def test_loading_names_the_untrusted_document(vault_dir: Path, tmp_path: Path) -> None:
    with Vault.open(vault_dir, create=True) as vault:
        doc = vault.add_document("photo", [make_jpeg(tmp_path / "me.jpg", size_px=(600, 800))]).document
    with raw(vault_dir) as conn:
        conn.execute("UPDATE pages SET dpi = 600")
    with Vault.open(vault_dir) as vault, pytest.raises(UntrustedDataError) as caught:
        vault.documents()
    assert caught.value.documents == (doc.id,)
    assert caught.value.exit_code == 3
    assert "photo" in caught.value.message


def test_edited_profile_is_not_trusted(vault_dir: Path) -> None:
    with Vault.open(vault_dir, create=True) as vault:
        vault.update_profile({"given_names": "Maria", "family_name": "Garcia"})
    with raw(vault_dir) as conn:  # the encrypted value of one field pasted over another's (aad aside)
        conn.execute("UPDATE profile SET value = (SELECT value FROM profile WHERE field = 'family_name')"
                     " WHERE field = 'given_names'")
    with Vault.open(vault_dir) as vault:
        with pytest.raises(UntrustedDataError) as caught:
            vault.profile()
        assert caught.value.subjects == ("profile",)
        assert not vault.check().ok


def test_the_app_never_launders_a_tampered_row_by_writing_to_it(cli: Cli, two_documents: dict[str, str]) -> None:
    """Restoring a removed document whose requirement was edited is refused, and the edit stays detectable."""
    diploma = two_documents["medical-diploma"]
    with raw(cli.vault) as conn:
        conn.execute("UPDATE documents SET requirement = 'passport' WHERE id = ?", (diploma,))
    with Vault.open(cli.vault) as vault, pytest.raises(UntrustedDataError):
        vault.restore_document(diploma)
    with raw(cli.vault) as conn:
        assert conn.execute("SELECT removed_at IS NOT NULL FROM documents WHERE id = ?", (diploma,)).fetchone()[0]
    assert cli("check").code == 3


def test_a_trigger_planted_in_the_file_is_refused(cli: Cli, two_documents: dict[str, str]) -> None:
    with raw(cli.vault) as conn:
        conn.execute("CREATE TRIGGER evil AFTER UPDATE ON documents BEGIN"
                     " UPDATE documents SET requirement = 'photo' WHERE id = NEW.id; END")
    result = cli("list")
    assert result.code == 3 and "trigger evil" in result.err


def test_rows_the_app_writes_stay_trusted(vault_dir: Path, tmp_path: Path) -> None:
    """Every kind of write the app makes seals its rows (an edit, a removal and undo, a review, new scans)."""
    with Vault.open(vault_dir, create=True) as vault:
        vault.update_profile({"given_names": "Maria", "date_of_birth": date(1995, 3, 14)})
        vault.update_profile({"given_names": "María"})
        doc = vault.add_document("passport", [make_scan_pdf(tmp_path / "a.pdf", pages=2, dpi=150)],
                                 issued=date(2021, 1, 5)).document
        vault.edit_document(doc.id, {"expires": date(2031, 1, 4), "notes": "renewed"})
        vault.remove_document(doc.id)
        vault.restore_document(doc.id)
        vault.store_review("b", {doc.id: ("changes", "Dr A", date(2026, 1, 2), doc.sha256, ())})
        vault.replace_files(doc.id, [_inspect(make_jpeg(tmp_path / "b.jpg", size_px=(500, 700)))])
        assert vault.check().ok
    with Vault.open(vault_dir) as vault:
        assert vault.document(doc.id).expires == date(2031, 1, 4)
        assert vault.check().ok


def _inspect(path: Path) -> InspectedFile:
    from ecfmg_desk.vault.inspect import inspect_file

    return inspect_file(path)


def test_every_table_is_authenticated_or_exempt_for_a_reason(vault_dir: Path) -> None:
    """A table added by a later migration must be registered in integrity.TABLES (or EXEMPT, with its reason)."""
    with Vault.open(vault_dir, create=True):
        pass
    with raw(vault_dir) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for table in integrity.TABLES:
            assert table in tables
            assert integrity.AUTH_COLUMN in (integrity.table_columns(conn, table) or [])
    assert tables - {"sqlite_sequence"} == set(integrity.TABLES) | set(integrity.EXEMPT)
    assert not set(integrity.TABLES) & set(integrity.EXEMPT)


_AUTH_ADDED_BY_MIGRATION = ("profile", "documents", "files", "pages", "reviews", "review_comments", "plan_dates")


def downgrade_to_before_auth(vault_dir: Path, scan_sha256: str, digest: str) -> None:
    """Turn a one-file vault into exactly what the last schema before authenticators stored: no
    authenticators, the scan's SHA-256 and the reviewed document's fingerprint in clear."""
    with raw(vault_dir) as conn:
        conn.execute("UPDATE files SET sha256 = ?", (scan_sha256,))
        conn.execute("UPDATE reviews SET reviewed_sha256 = ?", (digest,))
        conn.execute("ALTER TABLE files DROP COLUMN sha256_enc")
        conn.execute("ALTER TABLE files DROP COLUMN signed")  # added after the authenticators (migration 7)
        conn.execute("DROP TABLE confirmations")  # migration 8
        conn.execute("ALTER TABLE files DROP COLUMN pages_blob")  # migration 9 (an image's pages as PDF)
        for table in _AUTH_ADDED_BY_MIGRATION:
            conn.execute(f"ALTER TABLE {table} DROP COLUMN auth")
        for table in set(integrity.TABLES) - set(_AUTH_ADDED_BY_MIGRATION) - {"confirmations"}:
            conn.execute(f"UPDATE {table} SET auth = NULL")  # created with the column, never filled before
        conn.execute(f"PRAGMA user_version = {integrity.AUTH_VERSION - 1}")


def test_migration_authenticates_an_existing_vault(vault_dir: Path, tmp_path: Path) -> None:
    scan = make_jpeg(tmp_path / "me.jpg", size_px=(600, 800))
    with Vault.open(vault_dir, create=True) as vault:
        vault.update_profile({"given_names": "Maria"})
        doc = vault.add_document("photo", [scan]).document
        vault.store_review("b", {doc.id: ("approved", "Dr A", date(2026, 1, 2), doc.sha256, ())})
        vault.set_plan_dates({"match_day": date(2027, 3, 19)})
        rotation = vault.clinical.add_rotation(kind="clerkship", institution="St Mary", specialty="Surgery",
                                               supervisor=None, start=date(2026, 1, 5), end=date(2026, 2, 1),
                                               status="planned", notes=None)
    downgrade_to_before_auth(vault_dir, hashlib.sha256(scan.read_bytes()).hexdigest(), doc.sha256)
    with Vault.open(vault_dir) as vault:
        migrated = vault.document(doc.id)
        assert migrated.sha256 == doc.sha256 and migrated.files[0].sha256 == doc.files[0].sha256
        assert migrated.review is not None and not migrated.review.stale
        assert vault.read_file(migrated.files[0]) == scan.read_bytes()
        assert vault.plan_dates() == {"match_day": date(2027, 3, 19)}
        assert [r.id for r in vault.clinical.rotations()] == [rotation.id]
        assert vault.check().ok
    assert sorted(p.name for p in vault_dir.iterdir()) == ["blobs", "vault.db"]  # the pre-migration copy is gone
    with raw(vault_dir) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION
        assert conn.execute("SELECT COUNT(*) FROM documents WHERE auth IS NULL").fetchone()[0] == 0
        conn.execute("UPDATE documents SET requirement = 'passport'")
    with Vault.open(vault_dir) as vault:
        assert not vault.check().ok


def test_no_clear_sha256_of_a_scan_is_stored(vault_dir: Path, tmp_path: Path) -> None:
    """Anyone holding a copy of a known scan must not be able to confirm it is in the vault from its hash."""
    scan = make_scan_pdf(tmp_path / "diploma.pdf", pages=2, dpi=100)
    with Vault.open(vault_dir, create=True) as vault:
        doc = vault.add_document("medical-diploma", [scan]).document
        vault.store_review("b", {doc.id: ("approved", "Dr A", date(2026, 1, 2), doc.sha256, ())})
        assert vault.documents()[0].files[0].sha256 == hashlib.sha256(scan.read_bytes()).hexdigest()
    with raw(vault_dir) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    needles = [hashlib.sha256(scan.read_bytes()).hexdigest().encode(), doc.sha256.encode(),
               hashlib.sha256(scan.read_bytes()).digest()]
    for path in (p for p in vault_dir.rglob("*") if p.is_file()):
        data = path.read_bytes()
        for needle in needles:
            assert needle not in data, path.name


def test_a_rotation_brought_back_from_the_trash_without_the_key_is_caught(cli: Cli) -> None:
    """Tables added by others (clinical experience) are covered by the same mechanism."""
    rotation = cli("rotation", "add", "--kind", "clerkship", "--institution", "St Mary", "--specialty", "Surgery",
                   "--start", "2026-01-05", "--end", "2026-02-01").last_line
    assert cli("rotation", "remove", rotation).code == 0
    assert cli("check").code == 0
    with raw(cli.vault) as conn:
        conn.execute("UPDATE rotations SET removed_at = NULL WHERE id = ?", (rotation,))
    checked = cli("check")
    assert checked.code == 3 and f"rotation {rotation}" in checked.err.lower()
    listed = cli("rotation", "list", "--json")
    assert listed.code == 3 and rotation in listed.err


def test_an_untrusted_document_can_be_removed_and_the_rest_is_trusted_again(cli: Cli,
                                                                            two_documents: dict[str, str]) -> None:
    with raw(cli.vault) as conn:
        conn.execute("UPDATE documents SET expires = '2040-01-04' WHERE id = ?", (two_documents["passport"],))
    assert cli("list").code == 3
    assert cli("remove", two_documents["passport"]).code == 0
    assert cli("check").code == 0
    assert [d["id"] for d in cli("list", "--json").json()["documents"]] == [two_documents["photo"]]
