"""Ed25519 signatures on bundle manifests and review files (DESIGN.md section 9).

A checksum catches damage; only a signature catches someone who edits a file *and* recomputes its checksum.
Each signed document carries a ``signature`` object: the algorithm, the signer's public key and the signature
over the canonical JSON of every other key, prefixed with a context string, so a bundle signature can never
be passed off as a review signature or the other way round.

What a valid signature proves is only that the holder of that key wrote the file; whether the key is the
advisor's (or the student's) is decided by whoever keeps the list of known keys (trust on first use).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ecfmg_desk.errors import DeskError

__all__ = ["ALGORITHM", "Signer", "canonical_json", "fingerprint", "read_signature", "sign_body"]

ALGORITHM: Final = "ed25519"
_KEYS = ("algorithm", "public_key", "value")


@dataclass(frozen=True)
class Signer:
    """Who signed: the raw 32-byte Ed25519 public key, and its fingerprint as people compare it."""

    public_key: bytes

    @classmethod
    def from_b64(cls, text: str) -> Signer:
        return cls(base64.b64decode(text.encode("ascii"), validate=True))

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    @property
    def public_key_b64(self) -> str:
        return base64.b64encode(self.public_key).decode("ascii")


def canonical_json(body: object) -> bytes:
    """One byte string per JSON value (sorted keys, no spaces, UTF-8): what checksums and signatures cover."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def fingerprint(public_key: bytes) -> str:
    """Five groups of four hex digits of the key's SHA-256 ("3f2a 9c01 77de 4b10 a2c3"): short enough to read
    out over the phone, long enough (80 bits) that nobody can make a second key with the same one."""
    digest = hashlib.sha256(b"ecfmg-desk/key-fingerprint/v1\n" + public_key).hexdigest()[:20]
    return " ".join(digest[i : i + 4] for i in range(0, 20, 4))


def raw_public_key(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _message(context: str, body: Mapping[str, object]) -> bytes:
    return context.encode("ascii") + b"\n" + canonical_json(body)


def sign_body(key: Ed25519PrivateKey, context: str, body: Mapping[str, object]) -> dict[str, str]:
    """The ``signature`` object for ``body`` (which must not itself hold ``signature``)."""
    assert "signature" not in body
    return {
        "algorithm": ALGORITHM,
        "public_key": base64.b64encode(raw_public_key(key)).decode("ascii"),
        "value": base64.b64encode(key.sign(_message(context, body))).decode("ascii"),
    }


def read_signature(
    block: object, context: str, body: Mapping[str, object], refuse: Callable[[str], DeskError]
) -> Signer:
    """Check ``block`` (the parsed ``signature`` object) against ``body`` (everything else that was signed).

    Any malformed block or a signature that does not verify raises ``refuse(reason)``: the caller words the
    error for its kind of file.
    """
    if not isinstance(block, dict) or set(block) != set(_KEYS):
        raise refuse("its signature is not in the expected form.")
    if block["algorithm"] != ALGORITHM:
        raise refuse(f"it is signed with an algorithm this app does not know ({str(block['algorithm'])[:40]!r}).")
    key_text, value_text = block["public_key"], block["value"]
    if not isinstance(key_text, str) or not isinstance(value_text, str) or len(key_text) > 64 or len(value_text) > 128:
        raise refuse("its signature is not in the expected form.")
    try:
        public = base64.b64decode(key_text.encode("ascii"), validate=True)
        value = base64.b64decode(value_text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise refuse("its signature is not in the expected form.") from None
    if len(public) != 32 or len(value) != 64:
        raise refuse("its signature is not in the expected form.")
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(value, _message(context, body))
    except (InvalidSignature, ValueError):
        raise refuse("its signature does not match its contents (it was changed after it was signed).") from None
    return Signer(public)
