"""What a file really is, before it enters the vault: type, pages, pixels, DPI, colour, a thumbnail.

The type is sniffed from the bytes (a JPEG named ``.pdf`` is a JPEG; an HTML login page named ``.pdf`` is
refused). Everything the applicant could feed us that we cannot use becomes one ``BadInputError`` sentence
that names the file: no library's exception text, no traceback. Decompression bombs are stopped by our own
explicit limits (``MAX_FILE_BYTES``, ``MAX_PIXELS``, ``MAX_PAGES``) rather than Pillow's process-wide
defaults: the size of every picture is checked before anything decodes or renders it.

Speed (DESIGN.md section 5: a 20-page 300-dpi scan PDF imports in under 2 s): PDF pages are never rendered
at full size. A scanner's page (one JPEG covering the page) is judged from the image's colour space, or from a
1/8-scale JPEG decode; other pages from a <=64 px PDFium render; only the first page gets a 256 px thumbnail.
Image pages are decoded one at a time and reduced at once, so no more than one full-size page is held.

Qt-free (the vault layer must stay so); safe to call from worker threads (see ``PDFIUM_LOCK``).
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import io
import logging
import math
import stat
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image, ImageChops
from pypdf import PdfReader

from ecfmg_desk.core.model import FileInfo, FileKind, Page
from ecfmg_desk.errors import BadInputError

MAX_FILE_BYTES = 200 * 1024 * 1024
"""Largest file accepted (a 20-page 600-dpi colour scan is ~80 MB; ECFMG's upload limits are far lower)."""

MAX_PIXELS = 89_478_485
"""Largest picture (width x height) decoded or rendered: Pillow's own *warning* threshold, made a hard limit.

A 600-dpi A3 scan is 70 MP. Above this a crafted file can make us allocate gigabytes (a decompression bomb).
"""

MAX_PAGES = 500
"""Most pages in one file (a transcript is tens of pages); bounds the work a crafted file can cause."""

THUMBNAIL_PX = 256
"""Longest side of the first-page thumbnail stored with each file."""

UNKNOWN_DPI_BOX_PT = (595.28, 792.0)
"""Where an image without a stored DPI is laid out: the largest box that fits both A4 and Letter (A4's width,
Letter's height; swapped for a landscape image). The image is scaled to fill it, ``dpi`` is ``None`` and the
rules engine warns that its resolution is unknown."""

PDFIUM_LOCK = threading.RLock()
"""Serialises every PDFium call (PDFium is not thread-safe, even across documents) and the warning filters
that this module sets around its parsers (``warnings.catch_warnings`` is not thread-safe either). Any other
code in the process that calls pypdfium2 must hold it too."""

_KIND_LABEL: dict[FileKind, str] = {
    "pdf": "PDF",
    "jpeg": "JPEG image",
    "png": "PNG image",
    "tiff": "TIFF image",
}
_PIL_FORMAT: dict[FileKind, str] = {"jpeg": "JPEG", "png": "PNG", "tiff": "TIFF"}
_ACCEPTED = "a PDF, JPEG, PNG or TIFF file"

_SAMPLE_PX = 256
"""Reduced copy an image page is judged on (colour) and, for the first page, shown from."""
_PDF_COLOR_PX = 64
"""Render size of a non-scan PDF page for the colour check."""
_DPI_RANGE = (10.0, 10_000.0)
"""A stored DPI outside this range is junk (e.g. JFIF's 1:1 aspect ratio read as 1 dpi): treated as absent."""
_CHROMA_MIN = 24
"""A pixel is coloured when its max-min channel spread exceeds this (a grey scan's JPEG noise stays below)."""
_COLOR_FRACTION = 0.002
"""...and a page is colour when more than this share of its (reduced) pixels is (a seal, a stamp, a photo)."""
_SCAN_COVERAGE = 0.9
"""A PDF page is a scan when one image covers at least this share of its MediaBox."""

_GREY_MODES = frozenset({"1", "L", "LA", "La", "I", "I;16", "I;16L", "I;16B", "I;16N", "F"})
_EXIF_ORIENTATION = 0x0112
_TRANSPOSE: dict[int, tuple[Image.Transpose, ...]] = {
    2: (Image.Transpose.FLIP_LEFT_RIGHT,),
    3: (Image.Transpose.ROTATE_180,),
    4: (Image.Transpose.FLIP_TOP_BOTTOM,),
    5: (Image.Transpose.TRANSPOSE,),
    6: (Image.Transpose.ROTATE_270,),
    7: (Image.Transpose.TRANSVERSE,),
    8: (Image.Transpose.ROTATE_90,),
}

# Files people mistake for documents: leading bytes -> what to call them, and what to do instead.
_SAVE_AS_IMAGE = "save or export it as JPEG or PNG and add that file"
_SAVE_AS_PDF = "save or print it as a PDF and add that file"
_UNPACK = "take the document out of the archive and add it"
_FOREIGN_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"GIF87a", "a GIF image", _SAVE_AS_IMAGE),
    (b"GIF89a", "a GIF image", _SAVE_AS_IMAGE),
    (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "a JPEG 2000 image", _SAVE_AS_IMAGE),
    (b"\xff\x4f\xff\x51", "a JPEG 2000 image", _SAVE_AS_IMAGE),
    (
        b"PK\x03\x04",
        "a ZIP archive or an Office file",
        "take the document out of the archive, or save it as a PDF",
    ),
    (b"PK\x05\x06", "an empty ZIP archive", _UNPACK),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Microsoft Office file", _SAVE_AS_PDF),
    (b"{\\rtf", "an RTF document", _SAVE_AS_PDF),
    (b"Rar!\x1a\x07", "a RAR archive", _UNPACK),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", _UNPACK),
    (b"\x1f\x8b", "a compressed (gzip) file", _UNPACK),
)
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1")


@dataclass(frozen=True)
class InspectedFile:
    """A file accepted for import: its exact bytes, what was measured, and its first page as a PNG."""

    data: bytes = field(repr=False)
    info: FileInfo
    thumbnail: bytes = field(repr=False)
    page_pdf: bytes | None = field(default=None, repr=False)
    """An image's pages as PDF (:func:`image_pdf`, made once here and copied by every export); ``None`` for a
    PDF, or for an image img2pdf cannot place (the export then says so)."""


# --- public API -----------------------------------------------------------------------------------------


def inspect_file(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> InspectedFile:
    """Read and measure ``path`` for import, or raise ``BadInputError`` with one sentence for the applicant.

    A symlink is followed (its target is what gets inspected) but the name shown and stored is the one the
    applicant picked.
    """
    path = Path(path)
    name = path.name or str(path)
    data = _read(path, name, max_bytes)
    kind = sniff_kind(data, name)
    signed = False
    page_pdf = None
    if kind == "pdf":
        pages, thumbnail, signed = _inspect_pdf(data, name)
    else:
        pages, thumbnail = _inspect_image(data, kind, name)
        with contextlib.suppress(PagePdfError):
            page_pdf = image_pdf(kind, data)
    info = FileInfo(
        name=name, sha256=hashlib.sha256(data).hexdigest(), kind=kind, size=len(data), pages=tuple(pages),
        signed=signed,
    )
    return InspectedFile(data=data, info=info, thumbnail=thumbnail, page_pdf=page_pdf)


class PagePdfError(Exception):
    """Internal: img2pdf could not make pages of this image (the caller words it for the user)."""


_MAX_PAGE_PT = 14400.0
"""The largest page side PDF readers accept (200 in); a bigger image's page is scaled down to it."""


def _natural_size(width_px: int, height_px: int, dpi: tuple[float, float]) -> tuple[float, float, float, float]:
    """img2pdf layout: the page is the image at its physical size (``dpi``), bounded by the largest PDF page."""
    w, h = width_px * 72.0 / dpi[0], height_px * 72.0 / dpi[1]
    scale = min(1.0, _MAX_PAGE_PT / w, _MAX_PAGE_PT / h)
    return w * scale, h * scale, w * scale, h * scale


def image_pdf(kind: FileKind, data: bytes) -> bytes:
    """The pages of an image file as a PDF, one page per frame, each the image at its true size: made once at
    import so that every export only copies them (issue 14; re-encoding the same PNG and TIFF pages at each
    export took 1.4 s of a 4 s export).

    Lossless: img2pdf copies a JPEG's bytes and a PNG's compressed data as they are; a TIFF (or a PNG it cannot
    copy, e.g. interlaced) becomes Flate data once. No dates are written, so the same image always gives the
    same bytes (and the same blob). The packet places each page on the chosen paper (``packet.assemble``).
    """
    import img2pdf  # 0.5 s of imports (it pulls in pikepdf): only when an image is converted

    logging.getLogger("img2pdf").addHandler(logging.NullHandler())  # its notes are not the user's business
    try:
        with _parsers():
            pdf: bytes = img2pdf.convert(
                data,
                layout_fun=_natural_size,
                engine=img2pdf.Engine.internal,
                rotation=img2pdf.Rotation.ifvalid,
                first_frame_only=kind != "tiff",  # a phone's MPO/APNG extras are not pages (as at import)
                nodate=True,
            )
    except MemoryError:
        raise
    except Exception as exc:  # img2pdf and Pillow raise many types on an image they cannot place
        raise PagePdfError(str(exc) or type(exc).__name__) from exc
    return pdf


def render_page(data: bytes, kind: FileKind, page_index: int, max_px: int) -> bytes:
    """PNG of one page, its longest side ``max_px`` (images are never enlarged), for previews without Qt.

    ``data`` is expected to have passed ``inspect_file``; if it is unreadable anyway, ``BadInputError``.
    """
    if max_px < 1 or max_px * max_px > MAX_PIXELS:
        raise ValueError(f"max_px must be between 1 and {math.isqrt(MAX_PIXELS)}, not {max_px}")
    if page_index < 0:
        raise ValueError(f"page_index must not be negative, not {page_index}")
    name = ""  # no file name here: messages say "This file"
    if kind == "pdf":
        return _png(_render_pdf_page(data, page_index, max_px, name), fast=True)
    with _parsers():
        try:
            im = _open_image(data, kind, name)
            frames = getattr(im, "n_frames", 1) if kind == "tiff" else 1
            if page_index >= frames:
                raise ValueError(f"page_index {page_index} out of range: the file has {frames} page(s)")
            im.seek(page_index)
            _check_pixels(im.size, name)
            return _png(_sample(im, max_px), fast=True)
        except (BadInputError, ValueError):
            raise
        except Exception as exc:
            raise _damaged(name, kind) from exc


def sniff_kind(data: bytes, name: str) -> FileKind:
    """The document type from the leading bytes (never the extension), else ``BadInputError`` naming it."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if b"%PDF-" in data[:1024]:  # the PDF spec lets the header sit anywhere in the first 1 KB
        return "pdf"
    what, advice = _describe_foreign(data)
    raise BadInputError(f"{_subject(name)} is {what}, not {_ACCEPTED}; {advice}.")


# --- reading --------------------------------------------------------------------------------------------


def _read(path: Path, name: str, max_bytes: int) -> bytes:
    """The file's bytes, after refusing what is not a readable regular file of an acceptable size."""
    try:
        st = path.stat()  # follows symlinks
    except FileNotFoundError:
        if path.is_symlink():
            raise BadInputError(f'"{path}" is a link to a file that no longer exists.') from None
        raise BadInputError(
            f'There is no file "{path}"; it may have been moved, renamed or deleted.'
        ) from None
    except PermissionError:
        raise BadInputError(f'"{path}" cannot be opened: permission denied.') from None
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a name too long, a NUL in the name
        raise BadInputError(f'"{path}" cannot be opened (a broken link or an invalid name).') from None
    if stat.S_ISDIR(st.st_mode):
        raise BadInputError(f'"{path}" is a folder, not a file; choose the document files inside it.')
    if not stat.S_ISREG(st.st_mode):
        raise BadInputError(f'"{path}" is not a regular file (it is a device, pipe or socket).')
    if st.st_size == 0:
        raise BadInputError(f"{_subject(name)} is empty (0 bytes); scan or save the document again.")
    if st.st_size > max_bytes:
        raise _too_large(name, st.st_size, max_bytes)
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)  # the file may have grown since stat()
    except PermissionError:
        raise BadInputError(f"{_subject(name)} cannot be read: permission denied.") from None
    except OSError:
        raise BadInputError(f"{_subject(name)} could not be read from the disk.") from None
    if not data:
        raise BadInputError(f"{_subject(name)} is empty (0 bytes); scan or save the document again.")
    if len(data) > max_bytes:
        raise _too_large(name, len(data), max_bytes)
    return data


def _megabytes(size: int) -> str:
    mb = size / (1024 * 1024)
    return f"{mb:.0f}" if mb >= 100 else f"{mb:.3g}"  # "200", "12.3", "0.25"


def _too_large(name: str, size: int, limit: int) -> BadInputError:
    return BadInputError(
        f"{_subject(name)} is {_megabytes(size)} MB, more than the {_megabytes(limit)} MB limit; "
        "scan it again at 300 dpi or split it into several files."
    )


def _describe_foreign(data: bytes) -> tuple[str, str]:
    """What a non-document file is, in the applicant's words, and what to do with the document instead."""
    for signature, what, advice in _FOREIGN_SIGNATURES:
        if data.startswith(signature):
            return what, advice
    if data[:2] == b"BM" and data[6:10] == b"\x00\x00\x00\x00":  # "BM", file size, two reserved zeros
        return "a BMP image", _SAVE_AS_IMAGE
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "a WebP image", _SAVE_AS_IMAGE
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in _HEIF_BRANDS:
            return "an HEIC photo (as iPhones take them)", "export it as JPEG and add that file"
        if brand in (b"avif", b"avis"):
            return "an AVIF image", _SAVE_AS_IMAGE
        return "a video or audio file", "scan or photograph the document and add that file"
    text = _as_text(data[:4096])
    if text is not None:
        head = text.lstrip("\ufeff \t\r\n").lower()
        if head.startswith(("<!doctype html", "<html")) or any(t in head[:2048] for t in ("<html", "<body")):
            return (
                "a web page (HTML)",
                "download the document itself, or print the page as a PDF and add that",
            )
        if head.startswith("<?xml") or head.startswith("<svg"):
            return ("an SVG drawing", _SAVE_AS_PDF) if "<svg" in head else ("an XML file", _SAVE_AS_PDF)
        return "a text file", _SAVE_AS_PDF
    return (
        "of a kind this app does not recognise",
        "scan or save the document as one of those and add that file",
    )


def _as_text(sample: bytes) -> str | None:
    """The sample decoded when it looks like text (UTF-8/16 or mostly printable Latin-1), else ``None``."""
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return sample.decode("utf-16", "replace")
    if b"\x00" in sample:
        return None
    try:
        return codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        printable = sum(32 <= b < 127 or b in b"\t\r\n" or b >= 160 for b in sample)
        return sample.decode("latin-1") if printable >= 0.95 * len(sample) else None


# --- shared helpers -------------------------------------------------------------------------------------


def _subject(name: str) -> str:
    """How a message names the file: quoted, or "This file" where no name is known (``render_page``)."""
    return f'"{name}"' if name else "This file"


@contextmanager
def _parsers() -> Iterator[None]:
    """Hold ``PDFIUM_LOCK`` and silence the parsers' advisory warnings for the duration.

    Pillow and pypdf warn (``UserWarning``) about recoverable oddities (a bad EXIF tag, a wrong xref offset)
    and Pillow about big pictures (``DecompressionBombWarning``, which we replace by our own hard check). The
    same filters apply in tests (``filterwarnings = error``) and for users, so a file accepted in one is
    accepted in the other and nothing is printed to a terminal.
    """
    with PDFIUM_LOCK, warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning)
        warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)
        warnings.filterwarnings("ignore", category=pdfium.PdfiumWarning)
        yield


def _damaged(name: str, kind: FileKind) -> BadInputError:
    return BadInputError(
        f"{_subject(name)} is a damaged or incomplete {_KIND_LABEL[kind]} that cannot be read; "
        "scan or save the document again and add the new file."
    )


def _too_many_pages(name: str, count: int) -> BadInputError:
    return BadInputError(
        f"{_subject(name)} has {count} pages, more than the {MAX_PAGES} one file may have; "
        "split it into several files."
    )


def _check_pixels(size: tuple[int, int], name: str) -> None:
    width, height = size
    if width < 1 or height < 1:
        raise BadInputError(
            f"{_subject(name)} holds a picture with no pixels; scan or save the document again."
        )
    if width * height > MAX_PIXELS:
        raise _bomb(name, size)


def _bomb(name: str, size: tuple[int, int] | None) -> BadInputError:
    declared = f" of {size[0]} x {size[1]} pixels," if size else ""
    return BadInputError(
        f"{_subject(name)} holds a picture{declared} too large to open safely (the limit is "
        f"{MAX_PIXELS / 1e6:.0f} megapixels); scan it again at 300 dpi and add that file."
    )


def _png(im: Image.Image, *, fast: bool = False) -> bytes:
    """PNG bytes: compact for stored thumbnails; ``fast`` (zlib level 1, ~4x quicker) for previews."""
    out = io.BytesIO()
    im.save(out, "PNG", compress_level=1 if fast else 6)
    return out.getvalue()


def _has_color(im: Image.Image) -> bool:
    """Whether a (small) RGB/L picture shows colour, not just a grey scan stored as RGB."""
    if im.mode != "RGB":
        return False
    red, green, blue = im.split()
    high = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    low = ImageChops.darker(ImageChops.darker(red, green), blue)
    histogram = ImageChops.subtract(high, low).histogram()
    coloured = sum(histogram[_CHROMA_MIN + 1 :])
    return coloured > _COLOR_FRACTION * im.width * im.height


def _fit(im: Image.Image, max_px: int) -> Image.Image:
    """``im`` shrunk (never enlarged) so that its longest side is at most ``max_px``."""
    if max(im.size) <= max_px:
        return im
    scale = max_px / max(im.size)
    size = (max(1, round(im.width * scale)), max(1, round(im.height * scale)))
    # reducing_gap: box-reduce by an integer factor first (cheap), then resample only the last step
    return im.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


# --- images ---------------------------------------------------------------------------------------------


def _open_image(data: bytes, kind: FileKind, name: str) -> Image.Image:
    """Pillow's lazy open (header only), restricted to the sniffed format; caller holds ``_parsers()``."""
    try:
        return Image.open(io.BytesIO(data), formats=(_PIL_FORMAT[kind],))
    except Image.DecompressionBombError as exc:
        raise _bomb(name, None) from exc


def _inspect_image(data: bytes, kind: FileKind, name: str) -> tuple[list[Page], bytes]:
    """Pages of a JPEG/PNG (one) or TIFF (one per frame), decoded one frame at a time."""
    pages: list[Page] = []
    thumbnail = b""
    try:
        with _parsers():
            im = _open_image(data, kind, name)
            count = getattr(im, "n_frames", 1) if kind == "tiff" else 1  # MPO/APNG extras are not pages
        if count > MAX_PAGES:
            raise _too_many_pages(name, count)
        for index in range(count):
            with _parsers():
                im.seek(index)
                _check_pixels(im.size, name)
                page, sample = _image_page(im)
                pages.append(page)
                if index == 0:
                    thumbnail = _png(_fit(sample, THUMBNAIL_PX))
    except BadInputError:
        raise
    except Image.DecompressionBombError as exc:
        raise _bomb(name, None) from exc
    except Exception as exc:  # truncated data, a bad IFD, a codec error, MemoryError...
        raise _damaged(name, kind) from exc
    return pages, thumbnail


def _image_page(im: Image.Image) -> tuple[Page, Image.Image]:
    """Measure the current frame (decoding it, reduced) and return its ``Page`` and the reduced copy."""
    orientation = _orientation(im)
    width, height = im.size
    x_dpi, y_dpi = _stored_dpi(im.info)
    sample = _sample(im, _SAMPLE_PX, orientation)
    if orientation in (5, 6, 7, 8):  # shown turned a quarter: report the page as the applicant sees it
        width, height, x_dpi, y_dpi = height, width, y_dpi, x_dpi
    color = im.mode not in _GREY_MODES and _has_color(sample)
    return _image_page_size(width, height, x_dpi, y_dpi, color), sample


def _orientation(im: Image.Image) -> int:
    try:
        value = im.getexif().get(_EXIF_ORIENTATION, 1)
    except Exception:  # unreadable EXIF is not a reason to refuse the picture
        return 1
    return value if isinstance(value, int) and value in _TRANSPOSE else 1


def _stored_dpi(info: dict[str | tuple[int, int], Any]) -> tuple[float | None, float | None]:
    dpi = info.get("dpi")
    if not isinstance(dpi, tuple) or len(dpi) != 2:
        return None, None
    try:
        x_dpi, y_dpi = float(dpi[0]), float(dpi[1])
    except (TypeError, ValueError, ZeroDivisionError):
        return None, None
    low, high = _DPI_RANGE
    if not (low <= x_dpi <= high and low <= y_dpi <= high):
        return None, None
    return round(x_dpi, 1), round(y_dpi, 1)  # PNG stores dots per metre: 11811/m reads 299.9994


def _image_page_size(width: int, height: int, x_dpi: float | None, y_dpi: float | None, color: bool) -> Page:
    if x_dpi is not None and y_dpi is not None:
        return Page(
            width_px=width,
            height_px=height,
            dpi=min(x_dpi, y_dpi),
            width_pt=width / x_dpi * 72,
            height_pt=height / y_dpi * 72,
            color=color,
        )
    box_w, box_h = UNKNOWN_DPI_BOX_PT if height >= width else UNKNOWN_DPI_BOX_PT[::-1]
    scale = min(box_w / width, box_h / height)
    return Page(
        width_px=width,
        height_px=height,
        dpi=None,
        width_pt=width * scale,
        height_pt=height * scale,
        color=color,
    )


def _sample(im: Image.Image, max_px: int, orientation: int | None = None) -> Image.Image:
    """The current frame decoded as ``L`` or ``RGB`` (transparency flattened on white), upright, <= max_px.

    A JPEG is decoded at 1/2..1/8 scale straight from its DCT data (``draft``); other formats decode in full,
    then reduce at once so only one full-size frame lives at a time.
    """
    if orientation is None:
        orientation = _orientation(im)
    if im.format == "JPEG":
        target = max(1, max_px)
        im.draft(None, (target, target * im.height // max(1, im.width)))
    im.load()
    flat = _flatten(im)
    flat = _fit(flat, max_px)
    for step in _TRANSPOSE.get(orientation, ()):
        flat = flat.transpose(step)
    return flat


def _flatten(im: Image.Image) -> Image.Image:
    """Any Pillow mode as ``L`` (grey) or ``RGB``; transparent areas become white paper."""
    mode = im.mode
    if mode in ("L", "RGB"):
        return im
    if mode == "1":
        return im.convert("L")
    if mode.startswith("I;16"):
        return im.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    if mode in ("I", "F"):
        low, high = cast(tuple[float, float], im.getextrema())  # one band: (min, max)
        span = float(high - low) or 1.0
        return im.point(lambda v: (v - low) * (255 / span)).convert("L")
    if mode in ("LA", "La"):
        grey = Image.new("L", im.size, 255)
        grey.paste(im.convert("L"), mask=im.getchannel("A"))
        return grey
    if mode in ("RGBA", "RGBa", "PA") or (mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        paper = Image.new("RGB", im.size, (255, 255, 255))
        paper.paste(rgba.convert("RGB"), mask=rgba.getchannel("A"))
        return paper
    return im.convert("RGB")  # P, CMYK, YCbCr, LAB, HSV, RGBX


# --- PDFs -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Box:
    """A page's physical size from pypdf (the reader the packet export uses): MediaBox, /Rotate, /UserUnit."""

    width_pt: float
    height_pt: float
    user_unit: float
    quarter_turned: bool


def _check_pdf_tail(data: bytes, name: str) -> None:
    """Refuse a PDF cut short: every complete PDF ends with ``%%EOF`` (the spec: within its last 1 KB)."""
    if b"%%EOF" not in data[-4096:].rstrip(b"\x00\t\n\f\r ")[-1024:]:  # a slice: never copy 40 MB
        raise _damaged(name, "pdf")


def _inspect_pdf(data: bytes, name: str) -> tuple[list[Page], bytes, bool]:
    _check_pdf_tail(data, name)
    boxes, signed = _pdf_boxes(data, name)
    pages: list[Page] = []
    thumbnail = b""
    with _parsers():
        try:
            document = pdfium.PdfDocument(data)
        except Exception as exc:
            raise _damaged(name, "pdf") from exc
    try:
        with _parsers():
            if len(document) != len(boxes):  # the two readers disagree: the page tree is broken
                raise _damaged(name, "pdf")
        for index, box in enumerate(boxes):
            with _parsers():
                page = document[index]
                try:
                    measured, thumb = _pdf_page(page, box, name, want_thumbnail=index == 0)
                finally:
                    page.close()
            pages.append(measured)
            if thumb is not None:
                thumbnail = thumb
    except BadInputError:
        raise
    except Image.DecompressionBombError as exc:
        raise _bomb(name, None) from exc
    except Exception as exc:
        raise _damaged(name, "pdf") from exc
    finally:
        with _parsers():
            document.close()
    return pages, thumbnail, signed


_SIGNATURE_SCAN_LIMIT = 2000
"""Form fields and annotations looked at for a signature (a hostile file cannot make the scan endless)."""


def _is_signature(obj: Any) -> bool:
    """A signature field (``/FT /Sig``) or a signature dictionary (``/Type /Sig`` or ``/ByteRange``)."""
    try:
        item = obj.get_object()
        if not hasattr(item, "get"):
            return False
        if item.get("/FT") == "/Sig" or item.get("/Type") in ("/Sig", "/DocTimeStamp") or "/ByteRange" in item:
            return True
        value = item.get("/V")
        if value is not None:
            value = value.get_object()
            return hasattr(value, "get") and (value.get("/Type") == "/Sig" or "/ByteRange" in value)
    except Exception:  # a broken object is not a signature; the file was already measured as readable
        return False
    return False


def _pdf_signed(reader: PdfReader) -> bool:
    """Whether a PDF carries a digital signature or a signature field (the AAMC LoR Portal refuses both)."""
    try:
        root: Any = reader.trailer["/Root"].get_object()
        if "/Perms" in root:  # certification (DocMDP) or usage-rights signatures
            return True
        seen = 0
        pending: list[Any] = []
        form: Any = root.get("/AcroForm")
        if form is not None:
            form = form.get_object()
            if int(form.get("/SigFlags", 0) or 0) & 1:
                return True
            pending.extend(form.get("/Fields", []) or [])
        for page in reader.pages:
            pending.extend(page.get("/Annots", []) or [])
            if len(pending) > _SIGNATURE_SCAN_LIMIT:
                break
        while pending and seen < _SIGNATURE_SCAN_LIMIT:
            obj = pending.pop()
            seen += 1
            if _is_signature(obj):
                return True
            item = obj.get_object()
            kids = item.get("/Kids") if hasattr(item, "get") else None
            if kids:
                pending.extend(list(kids.get_object())[: _SIGNATURE_SCAN_LIMIT])
    except Exception:
        return False
    return False


def _pdf_boxes(data: bytes, name: str) -> tuple[list[_Box], bool]:
    """Open with pypdf: refuse encrypted, page-less and unreadable files; measure each page's box; note whether
    it carries a digital signature or a signature field."""
    with _parsers():
        try:
            reader = PdfReader(io.BytesIO(data))
            encrypted = reader.is_encrypted
        except Exception as exc:
            raise _damaged(name, "pdf") from exc
        if encrypted:
            raise BadInputError(
                f"{_subject(name)} is a password-protected (encrypted) PDF; save or print a copy "
                "without a password and add that copy."
            )
        try:
            count = len(reader.pages)
            if count == 0:
                raise BadInputError(
                    f"{_subject(name)} is a PDF with no pages; save or scan the document again."
                )
            if count > MAX_PAGES:
                raise _too_many_pages(name, count)
            boxes = []
            for page in reader.pages:
                unit = float(page.user_unit)
                width, height = (
                    abs(float(page.mediabox.width)) * unit,
                    abs(float(page.mediabox.height)) * unit,
                )
                if not (width >= 1 and height >= 1 and math.isfinite(width * height)):
                    raise BadInputError(
                        f"{_subject(name)} has a page with no size; save or scan the document again."
                    )
                boxes.append(_Box(width, height, unit, page.rotation % 180 == 90))
            signed = _pdf_signed(reader)
        except BadInputError:
            raise
        except Exception as exc:
            raise _damaged(name, "pdf") from exc
    return boxes, signed


def _pdf_page(page: Any, box: _Box, name: str, *, want_thumbnail: bool) -> tuple[Page, bytes | None]:
    """Measure one PDFium page (caller holds ``_parsers()``): scan DPI, colour, and maybe the thumbnail."""
    top = _guard_page_images(page, name)
    scan = top[0] if len(top) == 1 and top[0].type == pdfium_c.FPDF_PAGEOBJ_IMAGE else None
    if scan is not None and _coverage(scan, page) < _SCAN_COVERAGE:
        scan = None

    width_pt, height_pt = (
        (box.height_pt, box.width_pt) if box.quarter_turned else (box.width_pt, box.height_pt)
    )
    width_px = height_px = None
    dpi = None
    color: bool | None = None
    if scan is not None:
        width_px, height_px, dpi = _scan_resolution(scan, box)
        color = _scan_color(scan, name)

    thumb_image = _render(page, THUMBNAIL_PX) if want_thumbnail else None
    if color is None:
        color = _has_color(thumb_image if thumb_image is not None else _render(page, _PDF_COLOR_PX))
    measured = Page(
        width_px=width_px, height_px=height_px, dpi=dpi, width_pt=width_pt, height_pt=height_pt, color=color
    )
    return measured, (_png(thumb_image) if thumb_image is not None else None)


def _guard_page_images(page: Any, name: str) -> list[Any]:
    """Refuse a page holding a picture larger than ``MAX_PIXELS`` before anything renders it.

    Reads sizes from the image dictionaries only (no decoding), descending into form XObjects. Returns the
    page's top-level objects other than text (one pass: a scan's invisible OCR text does not count).
    """
    top = []
    for obj in page.get_objects():
        if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            width, height = obj.get_px_size()
            _check_pixels((int(width), int(height)), name)
        if obj.level == 0 and obj.type != pdfium_c.FPDF_PAGEOBJ_TEXT:
            top.append(obj)
    return top


def _coverage(image: Any, page: Any) -> float:
    """Share of the page's MediaBox that an image's bounds cover (both in PDF user space)."""
    left, bottom, right, top = image.get_bounds()
    m_left, m_bottom, m_right, m_top = page.get_mediabox()
    overlap_w = max(0.0, min(right, m_right) - max(left, m_left))
    overlap_h = max(0.0, min(top, m_top) - max(bottom, m_bottom))
    area = (m_right - m_left) * (m_top - m_bottom)
    return overlap_w * overlap_h / area if area > 0 else 0.0


def _scan_resolution(image: Any, box: _Box) -> tuple[int, int, float | None]:
    """Pixel size as shown on the page, and effective DPI (pixels per inch of page the image spans).

    The image's own x axis runs along ``(a, b)`` of its matrix and its y axis along ``(c, d)``.
    """
    px_w, px_h = image.get_px_size()
    matrix = image.get_matrix()
    span_x = math.hypot(matrix.a, matrix.b) * box.user_unit / 72  # inches the image's width covers
    span_y = math.hypot(matrix.c, matrix.d) * box.user_unit / 72
    dpi = round(min(px_w / span_x, px_h / span_y), 1) if span_x > 0 and span_y > 0 else None
    sideways = abs(matrix.b) > abs(matrix.a)  # the image is drawn turned a quarter on the page
    shown_w, shown_h = (px_h, px_w) if sideways else (px_w, px_h)
    if box.quarter_turned:
        shown_w, shown_h = shown_h, shown_w
    return int(shown_w), int(shown_h), dpi


def _scan_color(image: Any, name: str) -> bool | None:
    """A scan page's colour from its image without rendering; ``None`` when only a render can tell.

    Grey colour spaces are not colour. A JPEG (DCTDecode) in RGB is decoded at 1/8 scale by Pillow, which
    is several times cheaper than a PDFium render (that decodes the JPEG in full).
    """
    metadata = image.get_metadata()
    space, bpp = metadata.colorspace, metadata.bits_per_pixel
    if space in (pdfium_c.FPDF_COLORSPACE_DEVICEGRAY, pdfium_c.FPDF_COLORSPACE_CALGRAY):
        return False
    if space == pdfium_c.FPDF_COLORSPACE_ICCBASED and 0 < bpp <= 8:  # one component: an ICC grey
        return False
    if image.get_filters() != ["DCTDecode"]:
        return None
    jpeg = Image.open(io.BytesIO(bytes(image.get_data(decode_simple=False))), formats=("JPEG",))
    _check_pixels(jpeg.size, name)
    if jpeg.mode == "L":
        return False
    if jpeg.mode != "RGB":  # CMYK in a PDF may be inverted by /Decode: let PDFium show the truth
        return None
    return _has_color(_sample(jpeg, _SAMPLE_PX, orientation=1))


def _render(page: Any, max_px: int) -> Image.Image:
    """Render a PDFium page (caller holds ``_parsers()``) with its longest side ``max_px``, as RGB."""
    width, height = page.get_size()  # already turned by /Rotate
    scale = max_px / max(width, height)
    bitmap = page.render(scale=scale, rev_byteorder=True)
    try:
        im = bitmap.to_pil().convert("RGB")  # a copy: the bitmap's buffer is freed below, under the lock
    finally:
        bitmap.close()
    return _fit(im, max_px)


def _render_pdf_page(data: bytes, page_index: int, max_px: int, name: str) -> Image.Image:
    with _parsers():
        try:
            document = pdfium.PdfDocument(data)
        except Exception as exc:
            raise _damaged(name, "pdf") from exc
        try:
            if page_index >= len(document):
                raise ValueError(
                    f"page_index {page_index} out of range: the file has {len(document)} page(s)"
                )
            page = document[page_index]
            try:
                _guard_page_images(page, name)
                return _render(page, max_px)
            finally:
                page.close()
        except (BadInputError, ValueError):
            raise
        except Exception as exc:
            raise _damaged(name, "pdf") from exc
        finally:
            document.close()
