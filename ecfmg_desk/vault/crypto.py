"""Encryption primitives of the vault: AES-256-GCM with per-purpose subkeys, scrypt key wrapping.

Envelope encryption as password managers do it: one random 256-bit vault key; HKDF derives a subkey per
purpose (blobs, database fields, blob names, backups) so that one kind of ciphertext can never be passed off
as another. Every ciphertext is bound by its associated data to where it is stored (a blob's name, a field's
table, column and row), so swapping two encrypted values in the database is detected, not silently accepted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from ecfmg_desk.errors import WrongPassphraseError

KEY_BYTES = 32
NONCE_BYTES = 12
# scrypt cost: ~0.1 s and 32 MiB on a 2-core laptop; stored with the wrapped key so it can be raised later.
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1

_WRAP_AAD = b"ecfmg-desk/vault-key/v1"


class DecryptionFailed(Exception):
    """Internal: a ciphertext did not authenticate. Callers turn it into the right user-facing error."""


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def subkey(master: bytes, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=purpose.encode()).derive(master)


class Cipher:
    """AES-256-GCM with a random 96-bit nonce per message; output is ``nonce || ciphertext+tag``."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def encrypt(self, plaintext: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, aad)

    def decrypt(self, blob: bytes, aad: bytes) -> bytes:
        if len(blob) < NONCE_BYTES + 16:
            raise DecryptionFailed("ciphertext too short")
        try:
            return self._aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
        except InvalidTag as exc:
            raise DecryptionFailed("authentication failed") from exc


@dataclass(frozen=True)
class VaultKeys:
    """The subkeys of one vault key. ``master`` is kept only to hand to the keyring and to wrap."""

    master: bytes

    @property
    def blobs(self) -> Cipher:
        return Cipher(subkey(self.master, "ecfmg-desk/blobs/v1"))

    @property
    def fields(self) -> Cipher:
        return Cipher(subkey(self.master, "ecfmg-desk/fields/v1"))

    @property
    def backup(self) -> Cipher:
        return Cipher(subkey(self.master, "ecfmg-desk/backup/v1"))

    def blob_name(self, data: bytes) -> str:
        """Content address of a blob: a keyed hash, so the folder does not reveal which known file it holds."""
        return hmac.new(subkey(self.master, "ecfmg-desk/blob-names/v1"), data, hashlib.sha256).hexdigest()

    def check_value(self) -> str:
        """A value stored in the vault that proves a candidate key is the right one (never the key itself)."""
        return hmac.new(self.master, b"ecfmg-desk/key-check/v1", hashlib.sha256).hexdigest()


def _scrypt(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=KEY_BYTES, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def wrap_key(master: bytes, passphrase: str) -> dict[str, Any]:
    """Encrypt the vault key under a key derived from the passphrase (what the vault stores on disk)."""
    salt = os.urandom(16)
    kek = _scrypt(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return {
        "kdf": "scrypt",
        "n": SCRYPT_N,
        "r": SCRYPT_R,
        "p": SCRYPT_P,
        "salt": b64(salt),
        "wrapped": b64(Cipher(kek).encrypt(master, _WRAP_AAD)),
    }


def unwrap_key(wrapped: dict[str, Any], passphrase: str) -> bytes:
    try:
        kek = _scrypt(passphrase, unb64(wrapped["salt"]), int(wrapped["n"]), int(wrapped["r"]), int(wrapped["p"]))
        return Cipher(kek).decrypt(unb64(wrapped["wrapped"]), _WRAP_AAD)
    except DecryptionFailed as exc:
        raise WrongPassphraseError(
            "That passphrase does not open this vault. Check it (it is case-sensitive) and try again."
        ) from exc


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)
