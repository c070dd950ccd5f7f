"""The advisor's own signing key (Ed25519): made on first use, never stored in clear (DESIGN.md section 9).

``review`` opens no vault, so the key cannot live in one. It lives in the OS keyring (which the system keeps
encrypted), or, where no keyring works (headless Linux), in ``advisor-key.json`` in the config folder, wrapped
by a key derived (scrypt) from the passphrase the app was given. With neither, there is no key source: the
review is written unsigned and the advisor is told so. :func:`export_advisor_key` and
:func:`import_advisor_key` carry the key to a new laptop in a passphrase-protected file.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from keyring.errors import KeyringError

from ecfmg_desk.errors import BadInputError, KeyUnavailableError, UsageError, WrongPassphraseError
from ecfmg_desk.vault import keys
from ecfmg_desk.vault.blobs import atomic_write
from ecfmg_desk.vault.crypto import unwrap_key, wrap_key
from ecfmg_desk.vault.location import config_dir
from ecfmg_desk.vault.signatures import Signer, raw_public_key

__all__ = ["AdvisorKey", "NoAdvisorKey", "export_advisor_key", "import_advisor_key", "load_advisor_key"]

KEYRING_USER: Final = "advisor-signing-key"
KEY_FILE: Final = "advisor-key.json"
EXPORT_FORMAT: Final = "ecfmg-desk-advisor-key"
_MAX_FILE_BYTES = 64 * 1024
MIN_PASSPHRASE = 8


class NoAdvisorKey(Exception):
    """Internal: no place to keep a signing key on this computer (the review goes out unsigned)."""


@dataclass(frozen=True)
class AdvisorKey:
    private: Ed25519PrivateKey
    where: Literal["keyring", "config"]
    created: bool = False
    """True when this call made the key (first use)."""

    @property
    def signer(self) -> Signer:
        return Signer(raw_public_key(self.private))


def _raw(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def _from_raw(raw: bytes) -> Ed25519PrivateKey | None:
    return Ed25519PrivateKey.from_private_bytes(raw) if len(raw) == 32 else None


def _keyring_get() -> tuple[bool, Ed25519PrivateKey | None]:
    """(keyring works, the key it holds)."""
    try:
        text = keys.get_secret(KEYRING_USER)
    except KeyringError:
        return False, None
    if not text:
        return True, None
    try:
        return True, _from_raw(base64.b64decode(text.encode("ascii"), validate=True))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return True, None


def _keyring_set(key: Ed25519PrivateKey) -> bool:
    try:
        keys.set_secret(KEYRING_USER, base64.b64encode(_raw(key)).decode("ascii"))
    except KeyringError:
        return False
    back = _keyring_get()[1]
    return back is not None and _raw(back) == _raw(key)


def _key_file() -> Path:
    return config_dir() / KEY_FILE


def _wrapped_file(key: Ed25519PrivateKey, passphrase: str) -> bytes:
    body = {
        "format": EXPORT_FORMAT,
        "format_version": 1,
        "public_key": Signer(raw_public_key(key)).public_key_b64,
        "wrapped": wrap_key(_raw(key), passphrase),
    }
    return (json.dumps(body, indent=2) + "\n").encode("utf-8")


def _read_wrapped(path: Path, passphrase: str, what: str) -> Ed25519PrivateKey:
    try:
        with path.open("rb") as fh:
            raw = fh.read(_MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise BadInputError(f"{path} does not exist.") from None
    except OSError as exc:
        raise BadInputError(f"{path} cannot be read: {exc.strerror or exc}.") from None
    bad = BadInputError(f"{path} is not an ECFMG Desk advisor key file, or it is damaged.")
    if len(raw) > _MAX_FILE_BYTES:
        raise bad
    try:
        body: Any = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise bad from None
    if not isinstance(body, dict) or body.get("format") != EXPORT_FORMAT or body.get("format_version") != 1:
        raise bad
    wrapped = body.get("wrapped")
    if not isinstance(wrapped, dict) or not all(isinstance(wrapped.get(k), str) for k in ("salt", "wrapped")) \
            or not all(isinstance(wrapped.get(k), int) for k in ("n", "r", "p")):
        raise bad
    if not (2 <= wrapped["n"] <= 2**20 and wrapped["n"] & (wrapped["n"] - 1) == 0 and 1 <= wrapped["r"] <= 32
            and 1 <= wrapped["p"] <= 4):
        raise bad  # bounded: a hostile file must not make us spend minutes and gigabytes in scrypt
    try:
        raw_key = unwrap_key(wrapped, passphrase)
    except WrongPassphraseError:
        raise WrongPassphraseError(f"That passphrase does not open {what}. Check it (it is case-sensitive).") from None
    except (binascii.Error, ValueError):
        raise bad from None
    key = _from_raw(raw_key)
    if key is None or Signer(raw_public_key(key)).public_key_b64 != body.get("public_key"):
        raise bad
    return key


def load_advisor_key(*, passphrase: str | None, create: bool = True) -> AdvisorKey:
    """The advisor's key: keyring first, then the config folder's copy (opened with ``passphrase``).

    With ``create``, a missing key is made and stored where it can be (keyring, else the config folder when a
    passphrase is given). Raises :class:`NoAdvisorKey` when there is no key and nowhere to keep one, and
    ``WrongPassphraseError`` when the config folder's copy does not open with ``passphrase``.
    """
    keyring_works, key = _keyring_get()
    if key is not None:
        return AdvisorKey(key, "keyring")
    stored = _key_file()
    if stored.exists():
        if passphrase is None:
            raise NoAdvisorKey(
                "your signing key is kept protected by your passphrase on this computer, and no passphrase was given"
            )
        return AdvisorKey(_read_wrapped(stored, passphrase, "your signing key"), "config")
    if not create:
        raise NoAdvisorKey("there is no signing key on this computer yet")
    key = Ed25519PrivateKey.generate()
    if keyring_works and _keyring_set(key):
        return AdvisorKey(key, "keyring", created=True)
    if passphrase is None:
        raise NoAdvisorKey("this computer has no system keyring and no passphrase was given to protect a signing key")
    _store_in_config(key, passphrase)
    return AdvisorKey(key, "config", created=True)


def _store_in_config(key: Ed25519PrivateKey, passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise UsageError(f"Choose a passphrase of at least {MIN_PASSPHRASE} characters to protect your signing key.")
    try:
        atomic_write(_key_file(), _wrapped_file(key, passphrase))
    except OSError as exc:
        raise BadInputError(f"Cannot save your signing key in {_key_file().parent}: {exc.strerror or exc}.") from exc


def export_advisor_key(path: Path, *, passphrase: str | None, export_passphrase: str) -> Signer:
    """Write the advisor's key to ``path``, wrapped by ``export_passphrase`` (for a new laptop)."""
    if len(export_passphrase) < MIN_PASSPHRASE:
        raise UsageError(f"Choose a passphrase of at least {MIN_PASSPHRASE} characters to protect the exported key.")
    try:
        key = load_advisor_key(passphrase=passphrase, create=False)
    except NoAdvisorKey as exc:
        raise KeyUnavailableError(f"There is no signing key to export: {exc}.") from None
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{path} is a folder; give the name of the key file to write.")
    try:
        atomic_write(path, _wrapped_file(key.private, export_passphrase))
    except OSError as exc:
        raise BadInputError(f"Cannot write the key to {path}: {exc.strerror or exc}.") from exc
    return key.signer


@dataclass(frozen=True)
class ImportedKey:
    signer: Signer
    where: Literal["keyring", "config"]
    replaced: Signer | None
    """The different key this computer held before, if any (reviews signed with it stay valid)."""


def import_advisor_key(path: Path, *, import_passphrase: str, passphrase: str | None) -> ImportedKey:
    """Read a key exported by :func:`export_advisor_key` and keep it as this computer's signing key."""
    key = _read_wrapped(Path(path), import_passphrase, "this key file")
    try:
        held: Ed25519PrivateKey | None = load_advisor_key(passphrase=passphrase, create=False).private
    except (NoAdvisorKey, WrongPassphraseError):
        held = None
    previous = Signer(raw_public_key(held)) if held is not None else None
    signer = Signer(raw_public_key(key))
    if previous == signer:
        previous = None
    keyring_works, _ = _keyring_get()
    if keyring_works and _keyring_set(key):
        if _key_file().exists():
            _key_file().unlink()  # one key per computer: the old wrapped copy would shadow nothing, but confuse
        where: Literal["keyring", "config"] = "keyring"
    elif passphrase is None:
        raise KeyUnavailableError(
            "This computer has no system keyring, and no passphrase was given to protect the key, so there is "
            "nowhere safe to keep it."
        )
    else:
        _store_in_config(key, passphrase)
        where = "config"
    from ecfmg_desk.vault.student_keys import move_to_new_key

    move_to_new_key(held, key)  # the students' keys this computer knows stay known under the new key
    return ImportedKey(signer, where, previous)


def signing_key_or_reason(passphrase: str | None) -> tuple[AdvisorKey | None, str]:
    """For ``review`` and Save review: the key (made on first use), or ``None`` and why the review will be
    unsigned. A wrong passphrase for a stored key is still an error: the advisor meant to sign."""
    try:
        return load_advisor_key(passphrase=passphrase), ""
    except NoAdvisorKey as exc:
        return None, str(exc)
