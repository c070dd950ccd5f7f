"""The domain objects every layer shares: the applicant, documents, their files and pages, findings.

Pure data (no Qt, no files, no clock). The vault builds these from its database; the rules engine, the packet
writer and the UI only read them. Frozen so that a value handed to the UI or a worker thread cannot change
under someone else's feet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from types import MappingProxyType
from typing import Literal

Severity = Literal["error", "warning", "info"]
FileKind = Literal["pdf", "jpeg", "png", "tiff"]
TranslatorKind = Literal["government", "school", "professional", "self"]
TranslationStatus = Literal["not-needed", "needed", "ordered", "received", "attached"]
Decision = Literal["approved", "changes"]
ClinicalSkillsRoute = Literal["pathway", "step2cs"]
FieldValue = date | int | bool | str
"""The value of a per-requirement document field (DESIGN.md section 6)."""

TRANSLATION_REQUIREMENT = "translation"
"""Requirement id under which a translation is stored (a translation is a document of its own)."""

ENGLISH = "en"

TRANSLATOR_KINDS: tuple[str, ...] = ("government", "school", "professional")
"""Translator kinds the command line accepts (ECFMG's three, RULES.md MED-TRANSLATION)."""

MANUAL_TRANSLATION_STATUSES: tuple[str, ...] = ("ordered", "received")
"""Statuses a user sets by hand; ``needed``, ``attached`` and ``not-needed`` follow from the data."""


@dataclass(frozen=True)
class Profile:
    """The applicant. ``given_names`` + ``family_name`` is the name of record, exactly as on the passport."""

    given_names: str = ""
    family_name: str = ""
    date_of_birth: date | None = None
    medical_school: str = ""
    graduation_date: date | None = None
    usmle_id: str = ""
    myintealth_id: str = ""
    clinical_skills_route: ClinicalSkillsRoute = "pathway"
    transferred_credits: bool = False
    match_year: int | None = None
    """The NRMP Main Match the applicant aims at; it chooses the cycle catalog (unset: the Match ahead)."""
    failed_step2cs: bool = False
    name_change_date: date | None = None
    """When ECFMG changed the name of record (a later date invalidates an older identity form)."""
    aamc_id: str | None = None

    @property
    def name_of_record(self) -> str:
        return " ".join(part for part in (self.given_names.strip(), self.family_name.strip()) if part)

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


@dataclass(frozen=True)
class Page:
    """One page of an imported file, as measured at import (never re-measured: the bytes do not change).

    ``width_pt``/``height_pt`` are the physical size in PostScript points (1/72 in): for a PDF page its
    MediaBox, for an image its pixel size divided by its DPI. ``dpi`` is ``None`` for a PDF page whose
    resolution cannot be known (vector content); for an image without a stored DPI it is ``None`` too.
    """

    width_px: int | None
    height_px: int | None
    dpi: float | None
    width_pt: float
    height_pt: float
    color: bool


@dataclass(frozen=True)
class FileInfo:
    """One imported file of a document (a document may have several: a diploma's front and back)."""

    name: str
    sha256: str
    kind: FileKind
    size: int
    pages: tuple[Page, ...]
    signed: bool = False
    """A PDF with a digital signature or a signature field (measured at import; the LoR Portal refuses it)."""


@dataclass(frozen=True)
class Comment:
    author: str
    date: date
    text: str


@dataclass(frozen=True)
class Review:
    """An advisor's answer on one document. ``stale`` when the document changed after it was reviewed."""

    decision: Decision | None
    comments: tuple[Comment, ...] = ()
    stale: bool = False
    reviewer: str = ""
    reviewed_on: date | None = None


@dataclass(frozen=True)
class Document:
    """One credential (or one translation: then ``translation_of`` names the original's id)."""

    id: str
    requirement: str
    files: tuple[FileInfo, ...] = ()
    issued: date | None = None
    expires: date | None = None
    language: str | None = None
    name_on_document: str | None = None
    translation_of: str | None = None
    translator: str | None = None
    translator_kind: str | None = None
    manual_translation_status: str | None = None
    notes: str = ""
    sha256: str = ""
    review: Review | None = None
    fields: Mapping[str, FieldValue] = field(default_factory=lambda: MappingProxyType({}))
    """The requirement's own fields that were set (``result``, ``test_date``, ...); defaults are the catalog's."""

    @property
    def pages(self) -> tuple[Page, ...]:
        return tuple(page for f in self.files for page in f.pages)

    @property
    def page_count(self) -> int:
        return sum(len(f.pages) for f in self.files)

    @property
    def is_translation(self) -> bool:
        return self.translation_of is not None or self.requirement == TRANSLATION_REQUIREMENT

    @property
    def needs_translation(self) -> bool:
        """A document in a language other than English needs an English translation (RULES.md [C])."""
        if self.is_translation or not self.language:
            return False
        return self.language.strip().replace("_", "-").lower().split("-")[0] != ENGLISH

    def with_changes(self, **changes: object) -> Document:
        return replace(self, **changes)  # type: ignore[arg-type]


def translations_of(document: Document, documents: tuple[Document, ...] | list[Document]) -> list[Document]:
    """The translations attached to ``document``, in the order given."""
    return [d for d in documents if d.translation_of == document.id]


def translation_status(document: Document, documents: tuple[Document, ...] | list[Document]) -> str:
    """Where the translation of ``document`` stands, derived from the data (DESIGN.md section 3).

    ``attached`` and ``not-needed`` follow from the documents; ``ordered``/``received`` are what the user
    said about a translation that is not in the vault yet; otherwise ``needed``.
    """
    if not document.needs_translation:
        return "not-needed"
    if translations_of(document, documents):
        return "attached"
    if document.manual_translation_status in MANUAL_TRANSLATION_STATUSES:
        return document.manual_translation_status
    return "needed"


@dataclass(frozen=True)
class Finding:
    """One problem (or note) the validation engine reports, with the fix in the applicant's terms."""

    severity: Severity
    code: str
    requirement: str
    document: str | None
    message: str
    fix: str
    question: str | None = None
    """For ``unconfirmed``: the confirmation id the applicant can answer (not part of the JSON shape)."""

    def to_json(self) -> dict[str, str | None]:
        return {
            "severity": self.severity,
            "code": self.code,
            "requirement": self.requirement,
            "document": self.document,
            "message": self.message,
            "fix": self.fix,
        }


@dataclass(frozen=True)
class ValidationResult:
    as_of: date
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def ready(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "warning")

    @property
    def open_questions(self) -> tuple[Finding, ...]:
        """The confirmations still unanswered (``unconfirmed``): "Ready" says how many remain (DESIGN.md 6)."""
        return tuple(f for f in self.findings if f.code == "unconfirmed")

    def to_json(self) -> dict[str, object]:
        return {
            "ready": self.ready,
            "as_of": self.as_of.isoformat(),
            "findings": [f.to_json() for f in self.findings],
        }


def fields_to_json(values: Mapping[str, FieldValue]) -> dict[str, object]:
    """Field values for JSON: dates as ISO text, everything else as is."""
    return {name: v.isoformat() if isinstance(v, date) else v for name, v in sorted(values.items())}


def file_to_json(info: FileInfo) -> dict[str, object]:
    return {
        "name": info.name,
        "sha256": info.sha256,
        "kind": info.kind,
        "size": info.size,
        "pages": len(info.pages),
    }


def review_to_json(review: Review | None) -> dict[str, object] | None:
    if review is None:
        return None
    return {
        "decision": review.decision,
        "reviewer": review.reviewer,
        "reviewed_on": review.reviewed_on.isoformat() if review.reviewed_on else None,
        "comments": [{"author": c.author, "date": c.date.isoformat(), "text": c.text} for c in review.comments],
        "stale": review.stale,
    }


def document_to_json(document: Document, documents: tuple[Document, ...] | list[Document]) -> dict[str, object]:
    """The document object of ``list --json`` (DESIGN.md section 3); the bundle manifest reuses it."""
    return {
        "id": document.id,
        "requirement": document.requirement,
        "pages": document.page_count,
        "files": [file_to_json(f) for f in document.files],
        "issued": document.issued.isoformat() if document.issued else None,
        "expires": document.expires.isoformat() if document.expires else None,
        "language": document.language,
        "name_on_document": document.name_on_document,
        "translation_of": document.translation_of,
        "translations": [t.id for t in translations_of(document, documents)],
        "translation_status": translation_status(document, documents),
        "translator": document.translator,
        "translator_kind": document.translator_kind,
        "notes": document.notes,
        "fields": fields_to_json(document.fields),
        "sha256": document.sha256,
        "review": review_to_json(document.review),
    }
