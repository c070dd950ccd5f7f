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
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.core
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError, PasswordDeleteError

SERVICE = "ecfmg-desk"
PASSPHRASE_ENV = "ECFMG_DESK_PASSPHRASE"
BACKEND_FILE = "keyring-backend"
"""In the settings folder: the keyring backend that last held a key of ours, asked first at the next start."""
REMEMBERED_BACKENDS = frozenset({
    "keyring.backends.SecretService.Keyring",
    "keyring.backends.libsecret.Keyring",
    "keyring.backends.kwallet.DBusKeyring",
    "keyring.backends.kwallet.DBusKeyringKWallet4",
    "keyring.backends.macOS.Keyring",
    "keyring.backends.Windows.WinVaultKeyring",
})
"""The OS keyrings keyring ships, the only names :data:`BACKEND_FILE` may name (it is outside input: any other
text in it is ignored, never imported)."""


class KeyringUnavailable(Exception):
    """Internal: no keyring backend works on this machine."""


def passphrase_from_env() -> str | None:
    value = os.environ.get(PASSPHRASE_ENV)
    return value if value else None


# -- which keyring ---------------------------------------------------------------------------------------
#
# keyring finds its backend by importing every one it knows and asking each whether it works here, at every
# start: +80-120 ms on Linux, most of it the macOS backend looking for its libraries (``ctypes.util``
# starts ``ldconfig`` and ``gcc``). The backend that held our key last time is asked first instead; keyring's
# own choice is still made whenever that one has no answer, and always when the user named a backend
# (``PYTHON_KEYRING_BACKEND`` or keyring's config file), which is keyring's to honour.


def _backend_file() -> Path:
    from ecfmg_desk.vault.location import config_dir

    return config_dir() / BACKEND_FILE


def _user_named_backend() -> bool:
    if os.environ.get("PYTHON_KEYRING_BACKEND"):
        return True
    from keyring.util import platform_

    return (Path(platform_.config_root()) / "keyringrc.cfg").exists()


def _remembered_name() -> str | None:
    """What :data:`BACKEND_FILE` names, if it is one of :data:`REMEMBERED_BACKENDS` (read bounded)."""
    try:
        with _backend_file().open("rb") as file:
            name = file.read(200).decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return name if name in REMEMBERED_BACKENDS else None


_loaded: dict[str, KeyringBackend | None] = {}
"""Remembered backends made in this process (``None``: not usable here), as keyring keeps the one it chose:
checking that a backend works costs it a connection to the OS keyring."""


def _remembered() -> KeyringBackend | None:
    """The remembered backend, if it works here (and the user named none)."""
    name = None if _user_named_backend() else _remembered_name()
    if name is None:
        return None
    if name not in _loaded:
        try:
            _loaded[name] = keyring.core.load_keyring(name)  # raises when it does not work on this machine
        except Exception:  # a backend unusable here, for any reason: keyring chooses, as it would without us
            _loaded[name] = None
    return _loaded[name]


def _remember(backend: KeyringBackend) -> None:
    """Note ``backend`` (it just held or took a key) for the next start; never a reason to fail."""
    name = f"{type(backend).__module__}.{type(backend).__qualname__}"
    if name not in REMEMBERED_BACKENDS or _user_named_backend() or _remembered_name() == name:
        return
    path = _backend_file()
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(path.name + ".tmp")
        temp.write_bytes(name.encode("ascii") + b"\n")
        os.replace(temp, path)


def _backends() -> Iterator[KeyringBackend]:
    """The remembered backend, then keyring's own choice (when it is another); lazily, so keyring only looks
    for its backend when the remembered one had no answer."""
    first = _remembered()
    if first is not None:
        yield first
    chosen = keyring.get_keyring()
    if first is None or type(chosen) is not type(first):
        yield chosen


def get_secret(user: str) -> str | None:
    """Our entry ``user`` in the keyring (``None``: none), from the first backend that has it; raises
    ``KeyringError`` when no backend works (one that answers "no entry" works)."""
    failure: KeyringError | None = None
    answered = False
    for backend in _backends():
        try:
            text = backend.get_password(SERVICE, user)
        except KeyringError as exc:
            failure = failure or exc
            continue
        answered = True
        if text:
            _remember(backend)
            return text
    if failure is not None and not answered:
        raise failure
    return None


def set_secret(user: str, text: str) -> None:
    """Store our entry ``user`` in the first backend that takes it (the one a later :func:`get_secret` asks
    first); raises ``KeyringError`` when none does."""
    failure: KeyringError | None = None
    for backend in _backends():
        try:
            backend.set_password(SERVICE, user, text)
        except KeyringError as exc:
            failure = failure or exc
            continue
        _remember(backend)
        return
    raise failure if failure is not None else KeyringError("no keyring backend")


def delete_secret(user: str) -> None:
    """Remove our entry ``user`` from every backend that may hold it (a key deleted is gone everywhere)."""
    for backend in _backends():
        with contextlib.suppress(PasswordDeleteError, KeyringError):
            backend.delete_password(SERVICE, user)


# -- the vault key --------------------------------------------------------------------------------------


def keyring_get(vault_id: str) -> bytes | None:
    """The vault key from the keyring; ``None`` when there is no entry (or a garbled one)."""
    try:
        text = get_secret(vault_id)
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
        set_secret(vault_id, base64.b64encode(key).decode("ascii"))
    except KeyringError:
        return False
    return True


def keyring_delete(vault_id: str) -> None:
    delete_secret(vault_id)
