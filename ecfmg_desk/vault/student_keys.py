"""The students' bundle keys the advisor's app knows: trust on first use, as reviews have (DESIGN.md section 9).

A bundle's signature proves only that *some* key signed it; someone who edits a bundle and re-signs it with a
key of their own passes ``verify``. So the advisor's app remembers the key of each student's first bundle and
refuses, until the advisor accepts it, a later bundle from the same student signed by another key (or not
signed at all: a downgrade). A student is recognised by what the signed manifest says of them that does not
change between exports: the vault's id, and the USMLE ID when there is one (so a resealer cannot pass as a new
student merely by changing the vault id).

The list lives in ``known-students.json`` in the advisor's config folder (``review`` opens no vault), written
atomically and authenticated with an HMAC under a key derived from the advisor's own signing key, so it cannot
be edited without that key (an edit is exit 3). A list kept under another signing key (this computer's key was
replaced) cannot be checked and counts as no list; importing a key carries the list over. With no signing key
on this computer there is nothing to authenticate it with: nothing is remembered, and the advisor is told so.
Known limit (as for the vault's list of advisors): deleting the file forgets every student; that undoes trust,
it cannot forge it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from ecfmg_desk.errors import BadInputError, IntegrityError, StudentKeyChangedError
from ecfmg_desk.vault.blobs import atomic_write
from ecfmg_desk.vault.location import config_dir
from ecfmg_desk.vault.signatures import Signer, canonical_json, fingerprint, raw_public_key

if TYPE_CHECKING:
    from ecfmg_desk.vault.advisor_key import AdvisorKey

__all__ = ["KNOWN_STUDENTS_FILE", "BundleTrust", "judge_bundle", "known_students_path", "move_to_new_key"]

KNOWN_STUDENTS_FILE: Final = "known-students.json"
FORMAT: Final = "ecfmg-desk-known-students"
_MAX_BYTES = 4 * 1024 * 1024
_MAC_PURPOSE = b"ecfmg-desk/known-students/v1"

class _Applicant(Protocol):
    @property
    def name_of_record(self) -> str: ...
    @property
    def usmle_id(self) -> str: ...


class SignedManifest(Protocol):
    """What this module reads of a bundle's manifest (``packet.bundle.BundleManifest``; verified first)."""

    @property
    def vault_id(self) -> str: ...
    @property
    def applicant(self) -> _Applicant: ...
    @property
    def signer(self) -> Signer | None: ...


BundleTrustLevel = Literal["new", "known", "changed", "unsigned", "not-remembered"]


@dataclass(frozen=True)
class BundleTrust:
    """What the advisor's app makes of a bundle's signer."""

    trust: BundleTrustLevel
    fingerprint: str | None
    """The key that signed the bundle (``None``: unsigned)."""
    previous: tuple[str, ...] = ()
    """For ``changed`` (and an accepted unsigned bundle): the keys this student signed with before."""
    why_not_remembered: str = ""
    """For ``not-remembered``: why this computer cannot keep the student's key."""
    student: str = field(default="")


def known_students_path() -> Path:
    return config_dir() / KNOWN_STUDENTS_FILE


def _mac_key(advisor: Ed25519PrivateKey) -> bytes:
    raw = advisor.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_MAC_PURPOSE).derive(raw)


def _public(advisor: Ed25519PrivateKey) -> str:
    return Signer(raw_public_key(advisor)).public_key_b64


def _mac(advisor: Ed25519PrivateKey, students: Mapping[str, Any]) -> str:
    body = canonical_json({"format": FORMAT, "format_version": 1, "advisor_key": _public(advisor),
                           "students": students})
    return hmac.new(_mac_key(advisor), body, hashlib.sha256).hexdigest()


def _damaged() -> IntegrityError:
    return IntegrityError(
        f"The list of students' keys on this computer ({known_students_path()}) was changed outside ECFMG Desk or "
        "is damaged, so it cannot be trusted; nothing was opened. Delete that file to start again: each "
        "student's key is then trusted anew from their next bundle (check the fingerprints with them)."
    )


def _load(advisor: Ed25519PrivateKey) -> dict[str, dict[str, Any]]:
    path = known_students_path()
    try:
        with path.open("rb") as fh:
            raw = fh.read(_MAX_BYTES + 1)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise BadInputError(f"Cannot read the list of students' keys in {path}: {exc.strerror or exc}.") from None
    if len(raw) > _MAX_BYTES:
        raise _damaged()
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _damaged() from None
    if not isinstance(body, dict) or body.get("format") != FORMAT or body.get("format_version") != 1:
        raise _damaged()
    if body.get("advisor_key") != _public(advisor):
        # kept under another signing key of this computer's (one made before an import, say): it cannot be
        # checked, so it counts for nothing, exactly as if it had been deleted; the next bundle starts a new list
        return {}
    students, mac = body.get("students"), body.get("mac")
    if not isinstance(students, dict) or not isinstance(mac, str) or not hmac.compare_digest(mac, _mac(advisor,
                                                                                                    students)):
        raise _damaged()
    for entry in students.values():
        if not isinstance(entry, dict) or not isinstance(entry.get("keys"), list) \
                or not all(isinstance(k, str) for k in entry["keys"]):
            raise _damaged()
    return students


def _store(advisor: Ed25519PrivateKey, students: Mapping[str, Any]) -> None:
    body = {"format": FORMAT, "format_version": 1, "advisor_key": _public(advisor), "students": students,
            "mac": _mac(advisor, students)}
    path = known_students_path()
    try:
        atomic_write(path, (json.dumps(body, indent=1, sort_keys=True) + "\n").encode("utf-8"))
    except OSError as exc:
        raise BadInputError(f"Cannot save the list of students' keys in {path.parent}: "
                            f"{exc.strerror or exc}.") from exc


def _usmle(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isalnum()).casefold()


def _same_student(students: Mapping[str, Mapping[str, Any]], manifest: SignedManifest) -> list[str]:
    """The entries that are this bundle's student: the same vault, or the same USMLE ID."""
    usmle = _usmle(manifest.applicant.usmle_id)
    return [vault_id for vault_id, entry in students.items()
            if vault_id == manifest.vault_id or (usmle and _usmle(str(entry.get("usmle_id", ""))) == usmle)]


def _fingerprints(students: Mapping[str, Mapping[str, Any]], ids: list[str]) -> tuple[str, ...]:
    seen: list[str] = []
    for vault_id in ids:
        for key in students[vault_id]["keys"]:
            try:
                shown = fingerprint(Signer.from_b64(key).public_key)
            except ValueError:
                raise _damaged() from None
            if shown not in seen:
                seen.append(shown)
    return tuple(seen)


def judge_bundle(manifest: SignedManifest, advisor: AdvisorKey | None, *, accept_new_key: bool, today: date,
                 why_no_key: str = "") -> BundleTrust:
    """Decide whether the bundle's signer is the student's known key, and remember it the first time.

    Raises ``StudentKeyChangedError`` (exit 3) for a known student's bundle signed with a key this computer never
    saw for them, or not signed at all, unless ``accept_new_key`` (the new key is then remembered beside the old).
    ``advisor``: the advisor's own key, which authenticates the list (``None``: nothing can be remembered).
    """
    student = manifest.applicant.name_of_record or "this student"
    signer = manifest.signer
    shown = signer.fingerprint if signer else None
    if advisor is None:
        return BundleTrust("not-remembered", shown, why_not_remembered=why_no_key, student=student)
    students = _load(advisor.private)
    same = _same_student(students, manifest)
    previous = _fingerprints(students, same)
    if signer is None:
        if previous and not accept_new_key:
            raise StudentKeyChangedError(
                f"Warning: this bundle says it is from {student} but is not signed, while {student}'s earlier "
                f"bundles were signed with {', '.join(previous)}. Someone else may have changed it; ask the student "
                "before you open it. Nothing was changed."
            )
        return BundleTrust("unsigned", None, previous, student=student)
    key = signer.public_key_b64
    if any(key in students[vault_id]["keys"] for vault_id in same):
        return BundleTrust("known", shown, student=student)
    if previous and not accept_new_key:
        raise StudentKeyChangedError(
            f"Warning: this bundle says it is from {student}, but it is signed with a key this computer has never "
            f"seen for them (fingerprint {shown}). {student}'s earlier bundles were signed with "
            f"{', '.join(previous)}. If the student moved to a new computer, ask them to read you their new "
            "fingerprint before you accept it; otherwise someone else may have changed this bundle. Nothing was "
            "changed."
        )
    entry = dict(students.get(manifest.vault_id) or {"first_seen": today.isoformat(), "keys": []})
    entry.update(name=manifest.applicant.name_of_record, usmle_id=manifest.applicant.usmle_id,
                 keys=[*entry["keys"], key])
    _store(advisor.private, {**students, manifest.vault_id: entry})
    return BundleTrust("changed" if previous else "new", shown, previous, student=student)


def move_to_new_key(old: Ed25519PrivateKey | None, new: Ed25519PrivateKey) -> None:
    """The advisor's signing key was replaced (imported from another computer): authenticate the list under the
    new key, if the old key still vouches for it. Otherwise the list is left as it is (and reported damaged on
    the next bundle, with the way out)."""
    if old is None or not known_students_path().exists():
        return
    try:
        students = _load(old)
    except IntegrityError:
        return
    _store(new, students)
