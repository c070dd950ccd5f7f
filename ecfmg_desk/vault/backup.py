"""Encrypted whole-vault backup and restore.

A backup is one file: a small clear header (format, vault id, the passphrase-wrapped vault key) followed by
a zip of the vault folder, encrypted in 1 MiB AES-GCM chunks with the vault's backup subkey. Each chunk's
associated data binds it to the header, its index and whether it is the last, so chunks cannot be reordered,
dropped or the file truncated without detection. Restoring on another computer needs only the recovery
passphrase (the header carries the wrapped key); on the same computer the keyring key suffices.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, BinaryIO

import ecfmg_desk
from ecfmg_desk.errors import BadInputError, IntegrityError, KeyUnavailableError, VaultExistsError
from ecfmg_desk.vault import db, keys, temps
from ecfmg_desk.vault.blobs import atomic_writer
from ecfmg_desk.vault.crypto import Cipher, DecryptionFailed, VaultKeys, unwrap_key
from ecfmg_desk.vault.faults import crashpoint
from ecfmg_desk.vault.store import Vault

log = logging.getLogger(__name__)

MAGIC = b"ECFMG-DESK-BACKUP\n"
FORMAT = 1
CHUNK = 1 << 20
_MAX_HEADER = 1 << 16


def write_backup(vault: Vault, out: Path) -> int:
    """Write a backup of ``vault`` to ``out`` atomically; returns its size in bytes."""
    out = Path(out)
    header = json.dumps(
        {
            "format": FORMAT,
            "vault_id": vault.id,
            "app_version": ecfmg_desk.__version__,
            "wrapped_key": vault.wrapped_key(),
        },
        sort_keys=True,
    ).encode("utf-8")
    cipher: Cipher = vault.backup_cipher
    out.parent.mkdir(parents=True, exist_ok=True)
    work = temps.new_temp_path(out.absolute().parent, "backup-")  # beside the output, journalled: see temps.py
    entry = temps.register(work)
    try:
        work.mkdir(mode=0o700)
        archive = work / "vault.zip"
        snapshot = work / db.DB_NAME
        vault.snapshot_database(snapshot)
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as zf:
            zf.write(snapshot, db.DB_NAME)
            for path, rel in vault.iter_files():
                if rel.startswith("blobs/"):
                    zf.write(path, rel)
        with atomic_writer(out) as handle, archive.open("rb") as source:
            handle.write(MAGIC + struct.pack(">I", len(header)) + header)
            for index, chunk, last in _chunks(source):
                sealed = cipher.encrypt(chunk, _aad(header, index, last))
                handle.write(struct.pack(">I", len(sealed)) + sealed)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        temps.unregister(entry)
    return out.stat().st_size


def read_backup_header(source: Path) -> dict[str, Any]:
    try:
        with Path(source).open("rb") as handle:
            return _read_header(handle)[0]
    except OSError as exc:
        raise BadInputError(f"Cannot read the backup {source}: {exc.strerror or exc}.") from exc


def restore_backup(source: Path, target: Path, *, passphrase: str | None) -> Vault:
    """Restore ``source`` into ``target`` (missing or empty).

    Everything happens in a ``.tmp-restore-…`` folder beside ``target`` (same disk), which is opened and checked
    as a vault and only then renamed to ``target``: a failure or a kill at any point leaves ``target`` as it was,
    never half a vault (and the temps journal removes the folder a kill left on the next start).
    """
    source, target = Path(source), Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise VaultExistsError(f"{target} is not empty. Restore into a new, empty folder so nothing is overwritten.")
    try:
        handle = source.open("rb")
    except OSError as exc:
        raise BadInputError(f"Cannot read the backup {source}: {exc.strerror or exc}.") from exc
    with handle:
        header, header_bytes = _read_header(handle)
        master = _backup_key(header, passphrase)
        cipher = VaultKeys(master).backup
        parent = target.absolute().parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BadInputError(f"Cannot create {parent}: {exc.strerror or exc}.") from exc
        work = temps.new_temp_path(parent, "restore-")
        entry = temps.register(work)
        try:
            try:
                work.mkdir(mode=0o700)
            except OSError as exc:
                raise BadInputError(f"Cannot write in {parent}: {exc.strerror or exc}.") from exc
            vault_dir = work / "vault"
            archive = work / "vault.zip"
            with atomic_writer(archive, journal=False) as out:
                for index, sealed, last in _sealed_chunks(handle):
                    try:
                        out.write(cipher.decrypt(sealed, _aad(header_bytes, index, last)))
                    except DecryptionFailed as exc:
                        raise IntegrityError(
                            f"The backup {source.name} is damaged or was altered (chunk {index})."
                        ) from exc
            vault_dir.mkdir(mode=0o700)
            _extract(archive, vault_dir)
            archive.unlink()
            if master and not keys_in_keyring(header["vault_id"], master):
                with contextlib.suppress(keys.KeyringUnavailable):
                    keys.keyring_set(header["vault_id"], master)
            in_keyring = keys_in_keyring(header["vault_id"], master)
            unlock = passphrase if header.get("wrapped_key") and not in_keyring else None
            with Vault.open(vault_dir, passphrase=unlock) as restored:
                report = restored.check()  # upgrades an old backup's schema too, before it is put in place
            if not report.ok:
                raise IntegrityError(f"The backup {source.name} holds a damaged vault: {report.problems[0]}")
            crashpoint("restore-before-rename")
            if target.exists():
                target.rmdir()  # empty (checked above); a directory cannot be renamed over one on every system
            os.rename(vault_dir, target)
        finally:
            shutil.rmtree(work, ignore_errors=True)
            temps.unregister(entry)
    log.info("backup restored")
    return Vault.open(target, passphrase=unlock)


def keys_in_keyring(vault_id: str, master: bytes) -> bool:
    try:
        return keys.keyring_get(vault_id) == master
    except keys.KeyringUnavailable:
        return False


def _backup_key(header: dict[str, Any], passphrase: str | None) -> bytes:
    wrapped = header.get("wrapped_key")
    if passphrase is not None and wrapped:
        return unwrap_key(wrapped, passphrase)
    try:
        master = keys.keyring_get(str(header["vault_id"]))
    except keys.KeyringUnavailable:
        master = None
    if master is not None:
        return master
    if wrapped:
        raise KeyUnavailableError("This backup needs the recovery passphrase of its vault.", topic="passphrase")
    raise KeyUnavailableError(
        "This backup was made from a vault without a recovery passphrase, and this computer's keyring does not "
        "hold its key, so it cannot be opened here."
    )


def _read_header(handle: IO[bytes]) -> tuple[dict[str, Any], bytes]:
    if handle.read(len(MAGIC)) != MAGIC:
        raise BadInputError("That file is not an ECFMG Desk backup.")
    raw_len = handle.read(4)
    if len(raw_len) != 4:
        raise BadInputError("The backup is truncated.")
    (length,) = struct.unpack(">I", raw_len)
    if length > _MAX_HEADER:
        raise BadInputError("The backup header is malformed.")
    header_bytes = handle.read(length)
    try:
        header = json.loads(header_bytes)
    except ValueError as exc:
        raise BadInputError("The backup header is malformed.") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT or not header.get("vault_id"):
        raise BadInputError("The backup was written in a format this version of ECFMG Desk does not know.")
    return header, header_bytes


def _aad(header: bytes, index: int, last: bool) -> bytes:
    return hashlib.sha256(header).digest() + struct.pack(">Q?", index, last)


def _chunks(source: BinaryIO) -> Iterator[tuple[int, bytes, bool]]:
    index = 0
    current = source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        yield index, current, not following
        if not following:
            return
        current = following
        index += 1


def _sealed_chunks(handle: IO[bytes]) -> Iterator[tuple[int, bytes, bool]]:
    index = 0
    raw = handle.read(4)
    if len(raw) != 4:
        raise IntegrityError("The backup is truncated: it holds no data.")
    while raw:
        (length,) = struct.unpack(">I", raw)
        if length > CHUNK + 64:
            raise IntegrityError("The backup is damaged (a chunk has an impossible size).")
        sealed = handle.read(length)
        if len(sealed) != length:
            raise IntegrityError("The backup is truncated.")
        raw = handle.read(4)
        if raw and len(raw) != 4:
            raise IntegrityError("The backup is truncated.")
        yield index, sealed, not raw
        index += 1


def _extract(archive: Path, target: Path) -> None:
    """Unpack our own zip, still refusing any name that would escape the target."""
    root = target.resolve()
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            name = info.filename
            dest = (target / name).resolve()
            if name.startswith("/") or ".." in Path(name).parts or not dest.is_relative_to(root):
                raise IntegrityError(f"The backup contains an unsafe name: {name!r}.")
            if info.is_dir():
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, dest.open("wb") as out:
                shutil.copyfileobj(src, out)


def decrypt_backup(source: Path, archive: Path, cipher: Cipher) -> None:
    """Decrypt the backup ``source`` with ``cipher`` into the zip ``archive`` (to check a backup just written)."""
    try:
        handle = Path(source).open("rb")  # noqa: SIM115 (closed by the with below; the error is the user's)
    except OSError as exc:
        raise BadInputError(f"Cannot read the backup {source}: {exc.strerror or exc}.") from exc
    with handle, Path(archive).open("wb") as out:
        _header, header_bytes = _read_header(handle)
        for index, sealed, last in _sealed_chunks(handle):
            try:
                out.write(cipher.decrypt(sealed, _aad(header_bytes, index, last)))
            except DecryptionFailed as exc:
                raise IntegrityError(f"The backup {Path(source).name} is damaged or was altered (chunk {index}).") \
                    from exc
