"""The open packet as the window sees it: the vault, the catalog, and the latest findings and states.

Every change goes through here (then ``changed`` fires and the views redraw), so that validation runs after
each edit and every page agrees. The rules themselves live in ``core.rules``; this class only asks them.
Slow work (import, thumbnails, previews) goes to a private QThreadPool: its tasks are counted so that the
window knows when it is idle (``--screenshot`` waits for that, deterministically).

While an import runs the vault is busy writing its blobs under its lock, so GUI-thread calls into the vault are
queued (:meth:`when_vault_free`) rather than made to wait: the window must never freeze.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal
from PySide6.QtGui import QImage, QUndoCommand, QUndoStack

from ecfmg_desk.core.catalog import Catalog, Requirement
from ecfmg_desk.core.model import (
    TRANSLATION_REQUIREMENT,
    Document,
    FileInfo,
    Finding,
    Profile,
    ValidationResult,
    translation_status,
    translations_of,
)
from ecfmg_desk.core.rules import RequirementState, progress, requirement_states
from ecfmg_desk.errors import DeskError
from ecfmg_desk.ui.workers import Task, Work
from ecfmg_desk.vault.store import Vault
from ecfmg_desk.vault.validation import validate_vault

if TYPE_CHECKING:
    from ecfmg_desk.packet.apply import AppliedReview

PREVIEW_PX = 1400
"""Longest side of a rendered preview page: sharp when fitted to the pane (even on a 2x screen) and at 150 %
zoom on a laptop, and quick to render (a 1800 px page took twice as long)."""


class Session(QObject):
    changed = Signal()
    """Documents, profile or findings changed: redraw."""
    notice = Signal(str)
    """A short message for the status bar ("Saved.")."""
    undoable = Signal(str)
    """A message about a change the status bar should offer to undo ("Removed Passport.")."""
    thumbnail_ready = Signal(str)
    """The thumbnail of the file with this SHA-256 is now in :meth:`thumbnail`."""
    busy_changed = Signal(bool)
    import_progress = Signal(str, int, int)
    idle = Signal()
    """No background task is running any more."""

    read_only = False
    """True for an advisor's bundle (review mode): nothing in it can be edited."""

    def __init__(self, vault: Vault, catalog: Catalog, as_of: date | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.vault = vault
        self._init_state(catalog, as_of)
        self.reload()

    def _init_state(self, catalog: Catalog, as_of: date | None) -> None:
        self.catalog = catalog
        self._as_of = as_of
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)
        self.undo_stack = QUndoStack(self)
        self.documents: list[Document] = []
        self.profile = Profile()
        self.result = ValidationResult(as_of=self.as_of)
        self.states: dict[str, RequirementState] = {}
        self._tasks: set[Task] = set()
        self._waiting: list[Task] = []
        self._ui_pending = 0
        self._thumbs: dict[str, QImage] = {}
        self._thumbs_wanted: set[str] = set()
        self._import: Task | None = None
        self._deferred: list[Callable[[], None]] = []

    # ------------------------------------------------------------------------------------------ reading

    @property
    def as_of(self) -> date:
        return self._as_of or date.today()

    def reload(self) -> None:
        """Read the vault again and re-run validation (fast: DESIGN.md budgets 20 ms for 40 documents)."""
        if self.importing:
            self.when_vault_free(self.reload)
            return
        self.documents = self.vault.documents()
        self.profile = self.vault.profile()
        self.result = validate_vault(self.vault, self.catalog, self.as_of)
        self.states = requirement_states(self.catalog, self.profile, self.documents, self.result)
        self.changed.emit()

    def requirement(self, requirement_id: str) -> Requirement | None:
        return self.catalog.get(requirement_id)

    def state(self, requirement_id: str) -> str:
        found = self.states.get(requirement_id)
        return found.state if found else "missing"

    def progress(self) -> tuple[int, int]:
        return progress(self.states)

    def document(self, document_id: str) -> Document | None:
        return next((d for d in self.documents if d.id == document_id), None)

    def documents_for(self, requirement_id: str) -> list[Document]:
        """The documents filed under a requirement (for ``translation``: every translation)."""
        if requirement_id == TRANSLATION_REQUIREMENT:
            return [d for d in self.documents if d.is_translation]
        return [d for d in self.documents if d.requirement == requirement_id and not d.is_translation]

    def needing_translation(self) -> list[Document]:
        """Originals in another language than English, in checklist order."""
        order = {rid: i for i, rid in enumerate(self.catalog.ids)}
        originals = [d for d in self.documents if d.needs_translation]
        return sorted(originals, key=lambda d: order.get(d.requirement, len(order)))

    def translations_of(self, document: Document) -> list[Document]:
        return translations_of(document, self.documents)

    def translation_status(self, document: Document) -> str:
        return translation_status(document, self.documents)

    def findings_for(self, requirement_id: str) -> list[Finding]:
        return [f for f in self.result.findings if f.requirement == requirement_id]

    def findings_about(self, document_id: str) -> list[Finding]:
        return [f for f in self.result.findings if f.document == document_id]

    def title_of(self, document: Document) -> str:
        """How a document is named in messages: its requirement's title (a translation: "… → English")."""
        if document.is_translation:
            original = self.document(document.translation_of or "")
            base = self.title_of(original) if original else self.tr("Document")
            return self.tr("{title} → English").format(title=base)
        requirement = self.catalog.get(document.requirement)
        return requirement.title if requirement else document.requirement

    # ------------------------------------------------------------------------------------------ writing

    @property
    def importing(self) -> bool:
        return self._import is not None

    def when_vault_free(self, action: Callable[[], None]) -> None:
        """Run ``action`` now, or after the running import (which holds the vault) has finished."""
        if self.importing:
            if action not in self._deferred:
                self._deferred.append(action)
        else:
            action()

    def edit_document(self, document_id: str, changes: Mapping[str, Any]) -> None:
        """Save changed fields (already typed); undoable. Raises ``DeskError`` for a value the vault refuses."""
        before = self.document(document_id)
        if before is None or not changes:
            return
        old = {name: _field(before, name) for name in changes}
        if old == dict(changes):
            return
        self.vault.edit_document(document_id, changes)
        self.undo_stack.push(_EditCommand(self, document_id, old, dict(changes),
                                          self.tr("Edit {title}").format(title=self.title_of(before))))
        self.reload()
        self.notice.emit(self.tr("Saved."))

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

    # ------------------------------------------------------------------------------------------ tasks

    def run_task(self, work: Work, description: str, *, done: Callable[[Any], None] | None = None,
                 failed: Callable[[str], None] | None = None, cancelled: Callable[[], None] | None = None,
                 progress: Callable[[int, int], None] | None = None) -> Task:
        task = Task(work, description)
        signals = task.signals
        if done:
            signals.done.connect(done)
        if failed:
            signals.failed.connect(failed)
        if cancelled:
            signals.cancelled.connect(cancelled)
        if progress:
            signals.progress.connect(progress)
        signals.finished.connect(lambda: self._finished(task))
        self._tasks.add(task)
        self._waiting.append(task)
        if len(self._waiting) == 1:
            # start on the next turn of the event loop: a worker that starts while the GUI thread is still
            # redrawing would compete with it for the interpreter and stretch the redraw
            QTimer.singleShot(0, self, self._start_waiting)
        return task

    def _start_waiting(self) -> None:
        waiting, self._waiting = self._waiting, []
        for task in waiting:
            if task.is_cancelled and task is not self._import:
                # cancelled before it started (Cancel right after Export): say so, as a running task would
                task.signals.cancelled.emit()
                task.signals.finished.emit()
                continue
            self.pool.start(task)
        if self.is_idle:
            self.idle.emit()

    def _end_import(self) -> None:
        if self._import is None:
            return
        self._import = None
        self.reload()
        self.busy_changed.emit(False)
        deferred, self._deferred = self._deferred, []
        for action in deferred:
            action()

    def _finished(self, task: Task) -> None:
        self._tasks.discard(task)
        if task is self._import:  # ended without a result signal (should not happen): never stay busy
            self._end_import()
        if self.is_idle:
            self.idle.emit()

    @property
    def is_idle(self) -> bool:
        return not self._tasks and not self._ui_pending

    def later(self, action: Callable[[], None], delay_ms: int = 1) -> None:
        """Run ``action`` once the event loop has had a turn (input, timers, painting), for heavy redraws.

        Counted as work in progress, so :attr:`is_idle` (and ``--screenshot``) waits for it too.
        """
        self._ui_pending += 1

        def run() -> None:
            self._ui_pending -= 1
            try:
                action()
            finally:
                if self.is_idle:
                    self.idle.emit()

        QTimer.singleShot(delay_ms, self, run)

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

    def thumbnail(self, info: FileInfo) -> QImage | None:
        """The file's first-page thumbnail if loaded; otherwise starts loading it (``thumbnail_ready``)."""
        image = self._thumbs.get(info.sha256)
        if image is not None:
            return image
        if info.sha256 not in self._thumbs_wanted:
            self._thumbs_wanted.add(info.sha256)
            read_thumbnail = self._thumbnail_reader()

            def work(_report: Callable[[int, int], None], _cancelled: Callable[[], bool]) -> QImage:
                data = read_thumbnail(info)
                return QImage.fromData(data) if data else QImage()

            self.run_task(work, f"thumbnail {info.name}", done=lambda image: self._thumb_loaded(info.sha256, image),
                          failed=lambda _message: self._thumb_loaded(info.sha256, QImage()))
        return None

    def _thumb_loaded(self, sha256: str, image: Any) -> None:
        self._thumbs[sha256] = image if isinstance(image, QImage) else QImage()
        self.thumbnail_ready.emit(sha256)

    def render_page(self, info: FileInfo, page_index: int, done: Callable[[QImage], None],
                    failed: Callable[[str], None]) -> Task:
        """Render one page for the preview, in memory only (no decrypted file ever touches the disk)."""
        read_file = self._file_reader()

        def work(_report: Callable[[int, int], None], _cancelled: Callable[[], bool]) -> QImage:
            from ecfmg_desk.vault.inspect import render_page

            png = render_page(read_file(info), info.kind, page_index, PREVIEW_PX)
            return QImage.fromData(png)

        return self.run_task(work, f"preview {info.name} page {page_index + 1}",
                             done=lambda image: done(image if isinstance(image, QImage) else QImage()),
                             failed=failed)

    def _file_reader(self) -> Callable[[FileInfo], bytes]:
        """How a worker thread gets a file's bytes (decrypted from the vault here; from a bundle in review)."""
        return self.vault.read_file

    def _thumbnail_reader(self) -> Callable[[FileInfo], bytes | None]:
        return self.vault.thumbnail

    def load_review(self, path: Path) -> AppliedReview:
        """File → Load review…: an advisor's decisions and comments into the vault (``AppliedReview``).

        Raises ``DeskError`` (nothing changed) for a malformed file or a review of another vault's packet.
        """
        from ecfmg_desk.packet.apply import apply_review_file

        applied = apply_review_file(self.vault, path)
        self.reload()
        return applied

    def close(self) -> None:
        """Let go of what this session holds open (the vault; a bundle's temporary folder)."""
        self.vault.close()

    def shutdown(self) -> None:
        """Stop background work before the window goes (a test must leave no thread behind)."""
        for task in list(self._tasks):
            task.cancel()
        for task in self._waiting:
            self._tasks.discard(task)
        self._waiting = []
        self.pool.waitForDone()
        # an import stopped at closing time: the vault is free now, so edits that waited for it are saved
        self._import = None
        deferred, self._deferred = self._deferred, []
        for action in deferred:
            action()


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
