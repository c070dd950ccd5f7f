"""The advisor bundle (``.ecfmgpkt``): a zip of the packet PDF, the original files and a manifest.

A bundle travels by e-mail and USB sticks, so nothing in it is trusted until checked. ``manifest.json`` lists
every other member with its SHA-256 and size, describes every document, and carries a checksum of itself
(``manifest_sha256``). :func:`verify_bundle` refuses, with :class:`TamperedBundleError` naming what changed, a
member that is missing, altered, unlisted, larger than declared, a symlink, a path (absolute, ``..``,
backslash, drive letter), a duplicate, or a manifest that does not parse, has the wrong shape or format
version, or was edited. A file that is not a zip at all is refused the same way (exit 3): whether it was
damaged in transit or never was a bundle, its contents cannot be vouched for.

The checksum catches damage and hand edits; the signature (format 2) catches someone who rewrites the
manifest *and* recomputes the checksum ("reseals" it): the manifest is signed with the exporting vault's
Ed25519 key (``vault.signing``), over every key but the signature and the checksum. A format-1 bundle (no
signature) still opens, marked unsigned (``BundleManifest.signer is None``). What a signature alone cannot
show is *whose* key it is: someone who re-signs with a key of their own passes, which is why the fingerprint
is shown to the advisor.

Zip member names are never used as paths, and nothing is extracted: :func:`open_bundle` verifies every
member, then keeps the zip open and reads a member into memory (checking it again) only when it is shown.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import struct
import threading
import uuid
import weakref
import zipfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from types import MappingProxyType, TracebackType
from typing import IO, TYPE_CHECKING, Any, Final, cast, get_args

from ecfmg_desk.core.clinical import (
    LETTER_STATUSES,
    ROTATION_KINDS,
    ROTATION_STATUSES,
    Letter,
    Rotation,
    Task,
    check_letter,
    check_rotation,
    letter_to_json,
    linked_documents,
    rotation_to_json,
)
from ecfmg_desk.core.model import (
    Document,
    FileInfo,
    FileKind,
    Finding,
    Page,
    Profile,
    Severity,
    TranslationStatus,
    ValidationResult,
    fields_to_json,
    translation_status,
    translations_of,
)
from ecfmg_desk.core.plan import Plan, PlanItem
from ecfmg_desk.errors import BadInputError, DeskError, IntegrityError, TamperedBundleError, UnknownDocumentError
from ecfmg_desk.packet._json import strict_loads
from ecfmg_desk.packet._output import atomic_output
from ecfmg_desk.packet.bundle_fields import FieldsReader
from ecfmg_desk.vault.signatures import Signer, read_signature, sign_body

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

__all__ = [
    "BUNDLE_FORMAT",
    "BUNDLE_FORMAT_VERSION",
    "ApplicantSummary",
    "BundleManifest",
    "Member",
    "OpenedBundle",
    "open_bundle",
    "verify_bundle",
    "write_bundle",
]

BUNDLE_FORMAT: Final = "ecfmg-desk-bundle"
BUNDLE_FORMAT_VERSION: Final = 2
READABLE_VERSIONS: Final = (1, 2)
SIGNATURE_CONTEXT: Final = "ecfmg-desk/bundle/v2"
MANIFEST_NAME: Final = "manifest.json"
PACKET_MEMBER: Final = "packet.pdf"

MAX_MANIFEST_BYTES: Final = 2 * 1024 * 1024
MAX_MEMBERS: Final = 1000
MAX_DIRECTORY_BYTES: Final = MAX_MEMBERS * 512
MAX_FILE_BYTES: Final = 200 * 1024 * 1024
"""A document's file: the vault refuses to import anything larger (``vault.inspect.MAX_FILE_BYTES``)."""
MAX_PACKET_BYTES: Final = 4 * 1024**3
MAX_TOTAL_BYTES: Final = 8 * 1024**3
MAX_DOCUMENTS: Final = 500
MAX_FINDINGS: Final = 2000
"""Limits well above a real packet (40-odd documents, a few hundred files, a manifest of some 100 KB, about
1 GB in all), low enough that a hostile bundle is refused at once: a manifest is checked against its bound
before a byte of it is inflated, and the zip's entry count before its directory is parsed."""

_CHUNK = 1 << 20
_EXTENSIONS: Mapping[str, str] = {"pdf": "pdf", "jpeg": "jpg", "png": "png", "tiff": "tif"}
_FILE_MEMBER = re.compile(r"files/([0-9a-f]{64})\.(pdf|jpg|png|tif)")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_DRIVE = re.compile(r"^[A-Za-z]:")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class ApplicantSummary:
    given_names: str
    family_name: str
    usmle_id: str
    medical_school: str

    @property
    def name_of_record(self) -> str:
        return Profile(given_names=self.given_names, family_name=self.family_name).name_of_record

    def to_profile(self) -> Profile:
        """A Profile with what the bundle carries (no date of birth or other personal fields)."""
        return Profile(
            given_names=self.given_names,
            family_name=self.family_name,
            usmle_id=self.usmle_id,
            medical_school=self.medical_school,
        )


@dataclass(frozen=True)
class Member:
    name: str
    sha256: str
    size: int


@dataclass(frozen=True)
class BundleManifest:
    format_version: int
    app_version: str
    bundle_id: str
    vault_id: str
    created: date
    applicant: ApplicantSummary
    catalog_cycle: str
    documents: tuple[Document, ...]
    translation_statuses: Mapping[str, str]
    validation: ValidationResult
    members: tuple[Member, ...]
    packet_member: str = PACKET_MEMBER
    signer: Signer | None = None
    """Who signed the manifest, as read back (None: a format-1 bundle, or one exported without a key)."""
    cycle: int | None = None
    """The Match cycle of the student's plan (format 2; ``None`` in a format-1 bundle)."""
    deadlines: tuple[PlanItem, ...] = ()
    """The plan's next three deadlines on the day of export, as ``plan --json`` items (format 2)."""
    # Format 2 leaves room here (and in _TOP_KEYS_V2, to_json, parse_manifest) for the plan's ``cycle`` and
    # ``deadlines``: add each as a field with a default, so format-1 bundles still parse to a manifest without them.
    rotations: tuple[Rotation, ...] = ()
    """The applicant's clinical experience (format 2; their private notes stay home)."""
    letters: tuple[Letter, ...] = ()

    def document(self, doc_id: str) -> Document:
        for doc in self.documents:
            if doc.id == doc_id:
                return doc
        raise UnknownDocumentError(f"The bundle has no document {doc_id}.")

    def member_for(self, file: FileInfo) -> str:
        return _member_name(file)

    def to_json(self, key: Ed25519PrivateKey | None = None) -> dict[str, object]:
        """The manifest as written: signed with ``key`` (format 2; ``None``: ``"signature": null``), then sealed
        with its checksum."""
        body: dict[str, object] = {
            "format": BUNDLE_FORMAT,
            "format_version": self.format_version,
            "app_version": self.app_version,
            "bundle_id": self.bundle_id,
            "vault_id": self.vault_id,
            "created": self.created.isoformat(),
            "applicant": {
                "name_of_record": self.applicant.name_of_record,
                "given_names": self.applicant.given_names,
                "family_name": self.applicant.family_name,
                "usmle_id": self.applicant.usmle_id,
                "medical_school": self.applicant.medical_school,
            },
            "catalog_cycle": self.catalog_cycle,
            "packet": self.packet_member,
            "documents": [_document_json(d, self.documents, self.translation_statuses, self.format_version >= 2)
                          for d in self.documents],
            "validation": self.validation.to_json(),
            "members": [{"name": m.name, "sha256": m.sha256, "size": m.size} for m in self.members],
        }
        if self.format_version >= 2 and self.cycle is not None:
            body["cycle"] = self.cycle
            body["deadlines"] = [item.to_json() for item in self.deadlines]
        if self.format_version >= 2:
            body["rotations"] = [
                rotation_to_json(r, self.letters, linked_documents(self.documents, "rotation", r.id))
                for r in self.rotations
            ]
            body["letters"] = [
                letter_to_json(x, linked_documents(self.documents, "letter", x.id)) for x in self.letters
            ]
            body["signature"] = sign_body(key, SIGNATURE_CONTEXT, body) if key is not None else None
        body["manifest_sha256"] = _seal(body)
        return body


def _member_name(file: FileInfo) -> str:
    return f"files/{file.sha256}.{_EXTENSIONS[file.kind]}"


def _canonical(body: Mapping[str, object]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _seal(body: Mapping[str, object]) -> str:
    return hashlib.sha256(_canonical({k: v for k, v in body.items() if k != "manifest_sha256"})).hexdigest()


def _page_json(page: Page) -> dict[str, object]:
    return {
        "width_px": page.width_px,
        "height_px": page.height_px,
        "dpi": page.dpi,
        "width_pt": page.width_pt,
        "height_pt": page.height_pt,
        "color": page.color,
    }


def _document_json(doc: Document, documents: Sequence[Document], statuses: Mapping[str, str],
                   with_fields: bool = True) -> dict[str, object]:
    """The ``list --json`` document object (DESIGN.md section 3) without ``review``, plus what rebuilds the
    Document exactly: each file's member and page measurements, the manual translation status, and (format 2)
    the requirement's own fields, so the advisor sees the exam result or the OET scores. The applicant's
    private notes stay in the vault (the app tells them "only you see it")."""
    extra: dict[str, object] = {"fields": fields_to_json(doc.fields)} if with_fields else {}
    return {
        **extra,
        "id": doc.id,
        "requirement": doc.requirement,
        "pages": doc.page_count,
        "files": [
            {
                "name": f.name,
                "sha256": f.sha256,
                "kind": f.kind,
                "size": f.size,
                "member": _member_name(f),
                "page_sizes": [_page_json(p) for p in f.pages],
            }
            for f in doc.files
        ],
        "issued": doc.issued.isoformat() if doc.issued else None,
        "expires": doc.expires.isoformat() if doc.expires else None,
        "language": doc.language,
        "name_on_document": doc.name_on_document,
        "translation_of": doc.translation_of,
        "translations": [t.id for t in translations_of(doc, list(documents))],
        "translation_status": statuses.get(doc.id) or translation_status(doc, list(documents)),
        "translator": doc.translator,
        "translator_kind": doc.translator_kind,
        "manual_translation_status": doc.manual_translation_status,
        "sha256": doc.sha256,
    }


# --- writing --------------------------------------------------------------------------------------------


def write_bundle(
    out: Path,
    *,
    vault_id: str,
    profile: Profile,
    documents: Sequence[Document],
    translation_statuses: Mapping[str, str],
    validation: ValidationResult,
    read_file: Callable[[FileInfo], bytes],
    packet_pdf: Path,
    app_version: str,
    catalog_cycle: str,
    created: date,
    signing_key: Ed25519PrivateKey | None = None,
    schedule: Plan | None = None,
    rotations: Sequence[Rotation] = (),
    letters: Sequence[Letter] = (),
) -> BundleManifest:
    """Write the bundle to ``out`` atomically (temp file beside it, then rename) and return its manifest,
    signed with ``signing_key`` (the vault's key; ``None`` writes an unsigned format-2 manifest). ``schedule``:
    the student's plan, whose cycle and next three deadlines the manifest carries for the advisor.

    Each distinct file is stored once, under ``files/<sha256>.<ext>``; its bytes are checked against the
    SHA-256 the vault recorded (``IntegrityError`` if they differ). Nothing is left behind on failure.
    """
    members: list[Member] = []
    with atomic_output(out, "bundle") as raw, zipfile.ZipFile(raw, "w", allowZip64=True) as zf:
        seen: set[str] = set()
        for doc in documents:
            for file in doc.files:
                name = _member_name(file)
                if name in seen:
                    continue
                seen.add(name)
                data = read_file(file)
                digest = hashlib.sha256(data).hexdigest()
                if digest != file.sha256 or len(data) != file.size:
                    raise IntegrityError(
                        f"{file.name} no longer matches what was imported: the vault's copy is damaged. Replace the "
                        "scan, or restore a backup.", topic="check"
                    )
                zf.writestr(_zip_info(name, len(data)), data, compress_type=zipfile.ZIP_STORED)
                members.append(Member(name, digest, len(data)))
                del data
        members.append(_copy_into(zf, packet_pdf, PACKET_MEMBER))
        manifest = BundleManifest(
            format_version=BUNDLE_FORMAT_VERSION,
            app_version=app_version,
            bundle_id=str(uuid.uuid4()),
            vault_id=vault_id,
            created=created,
            applicant=ApplicantSummary(
                given_names=profile.given_names,
                family_name=profile.family_name,
                usmle_id=profile.usmle_id,
                medical_school=profile.medical_school,
            ),
            catalog_cycle=catalog_cycle,
            cycle=schedule.cycle if schedule is not None else None,
            deadlines=schedule.next_deadlines(MAX_DEADLINES) if schedule is not None else (),
            # reviews and private notes stay home
            documents=tuple(replace(d, review=None, notes="") for d in documents),
            translation_statuses={
                d.id: translation_statuses.get(d.id) or translation_status(d, list(documents)) for d in documents
            },
            validation=validation,
            members=tuple(members),
            rotations=tuple(r.with_changes(notes=None) for r in rotations),
            letters=tuple(letters),
        )
        body = json.dumps(manifest.to_json(signing_key), ensure_ascii=False, indent=1).encode("utf-8")
        if len(body) > MAX_MANIFEST_BYTES:
            raise BadInputError("The packet has too many documents or findings to fit in a bundle.")
        zf.writestr(_zip_info(MANIFEST_NAME, len(body)), body, compress_type=zipfile.ZIP_DEFLATED)
    if signing_key is not None:
        from ecfmg_desk.vault.signatures import raw_public_key

        manifest = replace(manifest, signer=Signer(raw_public_key(signing_key)))
    return manifest


def _zip_info(name: str, size: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    info.file_size = size  # lets zipfile pick ZIP64 up front for a member over 2 GiB
    return info


def _copy_into(zf: zipfile.ZipFile, source: Path, name: str) -> Member:
    try:
        size = source.stat().st_size
        hasher = hashlib.sha256()
        info = _zip_info(name, size)
        info.compress_type = zipfile.ZIP_STORED
        with source.open("rb") as src, zf.open(info, "w") as dst:
            while chunk := src.read(_CHUNK):
                hasher.update(chunk)
                dst.write(chunk)
    except FileNotFoundError as exc:
        raise BadInputError(f"The packet {source} does not exist; export it first.") from exc
    return Member(name, hasher.hexdigest(), size)


# --- reading --------------------------------------------------------------------------------------------


def _refuse(message: str) -> TamperedBundleError:
    return TamperedBundleError(f"The bundle cannot be trusted: {message}")


def _check_name(name: str) -> None:
    """Refuse a member name that could be taken for a path outside the bundle (even though none ever is)."""
    shown = repr(name)
    if not name or len(name) > 255 or any(ord(c) < 32 for c in name):
        raise _refuse(f"a member has an invalid name {shown}.")
    if "\\" in name or _DRIVE.match(name):
        raise _refuse(f"member {shown} has a Windows path for a name.")
    if name.startswith("/"):
        raise _refuse(f"member {shown} has an absolute path for a name.")
    if any(part in ("", ".", "..") for part in name.split("/")):
        raise _refuse(f"member {shown} has a name that climbs out of the bundle or is not a plain name.")


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


class _Reader:
    """Typed access to the parsed manifest: every wrong type or missing key is a TamperedBundleError."""

    def __init__(self, where: str, obj: object, keys: Sequence[str]) -> None:
        if not isinstance(obj, dict):
            raise _refuse(f"the manifest's {where} is not an object.")
        extra = set(obj) - set(keys)
        missing = set(keys) - set(obj)
        if extra or missing:
            what = f"unexpected {sorted(extra)}" if extra else f"missing {sorted(missing)}"
            raise _refuse(f"the manifest's {where} has the wrong shape ({what}).")
        self.where, self.obj = where, cast(dict[str, Any], obj)

    def _bad(self, key: str, expected: str) -> TamperedBundleError:
        where = key if self.where == "top level" else f"{self.where}.{key}"
        return _refuse(f"the manifest's {where} is not {expected}.")

    def text(self, key: str, *, optional: bool = False, limit: int = 10_000) -> Any:
        value = self.obj[key]
        if value is None and optional:
            return None
        if not isinstance(value, str) or len(value) > limit:
            raise self._bad(key, "a text")
        return value

    def whole(self, key: str) -> int:
        value = self.obj[key]
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self._bad(key, "a whole number")
        return value

    def number(self, key: str, *, optional: bool = False) -> Any:
        value = self.obj[key]
        if value is None and optional:
            return None
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise self._bad(key, "a number")
        return value

    def flag(self, key: str) -> bool:
        value = self.obj[key]
        if not isinstance(value, bool):
            raise self._bad(key, "true or false")
        return value

    def day(self, key: str, *, optional: bool = False) -> Any:
        value = self.text(key, optional=optional, limit=10)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise self._bad(key, "a date (YYYY-MM-DD)") from None

    def choice(self, key: str, choices: Sequence[str], *, optional: bool = False) -> Any:
        value = self.text(key, optional=optional)
        if value is not None and value not in choices:
            raise self._bad(key, "one of " + ", ".join(choices))
        return value

    def items(self, key: str, limit: int = MAX_MEMBERS) -> list[Any]:
        value = self.obj[key]
        if not isinstance(value, list):
            raise self._bad(key, "a list")
        if len(value) > limit:
            raise self._bad(key, f"a list of at most {limit} entries (no real bundle has more)")
        return value


_TOP_KEYS = (
    "format", "format_version", "app_version", "bundle_id", "vault_id", "created", "applicant",
    "catalog_cycle", "packet", "documents", "validation", "members", "manifest_sha256",
)  # fmt: skip
_TOP_KEYS_V2 = (*_TOP_KEYS, "signature")  # + _PLAN_KEYS and _CLINICAL_KEYS (format 2 only)
_CLINICAL_KEYS = ("rotations", "letters")
_ROTATION_KEYS = ("id", "kind", "hands_on", "institution", "specialty", "supervisor", "start", "end", "weeks",
                  "status", "tasks", "letters", "documents")
_TASK_KEYS = ("title", "due", "done")
_LETTER_KEYS = ("id", "writer", "writer_title", "rotation", "requested", "due", "status", "letter_id", "documents")
MAX_ROTATIONS: Final = 200
MAX_TASKS: Final = 100
_DOC_KEYS = (
    "id", "requirement", "pages", "files", "issued", "expires", "language", "name_on_document",
    "translation_of", "translations", "translation_status", "translator", "translator_kind",
    "manual_translation_status", "sha256",
)  # fmt: skip
_FILE_KEYS = ("name", "sha256", "kind", "size", "member", "page_sizes")
_PAGE_KEYS = ("width_px", "height_px", "dpi", "width_pt", "height_pt", "color")
_APPLICANT_KEYS = ("name_of_record", "given_names", "family_name", "usmle_id", "medical_school")
_FINDING_KEYS = ("severity", "code", "requirement", "document", "message", "fix")


def parse_manifest(raw: bytes) -> BundleManifest:
    """Parse and check ``manifest.json``: its shape, format, checksum and internal consistency."""
    try:
        body = strict_loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _refuse(f"its manifest is not valid JSON ({exc}).") from None
    if not isinstance(body, dict) or body.get("format") != BUNDLE_FORMAT:
        raise _refuse("its manifest is not an ECFMG Desk bundle manifest.")
    version = body.get("format_version")
    if version not in READABLE_VERSIONS or isinstance(version, bool):
        raise _refuse(
            f"its manifest has format version {version!r}; this app reads up to version {BUNDLE_FORMAT_VERSION} "
            "(a newer bundle needs a newer ECFMG Desk)."
        )
    keys: tuple[str, ...] = _TOP_KEYS
    if version >= 2:
        keys = _TOP_KEYS_V2 + (_PLAN_KEYS if "cycle" in body else ()) + (_CLINICAL_KEYS if "rotations" in body else ())
    top = _Reader("top level", body, keys)
    if top.text("manifest_sha256", limit=64) != _seal(body):
        raise _refuse("its manifest was edited after the bundle was made (its checksum does not match).")
    signer = None
    if version >= 2 and body["signature"] is not None:
        signed = {k: v for k, v in body.items() if k not in ("signature", "manifest_sha256")}
        signer = read_signature(body["signature"], SIGNATURE_CONTEXT, signed, _refuse)
    bundle_id = top.text("bundle_id", limit=64)
    try:
        uuid.UUID(bundle_id)
    except ValueError:
        raise top._bad("bundle_id", "a bundle id") from None

    members = []
    names: set[str] = set()
    for i, item in enumerate(top.items("members")):
        r = _Reader(f"members[{i}]", item, ("name", "sha256", "size"))
        name, digest, size = r.text("name", limit=255), r.text("sha256", limit=64), r.whole("size")
        if not _SHA256.fullmatch(digest):
            raise r._bad("sha256", "a SHA-256")
        if name in names or name == MANIFEST_NAME:
            raise _refuse(f"its manifest lists {name!r} twice.")
        if name != PACKET_MEMBER and not _FILE_MEMBER.fullmatch(name):
            raise _refuse(f"its manifest lists a member with an unexpected name {name!r}.")
        if size > (MAX_PACKET_BYTES if name == PACKET_MEMBER else MAX_FILE_BYTES):
            raise _refuse(f"its manifest declares {name} as {size} bytes, more than a bundle may hold.")
        names.add(name)
        members.append(Member(name, digest, size))
    if sum(m.size for m in members) > MAX_TOTAL_BYTES:
        raise _refuse("its manifest declares more data than a bundle may hold.")
    by_name = {m.name: m for m in members}
    packet = top.text("packet", limit=255)
    if packet != PACKET_MEMBER or packet not in by_name:
        raise _refuse("its manifest does not list the packet PDF.")

    a = _Reader("applicant", body["applicant"], _APPLICANT_KEYS)
    applicant = ApplicantSummary(
        a.text("given_names", limit=500), a.text("family_name", limit=500), a.text("usmle_id", limit=100),
        a.text("medical_school", limit=500),
    )
    if a.text("name_of_record", limit=1001) != applicant.name_of_record:
        raise a._bad("name_of_record", "the given names followed by the family name")

    documents, statuses = _parse_documents(top, by_name, version, body.get("cycle"))
    rotations, letters = _parse_clinical(top) if version >= 2 and "rotations" in body else ((), ())
    return BundleManifest(
        format_version=version,
        app_version=top.text("app_version", limit=100),
        bundle_id=bundle_id,
        vault_id=top.text("vault_id", limit=200),
        created=top.day("created"),
        applicant=applicant,
        catalog_cycle=top.text("catalog_cycle", limit=100),
        documents=documents,
        translation_statuses=statuses,
        validation=_parse_validation(body["validation"]),
        members=tuple(members),
        signer=signer,
        cycle=top.whole("cycle") if "cycle" in body else None,
        deadlines=_parse_deadlines(top) if "cycle" in body else (),
        rotations=rotations,
        letters=letters,
    )


_PLAN_KEYS = ("cycle", "deadlines")
MAX_DEADLINES: Final = 3
_ITEM_KEYS = ("key", "date", "kind", "title", "status", "confidence", "source", "ref", "user_entered")
_REF_KINDS = ("requirement", "document", "rotation", "letter")


def _parse_deadlines(top: _Reader) -> tuple[PlanItem, ...]:
    """The plan's next deadlines, checked like the rest of the manifest (plain values, bounded lengths)."""
    items = []
    for i, obj in enumerate(top.items("deadlines", limit=MAX_DEADLINES)):
        r = _Reader(f"deadlines[{i}]", obj, _ITEM_KEYS)
        ref = r.obj["ref"]
        if ref is not None:
            if not isinstance(ref, dict) or len(ref) != 1:
                raise r._bad("ref", "null or one reference")
            ((kind, target),) = ref.items()
            if kind not in _REF_KINDS or not isinstance(target, str) or len(target) > 100:
                raise r._bad("ref", "a reference to a requirement, document, rotation or letter")
        items.append(
            PlanItem(
                key=r.text("key", limit=200),
                date=r.day("date"),
                kind=r.choice("kind", ("deadline", "milestone", "expiry", "task")),
                title=r.text("title", limit=500),
                status=r.choice("status", ("done", "overdue", "due-soon", "upcoming", "unknown")),
                confidence=r.choice("confidence", ("C", "C-old", "T", "M", "?")),
                source=r.text("source", optional=True, limit=2000),
                ref=dict(ref) if ref is not None else None,
                user_entered=r.flag("user_entered"),
            )
        )
    return tuple(items)


def _parse_clinical(top: _Reader) -> tuple[tuple[Rotation, ...], tuple[Letter, ...]]:
    """Rotations and letters as the student exported them; each value checked, links kept only when they resolve."""
    rotations: list[Rotation] = []
    for i, item in enumerate(top.items("rotations", MAX_ROTATIONS)):
        r = _Reader(f"rotations[{i}]", item, _ROTATION_KEYS)
        rid = r.text("id", limit=64)
        tasks = []
        for j, raw in enumerate(r.items("tasks", MAX_TASKS)):
            t = _Reader(f"rotations[{i}].tasks[{j}]", raw, _TASK_KEYS)
            tasks.append(Task(f"{rid}:{j}", t.text("title", limit=500), t.day("due", optional=True), t.flag("done")))
        r.flag("hands_on")
        r.number("weeks")
        for key in ("letters", "documents"):
            for value in r.items(key, MAX_DOCUMENTS):
                if not isinstance(value, str) or len(value) > 64:
                    raise r._bad(key, "a list of ids")
        rotation = Rotation(
            id=rid, kind=r.choice("kind", ROTATION_KINDS), institution=r.text("institution", limit=500),
            specialty=r.text("specialty", limit=500), supervisor=r.text("supervisor", optional=True, limit=500),
            start=r.day("start"), end=r.day("end"), status=r.choice("status", ROTATION_STATUSES),
            tasks=tuple(tasks),
        )
        try:
            check_rotation(rotation)
        except DeskError as exc:
            raise _refuse(f"the manifest's rotations[{i}] is not a rotation ({exc.message}).") from None
        rotations.append(rotation)
    ids = {r.id for r in rotations}
    if len(ids) != len(rotations):
        raise _refuse("its manifest lists a rotation twice.")
    letters: list[Letter] = []
    for i, item in enumerate(top.items("letters", MAX_ROTATIONS)):
        x = _Reader(f"letters[{i}]", item, _LETTER_KEYS)
        for value in x.items("documents", MAX_DOCUMENTS):
            if not isinstance(value, str) or len(value) > 64:
                raise x._bad("documents", "a list of ids")
        rotation_id = x.text("rotation", optional=True, limit=64)
        letter = Letter(
            id=x.text("id", limit=64), writer=x.text("writer", limit=500),
            writer_title=x.text("writer_title", optional=True, limit=500),
            rotation=rotation_id if rotation_id in ids else None, requested=x.day("requested", optional=True),
            due=x.day("due", optional=True), status=x.choice("status", LETTER_STATUSES),
            letter_id=x.text("letter_id", optional=True, limit=100),
        )
        try:
            check_letter(letter)
        except DeskError as exc:
            raise _refuse(f"the manifest's letters[{i}] is not a letter ({exc.message}).") from None
        letters.append(letter)
    return tuple(rotations), tuple(letters)


def _parse_documents(
    top: _Reader, members: Mapping[str, Member], version: int, cycle: object = None
) -> tuple[tuple[Document, ...], dict[str, str]]:
    documents: list[Document] = []
    statuses: dict[str, str] = {}
    translations: dict[str, list[str]] = {}
    fields_of = FieldsReader(cycle, _refuse)
    for i, item in enumerate(top.items("documents", MAX_DOCUMENTS)):
        # a format-2 document may carry its fields (bundles made before them do not)
        has_fields = version >= 2 and isinstance(item, dict) and "fields" in item
        d = _Reader(f"documents[{i}]", item, _DOC_KEYS + (("fields",) if has_fields else ()))
        doc_id = d.text("id", limit=200)
        if not doc_id or doc_id in statuses:
            raise d._bad("id", "a unique document id")
        files = tuple(_parse_file(f"documents[{i}].files[{j}]", f, members) for j, f in enumerate(d.items("files")))
        sha = d.text("sha256", limit=64)
        if sha and not _SHA256.fullmatch(sha):
            raise d._bad("sha256", "a SHA-256")
        doc = Document(
            id=doc_id,
            requirement=d.text("requirement", limit=200),
            files=files,
            issued=d.day("issued", optional=True),
            expires=d.day("expires", optional=True),
            language=d.text("language", optional=True, limit=35),
            name_on_document=d.text("name_on_document", optional=True, limit=1000),
            translation_of=d.text("translation_of", optional=True, limit=200),
            translator=d.text("translator", optional=True, limit=1000),
            translator_kind=d.text("translator_kind", optional=True, limit=100),
            manual_translation_status=d.text("manual_translation_status", optional=True, limit=100),
            sha256=sha,
            fields=MappingProxyType(
                fields_of(d.obj["fields"], d.obj["requirement"], f"documents[{i}]") if has_fields else {}),
        )
        if d.whole("pages") != doc.page_count:
            raise d._bad("pages", "the number of pages of its files")
        listed = d.items("translations")
        if not all(isinstance(t, str) for t in listed):
            raise d._bad("translations", "a list of document ids")
        translations[doc_id] = listed
        statuses[doc_id] = d.choice("translation_status", get_args(TranslationStatus))
        documents.append(doc)
    for doc in documents:
        if translations[doc.id] != [t.id for t in translations_of(doc, documents)]:
            raise _refuse(f"its manifest lists the wrong translations for document {doc.id}.")
    return tuple(documents), statuses


def _parse_file(where: str, obj: object, members: Mapping[str, Member]) -> FileInfo:
    f = _Reader(where, obj, _FILE_KEYS)
    kind = f.choice("kind", get_args(FileKind))
    digest, size = f.text("sha256", limit=64), f.whole("size")
    if not _SHA256.fullmatch(digest):
        raise f._bad("sha256", "a SHA-256")
    pages = []
    for k, item in enumerate(f.items("page_sizes")):
        p = _Reader(f"{where}.page_sizes[{k}]", item, _PAGE_KEYS)
        width_px = p.number("width_px", optional=True)
        height_px = p.number("height_px", optional=True)
        pages.append(
            Page(
                width_px=width_px,
                height_px=height_px,
                dpi=p.number("dpi", optional=True),
                width_pt=p.number("width_pt"),
                height_pt=p.number("height_pt"),
                color=p.flag("color"),
            )
        )
    info = FileInfo(name=f.text("name", limit=1000), sha256=digest, kind=kind, size=size, pages=tuple(pages))
    member = members.get(f.text("member", limit=255))
    if member is None or member.name != _member_name(info) or member.sha256 != digest or member.size != size:
        raise _refuse(f"its manifest's {where} does not match the member that holds it.")
    return info


def _parse_validation(obj: object) -> ValidationResult:
    v = _Reader("validation", obj, ("ready", "as_of", "findings"))
    findings = []
    for i, item in enumerate(v.items("findings", MAX_FINDINGS)):
        f = _Reader(f"validation.findings[{i}]", item, _FINDING_KEYS)
        findings.append(
            Finding(
                severity=cast(Severity, f.choice("severity", get_args(Severity))),
                code=f.text("code", limit=100),
                requirement=f.text("requirement", limit=200),
                document=f.text("document", optional=True, limit=200),
                message=f.text("message"),
                fix=f.text("fix"),
            )
        )
    result = ValidationResult(as_of=v.day("as_of"), findings=tuple(findings))
    if v.flag("ready") != result.ready:
        raise v._bad("ready", "consistent with its findings")
    return result


def _precheck_zip(fh: IO[bytes], size: int) -> None:
    """Refuse, from the end-of-central-directory record alone, a zip with more entries or a larger directory
    than any bundle has, *before* ``zipfile`` parses the whole directory into memory. Anything this cannot
    read is left for ``zipfile`` to judge."""
    tail_len = min(size, 22 + 0xFFFF)
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return
    entries, directory = struct.unpack_from("<H", tail, at + 10)[0], struct.unpack_from("<I", tail, at + 12)[0]
    if (entries == 0xFFFF or directory == 0xFFFFFFFF) and at >= 20 and tail[at - 20 : at - 16] == b"PK\x06\x07":
        offset = struct.unpack_from("<Q", tail, at - 20 + 8)[0]
        if offset + 56 <= size:
            fh.seek(offset)
            record = fh.read(56)
            if record[:4] == b"PK\x06\x06":
                entries, directory = struct.unpack_from("<QQ", record, 32)
    if entries > MAX_MEMBERS + 1 or directory > MAX_DIRECTORY_BYTES:
        raise _refuse("it has more members than any bundle would.")


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise BadInputError(f"{path} is not a file.")
        with path.open("rb") as fh:
            _precheck_zip(fh, os.fstat(fh.fileno()).st_size)
        return zipfile.ZipFile(path)  # keeps its own handle open: the file verified is the file later read
    except FileNotFoundError:
        raise BadInputError(f"{path} does not exist.") from None
    except PermissionError:
        raise BadInputError(f"{path} cannot be read (permission denied).") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError, OSError,
            struct.error):
        raise _refuse(f"{path.name} is not an ECFMG Desk bundle, or it is damaged (not a readable zip).") from None


def _scan(archive: zipfile.ZipFile) -> tuple[BundleManifest, dict[str, zipfile.ZipInfo]]:
    """Check everything (reading and hashing every member, keeping none); returns the manifest and where each
    listed member is in the zip."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS + 1:
        raise _refuse("it has more members than any bundle would.")
    by_name: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        _check_name(info.filename)
        if info.filename in by_name:
            raise _refuse(f"member {info.filename!r} appears twice.")
        if _is_symlink(info):
            raise _refuse(f"member {info.filename!r} is a symbolic link.")
        if info.is_dir():
            raise _refuse(f"it contains a folder {info.filename!r}.")
        if info.flag_bits & 0x1:
            raise _refuse(f"member {info.filename!r} is encrypted.")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _refuse(f"member {info.filename!r} uses an unexpected compression.")
        by_name[info.filename] = info
    manifest_info = by_name.get(MANIFEST_NAME)
    if manifest_info is None:
        raise _refuse("it has no manifest.json.")
    if manifest_info.file_size > MAX_MANIFEST_BYTES:
        raise _refuse(f"its manifest is larger than any manifest would be (over {MAX_MANIFEST_BYTES // 2**20} MB).")
    manifest = parse_manifest(_read_member(archive, manifest_info, MAX_MANIFEST_BYTES, None, keep=True))
    labels = {PACKET_MEMBER: "the packet PDF (packet.pdf)"}
    for doc in manifest.documents:
        for file in doc.files:
            labels.setdefault(_member_name(file), f"{file.name} ({_member_name(file)})")
    listed = {m.name for m in manifest.members}
    for name in by_name:
        if name != MANIFEST_NAME and name not in listed:
            raise _refuse(f"member {name!r} is not listed in its manifest (something was added).")
    for member in manifest.members:
        stored = by_name.get(member.name)
        label = labels.get(member.name, member.name)
        if stored is None:
            raise _refuse(f"{label} is listed in its manifest but missing (something was removed).")
        if stored.file_size != member.size:
            raise _refuse(f"{label} was altered: {stored.file_size} bytes instead of the {member.size} listed.")
        _read_member(archive, stored, member.size, member, label=label)
    return manifest, by_name


def _read_member(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    cap: int,
    member: Member | None,
    label: str | None = None,
    *,
    keep: bool = False,
) -> bytes:
    """Read a member with a byte cap (headers are not trusted: a zip bomb stops at ``cap + 1`` bytes), checking
    it against ``member``; returns the bytes with ``keep`` (else they are only hashed, chunk by chunk)."""
    label = label or info.filename
    hasher = hashlib.sha256()
    kept: list[bytes] = []
    count = 0
    try:
        with archive.open(info) as fh:
            while chunk := fh.read(min(_CHUNK, cap + 1 - count)):
                count += len(chunk)
                if count > cap:
                    raise _refuse(f"{label} is larger than declared (a zip bomb?).")
                hasher.update(chunk)
                if keep:
                    kept.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError, OSError) as exc:
        raise _refuse(f"{label} is damaged or altered ({exc}).") from None
    if member is not None:
        if count != member.size:
            raise _refuse(f"{label} was altered: {count} bytes instead of the {member.size} listed.")
        if hasher.hexdigest() != member.sha256:
            raise _refuse(f"{label} was altered: its SHA-256 differs from the manifest.")
    return b"".join(kept)


def verify_bundle(path: Path) -> BundleManifest:
    """Check every member of the bundle at ``path`` against its manifest; write nothing anywhere."""
    with _open_zip(Path(path)) as archive:
        return _scan(archive)[0]


class OpenedBundle:
    """A verified bundle, kept open: members are read from the zip into memory when asked for, and checked
    against the manifest again each time. Nothing is extracted, so no scan ever lands in clear in a temp folder;
    the open file handle also pins the verified file, should someone replace it on disk meanwhile."""

    def __init__(self, manifest: BundleManifest, archive: zipfile.ZipFile, infos: Mapping[str, zipfile.ZipInfo]):
        self.manifest = manifest
        self._archive: zipfile.ZipFile | None = archive
        self._infos = dict(infos)
        self._members = {m.name: m for m in manifest.members}
        self._lock = threading.Lock()
        self._finalizer = weakref.finalize(self, archive.close)

    @property
    def documents(self) -> tuple[Document, ...]:
        return self.manifest.documents

    @property
    def profile(self) -> Profile:
        return self.manifest.applicant.to_profile()

    @property
    def validation(self) -> ValidationResult:
        return self.manifest.validation

    def _read(self, name: str, label: str) -> bytes:
        # No lock held while reading: zipfile serialises each chunk read on the shared file itself, so the
        # preview and the thumbnail workers read different members side by side.
        with self._lock:
            archive = self._archive
        if archive is None:
            raise ValueError("the bundle was closed")
        member = self._members.get(name)
        if member is None or name not in self._infos:
            raise UnknownDocumentError(f"{label} is not part of this bundle.")
        try:
            return _read_member(archive, self._infos[name], member.size, member, label, keep=True)
        except TamperedBundleError:
            if self.closed:
                raise ValueError("the bundle was closed") from None
            raise

    def file_bytes(self, file: FileInfo) -> bytes:
        """The bytes of one of the bundle's files, read into memory and checked again against the manifest."""
        member = _member_name(file)
        if member not in self._members or self._members[member].sha256 != file.sha256:
            raise UnknownDocumentError(f"{file.name} is not part of this bundle.")
        return self._read(member, file.name)

    def packet_bytes(self) -> bytes:
        """The exported packet PDF, in memory (checked against the manifest)."""
        return self._read(PACKET_MEMBER, "the packet PDF")

    @property
    def closed(self) -> bool:
        return self._archive is None

    def close(self) -> None:
        """Let go of the bundle file (also done at garbage collection)."""
        with self._lock:
            self._archive = None
        self._finalizer()

    def __enter__(self) -> OpenedBundle:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def open_bundle(path: Path) -> OpenedBundle:
    """Verify the bundle and keep it open for reading its members (into memory, each checked again)."""
    archive = _open_zip(Path(path))
    try:
        manifest, infos = _scan(archive)
    except BaseException:
        archive.close()
        raise
    return OpenedBundle(manifest, archive, infos)
