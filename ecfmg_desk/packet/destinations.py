"""Files ready for each portal: one file per document, with a plain name, checked against the rules the catalog
sources for that destination, and a preflight report (what was changed, what still fails) made before anything
is written (issue 14).

- ``lor-portal`` (letters of recommendation; RULES.md LOR_PDF, [C]): a PDF, at most 1 MB, 8.5 × 11 in pages,
  never encrypted or signed. A page of another size is placed on a letter page, signature fields are dropped
  (the file is written anew), and a file over the limit is recompressed: losslessly first, then, only if that
  is not enough, its images are saved again as JPEG at decreasing quality down to a floor (reported as a change
  with loss). What is still over the limit fails and is not written.
- ``eras`` (the ERAS photo and the documents ECFMG sends to ERAS): the photo as it is, its size and pixels
  warned about (RULES.md ERAS_PHOTO is third-party, [T]); other documents as scanned.
- ``myintealth`` (credentials): the scans as they are, unencrypted; MyIntealth publishes no file limits
  (RULES.md P2, [?]), so nothing is changed for a limit and the report says the limits are unknown.

A document of several files becomes one PDF of all its pages (RULES.md ALL_PAGES_ONE_FILE), its images and
scans copied as stored. Every limit and its severity come from the catalog (``max_file_bytes``, ``page_size_pt``,
``color_required`` ...), never from here: a [T] rule is a warning, a [C] rule the file cannot meet keeps it
from being written.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, PdfObject, StreamObject

from ecfmg_desk.core.catalog import Catalog, Requirement
from ecfmg_desk.core.model import TRANSLATION_REQUIREMENT, Document, FileInfo
from ecfmg_desk.core.rules import format_size, superseded_documents
from ecfmg_desk.errors import BadInputError, CancelledError, UsageError

from ._output import atomic_output
from ._pdfstream import ImageRewrite, PdfCopyError, StreamingPdfWriter
from .assemble import _placement  # the packet's own placing: centred, turned for landscape, shrunk only to fit

if TYPE_CHECKING:
    from PIL import Image

    from ecfmg_desk.vault.store import Vault

Destination = Literal["myintealth", "lor-portal", "eras"]
DESTINATIONS: tuple[Destination, ...] = ("myintealth", "lor-portal", "eras")

PageReader = Callable[[FileInfo], bytes]
"""A file's pages as PDF: a PDF file's bytes, an image's true-size pages."""

_REQUIREMENTS: dict[str, tuple[str, ...]] = {
    "lor-portal": ("recommendation-letter",),
    "eras": ("eras-photo", "mspe", "final-transcript"),
    "myintealth": (
        "passport",
        "photo",
        "identity-form",
        "name-change",
        "name-verification",
        "medical-diploma",
        "final-transcript",
        "transfer-transcript",
    ),
}
"""The documents each portal takes; the English translations of those documents go with them."""

NOTES: dict[str, str] = {
    "myintealth": "MyIntealth does not publish its upload limits (file types, size): your scans are written as "
    "they are, unencrypted, one file per document.",
    "eras": "ECFMG does not publish the file limits for documents it sends to ERAS: scans are written as they "
    "are. The ERAS photo rules come from third-party guides only.",
    "lor-portal": "The LoR Portal's rules (AAMC): PDF, at most 1 MB, 8.5 × 11 in pages, not encrypted, no "
    "signature fields.",
}

JPEG_QUALITIES: tuple[int, ...] = (80, 70, 60, 50, 40)
"""The lossy fallback, tried in order until the file fits; 40 is the floor. Below it a scanned letter's small
print, letterhead and signature visibly blur, and the portal's reader would see a worse letter than the
writer sent: better to ask the writer for a smaller PDF."""

_MAX_REWRITE_PIXELS = 60_000_000
"""An image larger than this is left as it is (decoding it would cost hundreds of MB for one letter)."""

_EXTENSIONS = {"pdf": "pdf", "jpeg": "jpg", "png": "png", "tiff": "tif"}



@dataclass(frozen=True)
class PlannedFile:
    """One file of the preflight: what it will be called, what was changed, what still fails."""

    document_id: str
    title: str
    name: str
    """Plain file name: lower-case ASCII letters, digits and hyphens, then the extension."""
    size: int
    changes: tuple[str, ...]
    problems: tuple[str, ...]
    """What still breaks a sourced rule: this file is not written."""
    warnings: tuple[str, ...]
    data: bytes = field(default=b"", repr=False, compare=False)
    """The file's bytes, made by the preflight: writing only copies them."""

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Preflight:
    """Every file bound for one portal, made in memory and checked; nothing is written yet."""

    destination: str
    folder: Path
    files: tuple[PlannedFile, ...]
    note: str

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)

    @property
    def ready(self) -> tuple[PlannedFile, ...]:
        """The files that will be written."""
        return tuple(f for f in self.files if f.ok)

    @property
    def failing(self) -> tuple[PlannedFile, ...]:
        return tuple(f for f in self.files if not f.ok)

    def existing(self) -> tuple[Path, ...]:
        """Files of the same names already in the folder (writing replaces them)."""
        return tuple(self.folder / f.name for f in self.ready if (self.folder / f.name).exists())


def _slug(text: str) -> str:
    """Lower-case ASCII letters, digits and hyphens only: no character any portal refuses (LoR: ``| * ? :``),
    no space, nothing a file system or an upload form could mangle."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-") or "document"


def image_pages(info: FileInfo, data: bytes) -> bytes:
    """An image file's pages as PDF at their true size, lossless, as the vault makes them at import; for files
    without a vault's stored copy."""
    from ecfmg_desk.vault.inspect import PagePdfError, image_pdf

    try:
        return image_pdf(info.kind, data)
    except PagePdfError as exc:
        raise BadInputError(f"{info.name} cannot be made into a PDF: {exc}") from exc


def _open(info: FileInfo, data: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise BadInputError(
                f"{info.name} is password-protected and cannot be opened here; ask for an unprotected copy."
            )
        _ = len(reader.pages)
    except PdfReadError as exc:
        raise BadInputError(f"{info.name} is not a readable PDF: {exc}") from exc
    return reader


def _is_signature(obj: PdfObject) -> bool:
    """A signature field or widget (``/FT /Sig``, or a value that is a signature dictionary)."""
    try:
        item = obj.get_object()
        if not isinstance(item, DictionaryObject):
            return False
        if item.get("/FT") == "/Sig":
            return True
        parent = item.get("/Parent")
        parent = parent.get_object() if parent is not None else None
        if isinstance(parent, DictionaryObject) and parent.get("/FT") == "/Sig":
            return True
        value = item.get("/V")
        value = value.get_object() if value is not None else None
        return isinstance(value, DictionaryObject) and (value.get("/Type") == "/Sig" or "/ByteRange" in value)
    except Exception:  # a broken annotation is not a signature; the page was read at import
        return False


def _signature_fields(reader: PdfReader) -> bool:
    """Whether the file has a signature field, in its form or on a page."""
    try:
        root = reader.trailer["/Root"].get_object()
        if isinstance(root, DictionaryObject) and "/Perms" in root:
            return True
        form = root.get("/AcroForm") if isinstance(root, DictionaryObject) else None
        form = form.get_object() if form is not None else None
        fields = form.get("/Fields") if isinstance(form, DictionaryObject) else None
        fields = fields.get_object() if fields is not None else None
        if isinstance(fields, ArrayObject) and any(_is_signature(f) for f in list.__iter__(fields)):
            return True
        for page in reader.pages:
            annots = page.get("/Annots")
            annots = annots.get_object() if annots is not None else None
            if isinstance(annots, ArrayObject) and any(_is_signature(a) for a in list.__iter__(annots)):
                return True
    except Exception:
        return False
    return False


def _value(obj: DictionaryObject, key: str) -> object:
    """``obj[key]`` resolved (pypdf resolves indirect values on item access only, not in ``get``)."""
    return obj.__getitem__(key) if key in obj else None


def _image_of(obj: StreamObject) -> Image.Image | None:
    """The pixels of an 8-bit grey or RGB image XObject as a Pillow image, or ``None`` for anything else (masks,
    indexed or CMYK colour, decode arrays): those are copied as stored."""
    from PIL import Image

    if _value(obj, "/ImageMask") or _value(obj, "/Decode") is not None or _value(obj, "/BitsPerComponent") != 8:
        return None
    space = _value(obj, "/ColorSpace")
    mode = {"/DeviceRGB": "RGB", "/DeviceGray": "L"}.get(space) if isinstance(space, str) else None
    if isinstance(space, ArrayObject) and len(space) == 2 and space[0] == "/ICCBased":
        profile = space[1].get_object()
        mode = {1: "L", 3: "RGB"}.get(int(profile.get("/N", 0))) if isinstance(profile, DictionaryObject) else None
    width, height = _value(obj, "/Width"), _value(obj, "/Height")
    if mode is None or not isinstance(width, int) or not isinstance(height, int):
        return None
    if width <= 0 or height <= 0 or width * height > _MAX_REWRITE_PIXELS:
        return None
    raw_filter = _value(obj, "/Filter")
    filters = list(raw_filter) if isinstance(raw_filter, ArrayObject) else [raw_filter] if raw_filter else []
    if filters == ["/DCTDecode"]:
        image = Image.open(io.BytesIO(obj._data))  # the stored JPEG (pypdf keeps stored bytes in _data)
        return image if image.mode == mode and image.size == (width, height) else None
    if filters in ([], ["/FlateDecode"]):
        raw = obj.get_data()
        if len(raw) != width * height * len(mode):
            return None
        return Image.frombytes(mode, (width, height), raw)
    return None


def _jpeg_rewrite(quality: int) -> ImageRewrite:
    """Each grey or RGB image saved again as JPEG at ``quality``, where that is smaller than it is stored."""

    def rewrite(obj: StreamObject) -> tuple[bytes, Mapping[str, bytes]] | None:
        try:
            image = _image_of(obj)
            if image is None:
                return None
            out = io.BytesIO()
            image.save(out, "JPEG", quality=quality, optimize=True)
        except MemoryError:
            raise
        except Exception:  # a damaged image is copied as stored; the size check then decides
            return None
        data = out.getvalue()
        if len(data) >= len(obj._data):
            return None
        return data, {"/Filter": b"/DCTDecode"}

    return rewrite


@dataclass
class _Built:
    data: bytes
    kind: str
    changes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _one_pdf(
    doc: Document,
    page_pdf: PageReader,
    *,
    page_size: tuple[float, float] | None,
    tolerance: float,
    recompress: bool = False,
    rewrite: ImageRewrite | None = None,
    changes: list[str],
) -> bytes:
    """All pages of ``doc`` in one new, unencrypted PDF without signature fields; with ``page_size``, pages of
    another size placed on it (centred, shrunk only to fit)."""
    out = io.BytesIO()
    writer = StreamingPdfWriter(out, recompress=recompress, rewrite_image=rewrite)
    placed: list[int] = []
    for info in doc.files:
        reader = _open(info, page_pdf(info))
        if _signature_fields(reader):
            changes.append(f"{info.name}: its digital signature field was removed (not allowed).")
        try:
            src = writer.open_source(reader)
            for index, page in enumerate(reader.pages):
                box = page.mediabox
                w, h = float(box.width), float(box.height)
                fits = page_size is None or any(
                    abs(w - pw) <= tolerance and abs(h - ph) <= tolerance for pw, ph in (page_size, page_size[::-1])
                )
                if fits:
                    writer.add_page(src, index, drop_annotation=_is_signature)
                    continue
                assert page_size is not None
                size, matrix = _placement(reader, index, page_size)
                writer.add_placed_page(src, index, size=size, matrix=matrix)
                placed.append(writer.page_count)
        except (PdfCopyError, PdfReadError) as exc:
            raise BadInputError(f"{info.name} cannot be copied into a new PDF: {exc}") from exc
        finally:
            reader.close()
    if placed:
        pages = ", ".join(str(n) for n in placed)
        changes.append(f"page{'s' if len(placed) > 1 else ''} {pages} placed on 8.5 × 11 in paper.")
    writer.finish(info={"/Producer": writer.text("ECFMG Desk")})
    return out.getvalue()


def _fits(requirement: Requirement, doc: Document) -> bool:
    """Whether every page of ``doc`` (as measured at import) is the portal's page size."""
    if requirement.page_size_pt is None:
        return True
    pw, ph = requirement.page_size_pt
    tol = requirement.page_size_tolerance_pt
    return all(
        any(abs(p.width_pt - a) <= tol and abs(p.height_pt - b) <= tol for a, b in ((pw, ph), (ph, pw)))
        for p in doc.pages
    )


def _fit_letter(requirement: Requirement, doc: Document, read_file: PageReader, page_pdf: PageReader) -> _Built:
    """A letter for the LoR Portal: one PDF on letter pages, recompressed only when over the limit."""
    built = _Built(b"", "pdf")
    if any(f.kind != "pdf" for f in doc.files):
        built.changes.append("made into a PDF (the LoR Portal takes PDF only).")
    if len(doc.files) > 1:
        built.changes.append(f"its {len(doc.files)} files were combined into one PDF (one letter, one file).")
    size = requirement.page_size_pt
    tolerance = requirement.page_size_tolerance_pt

    def make(*, recompress: bool, rewrite: ImageRewrite | None = None) -> bytes:
        return _one_pdf(doc, page_pdf, page_size=size, tolerance=tolerance, recompress=recompress,
                        rewrite=rewrite, changes=[])

    only = doc.files[0] if len(doc.files) == 1 else None
    if (only is not None and only.kind == "pdf" and not only.signed and _fits(requirement, doc)
            and (requirement.max_file_bytes is None or only.size <= requirement.max_file_bytes)):
        built.data = read_file(only)  # it meets every rule already: uploaded as the writer sent it
        return built
    built.data = _one_pdf(doc, page_pdf, page_size=size, tolerance=tolerance, changes=built.changes)
    limit = requirement.max_file_bytes
    if limit is None or len(built.data) <= limit:
        return built
    before = len(built.data)
    lossless = make(recompress=True)
    if len(lossless) <= limit:
        built.data = lossless
        built.changes.append(f"recompressed losslessly: {format_size(before)} → {format_size(len(lossless))}.")
        return built
    floor = JPEG_QUALITIES[-1]
    lossy = make(recompress=True, rewrite=_jpeg_rewrite(floor))
    if len(lossy) > limit:
        built.data = min((built.data, lossless, lossy), key=len)
        built.problems.append(
            f"It is {format_size(len(built.data))} even after recompression (lossless, then JPEG down to quality "
            f"{floor}); the LoR Portal accepts at most {format_size(limit)}. Ask the letter writer for a smaller "
            "PDF (scanned at a lower resolution, or saved from the word processor)."
        )
        return built
    # the floor fits: the best quality that still fits, found by halving (a few builds, not one per step)
    best, low, high = (floor, lossy), 0, len(JPEG_QUALITIES) - 2
    while low <= high:
        middle = (low + high) // 2
        trial = make(recompress=True, rewrite=_jpeg_rewrite(JPEG_QUALITIES[middle]))
        if len(trial) <= limit:
            best, high = (JPEG_QUALITIES[middle], trial), middle - 1
        else:
            low = middle + 1
    quality, built.data = best
    built.changes.append(
        f"recompressed with some loss of quality (its images saved again as JPEG at quality {quality}): "
        f"{format_size(before)} → {format_size(len(built.data))}; lossless recompression was not enough. "
        "Look at it before you upload it."
    )
    return built


def _check_letter(requirement: Requirement, built: _Built) -> None:
    """Read the finished letter back: every LoR Portal rule is checked on what will be uploaded."""
    if not built.data:
        return
    try:
        reader = PdfReader(io.BytesIO(built.data), strict=False)
        encrypted = reader.is_encrypted
        boxes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
        signed = _signature_fields(reader)
    except PdfReadError as exc:  # our own writer made it: a bug, said plainly rather than uploaded
        built.problems.append(f"The new PDF cannot be read back ({exc}).")
        return
    if encrypted:
        built.problems.append("The new PDF is encrypted; the LoR Portal refuses encrypted PDFs.")
    if signed:
        built.problems.append("The new PDF still has a signature field; the LoR Portal refuses them.")
    if requirement.page_size_pt is not None:
        pw, ph = requirement.page_size_pt
        tol = requirement.page_size_tolerance_pt
        if not all(any(abs(w - a) <= tol and abs(h - b) <= tol for a, b in ((pw, ph), (ph, pw))) for w, h in boxes):
            built.problems.append("A page of the new PDF is not 8.5 × 11 in.")


def _file_rules(requirement: Requirement, doc: Document, built: _Built, destination: str) -> None:
    """The requirement's own file rules on the file as it will be written, each at the catalog's severity:
    a confirmed rule the file breaks keeps it from being written, a guide's rule is a warning."""

    def report(rule: str, text: str) -> None:
        (built.problems if requirement.severity(rule) == "error" else built.warnings).append(text)

    limit = requirement.max_file_bytes
    if destination != "lor-portal" and limit is not None and len(built.data) > limit:
        sure = "" if requirement.severity("max_file_bytes") == "error" else " (not confirmed)"
        report("max_file_bytes", f"It is {format_size(len(built.data))}; the limit is {format_size(limit)}{sure}.")
    if built.kind not in requirement.kinds:
        names = ", ".join(k.upper() for k in requirement.kinds)
        report("kinds", f"It is a {built.kind.upper()} file; {requirement.title} should be {names}.")
    if requirement.pixel_size is not None:
        w, h = requirement.pixel_size
        page = next((p for p in doc.pages if p.width_px is not None and p.height_px is not None), None)
        if page is not None and (page.width_px, page.height_px) != (w, h):
            report("pixel_size", f"It is {page.width_px} × {page.height_px} pixels; guides say {w} × {h}.")
    if requirement.color_required and not all(p.color for p in doc.pages):
        report("color_required", f"It is in black and white; ECFMG asks for a full-colour {requirement.noun}. "
               "Scan it again in colour and replace the file.")


def _build(destination: str, requirement: Requirement, doc: Document, read_file: PageReader,
           page_pdf: PageReader) -> _Built:
    if destination == "lor-portal":
        built = _fit_letter(requirement, doc, read_file, page_pdf)
        _check_letter(requirement, built)
    elif len(doc.files) == 1:
        info = doc.files[0]
        built = _Built(read_file(info), info.kind)  # kept as it is: no limit is known to need a change
    else:
        built = _Built(b"", "pdf")
        built.data = _one_pdf(doc, page_pdf, page_size=None, tolerance=0, changes=built.changes)
        built.changes.append(
            f"its {len(doc.files)} files were combined into one PDF (all pages of a document in one file)."
        )
    _file_rules(requirement, doc, built, destination)
    return built


def _chosen(destination: str, documents: Sequence[Document], catalog: Catalog) -> list[Document]:
    """The documents bound for ``destination`` in portal order, each followed by its translations; a
    superseded passport stays out (only the current one is uploaded)."""
    wanted = _REQUIREMENTS[destination]
    gone = superseded_documents(catalog, documents)
    originals = [d for d in documents if d.requirement in wanted and d.files and d.id not in gone
                 and not d.is_translation]
    originals.sort(key=lambda d: wanted.index(d.requirement))  # stable: in the order they were added
    out: list[Document] = []
    for doc in originals:
        out.append(doc)
        out.extend(d for d in documents if d.translation_of == doc.id and d.files)
    return out


def _names(docs: Sequence[Document], kinds: Sequence[str]) -> list[str]:
    """``passport.jpg``, ``recommendation-letter-1.pdf``, ``medical-diploma-translation.pdf``: the stem from
    the requirement (a translation from its original's), numbered when a stem repeats."""
    by_id = {d.id: d for d in docs}
    stems: list[str] = []
    for doc in docs:
        original = by_id.get(doc.translation_of or "")
        if doc.is_translation and original is not None:
            stems.append(_slug(original.requirement) + "-" + _slug(TRANSLATION_REQUIREMENT))
        else:
            stems.append(_slug(doc.requirement))
    counts = {s: stems.count(s) for s in stems}
    seen: dict[str, int] = {}
    names: list[str] = []
    for stem, kind in zip(stems, kinds, strict=True):
        if counts[stem] > 1:
            seen[stem] = seen.get(stem, 0) + 1
            stem = f"{stem}-{seen[stem]}"
        names.append(f"{stem}.{_EXTENSIONS.get(kind, 'pdf')}")
    return names


def preflight(
    destination: str,
    documents: Sequence[Document],
    catalog: Catalog,
    folder: Path,
    *,
    read_file: PageReader,
    page_pdf: PageReader | None = None,
    cancel: Callable[[], bool] | None = None,
) -> Preflight:
    """Make and check every file bound for ``destination`` in memory; nothing is written (see
    :func:`write_ready`). ``page_pdf`` gives a file's pages as PDF (an image's made at import); without it
    they are made here from ``read_file``."""
    if destination not in _REQUIREMENTS:
        raise UsageError(f"Unknown destination {destination!r}; choose one of {', '.join(DESTINATIONS)}.")

    def pages(info: FileInfo) -> bytes:
        return read_file(info) if info.kind == "pdf" else image_pages(info, read_file(info))

    pages_of = page_pdf or pages
    docs = [d for d in _chosen(destination, documents, catalog) if catalog.get(d.requirement) is not None]
    built: list[tuple[Document, Requirement, _Built]] = []
    for doc in docs:
        if cancel is not None and cancel():
            raise CancelledError("Cancelled; nothing was written.")
        requirement = catalog.get(doc.requirement)
        assert requirement is not None
        try:
            made = _build(destination, requirement, doc, read_file, pages_of)
        except BadInputError as exc:
            made = _Built(b"", "pdf", problems=[exc.message])
        built.append((doc, requirement, made))
    names = _names(docs, [b.kind for _d, _r, b in built])
    files = tuple(
        PlannedFile(doc.id, requirement.title, name, len(b.data), tuple(b.changes), tuple(b.problems),
                    tuple(b.warnings), b.data)
        for (doc, requirement, b), name in zip(built, names, strict=True)
    )
    return Preflight(destination, folder, files, NOTES[destination])


def preflight_vault(destination: str, vault: Vault, catalog: Catalog, folder: Path, *,
                    cancel: Callable[[], bool] | None = None) -> Preflight:
    """:func:`preflight` of a vault's documents (the command line and the window share it); an image's pages
    are the ones the vault made at import."""
    return preflight(destination, vault.documents(), catalog, folder, read_file=vault.read_file,
                     page_pdf=vault.page_pdf, cancel=cancel)


def write_ready(report: Preflight) -> tuple[Path, ...]:
    """Write the files of ``report`` that pass (each atomically; a failing one is not written). Nothing else in
    the folder is touched."""
    written: list[Path] = []
    for item in report.ready:
        target = report.folder / item.name
        with atomic_output(target, f"file for {item.title}") as fh:
            fh.write(item.data)
        written.append(target)
    return tuple(written)
