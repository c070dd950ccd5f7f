"""The packet PDF, checked by reading it back with pypdf: pages, bookmarks, stamps, sizes, bytes, password."""

from __future__ import annotations

import io
import math
import os
import re
import shutil
import subprocess
import sys
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError
from pypdf.generic import ArrayObject, Destination, DictionaryObject, NameObject, PdfObject, StreamObject
from PySide6.QtGui import QGuiApplication

from ecfmg_desk.core.model import Document, FileInfo, Finding, ValidationResult
from ecfmg_desk.errors import BadInputError, CancelledError, ExportBlockedError, IntegrityError
from ecfmg_desk.packet._textpages import fix_space_mapping
from ecfmg_desk.packet.assemble import PacketInfo, Section, assemble_packet, ensure_exportable, format_date
from tests import samples
from tests.packet.conftest import AS_OF, PROFILE, READY, Store

NAME = PROFILE.name_of_record


@dataclass
class Built:
    path: Path
    info: PacketInfo
    reader: PdfReader
    store: Store
    sections: list[Section]
    jpeg_front: bytes
    photo: bytes
    png_back: bytes
    tiff: bytes


def _sections(store: Store, folder: Path) -> tuple[list[Section], dict[str, Path]]:
    files = {
        "passport": samples.make_scan_pdf(folder / "passport.pdf", pages=1, dpi=100),
        "photo": samples.make_jpeg(folder / "photo.jpg", size_px=(600, 600), dpi=300, text="Photo"),
        "front": samples.make_jpeg(folder / "front.jpg", size_px=(1275, 1650), dpi=150, text="Diploma"),
        "back": samples.make_png(folder / "back.png", size_px=(850, 1100), dpi=100, text="Back"),
        "translation": samples.make_text_pdf(folder / "translation.pdf", pages=2, text="Translation"),
        "transcript": samples.make_tiff(folder / "transcript.tif", pages=3, dpi=100),
        "landscape": samples.make_jpeg(folder / "wide.jpg", size_px=(1100, 850), dpi=100, text="Wide"),
    }
    diploma = store.document(
        "d-dip", "diploma", [files["front"], files["back"]], language="es", issued=date(2022, 7, 15)
    )
    translation = store.document(
        "d-tr",
        "translation",
        [files["translation"]],
        language="en",
        translation_of="d-dip",
        translator="Ana Pérez",
        translator_kind="professional",
    )
    sections = [
        Section("passport", "Passport", (store.document("d-pp", "passport", [files["passport"]]),)),
        Section("photo", "Photograph", (store.document("d-photo", "photo", [files["photo"]]),)),
        Section("diploma", "Medical diploma", (diploma, translation)),
        Section(
            "transcript",
            "Final transcript",
            (store.document("d-tx", "transcript", [files["transcript"], files["landscape"]], language="es"),),
        ),
    ]
    return sections, files


def _assemble(out: Path, sections: list[Section], store: Store, **kwargs: object) -> PacketInfo:
    options: dict[str, object] = {
        "sections": sections,
        "profile": PROFILE,
        "validation": READY,
        "read_file": store.read,
        "as_of": AS_OF,
        "app_version": "9.8.7",
        "catalog_cycle": "2026",
    }
    options.update(kwargs)
    return assemble_packet(out, **options)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def built(qapp: QGuiApplication, tmp_path_factory: pytest.TempPathFactory) -> Built:
    folder = tmp_path_factory.mktemp("packet")
    store = Store()
    sections, files = _sections(store, folder)
    out = folder / "out" / "packet.pdf"
    info = _assemble(out, sections, store)
    return Built(
        out,
        info,
        PdfReader(out),
        store,
        sections,
        files["front"].read_bytes(),
        files["photo"].read_bytes(),
        files["back"].read_bytes(),
        files["transcript"].read_bytes(),
    )


def _dict(obj: object) -> DictionaryObject:
    resolved = obj.get_object() if isinstance(obj, PdfObject) else obj
    assert isinstance(resolved, DictionaryObject)
    return resolved


def _outline(reader: PdfReader) -> list[tuple[Destination, list[Destination]]]:
    """(section bookmark, its document bookmarks), in order."""
    result: list[tuple[Destination, list[Destination]]] = []
    for item in reader.outline:
        if isinstance(item, list):
            result[-1][1].extend(c for c in item if isinstance(c, Destination))
        else:
            result.append((item, []))
    return result


def _page_of(reader: PdfReader, destination: Destination) -> int:
    """1-based page a bookmark opens."""
    number = reader.get_destination_page_number(destination)
    assert number is not None
    return number + 1


def _text(reader: PdfReader, page_number: int) -> str:
    """Text of a 1-based page, whitespace runs folded to one space."""
    return " ".join(reader.pages[page_number - 1].extract_text().split())


def _placed_form(reader: PdfReader, page_number: int) -> tuple[DictionaryObject, tuple[float, ...]] | None:
    """An image's true-size page placed on the paper: (the Form XObject, the matrix placing it), if any."""
    page = reader.pages[page_number - 1]
    content = page.get_contents()
    assert content is not None
    match = re.search(rb"q ([-\d. ]+) cm ([-\d. ]+) cm /ECFMGDeskPage Do Q", content.get_data())
    if match is None:
        return None
    outer, inner = ([float(v) for v in g.split()] for g in match.groups())
    form = _dict(_dict(_dict(page["/Resources"])["/XObject"])["/ECFMGDeskPage"])
    return form, _compose(inner, outer)


def _compose(m: Sequence[float], n: Sequence[float]) -> tuple[float, ...]:
    """The PDF matrix m x n (m applied first)."""
    a, b, c, d, e, f = m
    p, q, r, s_, t, u = n
    return (a * p + b * r, a * q + b * s_, c * p + d * r, c * q + d * s_, e * p + f * r + t, e * q + f * s_ + u)


def _image(reader: PdfReader, page_number: int) -> StreamObject:
    """The one image a page shows, directly or through the form placing an image file's page."""
    placed = _placed_form(reader, page_number)
    resources = _dict(placed[0]["/Resources"] if placed else reader.pages[page_number - 1]["/Resources"])
    xobjects = _dict(resources["/XObject"])
    images = [x.get_object() for x in xobjects.values() if _dict(x).get("/Subtype") == NameObject("/Image")]
    assert len(images) == 1
    image = images[0]
    assert isinstance(image, StreamObject)
    return image


def _image_box(reader: PdfReader, page_number: int) -> tuple[float, float, float, float]:
    """(width, height, x, y) of the image as drawn on the page, from its ``cm`` before ``Do``."""
    placed = _placed_form(reader, page_number)
    if placed is not None:
        form, place = placed
        assert isinstance(form, StreamObject)
        content = form.get_data()
    else:
        got = reader.pages[page_number - 1].get_contents()
        assert got is not None
        content, place = got.get_data(), (1, 0, 0, 1, 0, 0)
    match = re.search(rb"([\d.]+) 0 0 ([\d.]+) ([\d.]+) ([\d.]+) cm\s*/Im0 Do", content)
    assert match is not None
    w, h, x, y = (float(v) for v in match.groups())
    a, _, _, d, e, f = _compose((w, 0, 0, h, x, y), place)
    return round(a, 3), round(d, 3), round(e, 3), round(f, 3)


# --- structure ------------------------------------------------------------------------------------------


def test_pages_are_cover_contents_then_every_document_page(built: Built) -> None:
    assert built.info.cover_pages == 1
    assert built.info.contents_pages == 1
    assert len(built.reader.pages) == built.info.page_count == 2 + 1 + 1 + 2 + 2 + 4
    assert built.info.document_pages == {
        "d-pp": (3, 1),
        "d-photo": (4, 1),
        "d-dip": (5, 2),
        "d-tr": (7, 2),
        "d-tx": (9, 4),
    }
    assert built.path.exists()
    assert sorted(p.name for p in built.path.parent.iterdir()) == ["packet.pdf"]  # no temp file left


def test_outline_has_a_bookmark_per_requirement_with_a_child_per_document(built: Built) -> None:
    reader = built.reader
    outline = _outline(reader)
    tops = [top for top, _ in outline]
    children = [group for _, group in outline]
    assert [t.title for t in tops] == ["Passport", "Photograph", "Medical diploma", "Final transcript"]
    assert [[c.title for c in group] for group in children] == [
        ["Passport"],
        ["Photograph"],
        ["Medical diploma", "Medical diploma — English translation"],
        ["Final transcript"],
    ]
    assert [[_page_of(reader, c) for c in group] for group in children] == [[3], [4], [5, 7], [9]]
    assert [_page_of(reader, t) for t in tops] == [3, 4, 5, 9]
    assert [e.title for e in built.info.outline] == [t.title for t in tops]
    assert reader.page_mode == "/UseOutlines"


def test_every_document_page_is_stamped_with_its_document_page_and_name(built: Built) -> None:
    expected = {
        3: "Passport · 1/1",
        4: "Photograph · 1/1",
        5: "Medical diploma · 1/2",
        6: "Medical diploma · 2/2",
        7: "Medical diploma — English translation · 1/2",
        8: "Medical diploma — English translation · 2/2",
        9: "Final transcript · 1/4",
        12: "Final transcript · 4/4",
    }
    for page, label in expected.items():
        assert f"{label} · {NAME}" in _text(built.reader, page)
    assert "Medical diploma · 2/2" in built.reader.pages[5].extract_text()  # spaces are spaces, not tabs
    assert "·" not in _text(built.reader, 1).split("Prepared")[0]  # the cover carries no stamp


def test_cover_shows_the_applicant_date_cycle_version_status_and_warnings(built: Built) -> None:
    cover = _text(built.reader, 1)
    for expected in (
        "María José GARCÍA LÓPEZ",
        "USMLE ID 1234-5678",
        "Universidad Nacional de Colombia",
        "Date of export 20 Nov 2026",
        "ECFMG catalog 2026",
        "ECFMG Desk 9.8.7",
        "Ready",
        "Warning: Your photograph was taken more than 6 months ago.",
        "5 documents, 10 pages",
    ):
        assert expected in cover


def test_contents_lists_requirements_and_documents_with_their_page_numbers(built: Built) -> None:
    contents = _text(built.reader, 2)
    assert contents.startswith("Contents")
    for entry in (
        "Passport 1 document 3",
        "Photograph 1 page 4",
        "Medical diploma 2 documents 5",
        "Medical diploma Spanish · issued 15 Jul 2022 · 2 pages 5",
        "Medical diploma — English translation by Ana Pérez, professional · 2 pages 7",
        "Final transcript Spanish · 4 pages 9",
    ):
        assert entry in contents


def test_metadata_names_the_applicant_and_the_creation_date(built: Built) -> None:
    meta = built.reader.metadata
    assert meta is not None
    assert meta.title == f"ECFMG certification documents — {NAME}"
    assert meta.author == NAME
    assert meta.subject == "USMLE ID 1234-5678"
    assert meta.creator == "ECFMG Desk 9.8.7"
    assert meta.creation_date is not None
    assert str(_dict(built.reader.trailer["/Root"])["/Lang"]) == "en"


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf not installed")
def test_qpdf_finds_no_structural_error(built: Built) -> None:
    done = subprocess.run(["qpdf", "--check", str(built.path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


# --- images ---------------------------------------------------------------------------------------------


def test_image_pages_are_at_their_physical_size_from_the_dpi(built: Built) -> None:
    reader = built.reader
    # 1275x1650 px at 150 dpi is exactly Letter: the page and the image are 612x792 pt.
    assert [float(v) for v in reader.pages[4].mediabox] == [0, 0, 612, 792]
    assert _image_box(reader, 5) == (612, 792, 0, 0)
    # 600x600 px at 300 dpi is 2 in (144 pt), centred on Letter, not enlarged.
    assert [float(v) for v in reader.pages[3].mediabox] == [0, 0, 612, 792]
    assert _image_box(reader, 4) == (144, 144, 234, 324)
    # 1100x850 px at 100 dpi is landscape: the paper turns, the image keeps its 792x612 pt.
    assert [float(v) for v in reader.pages[11].mediabox] == [0, 0, 792, 612]
    assert _image_box(reader, 12) == (792, 612, 0, 0)


def test_an_image_larger_than_the_paper_is_shrunk_to_fit_a4(gui_app: QGuiApplication, tmp_path: Path) -> None:
    store = Store()
    big = samples.make_jpeg(tmp_path / "big.jpg", size_px=(1000, 1200), dpi=50, text="Poster")  # 20x24 in
    doc = store.document("d-big", "other", [big])
    _assemble(tmp_path / "p.pdf", [Section("other", "Other", (doc,))], store, paper="a4")
    reader = PdfReader(tmp_path / "p.pdf")
    assert [round(float(v), 2) for v in reader.pages[2].mediabox] == [0, 0, 595.28, 841.89]
    w, h, x, y = _image_box(reader, 3)
    assert math.isclose(w, 595.2756, abs_tol=0.01) and math.isclose(h, 714.33, abs_tol=0.01)
    assert math.isclose(y, (841.8898 - h) / 2, abs_tol=0.01) and x == 0


def test_a_jpeg_keeps_its_exact_bytes(built: Built) -> None:
    image = _image(built.reader, 5)
    assert image.get("/Filter") == NameObject("/DCTDecode")
    assert image.get_data() == built.jpeg_front
    assert _image(built.reader, 4).get_data() == built.photo
    passport_scan = samples.jpeg_bytes((850, 1100), 100, True, "Sample document", False, 85, False)
    assert _image(built.reader, 3).get_data() == passport_scan  # a scanner PDF's JPEG, copied as stored


def test_png_and_tiff_pages_are_lossless(built: Built) -> None:
    back = built.reader.pages[5].images[0].image
    assert back is not None
    assert (
        ImageChops.difference(back.convert("RGB"), Image.open(io.BytesIO(built.png_back)).convert("RGB")).getbbox()
        is None
    )
    tiff = Image.open(io.BytesIO(built.tiff))
    for frame in range(3):
        tiff.seek(frame)
        page = built.reader.pages[8 + frame].images[0].image
        assert page is not None
        assert ImageChops.difference(page.convert("RGB"), tiff.convert("RGB")).getbbox() is None


# --- password -------------------------------------------------------------------------------------------


def test_a_password_encrypts_the_packet_with_aes_256(gui_app: QGuiApplication, tmp_path: Path) -> None:
    store = Store()
    sections, _ = _sections(store, tmp_path)
    out = tmp_path / "secret.pdf"
    info = _assemble(out, sections, store, password="correct horse ✓")
    assert info.encrypted

    wrong = PdfReader(out)
    assert wrong.is_encrypted
    assert wrong.decrypt("wrong") == 0
    with pytest.raises(FileNotDecryptedError):
        wrong.pages[0].extract_text()

    reader = PdfReader(out)
    assert reader.decrypt("correct horse ✓") != 0
    encrypt = _dict(reader.trailer["/Encrypt"])
    cfm = _dict(_dict(encrypt["/CF"])["/StdCF"])["/CFM"]
    assert (str(encrypt["/V"]), str(encrypt["/R"]), str(cfm)) == ("5", "6", "/AESV3")
    assert f"Medical diploma · 2/2 · {NAME}" in _text(reader, 6)
    assert reader.metadata is not None and reader.metadata.author == NAME
    assert _outline(reader)[0][0].title == "Passport"
    assert _image(reader, 5).get_data() == (tmp_path / "front.jpg").read_bytes()
    assert b"Passport" not in out.read_bytes()  # strings are encrypted too


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf not installed")
def test_qpdf_opens_the_encrypted_packet(gui_app: QGuiApplication, tmp_path: Path) -> None:
    store = Store()
    doc = store.document("d", "other", [samples.make_text_pdf(tmp_path / "a.pdf")])
    _assemble(tmp_path / "s.pdf", [Section("other", "Other", (doc,))], store, password="pw")
    done = subprocess.run(["qpdf", "--password=pw", "--check", str(tmp_path / "s.pdf")], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "R = 6" in done.stdout


# --- scripts --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "family", "expected"),
    [
        ("小明", "王", ("小明 王",)),
        # Arabic is extracted as shaped presentation forms, each word's letters in visual (left-to-right) order.
        ("محمد", "عبد الله", tuple(word[::-1] for word in ("محمد", "عبد", "الله"))),
        # Devanagari conjuncts map back lossily; the first syllable survives.
        ("राहुल", "शर्मा", ("रा",)),
    ],
    ids=["chinese", "arabic", "devanagari"],
)
def test_names_in_any_script_are_drawn_as_text(
    gui_app: QGuiApplication, tmp_path: Path, given: str, family: str, expected: tuple[str, ...]
) -> None:
    """With the fonts the app ships (the suite passes with only DejaVu installed: see tests/run-pytest.sh)."""
    store = Store()
    doc = store.document("d", "other", [samples.make_text_pdf(tmp_path / "a.pdf")])
    profile = replace(PROFILE, given_names=given, family_name=family)
    _assemble(tmp_path / "p.pdf", [Section("other", "Other", (doc,))], store, profile=profile)
    reader = PdfReader(tmp_path / "p.pdf")
    fonts = {str(_dict(f)["/BaseFont"]) for f in _dict(_dict(reader.pages[0]["/Resources"])["/Font"]).values()}
    assert len(fonts) >= 2  # the Latin text's font and a fallback that has the name's script
    cover = unicodedata.normalize("NFKC", " ".join(reader.pages[0].extract_text().split()))
    assert all(part in cover for part in expected), cover
    stamp = unicodedata.normalize("NFKC", " ".join(reader.pages[2].extract_text().split()))
    assert all(part in stamp for part in expected), stamp


# --- stamps on awkward pages ----------------------------------------------------------------------------


def _stamp_centre(reader: PdfReader, page_number: int) -> tuple[float, float]:
    """Where the stamp's centre appears on the displayed (rotated) page, from its cm operators."""
    page = reader.pages[page_number - 1]
    content = page.get_contents()
    assert content is not None
    data = content.get_data().decode("latin-1")
    match = re.search(r"q ([-\d. ]+) cm ([-\d. ]+) cm (/ECFMGDeskStamp\d*) Do Q", data)
    assert match is not None
    a, b, c, d, e, f = (float(v) for v in match.group(1).split())
    s, _, _, s2, dx, dy = (float(v) for v in match.group(2).split())
    form = _dict(_dict(_dict(page["/Resources"])["/XObject"])[match.group(3)])
    bbox = form["/BBox"]
    assert isinstance(bbox, ArrayObject)
    bw, bh = float(bbox[2]), float(bbox[3])
    px, py = s * bw / 2 + dx, s2 * bh / 2 + dy  # centre in "display" space
    ux, uy = a * px + c * py + e, b * px + d * py + f  # in the page's own space
    box = page.cropbox
    w, h = float(box.width), float(box.height)
    rotate = page.rotation % 360
    shown = {0: (ux, uy), 90: (uy, w - ux), 180: (w - ux, h - uy), 270: (h - uy, ux)}[rotate]
    return shown


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_the_stamp_sits_upright_at_the_bottom_of_a_rotated_page(
    gui_app: QGuiApplication, tmp_path: Path, rotate: int
) -> None:
    store = Store()
    doc = store.document("d", "other", [samples.make_text_pdf(tmp_path / "r.pdf", rotate=rotate)])
    _assemble(tmp_path / "p.pdf", [Section("other", "Rotated", (doc,))], store)
    reader = PdfReader(tmp_path / "p.pdf")
    x, y = _stamp_centre(reader, 3)
    shown_width = 792 if rotate in (90, 270) else 612
    assert math.isclose(x, shown_width / 2, abs_tol=0.5)
    assert 3 < y < 15
    assert f"Rotated · 1/1 · {NAME}" in _text(reader, 3)


def test_a_phone_photo_turned_by_exif_shows_upright_with_its_stamp_at_the_bottom(
    gui_app: QGuiApplication, tmp_path: Path
) -> None:
    store = Store()
    # Stored 1100x850 (landscape), EXIF orientation 6: shown turned a quarter, i.e. portrait.
    photo = samples.make_jpeg(tmp_path / "phone.jpg", size_px=(1100, 850), dpi=100, exif_orientation=6)
    transparent = samples.make_png(tmp_path / "alpha.png", alpha=True)
    doc = store.document("d", "other", [photo, transparent])
    _assemble(tmp_path / "p.pdf", [Section("other", "Phone", (doc,))], store)
    reader = PdfReader(tmp_path / "p.pdf")
    page = reader.pages[2]
    size = (float(page.mediabox.width), float(page.mediabox.height))
    assert (size[::-1] if page.rotation in (90, 270) else size) == (612, 792)  # displayed portrait
    x, y = _stamp_centre(reader, 3)
    assert math.isclose(x, 306, abs_tol=0.5) and 3 < y < 15
    assert _image(reader, 3).get_data() == photo.read_bytes()
    assert f"Phone · 2/2 · {NAME}" in _text(reader, 4)


def test_pages_sharing_one_resource_dictionary_each_get_their_own_stamp(
    gui_app: QGuiApplication, tmp_path: Path
) -> None:
    content = b"BT /F1 12 Tf 72 700 Td (Shared resources) Tj ET"
    pdf = samples.build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [4 0 R 5 0 R] /Count 2 /MediaBox [0 0 612 792] /Resources 3 0 R >>",
            b"<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>",
            b"<< /Type /Page /Parent 2 0 R /Contents 6 0 R >>",
            b"<< /Type /Page /Parent 2 0 R /Contents 6 0 R >>",
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        ]
    )
    store = Store()
    doc = store.document("d", "other", [samples.write_file(tmp_path / "shared.pdf", pdf)])
    _assemble(tmp_path / "p.pdf", [Section("other", "Shared", (doc,))], store)
    reader = PdfReader(tmp_path / "p.pdf")
    assert "Shared · 1/2" in _text(reader, 3) and "2/2" not in _text(reader, 3)
    assert "Shared · 2/2" in _text(reader, 4) and "1/2" not in _text(reader, 4)
    assert "Shared resources" in _text(reader, 4)  # inherited resources were kept


# --- long packets ---------------------------------------------------------------------------------------


def test_long_cover_and_contents_run_over_pages_with_right_numbers(gui_app: QGuiApplication, tmp_path: Path) -> None:
    store = Store()
    page = samples.make_text_pdf(tmp_path / "one.pdf")
    sections = [
        Section(f"req-{i}", f"Requirement number {i}", (store.document(f"d{i}", f"req-{i}", [page]),))
        for i in range(40)
    ]
    findings = tuple(
        Finding("error" if i % 3 == 0 else "warning", "expired", f"req-{i}", f"d{i}", f"Problem number {i} " * 6, "")
        for i in range(45)
    )
    info = _assemble(tmp_path / "p.pdf", sections, store, validation=ValidationResult(AS_OF, findings))
    reader = PdfReader(tmp_path / "p.pdf")
    assert info.cover_pages >= 2 and info.contents_pages >= 2
    first = info.cover_pages + info.contents_pages + 1
    assert info.page_count == first + 39 == len(reader.pages)
    cover = " ".join(_text(reader, n) for n in range(1, info.cover_pages + 1))
    assert "Needs attention" in cover and "Problem number 44" in cover
    contents = " ".join(_text(reader, n) for n in range(info.cover_pages + 1, first))
    assert f"Requirement number 0 1 document {first}" in contents
    assert f"Requirement number 39 1 document {first + 39}" in contents
    assert f"Requirement number 39 · 1/1 · {NAME}" in _text(reader, first + 39)
    assert _page_of(reader, _outline(reader)[-1][1][0]) == first + 39


def test_long_contents_lines_wrap_instead_of_being_cut(gui_app: QGuiApplication, tmp_path: Path) -> None:
    """A translation's line (title, translator, kind, date, pages) is longer than the page is wide: it wraps
    onto a second row, every word kept, and the page numbers stay right (issue 15, finding 12)."""
    store = Store()
    page = samples.make_text_pdf(tmp_path / "one.pdf")
    original = store.document("d-o", "transcript", [page], language="es", issued=date(2022, 7, 15))
    translation = store.document(
        "d-t", "translation", [page], language="en", translation_of="d-o", issued=date(2022, 8, 2),
        translator="Servicios Profesionales de Traducción Jurada y Certificada Hernández-Villanueva",
        translator_kind="professional")
    title = "Medical school transcript, final, with every page of every year of study and the grading scale"
    sections = [Section("transcript", title, (original, translation)),
                Section("passport", "Passport", (store.document("d-p", "passport", [page]),))]
    info = _assemble(tmp_path / "p.pdf", sections, store)
    reader = PdfReader(tmp_path / "p.pdf")
    contents = unicodedata.normalize("NFKC", _text(reader, info.cover_pages + 1))  # (the "ﬁ" ligature)
    assert "…" not in contents
    for words in (title, "Servicios Profesionales de Traducción Jurada y Certificada Hernández-Villanueva",
                  "issued 2 Aug 2022", "1 page"):
        assert words in contents, words
    first = info.cover_pages + info.contents_pages + 1
    assert contents.rstrip().endswith(f"Passport 1 document {first + 2} Passport 1 page {first + 2}")


# --- cancel, errors, progress ---------------------------------------------------------------------------


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_cancel_stops_the_export_and_leaves_nothing(gui_app: QGuiApplication, tmp_path: Path) -> None:
    store = Store()
    sections, _ = _sections(store, tmp_path / "in")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "packet.pdf").write_bytes(b"previous export")
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) > 4

    with pytest.raises(CancelledError):
        _assemble(out_dir / "packet.pdf", sections, store, cancel=cancel)
    assert _listing(out_dir) == ["packet.pdf"]
    assert (out_dir / "packet.pdf").read_bytes() == b"previous export"

    with pytest.raises(CancelledError):
        _assemble(out_dir / "new.pdf", sections, store, cancel=lambda: True)
    assert _listing(out_dir) == ["packet.pdf"]


def test_a_bad_file_stops_the_export_naming_it(gui_app: QGuiApplication, tmp_path: Path) -> None:
    store = Store()
    good = store.document("d1", "other", [samples.make_text_pdf(tmp_path / "good.pdf")])
    bad = Document(
        id="d2", requirement="other", files=(FileInfo("broken.jpg", "0" * 64, "jpeg", 10, (good.pages[0],)),)
    )
    store.blobs["0" * 64] = b"this is no image at all"
    out = tmp_path / "out" / "p.pdf"
    with pytest.raises(BadInputError, match=r"broken\.jpg"):
        _assemble(out, [Section("other", "Other", (good, bad))], store)
    assert _listing(out.parent) == []


def test_a_file_whose_pages_differ_from_the_record_is_an_integrity_error(
    gui_app: QGuiApplication, tmp_path: Path
) -> None:
    store = Store()
    doc = store.document("d", "other", [samples.make_text_pdf(tmp_path / "two.pdf", pages=2)])
    wrong = replace(doc, files=(replace(doc.files[0], pages=doc.files[0].pages[:1]),))
    with pytest.raises(IntegrityError, match=r"two\.pdf has 2 pages"):
        _assemble(tmp_path / "p.pdf", [Section("other", "Other", (wrong,))], store)
    assert not (tmp_path / "p.pdf").exists()


def test_progress_counts_up_to_its_total(gui_app: QGuiApplication, tmp_path: Path) -> None:
    store = Store()
    sections, _ = _sections(store, tmp_path)
    seen: list[tuple[int, int]] = []
    _assemble(tmp_path / "p.pdf", sections, store, progress=lambda done, total: seen.append((done, total)))
    totals = {t for _, t in seen}
    assert len(totals) == 1
    dones = [d for d, _ in seen]
    assert dones == sorted(dones) and dones[0] == 0 and dones[-1] == totals.pop()
    assert len(seen) >= 10 + 2


def test_each_file_is_read_once(built: Built) -> None:
    assert built.store.reads == 7


# --- Qt ----------------------------------------------------------------------------------------------------


def test_export_runs_in_a_worker_thread(gui_app: QGuiApplication, tmp_path: Path) -> None:
    store = Store()
    sections, _ = _sections(store, tmp_path)
    result: list[object] = []
    worker = threading.Thread(target=lambda: result.append(_assemble(tmp_path / "t.pdf", sections, store)))
    worker.start()
    worker.join(60)
    assert isinstance(result[0], PacketInfo)
    assert len(PdfReader(tmp_path / "t.pdf").pages) == 12


_CLI_SCRIPT = """
import sys
from pathlib import Path
from tests.packet.conftest import AS_OF, PROFILE, READY, Store
from tests import samples
from ecfmg_desk.packet.assemble import Section, assemble_packet
from PySide6.QtGui import QGuiApplication
folder = Path(sys.argv[1])
store = Store()
doc = store.document("d", "other", [samples.make_text_pdf(folder / "a.pdf")])
assert QGuiApplication.instance() is None
info = assemble_packet(folder / "p.pdf", sections=[Section("other", "Other", (doc,))], profile=PROFILE,
    validation=READY, read_file=store.read, as_of=AS_OF, app_version="1", catalog_cycle="2026")
import os
print(os.environ["QT_QPA_PLATFORM"], type(QGuiApplication.instance()).__name__, info.page_count)
"""


@pytest.mark.slow
def test_without_an_application_one_is_made_on_the_offscreen_platform(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", _CLI_SCRIPT, str(tmp_path)], cwd=root, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["offscreen", "QGuiApplication", "3"]


# --- helpers ---------------------------------------------------------------------------------------------


def test_the_export_gate_refuses_while_validation_finds_errors() -> None:
    ensure_exportable(READY)  # warnings do not block
    blocked = ValidationResult(AS_OF, (Finding("error", "expired", "passport", "d", "Your passport expired.", ""),))
    with pytest.raises(
        ExportBlockedError, match=re.escape("until 1 problem is fixed:\n- Your passport expired.")
    ) as raised:
        ensure_exportable(blocked)
    assert raised.value.exit_code == 1


def test_dates_are_written_with_the_month_as_a_word() -> None:
    assert format_date(date(2022, 7, 15)) == "15 Jul 2022"
    assert format_date(date(2026, 3, 4)) == "4 Mar 2026"


def test_the_space_glyph_is_mapped_back_to_a_space() -> None:
    cmap = (
        b"2 beginbfrange\n<0000> <0000> <0000>\n<0001> <0003> [<0041> <0009> <0042>]\n<0009> <0009> <0009>\n"
        b"endbfrange\n1 beginbfchar\n<0004> <0009>\nendbfchar\n<0005> <0009> <0061>\n"
    )
    fixed = fix_space_mapping(cmap)
    assert b"[<0041> <0020> <0042>]" in fixed
    assert b"<0009> <0009> <0020>" in fixed
    assert b"<0004> <0020>" in fixed
    assert b"<0005> <0009> <0061>" in fixed  # a range from glyph 5 to 9 is left alone
