"""The student's packet as the window sees it: the vault, read as a :class:`~ecfmg_desk.ui.view.PacketView`
and changed as a :class:`~ecfmg_desk.ui.view.PacketEditor`.

Every change goes through here (then ``changed`` fires and the views redraw), so that validation runs after
each edit and every page agrees. The rules themselves live in ``core.rules``; this class only asks them.
Slow work (import, thumbnails, previews) goes to a private QThreadPool (see :class:`~ecfmg_desk.ui.view.ViewCore`):
its tasks are counted so that the window knows when it is idle (``--screenshot`` waits for that, deterministically).

While an import runs the vault is busy writing its blobs under its lock, so GUI-thread calls into the vault are
queued (:meth:`when_vault_free`) rather than made to wait: the window must never freeze.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ecfmg_desk.core.catalog import Catalog
from ecfmg_desk.core.model import Document, FileInfo
from ecfmg_desk.core.rules import requirement_states
from ecfmg_desk.errors import DeskError
from ecfmg_desk.ui.view import PREVIEW_PX, ViewCore
from ecfmg_desk.ui.workers import Task
from ecfmg_desk.vault.store import Vault
from ecfmg_desk.vault.validation import validate_vault

if TYPE_CHECKING:
    from ecfmg_desk.packet.apply import AppliedReview

__all__ = ["PREVIEW_PX", "Session"]


class Session(ViewCore):
    """The student's vault: a packet view and its editor in one (the window's student mode)."""

    undoable = Signal(str)
    """A message about a change the status bar should offer to undo ("Removed Passport.")."""
    upgrade_notice: str | None = None
    """Said once for a vault made before documents had their own fields (which documents now need one)."""

    def __init__(self, vault: Vault, catalog: Catalog, as_of: date | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.vault = vault
        self._chosen_by_profile = False
        self._init_state(catalog, as_of)
        self.undo_stack = QUndoStack(self)
        self.reload()
        if vault.take_fields_notice():
            from ecfmg_desk.core.rules import fields_notice

            text = fields_notice(self.catalog, self.documents)
            if text:
                self.upgrade_notice = text
                self.later(lambda: self.notice.emit(text))

    def reload(self) -> None:
        """Read the vault again and re-run validation (fast: DESIGN.md budgets 20 ms for 40 documents)."""
        if self.importing:
            self.when_vault_free(self.reload)
            return
        self.documents = self.vault.documents()
        self.profile = self.vault.profile()
        self._follow_cycle()
        self.rotations = self.vault.clinical.rotations()
        self.letters = self.vault.clinical.letters()
        self.result = validate_vault(self.vault, self.catalog, self.as_of)
        self.states = requirement_states(self.catalog, self.profile, self.documents, self.result)
        self.changed.emit()

    def _file_reader(self) -> Callable[[FileInfo], bytes]:
        return self.vault.read_file

    @property
    def read_only(self) -> bool:
        """The vault's folder cannot be written: the window opens it to look and export only."""
        return self.vault.read_only

    def plan_dates(self) -> dict[str, date]:
        return self.vault.plan_dates()

    def _follow_cycle(self) -> None:
        """The profile's Match year chooses the catalog; once it is unset again, the Match still ahead."""
        from ecfmg_desk.core.catalog import choose_cycle
        from ecfmg_desk.resources import available_cycles, load_catalog

        wanted = self.profile.match_year
        cycles = available_cycles()
        if wanted is None and self._chosen_by_profile and cycles:
            wanted = choose_cycle(cycles, None, self.as_of)
        self._chosen_by_profile = self.profile.match_year is not None
        if wanted is not None and wanted != self.catalog.cycle and wanted in cycles:
            self.catalog = load_catalog(wanted)

    def _thumbnail_reader(self) -> Callable[[FileInfo], bytes | None]:
        return self.vault.thumbnail

    def close(self) -> None:
        self.vault.close()

    # ------------------------------------------------------------------------------------------ writing

    def edit_document(self, document_id: str, changes: Mapping[str, Any]) -> None:
        """Save changed fields (already typed); undoable. Raises ``DeskError`` for a value the vault refuses."""
        before = self.document(document_id)
        if before is None or not changes:
            return
        old = {name: _field(before, name) for name in changes}
        if isinstance(changes.get("fields"), Mapping):  # only the fields named change; undo restores those
            old["fields"] = {key: before.fields.get(key) for key in changes["fields"]}
        if old == dict(changes):
            return
        self.vault.edit_document(document_id, changes)
        self.undo_stack.push(_EditCommand(self, document_id, old, dict(changes),
                                          self.tr("Edit {title}").format(title=self.title_of(before))))
        self.reload()
        self.notice.emit(self.tr("Saved."))

    def answer(self, confirmation_id: str, document_id: str | None, answer: bool | None) -> None:
        """Answer (or, with ``None``, forget) a confirmation question; the checklist redraws."""
        self.vault.set_confirmation(confirmation_id, document_id, answer)
        self.reload()
        self.notice.emit(self.tr("Answer saved."))

    def update_profile(self, changes: Mapping[str, Any]) -> None:
        current = self.profile
        changed = {k: v for k, v in changes.items() if getattr(current, k) != v}
        if not changed:
            return
        self.vault.update_profile(changed)
        self.reload()
        self.notice.emit(self.tr("Profile saved."))

    def remove_document(self, document_id: str) -> None:
        """Move a document (and its translations) to the trash; Edit → Undo brings them back."""
        document = self.document(document_id)
        if document is None:
            return
        self.undo_stack.push(_RemoveCommand(self, document))
        self.undoable.emit(self.tr("Removed {title}.").format(title=self.title_of(document)))

    def added(self, document: Document) -> None:
        """Record a finished import on the undo stack (undo = remove it again)."""
        self.undo_stack.push(_AddedCommand(self, document))

    def start_import(self, requirement_id: str, paths: Sequence[Path], metadata: Mapping[str, Any], *,
                     done: Callable[[Document], None], failed: Callable[[str], None],
                     replace: str | None = None) -> Task | None:
        """Import ``paths`` (the pages of one document) in the background; ``replace``: a document id whose
        scan they replace. Returns ``None`` when another import is still running."""
        if self.importing:
            return None
        label = Path(paths[0]).name if len(paths) == 1 else self.tr("{n} files").format(n=len(paths))
        vault = self.vault
        metadata = dict(metadata)

        def work(report: Callable[[int, int], None], cancelled: Callable[[], bool]) -> Document:
            if replace is not None:
                from ecfmg_desk.vault.inspect import inspect_file

                inspected = []
                for index, path in enumerate(paths):
                    if cancelled():
                        from ecfmg_desk.errors import CancelledError

                        raise CancelledError("Cancelled; nothing was changed.")
                    inspected.append(inspect_file(Path(path)))
                    report(index + 1, len(paths) + 1)
                document = vault.replace_files(replace, inspected)
                report(len(paths) + 1, len(paths) + 1)
                return document
            return vault.add_document(requirement_id, list(paths), progress=report, cancel=cancelled,
                                      **metadata).document

        def finished_ok(document: Any) -> None:
            assert isinstance(document, Document)
            self._end_import()  # the vault is free again: read it, then run what waited
            if replace is None:
                self.added(document)
            done(document)

        def finished_failed(message: str) -> None:
            self._end_import()
            failed(message)

        def finished_cancelled() -> None:
            self._end_import()
            self.notice.emit(self.tr("Import cancelled; nothing was added."))

        task = self.run_task(work, f"import {label}", done=finished_ok, failed=finished_failed,
                             cancelled=finished_cancelled,
                             progress=lambda d, t: self.import_progress.emit(label, d, t))
        self._import = task
        self.busy_changed.emit(True)
        self.import_progress.emit(label, 0, 1)
        return task

    def cancel_import(self) -> None:
        if self._import is not None:
            self._import.cancel()

    def load_review(self, path: Path, *, accept_new_key: bool = False) -> AppliedReview:
        """File → Load review…: an advisor's decisions and comments into the vault (``AppliedReview``).

        Raises ``DeskError`` (nothing changed) for a malformed file or a review of another vault's packet;
        ``AdvisorKeyChangedError`` for a known advisor's new key (or missing signature) unless ``accept_new_key``.
        """
        from ecfmg_desk.packet.apply import apply_review_file

        applied = apply_review_file(self.vault, path, accept_new_key=accept_new_key)
        self.reload()
        return applied


def _field(document: Document, name: str) -> Any:
    if name == "translation_status":
        return document.manual_translation_status
    return getattr(document, name)


class _EditCommand(QUndoCommand):
    """A metadata edit, already saved when pushed; undo writes the old values back."""

    def __init__(self, session: Session, document_id: str, old: dict[str, Any], new: dict[str, Any],
                 text: str) -> None:
        super().__init__(text)
        self._session = session
        self._id = document_id
        self._old = old
        self._new = new
        self._first = True

    def _apply(self, values: dict[str, Any]) -> None:
        try:
            self._session.vault.edit_document(self._id, values)
        except DeskError as exc:
            self._session.notice.emit(exc.message)
        self._session.reload()

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self._apply(self._new)

    def undo(self) -> None:
        self._apply(self._old)


class _RemoveCommand(QUndoCommand):
    def __init__(self, session: Session, document: Document) -> None:
        self._title = session.title_of(document)
        super().__init__(session.tr("Remove {title}").format(title=self._title))
        self._session = session
        self._id = document.id

    def redo(self) -> None:
        self._session.vault.remove_document(self._id)  # takes its translations along
        self._session.reload()

    def undo(self) -> None:
        self._session.vault.restore_document(self._id)
        self._session.reload()
        self._session.notice.emit(self._session.tr("Brought back {title}.").format(title=self._title))


class _AddedCommand(QUndoCommand):
    """An import, already done when pushed: undo moves the new document to the trash, redo brings it back."""

    def __init__(self, session: Session, document: Document) -> None:
        super().__init__(session.tr("Attach {title}").format(title=session.title_of(document)))
        self._session = session
        self._id = document.id
        self._first = True

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self._session.vault.restore_document(self._id)
        self._session.reload()

    def undo(self) -> None:
        self._session.vault.remove_document(self._id)
        self._session.reload()
