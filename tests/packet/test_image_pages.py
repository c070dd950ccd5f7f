"""Images become PDF pages once, at import: an export only copies them (issue 14, item 1).

Real vaults, real images, real packets read back with pypdf. "Not re-encoded" is checked byte for byte: the
image stream in the packet is the stored page PDF's stream, which is the PNG file's own IDAT data.
"""

from __future__ import annotations

import io
import sqlite3
import struct
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, NameObject, StreamObject
from PySide6.QtGui import QGuiApplication

from ecfmg_desk.core.model import FileInfo
from ecfmg_desk.errors import IntegrityError
from ecfmg_desk.packet.assemble import Section, assemble_packet
from ecfmg_desk.vault import db, integrity
from ecfmg_desk.vault.store import Vault, _tx
from tests import samples
from tests.packet.conftest import AS_OF, PROFILE, READY

PASS = "correct horse battery"


def _idat(png: bytes) -> bytes:
    """The PNG's compressed image data: its IDAT chunks joined."""
    out, at = b"", 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        if png[at + 4 : at + 8] == b"IDAT":
            out += png[at + 8 : at + 8 + length]
        at += 12 + length
    return out


def _images(reader: PdfReader, pages: range | None = None) -> list[StreamObject]:
    """Every image drawn on the given pages (all by default), looking through Form XObjects."""
    found: list[StreamObject] = []

    def walk(resources: object) -> None:
        res = resources.get_object() if resources is not None else None  # type: ignore[attr-defined]
        if not isinstance(res, DictionaryObject) or "/XObject" not in res:
            return
        xobjects = res["/XObject"].get_object()
        assert isinstance(xobjects, DictionaryObject)
        for ref in xobjects.values():
            obj = ref.get_object()
            if obj.get("/Subtype") == NameObject("/Image"):
                found.append(obj)
            elif obj.get("/Subtype") == NameObject("/Form") and obj.get("/Resources") is not None:
                walk(obj["/Resources"])

    for index in pages if pages is not None else range(len(reader.pages)):
        walk(reader.pages[index].get("/Resources"))
    return found


def _raw(image: StreamObject) -> bytes:
    data: bytes = image._data  # the stream as stored in the file (still compressed)
    return data


def _export(vault: Vault, out: Path, originals_read: list[str] | None = None) -> list[StreamObject]:
    """Export every document the way ``export_vault`` does (pages from the vault); the packet's scan images.
    ``originals_read`` collects the names of the original files the export read."""

    def read_file(info: FileInfo) -> bytes:
        if originals_read is not None:
            originals_read.append(info.name)
        return vault.read_file(info)

    assemble_packet(
        out, sections=[Section("other", "Other", tuple(vault.documents()))], profile=PROFILE, validation=READY,
        read_file=read_file, read_pages=vault.page_pdf, as_of=AS_OF, app_version="1", catalog_cycle="2026",
    )
    reader = PdfReader(out)
    return _images(reader, range(2, len(reader.pages)))  # after the cover and the contents


def _pages_blob(vault_dir: Path) -> str:
    with sqlite3.connect(vault_dir / db.DB_NAME) as conn:
        (name,) = conn.execute("SELECT pages_blob FROM files").fetchone()
    return str(name)


def _blob_path(vault_dir: Path, name: str) -> Path:
    return vault_dir / "blobs" / name[:2] / name


def make_pre_migration(vault_dir: Path) -> None:
    """Turn a vault into exactly what schema 8 stored: no pages_blob column, no page blobs, every row still
    authenticated (the column is cleared through the app's own connection, whose triggers re-seal each row;
    a NULL column is not part of an authenticator, so dropping it keeps them valid)."""
    with Vault.open(vault_dir, passphrase=PASS) as vault:
        names = [n for (n,) in vault._conn.execute("SELECT pages_blob FROM files WHERE pages_blob IS NOT NULL")]
        with _tx(vault._conn):
            vault._conn.execute("UPDATE files SET pages_blob = NULL")
    for name in names:
        _blob_path(vault_dir, name).unlink(missing_ok=True)
    with sqlite3.connect(vault_dir / db.DB_NAME) as conn:
        conn.execute("ALTER TABLE files DROP COLUMN pages_blob")
        conn.execute("PRAGMA user_version = 8")
    conn.close()


@pytest.fixture
def png(tmp_path: Path) -> bytes:
    return samples.make_png(tmp_path / "diploma-back.png", size_px=(850, 1100), dpi=100, text="Back").read_bytes()


@pytest.fixture
def png_vault(vault_dir: Path, tmp_path: Path, png: bytes) -> Vault:
    vault = Vault.open(vault_dir, create=True, passphrase=PASS)
    vault.add_document("other", [tmp_path / "diploma-back.png"])
    return vault


def test_a_png_page_is_copied_byte_for_byte_and_identical_across_exports(
    gui_app: QGuiApplication, png_vault: Vault, png: bytes, tmp_path: Path
) -> None:
    with png_vault as vault:
        stored = _images(PdfReader(io.BytesIO(vault.page_pdf(vault.documents()[0].files[0]))))
        first = _export(vault, tmp_path / "one.pdf")
        second = _export(vault, tmp_path / "two.pdf")
    assert len(stored) == len(first) == len(second) == 1
    assert first[0]["/Filter"] == NameObject("/FlateDecode")
    assert _raw(first[0]) == _raw(second[0]) == _raw(stored[0])  # the stored page, copied as it is
    assert _raw(first[0]) == _idat(png)  # which is the PNG's own compressed data: never decoded nor re-encoded


def test_a_tiff_becomes_flate_pages_once_and_every_export_copies_them(
    gui_app: QGuiApplication, vault_dir: Path, tmp_path: Path
) -> None:
    tiff = samples.make_tiff(tmp_path / "transcript.tif", pages=3, size_px=(400, 520), dpi=50)
    with Vault.open(vault_dir, create=True, passphrase=PASS) as vault:
        info = vault.add_document("other", [tiff]).document.files[0]
        stored = [_raw(i) for i in _images(PdfReader(io.BytesIO(vault.page_pdf(info))))]
        read: list[str] = []
        first = _export(vault, tmp_path / "one.pdf", read)
        second = _export(vault, tmp_path / "two.pdf", read)
    assert len(stored) == 3 and [_raw(i) for i in first] == [_raw(i) for i in second] == stored
    assert all(i["/Filter"] == NameObject("/FlateDecode") for i in first)
    assert read == []  # the exports never read (let alone converted) the original TIFF


def test_import_stores_the_pages_encrypted_beside_the_original_under_a_keyed_name(
    png_vault: Vault, png: bytes, vault_dir: Path
) -> None:
    with png_vault as vault:
        info = vault.documents()[0].files[0]
        stored = vault.page_pdf(info)
        assert stored.startswith(b"%PDF") and len(PdfReader(io.BytesIO(stored)).pages) == 1
        assert vault.read_file(info) == png  # the original stays, the source of truth
        name = _pages_blob(vault_dir)
        assert name == vault._keys.blob_name(stored)  # a keyed hash of the pages, as every blob name
        assert ("files", "pages_blob") in integrity.BLOB_NAME_COLUMNS  # key rotation re-encrypts and renames it
        raw = _blob_path(vault_dir, name).read_bytes()
        assert b"%PDF" not in raw and _idat(png)[:64] not in raw  # encrypted at rest
        assert vault.check().ok


def test_check_catches_a_tampered_page_pdf_and_the_export_refuses_it(
    gui_app: QGuiApplication, png_vault: Vault, vault_dir: Path, tmp_path: Path
) -> None:
    with png_vault as vault:
        blob = _blob_path(vault_dir, _pages_blob(vault_dir))
        raw = bytearray(blob.read_bytes())
        raw[-5] ^= 0xFF
        blob.write_bytes(bytes(raw))
        report = vault.check()
        assert not report.ok
        assert any("pages for the packet are damaged" in p for p in report.problems), report.problems
        with pytest.raises(IntegrityError, match=r"pages of diploma-back\.png"):
            _export(vault, tmp_path / "p.pdf")
        assert not (tmp_path / "p.pdf").exists()
        blob.unlink()
        assert any("pages for the packet are missing" in p for p in vault.check().problems)


def test_pointing_a_file_at_other_pages_is_caught_by_its_authenticator(
    png_vault: Vault, vault_dir: Path, tmp_path: Path
) -> None:
    with png_vault as vault:
        other = samples.make_jpeg(tmp_path / "photo.jpg", size_px=(300, 400), dpi=100)
        vault.add_document("other", [other])
    with sqlite3.connect(vault_dir / db.DB_NAME) as conn:
        names = [n for (n,) in conn.execute("SELECT pages_blob FROM files ORDER BY id")]
        conn.execute("UPDATE files SET pages_blob = ? WHERE pages_blob = ?", (names[1], names[0]))
    conn.close()
    with Vault.open(vault_dir, passphrase=PASS) as vault:
        assert any("changed outside ECFMG Desk" in p for p in vault.check().problems)


def test_key_rotation_re_encrypts_the_pages(gui_app: QGuiApplication, png_vault: Vault, vault_dir: Path,
                                            png: bytes, tmp_path: Path) -> None:
    from ecfmg_desk.vault.rekey import rekey

    before = _pages_blob(vault_dir)
    with png_vault as vault:
        rekey(vault, PASS)
    after = _pages_blob(vault_dir)
    assert after != before and not _blob_path(vault_dir, before).exists()
    with Vault.open(vault_dir, passphrase=PASS) as vault:
        assert vault.check().ok
        assert _raw(_export(vault, tmp_path / "p.pdf")[0]) == _idat(png)


def test_a_vault_from_before_converts_on_its_first_export_and_keeps_the_pages(
    gui_app: QGuiApplication, png_vault: Vault, png: bytes, vault_dir: Path, tmp_path: Path
) -> None:
    png_vault.close()
    make_pre_migration(vault_dir)
    with Vault.open(vault_dir, passphrase=PASS) as vault:  # migration 9: the column is there, still empty
        with sqlite3.connect(vault_dir / db.DB_NAME) as conn:
            assert conn.execute("SELECT pages_blob FROM files").fetchone() == (None,)
        conn.close()
        assert vault.check().ok
        first = _export(vault, tmp_path / "one.pdf")
        kept = _pages_blob(vault_dir)  # made from the original on the first export, and kept
        assert _blob_path(vault_dir, kept).is_file()
        second = _export(vault, tmp_path / "two.pdf")
        assert _pages_blob(vault_dir) == kept
        assert _raw(first[0]) == _raw(second[0]) == _idat(png)
        assert vault.check().ok and not vault.untrusted()
