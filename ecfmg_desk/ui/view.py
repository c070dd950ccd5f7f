"""One read-only view of a packet, for both modes of the window (STYLE.md "a second look": Dangerzone's shape).

:class:`PacketView` is everything a page may *read*: the catalog, the documents, the profile, the findings and
the checklist states, a document's thumbnail and rendered pages, and the background-task machinery that keeps
the window answering. Two siblings implement it: the student's vault
(:class:`~ecfmg_desk.ui.session.Session`) and an advisor's verified bundle
(:class:`~ecfmg_desk.ui.bundle_session.BundleSession`). Neither is the other, and neither pretends: a bundle has
no write methods to refuse.

What may *change* a packet is a separate, optional object: the student's :class:`PacketEditor` (the vault session
is one), or the advisor's :class:`~ecfmg_desk.ui.reviewing.ReviewDraft`. A page is given the view, and an editor
or a draft; it shows a control only when it was given what that control needs. No page asks which mode it is in.

:class:`ViewCore` is the shared implementation of the reading half (both siblings derive from it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal, SignalInstance
from PySide6.QtGui import QImage, QUndoStack

from ecfmg_desk.core.catalog import Catalog, Requirement
from ecfmg_desk.core.clinical import Letter, Rotation
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
from ecfmg_desk.core.rules import RequirementState, progress
from ecfmg_desk.ui.workers import Task, Work

if TYPE_CHECKING:
    from ecfmg_desk.packet.apply import AppliedReview
    from ecfmg_desk.vault.store import Vault

PREVIEW_PX = 1400
"""Longest side of a rendered preview page: sharp when fitted to the pane (even on a 2x screen) and at 150 %
zoom on a laptop, and quick to render (a 1800 px page took twice as long)."""


class PacketView(Protocol):
    """What the window shows of a packet, read-only. Pages take one of these (and maybe an editor or a draft)."""

    catalog: Catalog
    documents: list[Document]
    profile: Profile
    result: ValidationResult
    states: dict[str, RequirementState]
    rotations: list[Rotation]
    letters: list[Letter]

    @property
    def changed(self) -> SignalInstance:
        """Documents, profile or findings changed: redraw."""

    @property
    def notice(self) -> SignalInstance:
        """A short message for the status bar (str)."""

    @property
    def thumbnail_ready(self) -> SignalInstance: ...
    @property
    def busy_changed(self) -> SignalInstance: ...
    @property
    def import_progress(self) -> SignalInstance: ...
    @property
    def idle(self) -> SignalInstance: ...
    @property
    def as_of(self) -> date: ...
    @property
    def importing(self) -> bool: ...
    @property
    def is_idle(self) -> bool: ...

    def reload(self) -> None: ...
    def plan_dates(self) -> Mapping[str, date]: ...
    def requirement(self, requirement_id: str) -> Requirement | None: ...
    def state(self, requirement_id: str) -> str: ...
    def progress(self) -> tuple[int, int]: ...
    def document(self, document_id: str) -> Document | None: ...
    def documents_for(self, requirement_id: str) -> list[Document]: ...
    def needing_translation(self) -> list[Document]: ...
    def translations_of(self, document: Document) -> list[Document]: ...
    def translation_status(self, document: Document) -> str: ...
    def findings_for(self, requirement_id: str) -> list[Finding]: ...
    def findings_about(self, document_id: str) -> list[Finding]: ...
    def title_of(self, document: Document) -> str: ...
    def when_vault_free(self, action: Callable[[], None]) -> None: ...
    def run_task(self, work: Work, description: str, *, done: Callable[[Any], None] | None = None,
                 failed: Callable[[str], None] | None = None, cancelled: Callable[[], None] | None = None,
                 progress: Callable[[int, int], None] | None = None) -> Task: ...
    def later(self, action: Callable[[], None], delay_ms: int = 1) -> None: ...
    def thumbnail(self, info: FileInfo) -> QImage | None: ...
    def render_page(self, info: FileInfo, page_index: int, done: Callable[[QImage], None],
                    failed: Callable[[str], None]) -> Task: ...
    def close(self) -> None: ...
    def shutdown(self) -> None: ...
    def blockSignals(self, b: bool) -> bool: ...


class PacketEditor(Protocol):
    """The student's way to change the packet: edits, imports, removal with undo, loading a review.

    Each method raises ``DeskError`` (nothing changed) for a value the vault refuses; the view redraws after.
    """

    vault: Vault
    undo_stack: QUndoStack

    @property
    def undoable(self) -> SignalInstance:
        """A message about a change the status bar should offer to undo (str)."""

    def edit_document(self, document_id: str, changes: Mapping[str, Any]) -> None: ...
    def update_profile(self, changes: Mapping[str, Any]) -> None: ...
    def remove_document(self, document_id: str) -> None: ...
    def start_import(self, requirement_id: str, paths: Sequence[Path], metadata: Mapping[str, Any], *,
                     done: Callable[[Document], None], failed: Callable[[str], None],
                     replace: str | None = None) -> Task | None: ...
    def cancel_import(self) -> None: ...
    def load_review(self, path: Path) -> AppliedReview: ...
    def answer(self, confirmation_id: str, document_id: str | None, answer: bool | None) -> None: ...


class ViewCore(QObject):
    """The reading half both sessions share: derived state, lookups, background tasks, thumbnails, previews.

    Subclasses fill ``documents``/``profile``/``result``/``states`` in :meth:`reload` and say where a file's
    bytes come from (:meth:`_file_reader`, :meth:`_thumbnail_reader`).
    """

    changed = Signal()
    """Documents, profile or findings changed: redraw."""
    notice = Signal(str)
    """A short message for the status bar ("Saved.")."""
    thumbnail_ready = Signal(str)
    """The thumbnail of the file with this SHA-256 is now in :meth:`thumbnail`."""
    busy_changed = Signal(bool)
    import_progress = Signal(str, int, int)
    idle = Signal()
    """No background task is running any more."""

    def _init_state(self, catalog: Catalog, as_of: date | None) -> None:
        self.catalog = catalog
        self._as_of = as_of
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)
        self.documents: list[Document] = []
        self.profile = Profile()
        self.result = ValidationResult(as_of=self.as_of)
        self.states: dict[str, RequirementState] = {}
        self.rotations: list[Rotation] = []
        self.letters: list[Letter] = []
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
        """Read the packet again and redraw (``changed``)."""
        raise NotImplementedError

    def plan_dates(self) -> Mapping[str, date]:
        """The dates the applicant entered for the plan (only a vault has them)."""
        return {}

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

    @property
    def importing(self) -> bool:
        """An import is writing into the vault (only an editor ever starts one)."""
        return self._import is not None

    def when_vault_free(self, action: Callable[[], None]) -> None:
        """Run ``action`` now, or after the running import (which holds the vault) has finished."""
        if self.importing:
            if action not in self._deferred:
                self._deferred.append(action)
        else:
            action()

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
        # Its connections hold the callbacks, and this one holds the task: a cycle the garbage collector cannot
        # see (Qt keeps the references). Deleting the signals object on this thread, once its queued calls are
        # delivered, lets the task, its callbacks and what they hold go.
        task.signals.deleteLater()
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
        """How a worker thread gets a file's bytes (decrypted from the vault; from a bundle in review)."""
        raise NotImplementedError

    def _thumbnail_reader(self) -> Callable[[FileInfo], bytes | None]:
        raise NotImplementedError

    def close(self) -> None:
        """Let go of what this view holds open (the vault; a bundle's temporary folder)."""
        raise NotImplementedError

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
