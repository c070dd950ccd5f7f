"""The Vault facade: one applicant's packet on disk, encrypted at rest.

Everything the CLI and the GUI do to a vault goes through this class, so both front ends stay thin and
behave the same. Layout of a vault folder::

    vault.db          SQLite (WAL): profile, documents, files, pages, reviews, history; personal values encrypted
    blobs/ab/abcd…    encrypted document bytes, thumbnails and image pages as PDF, each named by a keyed hash
                      of its contents

The key comes from the OS keyring, or from the recovery passphrase (scrypt-wrapped copy in ``meta``).
All writes of one operation commit together; blobs are written first, so a crash never leaves a row that
points at nothing (see blobs.py).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from ecfmg_desk.core.model import (
    MANUAL_TRANSLATION_STATUSES,
    TRANSLATION_REQUIREMENT,
    TRANSLATOR_KINDS,
    Comment,
    Document,
    FileInfo,
    Page,
    Profile,
    Review,
)
from ecfmg_desk.errors import (
    BadInputError,
    CancelledError,
    DeskError,
    DiskFullError,
    IntegrityError,
    KeyUnavailableError,
    UnknownDocumentError,
    UntrustedDataError,
    UsageError,
    VaultBusyError,
    VaultNotFoundError,
    VaultReadOnlyError,
    WrongPassphraseError,
)
from ecfmg_desk.vault import db, integrity, keys
from ecfmg_desk.vault.blobs import BlobDamaged, BlobMissing, BlobStore, ReadBuffers, fsync_dir
from ecfmg_desk.vault.crypto import (
    DecryptionFailed,
    VaultKeys,
    b64,
    needs_rewrap,
    new_key,
    unb64,
    unwrap_key,
    wrap_key,
)
from ecfmg_desk.vault.faults import crashpoint, pausepoint
from ecfmg_desk.vault.passphrase import check_strength

if TYPE_CHECKING:  # inspect pulls in pypdf, pypdfium2 and Pillow: ~200 ms the window need not wait for
    from ecfmg_desk.vault.clinical import ClinicalRecords
    from ecfmg_desk.vault.inspect import InspectedFile
    from ecfmg_desk.vault.readahead import ReadAhead

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]

_LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
"""A BCP 47 language tag (``es``, ``en-GB``, ``zh-Hant-TW``): stored as given, compared case-insensitively."""
DOCUMENT_FIELDS = (
    "issued",
    "expires",
    "language",
    "name_on_document",
    "translator",
    "translator_kind",
    "translation_status",
    "notes",
    "fields",
)
_ENCRYPTED_DOCUMENT_FIELDS = ("name_on_document", "translator", "notes")
_PROFILE_DATES = ("date_of_birth", "graduation_date", "name_change_date")
_FIELD_TAGS = {"d": date, "i": int, "b": bool, "s": str}


def encode_fields(values: Mapping[str, Any]) -> str:
    """Document fields as JSON ``[[name, tag, value], ...]`` (the tag keeps a date a date)."""
    rows = []
    for name, value in sorted(values.items()):
        if isinstance(value, bool):
            rows.append([name, "b", value])
        elif isinstance(value, date):
            rows.append([name, "d", value.isoformat()])
        elif isinstance(value, int):
            rows.append([name, "i", value])
        elif isinstance(value, str):
            rows.append([name, "s", value])
        else:
            raise UsageError(f"The value of {name} is not a date, a number, yes/no or a text.")
    return json.dumps(rows, ensure_ascii=False)


def decode_fields(text: str | None) -> dict[str, Any]:
    """The inverse of :func:`encode_fields`; anything malformed is damage (the row is authenticated)."""
    if not text:
        return {}
    try:
        rows = json.loads(text)
        out: dict[str, Any] = {}
        for name, tag, value in rows:
            kind = _FIELD_TAGS[tag]
            if kind is date:
                out[str(name)] = date.fromisoformat(value)
            elif type(value) is not kind:
                raise TypeError(name)
            else:
                out[str(name)] = value
        return out
    except (ValueError, TypeError, KeyError) as exc:
        raise IntegrityError("A stored value (document fields) in the vault is damaged.") from exc


class _Stored(NamedTuple):
    """One imported file and the names of its blobs: the original, its thumbnail, its pages as PDF."""

    item: InspectedFile
    blob: str
    thumb: str | None
    pages: str | None


@dataclass(frozen=True)
class AddResult:
    document: Document
    duplicates: tuple[str, ...] = ()
    """Ids of other documents that already hold one of the imported files (its bytes are stored once)."""


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def document_digest(files: Sequence[FileInfo]) -> str:
    """A document's SHA-256: over its files' SHA-256s in order (a changed or added page changes it)."""
    return digest_of([f.sha256 for f in files])


def digest_of(file_sha256s: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(file_sha256s).encode("ascii")).hexdigest()


def is_vault(path: Path) -> bool:
    return (path / db.DB_NAME).is_file()


class Vault:
    """An open vault. Thread-safe: import workers may call it from another thread."""

    def __init__(
        self, path: Path, conn: sqlite3.Connection, vault_keys: VaultKeys, vault_id: str, *, read_only: bool = False
    ) -> None:
        self.path = path
        self.id = vault_id
        self.read_only = read_only
        """The folder or database cannot be written: reads work (from an in-memory copy), changes are refused."""
        self._conn = conn
        self._trusted_at: int | None = None
        self._untrusted: list[integrity.Untrusted] = []
        self._keys = vault_keys
        self._fields = vault_keys.fields
        self._blobs = BlobStore(path / "blobs", vault_keys.blobs)
        self._lock = threading.RLock()
        self.notices: list[str] = []
        """Things the user should be told once after opening (e.g. no recovery passphrase yet)."""

    # ---------------------------------------------------------------- opening and keys

    @classmethod
    def open(cls, path: Path, *, create: bool = False, passphrase: str | None = None) -> Vault:
        """Open the vault in ``path``; with ``create``, make one when the folder holds none.

        The key comes from ``passphrase`` when given (a wrong one is an error even if the keyring would work,
        so a typo is never silently ignored), else from the keyring. A vault that cannot be written opens
        read-only (in memory: migrations and rewraps wait for the next writable open) and refuses changes.
        """
        path = Path(path)
        if not is_vault(path):
            if path.exists() and not path.is_dir():
                raise UsageError(f"{path} is a file, not a vault folder.")
            if not create:
                raise VaultNotFoundError(f"There is no vault in {path}.", topic="vault-location")
            created = cls._create(path, passphrase)
            if created is not None:
                return created
            log.info("another process created the vault first; opening theirs")
        read_only = not _writable(path)
        if not read_only:
            remove_stale_temps(path)
        with db.sql_errors(path):
            conn = _connect(path, read_only)
        try:
            with db.sql_errors(path):
                return cls._unlock(path, conn, passphrase, read_only)
        except BaseException:
            conn.close()
            raise

    @classmethod
    def _unlock(cls, path: Path, conn: sqlite3.Connection, passphrase: str | None, read_only: bool) -> Vault:
        found = integrity.unexpected_schema(conn)
        if found:
            raise IntegrityError(
                f"The vault database in {path} was changed outside ECFMG Desk (it holds a {found[0]} the app never "
                "creates). Restore a backup."
            )
        current = db.version(conn)
        if current > db.SCHEMA_VERSION:
            raise UsageError(
                f"The vault in {path} was written by a newer version of ECFMG Desk. Update the app to open it."
            )
        if current == 0:
            raise IntegrityError(f"The vault database in {path} is incomplete or damaged (it holds no schema).")
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        vault_id = meta.get("vault_id")
        if not vault_id:
            raise IntegrityError(f"The vault in {path} has no id: its database is damaged.")
        master = cls._find_key(path, vault_id, meta, passphrase)
        vault_keys = VaultKeys(master)
        auth = integrity.RowAuth(vault_keys.rows)
        auth.install(conn)

        def keyed_step(step_conn: sqlite3.Connection, number: int) -> None:
            if number == integrity.AUTH_VERSION:
                sealed = auth.seal_unsealed(step_conn)
                log.info("authenticated %d existing rows", sealed)
            auth.install(step_conn)
            if number == _KEYED_FINGERPRINTS_VERSION:
                _key_the_fingerprints(step_conn, vault_keys)

        migrated = db.migrate(conn, None if read_only else path / db.DB_NAME, keyed_step)
        if migrated:
            log.info("vault schema upgraded to version %d%s", db.SCHEMA_VERSION, " (in memory)" if read_only else "")
        vault = cls(path, conn, vault_keys, vault_id, read_only=read_only)
        if read_only:
            vault.notices.append(read_only_notice(path))
            log.info("vault opened read-only")
            return vault
        _tighten_permissions(path)
        if "rekey_forward" in meta:
            from ecfmg_desk.vault.rekey import finish

            finish(vault)
        if "rekey_pending" in meta:
            vault.notices.append(
                "A key rotation of this vault was interrupted. Nothing is lost (the old key still opens it); run "
                "the rotation again to finish it."
            )
        if passphrase is not None:
            if "wrapped_key" not in meta:
                vault.set_passphrase(passphrase)
                vault.notices.append("This vault now has a recovery passphrase: the one you just gave.")
            elif needs_rewrap(json.loads(meta["wrapped_key"])):
                vault._store_wrapped(passphrase)  # the passphrase is proven: re-wrap at today's scrypt cost
                log.info("recovery passphrase re-wrapped at the current scrypt cost")
        if migrated:
            report = vault.check()
            if report.ok:
                for copy in path.glob(f"{db.DB_NAME}.before-v*"):
                    copy.unlink(missing_ok=True)
            else:
                vault.notices.append(
                    "The vault was upgraded but its check found problems; the copy from before the upgrade is kept "
                    f"next to it ({db.DB_NAME}.before-v…)."
                )
        return vault

    @classmethod
    def _find_key(cls, path: Path, vault_id: str, meta: Mapping[str, str], passphrase: str | None) -> bytes:
        check = meta.get("key_check", "")
        if passphrase is not None and "wrapped_key" in meta:
            master = unwrap_key(_parse_wrapped(meta["wrapped_key"], path), passphrase)
            if VaultKeys(master).check_value() != check:
                raise IntegrityError(f"The key stored in the vault in {path} is damaged.")
            try:
                if keys.keyring_get(vault_id) != master:
                    keys.keyring_set(vault_id, master)  # back to password-free daily use
            except keys.KeyringUnavailable:
                pass
            return master
        try:
            master_or_none = keys.keyring_get(vault_id)
        except keys.KeyringUnavailable as exc:
            raise KeyUnavailableError(
                "No system keyring is available on this computer, so the vault cannot be opened without its "
                "recovery passphrase.", topic="passphrase"
            ) from exc
        if master_or_none is None:
            if "wrapped_key" in meta:
                raise KeyUnavailableError(
                    "This computer's keyring has no key for this vault (new computer or reinstalled system?). "
                    "Its recovery passphrase opens it.", topic="passphrase"
                )
            raise KeyUnavailableError(
                "This computer's keyring has no key for this vault and the vault has no recovery passphrase. "
                "Restore the keyring entry (or a backup) to open it."
            )
        if VaultKeys(master_or_none).check_value() != check and "rekey_forward" in meta:
            forwarded = _follow_rotation(master_or_none, vault_id, meta["rekey_forward"])
            if forwarded is not None and VaultKeys(forwarded).check_value() == check:
                return forwarded  # a key rotation was killed before the keyring got the new key
        if VaultKeys(master_or_none).check_value() != check:
            raise WrongPassphraseError(
                "The key in this computer's keyring does not open this vault. Its recovery passphrase opens it.",
                topic="passphrase",
            )
        return master_or_none

    @classmethod
    def _create(cls, path: Path, passphrase: str | None) -> Vault | None:
        """Make a new vault in ``path``; ``None`` when another process created one there meanwhile.

        The database is built complete in a private temp folder and then hard-linked into place, which fails if a
        vault.db already exists: two first commands racing never see half a vault, and the loser opens the
        winner's vault instead of calling it damaged.
        """
        if passphrase is not None:
            check_strength(passphrase)
        master = new_key()
        vault_keys = VaultKeys(master)
        vault_id = secrets.token_hex(16)
        try:
            in_keyring = keys.keyring_set(vault_id, master) and keys.keyring_get(vault_id) == master
        except keys.KeyringUnavailable:
            in_keyring = False
        if not in_keyring and passphrase is None:
            raise KeyUnavailableError(
                "Cannot create a vault: no system keyring is available and no recovery passphrase was given.",
                topic="new-passphrase",
            )
        try:
            path.mkdir(parents=True, exist_ok=True, mode=0o700)
            work = Path(tempfile.mkdtemp(prefix=".tmp-create-", dir=path))
        except OSError as exc:
            raise _os_error(exc, path) from exc
        try:
            with db.sql_errors(path):
                conn = db.connect(work / db.DB_NAME)
                try:
                    os.chmod(work / db.DB_NAME, 0o600)
                    auth = integrity.RowAuth(vault_keys.rows)

                    def keyed_step(step_conn: sqlite3.Connection, number: int) -> None:
                        auth.install(step_conn)

                    db.migrate(conn, None, keyed_step)
                    rows = [("vault_id", vault_id), ("key_check", vault_keys.check_value()), ("created_at", _now())]
                    if passphrase is not None:
                        rows.append(("wrapped_key", json.dumps(wrap_key(master, passphrase))))
                    with _tx(conn):
                        conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?)", rows)
                    conn.execute("PRAGMA journal_mode = DELETE")  # one self-contained file to link into place
                finally:
                    conn.close()
            pausepoint("create-before-link")
            try:
                os.link(work / db.DB_NAME, path / db.DB_NAME)
            except FileExistsError:
                if in_keyring:
                    keys.keyring_delete(vault_id)
                return None
            except OSError as exc:
                raise _os_error(exc, path) from exc
            fsync_dir(path)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        _tighten_permissions(path)
        log.info("new vault created")
        with db.sql_errors(path):
            conn = _connect(path, read_only=False)
        try:
            integrity.RowAuth(vault_keys.rows).install(conn)
        except BaseException:
            conn.close()
            raise
        vault = cls(path, conn, vault_keys, vault_id)
        if passphrase is None:
            vault.notices.append(NO_PASSPHRASE_NOTICE)
        return vault

    @property
    def clinical(self) -> ClinicalRecords:
        """Rotations, their tasks and letters of recommendation (vault/clinical.py)."""
        from ecfmg_desk.vault.clinical import ClinicalRecords

        return ClinicalRecords(self)

    @property
    def has_passphrase(self) -> bool:
        with self._lock:
            row = self._conn.execute("SELECT 1 FROM meta WHERE key = 'wrapped_key'").fetchone()
        return row is not None

    def set_passphrase(self, passphrase: str) -> None:
        """Set or change the recovery passphrase (the key itself does not change, so no re-encryption).

        The old wrapped key is overwritten, not just superseded: ``secure_delete`` zeroes freed pages and the WAL
        is checkpointed and truncated, so the old passphrase no longer opens a copy of this folder.
        """
        self._refuse_if_read_only()
        check_strength(passphrase, self._strength_context())
        self._store_wrapped(passphrase)
        log.info("recovery passphrase set")

    def _store_wrapped(self, passphrase: str) -> None:
        wrapped = json.dumps(wrap_key(self._keys.master, passphrase))
        with self._lock, _tx(self._conn):
            self._conn.execute(
                "INSERT INTO meta(key, value) VALUES ('wrapped_key', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (wrapped,),
            )
        with self._lock, db.sql_errors(self.path):
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _strength_context(self) -> list[str]:
        try:
            profile = self.profile()
        except IntegrityError:
            return []
        words = [profile.given_names, profile.family_name, profile.usmle_id, profile.myintealth_id]
        if profile.date_of_birth:
            words.append(profile.date_of_birth.isoformat())
        return [w for w in words if w]

    def _switch_keys(self, vault_keys: VaultKeys) -> None:
        """After a key rotation committed: use the new key from now on (rekey.py)."""
        with self._lock:
            self._keys = vault_keys
            self._fields = vault_keys.fields
            self._blobs = BlobStore(self.path / "blobs", vault_keys.blobs)
            self._trusted_at = None

    def _refuse_if_read_only(self) -> None:
        if self.read_only:
            raise VaultReadOnlyError(
                f"The vault in {self.path} is read-only (its folder or database cannot be written), so nothing "
                "was changed. Copy it somewhere writable or fix its permissions."
            )

    def wrapped_key(self) -> dict[str, Any] | None:
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key = 'wrapped_key'").fetchone()
        return json.loads(row[0]) if row else None

    @property
    def backup_cipher(self) -> Any:
        return self._keys.backup

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- encrypted fields

    def _enc(self, value: str | None, aad: str) -> bytes | None:
        if value is None:
            return None
        return self._fields.encrypt(value.encode("utf-8"), aad.encode("utf-8"))

    def _dec(self, value: bytes | None, aad: str) -> str | None:
        if value is None:
            return None
        try:
            return self._fields.decrypt(bytes(value), aad.encode("utf-8")).decode("utf-8")
        except DecryptionFailed as exc:
            raise IntegrityError(f"A stored value ({aad.split(':')[0]}) in the vault is damaged.") from exc

    # ---------------------------------------------------------------- row integrity

    def untrusted(self) -> list[integrity.Untrusted]:
        """Rows whose authenticator fails, re-verified whenever another connection changed the file."""
        with self._lock, db.sql_errors(self.path):
            version = int(self._conn.execute("PRAGMA data_version").fetchone()[0])
            if self._trusted_at != version:
                self._untrusted = integrity.find_untrusted(self._conn)
                self._trusted_at = version
                if self._untrusted:
                    log.warning("%d vault row(s) fail their authenticator", len(self._untrusted))
            return list(self._untrusted)

    def ensure_trusted(self) -> None:
        """Raise :class:`UntrustedDataError` naming what was changed outside the app (nothing is loaded then)."""
        bad = self.untrusted()
        if not bad:
            return
        documents = tuple(dict.fromkeys(u.subject_id for u in bad if u.subject == "document" and u.subject_id))
        others = tuple(dict.fromkeys(
            f"{u.subject} {u.subject_id}" if u.subject_id else u.subject for u in bad if u.subject != "document"
        ))
        named = [self._describe_document(d) for d in documents] + [
            "your profile" if o == "profile" else o for o in others
        ]
        shown = ", ".join(named[:3]) + (f" and {len(named) - 3} more" if len(named) > 3 else "")
        raise UntrustedDataError(
            f"{shown[0].upper()}{shown[1:]} {'was' if len(named) == 1 else 'were'} changed outside ECFMG Desk "
            "(the vault's records no longer match what the app wrote), so the app will not show or export "
            f"{'it' if len(named) == 1 else 'them'} as yours. Restore a backup"
            + (", or remove the document and add it again." if documents and not others else "."),
            documents=documents,
            subjects=others,
        )

    def _describe_document(self, doc_id: str) -> str:
        row = self._conn.execute("SELECT requirement FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return f"document {doc_id}" + (f" (recorded as {row[0]})" if row else "")

    # ---------------------------------------------------------------- profile

    def profile(self) -> Profile:
        self.ensure_trusted()
        with self._lock, db.sql_errors(self.path):
            rows = self._conn.execute("SELECT field, value FROM profile").fetchall()
        values: dict[str, Any] = {}
        known = set(Profile.field_names())
        for name, blob in rows:
            if name not in known:
                continue
            raw = json.loads(self._dec(blob, f"profile:{name}") or "null")
            if name in _PROFILE_DATES:
                raw = _date(raw)
            values[name] = raw
        return Profile(**values)

    def update_profile(self, changes: Mapping[str, Any]) -> Profile:
        """Change some profile fields; values are already typed (dates as ``date``)."""
        known = set(Profile.field_names())
        rows = []
        for name, value in changes.items():
            if name not in known:
                raise UsageError(f"Unknown profile field {name!r}. Fields: {', '.join(Profile.field_names())}.")
            stored = value.isoformat() if isinstance(value, date) else value
            rows.append((name, self._enc(json.dumps(stored), f"profile:{name}")))
        with self._lock, _tx(self._conn):
            self._conn.executemany(
                "INSERT INTO profile(field, value) VALUES (?, ?) "
                "ON CONFLICT(field) DO UPDATE SET value = excluded.value",
                rows,
            )
            self._history("profile", None)
        return self.profile()

    # ---------------------------------------------------------------- upgrade notice

    def take_fields_notice(self) -> bool:
        """True once for a vault that had documents before documents carried their own fields (then cleared)."""
        with self._lock:
            row = self._conn.execute("SELECT 1 FROM meta WHERE key = 'fields_notice'").fetchone()
            if row is None:
                return False
            try:
                with _tx(self._conn):
                    self._conn.execute("DELETE FROM meta WHERE key = 'fields_notice'")
            except sqlite3.OperationalError:
                pass  # a read-only vault: say it again next time
        return True

    # ---------------------------------------------------------------- confirmations

    def confirmations(self) -> dict[tuple[str, str], bool]:
        """The applicant's answers: (confirmation id, document id or "") -> yes/no."""
        with self._lock:
            rows = self._conn.execute("SELECT id, document_id, answer FROM confirmations ORDER BY 1, 2").fetchall()
        out: dict[tuple[str, str], bool] = {}
        for cid, doc_id, blob in rows:
            text = self._dec(blob, f"confirmations:{cid}:{doc_id}")
            if text not in ("yes", "no"):
                raise IntegrityError("An answer you gave to a question is damaged in the vault.")
            out[(cid, doc_id)] = text == "yes"
        return out

    def set_confirmation(self, confirmation_id: str, document_id: str | None, answer: bool | None) -> None:
        """Store (or, with ``None``, forget) one answer; the caller checked that the question applies."""
        doc_id = document_id or ""
        with self._lock, _tx(self._conn):
            if answer is None:
                self._conn.execute(
                    "DELETE FROM confirmations WHERE id = ? AND document_id = ?", (confirmation_id, doc_id))
            else:
                self._conn.execute(
                    "INSERT INTO confirmations(id, document_id, answer, answered_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(id, document_id) DO UPDATE SET answer = excluded.answer,"
                    " answered_at = excluded.answered_at",
                    (confirmation_id, doc_id, self._enc("yes" if answer else "no",
                                                        f"confirmations:{confirmation_id}:{doc_id}"), _now()),
                )
            self._history("confirm", document_id)

    # ---------------------------------------------------------------- plan dates

    def plan_dates(self) -> dict[str, date]:
        """The dates the applicant entered for the plan (``plan --set``), by plan key."""
        self.ensure_trusted()
        with self._lock, db.sql_errors(self.path):
            rows = self._conn.execute("SELECT key, value FROM plan_dates ORDER BY key").fetchall()
        values: dict[str, date] = {}
        for key, blob in rows:
            text = self._dec(blob, f"plan_dates:{key}") or ""
            try:
                values[key] = date.fromisoformat(text)
            except ValueError as exc:
                raise IntegrityError("A date you entered for the plan is damaged in the vault.") from exc
        return values

    def set_plan_dates(self, changes: Mapping[str, date | None]) -> dict[str, date]:
        """Store (or, with ``None``, forget) the applicant's own plan dates in one transaction. The value is
        encrypted with its key as associated data, so a date moved to another key no longer decrypts."""
        with self._lock, _tx(self._conn):
            for key, value in changes.items():
                if value is None:
                    self._conn.execute("DELETE FROM plan_dates WHERE key = ?", (key,))
                    continue
                self._conn.execute(
                    "INSERT INTO plan_dates(key, value) VALUES (?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (key, self._enc(value.isoformat(), f"plan_dates:{key}")),
                )
            self._history("plan", None)
        return self.plan_dates()

    # ---------------------------------------------------------------- documents: reading

    def documents(self) -> list[Document]:
        """Every document not removed, oldest first."""
        self.ensure_trusted()
        with self._lock, db.sql_errors(self.path):
            return self._load_documents("WHERE d.removed_at IS NULL")

    def document(self, document_id: str) -> Document:
        self.ensure_trusted()
        with self._lock, db.sql_errors(self.path):
            found = self._load_documents("WHERE d.id = ? AND d.removed_at IS NULL", (document_id,))
        if not found:
            raise UnknownDocumentError(f"There is no document {document_id!r} in this vault.", topic="list")
        return found[0]

    def _load_documents(self, where: str, params: tuple[object, ...] = ()) -> list[Document]:
        conn = self._conn
        docs = conn.execute(
            "SELECT d.id, d.requirement, d.issued, d.expires, d.language, d.name_on_document, d.translation_of,"
            " d.translator, d.translator_kind, d.translation_status, d.notes, d.fields"
            f" FROM documents d {where} ORDER BY d.created_at, d.rowid",
            params,
        ).fetchall()
        if not docs:
            return []
        ids = [row[0] for row in docs]
        marks = ",".join("?" * len(ids))
        files: dict[str, list[tuple[Any, ...]]] = {}
        for row in conn.execute(
            f"SELECT id, document_id, position, name, sha256_enc, kind, size, signed FROM files"
            f" WHERE document_id IN ({marks})"
            " ORDER BY document_id, position",
            ids,
        ):
            files.setdefault(row[1], []).append(row)
        file_ids = [row[0] for rows in files.values() for row in rows]
        pages: dict[int, list[Page]] = {}
        if file_ids:
            fmarks = ",".join("?" * len(file_ids))
            for fid, w, h, dpi, wpt, hpt, color in conn.execute(
                "SELECT file_id, width_px, height_px, dpi, width_pt, height_pt, color FROM pages"
                f" WHERE file_id IN ({fmarks}) ORDER BY file_id, position",
                file_ids,
            ):
                pages.setdefault(fid, []).append(Page(w, h, dpi, wpt, hpt, bool(color)))
        reviews = {
            row[0]: row
            for row in conn.execute(
                "SELECT document_id, decision, reviewer, reviewed_on, reviewed_sha256, bundle_id FROM reviews"
                f" WHERE document_id IN ({marks})",
                ids,
            )
        }
        comments: dict[str, list[Comment]] = {}
        for doc_id, author, on_date, body in conn.execute(
            f"SELECT document_id, author, on_date, body FROM review_comments WHERE document_id IN ({marks})"
            " ORDER BY id",
            ids,
        ):
            index = len(comments.setdefault(doc_id, []))
            comments[doc_id].append(
                Comment(
                    author=self._dec(author, f"comment:author:{doc_id}:{index}") or "",
                    date=date.fromisoformat(on_date),
                    text=self._dec(body, f"comment:body:{doc_id}:{index}") or "",
                )
            )
        result = []
        for (doc_id, requirement, issued, expires, language, name_enc, translation_of, translator_enc,
             translator_kind, status, notes_enc, fields_enc) in docs:  # fmt: skip
            infos = tuple(
                FileInfo(
                    name=self._dec(name, f"files:name:{doc_id}:{position}") or "",
                    sha256=self._dec(sha, f"files:sha256:{doc_id}:{position}") or "",
                    kind=kind,
                    size=size,
                    pages=tuple(pages.get(fid, ())),
                    signed=bool(signed),
                )
                for fid, _d, position, name, sha, kind, size, signed in files.get(doc_id, [])
            )
            digest = document_digest(infos)
            review = None
            if doc_id in reviews:
                _, decision, reviewer, on, reviewed_sha, _bundle = reviews[doc_id]
                review = Review(
                    decision=decision,
                    comments=tuple(comments.get(doc_id, ())),
                    stale=reviewed_sha != self._keys.fingerprint_key(digest),
                    reviewer=self._dec(reviewer, f"reviews:reviewer:{doc_id}") or "",
                    reviewed_on=_date(on),
                )
            result.append(
                Document(
                    id=doc_id,
                    requirement=requirement,
                    files=infos,
                    issued=_date(issued),
                    expires=_date(expires),
                    language=language,
                    name_on_document=self._dec(name_enc, f"documents:name_on_document:{doc_id}"),
                    translation_of=translation_of,
                    translator=self._dec(translator_enc, f"documents:translator:{doc_id}"),
                    translator_kind=translator_kind,
                    manual_translation_status=status,
                    notes=self._dec(notes_enc, f"documents:notes:{doc_id}") or "",
                    sha256=digest,
                    review=review,
                    fields=MappingProxyType(decode_fields(self._dec(fields_enc, f"documents:fields:{doc_id}"))),
                )
            )
        return result

    def _file_row(self, sha256: str) -> tuple[str, str | None]:
        row = self._conn.execute(
            "SELECT blob, thumb_blob FROM files WHERE sha256 = ? ORDER BY id LIMIT 1", (sha256,)
        ).fetchone()
        if row is None:
            raise UnknownDocumentError("That file is not in this vault.")
        return row[0], row[1]

    def read_file(self, info: FileInfo) -> bytes:
        """The original bytes of an imported file, decrypted and checked against their SHA-256."""
        with self._lock:
            blob, _thumb = self._file_row(self._keys.fingerprint_key(info.sha256))
        data = self._get_blob(blob, f"file {info.name}")
        if hashlib.sha256(data).hexdigest() != info.sha256:
            raise IntegrityError(f"The stored copy of {info.name} does not match its fingerprint: it was altered.")
        return data

    def page_pdf(self, info: FileInfo) -> bytes:
        """A file's pages as PDF, for the packet: a PDF file's own bytes; an image's pages as made at import.

        Verified once: the row naming the blob is authenticated (:meth:`ensure_trusted`) and AES-GCM
        authenticates the blob under that name, a keyed hash of its contents; the SHA-256 of the original is not
        computed again (:meth:`read_file` does, and ``check`` does for both). An image imported before its
        pages were stored gets them now, from the original, and keeps them for the next export, unless the
        vault is read-only (DESIGN.md section 9: then they are made in memory for this export only).
        """
        found = self._page_blob(info)
        return self._get_blob(*found) if found else self._made_pages(info)

    def page_reader(self, order: Sequence[FileInfo] = ()) -> ReadAhead:
        """:meth:`page_pdf` for an export that asks for ``order``'s files in turn: the next one is read and
        decrypted on a second thread while the current one is copied, into buffers reused from file to file
        (``vault.readahead``). What a call returns is valid until the next call. Use it in a ``with`` block."""

        from ecfmg_desk.vault.readahead import ReadAhead  # (its thread pool only when exporting)

        def read(name: str, what: str, buffers: ReadBuffers) -> memoryview:
            with self._blob_errors(name, what):
                return self._blobs.get_into(name, buffers)

        return ReadAhead(self._page_blob, read, self._made_pages, order)

    def _page_blob(self, info: FileInfo) -> tuple[str, str] | None:
        """The blob holding a file's pages as PDF (its name, what it holds), or None: an image whose pages were
        not stored at import."""
        self.ensure_trusted()
        with self._lock, db.sql_errors(self.path):
            row = self._conn.execute(
                "SELECT blob, pages_blob FROM files WHERE sha256 = ? ORDER BY pages_blob IS NULL, id LIMIT 1",
                (self._keys.fingerprint_key(info.sha256),),
            ).fetchone()
        if row is None:
            raise UnknownDocumentError("That file is not in this vault.")
        blob, pages_blob = row
        if info.kind == "pdf":
            return blob, f"file {info.name}"
        if pages_blob:
            return pages_blob, f"pages of {info.name}"
        return None

    def _made_pages(self, info: FileInfo) -> bytes:
        """An image's pages made now, from the original (kept for the next export when the vault is writable)."""
        from ecfmg_desk.vault.inspect import PagePdfError, image_pdf

        try:
            data = image_pdf(info.kind, self.read_file(info))
        except PagePdfError as exc:
            raise BadInputError(f"{info.name} cannot be placed in the packet: {exc}") from exc
        if not self.read_only:
            self._keep_pages(info, data)
        return data

    def _keep_pages(self, info: FileInfo, data: bytes) -> None:
        """Store an image's pages made late (an image imported before they were stored). A failure to store
        them costs this export nothing: they are made again next time."""
        name = self._keys.blob_name(data)
        try:
            self._blobs.put(name, data)
            with self._lock, _tx(self._conn):
                self._conn.execute(
                    "UPDATE files SET pages_blob = ? WHERE sha256 = ? AND pages_blob IS NULL",
                    (name, self._keys.fingerprint_key(info.sha256)),
                )
        except (OSError, DiskFullError, VaultBusyError, VaultReadOnlyError) as exc:
            log.info("the pages of an image were not stored for the next export (%s)", type(exc).__name__)

    def thumbnail(self, info: FileInfo) -> bytes | None:
        with self._lock:
            _blob, thumb = self._file_row(self._keys.fingerprint_key(info.sha256))
        return self._get_blob(thumb, f"thumbnail of {info.name}") if thumb else None

    def _get_blob(self, name: str, what: str) -> bytes:
        with self._blob_errors(name, what):
            return self._blobs.get(name)

    @staticmethod
    @contextlib.contextmanager
    def _blob_errors(name: str, what: str) -> Iterator[None]:
        try:
            yield
        except BlobMissing as exc:
            raise IntegrityError(f"The stored {what} is missing from the vault (blob {name[:12]}…).") from exc
        except BlobDamaged as exc:
            raise IntegrityError(f"The stored {what} is damaged and cannot be decrypted (blob {name[:12]}…).") from exc

    # ---------------------------------------------------------------- documents: writing

    def add_document(
        self,
        requirement: str,
        paths: Sequence[Path],
        *,
        progress: Progress | None = None,
        cancel: Cancel | None = None,
        **metadata: Any,
    ) -> AddResult:
        """Import ``paths`` (the pages of one document, in order) under ``requirement``.

        Every file is inspected before anything is written: one bad file refuses the whole document and the
        vault stays exactly as it was.
        """
        if not paths:
            raise UsageError("Give at least one file to add.")
        from ecfmg_desk.vault.inspect import inspect_file

        inspected: list[InspectedFile] = []
        total = len(paths) * 2
        for index, path in enumerate(paths):
            if cancel and cancel():
                raise CancelledError("Import cancelled; nothing was added.")
            inspected.append(inspect_file(Path(path)))
            if progress:
                progress(index + 1, total)
        return self.add_inspected(requirement, inspected, progress=progress, cancel=cancel, **metadata)

    def add_inspected(
        self,
        requirement: str,
        inspected: Sequence[InspectedFile],
        *,
        progress: Progress | None = None,
        cancel: Cancel | None = None,
        **metadata: Any,
    ) -> AddResult:
        values = self._check_metadata(metadata, requirement=requirement)
        translation_of = metadata.get("translation_of")
        if requirement == TRANSLATION_REQUIREMENT or translation_of:
            requirement = TRANSLATION_REQUIREMENT
            if not translation_of:
                raise UsageError("A translation must say which document it translates.", topic="translation-of")
            original = self.document(translation_of)
            if original.translation_of is not None:
                raise UsageError(f"Document {translation_of} is itself a translation; attach to the original.")
            if not values.get("translator") or not values.get("translator_kind"):
                raise UsageError(
                    "A translation needs the translator's name and kind (government, school, professional)."
                )
            values.setdefault("language", "en")
        total = len(inspected) * 2
        # Blobs are content-addressed and written atomically, so encrypting and writing them needs no lock:
        # the GUI can keep reading the vault while a large import runs. An unreferenced blob left by a
        # cancel or a crash is harmless (``check`` notes it).
        stored = self._store_blobs(inspected, progress=progress, cancel=cancel, done=len(inspected), total=total)
        crashpoint("after-blobs")
        with self._lock:
            duplicates = self._duplicates([self._keys.fingerprint_key(item.info.sha256) for item in inspected])
            doc_id = self._new_id()
            now = _now()
            with _tx(self._conn):
                self._conn.execute(
                    "INSERT INTO documents(id, requirement, translation_of, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (doc_id, requirement, translation_of, now, now),
                )
                self._write_fields(doc_id, values)
                self._insert_files(doc_id, stored)
                self._history("add", doc_id)
                crashpoint("before-commit")
            crashpoint("after-commit")
            return AddResult(self.document(doc_id), duplicates)

    def replace_files(self, document_id: str, inspected: Sequence[InspectedFile]) -> Document:
        """Replace a document's scan (a better copy); its metadata stays, an old approval turns stale."""
        self.document(document_id)
        stored = self._store_blobs(inspected)
        with self._lock, _tx(self._conn):
            self._conn.execute("DELETE FROM files WHERE document_id = ?", (document_id,))
            self._insert_files(document_id, stored)
            self._conn.execute("UPDATE documents SET updated_at = ? WHERE id = ?", (_now(), document_id))
            self._history("replace-files", document_id)
        return self.document(document_id)

    def _store_blobs(
        self,
        inspected: Sequence[InspectedFile],
        *,
        progress: Progress | None = None,
        cancel: Cancel | None = None,
        done: int = 0,
        total: int = 0,
    ) -> list[_Stored]:
        self._refuse_if_read_only()
        stored: list[_Stored] = []
        for index, item in enumerate(inspected):
            if cancel and cancel():
                raise CancelledError("Import cancelled; nothing was added.")
            blob = self._keys.blob_name(item.data)
            self._blobs.put(blob, item.data)
            thumb = pages = None
            if item.thumbnail:
                thumb = self._keys.blob_name(item.thumbnail)
                self._blobs.put(thumb, item.thumbnail)
            if item.page_pdf is not None:
                pages = self._keys.blob_name(item.page_pdf)
                self._blobs.put(pages, item.page_pdf)
            stored.append(_Stored(item, blob, thumb, pages))
            if progress:
                progress(done + index + 1, total)
        return stored

    def _insert_files(self, doc_id: str, stored: Sequence[_Stored]) -> None:
        for position, (item, blob, thumb, pages) in enumerate(stored):
            cursor = self._conn.execute(
                "INSERT INTO files(document_id, position, name, sha256, sha256_enc, blob, thumb_blob, pages_blob,"
                " kind, size, signed)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    doc_id,
                    position,
                    self._enc(item.info.name, f"files:name:{doc_id}:{position}"),
                    self._keys.fingerprint_key(item.info.sha256),
                    self._enc(item.info.sha256, f"files:sha256:{doc_id}:{position}"),
                    blob,
                    thumb,
                    pages,
                    item.info.kind,
                    item.info.size,
                    1 if item.info.signed else None,
                ),
            )
            self._conn.executemany(
                "INSERT INTO pages(file_id, position, width_px, height_px, dpi, width_pt, height_pt, color)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (cursor.lastrowid, i, p.width_px, p.height_px, p.dpi, p.width_pt, p.height_pt, int(p.color))
                    for i, p in enumerate(item.info.pages)
                ],
            )

    def _duplicates(self, shas: Sequence[str]) -> tuple[str, ...]:
        marks = ",".join("?" * len(shas))
        rows = self._conn.execute(
            f"SELECT DISTINCT f.document_id FROM files f JOIN documents d ON d.id = f.document_id"
            f" WHERE f.sha256 IN ({marks}) AND d.removed_at IS NULL ORDER BY f.document_id",
            list(shas),
        ).fetchall()
        return tuple(row[0] for row in rows)

    def edit_document(self, document_id: str, changes: Mapping[str, Any]) -> Document:
        """Change some metadata; keys absent from ``changes`` are kept, a ``None`` value clears the field."""
        current = self.document(document_id)
        values = self._check_metadata(changes, requirement=current.requirement)
        with self._lock, _tx(self._conn):
            self._write_fields(document_id, values)
            self._conn.execute("UPDATE documents SET updated_at = ? WHERE id = ?", (_now(), document_id))
            self._history("edit", document_id)
        return self.document(document_id)

    def _check_metadata(self, metadata: Mapping[str, Any], *, requirement: str) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, value in metadata.items():
            if name == "translation_of":
                continue
            if name not in DOCUMENT_FIELDS:
                raise UsageError(f"Unknown document field {name!r}.")
            if name in ("issued", "expires") and value is not None and not isinstance(value, date):
                raise UsageError(f"{name} must be a date.")
            if name == "language" and value is not None:
                value = str(value).strip()
                if not _LANGUAGE_RE.match(value):
                    raise UsageError(f"Language {value!r} is not a language code such as en, es, fr or en-GB.")
            if name == "translator_kind" and value is not None and value not in (*TRANSLATOR_KINDS, "self"):
                raise UsageError(f"Translator kind must be one of: {', '.join(TRANSLATOR_KINDS)}.")
            if name == "translation_status" and value is not None and value not in MANUAL_TRANSLATION_STATUSES:
                raise UsageError("Translation status can be set to ordered or received (attached follows from data).")
            if name in ("name_on_document", "translator", "notes") and isinstance(value, str):
                value = value.strip() or None
            if name == "fields":
                if not isinstance(value, Mapping):
                    raise UsageError("Document fields must be given as names and values.")
                encode_fields({k: v for k, v in value.items() if v is not None})  # refuses a bad type now
                if value.get("rotation") is not None:  # a link must name a rotation or letter of this vault
                    self.clinical.rotation(str(value["rotation"]))
                if value.get("letter") is not None:
                    self.clinical.letter(str(value["letter"]))
            values[name] = value
        return values

    def _write_fields(self, doc_id: str, values: Mapping[str, Any]) -> None:
        for name, value in values.items():
            if name == "fields":
                row = self._conn.execute("SELECT fields FROM documents WHERE id = ?", (doc_id,)).fetchone()
                merged = decode_fields(self._dec(row[0], f"documents:fields:{doc_id}") if row else None)
                for key, item in value.items():  # a None value clears that field; absent keys are kept
                    if item is None:
                        merged.pop(key, None)
                    else:
                        merged[key] = item
                stored: Any = self._enc(encode_fields(merged), f"documents:fields:{doc_id}") if merged else None
            elif name in _ENCRYPTED_DOCUMENT_FIELDS:
                stored = self._enc(value, f"documents:{name}:{doc_id}")
            elif isinstance(value, date):
                stored = value.isoformat()
            else:
                stored = value
            self._conn.execute(f"UPDATE documents SET {name} = ? WHERE id = ?", (stored, doc_id))

    def remove_document(self, document_id: str) -> list[str]:
        """Move a document, and the translations attached to it, to the trash; returns the ids removed.

        A translation without its original is useless (ECFMG rejects it), so the two go together, and
        :meth:`restore_document` brings back exactly what this removed.
        """
        if document_id in {u.subject_id for u in self.untrusted() if u.subject == "document"}:
            return self._forget_untrusted(document_id)
        self.document(document_id)
        stamp = datetime.now(UTC).isoformat(timespec="microseconds")
        with self._lock, _tx(self._conn):
            ids = [document_id] + [
                row[0] for row in self._conn.execute(
                    "SELECT id FROM documents WHERE translation_of = ? AND removed_at IS NULL", (document_id,))
            ]
            self._conn.executemany("UPDATE documents SET removed_at = ? WHERE id = ?", [(stamp, i) for i in ids])
            for doc_id in ids:
                self._history("remove", doc_id)
        return ids

    def _forget_untrusted(self, document_id: str) -> list[str]:
        """Remove a document whose records were changed outside the app: its rows are deleted outright (a trash
        state that cannot be trusted cannot be undone either); translations attached to it go to the trash."""
        stamp = datetime.now(UTC).isoformat(timespec="microseconds")
        with self._lock, _tx(self._conn):
            translations = [row[0] for row in self._conn.execute(
                "SELECT id FROM documents WHERE translation_of = ? AND removed_at IS NULL", (document_id,))]
            self._conn.execute("DELETE FROM documents WHERE id = ?", (document_id,))
            self._conn.executemany("UPDATE documents SET removed_at = ? WHERE id = ?",
                                   [(stamp, t) for t in translations])
            self._history("forget-untrusted", document_id)
        self._trusted_at = None
        log.warning("a document that failed its authenticator was deleted at the user's request")
        return [document_id, *translations]

    def restore_document(self, document_id: str) -> Document:
        """Undo :meth:`remove_document`: the document and the translations removed with it come back."""
        with self._lock, _tx(self._conn):
            row = self._conn.execute(
                "SELECT removed_at FROM documents WHERE id = ? AND removed_at IS NOT NULL", (document_id,)
            ).fetchone()
            if row is None:
                raise UnknownDocumentError(f"There is no removed document {document_id!r} to bring back.")
            self._conn.execute(
                "UPDATE documents SET removed_at = NULL WHERE removed_at = ? AND (id = ? OR translation_of = ?)",
                (row[0], document_id, document_id),
            )
            self._history("restore", document_id)
        return self.document(document_id)

    def _new_id(self) -> str:
        while True:
            candidate = secrets.token_hex(4)
            if not self._conn.execute("SELECT 1 FROM documents WHERE id = ?", (candidate,)).fetchone():
                return candidate

    def _history(self, action: str, document_id: str | None) -> None:
        self._conn.execute(
            "INSERT INTO history(at, action, document_id) VALUES (?, ?, ?)", (_now(), action, document_id)
        )

    # ---------------------------------------------------------------- reviews

    def store_review(
        self,
        bundle_id: str,
        entries: Mapping[str, tuple[str | None, str, date, str, Sequence[Comment]]],
        *,
        sealed: Mapping[str, bytes] | None = None,
    ) -> int:
        """Record an advisor's review: per document (decision, reviewer, date, reviewed sha256, comments).

        Documents no longer in the vault are skipped; returns how many documents received the review.
        ``sealed`` values (what the vault now knows of the advisor's key) are written in the same transaction.
        """
        applied = 0
        with self._lock, _tx(self._conn):
            for name, data in (sealed or {}).items():
                self._put_sealed(name, data)
            for doc_id, (decision, reviewer, on, reviewed_sha, comments) in entries.items():
                if not self._conn.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone():
                    continue
                applied += 1
                self._conn.execute(
                    "INSERT INTO reviews(document_id, bundle_id, decision, reviewer, reviewed_on, reviewed_sha256)"
                    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(document_id) DO UPDATE SET"
                    " bundle_id = excluded.bundle_id, decision = excluded.decision, reviewer = excluded.reviewer,"
                    " reviewed_on = excluded.reviewed_on, reviewed_sha256 = excluded.reviewed_sha256",
                    (doc_id, bundle_id, decision, self._enc(reviewer, f"reviews:reviewer:{doc_id}"),
                     on.isoformat(), self._keys.fingerprint_key(reviewed_sha)),
                )
                self._conn.execute("DELETE FROM review_comments WHERE document_id = ?", (doc_id,))
                self._conn.executemany(
                    "INSERT INTO review_comments(document_id, author, on_date, body) VALUES (?, ?, ?, ?)",
                    [
                        (doc_id, self._enc(c.author, f"comment:author:{doc_id}:{i}"), c.date.isoformat(),
                         self._enc(c.text, f"comment:body:{doc_id}:{i}"))
                        for i, c in enumerate(comments)
                    ],
                )
                self._history("review", doc_id)
        return applied

    def change_mark(self) -> tuple[int, int]:
        """(documents in the vault, the number of its latest change): a backup records the second, so the
        reminder knows whether anything changed since, without comparing clocks."""
        with self._lock:
            documents = self._conn.execute("SELECT COUNT(*) FROM documents WHERE removed_at IS NULL").fetchone()[0]
            latest = self._conn.execute("SELECT COALESCE(MAX(id), 0) FROM history").fetchone()[0]
        return int(documents), int(latest)

    # ---------------------------------------------------------------- sealed values

    def sealed_value(self, name: str) -> bytes | None:
        """A small value kept in ``meta`` encrypted and authenticated under the vault key, bound to its name and
        this vault (the vault's signing key, the advisors' keys it trusts): an edit without the key is an
        ``IntegrityError``, never a silently different value."""
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (f"sealed:{name}",)).fetchone()
        if row is None:
            return None
        try:
            return self._fields.decrypt(unb64(row[0]), self._sealed_aad(name))
        except (DecryptionFailed, ValueError) as exc:
            raise IntegrityError(f"The vault's stored {name.replace('_', ' ')} is damaged or was altered.") from exc

    def set_sealed_value(self, name: str, data: bytes, *, keep_existing: bool = False) -> bytes:
        """Store ``data`` under ``name`` (with ``keep_existing``, only if none is stored); returns what is stored."""
        with self._lock, _tx(self._conn):
            self._put_sealed(name, data, keep_existing=keep_existing)
        stored = self.sealed_value(name)
        assert stored is not None
        return stored

    def _sealed_aad(self, name: str) -> bytes:
        return f"meta:sealed:{name}:{self.id}".encode()

    def _put_sealed(self, name: str, data: bytes, *, keep_existing: bool = False) -> None:
        conflict = "DO NOTHING" if keep_existing else "DO UPDATE SET value = excluded.value"
        self._conn.execute(
            f"INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) {conflict}",
            (f"sealed:{name}", b64(self._fields.encrypt(data, self._sealed_aad(name)))),
        )

    # ---------------------------------------------------------------- integrity

    def check(self) -> CheckReport:
        """Decrypt every blob and compare it with its SHA-256; decrypt every personal field."""
        report = CheckReport()
        with self._lock, db.sql_errors(self.path):
            return self._check(report)

    def _check(self, report: CheckReport) -> CheckReport:
        with self._lock:
            result = self._conn.execute("PRAGMA integrity_check").fetchone()[0]
            if result != "ok":
                report.problems.append(f"The vault database is damaged: {result}.")
            for found in integrity.unexpected_schema(self._conn):
                report.problems.append(f"The vault database holds a {found} that ECFMG Desk never creates.")
            self._trusted_at = None
            bad = self.untrusted()
            for subject_id in dict.fromkeys(u.subject_id for u in bad if u.subject == "document"):
                tables = sorted({u.table for u in bad if u.subject_id == subject_id and u.subject == "document"})
                report.problems.append(
                    f"{self._describe_document(subject_id or '?').capitalize()}: its records ({', '.join(tables)}) "
                    "were changed outside ECFMG Desk and cannot be trusted."
                )
            for label in dict.fromkeys(
                f"{u.subject} {u.subject_id}" if u.subject_id else u.subject for u in bad if u.subject != "document"
            ):
                report.problems.append(
                    f"{'Your profile' if label == 'profile' else label.capitalize()}: its records were changed "
                    "outside ECFMG Desk and cannot be trusted."
                )
            referenced: set[str] = set()
            rows = self._conn.execute(
                "SELECT f.document_id, f.position, f.name, f.sha256_enc, f.blob, f.thumb_blob, f.pages_blob,"
                " d.requirement FROM files f JOIN documents d ON d.id = f.document_id"
                " ORDER BY f.document_id, f.position"
            ).fetchall()
            for doc_id, position, name_enc, sha, blob, thumb, pages_blob, requirement in rows:
                referenced.add(blob)
                try:
                    label = self._dec(name_enc, f"files:name:{doc_id}:{position}") or f"file {position + 1}"
                except IntegrityError:
                    label = f"file {position + 1}"
                    report.problems.append(f"Document {doc_id} ({requirement}): the stored file name is damaged.")
                where = f"Document {doc_id} ({requirement}), {label}"
                try:
                    sha = self._dec(sha, f"files:sha256:{doc_id}:{position}")
                except IntegrityError:
                    report.problems.append(f"{where}: its stored fingerprint is damaged.")
                try:
                    data = self._blobs.get(blob)
                    report.files_checked += 1
                    if hashlib.sha256(data).hexdigest() != sha:
                        report.problems.append(f"{where}: the stored bytes do not match their SHA-256.")
                except BlobMissing:
                    report.problems.append(f"{where}: the stored file is missing (blob {blob[:12]}…).")
                except BlobDamaged:
                    report.problems.append(f"{where}: the stored file is damaged (blob {blob[:12]}…).")
                if thumb:
                    referenced.add(thumb)
                    try:
                        self._blobs.get(thumb)
                    except (BlobMissing, BlobDamaged):
                        report.problems.append(f"{where}: its thumbnail is missing or damaged.")
                if pages_blob:
                    referenced.add(pages_blob)
                    report.problems.extend(f"{where}: {p}" for p in self._check_pages(pages_blob))
            if not bad:
                try:
                    self._load_documents("")
                    self.profile()
                    self.confirmations()
                except IntegrityError as exc:
                    report.problems.append(exc.message)
            report.problems.extend(self.clinical.check())
        unreferenced = [name for name in self._blobs.names() if name not in referenced]
        if unreferenced:
            report.notes.append(
                f"{len(unreferenced)} stored blob(s) belong to no document (left by an interrupted import); harmless."
            )
        return report

    def _check_pages(self, name: str) -> list[str]:
        """An image's stored pages (what the packet copies) decrypt and match their keyed hash, their name."""
        try:
            data = self._blobs.get(name)
        except BlobMissing:
            return [f"its pages for the packet are missing (blob {name[:12]}…)."]
        except BlobDamaged:
            return [f"its pages for the packet are damaged (blob {name[:12]}…)."]
        if not hmac.compare_digest(self._keys.blob_name(data), name):
            return ["its pages for the packet do not match their fingerprint."]
        return []

    def unreadable_documents(self, documents: Sequence[Document]) -> frozenset[str]:
        """Documents with a stored file that has gone missing (a cheap check, run with every validation)."""
        with self._lock:
            missing = {
                doc_id
                for doc_id, blob in self._conn.execute("SELECT document_id, blob FROM files")
                if not self._blobs.exists(blob)
            }
        return frozenset(d.id for d in documents if d.id in missing or not d.files)

    def iter_files(self) -> Iterator[tuple[Path, str]]:
        """Every file of the vault folder (for backups), with its path relative to the vault."""
        for item in sorted(self.path.rglob("*")):
            if item.is_file() and not item.name.startswith(".tmp-"):
                yield item, item.relative_to(self.path).as_posix()

    def snapshot_database(self, target: Path) -> None:
        """A consistent copy of the database (SQLite's backup API, safe while WAL is in use)."""
        with self._lock:
            dest = sqlite3.connect(target)
            try:
                self._conn.backup(dest)
            finally:
                dest.close()


NO_PASSPHRASE_NOTICE = (
    "This vault has no recovery passphrase yet: if this computer's keyring entry is lost, so are your documents. "
    "Set one in your profile."
)
"""Told when a vault without a recovery passphrase opens (the command line adds how it sets one)."""


@contextmanager
def _tx(conn: sqlite3.Connection) -> Iterator[None]:
    """One explicit transaction (the connection runs in autocommit mode otherwise).

    A read-only vault refuses here, before anything is written; any SQLite failure (full disk, busy, a row that
    fails its authenticator) rolls back and becomes the user's error.
    """
    if getattr(conn, "read_only", False):
        raise VaultReadOnlyError(
            "The vault is read-only (its folder or database cannot be written), so nothing was changed. "
            "Copy it somewhere writable or fix its permissions."
        )
    with db.sql_errors(None):
        conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException as exc:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error):
            raise db.user_error(exc, None) from exc
        raise


_KEYED_FINGERPRINTS_VERSION = 6


def _key_the_fingerprints(conn: sqlite3.Connection, vault_keys: VaultKeys) -> None:
    """Migration 3's keyed step: the clear SHA-256 of each file moves, encrypted, to ``sha256_enc`` and its place
    takes a keyed hash; a review's reviewed fingerprint is keyed the same way. Rows are re-authenticated by the
    triggers (which first check that each row was intact)."""
    fields = vault_keys.fields
    for row_id, doc_id, position, sha in conn.execute(
        "SELECT id, document_id, position, sha256 FROM files WHERE sha256_enc IS NULL"
    ).fetchall():
        sealed = fields.encrypt(str(sha).encode("ascii"), f"files:sha256:{doc_id}:{position}".encode())
        conn.execute("UPDATE files SET sha256 = ?, sha256_enc = ? WHERE id = ?",
                     (vault_keys.fingerprint_key(str(sha)), sealed, row_id))
    for doc_id, sha in conn.execute("SELECT document_id, reviewed_sha256 FROM reviews").fetchall():
        conn.execute("UPDATE reviews SET reviewed_sha256 = ? WHERE document_id = ?",
                     (vault_keys.fingerprint_key(str(sha)), doc_id))


def _follow_rotation(old_master: bytes, vault_id: str, sealed: str) -> bytes | None:
    """The new key a committed rotation left for the old key's holder (until the keyring was updated)."""
    try:
        return VaultKeys(old_master).fields.decrypt(unb64(sealed), f"meta:rekey_forward:{vault_id}".encode())
    except (DecryptionFailed, ValueError):
        return None


def read_only_notice(path: Path) -> str:
    return f"The vault in {path} cannot be written (read-only folder or file): you can read it, not change it."


def _writable(path: Path) -> bool:
    """Whether this process may write the vault (folder, database and blob folders)."""
    targets = [path, path / db.DB_NAME, *(p for p in (path / "blobs").glob("*") if p.is_dir())]
    if (path / "blobs").is_dir():
        targets.append(path / "blobs")
    return all(os.access(t, os.W_OK) for t in targets if t.exists())


def _connect(path: Path, read_only: bool) -> db.Connection:
    """A connection to the vault's database; read-only vaults are copied into memory (SQLite's backup API) so
    nothing, not even a WAL index, is written to them, and an old schema can be upgraded there for reading."""
    file = path / db.DB_NAME
    if not read_only:
        try:
            return db.connect(file)
        except sqlite3.OperationalError as exc:
            if not any(word in str(exc).lower() for word in ("readonly", "read-only", "unable to open")):
                raise
    memory = db.connect_memory()
    try:
        for immutable in (False, True):  # a WAL database in a read-only folder opens only as immutable
            source = db.connect(file, read_only=True, immutable=immutable)
            try:
                source.backup(memory)
                break
            except sqlite3.OperationalError:
                if immutable:
                    raise
            finally:
                source.close()
    except BaseException:
        memory.close()
        raise
    memory.read_only = True
    return memory


def _tighten_permissions(path: Path) -> None:
    """The vault folder 0700 and its files 0600, whatever the umask was when they were made (POSIX only)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        os.chmod(path, 0o700)
        for item in path.rglob("*"):
            if item.is_symlink():
                continue
            mode = 0o700 if item.is_dir() else 0o600
            if item.stat().st_mode & 0o777 != mode:
                os.chmod(item, mode)


_STALE_AFTER_S = 600


def remove_stale_temps(path: Path) -> int:
    """Delete temp files and folders a killed process of ours left in the vault (``.tmp-*``: an interrupted
    blob write or vault creation). Only ones older than ten minutes: a younger one may belong to a process that is
    writing right now."""
    removed = 0
    now = datetime.now(UTC).timestamp()
    candidates = [*path.glob(".tmp-*"), *path.glob("blobs/*/.tmp-*")]
    for item in candidates:
        try:
            if now - item.lstat().st_mtime < _STALE_AFTER_S:
                continue
            if item.is_dir() and not item.is_symlink():
                shutil.rmtree(item)
            else:
                item.unlink()
            removed += 1
        except OSError:
            continue
    if removed:
        log.info("removed %d stale temp file(s) from the vault", removed)
    return removed


def _parse_wrapped(text: str, path: Path) -> dict[str, Any]:
    try:
        wrapped = json.loads(text)
    except ValueError:
        wrapped = None
    if not isinstance(wrapped, dict):
        raise IntegrityError(f"The recovery key stored in the vault in {path} is damaged.")
    return wrapped


def _os_error(exc: OSError, path: Path) -> DeskError:
    if exc.errno in (errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return DiskFullError(f"Not enough free space to write the vault in {path}; nothing was changed.")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return VaultReadOnlyError(f"The folder {path} cannot be written ({exc.strerror}); nothing was changed.")
    return UsageError(f"Cannot write the vault in {path}: {exc.strerror or exc}.")
