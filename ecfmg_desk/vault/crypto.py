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
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher as _Stream
from cryptography.hazmat.primitives.ciphers import algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from ecfmg_desk.errors import BadInputError, WrongPassphraseError

KEY_BYTES = 32
NONCE_BYTES = 12
# scrypt cost for new wraps: OWASP's minimum (N=2^17, r=8, p=1: ~0.4 s and 128 MiB here). Stored with the
# wrapped key, so older wraps (N=2^15) still open and are re-wrapped at this cost on the next writable unlock.
SCRYPT_N = 2**17
SCRYPT_R = 8
SCRYPT_P = 1
# What we agree to run when a stored header asks for it (a backup or vault from elsewhere is hostile input):
# a header asking N=2^21 would cost 7 s and 2 GiB before the passphrase is even checked.
_MIN_N, _MAX_N = 2**14, 2**18
_MAX_R, _MAX_P = 16, 4
_MAX_MEMORY = 256 << 20  # 128 * N * r bytes: at most ~0.8 s here

_WRAP_AAD = b"ecfmg-desk/vault-key/v1"


class KeySettingsError(BadInputError):
    """A wrapped key whose scrypt settings are out of bounds or malformed (refused before any derivation)."""


class DecryptionFailed(Exception):
    """Internal: a ciphertext did not authenticate. Callers turn it into the right user-facing error."""


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def subkey(master: bytes, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=purpose.encode()).derive(master)


_TAG_BYTES = 16
_BLOCK_BYTES = 16

CHUNK_BYTES = 1 << 20
"""Large messages are sealed and opened a mebibyte at a time. One AES-GCM call holds Python's interpreter lock
for the whole message (~40 ms for a 13 MB scan here, more under load): while a worker decrypted a scan for the
preview, the window could not draw. Between chunks the lock is handed back, so the GUI thread keeps turning."""


class Cipher:
    """AES-256-GCM with a random 96-bit nonce per message; output is ``nonce || ciphertext+tag``.

    Messages over :data:`CHUNK_BYTES` go through the streaming form of the same mode, a chunk at a time: the
    bytes are identical to the one-shot form's (GCM is a stream mode), so either opens what the other sealed."""

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._aead = AESGCM(key)

    def encrypt(self, plaintext: bytes, aad: bytes) -> bytes:
        if len(plaintext) <= CHUNK_BYTES:
            nonce = os.urandom(NONCE_BYTES)
            return nonce + self._aead.encrypt(nonce, plaintext, aad)
        return b"".join(self.encrypt_chunks(plaintext, aad))

    def encrypt_chunks(self, plaintext: bytes, aad: bytes) -> Iterator[bytes]:
        """``encrypt``'s output in pieces (nonce, ciphertext chunks, tag), to be written as they come."""
        nonce = os.urandom(NONCE_BYTES)
        yield nonce
        sealer = _Stream(algorithms.AES(self._key), modes.GCM(nonce)).encryptor()
        sealer.authenticate_additional_data(aad)
        view = memoryview(plaintext)
        for start in range(0, len(view), CHUNK_BYTES):
            yield sealer.update(view[start : start + CHUNK_BYTES])
        yield sealer.finalize() + sealer.tag

    def decrypt(self, blob: bytes | bytearray | memoryview, aad: bytes) -> bytes:
        view = memoryview(blob)  # slices of a view copy nothing (a 13 MB slice is a 13 MB copy under the lock)
        if len(view) < NONCE_BYTES + _TAG_BYTES:
            raise DecryptionFailed("ciphertext too short")
        if len(view) - NONCE_BYTES - _TAG_BYTES > CHUNK_BYTES:
            with self.decrypt_into(view, aad, bytearray()) as plain:
                return bytes(plain)
        try:
            return self._aead.decrypt(view[:NONCE_BYTES], view[NONCE_BYTES:], aad)
        except InvalidTag as exc:
            raise DecryptionFailed("authentication failed") from exc

    def decrypt_into(self, blob: bytes | bytearray | memoryview, aad: bytes, buffer: bytearray) -> memoryview:
        """Open a message a chunk at a time straight into ``buffer`` (grown when too small, never shrunk) and
        return a view of the plaintext at its start.

        The export opens one scan after another into the same buffer: collecting chunks and joining them made a
        second full copy of every scan, and fresh memory for each one costs as much again in page faults
        (together ~1 s of a 443 MB export). The lock is still handed back between chunks. The tag is checked
        before anything is returned: nothing comes out of a message that does not authenticate. The next call
        with the same buffer overwrites the plaintext (and refuses to grow it while a view is still held)."""
        view = memoryview(blob)
        if len(view) < NONCE_BYTES + _TAG_BYTES:
            raise DecryptionFailed("ciphertext too short")
        nonce, body, tag = view[:NONCE_BYTES], view[NONCE_BYTES:-_TAG_BYTES], view[-_TAG_BYTES:]
        # update_into wants room for one block more than it is given (the API is shared with the block modes)
        need = len(body) + _BLOCK_BYTES - 1
        if len(buffer) < need:
            buffer.extend(bytes(need - len(buffer)))
        with memoryview(buffer) as target:
            try:
                opener = _Stream(algorithms.AES(self._key), modes.GCM(bytes(nonce), bytes(tag))).decryptor()
                opener.authenticate_additional_data(aad)
                written = 0
                for start in range(0, len(body), CHUNK_BYTES):
                    written += opener.update_into(body[start : start + CHUNK_BYTES], target[written:])
                opener.finalize()
            except InvalidTag as exc:
                raise DecryptionFailed("authentication failed") from exc
            return target[:written]  # (a view of its own: it outlives ``target``)


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

    @property
    def rows(self) -> bytes:
        """The key of the rows' authenticators (integrity.py)."""
        return subkey(self.master, "ecfmg-desk/rows/v1")

    @property
    def signing_seed(self) -> bytes:
        """The 32-byte seed of the vault's Ed25519 bundle-signing key (vault/signing.py): derived, so nothing has
        to be stored before a first export, and a read-only vault signs its bundles too."""
        return subkey(self.master, "ecfmg-desk/bundle-signing/v1")

    def blob_name(self, data: bytes) -> str:
        """Content address of a blob: a keyed hash, so the folder does not reveal which known file it holds."""
        return hmac.new(subkey(self.master, "ecfmg-desk/blob-names/v1"), data, hashlib.sha256).hexdigest()

    def fingerprint_key(self, sha256: str) -> str:
        """What the database stores for a file's SHA-256 (a keyed hash of it): equal files still match each other,
        but nobody without the key can confirm that a known scan is in the vault."""
        key = subkey(self.master, "ecfmg-desk/fingerprints/v1")
        return hmac.new(key, sha256.encode("ascii"), hashlib.sha256).hexdigest()

    def check_value(self) -> str:
        """A value stored in the vault that proves a candidate key is the right one (never the key itself)."""
        return hmac.new(self.master, b"ecfmg-desk/key-check/v1", hashlib.sha256).hexdigest()


def _scrypt(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=KEY_BYTES, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


_PROCESS_SECRET = os.urandom(KEY_BYTES)
_KEK_CACHE: dict[bytes, bytes] = {}
_KEK_CACHE_SIZE = 8


def _cache_id(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    """Names a (passphrase, wrap) pair without keeping the passphrase: a keyed hash under a per-process secret."""
    return hmac.new(_PROCESS_SECRET, f"{n}:{r}:{p}:".encode() + salt + b"\0" + passphrase.encode("utf-8"),
                    hashlib.sha256).digest()


def _remember(cache_id: bytes, kek: bytes) -> None:
    """A proven (passphrase, wrap) pair is derived once per process: a window that opens, locks and unlocks, or a
    restore that opens the vault twice, pays scrypt's ~0.4 s once. Only correct passphrases are remembered (each
    wrong guess still costs a full derivation), and only a key-encryption key that sits beside the vault key it
    unwraps, which this process holds anyway."""
    if len(_KEK_CACHE) >= _KEK_CACHE_SIZE:
        _KEK_CACHE.pop(next(iter(_KEK_CACHE)))
    _KEK_CACHE[cache_id] = kek


def wrap_key(master: bytes, passphrase: str) -> dict[str, Any]:
    """Encrypt the vault key under a key derived from the passphrase (what the vault stores on disk)."""
    salt = os.urandom(16)
    kek = _scrypt(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    _remember(_cache_id(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P), kek)
    return {
        "kdf": "scrypt",
        "n": SCRYPT_N,
        "r": SCRYPT_R,
        "p": SCRYPT_P,
        "salt": b64(salt),
        "wrapped": b64(Cipher(kek).encrypt(master, _WRAP_AAD)),
    }


def unwrap_key(wrapped: dict[str, Any], passphrase: str) -> bytes:
    n, r, p, salt, sealed = _wrap_parameters(wrapped)
    cache_id = _cache_id(passphrase, salt, n, r, p)
    try:
        kek = _KEK_CACHE.get(cache_id) or _scrypt(passphrase, salt, n, r, p)
        master = Cipher(kek).decrypt(sealed, _WRAP_AAD)
        _remember(cache_id, kek)
        return master
    except DecryptionFailed as exc:
        raise WrongPassphraseError(
            "That passphrase does not open this vault. Check it (it is case-sensitive) and try again."
        ) from exc


def needs_rewrap(wrapped: dict[str, Any]) -> bool:
    """Whether a stored wrap is weaker than what new wraps use (then the next passphrase unlock re-wraps)."""
    try:
        return int(wrapped["n"]) < SCRYPT_N or int(wrapped["r"]) < SCRYPT_R
    except (KeyError, TypeError, ValueError):
        return True


def _wrap_parameters(wrapped: object) -> tuple[int, int, int, bytes, bytes]:
    """Validate a stored wrap before running scrypt on it: bounded cost, well-formed fields, a clean error."""
    bad = KeySettingsError(
        "The recovery key stored in this file has settings ECFMG Desk does not accept (it is damaged, or was not "
        "made by ECFMG Desk)."
    )
    if not isinstance(wrapped, dict) or wrapped.get("kdf", "scrypt") != "scrypt":
        raise bad
    try:
        n, r, p = (wrapped[k] for k in ("n", "r", "p"))
        if not all(type(v) is int for v in (n, r, p)):
            raise bad
        salt, sealed = unb64(str(wrapped["salt"])), unb64(str(wrapped["wrapped"]))
    except (KeyError, ValueError, UnicodeEncodeError) as exc:
        raise bad from exc
    if not (_MIN_N <= n <= _MAX_N and n & (n - 1) == 0 and 1 <= r <= _MAX_R and 1 <= p <= _MAX_P):
        raise bad
    if 128 * n * r > _MAX_MEMORY or not 8 <= len(salt) <= 64:
        raise bad
    return n, r, p, salt, sealed


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)
