"""Review and export: every finding of the packet, grouped by requirement, each a click away from its fix.

The Export button stays disabled while errors remain and says why; the gate itself lives in ``packet`` (export
refuses too), the page only mirrors the validation result. Export asks its questions in one dialog (where, the
advisor bundle, a password, the paper) and runs ``packet.export.export_vault`` on a worker thread, with progress
and Cancel; then it offers to open the PDF or its folder. The same dialog offers each portal's files instead
(``ui.portal_export``: the preflight report first, then the files), also while problems still block the packet.

Given the student's editor it exports; given the advisor's review draft instead, the same page is the review
summary: the advisor's decisions, their comments, the student's findings as exported, and Save review.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSettings,
    QSize,
    QStandardPaths,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ecfmg_desk.core.model import Profile
from ecfmg_desk.ui import prompts
from ecfmg_desk.ui.models import REQUIREMENT_ROLE, FindingsModel, ReviewSummaryModel
from ecfmg_desk.ui.portal_export import PortalExport
from ecfmg_desk.ui.reviewing import ReviewDraft
from ecfmg_desk.ui.settings import export_paper, set_export_paper
from ecfmg_desk.ui.view import PacketEditor, PacketView
from ecfmg_desk.ui.widgets import RedrawWhenShown, StatusBadge, heading, icon_button, muted, plain_label, wrapping
from ecfmg_desk.ui.words import file_name, format_date, plain_tooltip, plural

if TYPE_CHECKING:
    from ecfmg_desk.vault.store import Vault


def documents_folder() -> Path:
    """The user's Documents folder (where a packet is saved unless they choose otherwise), else home."""
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    folder = Path(location) if location else Path.home()
    return folder if folder.is_dir() else Path.home()


def default_packet_path(profile: Profile, as_of: date) -> Path:
    """``GARCIA LOPEZ - ECFMG packet 2026-11-25.pdf`` in the Documents folder."""
    family = profile.family_name.strip().upper()
    stem = f"{family} - ECFMG packet {as_of.isoformat()}" if family else f"ECFMG packet {as_of.isoformat()}"
    return documents_folder() / (file_name(stem) + ".pdf")


def _and_list(items: list[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + QCoreApplication.translate("ReviewPage", " and ") + items[-1]


def remaining_questions(count: int, *, ready: bool) -> str:
    """How many of the app's yes/no questions are still unanswered: a ready packet says so (DESIGN.md 6)."""
    tr = QCoreApplication.translate
    if count == 1:
        text = tr("ReviewPage", "Ready, with 1 question still to answer") if ready \
            else tr("ReviewPage", "1 question is still to answer")
    else:
        text = (tr("ReviewPage", "Ready, with {n} questions still to answer") if ready
                else tr("ReviewPage", "{n} questions are still to answer")).format(n=count)
    return text + tr("ReviewPage", " (they do not block export).")


class WrappingDelegate(QStyledItemDelegate):
    """Rows as tall as their wrapped text: a finding is two or three sentences and must be read whole."""

    def __init__(self, view: QTreeView) -> None:
        super().__init__(view)
        self._view = view

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        base = super().sizeHint(option, index)
        depth = 0
        parent = index.parent()
        while parent.isValid():
            depth += 1
            parent = parent.parent()
        icon = self._view.iconSize().width() if self._view.iconSize().isValid() else 16
        width = self._view.viewport().width() - self._view.indentation() * (depth + 1) - max(icon, 20) - 24
        font = index.data(Qt.ItemDataRole.FontRole)
        metrics = QFontMetrics(font if isinstance(font, QFont) else option.font)
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        rect = metrics.boundingRect(QRect(0, 0, max(100, width), 100_000), Qt.TextFlag.TextWordWrap, text)
        return QSize(base.width(), max(base.height(), rect.height() + 10))


class FindingsView(QTreeView):
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.doItemsLayout()  # row heights depend on the width


class ReviewPage(QWidget):
    navigate = Signal(str)
    save_requested = Signal()
    """Review mode: Save review (the window asks where and writes the file)."""
    reviewer_change_requested = Signal()

    def __init__(self, session: PacketView, parent: QWidget | None = None, settings: QSettings | None = None, *,
                 editor: PacketEditor | None = None, draft: ReviewDraft | None = None,
                 exporter: Vault | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.settings = settings
        self.editor = editor
        self.exporter = exporter if exporter is not None else (editor.vault if editor is not None else None)
        """The vault Export reads from: the editor's, or a vault that can only be read (export writes nothing
        into it). Without one the page is a review summary."""
        exports = self.exporter is not None
        self.draft = draft
        self._export_task: Any = None
        self._redraws = RedrawWhenShown(self, self.refresh)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.setSpacing(10)
        header = QHBoxLayout()
        header.addWidget(heading(self.tr("Review and export") if exports else self.tr("Review summary"),
                                 1, self), 1)
        self.badge = StatusBadge(self, size=20)
        header.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(header)
        self.summary_label = wrapping("", self)
        self.summary_label.setAccessibleName(self.tr("Packet summary"))
        layout.addWidget(self.summary_label)

        # review mode: the advisor's decisions and comments, document by document
        self.decisions_label = wrapping("", self)
        font = self.decisions_label.font()
        font.setBold(True)
        self.decisions_label.setFont(font)
        self.decisions_label.setAccessibleName(self.tr("Your review"))
        reviewer_row = QHBoxLayout()
        self.reviewer_label = plain_label("", self)
        self.reviewer_label.setAccessibleName(self.tr("Reviewer"))
        self.reviewer_button = QPushButton(self.tr("Change name…"), self)
        self.reviewer_button.setAccessibleName(self.tr("Change the reviewer's name"))
        self.reviewer_button.clicked.connect(self.reviewer_change_requested)
        reviewer_row.addWidget(self.reviewer_label)
        reviewer_row.addWidget(self.reviewer_button)
        reviewer_row.addStretch(1)
        self.summary_model = ReviewSummaryModel(session.catalog)
        self.documents_view = FindingsView(self)
        self.documents_view.setItemDelegate(WrappingDelegate(self.documents_view))
        self.documents_view.setModel(self.summary_model)
        self.documents_view.setHeaderHidden(True)
        self.documents_view.setWordWrap(True)
        self.documents_view.setUniformRowHeights(False)
        self.documents_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.documents_view.setAccessibleName(self.tr("Documents with your decisions and comments"))
        self.documents_view.activated.connect(self._open)
        self.documents_view.doubleClicked.connect(self._open)
        self.findings_title = heading(self.tr("Problems found when the packet was exported"), 2, self)

        self.model = FindingsModel(session.catalog)
        self.view = FindingsView(self)
        self.view.setItemDelegate(WrappingDelegate(self.view))
        self.view.setModel(self.model)
        self.view.setHeaderHidden(True)
        self.view.setWordWrap(True)
        self.view.setUniformRowHeights(False)
        self.view.setAlternatingRowColors(False)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAccessibleName(self.tr("Problems in the packet, by requirement"))
        self.view.setIndentation(22)
        self.view.activated.connect(self._open)
        self.view.doubleClicked.connect(self._open)
        bottom = QHBoxLayout()
        """Export (or Save review) with its reason: for the student right under the summary, so a ready packet
        reads "Ready to export", then the button, with warnings and questions below; for the advisor at the
        foot, after the decisions it saves."""
        if not exports:
            layout.addWidget(self.decisions_label)
            layout.addLayout(reviewer_row)
            layout.addWidget(self.documents_view, 3)
            layout.addSpacing(6)
            layout.addWidget(self.findings_title)
            layout.addWidget(self.view, 2)
        else:
            for widget in (self.decisions_label, self.reviewer_label, self.reviewer_button, self.documents_view,
                           self.findings_title):
                widget.hide()
            layout.addLayout(bottom)
            layout.addSpacing(4)
            layout.addWidget(self.view, 1)
        self.hint_label = muted(wrapping(self.tr(
            "Double-click a problem (or select it and press Enter) to open the item and fix it.") if exports
            else self.tr("Double-click a document or a problem (or select it and press Enter) to open it."), self))
        layout.addWidget(self.hint_label)

        self.export_reason = wrapping("", self)
        self.export_reason.setAccessibleName(self.tr("Why export is not available"))
        self.export_button = icon_button("export", self.tr("Export packet…"), self)
        self.export_button.setAccessibleName(self.tr("Export packet"))
        self.export_button.clicked.connect(self.export)
        self.portal_button = icon_button("export", self.tr("Files for portals…"), self, tooltip=self.tr(
            "One file per document for MyIntealth, the LoR Portal or ERAS; you see what will be changed before "
            "anything is written."))
        self.portal_button.clicked.connect(self.export_for_portal)
        self.portal_button.setVisible(exports)
        self._portal: PortalExport | None = None
        if self.exporter is not None:  # (a portal's files, like the packet, only read the vault)
            self._portal = PortalExport(self, session, self.exporter)
            self._portal.busy.connect(self._export_busy)
            self._portal.idle.connect(self._export_idle)
        self.save_button = icon_button("ready", self.tr("Save review…"), self)
        self.save_button.setAccessibleName(self.tr("Save review"))
        self.save_button.clicked.connect(self.save_requested)
        (self.export_button if exports else self.save_button).setDefault(True)
        self.export_button.setVisible(exports)
        self.save_button.setVisible(draft is not None)
        self.export_label = muted(QLabel(self))
        self.export_label.setAccessibleName(self.tr("Export status"))
        self.export_label.hide()
        self.export_progress = QProgressBar(self)
        self.export_progress.setFixedWidth(180)
        self.export_progress.setAccessibleName(self.tr("Export progress"))
        self.export_progress.hide()
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.setAccessibleName(self.tr("Cancel the export"))
        self.cancel_button.clicked.connect(self.cancel_export)
        self.cancel_button.hide()
        bottom.addWidget(self.export_reason, 1)
        bottom.addWidget(self.export_label, 0, Qt.AlignmentFlag.AlignBottom)
        bottom.addWidget(self.export_progress, 0, Qt.AlignmentFlag.AlignBottom)
        bottom.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignBottom)
        bottom.addWidget(self.portal_button, 0, Qt.AlignmentFlag.AlignBottom)
        bottom.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignBottom)
        bottom.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignBottom)
        if not exports:
            layout.addLayout(bottom)
        self._filler = QWidget(self)
        """Takes the page's empty height when there is no list to show (a ready packet), so the summary and
        Export sit together at the top instead of spreading over the page."""
        layout.addWidget(self._filler, 1)
        session.changed.connect(self.refresh)
        if self.draft is not None:
            self.draft.changed.connect(lambda _doc: self.refresh())
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        self._redraws.shown()
        super().showEvent(event)

    def refresh(self) -> None:
        """Redraw from the session; a hidden page only notes that it must (imports stay smooth)."""
        if not self._redraws.due():
            return
        if self.exporter is None:
            self._refresh_review()
            return
        result = self.session.result
        self.model.update(result.findings, self.session.states)
        self.view.expandAll()
        ready, required = self.session.progress()
        questions = len(result.open_questions)
        errors = len(result.errors)
        warnings = sum(1 for f in result.warnings if f.code != "unconfirmed")  # the questions are said apart
        blocking = self._blocking_titles()
        if result.ready:
            self.badge.set_status("ready", self.tr("Ready to export"))
        else:
            self.badge.set_status("attention", plural(len(blocking), self.tr("item needs attention"),
                                                      self.tr("items need attention")))
        parts = [self.tr("{ready} of {required} required items ready.").format(ready=ready, required=required)]
        if errors:
            parts.append(self.tr("To fix before export: {items}.").format(items=_and_list(blocking)))
            parts.append(self.tr("Below is everything that is left, in checklist order."))
        if questions:
            parts.append(remaining_questions(questions, ready=result.ready))
        if warnings:
            parts.append(plural(warnings, self.tr("warning is"), self.tr("warnings are"))
                         + self.tr(" worth checking; they do not block export."))
        if not result.findings:
            parts.append(self.tr("No problems found: your packet is ready."))
        self.summary_label.setText(" ".join(parts))
        self.view.setVisible(bool(result.findings))
        self.hint_label.setVisible(bool(result.findings))
        self._filler.setVisible(not result.findings)
        self.export_button.setEnabled(result.ready and not self.exporting)
        self.portal_button.setEnabled(not self.exporting)
        if result.ready:
            self.export_reason.setText(self.tr("Everything required is ready. Export writes one PDF packet with "
                                               "each document followed by its translation, and the advisor "
                                               "bundle if you want one."))
        else:
            self.export_reason.setText(plural(errors, self.tr("problem must be fixed"),
                                              self.tr("problems must be fixed")) + self.tr(" before export."))
        self.export_button.setToolTip("" if result.ready else plain_tooltip(self.export_reason.text()))

    def _blocking_titles(self) -> list[str]:
        """The items whose problems block export, by title, in checklist order."""
        titles: list[str] = []
        for finding in self.session.result.errors:
            requirement = self.session.requirement(finding.requirement)
            title = requirement.title if requirement is not None else self.tr("Your profile")
            if title not in titles:
                titles.append(title)
        return titles

    def _refresh_review(self) -> None:
        session = self.session
        draft = self.draft
        result = session.result
        self.model.update(result.findings, session.states)
        self.view.expandAll()
        errors = len(result.errors)
        if result.ready:
            self.badge.set_status("ready", self.tr("Ready when exported"))
        else:
            self.badge.set_status("attention", plural(errors, self.tr("problem"), self.tr("problems"))
                                  + self.tr(" when exported"))
        ready, required = session.progress()
        student = session.profile.name_of_record or self.tr("The student")
        exported = draft.exported if draft is not None else None
        when = self.tr(", exported {date}").format(date=format_date(exported)) if exported else ""
        self.summary_label.setText(self.tr("{student}'s packet{when}: {ready} of {required} required items ready, "
                                           "{documents}.").format(
            student=student, when=when, ready=ready, required=required,
            documents=plural(len(session.documents), self.tr("document"), self.tr("documents"))))
        self.view.setVisible(bool(result.findings))
        self._filler.setVisible(False)  # the documents list takes the height
        self.findings_title.setText(self.tr("Problems found when the packet was exported") if result.findings
                                    else self.tr("No problems were found when the packet was exported."))
        if draft is None:
            return
        ids = [d.id for d in session.documents]
        approved, changes, open_count = draft.counts(ids)
        self.decisions_label.setText(self.tr("Your review: {approved} approved · {changes} · {open} not reviewed "
                                             "yet").format(approved=approved, open=open_count, changes=plural(
                                                 changes, self.tr("change requested"),
                                                 self.tr("changes requested"))))
        self.reviewer_label.setText(self.tr("Reviewer: {name}").format(name=draft.reviewer) if draft.reviewer
                                    else self.tr("Reviewer: not set yet (you are asked at your first decision)"))
        self.summary_model.update(session.documents, session.title_of, draft.decision, draft.comments)
        self.documents_view.expandAll()
        if draft.dirty:
            self.export_reason.setText(self.tr("Save your review, then send the file to {student}: they load it "
                                               "with File → Load review…").format(student=student))
        elif draft.saved_to is not None:
            self.export_reason.setText(self.tr("Review saved to {path}. Send this file to {student}.").format(
                path=draft.saved_to, student=student))
        else:
            self.export_reason.setText(self.tr("Approve each document or request changes, with a comment saying "
                                               "what to change."))
        self.save_button.setEnabled(not draft.is_empty or draft.dirty)

    def _open(self, index: QModelIndex | QPersistentModelIndex) -> None:
        requirement = index.data(REQUIREMENT_ROLE)
        if isinstance(requirement, str):
            self.navigate.emit(requirement)

    def row_texts(self) -> list[str]:
        """Every line the user reads in the list, groups and findings, top to bottom."""
        texts: list[str] = []
        for row in range(self.model.rowCount()):
            group = self.model.item(row)
            texts.append(group.text())
            texts.extend(group.child(i).text() for i in range(group.rowCount()))
        return texts

    # -- export -----------------------------------------------------------------------------------------

    def export(self) -> None:
        """The export dialog, then the packet (and the advisor bundle) written in the background."""
        if self.exporter is None or not self.session.result.ready or self.exporting:
            return
        self._ask_export("packet")

    def export_for_portal(self) -> None:
        """The export dialog with a portal chosen: its files can be made while problems still block the packet
        (a letter goes to the LoR Portal long before the packet is complete)."""
        if self._portal is None or self.exporting:
            return
        self._ask_export("myintealth")

    def _ask_export(self, destination: str) -> None:
        suggested = default_packet_path(self.session.profile, self.session.as_of)
        answer = prompts.ask_export(self, suggested, export_paper(self.settings),
                                    packet_ready=self.session.result.ready, destination=destination)
        if answer is None:
            return
        if answer.destination != "packet":
            if self._portal is None:
                return
            self._portal.start(answer.destination, answer.packet)
            return
        if not self.session.result.ready:
            return
        existing = [p for p in (answer.packet, answer.bundle) if p is not None and p.exists()]
        if existing:
            names = " and ".join(f"“{p.name}”" for p in existing)
            question = (self.tr("{names} is already in {folder}. Replace it with the new export?") if len(existing) == 1
                        else self.tr("{names} are already in {folder}. Replace them with the new export?"))
            if not prompts.ask_yes_no(self, self.tr("Replace the files?"),
                                      question.format(names=names, folder=answer.packet.parent),
                                      yes=self.tr("Replace"), no=self.tr("Cancel")):
                return
        set_export_paper(self.settings, answer.paper)
        self._run_export(answer)

    def _run_export(self, answer: prompts.ExportAnswer) -> None:
        from ecfmg_desk.packet.assemble import Paper
        from ecfmg_desk.packet.export import ExportSummary, export_vault

        session = self.session
        assert self.exporter is not None
        vault = self.exporter
        paper = cast(Paper, answer.paper)

        def work(report: Callable[[int, int], None], cancelled: Callable[[], bool]) -> ExportSummary:
            return export_vault(vault, session.catalog, out=answer.packet, bundle=answer.bundle,
                                as_of=session.as_of, password=answer.password, paper=paper, progress=report,
                                cancel=cancelled)

        def finished() -> None:
            self._export_task = None
            self._export_idle()

        def done(summary: object) -> None:
            finished()
            assert isinstance(summary, ExportSummary)
            lines = [self.tr("Your packet is ready: “{name}” ({pages}), in {folder}.").format(
                name=summary.packet.name, pages=plural(summary.pages, self.tr("page"), self.tr("pages")),
                folder=summary.packet.parent)]
            if summary.bundle is not None:
                lines.append(self.tr("The advisor bundle is beside it: “{name}”. Send it to your advisor; they "
                                     "open it with ECFMG Desk and send you back a review.").format(
                                         name=summary.bundle.name))
                if summary.bundle_key:  # what the advisor's app shows (and remembers) for this student
                    lines.append(self.tr("It is signed with your key {key}. Your advisor's app shows the same "
                                         "characters: read them to each other once, by phone or in person, so "
                                         "nobody can pass another bundle off as yours.").format(
                                             key=summary.bundle_key.replace(" ", "\u00a0")))  # one piece
            if summary.warnings:
                lines.append(self.tr("Worth checking (they did not block export):") + "\n"
                             + "\n".join(f"• {w}" for w in summary.warnings))
            session.notice.emit(self.tr("Packet written."))
            choice = prompts.ask_after_export(self, self.tr("Packet written"), "\n\n".join(lines))
            if choice is not None:
                target = summary.packet if choice == "open" else summary.packet.parent
                if not prompts.open_url(QUrl.fromLocalFile(str(target))):
                    prompts.show_error(self, self.tr("Could not open it"), self.tr(
                        "No program on this computer opened {path}. The packet is saved there.").format(path=target))

        def failed(message: str) -> None:
            finished()
            prompts.show_error(self, self.tr("The packet was not written"), message)

        def cancelled() -> None:
            finished()
            session.notice.emit(self.tr("Export cancelled; nothing was written."))

        def progress(done_count: int, total: int) -> None:
            self.export_progress.setRange(0, max(1, total))
            self.export_progress.setValue(done_count)
            self.export_label.setText(self.tr("Writing page {n} of {total}…").format(n=done_count, total=total))

        self._export_busy(self.tr("Writing the packet…"))
        session.notice.emit(self.tr("Writing the packet…"))
        self._export_task = session.run_task(work, "export", done=done, failed=failed, cancelled=cancelled,
                                             progress=progress)

    @property
    def exporting(self) -> bool:
        return self._export_task is not None or (self._portal is not None and self._portal.running)

    def cancel_export(self) -> None:
        if not self.exporting:
            return
        if self._export_task is not None:
            self._export_task.cancel()
        elif self._portal is not None:
            self._portal.cancel()
        self.cancel_button.setEnabled(False)
        self.export_label.setText(self.tr("Cancelling…"))

    def _export_busy(self, status: str) -> None:
        """The packet's or a portal's files being written: progress, Cancel, and no second export meanwhile."""
        self.export_button.setEnabled(False)
        self.portal_button.setEnabled(False)
        self.export_progress.setRange(0, 0)
        self.export_label.setText(status)
        for widget in (self.export_progress, self.cancel_button, self.export_label):
            widget.show()
        self.cancel_button.setEnabled(True)

    def _export_idle(self) -> None:
        for widget in (self.export_progress, self.cancel_button, self.export_label):
            widget.hide()
        self.export_button.setEnabled(self.session.result.ready)
        self.portal_button.setEnabled(True)
