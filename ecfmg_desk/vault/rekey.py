"""Key rotation: re-encrypt everything in a vault under a new vault key, resumably.

When a key may have leaked (a laptop left unlocked, a backup copied), changing the passphrase is not enough: the
old vault key still decrypts every copy of the folder. Rotation makes a new key and re-encrypts every blob, every
encrypted value, every authenticator and every keyed fingerprint under it, then forgets the old one.

Crash safety, in three phases:

1. The new key is recorded in ``meta`` (encrypted under the old key) before anything else, so a rerun continues
   with the same new key.
2. Blobs are re-encrypted under new names beside the old ones (the old ones stay valid): a kill here leaves the
   vault working under the old key, and a rerun skips the blobs already done.
3. One database transaction switches everything else (values, blob references, fingerprints, authenticators, key
   check, wrapped key) and records, still under the old key, how to reach the new one. Then the keyring gets the
   new key, that record is deleted and the old blobs are removed. A kill before the keyring update is repaired on
   the next opening (:meth:`Vault._find_key` follows the record once).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from ecfmg_desk.errors import IntegrityError, KeyUnavailableError
from ecfmg_desk.vault import integrity, keys
from ecfmg_desk.vault.blobs import BlobDamaged, BlobMissing, BlobStore
from ecfmg_desk.vault.crypto import DecryptionFailed, VaultKeys, b64, new_key, unb64, wrap_key
from ecfmg_desk.vault.faults import crashpoint
from ecfmg_desk.vault.signing import SIGNING_KEY
from ecfmg_desk.vault.store import Vault, _tx, digest_of

log = logging.getLogger(__name__)

PENDING = "rekey_pending"
"""meta: the new key during a rotation, encrypted under the old key."""
FORWARD = "rekey_forward"
"""meta: after the switch and until the keyring holds the new key, the new key encrypted under the old one."""

Progress = Callable[[int, int], None]


def _pending_aad(vault_id: str, kind: str) -> bytes:
    return f"meta:{kind}:{vault_id}".encode()


@dataclass(frozen=True)
class RekeyResult:
    blobs: int
    values: int
    resumed: bool


def rekey(vault: Vault, passphrase: str | None, progress: Progress | None = None) -> RekeyResult:
    """Rotate ``vault``'s key (see the module docstring); the vault must be reopened afterwards."""
    vault._refuse_if_read_only()
    vault.ensure_trusted()  # every row is verified under the old key before any is re-sealed
    has_passphrase = vault.has_passphrase
    if has_passphrase and passphrase is None:
        raise KeyUnavailableError(
            "Rotating the key needs the recovery passphrase, to wrap the new key with it.", topic="passphrase"
        )
    conn = vault._conn
    old = vault._keys
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (PENDING,)).fetchone()
    resumed = row is not None
    if row is not None:
        try:
            master = old.fields.decrypt(unb64(row[0]), _pending_aad(vault.id, PENDING))
        except (DecryptionFailed, ValueError) as exc:
            raise IntegrityError("The key rotation in progress in this vault is damaged.") from exc
        log.info("resuming an interrupted key rotation")
    else:
        master = new_key()
        with vault._lock, _tx(conn):
            conn.execute("INSERT INTO meta(key, value) VALUES (?, ?)",
                         (PENDING, b64(old.fields.encrypt(master, _pending_aad(vault.id, PENDING)))))
    new = VaultKeys(master)
    old_store = BlobStore(vault.path / "blobs", old.blobs)
    new_store = BlobStore(vault.path / "blobs", new.blobs)

    # phase 2: blobs, beside the old ones
    names: set[str] = set()
    for table, column in integrity.BLOB_NAME_COLUMNS:
        if integrity.table_columns(conn, table) is not None:
            names.update(str(n) for (n,) in conn.execute(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL"))
    renamed: dict[str, str] = {}
    for index, name in enumerate(sorted(names)):
        try:
            data = old_store.get(name)
        except (BlobMissing, BlobDamaged) as exc:
            raise IntegrityError(
                "A stored file is missing or damaged, so the key cannot be rotated; run a check of the vault."
            ) from exc
        renamed[name] = new.blob_name(data)
        new_store.put(renamed[name], data)
        if progress:
            progress(index + 1, len(names))
        crashpoint("rekey-blob")

    # phase 3: everything else, in one transaction
    auth = integrity.RowAuth(new.rows)
    values = 0
    with vault._lock, _tx(conn):
        integrity.RowAuth(old.rows).uninstall(conn)
        for spec in integrity.ENCRYPTED:
            if integrity.table_columns(conn, spec.table) is None:
                continue
            rows = conn.execute(
                f"SELECT rowid, {spec.column}, {spec.aad_sql} FROM {spec.table}"
                f" WHERE {spec.column} IS NOT NULL AND ({spec.where})"
            ).fetchall()
            for rowid, value, aad in rows:
                raw = unb64(value) if spec.text else bytes(value)
                try:
                    plain = old.fields.decrypt(raw, str(aad).encode("utf-8"))
                except DecryptionFailed as exc:
                    raise IntegrityError(
                        f"A stored value ({spec.table}) is damaged, so the key cannot be rotated; run a check."
                    ) from exc
                sealed = new.fields.encrypt(plain, str(aad).encode("utf-8"))
                conn.execute(f"UPDATE {spec.table} SET {spec.column} = ? WHERE rowid = ?",
                             (b64(sealed) if spec.text else sealed, rowid))
                values += 1
        if not conn.execute("SELECT 1 FROM meta WHERE key = ?", (f"sealed:{SIGNING_KEY}",)).fetchone():
            # the bundle-signing key was derived from the old key: keep it, so advisors still recognise the student
            conn.execute("INSERT INTO meta(key, value) VALUES (?, ?)", (f"sealed:{SIGNING_KEY}", b64(
                new.fields.encrypt(old.signing_seed, f"meta:sealed:{SIGNING_KEY}:{vault.id}".encode()))))
            values += 1
        for table, column in integrity.BLOB_NAME_COLUMNS:
            if integrity.table_columns(conn, table) is not None:
                for old_name, new_name in renamed.items():
                    conn.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", (new_name, old_name))
        _rekey_fingerprints(conn, old, new)
        conn.execute("UPDATE meta SET value = ? WHERE key = 'key_check'", (new.check_value(),))
        if has_passphrase and passphrase is not None:
            conn.execute("UPDATE meta SET value = ? WHERE key = 'wrapped_key'",
                         (json.dumps(wrap_key(master, passphrase)),))
        conn.execute("DELETE FROM meta WHERE key = ?", (PENDING,))
        conn.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                     (FORWARD, b64(old.fields.encrypt(master, _pending_aad(vault.id, FORWARD)))))
        auth.install(conn)
        auth.seal_all(conn)
        crashpoint("rekey-before-commit")
    vault._switch_keys(new)
    crashpoint("rekey-after-commit")
    finish(vault)
    for name in renamed:
        if renamed[name] != name:
            old_store.delete(name)
    log.info("vault key rotated: %d blobs, %d values", len(renamed), values)
    return RekeyResult(blobs=len(renamed), values=values, resumed=resumed)


def finish(vault: Vault) -> None:
    """The last step of a rotation: the keyring gets the new key, then the way from the old key is forgotten."""
    if not keys.keyring_set(vault.id, vault._keys.master) and not vault.has_passphrase:
        return  # the keyring is the only way in and refused the new key: keep the way from the old one
    with vault._lock, _tx(vault._conn):
        vault._conn.execute("DELETE FROM meta WHERE key = ?", (FORWARD,))
    with vault._lock:
        vault._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _rekey_fingerprints(conn: sqlite3.Connection, old: VaultKeys, new: VaultKeys) -> None:
    """Keyed fingerprints follow the key: files from their (decrypted) SHA-256; a review's reviewed fingerprint
    stays current if it was, and stays stale if it was (it cannot be recomputed, only compared)."""
    shas: dict[str, list[str]] = {}
    for row_id, doc_id, position, sealed in conn.execute(
        "SELECT id, document_id, position, sha256_enc FROM files ORDER BY document_id, position"
    ).fetchall():
        sha = new.fields.decrypt(bytes(sealed), f"files:sha256:{doc_id}:{position}".encode()).decode("ascii")
        conn.execute("UPDATE files SET sha256 = ? WHERE id = ?", (new.fingerprint_key(sha), row_id))
        shas.setdefault(str(doc_id), []).append(sha)
    for doc_id, reviewed in conn.execute("SELECT document_id, reviewed_sha256 FROM reviews").fetchall():
        digest = digest_of(shas.get(str(doc_id), []))
        current = old.fingerprint_key(digest) == reviewed
        replacement = new.fingerprint_key(digest if current else "stale:" + str(reviewed))
        conn.execute("UPDATE reviews SET reviewed_sha256 = ? WHERE document_id = ?", (replacement, doc_id))
