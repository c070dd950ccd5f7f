"""Files ready for each portal: one file per document, with a plain name, checked against the rules the catalog
sources for that destination, and a preflight report (what was changed, what still fails) before anything is
written (issue 14).

- ``lor-portal`` (letters of recommendation; RULES.md LOR_PDF, [C]): a PDF, at most 1 MB, 8.5 × 11 in pages,
  never encrypted or signed. A page of another size is placed on a letter page, protection and signature fields
  are dropped (the file is written anew), and an oversized file is recompressed losslessly; what is still over
  the limit fails and is not written.
- ``eras`` (the ERAS photo and the documents ECFMG sends to ERAS): the photo as it is, its size and pixels
  warned about (RULES.md ERAS_PHOTO is third-party, [T]); other documents as scanned.
- ``myintealth`` (credentials): the scans as they are, unencrypted; MyIntealth publishes no file limits
  (RULES.md P2, [?]), so nothing is changed for a limit and the report says the limits are unknown.

A document of several files becomes one PDF of all its pages (RULES.md ALL_PAGES_ONE_FILE), its images and
scans copied as stored. Limits come from the catalog (``max_file_bytes``, ``page_size_pt``, ...), never from here.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject

from ecfmg_desk.core.catalog import Catalog, Requirement
from ecfmg_desk.core.model import Document, FileInfo
from ecfmg_desk.core.rules import format_size
from ecfmg_desk.errors import BadInputError, UsageError

from ._output import atomic_output
from ._pdfstream import PdfCopyError, StreamingPdfWriter

Destination = Literal["myintealth", "lor-portal", "eras"]
DESTINATIONS: tuple[Destination, ...] = ("myintealth", "lor-portal", "eras")

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
        "translation",
    ),
}

_NOTES: dict[str, str] = {
    "myintealth": "MyIntealth does not publish its upload limits (file types, size): your scans are written as "
    "they are, unencrypted, one file per document.",
    "eras": "ECFMG does not publish the file limits for documents it sends to ERAS: scans are written as they "
    "are. The ERAS photo rules come from third-party guides only.",
    "lor-portal": "The LoR Portal's rules (AAMC): PDF, at most 1 MB, 8.5 × 11 in pages, not encrypted, no "
    "signature fields.",
}

_EXTENSIONS = {"pdf": "pdf", "jpeg": "jpg", "png": "png", "tiff": "tif"}


@dataclass(frozen=True)
class PlannedFile:
    document_id: str
    title: str
    name: str
    """Plain file name: lower-case ASCII letters, digits and hyphens, then the extension."""
    size: int
    changes: tuple[str, ...]
    problems: tuple[str, ...]
    """What still breaks a sourced rule: this file is not written."""
    warnings: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Preflight:
    destination: str
    folder: Path
    files: tuple[PlannedFile, ...]
    note: str
    written: tuple[Path, ...] = ()

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "document"


@dataclass
class _Built:
    data: bytes
    kind: str
    changes: list[str]
    problems: list[str]
    warnings: list[str]


def _open(info: FileInfo, data: bytes, changes: list[str]) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            if not reader.decrypt(""):
                raise BadInputError(
                    f"{info.name} is password-protected and cannot be opened here; ask for an unprotected copy."
                )
            changes.append(f"{info.name}: its protection was removed (the file is written unencrypted).")
        _ = len(reader.pages)
    except PdfReadError as exc:
        raise BadInputError(f"{info.name} is not a readable PDF: {exc}") from exc
    return reader


def _has_signature_field(reader: PdfReader) -> bool:
    root = reader.trailer["/Root"].get_object()
    form = root.get("/AcroForm") if isinstance(root, DictionaryObject) else None
    form = form.get_object() if form is not None else None
    fields = form.get("/Fields") if isinstance(form, DictionaryObject) else None
    fields = fields.get_object() if fields is not None else None
    if not isinstance(fields, ArrayObject):
        return False
    return any(isinstance(f.get_object(), DictionaryObject) and f.get_object().get("/FT") == "/Sig" for f in fields)


def _one_pdf(
    doc: Document,
    page_pdf: Callable[[FileInfo], bytes],
    *,
    page_size: tuple[float, float] | None,
    tolerance: float,
    recompress: bool,
    changes: list[str],
) -> bytes:
    """All pages of ``doc`` in one new PDF; pages off ``page_size`` placed on it (scaled down to fit only)."""
    out = io.BytesIO()
    writer = StreamingPdfWriter(out, recompress=recompress)
    placed: list[int] = []
    for info in doc.files:
        reader = _open(info, page_pdf(info), changes)
        if _has_signature_field(reader):
            changes.append(f"{info.name}: its digital signature field was removed (not allowed).")
        try:
            src = writer.open_source(reader)
            for index, page in enumerate(reader.pages):
                box = page.mediabox
                w, h = float(box.width), float(box.height)
                if int(page.rotation) % 180:
                    w, h = h, w
                fits = page_size is None or any(
                    abs(w - pw) <= tolerance and abs(h - ph) <= tolerance
                    for pw, ph in (page_size, page_size[::-1])
                )
                if fits:
                    writer.add_page(src, index)
                    continue
                assert page_size is not None
                from .assemble import _placement  # the packet's own placing: centred, shrunk only to fit

                size, matrix = _placement(reader, index, page_size)
                writer.add_placed_page(src, index, size=size, matrix=matrix)
                placed.append(writer.page_count)
        except (PdfCopyError, PdfReadError) as exc:
            raise BadInputError(f"{info.name} cannot be copied: {exc}") from exc
    if placed:
        pages = ", ".join(str(n) for n in placed)
        changes.append(f"page{'s' if len(placed) > 1 else ''} {pages} placed on 8.5 × 11 in paper.")
    writer.finish(info={"/Producer": writer.text("ECFMG Desk")})
    return out.getvalue()


def _build(
    destination: str,
    requirement: Requirement,
    doc: Document,
    read_file: Callable[[FileInfo], bytes],
    page_pdf: Callable[[FileInfo], bytes],
) -> _Built:
    changes: list[str] = []
    problems: list[str] = []
    warnings: list[str] = []
    if destination == "lor-portal":
        size = requirement.page_size_pt
        tolerance = requirement.page_size_tolerance_pt
        data = _one_pdf(doc, page_pdf, page_size=size, tolerance=tolerance, recompress=False, changes=changes)
        limit = requirement.max_file_bytes
        if limit is not None and len(data) > limit:
            before = len(data)
            data = _one_pdf(doc, page_pdf, page_size=size, tolerance=tolerance, recompress=True, changes=[])
            changes.append(f"recompressed losslessly: {format_size(before)} → {format_size(len(data))}.")
            if len(data) > limit:
                problems.append(
                    f"It is {format_size(len(data))} even after lossless recompression; the LoR Portal accepts "
                    f"at most {format_size(limit)}. Ask the letter writer for a smaller PDF (scanned at a lower "
                    "resolution, or saved from the word processor)."
                )
        return _Built(data, "pdf", changes, problems, warnings)
    if len(doc.files) == 1:
        info = doc.files[0]
        data = read_file(info)
        if info.kind == "pdf":
            reader = _open(info, data, changes)
            if changes:  # it was protected: written anew without the protection
                data = _one_pdf(doc, page_pdf, page_size=None, tolerance=0, recompress=False, changes=[])
            del reader
        kind = info.kind
    else:
        data = _one_pdf(doc, page_pdf, page_size=None, tolerance=0, recompress=False, changes=changes)
        changes.append(f"its {len(doc.files)} files were combined into one PDF (all pages of a document in one file)")
        kind = "pdf"
    if destination == "eras" and requirement.id == "eras-photo":
        limit = requirement.max_file_bytes
        if limit is not None and len(data) > limit:
            warnings.append(f"It is {format_size(len(data))}; guides say at most {format_size(limit)} (not confirmed)")
        if requirement.pixel_size is not None:
            page = doc.files[0].pages[0] if doc.files and doc.files[0].pages else None
            if page is not None and (page.width_px, page.height_px) != requirement.pixel_size:
                w, h = requirement.pixel_size
                warnings.append(f"It is {page.width_px} × {page.height_px} pixels; guides say {w} × {h}.")
        if kind not in requirement.kinds:
            warnings.append("Guides say the ERAS photo is a JPEG (some accept PNG).")
    return _Built(data, kind, changes, problems, warnings)


def export_for(
    destination: str,
    documents: Sequence[Document],
    catalog: Catalog,
    folder: Path,
    *,
    read_file: Callable[[FileInfo], bytes],
    page_pdf: Callable[[FileInfo], bytes],
    write: bool = True,
) -> Preflight:
    """Check every document bound for ``destination``, then (``write``) write the files that pass to ``folder``.

    The whole preflight is made before the first file is written; a file that still breaks a sourced rule is
    reported and not written. Nothing else in ``folder`` is touched.
    """
    if destination not in _REQUIREMENTS:
        raise UsageError(f"Unknown destination {destination!r}; choose one of {', '.join(DESTINATIONS)}.")
    wanted = _REQUIREMENTS[destination]
    chosen = [d for d in documents if d.requirement in wanted and d.files]
    chosen.sort(key=lambda d: wanted.index(d.requirement))  # stable: in the order they were added
    planned: list[tuple[PlannedFile, bytes]] = []
    counts: dict[str, int] = {}
    for doc in chosen:
        requirement = catalog.get(doc.requirement)
        if requirement is None:
            continue
        counts[doc.requirement] = counts.get(doc.requirement, 0) + 1
    seen: dict[str, int] = {}
    for doc in chosen:
        requirement = catalog.get(doc.requirement)
        if requirement is None:
            continue
        seen[doc.requirement] = seen.get(doc.requirement, 0) + 1
        try:
            built = _build(destination, requirement, doc, read_file, page_pdf)
        except BadInputError as exc:
            built = _Built(b"", "pdf", [], [exc.message], [])
        stem = _slug(requirement.id)
        if counts[doc.requirement] > 1:
            stem += f"-{seen[doc.requirement]}"
        name = f"{stem}.{_EXTENSIONS.get(built.kind, 'pdf')}"
        item = PlannedFile(doc.id, requirement.title, name, len(built.data), tuple(built.changes),
                           tuple(built.problems), tuple(built.warnings))
        planned.append((item, built.data))
    written: list[Path] = []
    if write:
        for item, data in planned:
            if item.ok:
                target = folder / item.name
                with atomic_output(target, f"file for {item.title}") as fh:
                    fh.write(data)
                written.append(target)
    return Preflight(destination, folder, tuple(p for p, _ in planned), _NOTES[destination], tuple(written))
