"""Files for each portal (issue 14): one file per document, plain names, the sourced rules met or reported, and
the preflight made before anything is written. For each portal, a file that needs fixing and one that cannot be
fixed. Real vaults, real files, read back with pypdf and with the importer's own inspection."""

from __future__ import annotations

import random
import re
import zlib
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from ecfmg_desk.packet.destinations import JPEG_QUALITIES, Preflight, preflight, write_ready
from ecfmg_desk.resources import load_catalog
from ecfmg_desk.vault.inspect import inspect_file
from ecfmg_desk.vault.store import Vault
from tests import samples
from tests.conftest import MemoryKeyring

LETTER = [0.0, 0.0, 612.0, 792.0]
LIMIT = 1_048_576
PLAIN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*\.(pdf|jpg|png|tif)$")


@pytest.fixture
def vault(vault_dir: Path, memory_keyring: MemoryKeyring) -> Vault:
    opened = Vault.open(vault_dir, create=True)
    opened.update_profile({"given_names": "Maria Jose", "family_name": "Garcia Lopez"})
    return opened


def _export(vault: Vault, destination: str, folder: Path, *, write: bool = True) -> Preflight:
    report = preflight(destination, vault.documents(), load_catalog(2026), folder, read_file=vault.read_file)
    assert all(PLAIN.match(f.name) for f in report.files), [f.name for f in report.files]
    if write:
        written = write_ready(report)
        assert written == tuple(folder / f.name for f in report.ready)
    return report


def _written(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


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


def _image_filters(path: Path) -> list[str]:
    """The /Filter of every image on every page (looking through placed pages' forms)."""
    out: list[str] = []

    def walk(resources: object) -> None:
        xobjects = resources.get("/XObject", {}) if hasattr(resources, "get") else {}
        for ref in xobjects.values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                out.append(str(obj.get("/Filter")))
            elif obj.get("/Subtype") == "/Form":
                walk(obj.get("/Resources", {}))

    for page in PdfReader(path).pages:
        walk(page.get("/Resources", {}))
    return out


# --- LoR Portal -----------------------------------------------------------------------------------------


def test_lor_portal_fixes_page_size_signatures_and_image_letters_and_reports_first(
    vault: Vault, tmp_path: Path
) -> None:
    a4 = samples.make_text_pdf(tmp_path / "Letter: Dr. Smith?.pdf", pages=2, page_size="a4")
    vault.add_document("recommendation-letter", [a4], issued=date(2026, 8, 1))
    for how in ("field", "signature", "certified"):
        vault.add_document("recommendation-letter", [samples.make_signed_pdf(tmp_path / f"{how}.pdf", how=how)],
                           issued=date(2026, 8, 2))
    photo_of_letter = samples.make_jpeg(tmp_path / "phone.jpg", size_px=(1200, 1600), dpi=None, text="Letter")
    vault.add_document("recommendation-letter", [photo_of_letter], issued=date(2026, 8, 3))
    out = tmp_path / "portal"
    preview = _export(vault, "lor-portal", out, write=False)
    assert not out.exists(), "the preflight writes nothing"
    names = [f"recommendation-letter-{n}.pdf" for n in (1, 2, 3, 4, 5)]
    assert [f.name for f in preview.files] == names
    assert preview.ok and "1 MB" in preview.note
    first, *signed, image = preview.files
    assert any("placed on 8.5 × 11 in" in c for c in first.changes)
    assert all(any("signature field was removed" in c for c in f.changes) for f in signed)
    assert any("made into a PDF" in c for c in image.changes)

    report = _export(vault, "lor-portal", out)
    assert _written(out) == names
    for item in report.files:
        path = out / item.name
        reader = PdfReader(path)
        assert not reader.is_encrypted and "/AcroForm" not in reader.root_object and "/Perms" not in reader.root_object
        assert all([float(v) for v in page.mediabox] == LETTER for page in reader.pages)
        assert path.stat().st_size <= LIMIT
        assert not inspect_file(path).info.signed, "the importer's own signature check agrees"
    assert "Letter" in PdfReader(out / "recommendation-letter-2.pdf").pages[0].extract_text()


def test_lor_portal_writes_a_letter_that_meets_every_rule_as_it_is(vault: Vault, tmp_path: Path) -> None:
    letter = samples.make_scan_pdf(tmp_path / "letter.pdf", pages=2, dpi=150)
    assert letter.stat().st_size < LIMIT
    vault.add_document("recommendation-letter", [letter], issued=date(2026, 8, 1))
    (item,) = _export(vault, "lor-portal", tmp_path / "out").files
    assert item.ok and item.changes == () and item.warnings == ()
    assert (tmp_path / "out" / item.name).read_bytes() == letter.read_bytes(), "not recompressed: under the limit"


def test_lor_portal_recompresses_losslessly_when_that_is_enough(vault: Vault, tmp_path: Path) -> None:
    letter = _bloated_letter(tmp_path / "letter.pdf", 1_300_000)
    assert letter.stat().st_size > LIMIT
    vault.add_document("recommendation-letter", [letter], issued=date(2026, 8, 1))
    (item,) = _export(vault, "lor-portal", tmp_path / "out").files
    assert item.ok and any("recompressed losslessly" in c for c in item.changes)
    assert not any("loss of quality" in c for c in item.changes)
    written = tmp_path / "out" / "recommendation-letter.pdf"
    assert written.stat().st_size <= LIMIT
    original = PdfReader(letter).pages[0].get_contents()
    copy = PdfReader(written).pages[0].get_contents()
    assert original is not None and copy is not None
    assert copy.get_data().strip() == original.get_data().strip()  # lossless: the same content


def _grainy_flate_letter(path: Path) -> Path:
    """A letter scanned losslessly (PNG data, Flate with a predictor) with paper grain: 2.3 MB, which lossless
    recompression cannot shrink and JPEG brings far under 1 MB."""
    import io

    import img2pdf
    from PIL import Image, ImageChops

    page = Image.new("RGB", (1275, 1650), (250, 248, 240))
    page.paste((30, 60, 140), (0, 0, 1275, 180))
    grain = Image.effect_noise(page.size, 12).point(lambda v: min(40, abs(v - 128)))
    page = ImageChops.subtract(page, Image.merge("RGB", (grain, grain, grain)))
    png = io.BytesIO()
    page.save(png, "PNG", dpi=(150, 150))
    return samples.write_file(path, img2pdf.convert(png.getvalue()))


@pytest.mark.parametrize("stored", ["jpeg", "flate"])
def test_lor_portal_falls_back_to_lossy_jpeg_when_lossless_is_not_enough(
    vault: Vault, tmp_path: Path, stored: str
) -> None:
    # Lossless recompression cannot shrink scanned JPEG pages, nor PNG data already Flate-compressed.
    if stored == "jpeg":
        scan = samples.make_scan_pdf(tmp_path / "scan.pdf", pages=6, dpi=200)
    else:
        scan = _grainy_flate_letter(tmp_path / "scan.pdf")
        assert _image_filters(scan) == ["/FlateDecode"]
    assert scan.stat().st_size > LIMIT
    vault.add_document("recommendation-letter", [scan], issued=date(2026, 8, 1))
    (item,) = _export(vault, "lor-portal", tmp_path / "out").files
    assert item.ok, item.problems
    (change,) = [c for c in item.changes if "loss of quality" in c]
    quality = int(re.search(r"quality (\d+)", change).group(1))  # type: ignore[union-attr]
    assert quality in JPEG_QUALITIES and "lossless recompression was not enough" in change
    written = tmp_path / "out" / item.name
    assert written.stat().st_size <= LIMIT and item.size == written.stat().st_size
    reader = PdfReader(written)
    assert len(reader.pages) == len(PdfReader(scan).pages)
    assert all([float(v) for v in p.mediabox] == LETTER for p in reader.pages)
    assert set(_image_filters(written)) == {"/DCTDecode"}


def test_lor_portal_refuses_what_cannot_be_fixed_and_writes_nothing_for_it(vault: Vault, tmp_path: Path) -> None:
    # Scanned 300-dpi pages with paper grain: over 1 MB even as JPEG at the lowest quality the app uses.
    scan = samples.make_scan_pdf(tmp_path / "scanned-letter.pdf", pages=3, dpi=300, texture=True)
    fine = samples.make_text_pdf(tmp_path / "fine.pdf")
    vault.add_document("recommendation-letter", [scan], issued=date(2026, 8, 1))
    vault.add_document("recommendation-letter", [fine], issued=date(2026, 8, 2))
    report = _export(vault, "lor-portal", tmp_path / "out")
    bad, good = report.files
    assert not bad.ok and not report.ok and good.ok
    assert "even after recompression" in bad.problems[0] and "at most 1.0 MB" in bad.problems[0]
    assert f"quality {JPEG_QUALITIES[-1]}" in bad.problems[0]
    assert _written(tmp_path / "out") == [good.name], "nothing is written for the failing letter"


# --- MyIntealth -----------------------------------------------------------------------------------------


def test_myintealth_keeps_scans_as_they_are_and_combines_a_document_into_one_file(
    vault: Vault, tmp_path: Path
) -> None:
    passport = samples.make_jpeg(tmp_path / "passport scan (1).jpg", dpi=300, text="Passport")
    front = samples.make_png(tmp_path / "front.png", text="Front")
    back = samples.make_png(tmp_path / "back.png", text="Back")
    big = samples.make_scan_pdf(tmp_path / "transcript.pdf", pages=6, dpi=200)
    vault.add_document("passport", [passport], expires=date(2031, 1, 1))
    diploma = vault.add_document("medical-diploma", [front, back], issued=date(2022, 7, 1)).document
    translation = samples.make_text_pdf(tmp_path / "diploma-en.pdf")
    vault.add_document("translation", [translation], translation_of=diploma.id, translator="Ana Perez",
                       translator_kind="professional")
    vault.add_document("final-transcript", [big])
    report = _export(vault, "myintealth", tmp_path / "out")
    assert "does not publish its upload limits" in report.note
    names = {f.name: f for f in report.files}
    assert list(names) == ["passport.jpg", "medical-diploma.pdf", "medical-diploma-translation.pdf",
                           "final-transcript.pdf"]
    assert report.ok, "no limit is invented: a large scan is written as it is"
    assert (tmp_path / "out" / "passport.jpg").read_bytes() == passport.read_bytes()
    assert (tmp_path / "out" / "final-transcript.pdf").read_bytes() == big.read_bytes()
    assert (tmp_path / "out" / "medical-diploma-translation.pdf").read_bytes() == translation.read_bytes()
    combined = PdfReader(tmp_path / "out" / "medical-diploma.pdf")
    assert len(combined.pages) == 2 and not combined.is_encrypted
    assert any("combined into one PDF" in c for c in names["medical-diploma.pdf"].changes)
    assert names["passport.jpg"].changes == () and names["final-transcript.pdf"].changes == ()


def test_myintealth_refuses_a_black_and_white_account_photo(vault: Vault, tmp_path: Path) -> None:
    # PHOTO_COLOR is confirmed ([C], an error) and no conversion can add colour; the passport's colour check is
    # a warning (a heuristic, RULES.md PASSPORT_SCAN_COLOR), so a grey passport scan is still written.
    photo = samples.make_jpeg(tmp_path / "photo.jpg", size_px=(600, 800), color=False, text="Me")
    passport = samples.make_jpeg(tmp_path / "passport.jpg", color=False, text="Passport")
    vault.add_document("photo", [photo], issued=date(2026, 10, 1))
    vault.add_document("passport", [passport], expires=date(2031, 1, 1))
    report = _export(vault, "myintealth", tmp_path / "out")
    names = {f.name: f for f in report.files}
    assert not report.ok and not names["photo.jpg"].ok
    assert "black and white" in names["photo.jpg"].problems[0]
    assert names["passport.jpg"].ok and any("black and white" in w for w in names["passport.jpg"].warnings)
    assert _written(tmp_path / "out") == ["passport.jpg"]


def test_myintealth_leaves_out_a_superseded_passport(vault: Vault, tmp_path: Path) -> None:
    old = samples.make_jpeg(tmp_path / "old.jpg", text="Old passport")
    new = samples.make_jpeg(tmp_path / "new.jpg", text="New passport")
    vault.add_document("passport", [old], expires=date(2027, 1, 1))
    current = vault.add_document("passport", [new], expires=date(2034, 1, 1)).document
    (item,) = _export(vault, "myintealth", tmp_path / "out", write=False).files
    assert item.document_id == current.id and item.name == "passport.jpg"


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
    assert any("combined into one PDF" in c for c in names["mspe.pdf"].changes), "all pages in one file"
    small_id = vault.add_document("eras-photo", [small]).document.id
    again = _export(vault, "eras", tmp_path / "again", write=False)
    fitting = next(f for f in again.files if f.document_id == small_id)
    assert fitting.name in {"eras-photo-1.jpg", "eras-photo-2.jpg"} and fitting.warnings == ()


def test_eras_refuses_a_document_whose_files_cannot_be_made_one_pdf(vault: Vault, tmp_path: Path) -> None:
    # ERAS wants all pages of a document in one file; a page that cannot be copied into a new PDF leaves the
    # transcript unfixable. It is reported and not written; the photo still is.
    vault.add_document("eras-photo", [samples.make_jpeg(tmp_path / "photo.jpg", size_px=(375, 525), dpi=150)])
    vault.add_document("final-transcript", [samples.make_text_pdf(tmp_path / "page-1.pdf"),
                                            samples.make_deeply_nested_pdf(tmp_path / "page-2.pdf")])
    report = _export(vault, "eras", tmp_path / "out")
    names = {f.name: f for f in report.files}
    assert not names["final-transcript.pdf"].ok and names["eras-photo.jpg"].ok
    assert "page-2.pdf cannot be copied into a new PDF" in names["final-transcript.pdf"].problems[0]
    assert _written(tmp_path / "out") == ["eras-photo.jpg"]


def test_an_unknown_destination_is_refused(vault: Vault, tmp_path: Path) -> None:
    from ecfmg_desk.errors import UsageError

    with pytest.raises(UsageError, match="choose one of myintealth, lor-portal, eras"):
        _export(vault, "oasis", tmp_path / "out")
