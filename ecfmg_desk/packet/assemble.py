"""The packet PDF: cover, contents, then every requirement's documents, each page stamped and bookmarked.

Plain inputs (sections already in catalog order, callbacks for the bytes) keep this module free of the vault.
Memory stays flat whatever the packet's size: one source file is read and copied at a time, straight into the
output file (see ``_pdfstream``). Scans are never decoded: a PDF's streams and a JPEG's bytes are copied as
stored, an image's pages were made once at import (losslessly, ``vault.inspect.image_pdf``) and are placed on
the paper as they are, and the stamp naming each page is a vector overlay added on top.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any, Literal

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import IndirectObject

from ecfmg_desk.core.languages import is_english, language_name
from ecfmg_desk.core.model import Document, FileInfo, Profile, ValidationResult
from ecfmg_desk.core.plan import Plan
from ecfmg_desk.core.rules import format_date
from ecfmg_desk.errors import BadInputError, CancelledError, ExportBlockedError, IntegrityError

from ._output import atomic_output
from ._pdfstream import OutlineNode, PdfCopyError, Source, StreamingPdfWriter
from ._saslprep import prepare_password
from ._textpages import ContentsLine, Cover, Sheet, fix_space_mapping, render_text_pages

__all__ = [
    "PAPER_SIZES",
    "OutlineEntry",
    "PacketInfo",
    "Section",
    "assemble_packet",
    "ensure_exportable",
    "format_date",
]

Paper = Literal["letter", "a4"]
PageReader = Callable[[FileInfo], bytes | memoryview]
"""Returns a file's pages as PDF (the vault's ``page_reader()``): a PDF file's bytes, an image's stored pages.
What it returns may be overwritten by its next call (the vault reads every file into the same buffers), so
each file's reader is closed before the next file is read."""

PAPER_SIZES: Mapping[str, tuple[float, float]] = {"letter": (612.0, 792.0), "a4": (595.2756, 841.8898)}
"""Portrait paper sizes in points."""

_STAMP_MARGIN_PT = 3.0
_STAMP_NAME = "/ECFMGDeskStamp"


def ensure_exportable(validation: ValidationResult) -> None:
    """The export gate (DESIGN.md sections 1 and 3), shared by the CLI and the GUI: refuse while validation
    finds errors, listing them. ``assemble_packet`` itself does not refuse, so a draft packet can still go to
    an advisor in a bundle; its cover then says "Needs attention" and lists the problems."""
    if validation.ready:
        return
    problems = "\n".join(f"- {f.message}" for f in validation.errors)
    raise ExportBlockedError(
        f"The packet cannot be exported until {_plural(len(validation.errors), 'problem')} "
        f"{'is' if len(validation.errors) == 1 else 'are'} fixed:\n{problems}"
    )


@dataclass(frozen=True)
class Section:
    """One requirement of the packet; ``documents``: each original followed by its translations."""

    requirement_id: str
    title: str
    documents: tuple[Document, ...]


@dataclass(frozen=True)
class OutlineEntry:
    title: str
    page: int
    """1-based page number in the packet."""
    children: tuple[OutlineEntry, ...] = ()


@dataclass(frozen=True)
class PacketInfo:
    path: Path
    page_count: int
    outline: tuple[OutlineEntry, ...]
    document_pages: Mapping[str, tuple[int, int]]
    """Document id -> (first page, 1-based; number of pages)."""
    cover_pages: int
    contents_pages: int
    encrypted: bool
    size: int


@dataclass
class _PlannedDocument:
    document: Document
    label: str
    pages: int
    offset: int = 0
    """Index of the document's first page among all document pages."""


@dataclass
class _Plan:
    sections: list[tuple[Section, list[_PlannedDocument]]] = field(default_factory=list)
    page_total: int = 0


def _labels(section: Section) -> dict[str, str]:
    """Names that tell documents of one requirement apart: "Medical diploma (2)", "... — English translation"."""
    originals = [d for d in section.documents if not d.is_translation]
    labels: dict[str, str] = {}
    for i, doc in enumerate(originals, 1):
        labels[doc.id] = section.title if len(originals) == 1 else f"{section.title} ({i})"
    translations = [d for d in section.documents if d.is_translation]
    for doc in translations:
        base = labels.get(doc.translation_of or "", section.title)
        siblings = [t for t in translations if t.translation_of == doc.translation_of]
        kind = "English translation" if doc.language and is_english(doc.language) else "translation"
        suffix = "" if len(siblings) == 1 else f" {siblings.index(doc) + 1}"
        labels[doc.id] = f"{base} — {kind}{suffix}"
    return labels


def _plan(sections: Sequence[Section]) -> _Plan:
    plan = _Plan()
    for section in sections:
        labels = _labels(section)
        docs = []
        for doc in section.documents:
            planned = _PlannedDocument(doc, labels[doc.id], doc.page_count, plan.page_total)
            plan.page_total += planned.pages
            docs.append(planned)
        plan.sections.append((section, docs))
    return plan


def _document_detail(doc: Document, pages: int) -> str:
    parts = []
    if doc.is_translation and doc.translator:
        who = doc.translator + (f", {doc.translator_kind}" if doc.translator_kind else "")
        parts.append(f"by {who}")
    elif doc.language:
        parts.append(language_name(doc.language))
    if doc.issued:
        parts.append(f"issued {format_date(doc.issued)}")
    if doc.expires:
        parts.append(f"expires {format_date(doc.expires)}")
    parts.append("1 page" if pages == 1 else f"{pages} pages")
    return " · ".join(parts)


def _contents(plan: _Plan) -> list[ContentsLine]:
    lines = []
    for section, docs in plan.sections:
        first = next((d.offset for d in docs if d.pages), None)
        detail = "not included" if not docs else ("1 document" if len(docs) == 1 else f"{len(docs)} documents")
        lines.append(ContentsLine(0, section.title, detail, first))
        for d in docs:
            lines.append(ContentsLine(1, d.label, _document_detail(d.document, d.pages), d.offset if d.pages else None))
    return lines


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _schedule_rows(schedule: Plan | None) -> list[tuple[str, str]]:
    """The Match cycle and its next three deadlines, so an advisor sees them on the cover (DESIGN.md section 7)."""
    if schedule is None:
        return []
    rows = [("Match cycle", f"{schedule.cycle} Match")]
    upcoming = schedule.next_deadlines(3)
    for index, item in enumerate(upcoming):
        assert item.date is not None
        mine = " (date entered by the applicant)" if item.user_entered else ""
        rows.append(("Next deadlines" if index == 0 else "", f"{format_date(item.date)}: {item.title}{mine}"))
    if not upcoming:
        rows.append(("Next deadlines", "none with a published date"))
    return rows


def _cover(
    profile: Profile, validation: ValidationResult, plan: _Plan, as_of: date, app_version: str, catalog_cycle: str,
    schedule: Plan | None = None,
) -> Cover:
    name = " ".join(p for p in (profile.given_names.strip(), profile.family_name.strip().upper()) if p)
    documents = sum(len(docs) for _, docs in plan.sections)
    rows = [("Name of record", profile.name_of_record or "—"), ("USMLE ID", profile.usmle_id or "—")]
    if profile.medical_school:
        rows.append(("Medical school", profile.medical_school))
    rows += [
        ("Date of export", format_date(as_of)),
        ("Requirements", f"ECFMG catalog {catalog_cycle}"),
        ("Contents", f"{_plural(documents, 'document')}, {_plural(plan.page_total, 'page')}"),
    ]
    rows += _schedule_rows(schedule)
    errors, warnings = validation.errors, validation.warnings
    # Words only, no ✓ or ⚠: no font the app ships has them, and without DejaVu they were drawn as empty boxes.
    if validation.ready:
        status = "Ready"
        detail = "Every required document is present and passed the checks."
        if warnings:
            detail = f"Every required document is present; {_plural(len(warnings), 'warning')} listed below."
    else:
        status = "Needs attention"
        detail = f"{_plural(len(errors), 'problem')} must be fixed before submission"
        detail += f"; {_plural(len(warnings), 'warning')}." if warnings else "."
    findings = tuple(("Problem", f.message, f.fix) for f in errors) + tuple(
        ("Warning", f.message, f.fix) for f in warnings
    )
    return Cover(
        kicker="ECFMG certification documents",
        name=name or "Applicant",
        rows=tuple(rows),
        status=status,
        status_ok=validation.ready,
        status_detail=detail,
        findings=findings,
        footer=f"Prepared with ECFMG Desk {app_version} on {format_date(as_of)}",
    )


def _file_pdf(
    file: FileInfo, read_file: Callable[[FileInfo], bytes], read_pages: PageReader | None
) -> bytes | memoryview:
    """A file's pages as PDF: a PDF as it is; an image's true-size pages, made at import (``read_pages``) or,
    without a vault (tests, bundles), now."""
    if read_pages is not None:
        return read_pages(file)
    data = read_file(file)
    if file.kind == "pdf":
        return data
    from ecfmg_desk.vault.inspect import PagePdfError, image_pdf

    try:
        return image_pdf(file.kind, data)
    except PagePdfError as exc:
        raise BadInputError(f"{file.name} cannot be placed in the packet: {exc}") from exc


class _BufferFile(io.RawIOBase):
    """A buffer as a read-only file, read in place (``readinto`` copies only what is asked for)."""

    def __init__(self, data: bytes | memoryview) -> None:
        super().__init__()
        self._view = memoryview(data)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        pos = min(self._pos, len(self._view))
        n = min(len(buffer), len(self._view) - pos)
        buffer[:n] = self._view[pos : pos + n]
        self._pos = pos + n
        return n

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: len(self._view)}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._pos = base + offset
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._view.release()
        super().close()


def _stream(data: bytes | memoryview) -> io.BufferedReader:
    """``data`` as a file for pypdf, without a copy. Not a BytesIO: pypdf asks a BytesIO for ``getbuffer()`` to
    learn its size, which makes it copy the bytes it shared (measured: 0.35 s and 40 MB more for a 28-page
    scan), and a BytesIO made from a bytearray (a decrypted blob) copies it at once. A buffered reader has no
    ``getbuffer`` (pypdf seeks to the end instead) and serves pypdf's many small reads from its own buffer."""
    return io.BufferedReader(_BufferFile(data))


def _open_pdf(file: FileInfo, data: bytes | memoryview) -> PdfReader:
    try:
        reader = PdfReader(_stream(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise BadInputError(f"{file.name} is password-protected; add an unprotected copy of it.")
        _ = len(reader.pages)
    except PdfReadError as exc:
        raise BadInputError(f"{file.name} is not a readable PDF: {exc}") from exc
    return reader


def _free_name(reader: PdfReader, index: int) -> str:
    res = reader.pages[index].get("/Resources")
    xobjects = res.get_object().get("/XObject") if res is not None else None
    names = set(xobjects.get_object().keys()) if xobjects is not None else set()
    name, n = _STAMP_NAME, 1
    while name in names:
        n += 1
        name = f"{_STAMP_NAME}{n}"
    return name


def _page_geometry(reader: PdfReader, index: int, *, crop: bool = True) -> tuple[float, float, float, float, int]:
    """(x0, y0, x1, y1, rotate) of a page as displayed: its crop box (or media box) and /Rotate."""
    page = reader.pages[index]
    box = page.cropbox if crop else page.mediabox
    x0, x1 = sorted((float(box.left), float(box.right)))
    y0, y1 = sorted((float(box.bottom), float(box.top)))
    rotate = int(page.rotation) % 360
    return x0, y0, x1, y1, rotate if rotate in (0, 90, 180, 270) else 0


def _fmt(values: Sequence[float]) -> str:
    return " ".join(f"{v:.6f}".rstrip("0").rstrip(".") for v in values)


def _placement(reader: PdfReader, index: int, paper: tuple[float, float]) -> tuple[tuple[float, float], str]:
    """Paper size and ``cm`` operands that show an image's true-size page upright on the packet's paper:
    the paper turned for a landscape image, the image centred and shrunk only when larger than the paper."""
    x0, y0, x1, y1, rotate = _page_geometry(reader, index, crop=False)
    w, h = x1 - x0, y1 - y0
    shown_w, shown_h = (h, w) if rotate in (90, 270) else (w, h)
    page_w, page_h = paper
    if shown_w > shown_h:
        page_w, page_h = page_h, page_w
    scale = min(1.0, page_w / shown_w, page_h / shown_h)
    dx, dy = (page_w - shown_w * scale) / 2.0, (page_h - shown_h * scale) / 2.0
    upright = {  # user space -> the page as displayed, origin at its lower left
        0: (1, 0, 0, 1, -x0, -y0),
        90: (0, -1, 1, 0, -y0, x1),
        180: (-1, 0, 0, -1, x1, y1),
        270: (0, 1, -1, 0, y1, -x0),
    }[rotate]
    return (page_w, page_h), f"{_fmt((scale, 0, 0, scale, dx, dy))} cm {_fmt(upright)}"


def _stamp_matrix(reader: PdfReader, index: int, stamp_size: tuple[float, float]) -> str:
    """Where the stamp goes: centred at the bottom of the page as displayed (its /Rotate and crop box
    respected), upright, shrunk only for a page narrower than the stamp."""
    return _stamp_matrix_in(*_page_geometry(reader, index), stamp_size)


def _stamp_matrix_in(
    x0: float, y0: float, x1: float, y1: float, rotate: int, stamp_size: tuple[float, float]
) -> str:
    w, h = x1 - x0, y1 - y0
    shown_w = h if rotate in (90, 270) else w
    sw = stamp_size[0]
    scale = min(1.0, max(shown_w - 4.0, 1.0) / sw)
    dx, dy = (shown_w - sw * scale) / 2.0, _STAMP_MARGIN_PT * scale
    to_user = {
        0: (1, 0, 0, 1, x0, y0),
        90: (0, 1, -1, 0, x1, y0),
        180: (-1, 0, 0, -1, x1, y1),
        270: (0, -1, 1, 0, x0, y1),
    }[rotate]
    rot = " ".join(f"{v:.4f}".rstrip("0").rstrip(".") for v in to_user)
    return f"{rot} cm {scale:.4f} 0 0 {scale:.4f} {dx:.3f} {dy:.3f} cm"


def _pdf_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("D:%Y%m%d%H%M%SZ")


def _check_cancel(cancel: Callable[[], bool] | None) -> None:
    if cancel is not None and cancel():
        raise CancelledError("Export cancelled; no packet was written.")


def assemble_packet(
    out: Path,
    *,
    sections: Sequence[Section],
    profile: Profile,
    validation: ValidationResult,
    read_file: Callable[[FileInfo], bytes],
    as_of: date,
    app_version: str,
    catalog_cycle: str,
    paper: Paper = "letter",
    password: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    schedule: Plan | None = None,
    extra_sheets: Sequence[Sheet] = (),
    read_pages: PageReader | None = None,
) -> PacketInfo:
    """Write the packet PDF to ``out`` atomically and describe it. ``schedule``: the applicant's plan, whose
    cycle and next deadlines the cover shows.

    ``extra_sheets`` (the clinical-experience summary) follow the cover and are counted with it.

    ``read_pages`` (the vault's ``page_pdf``) gives each file's pages as PDF, an image's made once at import,
    so the export only copies; without it images are converted here.

    ``progress(done, total)`` is called as pages are written; ``cancel()`` is polled between pages and, when
    true, stops the export with :class:`CancelledError`. On cancel or any error nothing is left at ``out``
    (an existing file there is untouched) and no temporary file remains.
    """
    if paper not in PAPER_SIZES:
        raise BadInputError(f"Unknown paper size {paper!r}; use letter or a4.")
    if password is not None:
        prepare_password(password)  # refused before anything is drawn or written
    paper_size = PAPER_SIZES[paper]
    plan = _plan(sections)
    total = plan.page_total + 2
    done = 0

    def step(n: int = 1) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total)

    if progress is not None:
        progress(0, total)
    _check_cancel(cancel)

    name = profile.name_of_record
    stamps = [
        f"{d.label} · {i}/{d.pages}" + (f" · {name}" if name else "")
        for _, docs in plan.sections
        for d in docs
        for i in range(1, d.pages + 1)
    ]
    text = render_text_pages(
        paper=paper_size,
        cover=_cover(profile, validation, plan, as_of, app_version, catalog_cycle, schedule),
        contents=_contents(plan),
        stamps=stamps,
        sheets=extra_sheets,
    )
    step()
    first_document_page = text.first_stamp  # 0-based index of the first document page in the packet

    with atomic_output(out, "packet") as fh:
        outline = _write_packet(
            fh,
            text.pdf,
            text.cover_pages + text.contents_pages,
            plan,
            paper_size,
            password,
            read_file,
            read_pages,
            profile,
            app_version,
            step,
            cancel,
        )
    step()

    def entry(node: OutlineNode) -> OutlineEntry:
        return OutlineEntry(node.title, node.page_number + 1, tuple(entry(c) for c in node.children))

    return PacketInfo(
        path=out,
        page_count=first_document_page + plan.page_total,
        outline=tuple(entry(n) for n in outline),
        document_pages={
            d.document.id: (first_document_page + d.offset + 1, d.pages) for _, docs in plan.sections for d in docs
        },
        cover_pages=text.cover_pages,
        contents_pages=text.contents_pages,
        encrypted=password is not None,
        size=out.stat().st_size,
    )


def _text_source(writer: StreamingPdfWriter, pdf: bytes) -> Source:
    reader = PdfReader(_stream(pdf))
    src = writer.open_source(reader)
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for font_ref in dict.values(fonts):
            unicode_map = dict.get(font_ref.get_object(), "/ToUnicode")
            if isinstance(unicode_map, IndirectObject):
                src.patches[(unicode_map.idnum, unicode_map.generation)] = fix_space_mapping
    return src


def _copy_file(
    writer: StreamingPdfWriter,
    text: Source,
    reader: PdfReader,
    file: FileInfo,
    push: int,
    stamp_index: int,
    cancel: Callable[[], bool] | None,
    step: Callable[[], None],
    paper: tuple[float, float],
) -> None:
    """Copy every page of one file, each wrapped in q/Q and overlaid with its stamp (a Form XObject); an
    image's true-size page is placed on the paper instead (also a Form XObject, its image bytes untouched)."""
    if len(reader.pages) != len(file.pages):
        raise IntegrityError(
            f"{file.name} has {len(reader.pages)} pages but the vault recorded {len(file.pages)}: the vault's copy "
            "is damaged. Replace the scan, or restore a backup.", topic="check"
        )
    try:
        src = writer.open_source(reader)
        for index in range(len(reader.pages)):
            _check_cancel(cancel)
            stamp_box = text.reader.pages[stamp_index + index].mediabox
            stamp_size = (float(stamp_box.width), float(stamp_box.height))
            form = writer.form_from_page(text, stamp_index + index)
            if file.kind == "pdf":
                matrix = _stamp_matrix(reader, index, stamp_size)
                name = _free_name(reader, index)
                pop = writer.new_stream(f"\nQ q {matrix} {name} Do Q\n".encode("ascii"), compress=False)
                writer.add_page(src, index, before=[push], after=[pop], xobjects=[(name, form)])
            else:
                size, place = _placement(reader, index, paper)
                matrix = _stamp_matrix_in(0.0, 0.0, size[0], size[1], 0, stamp_size)
                stamp = writer.new_stream(f"\nq {matrix} {_STAMP_NAME} Do Q\n".encode("ascii"), compress=False)
                writer.add_placed_page(
                    src, index, size=size, matrix=place, after=[stamp], xobjects=[(_STAMP_NAME, form)]
                )
            step()
    except (PdfCopyError, PdfReadError) as exc:
        raise BadInputError(f"{file.name} cannot be copied into the packet: {exc}") from exc


def _write_packet(
    fh: IO[bytes],
    text_pdf: bytes,
    front_pages: int,
    plan: _Plan,
    paper: tuple[float, float],
    password: str | None,
    read_file: Callable[[FileInfo], bytes],
    read_pages: PageReader | None,
    profile: Profile,
    app_version: str,
    step: Callable[[], None],
    cancel: Callable[[], bool] | None,
) -> list[OutlineNode]:
    writer = StreamingPdfWriter(fh, password=password)
    text = _text_source(writer, text_pdf)
    for i in range(front_pages):
        writer.add_page(text, i)
    push = writer.new_stream(b"q\n", compress=False)
    stamp_index = front_pages
    outline: list[OutlineNode] = []
    for section, docs in plan.sections:
        children = []
        for planned in docs:
            doc_first = writer.page_count
            for file in planned.document.files:
                _check_cancel(cancel)
                data = _file_pdf(file, read_file, read_pages)
                reader = _open_pdf(file, data)
                del data
                try:
                    _copy_file(writer, text, reader, file, push, stamp_index, cancel, step, paper)
                finally:
                    # pypdf's objects form reference cycles: free the scans now rather than at the next GC.
                    reader.close()
                    reader.stream.close()
                stamp_index += len(file.pages)
            if planned.pages:
                children.append(OutlineNode(planned.label, doc_first))
        if children:
            outline.append(OutlineNode(section.title, children[0].page_number, tuple(children)))
    now = _pdf_date(datetime.now(UTC))
    name = profile.name_of_record
    info = {
        "/Title": writer.text(f"ECFMG certification documents — {name}" if name else "ECFMG certification documents"),
        "/Author": writer.text(name),
        "/Subject": writer.text(f"USMLE ID {profile.usmle_id}" if profile.usmle_id else "ECFMG document packet"),
        "/Creator": writer.text(f"ECFMG Desk {app_version}"),
        "/Producer": writer.text(f"ECFMG Desk {app_version}"),
        "/CreationDate": writer.text(now),
        "/ModDate": writer.text(now),
    }
    writer.finish(info=info, outline=outline)
    return outline
