"""Review files (issue 6): an advisor's per-document decisions and comments on one bundle.

A review comes back to the applicant by e-mail, so :func:`read_review` trusts nothing: size, JSON, shape,
format version, dates, decisions and ids are all checked, and anything wrong is a
:class:`ReviewMismatchError` with a sentence saying what. Each entry records the SHA-256 of the document as
reviewed, so the vault can mark a review stale when the document changed since.

    {"format": "ecfmg-desk-review", "format_version": 2, "review_id": "<uuid>", "bundle_id": "<uuid>",
     "vault_id": "...", "reviewer": "Dr. Ana Ruiz", "date": "2026-11-21", "created": "2026-11-21T14:03:10+00:00",
     "documents": {"<doc id>": {"decision": "approved" | "changes" | null,
                                "comments": [{"author": "...", "date": "2026-11-21", "text": "..."}],
                                "sha256": "<the reviewed document's sha256>"}},
     "signature": null | {"algorithm": "ed25519", "public_key": "<base64>", "value": "<base64>"}}

Format 2 adds the signature (over every other key, see ``vault.signatures``), a review id and the moment it
was written, which is what lets the student's vault refuse a replayed older review. Format 1 files (no
signature, no id) are still read, as unsigned reviews.

Bounds: a review is at most ``MAX_REVIEW_BYTES`` (the reader never reads past that, whatever the file's
size), with at most ``MAX_COMMENTS`` comments per document and ``MAX_TOTAL_COMMENTS`` in all, each at most
``MAX_COMMENT_CHARS`` characters. A real review is a few kilobytes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, cast, get_args

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ecfmg_desk.core.model import Comment, Decision, Review
from ecfmg_desk.errors import BadInputError, ReviewMismatchError, UnknownDocumentError, UsageError
from ecfmg_desk.packet._json import strict_loads
from ecfmg_desk.vault.blobs import atomic_writer
from ecfmg_desk.vault.signatures import Signer, read_signature, sign_body

from .bundle import BundleManifest

__all__ = [
    "REVIEW_FORMAT",
    "REVIEW_FORMAT_VERSION",
    "ReviewEntry",
    "ReviewFile",
    "check_review_for_bundle",
    "check_review_for_vault",
    "make_review",
    "read_review",
    "write_review",
]

REVIEW_FORMAT: Final = "ecfmg-desk-review"
REVIEW_FORMAT_VERSION: Final = 2
READABLE_VERSIONS: Final = (1, 2)
SIGNATURE_CONTEXT: Final = "ecfmg-desk/review/v2"
MAX_REVIEW_BYTES: Final = 1024 * 1024
MAX_COMMENT_CHARS: Final = 5_000
MAX_COMMENTS: Final = 100
"""Per document."""
MAX_TOTAL_COMMENTS: Final = 1_000
MAX_REVIEW_DOCUMENTS: Final = 1_000
DECISIONS: tuple[str, ...] = get_args(Decision)

_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class ReviewEntry:
    decision: Decision | None
    comments: tuple[Comment, ...]
    sha256: str
    """SHA-256 of the document as the advisor saw it (``Document.sha256``)."""


@dataclass(frozen=True)
class ReviewFile:
    bundle_id: str
    vault_id: str
    reviewer: str
    date: dt.date
    documents: Mapping[str, ReviewEntry]
    format_version: int = REVIEW_FORMAT_VERSION
    review_id: str | None = None
    """None for a format-1 review."""
    created: dt.datetime | None = None
    """When the advisor's app wrote it (UTC); None for a format-1 review."""
    signer: Signer | None = None
    """Who signed it, as read back (None: unsigned). Set by :func:`read_review`, never by the writer."""

    @property
    def signed(self) -> bool:
        return self.signer is not None

    def to_json(self) -> dict[str, object]:
        """The format-2 body without its signature (what :func:`write_review` signs)."""
        assert self.review_id is not None and self.created is not None
        return {
            "format": REVIEW_FORMAT,
            "format_version": REVIEW_FORMAT_VERSION,
            "review_id": self.review_id,
            "bundle_id": self.bundle_id,
            "vault_id": self.vault_id,
            "reviewer": self.reviewer,
            "date": self.date.isoformat(),
            "created": self.created.isoformat(),
            "documents": {
                doc_id: {
                    "decision": entry.decision,
                    "comments": [
                        {"author": c.author, "date": c.date.isoformat(), "text": c.text} for c in entry.comments
                    ],
                    "sha256": entry.sha256,
                }
                for doc_id, entry in self.documents.items()
            },
        }

    def reviews(self) -> dict[str, Review]:
        """The entries as core ``Review`` objects (not stale: the vault decides that from ``sha256``)."""
        return {
            doc_id: Review(
                decision=entry.decision, comments=entry.comments, reviewer=self.reviewer, reviewed_on=self.date
            )
            for doc_id, entry in self.documents.items()
        }


def make_review(
    manifest: BundleManifest,
    decisions: Mapping[str, str],
    comments: Mapping[str, Sequence[str]],
    reviewer: str,
    on: dt.date,
    at: dt.datetime | None = None,
) -> ReviewFile:
    """A review of ``manifest``'s bundle: one entry per document given a decision or a comment.

    An id that is not in the bundle is refused (``UnknownDocumentError``), as are an unknown decision, an
    empty reviewer name and an over-long comment (``UsageError``); blank comments are dropped.
    """
    reviewer = reviewer.strip()
    if not reviewer or len(reviewer) > 200:
        raise UsageError("A review needs the reviewer's name (at most 200 characters).", topic="reviewer")
    by_id = {d.id: d for d in manifest.documents}
    for doc_id in [*decisions, *comments]:
        if doc_id not in by_id:
            raise UnknownDocumentError(f"The bundle has no document {doc_id}.", topic="verify")
    entries: dict[str, ReviewEntry] = {}
    for doc in manifest.documents:
        decision = decisions.get(doc.id)
        if decision is not None and decision not in DECISIONS:
            raise UsageError(f"Unknown decision {decision!r} for {doc.id}; use approved or changes.")
        texts = [t.strip() for t in comments.get(doc.id, ()) if t.strip()]
        if any(len(t) > MAX_COMMENT_CHARS for t in texts):
            raise UsageError(f"A comment on {doc.id} is longer than {MAX_COMMENT_CHARS} characters.")
        if len(texts) > MAX_COMMENTS:
            raise UsageError(f"{doc.id} has more than {MAX_COMMENTS} comments; put them together.")
        if decision is None and not texts:
            continue
        entries[doc.id] = ReviewEntry(
            decision=cast(Decision | None, decision),
            comments=tuple(Comment(author=reviewer, date=on, text=t) for t in texts),
            sha256=doc.sha256,
        )
    if sum(len(e.comments) for e in entries.values()) > MAX_TOTAL_COMMENTS:
        raise UsageError(f"The review has more than {MAX_TOTAL_COMMENTS} comments.")
    return ReviewFile(
        bundle_id=manifest.bundle_id, vault_id=manifest.vault_id, reviewer=reviewer, date=on, documents=entries,
        review_id=str(uuid.uuid4()), created=(at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0),
    )


def write_review(path: Path, review: ReviewFile, key: Ed25519PrivateKey | None = None) -> None:
    """Write ``review`` as JSON, signed with ``key`` (``None``: unsigned), atomically (temp file beside it,
    fsync, rename)."""
    path = Path(path)
    body = review.to_json()
    body["signature"] = sign_body(key, SIGNATURE_CONTEXT, body) if key is not None else None
    data = (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if len(data) > MAX_REVIEW_BYTES:
        raise UsageError(f"The review is larger than {MAX_REVIEW_BYTES // (1024 * 1024)} MB; shorten the comments.")
    if not path.parent.is_dir():
        raise BadInputError(f"Cannot write the review in {path.parent}: there is no such folder.")
    try:
        # the temps journal notes the ``.tmp-`` file first, so a kill before the rename leaves nothing for long
        with atomic_writer(path) as handle:
            handle.write(data)
    except OSError as exc:
        raise BadInputError(f"Cannot write the review to {path}: {exc.strerror or exc}") from exc


def _bad(message: str) -> ReviewMismatchError:
    return ReviewMismatchError(f"This is not a usable review file: {message}")


class _Obj:
    """Checked access to one JSON object of the review."""

    def __init__(self, where: str, obj: object, keys: Sequence[str]) -> None:
        if not isinstance(obj, dict):
            raise _bad(f"{where} is not an object.")
        extra, missing = set(obj) - set(keys), set(keys) - set(obj)
        if extra or missing:
            raise _bad(f"{where} has " + (f"unexpected {sorted(extra)}" if extra else f"no {sorted(missing)}") + ".")
        self.where, self.obj = where, cast(dict[str, Any], obj)

    def text(self, key: str, *, limit: int, optional: bool = False, nonempty: bool = False) -> Any:
        value = self.obj[key]
        if value is None and optional:
            return None
        if not isinstance(value, str) or len(value) > limit or (nonempty and not value.strip()):
            raise _bad(f"{self.where}.{key} is not a valid text.")
        return value

    def day(self, key: str) -> dt.date:
        value = self.text(key, limit=10)
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise _bad(f"{self.where}.{key} is not a date (YYYY-MM-DD): {value!r}.") from None


def read_review(path: Path) -> ReviewFile:
    """Read and check a review file; ``ReviewMismatchError`` says what is wrong with a malformed one."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_REVIEW_BYTES + 1)
    except FileNotFoundError:
        raise BadInputError(f"{path} does not exist.") from None
    except OSError as exc:
        raise BadInputError(f"{path} cannot be read: {exc.strerror or exc}") from None
    if len(raw) > MAX_REVIEW_BYTES:
        raise _bad(f"it is larger than {MAX_REVIEW_BYTES // (1024 * 1024)} MB.")
    try:
        body = strict_loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _bad(f"it is not valid JSON ({exc}).") from None
    if not isinstance(body, dict) or body.get("format") != REVIEW_FORMAT:
        raise _bad("it is not an ECFMG Desk review.")
    version = body.get("format_version")
    if version not in READABLE_VERSIONS or isinstance(version, bool):
        raise _bad(f"format version {version!r} is not supported (this app reads up to {REVIEW_FORMAT_VERSION}).")
    keys: tuple[str, ...] = ("format", "format_version", "bundle_id", "vault_id", "reviewer", "date", "documents")
    if version == 2:
        keys = (*keys, "review_id", "created", "signature")
    top = _Obj("the file", body, keys)
    bundle_id = top.text("bundle_id", limit=64)
    try:
        uuid.UUID(bundle_id)
    except ValueError:
        raise _bad("bundle_id is not a bundle id.") from None
    review_id: str | None = None
    created: dt.datetime | None = None
    signer: Signer | None = None
    if version == 2:
        review_id = top.text("review_id", limit=64)
        try:
            uuid.UUID(review_id)
        except ValueError:
            raise _bad("review_id is not a review id.") from None
        created = _moment(top.text("created", limit=40))
        if body["signature"] is not None:
            unsigned = {k: v for k, v in body.items() if k != "signature"}
            signer = read_signature(body["signature"], SIGNATURE_CONTEXT, unsigned, lambda why: _bad(f"{why}"))
    docs = body["documents"]
    if not isinstance(docs, dict) or len(docs) > MAX_REVIEW_DOCUMENTS:
        raise _bad("documents is not an object of document ids.")
    entries: dict[str, ReviewEntry] = {}
    total_comments = 0
    for doc_id, item in docs.items():
        if not doc_id or len(doc_id) > 200:
            raise _bad(f"document id {doc_id!r} is not valid.")
        entry = _Obj(f"document {doc_id}", item, ("decision", "comments", "sha256"))
        decision = entry.text("decision", limit=20, optional=True)
        if decision is not None and decision not in DECISIONS:
            raise _bad(f"document {doc_id} has an unknown decision {decision!r} (approved or changes).")
        sha = entry.text("sha256", limit=64)
        if sha and not _SHA256.fullmatch(sha):
            raise _bad(f"document {doc_id} has an invalid sha256.")
        raw_comments = entry.obj["comments"]
        if not isinstance(raw_comments, list):
            raise _bad(f"document {doc_id}'s comments are not a list.")
        total_comments += len(raw_comments)
        if len(raw_comments) > MAX_COMMENTS or total_comments > MAX_TOTAL_COMMENTS:
            raise _bad(f"it has more comments than a review may hold ({MAX_COMMENTS} per document).")
        comments = []
        for i, c in enumerate(raw_comments):
            co = _Obj(f"document {doc_id} comment {i + 1}", c, ("author", "date", "text"))
            comments.append(
                Comment(
                    author=co.text("author", limit=200),
                    date=co.day("date"),
                    text=co.text("text", limit=MAX_COMMENT_CHARS),
                )
            )
        entries[doc_id] = ReviewEntry(cast(Decision | None, decision), tuple(comments), sha)
    return ReviewFile(
        bundle_id=bundle_id,
        vault_id=top.text("vault_id", limit=200, nonempty=True),
        reviewer=top.text("reviewer", limit=200, nonempty=True),
        date=top.day("date"),
        documents=entries,
        format_version=version,
        review_id=review_id,
        created=created,
        signer=signer,
    )


def _moment(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise _bad(f"created is not a date and time: {text!r}.") from None
    if value.tzinfo is None or value.utcoffset() != dt.timedelta(0):
        raise _bad("created is not a time in UTC.")
    return value


def check_review_for_vault(review: ReviewFile, vault_id: str) -> None:
    """Refuse a review of a bundle that another vault (another applicant's packet) exported."""
    if review.vault_id != vault_id:
        raise ReviewMismatchError(
            f"This review by {review.reviewer} is for a packet exported from another vault, not this one; "
            "nothing was changed. Ask your advisor for the review of the bundle you sent."
        )


def check_review_for_bundle(review: ReviewFile, manifest: BundleManifest) -> None:
    """Refuse a review that does not belong to ``manifest``'s bundle or names documents it does not hold."""
    if review.bundle_id != manifest.bundle_id or review.vault_id != manifest.vault_id:
        raise ReviewMismatchError("This review belongs to another bundle.")
    known = {d.id for d in manifest.documents}
    unknown = sorted(set(review.documents) - known)
    if unknown:
        raise ReviewMismatchError(f"This review names documents the bundle does not hold: {', '.join(unknown)}.")
