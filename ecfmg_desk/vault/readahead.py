"""The export's reader of stored files: one file read ahead, into buffers reused from file to file.

An export copies one file after another in an order known beforehand. Reading and decrypting a 40 MB scan
takes 50-100 ms, and both the file read and AES-GCM (``update_into``) release the interpreter's lock, so while the
packet code parses and copies one file, a second thread reads and decrypts the next. Every blob goes into
buffers grown to the largest file once, instead of fresh memory for every scan (whose page faults cost as much
as the copying itself).
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import TracebackType

from ecfmg_desk.core.model import FileInfo
from ecfmg_desk.vault.blobs import ReadBuffers

Locate = Callable[[FileInfo], tuple[str, str] | None]
"""The blob holding a file's pages (name, what it holds in the user's words), or None when they are made now."""
Read = Callable[[str, str, ReadBuffers], memoryview]
"""Read and open a blob into the buffers (may raise the vault's IntegrityError)."""


@dataclass(frozen=True)
class _Pending:
    future: concurrent.futures.Future[int]
    buffers: ReadBuffers

    def view(self) -> memoryview:
        """The plaintext once it is read (the read's error, raised here, in the caller's thread)."""
        length = self.future.result()  # first: a view taken while the worker fills the buffer would stop it growing
        return memoryview(self.buffers.plain)[:length]


class ReadAhead:
    """``Vault.page_pdf`` for an export that asks for ``order``'s files one after another.

    What a call returns is valid until the next call: the caller is done with one file before it asks for the
    next (the packet closes each file's reader first). ``order`` is a hint, never a promise: a file asked for
    out of order is read then. Errors come when the file they concern is asked for, as without the read-ahead.
    Close it (or use ``with``) to stop its thread."""

    def __init__(
        self, locate: Locate, read: Read, made: Callable[[FileInfo], bytes], order: Sequence[FileInfo] = ()
    ) -> None:
        self._locate, self._read, self._made = locate, read, made
        self._order = list(order)
        sealed = bytearray()  # shared: every read runs on the one worker thread, one at a time
        self._buffers = (ReadBuffers(sealed), ReadBuffers(sealed))
        self._calls = 0
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="export-read-ahead")
        self._ahead: tuple[FileInfo, _Pending] | None = None

    def __call__(self, info: FileInfo) -> bytes | memoryview:
        index = self._calls
        self._calls += 1
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead[0] != info:
            concurrent.futures.wait([ahead[1].future])  # (its buffer is about to be used again; its error is moot)
            ahead = None
        if ahead is not None:
            pending = ahead[1]
        else:
            found = self._locate(info)
            if found is None:
                made = self._made(info)
                self._read_ahead(index + 1)
                return made
            pending = self._start(found, index)
        self._read_ahead(index + 1)
        return pending.view()

    def _read_ahead(self, index: int) -> None:
        """Start reading ``order[index]``, if it is a stored blob; a failure to find it is reported when it is
        asked for (the direct read raises it then), so it only skips the read-ahead here."""
        if index >= len(self._order):
            return
        info = self._order[index]
        try:
            found = self._locate(info)
        except Exception:  # a hint only: the same lookup runs again, and raises, when the file is asked for
            return
        if found is not None:
            self._ahead = (info, self._start(found, index))

    def _start(self, found: tuple[str, str], index: int) -> _Pending:
        buffers = self._buffers[index % 2]  # call n's result stays whole while call n + 1 is read
        return _Pending(self._pool.submit(self._fill, *found, buffers), buffers)

    def _fill(self, name: str, what: str, buffers: ReadBuffers) -> int:
        """On the worker: read and open one blob; only its length comes back (a future holding a view would keep
        the buffer from growing for the next file)."""
        with self._read(name, what, buffers) as plain:
            return len(plain)

    def close(self) -> None:
        self._ahead = None
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
