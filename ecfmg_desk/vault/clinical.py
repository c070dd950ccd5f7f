"""Rotations, their tasks and letters of recommendation, stored in the vault (DESIGN.md section 8).

Every value of a row — institution, specialty, supervisor, notes, dates, kind, status, task titles, writers, their
titles, AAMC Letter IDs — lives in one AES-GCM ciphertext (``payload``) whose associated data binds the table, the
row's id, its rotation (for a task) and its trash state. So nothing personal is readable without the key, and a row
edited, swapped with another or moved in or out of the trash without the key no longer decrypts: the vault reports
it as damaged (exit 3) instead of trusting it. Only ids and the order rows were added are in clear.

Removing a rotation or a letter moves it to the trash (undoable); while a rotation is in the trash, letters that
name it show no rotation, and come back linked when it is restored.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from ecfmg_desk.core.clinical import (
    DEFAULT_LETTER_STATUS,
    DEFAULT_ROTATION_STATUS,
    Letter,
    Rotation,
    Task,
    check_letter,
    check_rotation,
)
from ecfmg_desk.errors import IntegrityError, UnknownLetterError, UnknownRotationError, UsageError
from ecfmg_desk.vault.crypto import DecryptionFailed
from ecfmg_desk.vault.store import _tx

if TYPE_CHECKING:
    from ecfmg_desk.vault.store import Vault

ROTATION_FIELDS = ("kind", "institution", "specialty", "supervisor", "start", "end", "status", "notes")
LETTER_FIELDS = ("writer", "writer_title", "rotation", "requested", "due", "status", "letter_id")
_DATES = frozenset({"start", "end", "requested", "due"})
_OPTIONAL_TEXT = frozenset({"supervisor", "notes", "writer_title", "letter_id"})


class _Keep:
    """Marks an argument left out (``None`` means "clear it")."""


KEEP: Any = _Keep()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _clean(name: str, value: Any) -> Any:
    """Strip text; an empty optional text is no text. Dates must already be dates."""
    if name in _DATES:
        if value is not None and not isinstance(value, date):
            raise UsageError(f"The {name} date is not a date.")
        return value
    if value is None:
        return None
    if not isinstance(value, str):
        raise UsageError(f"The {name.replace('_', ' ')} must be text.")
    text = " ".join(value.split())
    return (text or None) if name in _OPTIONAL_TEXT else text


def _same_title(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


class ClinicalRecords:
    """The clinical-experience part of a vault; reached as ``vault.clinical``. Thread-safe like the vault."""

    def __init__(self, vault: Vault) -> None:
        self._vault = vault

    # ---------------------------------------------------------------- encryption

    def _seal(self, table: str, row_id: str, trash: str | None, values: Mapping[str, Any], owner: str = "") -> bytes:
        stored = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()}
        text = json.dumps(stored, ensure_ascii=False, sort_keys=True)
        return self._vault._fields.encrypt(text.encode("utf-8"), _aad(table, row_id, trash, owner))

    def _open(self, table: str, row_id: str, trash: str | None, blob: bytes, owner: str = "") -> dict[str, Any]:
        what = {"rotations": "rotation", "rotation_tasks": "rotation task", "letters": "letter"}[table]
        try:
            raw = json.loads(self._vault._fields.decrypt(bytes(blob), _aad(table, row_id, trash, owner)))
            if not isinstance(raw, dict):
                raise ValueError(table)
            return {k: (date.fromisoformat(v) if k in _DATES and v else v) for k, v in raw.items()}
        except (DecryptionFailed, ValueError, TypeError) as exc:
            raise IntegrityError(
                f"The stored {what} {row_id} in the vault is damaged or was altered without the vault key."
            ) from exc

    # ---------------------------------------------------------------- rotations: reading

    def rotations(self) -> list[Rotation]:
        """Every rotation not in the trash, in the order added."""
        self._vault.ensure_trusted()  # a row changed without the key is never shown (integrity.py)
        with self._vault._lock:
            return self._load_rotations(trashed=False)

    def rotation(self, rotation_id: str) -> Rotation:
        self._vault.ensure_trusted()
        with self._vault._lock:
            found = [r for r in self._load_rotations(trashed=False) if r.id == rotation_id]
        if not found:
            raise UnknownRotationError(f"There is no rotation {rotation_id!r} in this vault.")
        return found[0]

    def _load_rotations(self, *, trashed: bool) -> list[Rotation]:
        conn = self._vault._conn
        rows = conn.execute(
            "SELECT id, payload, removed_at FROM rotations WHERE removed_at IS " + ("NOT NULL" if trashed else "NULL")
            + " ORDER BY created_at, rowid"
        ).fetchall()
        tasks: dict[str, list[Task]] = {}
        for task_id, rotation_id, payload in conn.execute(
            "SELECT id, rotation_id, payload FROM rotation_tasks ORDER BY created_at, rowid"
        ):
            values = self._open("rotation_tasks", task_id, None, payload, rotation_id)
            tasks.setdefault(rotation_id, []).append(
                Task(task_id, str(values.get("title") or ""), values.get("due"), bool(values.get("done")))
            )
        result = []
        for rotation_id, payload, removed_at in rows:
            values = self._open("rotations", rotation_id, removed_at, payload)
            try:
                result.append(
                    Rotation(
                        id=rotation_id,
                        kind=str(values["kind"]),
                        institution=str(values["institution"]),
                        specialty=str(values["specialty"]),
                        supervisor=values.get("supervisor"),
                        start=values["start"],
                        end=values["end"],
                        status=str(values.get("status") or DEFAULT_ROTATION_STATUS),
                        notes=values.get("notes"),
                        tasks=tuple(tasks.get(rotation_id, ())),
                    )
                )
            except KeyError as exc:
                raise IntegrityError(f"The stored rotation {rotation_id} in the vault is incomplete.") from exc
        return result

    # ---------------------------------------------------------------- rotations: writing

    def add_rotation(
        self,
        *,
        kind: str,
        institution: str,
        specialty: str,
        start: date,
        end: date,
        supervisor: str | None = None,
        status: str | None = None,
        notes: str | None = None,
    ) -> Rotation:
        values = {
            "kind": _clean("kind", kind),
            "institution": _clean("institution", institution),
            "specialty": _clean("specialty", specialty),
            "supervisor": _clean("supervisor", supervisor),
            "start": _clean("start", start),
            "end": _clean("end", end),
            "status": _clean("status", status or DEFAULT_ROTATION_STATUS),
            "notes": _clean("notes", notes),
        }
        check_rotation(Rotation(id="new", tasks=(), **values))
        vault = self._vault
        with vault._lock, _tx(vault._conn):
            rotation_id = self._new_id("rotations")
            now = _now()
            vault._conn.execute(
                "INSERT INTO rotations(id, payload, created_at, updated_at) VALUES (?, ?, ?, ?)",
                (rotation_id, self._seal("rotations", rotation_id, None, values), now, now),
            )
            vault._history("rotation-add", None)
        return self.rotation(rotation_id)

    def edit_rotation(self, rotation_id: str, changes: Mapping[str, Any]) -> Rotation:
        """Change some fields; absent keys are kept, ``None`` clears an optional one (supervisor, notes)."""
        current = self.rotation(rotation_id)
        for name in changes:
            if name not in ROTATION_FIELDS:
                raise UsageError(f"Unknown rotation field {name!r}.")
        values = {name: getattr(current, name) for name in ROTATION_FIELDS}
        for name, value in changes.items():
            if value is None and name not in _OPTIONAL_TEXT:
                raise UsageError(f"A rotation's {name} cannot be cleared.")
            values[name] = _clean(name, value)
        check_rotation(Rotation(id=rotation_id, tasks=(), **values))
        vault = self._vault
        with vault._lock, _tx(vault._conn):
            vault._conn.execute(
                "UPDATE rotations SET payload = ?, updated_at = ? WHERE id = ? AND removed_at IS NULL",
                (self._seal("rotations", rotation_id, None, values), _now(), rotation_id),
            )
            vault._history("rotation-edit", None)
        return self.rotation(rotation_id)

    def remove_rotation(self, rotation_id: str) -> Rotation:
        """Move a rotation (with its tasks) to the trash; :meth:`restore_rotation` undoes it."""
        current = self.rotation(rotation_id)
        self._set_trash("rotations", rotation_id, None, _now(), _rotation_values(current))
        return current

    def restore_rotation(self, rotation_id: str) -> Rotation:
        vault = self._vault
        with vault._lock:
            trashed = [r for r in self._load_rotations(trashed=True) if r.id == rotation_id]
            row = vault._conn.execute("SELECT removed_at FROM rotations WHERE id = ?", (rotation_id,)).fetchone()
        if not trashed or row is None:
            raise UnknownRotationError(f"There is no removed rotation {rotation_id!r} to bring back.")
        self._set_trash("rotations", rotation_id, row[0], None, _rotation_values(trashed[0]))
        return self.rotation(rotation_id)

    def _set_trash(
        self, table: str, row_id: str, old: str | None, new: str | None, values: Mapping[str, Any]
    ) -> None:
        vault = self._vault
        with vault._lock, _tx(vault._conn):
            cursor = vault._conn.execute(
                f"UPDATE {table} SET payload = ?, removed_at = ?, updated_at = ? WHERE id = ? AND removed_at IS ?",
                (self._seal(table, row_id, new, values), new, _now(), row_id, old),
            )
            if cursor.rowcount != 1:
                raise IntegrityError(f"The stored {table[:-1]} {row_id} changed while it was being moved.")
            vault._history(f"{table[:-1]}-{'remove' if new else 'restore'}", None)

    # ---------------------------------------------------------------- tasks

    def set_task(self, rotation_id: str, title: str, *, due: Any = KEEP, done: bool | None = None) -> Task:
        """Add the task, or update the rotation's task with that title (``rotation task``); returns it."""
        rotation = self.rotation(rotation_id)
        title = _clean("title", title)
        if not title:
            raise UsageError("A task needs a title.")
        existing = next((t for t in rotation.tasks if _same_title(t.title, title)), None)
        if existing is None:
            task = Task("new", title, None if due is KEEP else _clean("due", due), bool(done))
            return self._write_task(rotation_id, task, new=True)
        updated = Task(
            existing.id,
            existing.title,
            existing.due if due is KEEP else _clean("due", due),
            existing.done if done is None else done,
        )
        return self._write_task(rotation_id, updated, new=False)

    def update_task(
        self, rotation_id: str, task_id: str, *, title: Any = KEEP, due: Any = KEEP, done: bool | None = None
    ) -> Task:
        """Change one task by id (the window renames, re-dates and ticks tasks)."""
        rotation = self.rotation(rotation_id)
        task = next((t for t in rotation.tasks if t.id == task_id), None)
        if task is None:
            raise UsageError(f"The rotation has no task {task_id!r}.")
        new_title = task.title if title is KEEP else _clean("title", title)
        if not new_title:
            raise UsageError("A task needs a title.")
        if any(_same_title(t.title, new_title) for t in rotation.tasks if t.id != task_id):
            raise UsageError(f"The rotation already has a task {new_title!r}.")
        updated = Task(
            task_id, new_title, task.due if due is KEEP else _clean("due", due), task.done if done is None else done
        )
        return self._write_task(rotation_id, updated, new=False)

    def remove_task(self, rotation_id: str, task_id: str) -> Task:
        rotation = self.rotation(rotation_id)
        task = next((t for t in rotation.tasks if t.id == task_id), None)
        if task is None:
            raise UsageError(f"The rotation has no task {task_id!r}.")
        vault = self._vault
        with vault._lock, _tx(vault._conn):
            vault._conn.execute("DELETE FROM rotation_tasks WHERE id = ? AND rotation_id = ?", (task_id, rotation_id))
            vault._history("task-remove", None)
        return task

    def _write_task(self, rotation_id: str, task: Task, *, new: bool) -> Task:
        vault = self._vault
        values = {"title": task.title, "due": task.due, "done": task.done}
        with vault._lock, _tx(vault._conn):
            task_id = self._new_id("rotation_tasks") if new else task.id
            payload = self._seal("rotation_tasks", task_id, None, values, rotation_id)
            if new:
                vault._conn.execute(
                    "INSERT INTO rotation_tasks(id, rotation_id, payload, created_at) VALUES (?, ?, ?, ?)",
                    (task_id, rotation_id, payload, _now()),
                )
            else:
                vault._conn.execute(
                    "UPDATE rotation_tasks SET payload = ? WHERE id = ? AND rotation_id = ?",
                    (payload, task_id, rotation_id),
                )
            vault._history("task-add" if new else "task-edit", None)
        return Task(task_id, task.title, task.due, task.done)

    # ---------------------------------------------------------------- letters

    def letters(self) -> list[Letter]:
        """Every letter not in the trash, in the order added; a link to a trashed rotation shows as none."""
        self._vault.ensure_trusted()
        with self._vault._lock:
            live = {r.id for r in self._load_rotations(trashed=False)}
            return [
                letter if letter.rotation is None or letter.rotation in live else letter.with_changes(rotation=None)
                for letter in self._load_letters(trashed=False)
            ]

    def letter(self, letter_id: str) -> Letter:
        found = [letter for letter in self.letters() if letter.id == letter_id]
        if not found:
            raise UnknownLetterError(f"There is no letter {letter_id!r} in this vault.")
        return found[0]

    def _load_letters(self, *, trashed: bool) -> list[Letter]:
        rows = self._vault._conn.execute(
            "SELECT id, payload, removed_at FROM letters WHERE removed_at IS " + ("NOT NULL" if trashed else "NULL")
            + " ORDER BY created_at, rowid"
        ).fetchall()
        result = []
        for letter_id, payload, removed_at in rows:
            values = self._open("letters", letter_id, removed_at, payload)
            if not isinstance(values.get("writer"), str):
                raise IntegrityError(f"The stored letter {letter_id} in the vault is incomplete.")
            result.append(
                Letter(
                    id=letter_id,
                    writer=values["writer"],
                    writer_title=values.get("writer_title"),
                    rotation=values.get("rotation"),
                    requested=values.get("requested"),
                    due=values.get("due"),
                    status=str(values.get("status") or DEFAULT_LETTER_STATUS),
                    letter_id=values.get("letter_id"),
                )
            )
        return result

    def add_letter(
        self,
        *,
        writer: str,
        writer_title: str | None = None,
        rotation: str | None = None,
        requested: date | None = None,
        due: date | None = None,
        status: str | None = None,
        letter_id: str | None = None,
    ) -> Letter:
        values = {
            "writer": _clean("writer", writer),
            "writer_title": _clean("writer_title", writer_title),
            "rotation": _clean("rotation", rotation) or None,
            "requested": _clean("requested", requested),
            "due": _clean("due", due),
            "status": _clean("status", status or DEFAULT_LETTER_STATUS),
            "letter_id": _clean("letter_id", letter_id),
        }
        check_letter(Letter(id="new", **values))
        vault = self._vault
        with vault._lock:
            if values["rotation"] is not None:
                self.rotation(values["rotation"])
            with _tx(vault._conn):
                new_id = self._new_id("letters")
                now = _now()
                vault._conn.execute(
                    "INSERT INTO letters(id, payload, created_at, updated_at) VALUES (?, ?, ?, ?)",
                    (new_id, self._seal("letters", new_id, None, values), now, now),
                )
                vault._history("letter-add", None)
        return self.letter(new_id)

    def edit_letter(self, letter_id: str, changes: Mapping[str, Any]) -> Letter:
        """Change some fields; absent keys are kept, ``None`` clears an optional one."""
        vault = self._vault
        with vault._lock:
            stored = [letter for letter in self._load_letters(trashed=False) if letter.id == letter_id]
            if not stored:
                raise UnknownLetterError(f"There is no letter {letter_id!r} in this vault.")
            for name in changes:
                if name not in LETTER_FIELDS:
                    raise UsageError(f"Unknown letter field {name!r}.")
            values = {name: getattr(stored[0], name) for name in LETTER_FIELDS}
            for name, value in changes.items():
                if value is None and name in ("writer", "status"):
                    raise UsageError(f"A letter's {name} cannot be cleared.")
                values[name] = (_clean(name, value) or None) if name == "rotation" else _clean(name, value)
            check_letter(Letter(id=letter_id, **values))
            if "rotation" in changes and values["rotation"] is not None:
                self.rotation(values["rotation"])
            with _tx(vault._conn):
                vault._conn.execute(
                    "UPDATE letters SET payload = ?, updated_at = ? WHERE id = ? AND removed_at IS NULL",
                    (self._seal("letters", letter_id, None, values), _now(), letter_id),
                )
                vault._history("letter-edit", None)
        return self.letter(letter_id)

    def remove_letter(self, letter_id: str) -> Letter:
        with self._vault._lock:
            stored = [letter for letter in self._load_letters(trashed=False) if letter.id == letter_id]
            if not stored:
                raise UnknownLetterError(f"There is no letter {letter_id!r} in this vault.")
            self._set_trash("letters", letter_id, None, _now(), _letter_values(stored[0]))
        return stored[0]

    def restore_letter(self, letter_id: str) -> Letter:
        vault = self._vault
        with vault._lock:
            trashed = [letter for letter in self._load_letters(trashed=True) if letter.id == letter_id]
            row = vault._conn.execute("SELECT removed_at FROM letters WHERE id = ?", (letter_id,)).fetchone()
            if not trashed or row is None:
                raise UnknownLetterError(f"There is no removed letter {letter_id!r} to bring back.")
            self._set_trash("letters", letter_id, row[0], None, _letter_values(trashed[0]))
        return self.letter(letter_id)

    # ---------------------------------------------------------------- integrity and ids

    def check(self) -> list[str]:
        """Decrypt every row, trashed ones included; the problems found, in words."""
        problems = []
        with self._vault._lock:
            for load in (self._load_rotations, self._load_letters):
                for trashed in (False, True):
                    try:
                        load(trashed=trashed)
                    except IntegrityError as exc:
                        problems.append(exc.message)
        return list(dict.fromkeys(problems))

    def _new_id(self, table: str) -> str:
        while True:
            candidate = secrets.token_hex(4)
            if not self._vault._conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (candidate,)).fetchone():
                return candidate


def _aad(table: str, row_id: str, trash: str | None, owner: str) -> bytes:
    return f"{table}:{owner}:{row_id}:{trash or ''}".encode()


def _rotation_values(rotation: Rotation) -> dict[str, Any]:
    return {name: getattr(rotation, name) for name in ROTATION_FIELDS}


def _letter_values(letter: Letter) -> dict[str, Any]:
    return {name: getattr(letter, name) for name in LETTER_FIELDS}

