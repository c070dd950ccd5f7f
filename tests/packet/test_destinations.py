"""Files for each portal (issue 14): one file per document, plain names, the sourced rules met or reported, and
the preflight made before anything is written. Real vaults, real files, read back with pypdf."""

from __future__ import annotations

import random
import zlib
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from ecfmg_desk.packet.destinations import Preflight, export_for
from ecfmg_desk.resources import load_catalog
from ecfmg_desk.vault.store import Vault
from tests import samples
from tests.conftest import MemoryKeyring

LETTER = [0.0, 0.0, 612.0, 792.0]


@pytest.fixture
def vault(vault_dir: Path, memory_keyring: MemoryKeyring) -> Vault:
    opened = Vault.open(vault_dir, create=True)
    opened.update_profile({"given_names": "Maria Jose", "family_name": "Garcia Lopez"})
    return opened


def _export(vault: Vault, destination: str, folder: Path, *, write: bool = True) -> Preflight:
    return export_for(destination, vault.documents(), load_catalog(2026), folder,
                      read_file=vault.read_file, page_pdf=vault.page_pdf, write=write)


def _signed_letter(path: Path) -> Path:
    """A Letter-size letter that carries a digital signature field (which the LoR Portal refuses)."""
    content = b"BT /F1 12 Tf 72 700 Td (Dear Program Director) Tj ET"
    return samples.write_file(path, samples.build_pdf([
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [5 0 R] /SigFlags 3 >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Annots [5 0 R]"
        b" /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /FT /Sig /T (Signature1) /Type /Annot /Subtype /Widget /Rect [72 72 272 122] /P 3 0 R >>",
    ]))


def _bloated_letter(path: Path, size: int) -> Path:
    """A text letter whose content stream is Flate at level 0 (stored): over 1 MB, far under it at level 9."""
    rnd = random.Random(4)
    lines = b"".join(b"BT /F1 9 Tf 72 %d Td (%s) Tj ET\n" % (700 - i % 600, b"reference letter line " * 3)
                     for i in range(size // 80))
    lines += bytes(rnd.choice(b"ab") for _ in range(10))
    stored = zlib.compress(lines, 0)
    return samples.write_file(path, samples.build_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(stored), stored),
    ]))


# --- LoR Portal -----------------------------------------------------------------------------------------


def test_lor_portal_fixes_page_size_and_signature_fields_and_reports_first(vault: Vault, tmp_path: Path) -> None:
    a4 = samples.make_text_pdf(tmp_path / "Letter: Dr. Smith?.pdf", pages=2, page_size="a4")
    vault.add_document("recommendation-letter", [a4], issued=date(2026, 8, 1))
    vault.add_document("recommendation-letter", [_signed_letter(tmp_path / "signed.pdf")], issued=date(2026, 8, 2))
    out = tmp_path / "portal"
    preview = _export(vault, "lor-portal", out, write=False)
    assert not out.exists(), "the preflight writes nothing"
    assert [f.name for f in preview.files] == ["recommendation-letter-1.pdf", "recommendation-letter-2.pdf"]
    assert preview.ok and "1 MB" in preview.note
    first, second = preview.files
    assert any("placed on 8.5 × 11 in" in c for c in first.changes)
    assert any("signature field was removed" in c for c in second.changes)

    report = _export(vault, "lor-portal", out)
    assert sorted(p.name for p in out.iterdir()) == ["recommendation-letter-1.pdf", "recommendation-letter-2.pdf"]
    assert report.written == (out / "recommendation-letter-1.pdf", out / "recommendation-letter-2.pdf")
    for path in report.written:
        reader = PdfReader(path)
        assert not reader.is_encrypted
        assert "/AcroForm" not in reader.root_object
        assert all([float(v) for v in page.mediabox] == LETTER for page in reader.pages)
        assert path.stat().st_size <= 1_048_576
    assert "Dear Program Director" in PdfReader(out / "recommendation-letter-2.pdf").pages[0].extract_text()


def test_lor_portal_recompresses_losslessly_only_when_over_the_limit(vault: Vault, tmp_path: Path) -> None:
    letter = _bloated_letter(tmp_path / "letter.pdf", 1_300_000)
    assert letter.stat().st_size > 1_048_576
    vault.add_document("recommendation-letter", [letter], issued=date(2026, 8, 1))
    report = _export(vault, "lor-portal", tmp_path / "out")
    (item,) = report.files
    assert item.ok and any("recompressed losslessly" in c for c in item.changes)
    written = tmp_path / "out" / "recommendation-letter.pdf"
    assert written.stat().st_size <= 1_048_576
    original = PdfReader(letter).pages[0].get_contents()
    copy = PdfReader(written).pages[0].get_contents()
    assert original is not None and copy is not None
    assert copy.get_data().strip() == original.get_data().strip()  # lossless: the same content


def test_lor_portal_refuses_what_cannot_be_fixed_and_writes_nothing_for_it(vault: Vault, tmp_path: Path) -> None:
    # A scanned letter whose JPEG pages alone are over 1 MB: lossless recompression cannot shrink a JPEG.
    scan = samples.make_scan_pdf(tmp_path / "scanned-letter.pdf", pages=6, dpi=200)
    assert scan.stat().st_size > 1_048_576
    vault.add_document("recommendation-letter", [scan], issued=date(2026, 8, 1))
    report = _export(vault, "lor-portal", tmp_path / "out")
    (item,) = report.files
    assert not item.ok and not report.ok
    assert "even after lossless recompression" in item.problems[0] and "at most 1.0 MB" in item.problems[0]
    assert not (tmp_path / "out" / item.name).exists()
    assert report.written == ()


# --- MyIntealth -----------------------------------------------------------------------------------------


def test_myintealth_keeps_scans_as_they_are_and_one_file_per_document(vault: Vault, tmp_path: Path) -> None:
    passport = samples.make_jpeg(tmp_path / "passport scan (1).jpg", dpi=300, text="Passport")
    front = samples.make_png(tmp_path / "front.png", text="Front")
    back = samples.make_png(tmp_path / "back.png", text="Back")
    big = samples.make_scan_pdf(tmp_path / "transcript.pdf", pages=6, dpi=200)
    vault.add_document("passport", [passport], expires=date(2031, 1, 1))
    vault.add_document("medical-diploma", [front, back], issued=date(2022, 7, 1))
    vault.add_document("final-transcript", [big])
    report = _export(vault, "myintealth", tmp_path / "out")
    assert "does not publish its upload limits" in report.note
    names = {f.name: f for f in report.files}
    assert set(names) == {"passport.jpg", "medical-diploma.pdf", "final-transcript.pdf"}
    assert report.ok, "no limit is invented: a large scan is written as it is"
    assert (tmp_path / "out" / "passport.jpg").read_bytes() == passport.read_bytes()
    assert (tmp_path / "out" / "final-transcript.pdf").read_bytes() == big.read_bytes()
    diploma = PdfReader(tmp_path / "out" / "medical-diploma.pdf")
    assert len(diploma.pages) == 2 and not diploma.is_encrypted
    assert any("combined into one PDF" in c for c in names["medical-diploma.pdf"].changes)
    assert names["passport.jpg"].changes == () and names["final-transcript.pdf"].changes == ()


# --- ERAS -----------------------------------------------------------------------------------------------


def test_eras_photo_sizes_are_warnings_and_the_photo_is_kept(vault: Vault, tmp_path: Path) -> None:
    photo = samples.make_jpeg(tmp_path / "photo.jpg", size_px=(900, 1200), dpi=300, text="Me")
    small = samples.make_jpeg(tmp_path / "small.jpg", size_px=(375, 525), dpi=150, text="Me")
    vault.add_document("eras-photo", [photo])
    mspe = vault.add_document("mspe", [samples.make_text_pdf(tmp_path / "mspe-1.pdf"),
                                       samples.make_text_pdf(tmp_path / "mspe-2.pdf")]).document
    report = _export(vault, "eras", tmp_path / "out")
    names = {f.name: f for f in report.files}
    assert set(names) == {"eras-photo.jpg", "mspe.pdf"}
    warned = names["eras-photo.jpg"]
    assert warned.ok and any("900 × 1200 pixels" in w for w in warned.warnings)
    assert (tmp_path / "out" / "eras-photo.jpg").read_bytes() == photo.read_bytes()
    assert len(PdfReader(tmp_path / "out" / "mspe.pdf").pages) == 2 and mspe.id == names["mspe.pdf"].document_id
    small_id = vault.add_document("eras-photo", [small]).document.id
    again = _export(vault, "eras", tmp_path / "again", write=False)
    fitting = next(f for f in again.files if f.document_id == small_id)
    assert fitting.name in {"eras-photo-1.jpg", "eras-photo-2.jpg"} and fitting.warnings == ()
