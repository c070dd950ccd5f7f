"""Real sample files for everyone's tests: scans, photos, PDFs and the broken files the app must refuse.

Every generator writes one real file (made with Pillow, img2pdf, pypdf, or by hand where those cannot make
the broken thing we need) at the given path and returns that path. Drawn and encoded images are cached per
argument set, so a suite that asks for the same scan twenty times encodes it once. Defaults are small,
except where a generator's point is "a real 300-dpi scan" (``make_jpeg``, ``make_scan_pdf``): on two cores
the whole suite must stay quick, so ask for big pixels only when a test needs them.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from functools import lru_cache
from pathlib import Path

import img2pdf
from PIL import Image, ImageChops, ImageDraw, ImageFont
from pypdf import PdfReader, PdfWriter

PAGE_SIZES_IN: dict[str, tuple[float, float]] = {
    "letter": (8.5, 11.0),
    "a4": (210 / 25.4, 297 / 25.4),
    "legal": (8.5, 14.0),
}
"""Paper sizes in inches (portrait), for ``page_size=``."""

PageSize = str | tuple[float, float]

_BLUE = (22, 64, 140)
_RED = (190, 30, 45)
_GOLD = (200, 150, 30)


# --- drawing --------------------------------------------------------------------------------------------


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=max(8, size))


def _draw_page(size_px: tuple[int, int], *, color: bool, text: str, texture: bool = False) -> Image.Image:
    """A document-looking page: header band, title, a seal, ruled 'text' lines and a signature box.

    Drawn in ``L`` for a grey scan and ``RGB`` for a colour one, so thumbnails are never blank and the colour
    check has real chroma (blue band, red seal) or none at all.
    """
    width, height = size_px
    mode = "RGB" if color else "L"
    paper: tuple[int, int, int] | int = (250, 248, 240) if color else 250
    im = Image.new(mode, size_px, paper)
    draw = ImageDraw.Draw(im)

    def ink(rgb: tuple[int, int, int]) -> tuple[int, int, int] | int:
        return rgb if color else round(0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2])

    unit = max(1, min(width, height) // 100)
    draw.rectangle((0, 0, width, height // 9), fill=ink(_BLUE))
    draw.text((6 * unit, height // 40), text, fill=ink((255, 255, 255)), font=_font(height // 30))
    draw.text((6 * unit, height // 7), "CERTIFICATE", fill=ink((20, 20, 20)), font=_font(height // 22))
    seal_r = width // 9
    cx, cy = width - 2 * seal_r, height - 2 * seal_r
    draw.ellipse(
        (cx - seal_r, cy - seal_r, cx + seal_r, cy + seal_r),
        fill=ink(_RED),
        outline=ink(_GOLD),
        width=3 * unit,
    )
    left, right = 6 * unit, width - 6 * unit
    for y in range(height // 4, int(height * 0.7), max(2, 4 * unit)):
        draw.line((left, y, right - (y * 7919) % (width // 3), y), fill=ink((60, 60, 60)), width=unit)
    draw.rectangle(
        (left, int(height * 0.75), width // 2, int(height * 0.88)), outline=ink((30, 30, 30)), width=unit
    )
    if texture:  # paper grain: makes the JPEG as large (and as slow to decode) as a real scan's
        grain = Image.effect_noise(size_px, 12).point(lambda v: min(40, abs(v - 128)))
        im = ImageChops.subtract(im, grain if mode == "L" else Image.merge("RGB", (grain, grain, grain)))
    return im


def _encode(im: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    im.save(out, fmt, **params)
    return out.getvalue()


def _dpi_param(dpi: float | None) -> dict[str, object]:
    return {} if dpi is None else {"dpi": (dpi, dpi)}


@lru_cache(maxsize=32)
def jpeg_bytes(
    size_px: tuple[int, int] = (850, 1100),
    dpi: float | None = 100,
    color: bool = True,
    text: str = "Sample document",
    as_rgb: bool = False,
    quality: int = 85,
    texture: bool = False,
    exif_orientation: int | None = None,
) -> bytes:
    """The bytes of a scanned page as JPEG (cached). ``as_rgb``: a grey drawing stored as RGB."""
    im = _draw_page(size_px, color=color, text=text, texture=texture)
    if as_rgb:
        im = im.convert("RGB")
    params: dict[str, object] = {"quality": quality, **_dpi_param(dpi)}
    if exif_orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        params["exif"] = exif.tobytes()
    return _encode(im, "JPEG", **params)


def write_file(path: Path, data: bytes) -> Path:
    """Write ``data`` (creating folders) and return ``path``: for hand-made bytes in a test."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _size_for(page_size: PageSize, dpi: float) -> tuple[int, int]:
    w_in, h_in = PAGE_SIZES_IN[page_size.lower()] if isinstance(page_size, str) else page_size
    return round(w_in * dpi), round(h_in * dpi)


# --- images ---------------------------------------------------------------------------------------------


def make_jpeg(
    path: Path,
    *,
    size_px: tuple[int, int] = (2550, 3300),
    dpi: float | None = 300,
    color: bool = True,
    text: str = "Sample document",
    as_rgb: bool = False,
    quality: int = 85,
    texture: bool = False,
    exif_orientation: int | None = None,
) -> Path:
    """A JPEG scan (default: Letter at 300 dpi). ``dpi=None`` stores no resolution (JFIF aspect only)."""
    return write_file(path, jpeg_bytes(size_px, dpi, color, text, as_rgb, quality, texture, exif_orientation))


@lru_cache(maxsize=16)
def _png_bytes(
    size_px: tuple[int, int],
    dpi: float | None,
    color: bool,
    text: str,
    as_rgb: bool,
    alpha: bool,
    bits16: bool,
    palette: bool,
) -> bytes:
    im = _draw_page(size_px, color=color, text=text)
    if as_rgb:
        im = im.convert("RGB")
    if palette:
        im = im.convert("RGB").quantize(64)
    if alpha:
        im = im.convert("RGBA" if im.mode == "RGB" else "LA")
    if bits16:
        im = im.convert("I").point(lambda v: v * 257).convert("I;16")
    return _encode(im, "PNG", compress_level=1, **_dpi_param(dpi))


def make_png(
    path: Path,
    *,
    size_px: tuple[int, int] = (850, 1100),
    dpi: float | None = 100,
    color: bool = True,
    text: str = "Sample document",
    as_rgb: bool = False,
    alpha: bool = False,
    bits16: bool = False,
    palette: bool = False,
) -> Path:
    """A PNG page (default: Letter at 100 dpi, small so it encodes fast).

    ``alpha``: with a transparency channel; ``bits16``: 16-bit grey; ``palette``: 64 indexed colours.
    """
    return write_file(path, _png_bytes(size_px, dpi, color, text, as_rgb, alpha, bits16, palette))


@lru_cache(maxsize=8)
def _tiff_bytes(
    pages: int,
    size_px: tuple[int, int],
    dpi: float | None,
    color: bool | tuple[bool, ...],
    compression: str,
    text: str,
) -> bytes:
    colors = color if isinstance(color, tuple) else (color,) * pages
    frames = [_draw_page(size_px, color=colors[i], text=f"{text} - page {i + 1}") for i in range(pages)]
    if compression == "group4":
        frames = [f.convert("L").point(lambda v: 255 if v > 160 else 0).convert("1") for f in frames]
    out = io.BytesIO()
    frames[0].save(
        out, "TIFF", save_all=True, append_images=frames[1:], compression=compression, **_dpi_param(dpi)
    )
    return out.getvalue()


def make_tiff(
    path: Path,
    pages: int = 6,
    *,
    size_px: tuple[int, int] = (850, 1100),
    dpi: float | None = 100,
    color: bool | tuple[bool, ...] = True,
    compression: str = "tiff_lzw",
    text: str = "Sample document",
) -> Path:
    """A multi-page TIFF, one frame per page; ``color`` may be a tuple (one flag per page).

    ``compression``: any Pillow TIFF compression (``tiff_lzw``, ``jpeg``, ``raw``) or ``group4`` for bilevel
    fax-style pages.
    """
    return write_file(path, _tiff_bytes(pages, size_px, dpi, color, compression, text))


def make_gif(path: Path) -> Path:
    """A real GIF (an image type the app refuses)."""
    return write_file(path, _encode(_draw_page((170, 220), color=True, text="GIF"), "GIF"))


def make_webp(path: Path) -> Path:
    """A real WebP (refused: ECFMG takes PDF, JPEG, PNG, TIFF)."""
    return write_file(path, _encode(_draw_page((170, 220), color=True, text="WebP"), "WEBP"))


def make_truncated_jpeg(path: Path, *, keep: float = 0.5) -> Path:
    """A JPEG cut off part way (an interrupted download or copy)."""
    data = jpeg_bytes((425, 550), 50, True, "Sample document")
    return write_file(path, data[: int(len(data) * keep)])


def make_truncated_png(path: Path, *, keep: float = 0.5) -> Path:
    data = _png_bytes((425, 550), 50, True, "Sample document", False, False, False, False)
    return write_file(path, data[: int(len(data) * keep)])


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


@lru_cache(maxsize=4)
def _bomb_png_bytes(size_px: tuple[int, int]) -> bytes:
    width, height = size_px
    row = b"\x00" + b"\xff" * ((width + 7) // 8)  # filter byte + one bilevel row of white
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def make_bomb_png(path: Path, *, size_px: tuple[int, int] = (20000, 20000)) -> Path:
    """A complete, valid 1-bit PNG that declares ``size_px`` (400 MP by default) in ~100 KB on disk.

    Decoding it would need ``width*height`` bytes in Pillow's 8-bit ``L``/``1`` storage: a decompression bomb.
    ``size_px=(10000, 10000)`` (100 MP) is the case Pillow only *warns* about.
    """
    return write_file(path, _bomb_png_bytes(size_px))


# --- PDFs -----------------------------------------------------------------------------------------------


def _pdf_string(text: str) -> bytes:
    return (
        b"("
        + text.encode("latin-1", "replace")
        .replace(b"\\", b"\\\\")
        .replace(b"(", b"\\(")
        .replace(b")", b"\\)")
        + b")"
    )


def _stream(entries: bytes, data: bytes) -> bytes:
    return b"<< " + entries + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def build_pdf(objects: list[bytes]) -> bytes:
    """A classic-xref PDF from object bodies (object ``i+1`` is ``objects[i]``; object 1 is the catalog).

    For files that pypdf will not write (no pages, a declared-huge image) and exact control of page content.
    """
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _pages_pdf(page_bodies: list[tuple[bytes, bytes, bytes]]) -> bytes:
    """One PDF from (page dictionary extras, resources, content stream) triples; object 3 is Helvetica."""
    count = len(page_bodies)
    first_page = 4
    kids = b" ".join(b"%d 0 R" % (first_page + 2 * i) for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for i, (extras, resources, content) in enumerate(page_bodies):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R %s /Resources << /Font << /F1 3 0 R >> %s >> "
            b"/Contents %d 0 R >>" % (extras, resources, first_page + 2 * i + 1)
        )
        objects.append(_stream(b"", content))
    return build_pdf(objects)


def _text_content(width: float, height: float, *, text: str, page_no: int, color: bool) -> bytes:
    band = b"0.09 0.25 0.55 rg" if color else b"0.3 g"
    lines = [
        band,
        b"0 %.2f %.2f %.2f re f" % (height * 8 / 9, width, height / 9),
        b"BT /F1 28 Tf 1 g 54 %.2f Td %s Tj ET" % (height * 8 / 9 + 28, _pdf_string(text)),
        b"BT /F1 11 Tf 0 g 54 %.2f Td 14 TL" % (height * 0.75),
    ]
    for n in range(30):
        lines.append(_pdf_string(f"Line {n + 1} of page {page_no}: the quick brown fox jumps over.") + b" '")
    lines.append(b"ET")
    if color:
        lines.append(b"0.75 0.12 0.18 rg %.2f 72 72 72 re f" % (width - 144))
    return b"\n".join(lines)


def make_text_pdf(
    path: Path,
    pages: int = 1,
    *,
    text: str = "Sample document",
    page_size: PageSize = "letter",
    color: bool = False,
    rotate: int = 0,
) -> Path:
    """A vector PDF (text and shapes, no image): its pages have no DPI. ``color``: a blue band, a red box."""
    w_in, h_in = PAGE_SIZES_IN[page_size.lower()] if isinstance(page_size, str) else page_size
    width, height = w_in * 72, h_in * 72
    extras = b"/MediaBox [0 0 %.2f %.2f]" % (width, height) + (b" /Rotate %d" % rotate if rotate else b"")
    bodies = [
        (extras, b"", _text_content(width, height, text=text, page_no=i + 1, color=color))
        for i in range(pages)
    ]
    return write_file(path, _pages_pdf(bodies))


def _scan_pdf_bytes(  # not cached: img2pdf only copies the (cached) scan bytes, ~1 ms a page
    pages: int,
    dpi: float,
    color: bool,
    size_px: tuple[int, int],
    as_rgb: bool,
    texture: bool,
    rotate: int,
    ocr_text: str | None,
    lossless: bool = False,
    text: str = "Sample document",
) -> bytes:
    if lossless:  # img2pdf stores PNG data Flate-compressed (no JPEG in the PDF)
        scan = _png_bytes(size_px, dpi, color, text, as_rgb, False, False, False)
    else:
        scan = jpeg_bytes(size_px, dpi, color, text, as_rgb, 85, texture)
    data: bytes = img2pdf.convert([scan] * pages)
    if not rotate and ocr_text is None:
        return data
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    overlay = None
    if ocr_text is not None:  # an invisible OCR layer, as "searchable PDF" scanners write
        content = b"BT 3 Tr /F1 12 Tf 72 700 Td %s Tj ET" % _pdf_string(ocr_text)
        overlay = PdfReader(io.BytesIO(_pages_pdf([(b"/MediaBox [0 0 612 792]", b"", content)]))).pages[0]
    for page in writer.pages:
        if overlay is not None:
            page.merge_page(overlay)
        if rotate:
            page.rotate(rotate)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_scan_pdf(
    path: Path,
    pages: int = 1,
    dpi: float = 300,
    color: bool = True,
    page_size: PageSize = "letter",
    *,
    as_rgb: bool = False,
    texture: bool = False,
    rotate: int = 0,
    ocr_text: str | None = None,
    lossless: bool = False,
    text: str = "Sample document",
) -> Path:
    """A scanner's PDF: each page one JPEG at ``dpi`` covering the page (img2pdf copies the JPEG bytes).

    All pages share one encoded JPEG (fast). ``texture`` adds paper grain so the JPEG is as big as a real
    scan's (for benchmarks); ``rotate`` sets /Rotate; ``ocr_text`` adds an invisible text layer;
    ``lossless`` stores the scan Flate-compressed (from a PNG) instead of as a JPEG. ``text`` is what the page
    shows: two scans made in the same second with the same options are the same bytes (img2pdf's date has
    seconds), which the validator rightly calls one file filed twice (``duplicate-file``); different
    documents need different ``text``.
    """
    size_px = _size_for(page_size, dpi)
    return write_file(
        path, _scan_pdf_bytes(pages, dpi, color, size_px, as_rgb, texture, rotate, ocr_text, lossless, text)
    )


def make_signed_pdf(path: Path, *, how: str = "field", pages: int = 1) -> Path:
    """A letter PDF as signing tools leave it: ``how="field"`` an empty signature field (a form widget with
    ``/FT /Sig``), ``"signature"`` a filled one (``/V`` a ``/Sig`` dictionary with ``/ByteRange``, the AcroForm's
    ``/SigFlags 3``), ``"certified"`` a DocMDP certification (``/Perms`` in the catalog)."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

    bodies = [(b"/MediaBox [0 0 612 792]", b"", _text_content(612, 792, text="Letter", page_no=i + 1, color=False))
              for i in range(pages)]
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pages_pdf(bodies))))
    sig = DictionaryObject({
        NameObject("/Type"): NameObject("/Sig"),
        NameObject("/Filter"): NameObject("/Adobe.PPKLite"),
        NameObject("/ByteRange"): ArrayObject([NumberObject(n) for n in (0, 10, 20, 5)]),
        NameObject("/Contents"): TextStringObject("0"),
    })
    if how == "certified":
        writer._root_object[NameObject("/Perms")] = DictionaryObject({NameObject("/DocMDP"): writer._add_object(sig)})
    else:
        field = DictionaryObject({
            NameObject("/FT"): NameObject("/Sig"),
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/T"): TextStringObject("Signature1"),
            NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (72, 72, 272, 122)]),
        })
        if how == "signature":
            field[NameObject("/V")] = writer._add_object(sig)
        ref = writer._add_object(field)
        writer.pages[0][NameObject("/Annots")] = ArrayObject([ref])
        form = DictionaryObject({NameObject("/Fields"): ArrayObject([ref])})
        if how == "signature":
            form[NameObject("/SigFlags")] = NumberObject(3)
        writer._root_object[NameObject("/AcroForm")] = writer._add_object(form)
    out = io.BytesIO()
    writer.write(out)
    return write_file(path, out.getvalue())


def make_encrypted_pdf(
    path: Path, *, user_password: str = "secret", owner_password: str | None = None
) -> Path:
    """A password-protected PDF (AES-256). ``user_password=""``: opens without a password but is encrypted."""
    writer = PdfWriter(
        clone_from=PdfReader(
            io.BytesIO(
                _pages_pdf(
                    [
                        (
                            b"/MediaBox [0 0 612 792]",
                            b"",
                            _text_content(612, 792, text="Secret", page_no=1, color=False),
                        )
                    ]
                )
            )
        )
    )
    writer.encrypt(
        user_password=user_password,
        owner_password=owner_password or "owner-" + user_password,
        algorithm="AES-256",
    )
    out = io.BytesIO()
    writer.write(out)
    return write_file(path, out.getvalue())


def make_deeply_nested_pdf(path: Path) -> Path:
    """A one-page PDF that opens and renders, but whose page carries a dictionary nested 80 levels deep: no
    new PDF can be made from it (the copier refuses such nesting, as a hostile file's)."""
    nested = b"<< /A " * 80 + b"1" + b" >>" * 80
    content = b"BT /F1 12 Tf 72 700 Td (Academic record, page 2) Tj ET"
    return write_file(path, build_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /PieceInfo " + nested +
        b" /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]))


def make_empty_pdf_zero_pages(path: Path) -> Path:
    """A well-formed PDF whose page tree is empty (built by hand: pypdf will not write one)."""
    return write_file(
        path, build_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])
    )


def make_truncated_pdf(path: Path, *, keep: float = 0.5) -> Path:
    """A scan PDF cut off after ``keep`` of its bytes (an interrupted download)."""
    data = _scan_pdf_bytes(2, 50, True, _size_for("letter", 50), False, False, 0, None)
    return write_file(path, data[: int(len(data) * keep)])


def make_bomb_pdf(path: Path, *, size_px: tuple[int, int] = (30000, 30000)) -> Path:
    """A one-page PDF whose only image declares ``size_px`` (900 MP) but holds a few bytes.

    Rendering it (for a thumbnail) would make PDFium allocate the declared size.
    """
    width, height = size_px
    pixels = zlib.compress(b"\xff" * width * 4)
    image = _stream(
        b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /FlateDecode" % (width, height),
        pixels,
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /Im0 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        image,
        _stream(b"", b"q 612 0 0 792 0 0 cm /Im0 Do Q"),
    ]
    return write_file(path, build_pdf(objects))


def make_pdf_with_photo(path: Path) -> Path:
    """A vector page (text) with a small colour photo on it: not a scan, so no page DPI, but colour."""
    jpeg = jpeg_bytes((120, 150), 100, True, "ID")
    image = _stream(
        b"/Type /XObject /Subtype /Image /Width 120 /Height 150 /ColorSpace /DeviceRGB "
        b"/BitsPerComponent 8 /Filter /DCTDecode",
        jpeg,
    )
    content = (
        _text_content(612, 792, text="Application", page_no=1, color=False)
        + b"\nq 120 0 0 150 420 540 cm /Im0 Do Q"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> "
        b"/XObject << /Im0 6 0 R >> >> /Contents 5 0 R >>",
        _stream(b"", content),
        image,
    ]
    return write_file(path, build_pdf(objects))


# --- not documents --------------------------------------------------------------------------------------


def make_html(path: Path, *, title: str = "Sign in") -> Path:
    """A web page, as saved by a browser when a download link led to a login page."""
    html = f"<!DOCTYPE html>\n<html><head><title>{title}</title></head><body><p>{title}</p></body></html>\n"
    return write_file(path, html.encode())


def make_text_file(path: Path, *, text: str = "Notes about my diploma.\nCall the registrar.\n") -> Path:
    return write_file(path, text.encode())


def make_zip(path: Path) -> Path:
    """A ZIP archive holding a scan (what a 'download all' button gives)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("diploma.jpg", jpeg_bytes((85, 110), 10, True, "Sample document"))
    return write_file(path, out.getvalue())


def resign_bundle(src: Path, dst: Path, key: object, change: object = None) -> Path:
    """Rebuild a bundle with ``zipfile``, edit its manifest with ``change`` (a callable, optional) and sign it with
    ``key`` (an Ed25519 private key that is not the student's), recomputing the checksum: a bundle whose signature
    is valid, made by someone with a key of their own."""
    import hashlib
    import json
    from collections.abc import Callable
    from typing import Any, cast

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from ecfmg_desk.packet.bundle import SIGNATURE_CONTEXT
    from ecfmg_desk.vault.signatures import sign_body

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "manifest.json":
                body: dict[str, Any] = json.loads(data)
                if change is not None:
                    cast(Callable[[dict[str, Any]], None], change)(body)
                del body["signature"]
                body.pop("manifest_sha256", None)
                body["signature"] = sign_body(cast(Ed25519PrivateKey, key), SIGNATURE_CONTEXT, body)
                canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
                body["manifest_sha256"] = hashlib.sha256(canonical).hexdigest()
                data = json.dumps(body).encode()
            zout.writestr(info, data)
    return dst
