"""Realistic document builders: scans with real page sizes, DPI and byte counts, as measured at import."""

from __future__ import annotations

from datetime import date
from hashlib import sha256

from ecfmg_desk.core.model import Document, FileInfo, FileKind, Page, Profile

AS_OF = date(2026, 7, 15)
"""The day the tests validate on (mid-July 2026, the 2026 cycle)."""

LETTER_PT = (612.0, 792.0)
A4_PT = (595.28, 841.89)


def scan_page(dpi: float = 300, color: bool = True, size_pt: tuple[float, float] = A4_PT) -> Page:
    """An image page: pixel size follows from the physical size and the DPI."""
    width_pt, height_pt = size_pt
    return Page(
        width_px=round(width_pt / 72 * dpi),
        height_px=round(height_pt / 72 * dpi),
        dpi=dpi,
        width_pt=width_pt,
        height_pt=height_pt,
        color=color,
    )


def pdf_page(size_pt: tuple[float, float] = LETTER_PT) -> Page:
    """A born-digital PDF page: no measurable resolution."""
    return Page(
        width_px=None, height_px=None, dpi=None, width_pt=size_pt[0], height_pt=size_pt[1], color=True
    )


def file(
    name: str, pages: list[Page] | tuple[Page, ...], size: int = 850_000, kind: FileKind | None = None
) -> FileInfo:
    suffix = name.rsplit(".", 1)[-1].lower()
    guessed: FileKind = {"jpg": "jpeg", "jpeg": "jpeg", "png": "png", "tif": "tiff", "tiff": "tiff"}.get(
        suffix, "pdf"
    )  # type: ignore[assignment]
    return FileInfo(
        name=name,
        sha256=sha256(name.encode()).hexdigest(),
        kind=kind or guessed,
        size=size,
        pages=tuple(pages),
    )


def doc(
    doc_id: str,
    requirement: str,
    *files: FileInfo,
    **fields: object,
) -> Document:
    base = Document(
        id=doc_id, requirement=requirement, files=files or (file(f"{doc_id}.pdf", [scan_page()]),)
    )
    return base.with_changes(**fields) if fields else base


def profile(**changes: object) -> Profile:
    values: dict[str, object] = {
        "given_names": "Maria Jose",
        "family_name": "Garcia Lopez",
        "date_of_birth": date(1995, 3, 2),
        "medical_school": "Universidad Nacional Autónoma de México",
        "graduation_date": date(2022, 7, 1),
        "usmle_id": "5-123-456-7",
        "myintealth_id": "MI-0042",
        "clinical_skills_route": "pathway",
        "transferred_credits": False,
    }
    values.update(changes)
    return Profile(**values)  # type: ignore[arg-type]


RECORD = "Maria Jose Garcia Lopez"


def complete_packet() -> list[Document]:
    """A correct 2026 packet: Spanish credentials with professional translations, English exam results."""
    return [
        doc(
            "passport",
            "passport",
            file("passport.jpg", [scan_page(dpi=300, size_pt=(354.0, 249.0))], size=1_900_000),
            expires=date(2031, 5, 20),
            name_on_document="MARIA JOSE GARCIA LOPEZ",
        ),
        doc(
            "photo",
            "photo",
            file("photo.jpg", [scan_page(dpi=300, size_pt=(144.0, 180.0))], size=420_000),
            issued=date(2026, 5, 2),
        ),
        doc(
            "idform",
            "identity-form",
            file("iif-notarized.pdf", [pdf_page(), pdf_page()], size=640_000),
            issued=date(2026, 2, 10),
        ),
        doc(
            "diploma",
            "medical-diploma",
            file("diploma-front.png", [scan_page(dpi=300)], size=6_200_000),
            file("diploma-back.png", [scan_page(dpi=300)], size=5_100_000),
            issued=date(2022, 7, 15),
            language="es",
            name_on_document=RECORD,
        ),
        doc(
            "diploma-en",
            "translation",
            file("diploma-translation.pdf", [pdf_page(), pdf_page()], size=310_000),
            translation_of="diploma",
            translator="Straker Translations",
            translator_kind="professional",
            issued=date(2023, 1, 10),
            language="en",
        ),
        doc(
            "transcript",
            "final-transcript",
            file("transcript.pdf", [scan_page(dpi=300) for _ in range(4)], size=9_800_000),
            issued=date(2022, 7, 20),
            language="es",
            name_on_document=RECORD,
        ),
        doc(
            "transcript-en",
            "translation",
            file("transcript-translation.pdf", [pdf_page() for _ in range(5)], size=420_000),
            translation_of="transcript",
            translator="Straker Translations",
            translator_kind="professional",
            issued=date(2023, 1, 12),
        ),
        doc(
            "step1",
            "usmle-step1",
            file("step1-score-report.pdf", [pdf_page()], size=95_000),
            issued=date(2023, 6, 1),
            language="en",
            fields={"result": "pass"},
        ),
        doc(
            "step2ck",
            "usmle-step2ck",
            file("step2ck-score-report.pdf", [pdf_page()], size=97_000),
            issued=date(2024, 3, 8),
            language="en",
            fields={"result": "pass"},
        ),
        doc(
            "oet",
            "oet-medicine",
            file("oet-result.pdf", [pdf_page()], size=120_000),
            issued=date(2025, 3, 8),
            language="en",
            name_on_document=RECORD,
            fields={"listening": 380, "reading": 400, "speaking": 360, "writing": 330},
        ),
        doc(
            "pathway",
            "pathway-evidence",
            file("clinical-skills-attestation.pdf", [pdf_page()], size=200_000),
            issued=date(2025, 10, 1),
            language="en",
            fields={"pathway": 3},
        ),
    ]


REQUIRED_IN_COMPLETE_PACKET = (
    ("passport", "passport"),
    ("photo", "photo"),
    ("idform", "identity-form"),
    ("diploma", "medical-diploma"),
    ("transcript", "final-transcript"),
    ("step1", "usmle-step1"),
    ("step2ck", "usmle-step2ck"),
    ("oet", "oet-medicine"),
    ("pathway", "pathway-evidence"),
)
"""(document id, requirement id) of every always-required item in :func:`complete_packet`."""


def replace(documents: list[Document], doc_id: str, **changes: object) -> list[Document]:
    return [d.with_changes(**changes) if d.id == doc_id else d for d in documents]


def without(documents: list[Document], *doc_ids: str) -> list[Document]:
    return [d for d in documents if d.id not in doc_ids]
