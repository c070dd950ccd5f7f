"""Review and export: every finding of the packet, grouped by requirement, each a click away from its fix.

The Export button stays disabled while errors remain and says why; the gate itself lives in ``packet`` (export
refuses too), the page only mirrors the validation result. The export dialog proper (bundle, password, paper) is a
later issue: for now the button asks where to save and writes the packet with ``packet.export.export_vault``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ecfmg_desk.ui import prompts
from ecfmg_desk.ui.models import REQUIREMENT_ROLE, FindingsModel
from ecfmg_desk.ui.session import Session
from ecfmg_desk.ui.widgets import StatusBadge, heading, icon_button, muted, wrapping
from ecfmg_desk.ui.words import plural


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

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._export_task: Any = None
        self._stale = True
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.setSpacing(10)
        header = QHBoxLayout()
        header.addWidget(heading(self.tr("Review and export"), 1, self), 1)
        self.badge = StatusBadge(self, size=20)
        header.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(header)
        self.summary_label = wrapping("", self)
        self.summary_label.setAccessibleName(self.tr("Packet summary"))
        layout.addWidget(self.summary_label)

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
        layout.addWidget(self.view, 1)
        self.hint_label = muted(wrapping(self.tr(
            "Double-click a problem (or select it and press Enter) to open the item and fix it."), self))
        layout.addWidget(self.hint_label)

        bottom = QHBoxLayout()
        self.export_reason = wrapping("", self)
        self.export_reason.setAccessibleName(self.tr("Why export is not available"))
        self.export_button = icon_button("export", self.tr("Export packet…"), self)
        self.export_button.setAccessibleName(self.tr("Export packet"))
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.export)
        self.export_progress = QProgressBar(self)
        self.export_progress.setFixedWidth(180)
        self.export_progress.setAccessibleName(self.tr("Export progress"))
        self.export_progress.hide()
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.setAccessibleName(self.tr("Cancel the export"))
        self.cancel_button.clicked.connect(self.cancel_export)
        self.cancel_button.hide()
        bottom.addWidget(self.export_reason, 1)
        bottom.addWidget(self.export_progress, 0, Qt.AlignmentFlag.AlignBottom)
        bottom.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignBottom)
        bottom.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addLayout(bottom)
        session.changed.connect(self.refresh)
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        if self._stale:
            self.refresh()
        super().showEvent(event)

    def refresh(self) -> None:
        """Redraw from the session; a hidden page only notes that it must (imports stay smooth)."""
        if not self.isVisible():
            self._stale = True
            return
        self._stale = False
        result = self.session.result
        self.model.update(result.findings, self.session.states)
        self.view.expandAll()
        ready, required = self.session.progress()
        errors, warnings = len(result.errors), len(result.warnings)
        if result.ready:
            self.badge.set_status("ready", self.tr("Ready to export"))
        else:
            self.badge.set_status("attention", self.tr("Needs attention"))
        parts = [self.tr("{ready} of {required} required items ready.").format(ready=ready, required=required)]
        if errors:
            parts.append(self.tr("Below is everything that is left, in checklist order."))
        if warnings:
            parts.append(plural(warnings, self.tr("warning is"), self.tr("warnings are"))
                         + self.tr(" worth checking; they do not block export."))
        if not result.findings:
            parts.append(self.tr("No problems found: your packet is ready."))
        self.summary_label.setText(" ".join(parts))
        self.view.setVisible(bool(result.findings))
        self.hint_label.setVisible(bool(result.findings))
        self.export_button.setEnabled(result.ready and self._export_task is None)
        if result.ready:
            self.export_reason.setText(self.tr("Everything required is ready. Export writes one PDF packet with "
                                               "each document followed by its translation."))
        else:
            self.export_reason.setText(plural(errors, self.tr("problem must be fixed"),
                                              self.tr("problems must be fixed")) + self.tr(" before export."))
        self.export_button.setToolTip("" if result.ready else self.export_reason.text())

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

    def export(self) -> None:
        """Ask where to save, then write the packet PDF in the background (the full export dialog, with the
        advisor bundle, a password and the paper size, is a later issue)."""
        if not self.session.result.ready or self._export_task is not None:
            return
        profile = self.session.profile
        stem = "-".join(p for p in (profile.family_name, profile.given_names) if p).replace(" ", "-") or "packet"
        suggested = Path.home() / f"ECFMG-packet-{stem}.pdf"
        out = prompts.choose_save_path(self, self.tr("Save the packet"), suggested, self.tr("PDF files (*.pdf)"))
        if out is None:
            return
        if out.suffix.lower() != ".pdf":
            out = out.with_name(out.name + ".pdf")
        self._run_export(out)

    def _run_export(self, out: Path) -> None:
        from ecfmg_desk.packet.export import ExportSummary, export_vault

        session = self.session

        def work(report: Callable[[int, int], None], cancelled: Callable[[], bool]) -> ExportSummary:
            return export_vault(session.vault, session.catalog, out=out, bundle=None, as_of=session.as_of,
                                password=None, paper="letter", progress=report, cancel=cancelled)

        def finished() -> None:
            self._export_task = None
            self.export_progress.hide()
            self.cancel_button.hide()
            self.export_button.setEnabled(self.session.result.ready)

        def done(summary: object) -> None:
            finished()
            assert isinstance(summary, ExportSummary)
            lines = [self.tr("Your packet is ready: {path} ({pages}).").format(
                path=summary.packet, pages=plural(summary.pages, self.tr("page"), self.tr("pages")))]
            lines += list(summary.warnings)
            session.notice.emit(self.tr("Packet written."))
            prompts.show_info(self, self.tr("Packet written"), "\n\n".join(lines))

        def failed(message: str) -> None:
            finished()
            prompts.show_error(self, self.tr("The packet was not written"), message)

        def cancelled() -> None:
            finished()
            session.notice.emit(self.tr("Export cancelled; nothing was written."))

        def progress(done_count: int, total: int) -> None:
            self.export_progress.setRange(0, max(1, total))
            self.export_progress.setValue(done_count)

        self.export_button.setEnabled(False)
        self.export_progress.setRange(0, 0)
        self.export_progress.show()
        self.cancel_button.show()
        session.notice.emit(self.tr("Writing the packet…"))
        self._export_task = session.run_task(work, "export", done=done, failed=failed, cancelled=cancelled,
                                             progress=progress)

    def cancel_export(self) -> None:
        if self._export_task is not None:
            self._export_task.cancel()
