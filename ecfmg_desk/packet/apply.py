"""Loading an advisor's review back into the student's vault (``apply-review``, File → Load review)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from ecfmg_desk.packet.review import check_review_for_vault, read_review
from ecfmg_desk.vault.signing import check_unsigned_review, judge_review_signer
from ecfmg_desk.vault.store import Vault

Trust = Literal["new", "known", "changed", "unsigned"]


@dataclass(frozen=True)
class AppliedReview:
    reviewer: str
    applied: int
    """Documents that received a decision or comments."""
    skipped: int
    """Documents the review names that are no longer in the vault (removed since the export)."""
    trust: Trust = "unsigned"
    """``unsigned``: anyone could have written it; ``new``: signed by a key seen for the first time, trusted
    from now on; ``known``: the key this vault already trusts; ``changed``: a known advisor's new key, accepted."""
    fingerprint: str | None = None
    """The signing key's fingerprint (None when unsigned)."""
    previous_fingerprints: tuple[str, ...] = ()
    """For ``changed``: the key(s) this advisor signed with before."""

    @property
    def signed(self) -> bool:
        return self.trust != "unsigned"


def apply_review_file(
    vault: Vault, path: Path, *, accept_new_key: bool = False, today: date | None = None
) -> AppliedReview:
    """Refuses (nothing changed) a malformed file, a review of another vault's bundle, a signature that does not
    match, a known advisor's name with an unknown key or with no signature (``AdvisorKeyChangedError`` unless
    ``accept_new_key``) and a signed review older than the latest one loaded from the same key
    (``ReplayedReviewError``).

    Each document keeps the decision and comments of the latest review applied; whether an approval is stale
    is decided every time the document is read, by comparing its current SHA-256 with the reviewed one.
    """
    review = read_review(Path(path))
    check_review_for_vault(review, vault.id)
    decision = None
    if review.signer is None:
        check_unsigned_review(vault, review.reviewer, accept_new_key=accept_new_key)
    else:
        assert review.created is not None and review.review_id is not None
        decision = judge_review_signer(
            vault, review.signer, review.reviewer, review.created, review.review_id,
            accept_new_key=accept_new_key, today=today or date.today(),
        )
    entries = {
        doc_id: (entry.decision, review.reviewer, review.date, entry.sha256, entry.comments)
        for doc_id, entry in review.documents.items()
    }
    applied = vault.store_review(review.bundle_id, entries, sealed=decision.sealed if decision else None)
    if decision is None:
        return AppliedReview(review.reviewer, applied, len(entries) - applied)
    return AppliedReview(review.reviewer, applied, len(entries) - applied, decision.trust, decision.fingerprint,
                         decision.previous)
