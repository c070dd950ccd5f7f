"""Where the vault key lives: the OS keyring for daily use, the passphrase-wrapped copy as the way back in.

"No keyring" is a normal state (headless Linux, a locked-down laptop): every keyring call is wrapped so that
a backend failure becomes ``None``/``False`` here and a clear message higher up, never a traceback. We never
fall back to storing the key in clear anywhere (unlike ``keyrings.alt``).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os

import keyring
from keyring.errors import KeyringError, PasswordDeleteError

SERVICE = "ecfmg-desk"
PASSPHRASE_ENV = "ECFMG_DESK_PASSPHRASE"


class KeyringUnavailable(Exception):
    """Internal: no keyring backend works on this machine."""


def passphrase_from_env() -> str | None:
    value = os.environ.get(PASSPHRASE_ENV)
    return value if value else None


def keyring_get(vault_id: str) -> bytes | None:
    """The vault key from the keyring; ``None`` when there is no entry (or a garbled one)."""
    try:
        text = keyring.get_password(SERVICE, vault_id)
    except KeyringError as exc:
        raise KeyringUnavailable(str(exc)) from exc
    if not text:
        return None
    try:
        key = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None
    return key if len(key) == 32 else None


def keyring_set(vault_id: str, key: bytes) -> bool:
    """Store the key; ``False`` when no keyring works (the caller then needs a passphrase)."""
    try:
        keyring.set_password(SERVICE, vault_id, base64.b64encode(key).decode("ascii"))
    except KeyringError:
        return False
    return True


def keyring_delete(vault_id: str) -> None:
    with contextlib.suppress(PasswordDeleteError, KeyringError):
        keyring.delete_password(SERVICE, vault_id)
