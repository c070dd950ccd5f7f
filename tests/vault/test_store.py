"""The vault: keys, encryption at rest, documents, deduplication, integrity check."""

from __future__ import annotations

import base64
import hashlib
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from ecfmg_desk.errors import (
    BadInputError,
    IntegrityError,
    KeyUnavailableError,
    UnknownDocumentError,
    UsageError,
    VaultNotFoundError,
    WrongPassphraseError,
)
from ecfmg_desk.vault import db
from ecfmg_desk.vault.keys import SERVICE
from ecfmg_desk.vault.store import Vault
from tests.conftest import MemoryKeyring
from tests.samples import make_jpeg, make_png, make_scan_pdf, make_tiff

PASS = "correct horse battery"


def vault_state(path: Path) -> tuple[object, ...]:
    """What a user could lose: every row of every table and the set of stored blobs."""
    conn = sqlite3.connect(path / db.DB_NAME)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        rows = tuple(tuple(conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()) for t in tables)
    finally:
        conn.close()
    blobs = tuple(sorted(p.name for p in (path / "blobs").rglob("*") if p.is_file()))
    return rows, blobs


def test_create_add_and_reopen_with_keyring(vault_dir: Path, tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    scan = make_scan_pdf(tmp_path / "passport.pdf", pages=1, dpi=150)
    with Vault.open(vault_dir, create=True) as vault:
        vault.update_profile({"given_names": "Maria Jose", "family_name": "Garcia Lopez",
                              "date_of_birth": date(1995, 3, 14)})
        added = vault.add_document("passport", [scan], issued=date(2021, 1, 5), expires=date(2031, 1, 4),
                                   name_on_document="Maria Jose Garcia Lopez").document
        vault_id = vault.id
    assert (SERVICE, vault_id) in memory_keyring.entries
    with Vault.open(vault_dir) as vault:
        docs = vault.documents()
        assert [d.id for d in docs] == [added.id]
        assert docs[0].expires == date(2031, 1, 4)
        assert docs[0].name_on_document == "Maria Jose Garcia Lopez"
        assert docs[0].page_count == 1
        assert vault.profile().name_of_record == "Maria Jose Garcia Lopez"
        assert vault.profile().date_of_birth == date(1995, 3, 14)
        assert vault.read_file(docs[0].files[0]) == scan.read_bytes()
        thumb = vault.thumbnail(docs[0].files[0])
        assert thumb is not None and thumb.startswith(b"\x89PNG")


def test_lost_keyring_entry_is_recovered_with_the_passphrase(
    vault_dir: Path, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    with Vault.open(vault_dir, create=True, passphrase=PASS) as vault:
        doc = vault.add_document("photo", [make_jpeg(tmp_path / "me.jpg", size_px=(600, 800))]).document
        vault_id = vault.id
    memory_keyring.entries.clear()  # new laptop, reinstalled OS
    with pytest.raises(KeyUnavailableError, match="recovery passphrase opens it") as raised:
        Vault.open(vault_dir)
    assert raised.value.topic == "passphrase", "the command line adds how to give it"
    with Vault.open(vault_dir, passphrase=PASS) as vault:
        assert [d.id for d in vault.documents()] == [doc.id]
    assert (SERVICE, vault_id) in memory_keyring.entries  # back to password-free daily use
    with Vault.open(vault_dir) as vault:
        assert vault.document(doc.id).sha256 == doc.sha256


def test_wrong_passphrase_is_refused_and_changes_nothing(vault_dir: Path, tmp_path: Path) -> None:
    with Vault.open(vault_dir, create=True, passphrase=PASS) as vault:
        vault.add_document("photo", [make_jpeg(tmp_path / "me.jpg", size_px=(600, 800))])
    before = vault_state(vault_dir)
    with pytest.raises(WrongPassphraseError, match="does not open this vault"):
        Vault.open(vault_dir, passphrase="not the passphrase")
    assert vault_state(vault_dir) == before


def test_stale_keyring_entry_is_not_accepted(vault_dir: Path, memory_keyring: MemoryKeyring) -> None:
    with Vault.open(vault_dir, create=True) as vault:
        vault_id = vault.id
    memory_keyring.entries[(SERVICE, vault_id)] = base64.b64encode(bytes(32)).decode()  # a different key
    with pytest.raises(WrongPassphraseError, match="keyring does not open"):
        Vault.open(vault_dir)


@pytest.mark.usefixtures("no_keyring")
def test_no_key_source_at_all_creates_nothing(vault_dir: Path) -> None:
    with pytest.raises(KeyUnavailableError, match="no system keyring"):
        Vault.open(vault_dir, create=True)
    assert not vault_dir.exists()


@pytest.mark.usefixtures("no_keyring")
def test_headless_machine_works_with_the_passphrase_alone(vault_dir: Path, tmp_path: Path) -> None:
    with Vault.open(vault_dir, create=True, passphrase=PASS) as vault:
        vault.add_document("photo", [make_jpeg(tmp_path / "me.jpg", size_px=(600, 800))])
    with pytest.raises(KeyUnavailableError, match="No system keyring"):
        Vault.open(vault_dir)
    with Vault.open(vault_dir, passphrase=PASS) as vault:
        assert len(vault.documents()) == 1


def test_opening_a_missing_vault_does_not_create_one(vault_dir: Path) -> None:
    with pytest.raises(VaultNotFoundError):
        Vault.open(vault_dir)
    assert not vault_dir.exists()


def test_nothing_personal_is_readable_at_rest(vault_dir: Path, tmp_path: Path) -> None:
    """grep the vault folder for the name, the passport number and file signatures: nothing may be found."""
    secret_name = "Maria Jose Garcia Lopez"
    passport_no = "XK4417902"
    jpeg = make_jpeg(tmp_path / f"{passport_no}.jpg", size_px=(900, 1200))
    png = make_png(tmp_path / "maria-photo.png", size_px=(400, 500))
    pdf = make_scan_pdf(tmp_path / "diploma.pdf", pages=2, dpi=100)
    tiff = make_tiff(tmp_path / "transcript.tif", pages=2, size_px=(500, 650))
    with Vault.open(vault_dir, create=True, passphrase=PASS) as vault:
        vault.update_profile({"given_names": "Maria Jose", "family_name": "Garcia Lopez",
                              "usmle_id": "12345678", "myintealth_id": "IN99887766",
                              "date_of_birth": date(1995, 3, 14)})
        vault.add_document("passport", [jpeg], name_on_document=secret_name, notes=f"Passport {passport_no}")
        vault.add_document("photo", [png])
        vault.add_document("medical-diploma", [pdf], name_on_document="María José García López", language="es")
        vault.add_document("final-transcript", [tiff])
    # flush the WAL into the main file too, so grep sees everything SQLite wrote
    conn = sqlite3.connect(vault_dir / db.DB_NAME)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    # Short binary signatures (3-4 bytes) occur by chance in ciphertext (about once per 16 MB for 3 bytes), so
    # the scans are looked for by their first 32 bytes (signature and header: no chance match) and no stored
    # file may *start* with a document signature.
    needles = [secret_name.encode(), b"Garcia", "García".encode(), passport_no.encode(), b"12345678",
               b"IN99887766", b"1995-03-14", b"maria-photo"]
    needles += [scan.read_bytes()[:32] for scan in (jpeg, png, pdf, tiff)]
    signatures = (b"%PDF", b"\xff\xd8\xff", b"\x89PNG", b"II*\x00", b"MM\x00*")
    files = [p for p in vault_dir.rglob("*") if p.is_file()]
    assert len(files) >= 9
    for path in files:
        data = path.read_bytes()
        assert not data.startswith(signatures), path.relative_to(vault_dir)
        for needle in needles:
            assert needle not in data, f"{needle!r} readable in {path.relative_to(vault_dir)}"


def test_same_file_twice_is_reported_and_stored_once(vault_dir: Path, tmp_path: Path) -> None:
    scan = make_jpeg(tmp_path / "diploma.jpg", size_px=(700, 900))
    with Vault.open(vault_dir, create=True) as vault:
        first = vault.add_document("medical-diploma", [scan]).document
        blobs_after_first = sorted(p.name for p in (vault_dir / "blobs").rglob("*") if p.is_file())
        second = vault.add_document("medical-diploma", [scan])
        assert second.duplicates == (first.id,)
        assert second.document.id != first.id
    assert sorted(p.name for p in (vault_dir / "blobs").rglob("*") if p.is_file()) == blobs_after_first


def test_several_files_make_one_document_in_order(vault_dir: Path, tmp_path: Path) -> None:
    front = make_jpeg(tmp_path / "front.jpg", size_px=(700, 900))
    back = make_scan_pdf(tmp_path / "back.pdf", pages=2, dpi=100)
    with Vault.open(vault_dir, create=True) as vault:
        doc = vault.add_document("medical-diploma", [front, back]).document
    assert [f.name for f in doc.files] == ["front.jpg", "back.pdf"]
    assert [f.kind for f in doc.files] == ["jpeg", "pdf"]
    assert doc.page_count == 3
    expected = hashlib.sha256(
        "\n".join(hashlib.sha256(p.read_bytes()).hexdigest() for p in (front, back)).encode()
    ).hexdigest()
    assert doc.sha256 == expected


def test_one_bad_file_refuses_the_whole_document(vault_dir: Path, tmp_path: Path) -> None:
    good = make_jpeg(tmp_path / "front.jpg", size_px=(700, 900))
    bad = tmp_path / "back.pdf"
    bad.write_bytes(b"")
    with Vault.open(vault_dir, create=True) as vault:
        vault.add_document("photo", [make_jpeg(tmp_path / "p.jpg", size_px=(300, 400))])
        before = vault_state(vault_dir)
        with pytest.raises(BadInputError, match=r"back\.pdf"):
            vault.add_document("medical-diploma", [good, bad])
        assert vault_state(vault_dir) == before


def test_edit_remove_and_undo(vault_dir: Path, tmp_path: Path) -> None:
    with Vault.open(vault_dir, create=True) as vault:
        doc = vault.add_document("medical-diploma", [make_jpeg(tmp_path / "d.jpg", size_px=(700, 900))],
                                 language="ES").document
        assert doc.language == "ES" and doc.needs_translation  # stored as given, compared case-insensitively
        edited = vault.edit_document(doc.id, {"issued": date(2022, 7, 15), "name_on_document": "M. J. Garcia"})
        assert edited.issued == date(2022, 7, 15)
        assert edited.language == "ES"  # untouched fields are kept
        cleared = vault.edit_document(doc.id, {"issued": None})
        assert cleared.issued is None
        vault.remove_document(doc.id)
        assert vault.documents() == []
        with pytest.raises(UnknownDocumentError):
            vault.document(doc.id)
        restored = vault.restore_document(doc.id)
        assert restored.name_on_document == "M. J. Garcia"
        assert [d.id for d in vault.documents()] == [doc.id]


def test_bad_metadata_is_refused(vault_dir: Path, tmp_path: Path) -> None:
    with Vault.open(vault_dir, create=True) as vault:
        doc = vault.add_document("photo", [make_jpeg(tmp_path / "p.jpg", size_px=(300, 400))]).document
        with pytest.raises(UsageError, match="language code"):
            vault.edit_document(doc.id, {"language": "Spanish!"})
        with pytest.raises(UsageError, match="language code"):
            vault.edit_document(doc.id, {"language": "en-"})
        assert vault.edit_document(doc.id, {"language": "en-GB"}).language == "en-GB"  # a region tag is English
        assert not vault.document(doc.id).needs_translation
        with pytest.raises(UsageError, match="Translator kind"):
            vault.edit_document(doc.id, {"translator_kind": "friend"})
        with pytest.raises(UsageError, match="ordered or received"):
            vault.edit_document(doc.id, {"translation_status": "attached"})


def test_translation_links_to_its_original(vault_dir: Path, tmp_path: Path) -> None:
    with Vault.open(vault_dir, create=True) as vault:
        diploma = vault.add_document("medical-diploma", [make_jpeg(tmp_path / "d.jpg", size_px=(700, 900))],
                                     language="es").document
        with pytest.raises(UsageError, match="translator"):
            vault.add_document("translation", [make_jpeg(tmp_path / "t.jpg", size_px=(700, 901))],
                               translation_of=diploma.id)
        with pytest.raises(UnknownDocumentError):
            vault.add_document("translation", [make_jpeg(tmp_path / "t.jpg", size_px=(700, 901))],
                               translation_of="nope", translator="Ana", translator_kind="professional")
        translation = vault.add_document(
            "translation", [make_jpeg(tmp_path / "t.jpg", size_px=(700, 901))], translation_of=diploma.id,
            translator="Lingua Certified Translations", translator_kind="professional",
        ).document
        assert translation.requirement == "translation"
        assert translation.translation_of == diploma.id
        assert translation.language == "en"
        with pytest.raises(UsageError, match="itself a translation"):
            vault.add_document("translation", [make_jpeg(tmp_path / "t2.jpg", size_px=(700, 902))],
                               translation_of=translation.id, translator="X", translator_kind="school")


def test_check_finds_damaged_and_missing_blobs(vault_dir: Path, tmp_path: Path) -> None:
    with Vault.open(vault_dir, create=True) as vault:
        doc = vault.add_document("photo", [make_jpeg(tmp_path / "p.jpg", size_px=(300, 400))]).document
        other = vault.add_document("passport", [make_jpeg(tmp_path / "q.jpg", size_px=(310, 400))]).document
        assert vault.check().ok
        conn = sqlite3.connect(vault_dir / db.DB_NAME)
        blob_a = conn.execute("SELECT blob FROM files WHERE document_id = ?", (doc.id,)).fetchone()[0]
        blob_b = conn.execute("SELECT blob FROM files WHERE document_id = ?", (other.id,)).fetchone()[0]
        conn.close()
        path_a = vault_dir / "blobs" / blob_a[:2] / blob_a
        damaged = bytearray(path_a.read_bytes())
        damaged[100] ^= 0xFF
        path_a.write_bytes(bytes(damaged))
        (vault_dir / "blobs" / blob_b[:2] / blob_b).unlink()
        report = vault.check()
        assert not report.ok
        assert any(doc.id in p and "damaged" in p for p in report.problems)
        assert any(other.id in p and "missing" in p for p in report.problems)
        with pytest.raises(IntegrityError, match="damaged"):
            vault.read_file(doc.files[0])
        assert vault.unreadable_documents(vault.documents()) == frozenset({other.id})


def test_swapped_encrypted_fields_are_detected(vault_dir: Path, tmp_path: Path) -> None:
    """Ciphertexts are bound to their row: copying one document's printed name onto another is caught."""
    with Vault.open(vault_dir, create=True) as vault:
        a = vault.add_document("passport", [make_jpeg(tmp_path / "a.jpg", size_px=(300, 400))],
                               name_on_document="Maria Garcia").document
        b = vault.add_document("medical-diploma", [make_jpeg(tmp_path / "b.jpg", size_px=(301, 400))],
                               name_on_document="M. Garcia").document
    conn = sqlite3.connect(vault_dir / db.DB_NAME)
    value = conn.execute("SELECT name_on_document FROM documents WHERE id = ?", (a.id,)).fetchone()[0]
    conn.execute("UPDATE documents SET name_on_document = ? WHERE id = ?", (value, b.id))
    conn.commit()
    conn.close()
    with Vault.open(vault_dir) as vault:
        assert not vault.check().ok
        with pytest.raises(IntegrityError):
            vault.documents()


def test_schema_version_and_foreign_keys(vault_dir: Path) -> None:
    with Vault.open(vault_dir, create=True):
        pass
    conn = sqlite3.connect(vault_dir / db.DB_NAME)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    with Vault.open(vault_dir):  # reopening runs no migration again
        pass


def test_a_vault_from_a_newer_app_is_refused(vault_dir: Path) -> None:
    with Vault.open(vault_dir, create=True):
        pass
    conn = sqlite3.connect(vault_dir / db.DB_NAME)
    conn.execute(f"PRAGMA user_version = {db.SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(UsageError, match="newer version"):
        Vault.open(vault_dir)


def test_removing_an_original_takes_its_translations_and_undo_brings_back_exactly_those(
    vault_dir: Path, tmp_path: Path
) -> None:
    with Vault.open(vault_dir, create=True) as vault:
        diploma = vault.add_document("medical-diploma", [make_jpeg(tmp_path / "d.jpg", size_px=(700, 900))],
                                     language="es").document

        def translate(name: str) -> str:
            return vault.add_document(
                "translation", [make_jpeg(tmp_path / name, size_px=(700, 900 + len(name)))],
                translation_of=diploma.id, translator="Lingua", translator_kind="professional").document.id

        old, current = translate("old.jpg"), translate("current-translation.jpg")
        vault.remove_document(old)  # removed on its own, earlier
        assert vault.remove_document(diploma.id) == [diploma.id, current]
        assert vault.documents() == []
        vault.restore_document(diploma.id)
        assert sorted(d.id for d in vault.documents()) == sorted([diploma.id, current])
