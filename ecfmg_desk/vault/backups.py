"""Backing up, the way both the command line and the window do it: write the encrypted backup, read it back
to prove it restores, remember when, and say when the next one is due.

The vault holds the only copy of the applicant's scans, so a backup that cannot be read back is no backup: after
writing, every chunk is decrypted again and the archive's members are checked against the vault's files. The time
of the last good backup is kept in the vault (sealed, so it cannot be edited into looking recent).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from ecfmg_desk.errors import IntegrityError
from ecfmg_desk.vault import db
from ecfmg_desk.vault.store import Vault

REMIND_AFTER = timedelta(days=30)
LAST_BACKUP = "last_backup"
SUFFIX = ".ecfmgbak"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    files: int
    """Files in the backup besides the database (encrypted scans and thumbnails), all read back."""


@dataclass(frozen=True)
class BackupDue:
    reason: Literal["never", "old", "newer"]
    """Never backed up; the last backup is over 30 days old; something changed after it."""
    last: datetime | None


def back_up(vault: Vault, out: Path, *, now: datetime | None = None) -> BackupResult:
    """Write the backup atomically, verify it, and record the time. ``IntegrityError`` if it does not read back
    (the file is then removed: a backup that cannot be restored must not look like one)."""
    out = Path(out)
    _documents, mark = vault.change_mark()  # what the backup holds: every change up to this one
    from ecfmg_desk.vault.backup import write_backup  # (the reminder, asked at every start, needs none of it)

    size = write_backup(vault, out)
    try:
        files = verify_backup(vault, out)
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    when = (now or datetime.now(UTC)).astimezone(UTC)
    record = {"at": when.isoformat(timespec="seconds"), "change": mark}
    vault.set_sealed_value(LAST_BACKUP, json.dumps(record).encode())
    return BackupResult(out, size, files)


def verify_backup(vault: Vault, path: Path) -> int:
    """Read ``path`` back with the vault's key: every chunk decrypts, the archive is whole and holds the database
    and every file of the vault. Returns the number of files besides the database."""
    import tempfile
    import zipfile

    from ecfmg_desk.vault.backup import decrypt_backup

    expected = {rel for _path, rel in vault.iter_files() if rel.startswith("blobs/")}
    with tempfile.TemporaryDirectory(prefix="ecfmg-verify-") as work:
        archive = Path(work) / "vault.zip"
        decrypt_backup(path, archive, vault.backup_cipher)
        try:
            with zipfile.ZipFile(archive) as zf:
                broken = zf.testzip()
                names = set(zf.namelist())
        except zipfile.BadZipFile as exc:
            raise IntegrityError(f"The backup {path.name} was written but does not read back as a whole.") from exc
    if broken is not None or db.DB_NAME not in names or not expected <= names:
        raise IntegrityError(f"The backup {path.name} was written but does not read back completely.")
    return len(names) - 1


def _record(vault: Vault) -> tuple[datetime, int] | None:
    value = vault.sealed_value(LAST_BACKUP)
    if value is None:
        return None
    try:
        record = json.loads(value)
        return datetime.fromisoformat(record["at"]), int(record["change"])
    except (ValueError, KeyError, TypeError):
        return None


def last_backup(vault: Vault) -> datetime | None:
    """When the last good backup was made (here or on the command line), or ``None``."""
    record = _record(vault)
    return record[0] if record else None


def backup_due(vault: Vault, now: datetime) -> BackupDue | None:
    """Why a backup is due now, or ``None`` (also for a vault with no document yet: nothing to lose)."""
    documents, latest = vault.change_mark()
    if documents == 0:
        return None
    record = _record(vault)
    if record is None:
        return BackupDue("never", None)
    last, change = record
    if latest > change:
        return BackupDue("newer", last)
    if now - last > REMIND_AFTER:
        return BackupDue("old", last)
    return None
