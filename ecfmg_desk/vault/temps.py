"""A journal of the temp files and folders the app is writing, so a killed process leaves nothing behind for long.

An export writes the packet (plaintext scans) to ``.tmp-…`` beside its target and renames it at the end; a restore
unpacks into a ``.tmp-restore-…`` folder beside the vault. A kill in between used to leave those behind forever.
Now each is entered in a small journal in the per-user state folder before it is created and removed from it once
renamed or deleted; the next start of the app (:func:`clean_stale`) deletes what a dead process left. Only names
starting with ``.tmp-`` are ever deleted, so a tampered journal cannot make the app delete anything else.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
import time
from pathlib import Path

import platformdirs

from ecfmg_desk import APP_ID

log = logging.getLogger(__name__)

PREFIX = ".tmp-"
_WINDOWS_STALE_S = 24 * 3600  # no cheap liveness test on Windows: an entry a day old is stale


def journal_dir() -> Path:
    return platformdirs.user_state_path(APP_ID, appauthor=False) / "pending-temps"


def new_temp_path(folder: Path, kind: str = "") -> Path:
    """A fresh ``.tmp-…`` name in ``folder`` (not created), unique to this process."""
    return folder / f"{PREFIX}{kind}{os.getpid()}-{secrets.token_hex(6)}"


def register(temp: Path) -> Path | None:
    """Note ``temp`` in the journal before creating it; returns the entry to pass to :func:`unregister`.

    ``None`` when the journal cannot be written (a read-only home): the write still goes ahead, it just would not
    be cleaned after a kill.
    """
    folder = journal_dir()
    entry = folder / f"{os.getpid()}-{secrets.token_hex(6)}"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        entry.write_text(str(temp.absolute()), encoding="utf-8")
    except OSError:
        return None
    return entry


def unregister(entry: Path | None) -> None:
    if entry is not None:
        with contextlib.suppress(OSError):
            entry.unlink()


def clean_stale() -> int:
    """Delete the temps of processes that are gone, and their entries; returns how many temps were removed."""
    folder = journal_dir()
    try:
        entries = list(folder.iterdir())
    except OSError:
        return 0
    removed = 0
    for entry in entries:
        pid_text = entry.name.split("-", 1)[0]
        if not pid_text.isdigit() or _alive(int(pid_text), entry):
            continue
        try:
            target = Path(entry.read_text(encoding="utf-8").strip())
        except (OSError, UnicodeDecodeError):
            target = None
        if target is not None and target.name.startswith(PREFIX):
            try:
                if target.is_dir() and not target.is_symlink():
                    shutil.rmtree(target)
                    removed += 1
                elif target.exists() or target.is_symlink():
                    target.unlink()
                    removed += 1
            except OSError:
                continue  # try again next start
        unregister(entry)
    if removed:
        log.info("removed %d temp file(s) left by an interrupted run", removed)
    return removed


def _alive(pid: int, entry: Path) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":
        try:
            return time.time() - entry.stat().st_mtime < _WINDOWS_STALE_S
        except OSError:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
