"""File inspection for import: what is accepted and measured, what is refused and how the refusal reads."""

from __future__ import annotations

import hashlib
import io
import os
import re
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image

from ecfmg_desk.errors import BadInputError
from ecfmg_desk.vault.inspect import (
    MAX_FILE_BYTES,
    MAX_PAGES,
    MAX_PIXELS,
    THUMBNAIL_PX,
    UNKNOWN_DPI_BOX_PT,
    InspectedFile,
    inspect_file,
    render_page,
)
from tests import samples

LETTER_PT = (612.0, 792.0)


def png_size(data: bytes) -> tuple[int, int]:
    """Size of a PNG, after checking that it is one (fully decodable)."""
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "PNG"
        im.load()
        return im.size


def assert_thumbnail(result: InspectedFile) -> tuple[int, int]:
    size = png_size(result.thumbnail)
    assert max(size) <= THUMBNAIL_PX and min(size) >= 1
    return size


def refusal(path: Path, **kwargs: int) -> str:
    """Inspect ``path`` expecting a refusal; check the message is one plain sentence naming the file."""
    with pytest.raises(BadInputError) as caught:
        inspect_file(path, **kwargs)
    assert type(caught.value) is BadInputError
    message = caught.value.message
    assert message == str(caught.value)
    assert path.name in message
    assert "\n" not in message and message.endswith(".")
    assert not re.search(r"\.\s+[A-Z]", message), f"more than one sentence: {message}"
    for leak in ("Error", "Traceback", "exception", "PIL", "pypdf", "pdfium", "errno", "cannot identify"):
        assert leak not in message, f"library text leaked: {message}"
    return message


# --- accepted files -------------------------------------------------------------------------------------


def test_scan_pdf_letter_300dpi_colour(tmp_path: Path) -> None:
    path = samples.make_scan_pdf(tmp_path / "diploma.pdf", pages=1, dpi=300, color=True)
    result = inspect_file(path)
    data = path.read_bytes()
    assert result.data == data
    assert result.info.name == "diploma.pdf"
    assert result.info.kind == "pdf"
    assert result.info.size == len(data)
    assert result.info.sha256 == hashlib.sha256(data).hexdigest()
    (page,) = result.info.pages
    assert (page.width_px, page.height_px, page.dpi, page.color) == (2550, 3300, 300.0, True)
    assert (page.width_pt, page.height_pt) == pytest.approx(LETTER_PT)
    assert assert_thumbnail(result) == (198, 256)


def test_scan_pdf_many_grey_a4_pages(tmp_path: Path) -> None:
    path = samples.make_scan_pdf(tmp_path / "transcript.pdf", pages=4, dpi=150, color=False, page_size="a4")
    pages = inspect_file(path).info.pages
    assert len(pages) == 4
    for page in pages:
        assert (page.width_px, page.height_px, page.dpi, page.color) == (1240, 1754, 150.0, False)
        assert (page.width_pt, page.height_pt) == pytest.approx((595.2, 841.92))


def test_scan_pdf_grey_pixels_stored_as_rgb_is_not_colour(tmp_path: Path) -> None:
    path = samples.make_scan_pdf(tmp_path / "grey-as-rgb.pdf", pages=2, dpi=100, color=False, as_rgb=True)
    assert [p.color for p in inspect_file(path).info.pages] == [False, False]


@pytest.mark.parametrize("color", [True, False])
def test_lossless_scan_pdf_colour_comes_from_a_small_render(tmp_path: Path, color: bool) -> None:
    path = samples.make_scan_pdf(
        tmp_path / "flate.pdf", pages=2, dpi=100, color=color, as_rgb=True, lossless=True
    )
    pages = inspect_file(path).info.pages
    assert [(p.width_px, p.height_px, p.dpi, p.color) for p in pages] == [(850, 1100, 100.0, color)] * 2


def test_scan_pdf_rotated_page_reports_its_shown_size(tmp_path: Path) -> None:
    path = samples.make_scan_pdf(tmp_path / "landscape.pdf", pages=1, dpi=100, rotate=90)
    (page,) = inspect_file(path).info.pages
    assert (page.width_px, page.height_px, page.dpi) == (1100, 850, 100.0)
    assert (page.width_pt, page.height_pt) == pytest.approx((792.0, 612.0))
    assert assert_thumbnail(inspect_file(path)) == (256, 198)


def test_searchable_scan_with_ocr_text_layer_keeps_its_dpi(tmp_path: Path) -> None:
    path = samples.make_scan_pdf(tmp_path / "ocr.pdf", pages=2, dpi=200, ocr_text="MEDICAL DIPLOMA")
    pages = inspect_file(path).info.pages
    assert [(p.dpi, p.color) for p in pages] == [(200.0, True), (200.0, True)]


@pytest.mark.parametrize("color", [False, True])
def test_vector_pdf_has_no_dpi_and_colour_from_a_render(tmp_path: Path, color: bool) -> None:
    path = samples.make_text_pdf(tmp_path / "letter.pdf", pages=3, color=color)
    result = inspect_file(path)
    assert len(result.info.pages) == 3
    for page in result.info.pages:
        assert (page.width_px, page.height_px, page.dpi, page.color) == (None, None, None, color)
        assert (page.width_pt, page.height_pt) == pytest.approx(LETTER_PT)
    assert_thumbnail(result)


def test_vector_pdf_with_a_small_photo_is_colour_without_dpi(tmp_path: Path) -> None:
    (page,) = inspect_file(samples.make_pdf_with_photo(tmp_path / "form.pdf")).info.pages
    assert (page.dpi, page.width_px, page.color) == (None, None, True)


def test_jpeg_scan_letter_300dpi(tmp_path: Path) -> None:
    result = inspect_file(samples.make_jpeg(tmp_path / "passport.jpg"))
    assert result.info.kind == "jpeg"
    (page,) = result.info.pages
    assert (page.width_px, page.height_px, page.dpi, page.color) == (2550, 3300, 300.0, True)
    assert (page.width_pt, page.height_pt) == pytest.approx(LETTER_PT)
    assert assert_thumbnail(result) == (198, 256)


@pytest.mark.parametrize("as_rgb", [False, True], ids=["grey-jpeg", "grey-saved-as-rgb"])
def test_grey_jpeg_is_not_colour(tmp_path: Path, as_rgb: bool) -> None:
    path = samples.make_jpeg(tmp_path / "grey.jpg", size_px=(850, 1100), dpi=100, color=False, as_rgb=as_rgb)
    (page,) = inspect_file(path).info.pages
    assert (page.dpi, page.color) == (100.0, False)


@pytest.mark.parametrize(
    ("size_px", "box"), [((850, 1100), UNKNOWN_DPI_BOX_PT), ((1100, 850), UNKNOWN_DPI_BOX_PT[::-1])]
)
def test_image_without_dpi_is_laid_out_to_fit_letter_and_a4(
    tmp_path: Path, size_px: tuple[int, int], box: tuple[float, float]
) -> None:
    (page,) = inspect_file(samples.make_jpeg(tmp_path / "photo.jpg", size_px=size_px, dpi=None)).info.pages
    assert page.dpi is None
    assert (page.width_px, page.height_px) == size_px
    assert page.width_pt <= box[0] + 1e-6 and page.height_pt <= box[1] + 1e-6
    assert page.width_pt == pytest.approx(box[0]) or page.height_pt == pytest.approx(box[1])
    assert page.width_pt / page.height_pt == pytest.approx(size_px[0] / size_px[1])
    assert max(page.width_pt, page.height_pt) < 842  # fits A4 and Letter


def test_phone_photo_turned_by_exif_is_measured_upright(tmp_path: Path) -> None:
    path = samples.make_jpeg(tmp_path / "phone.jpg", size_px=(400, 300), dpi=72, exif_orientation=6)
    result = inspect_file(path)
    (page,) = result.info.pages
    assert (page.width_px, page.height_px) == (300, 400)
    assert (page.width_pt, page.height_pt) == pytest.approx((300.0, 400.0))
    assert png_size(result.thumbnail) == (192, 256)


def test_cmyk_jpeg_is_colour(tmp_path: Path) -> None:
    path = tmp_path / "print-shop.jpg"
    Image.open(samples.make_jpeg(tmp_path / "rgb.jpg", size_px=(425, 550), dpi=50)).convert("CMYK").save(
        path, "JPEG", dpi=(50, 50)
    )
    (page,) = inspect_file(path).info.pages
    assert (page.dpi, page.color) == (50.0, True)


@pytest.mark.parametrize(
    ("options", "color"),
    [
        ({}, True),
        ({"color": False}, False),
        ({"as_rgb": True, "color": False}, False),
        ({"alpha": True}, True),
        ({"bits16": True, "color": False}, False),
        ({"palette": True}, True),
        ({"palette": True, "color": False}, False),
    ],
    ids=["rgb", "grey", "grey-as-rgb", "rgba", "16-bit-grey", "palette", "grey-palette"],
)
def test_png_modes(tmp_path: Path, options: dict[str, bool], color: bool) -> None:
    flags = {"color": True, "as_rgb": False, "alpha": False, "bits16": False, "palette": False} | options
    result = inspect_file(
        samples.make_png(
            tmp_path / "page.png",
            color=flags["color"],
            as_rgb=flags["as_rgb"],
            alpha=flags["alpha"],
            bits16=flags["bits16"],
            palette=flags["palette"],
        )
    )
    assert result.info.kind == "png"
    (page,) = result.info.pages
    assert (page.width_px, page.height_px, page.dpi, page.color) == (850, 1100, 100.0, color)
    assert (page.width_pt, page.height_pt) == pytest.approx(LETTER_PT)
    assert assert_thumbnail(result) == (198, 256)


def test_png_dpi_from_dots_per_metre_is_rounded(tmp_path: Path) -> None:
    (page,) = inspect_file(samples.make_png(tmp_path / "p.png", size_px=(300, 300), dpi=300)).info.pages
    assert page.dpi == 300.0  # stored as 11811 dots per metre = 299.9994 dpi


def test_multi_page_tiff(tmp_path: Path) -> None:
    result = inspect_file(samples.make_tiff(tmp_path / "transcript.tif", pages=6))
    assert result.info.kind == "tiff"
    assert len(result.info.pages) == 6
    for page in result.info.pages:
        assert (page.width_px, page.height_px, page.dpi, page.color) == (850, 1100, 100.0, True)
        assert (page.width_pt, page.height_pt) == pytest.approx(LETTER_PT)
    assert_thumbnail(result)


def test_tiff_colour_is_judged_per_page(tmp_path: Path) -> None:
    path = samples.make_tiff(tmp_path / "mixed.tiff", pages=3, color=(True, False, True), compression="jpeg")
    assert [p.color for p in inspect_file(path).info.pages] == [True, False, True]


def test_bilevel_fax_tiff(tmp_path: Path) -> None:
    path = samples.make_tiff(tmp_path / "fax.tif", pages=2, dpi=200, compression="group4")
    pages = inspect_file(path).info.pages
    assert [(p.dpi, p.color) for p in pages] == [(200.0, False), (200.0, False)]
    assert pages[0].width_pt == pytest.approx(850 / 200 * 72)


@pytest.mark.parametrize(
    ("make", "name", "kind"),
    [
        (lambda p: samples.make_jpeg(p, size_px=(425, 550), dpi=50), "scan.pdf", "jpeg"),
        (lambda p: samples.make_scan_pdf(p, dpi=50), "scan.jpg", "pdf"),
        (lambda p: samples.make_png(p), "scan.tif", "png"),
        (lambda p: samples.make_tiff(p, pages=2), "scan", "tiff"),
    ],
    ids=["jpeg-named-pdf", "pdf-named-jpg", "png-named-tif", "tiff-without-extension"],
)
def test_kind_is_sniffed_from_the_bytes_not_the_name(
    tmp_path: Path, make: Callable[[Path], Path], name: str, kind: str
) -> None:
    result = inspect_file(make(tmp_path / name))
    assert result.info.kind == kind
    assert result.info.name == name
    assert_thumbnail(result)


def test_symlink_to_a_document_is_inspected_under_the_links_name(tmp_path: Path) -> None:
    target = samples.make_jpeg(tmp_path / "store" / "IMG_0001.jpg", size_px=(425, 550), dpi=50)
    link = tmp_path / "diploma.jpg"
    link.symlink_to(target)
    result = inspect_file(link)
    assert result.info.name == "diploma.jpg"
    assert result.data == target.read_bytes()


# --- previews -------------------------------------------------------------------------------------------


def test_render_page_of_each_kind(tmp_path: Path) -> None:
    pdf = inspect_file(samples.make_scan_pdf(tmp_path / "a.pdf", pages=3, dpi=100))
    assert png_size(render_page(pdf.data, "pdf", 2, 512)) == (396, 512)
    tiff = inspect_file(samples.make_tiff(tmp_path / "a.tif", pages=4))
    assert png_size(render_page(tiff.data, "tiff", 3, 100)) == (77, 100)  # 850 x 1100 scaled, rounded
    jpeg = inspect_file(samples.make_jpeg(tmp_path / "a.jpg", size_px=(300, 400), dpi=50))
    assert png_size(render_page(jpeg.data, "jpeg", 0, 1000)) == (300, 400)  # never enlarged
    vector = inspect_file(samples.make_text_pdf(tmp_path / "t.pdf"))
    assert png_size(render_page(vector.data, "pdf", 0, 1100)) == (850, 1100)


def test_render_page_refuses_bad_arguments_and_bad_data(tmp_path: Path) -> None:
    pdf = samples.make_scan_pdf(tmp_path / "a.pdf", pages=2, dpi=50).read_bytes()
    with pytest.raises(ValueError, match="out of range"):
        render_page(pdf, "pdf", 2, 100)
    with pytest.raises(ValueError, match="max_px"):
        render_page(pdf, "pdf", 0, 0)
    with pytest.raises(ValueError, match="out of range"):
        render_page(samples.make_png(tmp_path / "a.png").read_bytes(), "png", 1, 100)
    with pytest.raises(BadInputError, match=r"^This file is a damaged"):
        render_page(b"%PDF-1.7 nothing else", "pdf", 0, 100)
    with pytest.raises(BadInputError, match=r"^This file holds a picture"):
        render_page(samples.make_bomb_pdf(tmp_path / "b.pdf").read_bytes(), "pdf", 0, 100)


# --- refusals -------------------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    assert "no file" in refusal(tmp_path / "diploma.pdf")


def test_folder(tmp_path: Path) -> None:
    (tmp_path / "scans").mkdir()
    assert "folder" in refusal(tmp_path / "scans")


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.pdf")
    assert "not a regular file" in refusal(tmp_path / "pipe.pdf")


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.pdf").write_bytes(b"")
    assert "empty" in refusal(tmp_path / "empty.pdf")


def test_file_over_the_default_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.pdf"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: nothing is written
    assert "200 MB limit" in refusal(path)


def test_file_over_a_given_limit(tmp_path: Path) -> None:
    path = samples.make_scan_pdf(tmp_path / "scan.pdf", dpi=300)
    message = refusal(path, max_bytes=256 * 1024)
    assert "0.25 MB limit" in message


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda p: samples.make_truncated_pdf(p.with_suffix(".pdf")), "PDF"),
        (lambda p: samples.make_truncated_pdf(p.with_suffix(".pdf"), keep=0.9999), "PDF"),
        (lambda p: samples.make_truncated_jpeg(p.with_suffix(".jpg")), "JPEG image"),
        (lambda p: samples.make_truncated_png(p.with_suffix(".png")), "PNG image"),
        (lambda p: samples.write_file(p.with_suffix(".pdf"), b"%PDF-1.7\n1 0 obj garbage\n%%EOF\n"), "PDF"),
        (
            lambda p: samples.write_file(p.with_suffix(".tif"), b"II*\x00\x08\x00\x00\x00" + b"\xff" * 64),
            "TIFF image",
        ),
        (
            lambda p: samples.write_file(
                p.with_suffix(".tif"), samples.make_tiff(p.with_suffix(".t"), pages=3).read_bytes()[:20000]
            ),
            "TIFF image",
        ),
    ],
    ids=["pdf-half", "pdf-tail-lost", "jpeg-half", "png-half", "pdf-garbage", "tiff-garbage", "tiff-cut"],
)
def test_truncated_or_corrupt_files(tmp_path: Path, make: Callable[[Path], Path], kind: str) -> None:
    message = refusal(make(tmp_path / "diploma"))
    assert f"damaged or incomplete {kind}" in message


@pytest.mark.rule("PDF_NOT_PASSWORD_PROTECTED")
@pytest.mark.parametrize("user_password", ["secret", ""], ids=["needs-password", "owner-password-only"])
def test_encrypted_pdf(tmp_path: Path, user_password: str) -> None:
    path = samples.make_encrypted_pdf(tmp_path / "locked.pdf", user_password=user_password)
    assert "password-protected" in refusal(path)


def test_pdf_without_pages(tmp_path: Path) -> None:
    assert "no pages" in refusal(samples.make_empty_pdf_zero_pages(tmp_path / "blank.pdf"))


def test_pdf_with_a_page_of_no_size(tmp_path: Path) -> None:
    data = samples.build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 0 0] >>",
        ]
    )
    assert "no size" in refusal(samples.write_file(tmp_path / "flat.pdf", data))


def test_pdf_with_too_many_pages(tmp_path: Path) -> None:
    count = MAX_PAGES + 1
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"] * count
    message = refusal(samples.write_file(tmp_path / "book.pdf", samples.build_pdf(objects)))
    assert f"{count} pages" in message


@pytest.mark.parametrize(
    "size_px", [(20000, 20000), (10000, 10000)], ids=["pillow-raises", "pillow-only-warns"]
)
def test_decompression_bomb_png_is_refused_without_any_warning(
    tmp_path: Path, size_px: tuple[int, int]
) -> None:
    path = samples.make_bomb_png(tmp_path / "scan.png", size_px=size_px)
    assert path.stat().st_size < 200_000
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        message = refusal(path)
    assert caught == []
    assert "too large to open safely" in message


def test_bomb_limit_does_not_rely_on_pillows_global(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)  # someone switched Pillow's own check off
    path = samples.make_bomb_png(tmp_path / "scan.png", size_px=(10000, 10000))
    assert "10000 x 10000 pixels" in refusal(path)
    assert MAX_PIXELS < 10000 * 10000


def test_pdf_page_with_a_huge_image_is_refused_before_rendering(tmp_path: Path) -> None:
    assert "30000 x 30000 pixels" in refusal(samples.make_bomb_pdf(tmp_path / "scan.pdf"))


@pytest.mark.parametrize(
    ("make", "what"),
    [
        (lambda p: samples.make_html(p / "notes.pdf"), "a web page (HTML)"),
        (lambda p: samples.make_text_file(p / "diploma.jpg"), "a text file"),
        (lambda p: samples.make_gif(p / "seal.gif"), "a GIF image"),
        (lambda p: samples.make_webp(p / "photo.png"), "a WebP image"),
        (lambda p: samples.make_zip(p / "documents.zip"), "a ZIP archive"),
        (
            lambda p: samples.write_file(p / "x.tiff", bytes(range(256)) * 4),
            "of a kind this app does not recognise",
        ),
    ],
    ids=["html-named-pdf", "text-named-jpg", "gif", "webp-named-png", "zip", "random-bytes"],
)
def test_not_a_document(tmp_path: Path, make: Callable[[Path], Path], what: str) -> None:
    message = refusal(make(tmp_path))
    assert what in message
    assert "not a PDF, JPEG, PNG or TIFF file" in message


def test_symlink_to_something_that_is_not_a_document(tmp_path: Path) -> None:
    target = samples.make_html(tmp_path / "download.html")
    link = tmp_path / "diploma.pdf"
    link.symlink_to(target)
    assert "web page" in refusal(link)


def test_dangling_symlink_is_missing(tmp_path: Path) -> None:
    link = tmp_path / "diploma.pdf"
    link.symlink_to(tmp_path / "gone.pdf")
    assert "no longer exists" in refusal(link)


def test_symlink_to_a_folder(tmp_path: Path) -> None:
    (tmp_path / "scans").mkdir()
    link = tmp_path / "diploma.pdf"
    link.symlink_to(tmp_path / "scans")
    assert "folder" in refusal(link)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = samples.make_png(tmp_path / "private.png")
    path.chmod(0)
    try:
        assert "permission denied" in refusal(path)
    finally:
        path.chmod(0o600)


# --- concurrency ----------------------------------------------------------------------------------------


def test_concurrent_inspection_gives_the_same_answers(tmp_path: Path) -> None:
    """Import workers run in a thread pool: PDFium and the warning filters are serialised inside."""
    paths = [
        samples.make_scan_pdf(tmp_path / "a.pdf", pages=3, dpi=100),
        samples.make_text_pdf(tmp_path / "b.pdf", pages=2, color=True),
        samples.make_tiff(tmp_path / "c.tif", pages=3),
        samples.make_jpeg(tmp_path / "d.jpg", size_px=(850, 1100), dpi=100),
        samples.make_pdf_with_photo(tmp_path / "e.pdf"),
    ] * 2
    expected = [inspect_file(p).info for p in paths]
    filters_before = list(warnings.filters)
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert [r.info for r in pool.map(inspect_file, paths)] == expected
    assert warnings.filters == filters_before


@pytest.mark.rule("LOR_PDF")
@pytest.mark.parametrize("how", ["field", "signature", "certified"])
def test_a_signature_field_or_digital_signature_is_recorded(tmp_path: Path, how: str) -> None:
    from tests.samples import make_scan_pdf, make_signed_pdf, make_text_pdf

    signed = inspect_file(make_signed_pdf(tmp_path / "letter.pdf", how=how))
    assert signed.info.signed and signed.info.kind == "pdf" and len(signed.info.pages) == 1
    plain = inspect_file(make_text_pdf(tmp_path / "plain.pdf", pages=2))
    assert not plain.info.signed
    assert not inspect_file(make_scan_pdf(tmp_path / "scan.pdf", pages=1, dpi=150)).info.signed
