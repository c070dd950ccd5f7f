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
from pathlib import Path

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
)

SCHEMA_VERSION = len(MIGRATIONS)


class FutureSchemaError(Exception):
    """Internal: the vault was written by a newer ECFMG Desk."""


def connect(path: Path) -> sqlite3.Connection:
    """Open (or create) the database with the pragmas every connection needs."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise FutureSchemaError(str(version))
    if version == SCHEMA_VERSION:
        return
    if version > 0:
        conn.execute("PRAGMA wal_checkpoint(FULL)")
        shutil.copy2(path, path.with_name(f"{path.name}.before-v{version + 1}"))
    for number in range(version, SCHEMA_VERSION):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(MIGRATIONS[number]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _statements(script: str) -> list[str]:
    """Split a migration into statements (ours contain no semicolons inside literals)."""
    return [s.strip() for s in script.split(";") if s.strip()]
