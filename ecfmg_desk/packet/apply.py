"""Loading an advisor's review back into the student's vault (``apply-review``, File → Load review)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ecfmg_desk.packet.review import check_review_for_vault, read_review
from ecfmg_desk.vault.store import Vault


@dataclass(frozen=True)
class AppliedReview:
    reviewer: str
    applied: int
    """Documents that received a decision or comments."""
    skipped: int
    """Documents the review names that are no longer in the vault (removed since the export)."""


def apply_review_file(vault: Vault, path: Path) -> AppliedReview:
    """Refuses (ReviewMismatchError, nothing changed) a malformed file or a review of another vault's bundle.

    Each document keeps the decision and comments of the latest review applied; whether an approval is stale
    is decided every time the document is read, by comparing its current SHA-256 with the reviewed one.
    """
    review = read_review(Path(path))
    check_review_for_vault(review, vault.id)
    entries = {
        doc_id: (entry.decision, review.reviewer, review.date, entry.sha256, entry.comments)
        for doc_id, entry in review.documents.items()
    }
    applied = vault.store_review(review.bundle_id, entries)
    return AppliedReview(review.reviewer, applied, len(entries) - applied)
