"""Authenticated rows: every row that decides what a document is carries an HMAC under a key from the vault key.

Encryption already hides personal values, but an attacker with write access to the vault folder (and no key) could
still swap two documents' file rows, edit an expiry date, flip the trash flag or insert an "approved" review: the
clear columns were trusted as read. Now each row of a registered table holds ``auth`` = HMAC-SHA256 over a
canonical encoding of its table name and every non-NULL column (the row's id included), under a subkey HKDF-derived
from the vault key. Nobody without the key can produce it.

One mechanism for every table, so tables other modules add are covered by one line (:func:`authenticate`):

- **Writing** needs no code at the call sites. After unlock, temporary triggers (per connection, never stored in the
  file) recompute ``auth`` after every INSERT and UPDATE through a SQL function that holds the key; the same
  triggers refuse to UPDATE a row whose current authenticator is wrong, so an edit by the app never launders a
  tampered row into a trusted one.
- **Reading** verifies every registered row (:func:`find_untrusted`) after open and whenever another connection
  changed the file (``PRAGMA data_version``), and the vault refuses to load what failed, naming the document.

NULL columns are left out of the encoding, so ``ALTER TABLE … ADD COLUMN`` (NULL default) keeps existing
authenticators valid. Deleting a whole row is not detected by a per-row MAC (a missing page or review looks like
one never added); what is detected is any row that says something the app did not write.
"""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

AUTH_COLUMN = "auth"
MAC_FUNCTION = "ecfmg_row_mac"
_DOMAIN = b"ecfmg-desk/row/v1"
_TRIGGER_PREFIX = "ecfmg_auth_"
UNTRUSTED_MARK = "ecfmg-desk: untrusted row"


@dataclass(frozen=True)
class AuthTable:
    """A table whose rows are authenticated, and how a bad row is reported.

    ``subject`` is what the user is told about ("document", "profile", "rotation", …); ``subject_sql`` is a SQL
    expression over the table's columns that gives the subject's id (``None`` when the table is one subject).
    """

    name: str
    subject: str
    subject_sql: str | None


TABLES: dict[str, AuthTable] = {}
"""Every authenticated table. A table that decides what a document, rotation, letter or answer is belongs here."""

EXEMPT: dict[str, str] = {
    "meta": "read before the key is known (vault id, key check, wrapped key); each is checked by its own use",
    "history": "a log of actions for the user; it decides nothing",
}
"""Tables deliberately left unauthenticated, with the reason (a test fails for a table in neither)."""


def authenticate(name: str, subject: str, subject_sql: str | None = None) -> None:
    """Register a table (which must have an ``auth BLOB`` column) as authenticated."""
    TABLES[name] = AuthTable(name, subject, subject_sql)


authenticate("profile", "profile")
authenticate("documents", "document", "id")
authenticate("files", "document", "document_id")
authenticate("pages", "document", "(SELECT f.document_id FROM files f WHERE f.id = pages.file_id)")
authenticate("confirmations", "answer", "id || ':' || document_id")
authenticate("reviews", "document", "document_id")
authenticate("review_comments", "document", "document_id")
authenticate("plan_dates", "plan date", "key")
authenticate("rotations", "rotation", "id")
authenticate("rotation_tasks", "rotation", "rotation_id || ' (task ' || id || ')'")
authenticate("letters", "letter", "id")


@dataclass(frozen=True)
class EncryptedColumn:
    """A column holding values encrypted with the vault's field cipher, and the SQL expression (over the row)
    that gives each value's associated data: what key rotation needs to re-encrypt it. ``text`` values are
    base64 text rather than BLOBs."""

    table: str
    column: str
    aad_sql: str
    text: bool = False
    where: str = "1"


ENCRYPTED: list[EncryptedColumn] = []
"""Every column encrypted under the vault key (a test fails for a BLOB column in no list)."""

BLOB_NAME_COLUMNS: list[tuple[str, str]] = [
    ("files", "blob"), ("files", "thumb_blob"), ("files", "pages_blob"),
]
"""Columns naming blobs (encrypted files in ``blobs/``): key rotation re-encrypts and renames what they name.
Each name is the keyed hash of the blob's contents (``VaultKeys.blob_name``), never a plain SHA-256."""


def encrypted(table: str, column: str, aad_sql: str, *, text: bool = False, where: str = "1") -> None:
    ENCRYPTED.append(EncryptedColumn(table, column, aad_sql, text, where))


_COMMENT_INDEX = ("(SELECT COUNT(*) FROM review_comments c WHERE c.document_id = review_comments.document_id"
                  " AND c.id < review_comments.id)")
encrypted("profile", "value", "'profile:' || field")
for _name in ("name_on_document", "translator", "notes", "fields"):
    encrypted("documents", _name, f"'documents:{_name}:' || id")
encrypted("files", "name", "'files:name:' || document_id || ':' || position")
encrypted("files", "sha256_enc", "'files:sha256:' || document_id || ':' || position")
encrypted("reviews", "reviewer", "'reviews:reviewer:' || document_id")
encrypted("review_comments", "author", f"'comment:author:' || document_id || ':' || {_COMMENT_INDEX}")
encrypted("review_comments", "body", f"'comment:body:' || document_id || ':' || {_COMMENT_INDEX}")
encrypted("plan_dates", "value", "'plan_dates:' || key")
encrypted("confirmations", "answer", "'confirmations:' || id || ':' || document_id")
encrypted("rotations", "payload", "'rotations::' || id || ':' || COALESCE(removed_at, '')")
encrypted("rotation_tasks", "payload", "'rotation_tasks:' || rotation_id || ':' || id || ':'")
encrypted("letters", "payload", "'letters::' || id || ':' || COALESCE(removed_at, '')")
_VAULT_ID = "(SELECT m.value FROM meta m WHERE m.key = 'vault_id')"
encrypted("meta", "value", f"'meta:sealed:' || substr(key, 8) || ':' || {_VAULT_ID}",  # Vault.sealed_value
          text=True, where="key LIKE 'sealed:%'")

AUTH_VERSION = 5
"""The schema version that added the ``auth`` columns: its migration step seals every existing row."""


def _encode_value(value: object) -> bytes:
    if isinstance(value, bool | int):
        return b"i" + str(int(value)).encode("ascii")
    if isinstance(value, float):
        return b"f" + repr(value).encode("ascii")
    if isinstance(value, str):
        return b"t" + value.encode("utf-8")
    if isinstance(value, bytes | bytearray | memoryview):
        return b"b" + bytes(value)
    raise TypeError(f"cannot authenticate a {type(value).__name__}")


def _frame(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def canonical(table: str, columns: Mapping[str, object]) -> bytes:
    """The bytes an authenticator covers: table name, then each non-NULL column (sorted by name) and its value."""
    parts = [_frame(_DOMAIN), _frame(table.encode("utf-8"))]
    for name in sorted(columns):
        value = columns[name]
        if value is None or name == AUTH_COLUMN:
            continue
        parts.append(_frame(name.encode("utf-8")) + _frame(_encode_value(value)))
    return b"".join(parts)


class RowAuth:
    """The row-authentication key of one vault, and its SQL function."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def mac(self, table: str, columns: Mapping[str, object]) -> bytes:
        return hmac.new(self._key, canonical(table, columns), hashlib.sha256).digest()

    def _sql_mac(self, *args: object) -> bytes:
        """``ecfmg_row_mac(table, name1, value1, name2, value2, …)`` as called by the triggers and queries."""
        table = str(args[0])
        columns = {str(args[i]): args[i + 1] for i in range(1, len(args) - 1, 2)}
        return self.mac(table, columns)

    def install(self, conn: sqlite3.Connection) -> None:
        """Register the SQL function and (re)create the sealing triggers for the tables as they are now.

        Called after unlock and after each migration step (a step may add a table or a column).
        """
        conn.create_function(MAC_FUNCTION, -1, self._sql_mac, deterministic=True)
        self.uninstall(conn)
        for table in TABLES:
            columns = table_columns(conn, table)
            if columns is None or AUTH_COLUMN not in columns:
                continue  # not created yet, or a vault older than AUTH_VERSION (being migrated)
            content = [c for c in columns if c != AUTH_COLUMN]
            new_mac = _mac_call(table, content, "NEW.")
            old_mac = _mac_call(table, content, "OLD.")
            conn.execute(
                f'CREATE TEMP TRIGGER "{_TRIGGER_PREFIX}{table}_ins" AFTER INSERT ON main."{table}" BEGIN'
                f' UPDATE "{table}" SET {AUTH_COLUMN} = {new_mac} WHERE rowid = NEW.rowid; END'
            )
            conn.execute(
                f'CREATE TEMP TRIGGER "{_TRIGGER_PREFIX}{table}_guard" BEFORE UPDATE ON main."{table}"'
                f" WHEN NEW.{AUTH_COLUMN} IS OLD.{AUTH_COLUMN} AND OLD.{AUTH_COLUMN} IS NOT {old_mac}"
                f" BEGIN SELECT RAISE(ABORT, '{UNTRUSTED_MARK} in {table}'); END"
            )
            conn.execute(
                f'CREATE TEMP TRIGGER "{_TRIGGER_PREFIX}{table}_upd" AFTER UPDATE ON main."{table}"'
                f" WHEN NEW.{AUTH_COLUMN} IS OLD.{AUTH_COLUMN} BEGIN"
                f' UPDATE "{table}" SET {AUTH_COLUMN} = {new_mac} WHERE rowid = NEW.rowid; END'
            )

    def uninstall(self, conn: sqlite3.Connection) -> None:
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_temp_master WHERE type = 'trigger' AND name LIKE ?", (_TRIGGER_PREFIX + "%",)
        ).fetchall():
            conn.execute(f'DROP TRIGGER temp."{name}"')

    def seal_all(self, conn: sqlite3.Connection) -> None:
        """Recompute every authenticator (key rotation, after every row was verified under the old key)."""
        for table in TABLES:
            columns = table_columns(conn, table)
            if columns is None or AUTH_COLUMN not in columns:
                continue
            content = [c for c in columns if c != AUTH_COLUMN]
            conn.execute(f'UPDATE "{table}" SET {AUTH_COLUMN} = {_mac_call(table, content, "")}')

    def seal_unsealed(self, conn: sqlite3.Connection) -> int:
        """Compute the authenticator of every row that has none (only the migration to AUTH_VERSION does this:
        later, a row without one is a row the app did not write)."""
        count = 0
        for table in TABLES:
            columns = table_columns(conn, table)
            if columns is None or AUTH_COLUMN not in columns:
                continue
            content = [c for c in columns if c != AUTH_COLUMN]
            cursor = conn.execute(
                f'UPDATE "{table}" SET {AUTH_COLUMN} = {_mac_call(table, content, "")} WHERE {AUTH_COLUMN} IS NULL'
            )
            count += max(cursor.rowcount, 0)
        return count


@dataclass(frozen=True)
class Untrusted:
    """A row whose authenticator does not match: which table, and whose it is."""

    table: str
    subject: str
    subject_id: str | None


def find_untrusted(conn: sqlite3.Connection) -> list[Untrusted]:
    """Every registered row whose authenticator is missing or wrong (needs :meth:`RowAuth.install` first)."""
    found: list[Untrusted] = []
    for table, spec in TABLES.items():
        columns = table_columns(conn, table)
        if columns is None:
            continue
        if AUTH_COLUMN not in columns:
            raise sqlite3.DatabaseError(f"table {table} has no authenticator column")
        content = [c for c in columns if c != AUTH_COLUMN]
        subject = spec.subject_sql or "NULL"
        for (subject_id,) in conn.execute(
            f'SELECT {subject} FROM "{table}" WHERE {AUTH_COLUMN} IS NOT {_mac_call(table, content, "")}'
        ):
            found.append(Untrusted(table, spec.subject, None if subject_id is None else str(subject_id)))
    return found


def unexpected_schema(conn: sqlite3.Connection) -> list[str]:
    """Triggers or views stored in the file: the app creates none, and one could rewrite rows as the app writes."""
    return [
        f"{kind} {name}"
        for kind, name in conn.execute("SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view')")
    ]


def table_columns(conn: sqlite3.Connection, table: str) -> list[str] | None:
    rows = conn.execute(f'PRAGMA main.table_info("{table}")').fetchall()
    return [str(row[1]) for row in rows] if rows else None


def _mac_call(table: str, columns: Iterable[str], prefix: str) -> str:
    args = ", ".join(f"'{c}', {prefix}\"{c}\"" for c in columns)
    return f"{MAC_FUNCTION}('{table}', {args})"
