"""Content-addressed, encrypted file store with atomic writes.

A blob is written to a temporary file, fsynced, renamed into place and the folder fsynced, so a crash leaves
either the whole blob or nothing. Blobs are written *before* the database row that points at them is
committed: a crash in between leaves an unreferenced blob (harmless, reported by ``check`` as a note), never a
row pointing at a missing file.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ecfmg_desk.errors import DiskFullError
from ecfmg_desk.vault import temps
from ecfmg_desk.vault.crypto import Cipher, DecryptionFailed
from ecfmg_desk.vault.faults import crashpoint

_MAGIC = b"EDB1"


class BlobMissing(Exception):
    """Internal: the blob file is not there."""


class BlobDamaged(Exception):
    """Internal: the blob file is there but does not decrypt."""


@contextlib.contextmanager
def atomic_writer(
    path: Path, buffering: int = -1, *, journal: bool = True, durable: bool = True
) -> Iterator[BinaryIO]:
    """A file handle whose contents appear at ``path`` only when the block ends without error.

    Readers see the old file or the new one, never half of it: temp file beside the target, fsync, rename,
    fsync of the folder. On any error (or a cancel raised inside the block) the temp file is removed; with
    ``journal`` (a plaintext packet, a backup) it is also noted in the temps journal, so a kill that skips the
    cleanup is made good on the next start (temps.py). Blobs (encrypted, inside the vault) skip the journal.

    ``durable=False`` keeps the temp file and the rename but skips both fsyncs: for files made *from* the vault
    (a packet, a bundle, portal files), which can be made again at any time. A killed process still leaves
    nothing under ``path``; only a power cut in the seconds before the kernel writes the file back could leave
    it short, and then the vault itself is untouched and the export is simply run again. Flushing 443 MB of
    packet to the disk cost ~0.75 s of a 6.5 s export (issue 14); qpdf and other PDF tools do not flush either.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = temps.new_temp_path(path.parent)
        entry = temps.register(tmp) if journal else None
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    except OSError as exc:
        raise _full(exc, path) from exc
    try:
        with os.fdopen(fd, "wb", buffering=buffering) as handle:
            yield handle
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        crashpoint("blob-written")
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        temps.unregister(entry)
        if isinstance(exc, OSError):
            raise _full(exc, path) from exc
        raise
    temps.unregister(entry)
    if durable:
        fsync_dir(path.parent)


def atomic_write(path: Path, data: bytes) -> None:
    with atomic_writer(path, journal=False) as handle:
        handle.write(data)


def fsync_dir(folder: Path) -> None:
    if os.name != "posix":  # Windows cannot open a directory for fsync; NTFS journals renames
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_FULL_ERRNOS = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}


def _full(exc: OSError, path: Path) -> OSError | DiskFullError:
    """A write that failed for lack of space (or a file-size limit) in the user's words; other errors as they are."""
    if exc.errno in _FULL_ERRNOS:
        return DiskFullError(
            f"The disk is full (or refused a file this large), so {path.name} could not be written; nothing was "
            "changed. Free some space and try again."
        )
    return exc


@dataclass(eq=False)  # (two sets of empty buffers are still two)
class ReadBuffers:
    """Two buffers that blobs are read and opened into, one after another (``BlobStore.get_into``): grown to the
    largest blob once instead of fresh memory for every scan."""

    sealed: bytearray = field(default_factory=bytearray)
    plain: bytearray = field(default_factory=bytearray)


class BlobStore:
    def __init__(self, root: Path, cipher: Cipher) -> None:
        self.root = root
        self._cipher = cipher

    def _path(self, name: str) -> Path:
        return self.root / name[:2] / name

    def exists(self, name: str) -> bool:
        return self._path(name).is_file()

    def put(self, name: str, data: bytes) -> bool:
        """Store ``data`` under ``name``; ``False`` when an intact blob of that name is already there."""
        path = self._path(name)
        if path.is_file():
            try:
                self.get(name)
                return False
            except BlobDamaged:
                pass  # a damaged copy is replaced by the good bytes we have now
        for folder in (self.root, path.parent):  # private folders whatever the umask
            folder.mkdir(mode=0o700, exist_ok=True)
        with atomic_writer(path, journal=False) as handle:
            handle.write(_MAGIC)
            for piece in self._cipher.encrypt_chunks(data, name.encode("ascii")):  # (never one big copy)
                handle.write(piece)
        return True

    def get(self, name: str) -> bytes:
        path = self._path(name)
        try:
            raw = path.read_bytes()
        except FileNotFoundError as exc:
            raise BlobMissing(name) from exc
        if not raw.startswith(_MAGIC):
            raise BlobDamaged(name)
        try:  # a view, not a slice: a 40 MB scan is not copied once more on its way to the packet
            return self._cipher.decrypt(memoryview(raw)[len(_MAGIC) :], name.encode("ascii"))
        except DecryptionFailed as exc:
            raise BlobDamaged(name) from exc

    def get_into(self, name: str, buffers: ReadBuffers) -> memoryview:
        """``get`` into ``buffers``, reused from one blob to the next: the export's reader (a view of the
        plaintext, valid until the next call with the same buffers)."""
        try:
            handle = self._path(name).open("rb", buffering=0)
        except FileNotFoundError as exc:
            raise BlobMissing(name) from exc
        with handle:
            size = os.fstat(handle.fileno()).st_size
            if len(buffers.sealed) < size:
                buffers.sealed.extend(bytes(size - len(buffers.sealed)))
            with memoryview(buffers.sealed) as whole:
                got = 0
                while got < size and (n := handle.readinto(whole[got:size])):
                    got += n
                if got < len(_MAGIC) or whole[: len(_MAGIC)] != _MAGIC:
                    raise BlobDamaged(name)
                try:
                    return self._cipher.decrypt_into(whole[len(_MAGIC) : got], name.encode("ascii"), buffers.plain)
                except DecryptionFailed as exc:
                    raise BlobDamaged(name) from exc

    def delete(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._path(name).unlink()

    def names(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for sub in sorted(self.root.iterdir()):
            if sub.is_dir():
                for blob in sorted(sub.iterdir()):
                    if blob.is_file() and not blob.name.startswith(".tmp-"):
                        yield blob.name
