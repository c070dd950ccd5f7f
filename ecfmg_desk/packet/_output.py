"""Where the packet's files are written: atomically, with one clear error when the folder is not writable."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from ecfmg_desk.errors import BadInputError
from ecfmg_desk.vault.blobs import atomic_writer


@contextmanager
def atomic_output(out: Path, what: str) -> Iterator[BinaryIO]:
    """The file appears at ``out`` only when the block succeeds (temp file beside it, then rename); on
    cancel or error nothing is left and an existing file there is untouched. ``what`` names it in errors.

    Not fsynced: everything written here is made from the vault and can be made again (see ``atomic_writer``'s
    ``durable``); the vault's own writes (blobs, database, backups, an advisor's review) stay durable."""
    folder = out.parent
    if folder.exists() and not folder.is_dir():
        raise BadInputError(f"Cannot write the {what} in {folder}: that is a file, not a folder.")
    try:
        with atomic_writer(out, buffering=1 << 20, durable=False) as handle:
            yield handle
    except OSError as exc:
        raise BadInputError(f"Cannot write the {what} in {folder}: {exc.strerror or exc}.") from exc
