"""Undoable changes to rotations, tasks and letters, for the clinical-experience page (student's window only).

The vault (``vault.clinical``) decides what is valid; this only records each change on the window's undo stack
so Edit → Undo (and the status bar's Undo) brings back a removed rotation with its tasks, a letter moved on the
board, a certificate linked by drag and drop. Each method raises ``DeskError`` (nothing changed) for a value the
vault refuses; the page shows its message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtGui import QUndoCommand

from ecfmg_desk.core.clinical import Letter, Rotation, Task
from ecfmg_desk.errors import DeskError
from ecfmg_desk.ui.view import PacketEditor, PacketView
from ecfmg_desk.ui.words import tr

CLINICAL_REQUIREMENT = "clinical-experience"
"""The catalog requirement a rotation's certificate is filed under."""


class ClinicalEditor:
    """The student's way to change clinical experience; every change is undoable and redraws the view."""

    def __init__(self, view: PacketView, editor: PacketEditor) -> None:
        self.view = view
        self.editor = editor

    @property
    def _records(self) -> Any:
        return self.editor.vault.clinical

    def _push(self, command: QUndoCommand) -> None:
        self.editor.undo_stack.push(command)

    def _say(self, text: str) -> None:
        self.editor.undoable.emit(text)

    # ---------------------------------------------------------------- rotations

    def add_rotation(self, values: Mapping[str, Any]) -> Rotation:
        rotation: Rotation = self._records.add_rotation(**values)
        self._push(_Done(self, tr("Add rotation"), undo=lambda: self._records.remove_rotation(rotation.id),
                         redo=lambda: self._records.restore_rotation(rotation.id)))
        self.view.reload()
        return rotation

    def edit_rotation(self, rotation_id: str, changes: Mapping[str, Any]) -> Rotation:
        before: Rotation = self._records.rotation(rotation_id)
        old = {name: getattr(before, name) for name in changes}
        if old == dict(changes):
            return before
        after: Rotation = self._records.edit_rotation(rotation_id, changes)
        new = dict(changes)
        self._push(_Done(self, tr("Edit rotation"), undo=lambda: self._records.edit_rotation(rotation_id, old),
                         redo=lambda: self._records.edit_rotation(rotation_id, new)))
        self.view.reload()
        return after

    def remove_rotation(self, rotation_id: str) -> None:
        """To the trash with its tasks; the letters and certificates linked to it come back linked on undo."""
        rotation: Rotation = self._records.remove_rotation(rotation_id)
        self._push(_Done(self, tr("Remove rotation"), undo=lambda: self._records.restore_rotation(rotation_id),
                         redo=lambda: self._records.remove_rotation(rotation_id)))
        self.view.reload()
        self._say(tr("Removed the rotation in {specialty}.").format(specialty=rotation.specialty))

    # ---------------------------------------------------------------- tasks

    def add_task(self, rotation_id: str, title: str, due: date | None) -> Task:
        task: Task = self._records.set_task(rotation_id, title, due=due)
        self._push(_Done(self, tr("Add task"), undo=lambda: self._records.remove_task(rotation_id, task.id),
                         redo=lambda: self._readd_task(rotation_id, task)))
        self.view.reload()
        return task

    def set_task_done(self, rotation_id: str, task_id: str, done: bool) -> None:
        self._records.update_task(rotation_id, task_id, done=done)
        self._push(_Done(self, tr("Tick task") if done else tr("Untick task"),
                         undo=lambda: self._records.update_task(rotation_id, task_id, done=not done),
                         redo=lambda: self._records.update_task(rotation_id, task_id, done=done)))
        self.view.reload()

    def remove_task(self, rotation_id: str, task_id: str) -> None:
        holder = [self._records.remove_task(rotation_id, task_id)]

        def undo() -> None:
            holder[0] = self._readd_task(rotation_id, holder[0])

        self._push(_Done(self, tr("Remove task"), undo=undo,
                         redo=lambda: self._records.remove_task(rotation_id, holder[0].id)))
        self.view.reload()

    def _readd_task(self, rotation_id: str, task: Task) -> Task:
        added: Task = self._records.set_task(rotation_id, task.title, due=task.due, done=task.done)
        return added

    # ---------------------------------------------------------------- letters

    def add_letter(self, values: Mapping[str, Any]) -> Letter:
        letter: Letter = self._records.add_letter(**values)
        self._push(_Done(self, tr("Add letter"), undo=lambda: self._records.remove_letter(letter.id),
                         redo=lambda: self._records.restore_letter(letter.id)))
        self.view.reload()
        return letter

    def edit_letter(self, letter_id: str, changes: Mapping[str, Any], text: str = "") -> Letter:
        before: Letter = self._records.letter(letter_id)
        old = {name: getattr(before, name) for name in changes}
        if old == dict(changes):
            return before
        after: Letter = self._records.edit_letter(letter_id, changes)
        new = dict(changes)
        self._push(_Done(self, text or tr("Edit letter"), undo=lambda: self._records.edit_letter(letter_id, old),
                         redo=lambda: self._records.edit_letter(letter_id, new)))
        self.view.reload()
        return after

    def move_letter(self, letter_id: str, status: str) -> Letter:
        """Move a letter across the board (requested → promised → uploaded → assigned, or back)."""
        return self.edit_letter(letter_id, {"status": status}, tr("Move letter"))

    def remove_letter(self, letter_id: str) -> None:
        letter: Letter = self._records.remove_letter(letter_id)
        self._push(_Done(self, tr("Remove letter"), undo=lambda: self._records.restore_letter(letter_id),
                         redo=lambda: self._records.remove_letter(letter_id)))
        self.view.reload()
        self._say(tr("Removed the letter from {writer}.").format(writer=letter.writer))

    # ---------------------------------------------------------------- certificates

    def link_documents(self, document_ids: Sequence[str], key: str, record_id: str) -> int:
        """Link documents to a rotation (``key="rotation"``) or a letter; undoable through the document edits."""
        linked = 0
        for document_id in document_ids:
            document = self.view.document(document_id)
            if document is None or dict(getattr(document, "fields", {})).get(key) == record_id:
                continue
            self.editor.edit_document(document_id, {"fields": {key: record_id}})
            linked += 1
        return linked

    def import_certificate(self, rotation_id: str, paths: Sequence[Path], *, done: Callable[[Any], None],
                           failed: Callable[[str], None]) -> None:
        """Files dropped on a rotation: imported as its certificate of clinical experience, linked to it."""
        self.editor.start_import(CLINICAL_REQUIREMENT, list(paths), {"fields": {"rotation": rotation_id}},
                                 done=done, failed=failed)

    def write_letter_sheet(self, letter_id: str, out: Path) -> None:
        from ecfmg_desk.packet.clinical import write_letter_sheet

        write_letter_sheet(self.editor.vault, letter_id, out, as_of=self.view.as_of)


class _Done(QUndoCommand):
    """A change already made when pushed: undo and redo call the vault, then redraw."""

    def __init__(self, owner: ClinicalEditor, text: str, *, undo: Callable[[], object],
                 redo: Callable[[], object]) -> None:
        super().__init__(text)
        self._owner = owner
        self._undo = undo
        self._redo = redo
        self._first = True

    def _run(self, action: Callable[[], object]) -> None:
        try:
            action()
        except DeskError as exc:
            self._owner.view.notice.emit(exc.message)
        self._owner.view.reload()

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self._run(self._redo)

    def undo(self) -> None:
        self._run(self._undo)
