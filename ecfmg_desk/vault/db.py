"""SQLite schema of a vault, with numbered migrations (``PRAGMA user_version``), WAL and foreign keys.

Personal values (names, date of birth, IDs, printed names, file names, notes, comments) are stored as
AES-GCM ciphertext BLOBs; the schema only keeps in clear what the app must sort or join on (ids, requirement
ids, dates, hashes of blobs).
Before a migration runs on an existing vault, the database file is copied next to itself (as Vorta does), so a
failed upgrade never costs the user their packet.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ecfmg_desk.errors import (
    DeskError,
    DiskFullError,
    IntegrityError,
    UntrustedDataError,
    VaultBusyError,
    VaultReadOnlyError,
)
from ecfmg_desk.vault.integrity import UNTRUSTED_MARK

DB_NAME = "vault.db"

MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema
    """
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE profile (
        field TEXT PRIMARY KEY,
        value BLOB NOT NULL
    );
    CREATE TABLE documents (
        id                TEXT PRIMARY KEY,
        requirement       TEXT NOT NULL,
        issued            TEXT,
        expires           TEXT,
        language          TEXT,
        name_on_document  BLOB,
        translation_of    TEXT,
        translator        BLOB,
        translator_kind   TEXT,
        translation_status TEXT,
        notes             BLOB,
        created_at        TEXT NOT NULL,
        updated_at        TEXT NOT NULL,
        removed_at        TEXT
    );
    CREATE INDEX documents_requirement ON documents(requirement);
    CREATE INDEX documents_translation_of ON documents(translation_of);
    CREATE TABLE files (
        id          INTEGER PRIMARY KEY,
        document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        position    INTEGER NOT NULL,
        name        BLOB NOT NULL,
        sha256      TEXT NOT NULL,
        blob        TEXT NOT NULL,
        thumb_blob  TEXT,
        kind        TEXT NOT NULL,
        size        INTEGER NOT NULL,
        UNIQUE (document_id, position)
    );
    CREATE INDEX files_sha256 ON files(sha256);
    CREATE TABLE pages (
        file_id   INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
        position  INTEGER NOT NULL,
        width_px  INTEGER,
        height_px INTEGER,
        dpi       REAL,
        width_pt  REAL NOT NULL,
        height_pt REAL NOT NULL,
        color     INTEGER NOT NULL,
        PRIMARY KEY (file_id, position)
    );
    CREATE TABLE reviews (
        document_id     TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
        bundle_id       TEXT NOT NULL,
        decision        TEXT,
        reviewer        BLOB,
        reviewed_on     TEXT,
        reviewed_sha256 TEXT NOT NULL
    );
    CREATE TABLE review_comments (
        id          INTEGER PRIMARY KEY,
        document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        author      BLOB NOT NULL,
        on_date     TEXT NOT NULL,
        body        BLOB NOT NULL
    );
    CREATE TABLE history (
        id          INTEGER PRIMARY KEY,
        at          TEXT NOT NULL,
        action      TEXT NOT NULL,
        document_id TEXT
    );
    """,
    # 2: the applicant's own plan dates (a cycle date not announced yet, an exam appointment); value encrypted
    """
    CREATE TABLE plan_dates (
        key   TEXT PRIMARY KEY,
        value BLOB NOT NULL
    );
    """,
    # 3: clinical experience (DESIGN.md section 8). Every value is in ``payload`` (AES-GCM, associated data binding
    # table, id, owner rotation and trash state: vault/clinical.py); ``auth`` is for the row authenticator.
    """
    CREATE TABLE rotations (
        id         TEXT PRIMARY KEY,
        payload    BLOB NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        removed_at TEXT,
        auth       BLOB
    );
    CREATE TABLE rotation_tasks (
        id          TEXT PRIMARY KEY,
        rotation_id TEXT NOT NULL REFERENCES rotations(id) ON DELETE CASCADE,
        payload     BLOB NOT NULL,
        created_at  TEXT NOT NULL,
        auth        BLOB
    );
    CREATE INDEX rotation_tasks_rotation ON rotation_tasks(rotation_id);
    CREATE TABLE letters (
        id         TEXT PRIMARY KEY,
        payload    BLOB NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        removed_at TEXT,
        auth       BLOB
    );
    """,
    # 4: per-requirement document fields (exam result, OET scores, form status, ...), one encrypted JSON value
    """
    ALTER TABLE documents ADD COLUMN fields BLOB;
    """,
    # 5: authenticated rows (integrity.py); the step after unlock seals every existing row
    """
    ALTER TABLE profile ADD COLUMN auth BLOB;
    ALTER TABLE documents ADD COLUMN auth BLOB;
    ALTER TABLE files ADD COLUMN auth BLOB;
    ALTER TABLE pages ADD COLUMN auth BLOB;
    ALTER TABLE reviews ADD COLUMN auth BLOB;
    ALTER TABLE review_comments ADD COLUMN auth BLOB;
    ALTER TABLE plan_dates ADD COLUMN auth BLOB;
    """,
    # 6: no clear SHA-256 of a scan: files.sha256 and reviews.reviewed_sha256 hold keyed hashes, the real SHA-256
    # (what bundles and reviews carry) is encrypted in files.sha256_enc; the step after unlock converts the rows
    """
    ALTER TABLE files ADD COLUMN sha256_enc BLOB;
    """,
    # 7: whether an imported PDF carries a digital signature or a signature field (the LoR Portal refuses both);
    #    NULL (files imported before this) is unsigned; NULL keeps the row's authenticator
    """
    ALTER TABLE files ADD COLUMN signed INTEGER;
    """,
    # 8: the applicant's answers to confirmations (rules the app cannot see in a file); the answer is encrypted
    #    with associated data binding the question and the document, and the row is authenticated (integrity.py).
    #    A vault with documents from before the document fields is marked so the app says once which need a field.
    """
    CREATE TABLE confirmations (
        id          TEXT NOT NULL,
        document_id TEXT NOT NULL DEFAULT '',
        answer      BLOB NOT NULL,
        answered_at TEXT NOT NULL,
        auth        BLOB,
        PRIMARY KEY (id, document_id)
    );
    INSERT OR IGNORE INTO meta(key, value)
        SELECT 'fields_notice', 'pending' FROM documents WHERE removed_at IS NULL AND fields IS NULL LIMIT 1;
    """,
    # 9: an image file's pages as PDF, made once at import so an export only copies them: the name of its blob
    #    (a keyed hash of the PDF, like every blob name). NULL: a PDF file, or an image imported before this
    #    (its pages are made on the first export of a writable vault); NULL keeps the row's authenticator
    """
    ALTER TABLE files ADD COLUMN pages_blob TEXT;
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


class FutureSchemaError(Exception):
    """Internal: the vault was written by a newer ECFMG Desk."""


class Connection(sqlite3.Connection):
    """A vault's connection; ``read_only`` marks the in-memory copy of a vault that cannot be written."""

    read_only = False


def connect(path: Path, *, read_only: bool = False, immutable: bool = False) -> Connection:
    """Open (or create) the database with the pragmas every connection needs.

    ``read_only`` opens through a ``mode=ro`` URI and sets no journal mode (setting WAL writes to the file);
    ``immutable`` also tells SQLite not to look for a WAL index (a WAL database in a read-only folder). Every pragma
    may raise ``sqlite3.OperationalError`` (read-only folder, locked or damaged file): callers turn that into the
    user's error.
    """
    if read_only:
        uri = f"{path.resolve().as_uri()}?mode=ro{'&immutable=1' if immutable else ''}"
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False, factory=Connection)
    else:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, factory=Connection)
    try:
        _pragmas(conn, writable=not read_only)
    except BaseException:
        conn.close()
        raise
    return conn


def connect_memory() -> Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False, factory=Connection)
    _pragmas(conn, writable=False)
    return conn


def _pragmas(conn: sqlite3.Connection, *, writable: bool) -> None:
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA trusted_schema = OFF")  # nothing stored in the file may call our functions
    conn.execute("PRAGMA foreign_keys = ON")
    if writable:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA secure_delete = ON")  # a changed wrapped key or removed value leaves no copy


def version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


Step = Callable[[sqlite3.Connection, int], None]


def migrate(conn: sqlite3.Connection, path: Path | None, after_step: Step | None = None) -> bool:
    """Bring the schema up to date; ``True`` when a migration ran.

    With ``path`` (a vault on disk, not a fresh one) the database is first copied to ``vault.db.before-vN``.
    ``after_step(conn, version)`` runs inside each step's transaction, before the version is recorded: that is
    where steps needing the vault key (authenticators) run, so a crash leaves the old version or the new one.
    """
    current = version(conn)
    if current > SCHEMA_VERSION:
        raise FutureSchemaError(str(current))
    if current == SCHEMA_VERSION:
        return False
    if current > 0 and path is not None:
        conn.execute("PRAGMA wal_checkpoint(FULL)")
        shutil.copy2(path, pre_migration_copy(path, current + 1))
    for number in range(current, SCHEMA_VERSION):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(MIGRATIONS[number]):
                conn.execute(statement)
            if after_step is not None:
                after_step(conn, number + 1)
            conn.execute(f"PRAGMA user_version = {number + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return True


def pre_migration_copy(path: Path, to_version: int) -> Path:
    return path.with_name(f"{path.name}.before-v{to_version}")


def _statements(script: str) -> list[str]:
    """Split a migration into statements (ours contain no semicolons inside literals)."""
    return [s.strip() for s in script.split(";") if s.strip()]


def user_error(exc: sqlite3.Error, path: Path | None) -> DeskError:
    """The user's words for what SQLite reported (read-only, busy, full, damaged, a row failing its check)."""
    text = str(exc)
    lowered = text.lower()
    where = f" in {path}" if path is not None else ""
    if UNTRUSTED_MARK in text:
        return UntrustedDataError(
            f"A record of the vault{where} was changed outside ECFMG Desk, so the app refused to build on it; "
            "nothing was changed. Run a check of the vault to see which document is affected."
        )
    if "locked" in lowered or "busy" in lowered:
        return VaultBusyError(
            f"The vault{where} is in use by another ECFMG Desk window or command. Close it, or try again in a "
            "moment."
        )
    if "full" in lowered or "disk i/o error" in lowered or "too large" in lowered:
        return DiskFullError(
            f"The vault{where} could not be written: the disk is full (or refused the write). Nothing was "
            "changed; free some space and try again."
        )
    if "readonly" in lowered or "read-only" in lowered:
        return VaultReadOnlyError(
            f"The vault{where} is read-only (its folder or database cannot be written), so nothing was changed."
        )
    if "unable to open" in lowered:
        return VaultReadOnlyError(f"The vault database{where} cannot be opened ({text}).")
    return IntegrityError(f"The vault database{where} is damaged ({text}). Restore a backup.")


@contextmanager
def sql_errors(path: Path | None) -> Iterator[None]:
    """Turn any SQLite failure inside the block into the user's error (no traceback ever reaches a user)."""
    try:
        yield
    except sqlite3.Error as exc:
        raise user_error(exc, path) from exc
