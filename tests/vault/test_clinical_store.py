"""Rotations, tasks and letters in a real vault: round trip, trash and undo, tasks by id, rows moved without the key."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from ecfmg_desk.errors import IntegrityError, UnknownLetterError, UnknownRotationError, UsageError
from ecfmg_desk.vault import db
from ecfmg_desk.vault.store import Vault

PASS = "correct horse battery"


def new_rotation(vault: Vault, **changes: object) -> str:
    values: dict[str, object] = {
        "kind": "clerkship", "institution": "Mercy General Hospital", "specialty": "Internal Medicine",
        "start": date(2026, 1, 26), "end": date(2026, 2, 22), "supervisor": "Dr. Ada Stone",
    }
    values.update(changes)
    return vault.clinical.add_rotation(**values).id  # type: ignore[arg-type]


def test_rotation_round_trip_survives_reopening(vault_dir: Path) -> None:
    with Vault.open(vault_dir, create=True, passphrase=PASS) as vault:
        rid = new_rotation(vault, notes="  Bring the   white coat ")
        vault.clinical.set_task(rid, "Immunisation record", due=date(2025, 12, 15))
        vault.clinical.set_task(rid, "BLS", done=True)
    with Vault.open(vault_dir, passphrase=PASS) as vault:
        (rotation,) = vault.clinical.rotations()
    assert (rotation.id, rotation.kind, rotation.institution, rotation.supervisor) == (
        rid, "clerkship", "Mercy General Hospital", "Dr. Ada Stone")
    assert (rotation.start, rotation.end, rotation.weeks, rotation.hands_on) == (
        date(2026, 1, 26), date(2026, 2, 22), 4.0, True)
    assert rotation.notes == "Bring the white coat"
    assert [(t.title, t.due, t.done) for t in rotation.tasks] == [
        ("Immunisation record", date(2025, 12, 15), False), ("BLS", None, True)]


def test_removing_a_rotation_is_undoable_with_its_tasks_and_letter_links(vault_dir: Path) -> None:
    with Vault.open(vault_dir, create=True, passphrase=PASS) as vault:
        clinical = vault.clinical
        rid = new_rotation(vault)
        clinical.set_task(rid, "Background check")
        lid = clinical.add_letter(writer="Dr. Ada Stone", rotation=rid).id
        clinical.remove_rotation(rid)
        assert clinical.rotations() == []
        assert clinical.letter(lid).rotation is None
        with pytest.raises(UnknownRotationError):
            clinical.rotation(rid)
        with pytest.raises(UnknownRotationError):
            clinical.set_task(rid, "Anything")
        restored = clinical.restore_rotation(rid)
        assert [t.title for t in restored.tasks] == ["Background check"]
        assert clinical.letter(lid).rotation == rid
        with pytest.raises(UnknownRotationError):
            clinical.restore_rotation(rid)  # nothing in the trash any more
        assert vault.check().ok


def test_removing_a_letter_is_undoable(vault_dir: Path) -> None:
    with Vault.open(vault_dir, create=True, passphrase=PASS) as vault:
        clinical = vault.clinical
        lid = clinical.add_letter(writer="Dr. Ada Stone", letter_id="L123", status="promised").id
        clinical.remove_letter(lid)
        assert clinical.letters() == []
        with pytest.raises(UnknownLetterError):
            clinical.edit_letter(lid, {"status": "uploaded"})
        assert clinical.restore_letter(lid).status == "promised"
        assert [x.letter_id for x in clinical.letters()] == ["L123"]


def test_tasks_by_id_rename_retick_and_remove(vault_dir: Path) -> None:
    with Vault.open(vault_dir, create=True, passphrase=PASS) as vault:
        clinical = vault.clinical
        rid = new_rotation(vault)
        first = clinical.set_task(rid, "Immunisation record")
        second = clinical.set_task(rid, "Malpractice cover", due=date(2026, 1, 2))
        clinical.update_task(rid, first.id, title="Immunization record", done=True)
        with pytest.raises(UsageError, match="already has a task"):
            clinical.update_task(rid, second.id, title="immunization RECORD")
        clinical.update_task(rid, second.id, due=None)
        assert [(t.title, t.due, t.done) for t in clinical.rotation(rid).tasks] == [
            ("Immunization record", None, True), ("Malpractice cover", None, False)]
        clinical.remove_task(rid, first.id)
        assert [t.id for t in clinical.rotation(rid).tasks] == [second.id]
        with pytest.raises(UsageError, match="no task"):
            clinical.remove_task(rid, first.id)


def test_a_task_moved_to_another_rotation_without_the_key_is_damage(vault_dir: Path) -> None:
    with Vault.open(vault_dir, create=True, passphrase=PASS) as vault:
        first, second = new_rotation(vault), new_rotation(vault, kind="observership")
        task = vault.clinical.set_task(first, "Drug screen")
    conn = sqlite3.connect(vault_dir / db.DB_NAME)
    conn.execute("UPDATE rotation_tasks SET rotation_id = ? WHERE id = ?", (second, task.id))
    conn.commit()
    conn.close()
    with Vault.open(vault_dir, passphrase=PASS) as vault:
        with pytest.raises(IntegrityError, match=task.id):
            vault.clinical.rotations()
        report = vault.check()
    assert not report.ok and any(task.id in p for p in report.problems)

