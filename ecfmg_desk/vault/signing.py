"""The vault's own signing key pair and the advisors' keys it trusts (DESIGN.md section 9).

A bundle is signed with the vault's Ed25519 key, derived from the vault key (or, in a vault that exported
before that, the random one it stored encrypted under the vault key, :meth:`Vault.sealed_value`). Reviews are
signed by the advisor: the first key seen for an advisor is trusted from then on (trust on first use, as SSH
does), a different key for a known advisor is refused until the applicant accepts it, and a signed review older
than the latest one loaded from that key is refused (a replayed file would silently undo the newer decisions).
What the vault knows of advisors is stored sealed too, so it cannot be edited without the key.

Known limit: someone with write access to the vault folder could put back an *older* sealed copy of that
list (one the vault itself wrote earlier); that undoes trust, it cannot forge it.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ecfmg_desk.errors import AdvisorKeyChangedError, IntegrityError, ReplayedReviewError
from ecfmg_desk.vault.signatures import Signer, fingerprint
from ecfmg_desk.vault.store import Vault

__all__ = [
    "KNOWN_ADVISORS",
    "SIGNING_KEY",
    "Trust",
    "TrustDecision",
    "check_unsigned_review",
    "judge_review_signer",
    "vault_signing_key",
]

SIGNING_KEY: Final = "signing_key"
KNOWN_ADVISORS: Final = "known_advisors"

Trust = Literal["new", "known", "changed"]


def vault_signing_key(vault: Vault) -> Ed25519PrivateKey:
    """The vault's signing key: the one stored (sealed) in the vault if there is one, else derived from the vault
    key. Nothing is written, so the first export of a read-only vault is signed too (DESIGN.md section 9).

    Vaults that exported before keep the random key they stored then (the advisor's app knows that one); a key
    rotation stores the derived key before the vault key changes (vault/rekey.py), so the student's bundles keep
    being signed by the same key for the advisor."""
    raw = vault.sealed_value(SIGNING_KEY)
    if raw is None:
        raw = vault._keys.signing_seed
    if len(raw) != 32:
        raise IntegrityError("The vault's signing key is damaged.")
    return Ed25519PrivateKey.from_private_bytes(raw)


def _name_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


@dataclass(frozen=True)
class TrustDecision:
    trust: Trust
    fingerprint: str
    previous: tuple[str, ...] = ()
    """For ``changed``: the fingerprints this advisor signed with before."""
    sealed: Mapping[str, bytes] | None = None
    """What to store (with the review, in one transaction) so the vault remembers this key and review."""


def _known(vault: Vault) -> dict[str, dict[str, Any]]:
    raw = vault.sealed_value(KNOWN_ADVISORS)
    if raw is None:
        return {}
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise IntegrityError("The vault's list of advisors' keys is damaged.") from exc
    if not isinstance(body, dict) or not all(isinstance(v, dict) for v in body.values()):
        raise IntegrityError("The vault's list of advisors' keys is damaged.")
    return body


def _latest(entry: Mapping[str, Any]) -> datetime | None:
    value = entry.get("latest")
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        raise IntegrityError("The vault's list of advisors' keys is damaged.") from None


def check_unsigned_review(vault: Vault, reviewer: str, *, accept_new_key: bool) -> None:
    """An unsigned review in the name of an advisor whose reviews were signed is a downgrade (someone may have
    stripped or never had the key): refused like a changed key, unless the applicant accepts it."""
    signed_before = [k for k, v in _known(vault).items() if _name_key(str(v.get("name", ""))) == _name_key(reviewer)]
    if signed_before and not accept_new_key:
        keys = ", ".join(fingerprint(Signer.from_b64(k).public_key) for k in signed_before)
        raise AdvisorKeyChangedError(
            f"Warning: this review says it is from {reviewer} but is not signed, while {reviewer}'s earlier reviews "
            f"were signed with {keys}. Someone else may have written it; ask your advisor before you load it. "
            "Nothing was changed."
        )


def _when(moment: datetime) -> str:
    return f"{moment.day} {moment:%b %Y} at {moment:%H:%M} UTC"


def known_advisor_name(vault: Vault, signer: Signer) -> str | None:
    """The name this vault first saw with ``signer``'s key (None for a key it never saw)."""
    entry = _known(vault).get(signer.public_key_b64)
    return str(entry.get("name")) if entry else None


def judge_review_signer(
    vault: Vault,
    signer: Signer,
    reviewer: str,
    created: datetime,
    review_id: str,
    *,
    accept_new_key: bool,
    today: date,
) -> TrustDecision:
    """Decide whether a signed review may be loaded; raises instead of returning when it may not.

    ``AdvisorKeyChangedError``: a known advisor's name with a key this vault has never seen (unless
    ``accept_new_key``). ``ReplayedReviewError``: a review signed before the latest one loaded from this key.
    """
    known = _known(vault)
    key = signer.public_key_b64
    stamp = created.isoformat()
    entry = known.get(key)
    trust: Trust = "known"
    previous: tuple[str, ...] = ()
    if entry is None:
        same_name = [k for k, v in known.items() if _name_key(str(v.get("name", ""))) == _name_key(reviewer)]
        previous = tuple(fingerprint(Signer.from_b64(k).public_key) for k in same_name)
        if same_name and not accept_new_key:
            raise AdvisorKeyChangedError(
                f"Warning: this review says it is from {reviewer}, but it is signed with a key this vault has never "
                f"seen (fingerprint {signer.fingerprint}). {reviewer}'s earlier reviews were signed with "
                f"{', '.join(previous)}. If your advisor moved to a new computer, ask them to read you their new "
                "fingerprint before you accept it; otherwise someone else may have written this review. Nothing "
                "was changed."
            )
        trust = "changed" if same_name else "new"
        entry = {"name": reviewer, "first_seen": today.isoformat(), "latest": None, "latest_id": None}
    else:
        latest = _latest(entry)
        if latest is not None and created < latest and review_id != entry.get("latest_id"):
            raise ReplayedReviewError(
                f"This review by {reviewer} was signed on {_when(created)}, before the review you already loaded "
                f"from the same advisor (signed on {_when(latest)}). "
                "Loading it would undo the newer one, so it was refused; nothing was changed."
            )
    latest = _latest(entry)
    if latest is None or created >= latest:
        entry = {**entry, "latest": stamp, "latest_id": review_id}
    updated = {**known, key: entry}
    sealed = {KNOWN_ADVISORS: json.dumps(updated, sort_keys=True).encode("utf-8")}
    return TrustDecision(trust, signer.fingerprint, previous, sealed)
