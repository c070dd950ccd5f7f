"""The export's reader (``Vault.page_reader``): while one file is copied the next is read and decrypted on a
second thread, into buffers reused from file to file. What it returns must be what ``page_pdf`` returns, in
any order it is asked, and a damaged file must fail when it is asked for, as without the read-ahead."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ecfmg_desk.errors import IntegrityError
from ecfmg_desk.vault import db
from ecfmg_desk.vault.store import Vault
from tests import samples

PASS = "correct horse battery"


def _vault(vault_dir: Path, tmp_path: Path) -> Vault:
    """Scans of different sizes (the buffers grow and are reused) and image documents (their stored pages)."""
    vault = Vault.open(vault_dir, create=True, passphrase=PASS)
    vault.add_document("other", [samples.make_scan_pdf(tmp_path / "big.pdf", pages=4, texture=True)])
    vault.add_document("other", [samples.make_text_pdf(tmp_path / "small.pdf")])
    vault.add_document("other", [samples.make_png(tmp_path / "side.png", size_px=(600, 800))])
    vault.add_document("other", [samples.make_scan_pdf(tmp_path / "mid.pdf", pages=2, text="second scan")])
    return vault


def test_every_file_comes_as_page_pdf_gives_it_in_order_or_not(vault_dir: Path, tmp_path: Path) -> None:
    with _vault(vault_dir, tmp_path) as vault:
        files = [f for d in vault.documents() for f in d.files]
        expected = {f.sha256: vault.page_pdf(f) for f in files}
        assert len(set(map(len, expected.values()))) == len(files)
        with vault.page_reader(files) as read:
            for f in files:
                assert bytes(read(f)) == expected[f.sha256], f.name
        with vault.page_reader(files) as read:  # the order is a hint: asked otherwise, it reads what is asked
            for f in (files[2], files[0], files[0], files[3], files[1], files[3]):
                assert bytes(read(f)) == expected[f.sha256], f.name
        with vault.page_reader() as read:
            assert [bytes(read(f)) for f in reversed(files[-1:])] == [expected[files[-1].sha256]]


def test_a_damaged_file_fails_when_it_is_asked_for_not_while_it_is_read_ahead(
    vault_dir: Path, tmp_path: Path
) -> None:
    with _vault(vault_dir, tmp_path) as vault:
        files = [f for d in vault.documents() for f in d.files]
        with sqlite3.connect(vault_dir / db.DB_NAME) as conn:
            (blob,) = conn.execute("SELECT blob FROM files ORDER BY id LIMIT 1 OFFSET 1").fetchone()
        conn.close()
        path = vault_dir / "blobs" / blob[:2] / blob
        raw = bytearray(path.read_bytes())
        raw[-20] ^= 1
        path.write_bytes(bytes(raw))
        with vault.page_reader(files) as read:
            assert bytes(read(files[0])) == vault.page_pdf(files[0])  # (the damaged one is read meanwhile)
            with pytest.raises(IntegrityError, match=r"file small\.pdf is damaged"):
                read(files[1])
            assert bytes(read(files[2])) == vault.page_pdf(files[2])
