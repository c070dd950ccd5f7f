"""The "Clinical experience" page: rotations and their paperwork, certificates, letters, and the ERAS summary.

Three tabs, so it fits a 1024×600 window:

- **Rotations**: a sortable table (a Qt item model) beside the selected rotation's details — its paperwork tasks,
  the certificates and letters linked to it. A certificate is linked by dragging it (from the list under the
  details, or a file from the desktop) onto a rotation's row.
- **Letters**: a board with one column per status; drag a letter across it (or use "Move to …"), and write the
  one-page request sheet for its writer.
- **Summary for ERAS**: weeks hands-on and not, by specialty, as text to copy into MyERAS; export to CSV.

Everything shown comes from the view (``view.rotations``, ``view.letters``, ``view.documents``); changes go
through :class:`~ecfmg_desk.ui.clinical_edit.ClinicalEditor`, which exists only when the page was given an editor
(the student's window). An advisor's review shows the same page without any control that changes anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QDrag, QDragEnterEvent, QDragMoveEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ecfmg_desk.core.clinical import (
    LETTER_STATUSES,
    ROTATION_KINDS,
    ROTATION_STATUSES,
    Letter,
    Rotation,
    eras_summary,
    totals,
)
from ecfmg_desk.core.model import Document
from ecfmg_desk.errors import DeskError
from ecfmg_desk.ui import prompts
from ecfmg_desk.ui.clinical_edit import CLINICAL_REQUIREMENT, ClinicalEditor
from ecfmg_desk.ui.clinical_models import (
    DOCUMENT_MIME,
    LETTER_MIME,
    ROTATION_ROLE,
    RotationsModel,
    RotationsProxy,
    kind_word,
    letter_status_word,
    rotation_status_word,
    weeks_text,
)
from ecfmg_desk.ui.view import PacketEditor, PacketView
from ecfmg_desk.ui.widgets import DateField, RedrawWhenShown, heading, icon_button, local_paths, muted, wrapping
from ecfmg_desk.ui.words import format_date, tr

ID_ROLE = Qt.ItemDataRole.UserRole + 40
CSV_FILTER = "CSV files (*.csv);;All files (*)"
PDF_FILTER = "PDF files (*.pdf);;All files (*)"


def _plain(label: QLabel) -> QLabel:
    """Everything on this page comes from the applicant or a bundle: never rendered as rich text."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def _intro(label: QLabel) -> QLabel:
    """A muted line above a tab's content that never takes the content's space."""
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
    return muted(label)


def _linked(documents: Sequence[Document], key: str, record_id: str) -> list[Document]:
    return [d for d in documents if dict(getattr(d, "fields", {})).get(key) == record_id]


# ============================================================================================== the page


class ClinicalPage(QWidget):
    """Rotations, letters and the ERAS summary (see the module docstring)."""

    navigate = Signal(str)

    def __init__(self, view: PacketView, editor: PacketEditor | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.editing = ClinicalEditor(view, editor) if editor is not None else None
        self.setAccessibleName(tr("Clinical experience"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 12)
        layout.setSpacing(8)
        layout.addWidget(heading(tr("Clinical experience"), 1, self))
        self.totals_label = _plain(muted(wrapping("", self)))
        self.totals_label.setAccessibleName(tr("Weeks of clinical experience"))
        layout.addWidget(self.totals_label)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName(tr("Clinical experience sections"))
        self.rotations_tab = RotationsTab(self)
        self.letters_tab = LettersTab(self)
        self.summary_tab = SummaryTab(self)
        self.tabs.addTab(self.rotations_tab, tr("Rotations"))
        self.tabs.addTab(self.letters_tab, tr("Letters"))
        self.tabs.addTab(self.summary_tab, tr("Summary for ERAS"))
        layout.addWidget(self.tabs, 1)
        self._redraw = RedrawWhenShown(self, self.redraw)
        view.changed.connect(self.refresh)
        self.redraw()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._redraw.shown()

    def refresh(self) -> None:
        """The view changed: redraw now when shown, else when next shown (imports stay smooth)."""
        if self._redraw.due():
            self.redraw()

    def redraw(self) -> None:
        self._redraw.stale = False
        total = totals(self.view.rotations)
        text = tr("Hands-on: {hands} · Observership: {obs}").format(
            hands=weeks_text(total.hands_on_weeks), obs=weeks_text(total.observership_weeks))
        if total.research_weeks:
            text += " · " + tr("Research: {weeks}").format(weeks=weeks_text(total.research_weeks))
        self.totals_label.setText(text if self.view.rotations else tr(
            "No rotations yet. Clerkships, electives and externships count as hands-on; observerships do not."))
        self.rotations_tab.redraw()
        self.letters_tab.redraw()
        self.summary_tab.redraw()

    def fail(self, message: str) -> None:
        prompts.show_error(self, tr("Clinical experience"), message)

    def rotation_title(self, rotation: Rotation) -> str:
        return tr("{kind} in {specialty}, {institution}").format(
            kind=kind_word(rotation.kind), specialty=rotation.specialty, institution=rotation.institution)


# ============================================================================================ rotations


class RotationsTable(QTableView):
    """The rotations table; a certificate (or a file) dropped on a row is linked to that rotation."""

    documents_dropped = Signal(str, list)
    """(rotation id, document ids)"""
    files_dropped = Signal(str, list)
    """(rotation id, local paths)"""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setDropIndicatorShown(True)

    def _rotation_at(self, pos: QPoint) -> str | None:
        index = self.indexAt(pos)
        value = index.data(ROTATION_ROLE) if index.isValid() else None
        return str(value) if value else None

    @staticmethod
    def _acceptable(mime: QMimeData) -> bool:
        return mime.hasFormat(DOCUMENT_MIME) or bool(local_paths(mime))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._acceptable(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._acceptable(event.mimeData()) and self._rotation_at(event.position().toPoint()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        rotation_id = self._rotation_at(event.position().toPoint())
        mime = event.mimeData()
        if rotation_id is None or not self._acceptable(mime):
            event.ignore()
            return
        event.acceptProposedAction()
        if mime.hasFormat(DOCUMENT_MIME):
            ids = [i for i in bytes(mime.data(DOCUMENT_MIME).data()).decode("utf-8", "replace").split() if i]
            self.documents_dropped.emit(rotation_id, ids)
        else:
            self.files_dropped.emit(rotation_id, local_paths(mime))


class DocumentList(QListWidget):
    """A list of vault documents that can be dragged (onto a rotation's row)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)

    def mimeData(self, items: Sequence[QListWidgetItem]) -> QMimeData:
        mime = QMimeData()
        ids = "\n".join(str(item.data(ID_ROLE)) for item in items if item.data(ID_ROLE))
        mime.setData(DOCUMENT_MIME, ids.encode("utf-8"))
        return mime

    def mimeTypes(self) -> list[str]:
        return [DOCUMENT_MIME]


class RotationsTab(QWidget):
    def __init__(self, page: ClinicalPage) -> None:
        super().__init__(page)
        self.page = page
        self.model = RotationsModel(self)
        self.proxy = RotationsProxy(self)
        self.proxy.setSourceModel(self.model)
        self._selected: str | None = None
        self._split_shown = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        bar = QHBoxLayout()
        self.add_button: QPushButton | None = None
        if page.editing is not None:
            self.add_button = icon_button("add", tr("Add rotation"), self)
            self.add_button.clicked.connect(self.start_add)
            bar.addWidget(self.add_button)
        self.csv_button = icon_button("export", tr("Export to CSV…"), self)
        self.csv_button.clicked.connect(self.export_csv)
        bar.addWidget(self.csv_button)
        bar.addStretch(1)
        layout.addLayout(bar)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)
        self.table = RotationsTable(splitter)
        self.table.setAccessibleName(tr("Rotations"))
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(False)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.documents_dropped.connect(self._documents_dropped)
        self.table.files_dropped.connect(self._files_dropped)
        self.table.setMinimumWidth(300)

        self.side = QStackedWidget(splitter)
        self.side.setMinimumWidth(300)
        self.detail = RotationDetail(self)
        scroll = QScrollArea(self.side)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.detail)
        self.side.addWidget(scroll)
        self.form: RotationForm | None = None
        if page.editing is not None:
            self.form = RotationForm(self)
            form_scroll = QScrollArea(self.side)
            form_scroll.setWidgetResizable(True)
            form_scroll.setFrameShape(QFrame.Shape.NoFrame)
            form_scroll.setWidget(self.form)
            self.side.addWidget(form_scroll)
            self.form.saved.connect(self._form_saved)
            self.form.cancelled.connect(lambda: self.side.setCurrentIndex(0))
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.splitter = splitter
        layout.addWidget(splitter, 1)

    NARROW_PX = 820
    """Below this width the details go under the table (a 1024×600 window), beside it above."""

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if not self._split_shown and self.splitter.orientation() == Qt.Orientation.Horizontal:
            # the 3:2 split of the width it is first shown at: the page is built when first opened, and the
            # widths it passed through on the way would otherwise decide the table's share
            self._split_shown = True
            width = self.splitter.width()
            self.splitter.setSizes([width * 3 // 5, width - width * 3 // 5])

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        wanted = Qt.Orientation.Vertical if self.width() < self.NARROW_PX else Qt.Orientation.Horizontal
        if self.splitter.orientation() != wanted:
            self.splitter.setOrientation(wanted)
            if wanted == Qt.Orientation.Vertical:
                self.table.setMinimumWidth(0)
                self.side.setMinimumWidth(0)
                self.table.setMinimumHeight(90)
                self.splitter.setSizes([140, max(200, self.height() - 180)])
            else:
                self.table.setMinimumWidth(300)
                self.side.setMinimumWidth(300)
                self.splitter.setSizes([self.width() * 3 // 5, self.width() * 2 // 5])

    # -- drawing --------------------------------------------------------------------------------------------

    def redraw(self) -> None:
        rotations = self.page.view.rotations
        keep = self._selected
        self.model.set_rotations(rotations)
        self.table.resizeColumnsToContents()
        for column in range(self.model.columnCount()):
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), 240))
        if keep is None or self.model.row_of(keep) < 0:
            keep = rotations[0].id if rotations else None
        self.select(keep)
        self.csv_button.setEnabled(bool(rotations))

    def select(self, rotation_id: str | None) -> None:
        self._selected = rotation_id
        row = self.model.row_of(rotation_id) if rotation_id else -1
        if row >= 0:
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            self.table.selectionModel().setCurrentIndex(
                index, self.table.selectionModel().SelectionFlag.ClearAndSelect
                | self.table.selectionModel().SelectionFlag.Rows)
        self.detail.show_rotation(self.current())

    def current(self) -> Rotation | None:
        return next((r for r in self.page.view.rotations if r.id == self._selected), None)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        value = current.data(ROTATION_ROLE) if current.isValid() else None
        self._selected = str(value) if value else None
        self.detail.show_rotation(self.current())
        if self.side.currentIndex() != 0 and self.form is not None and self.form.editing_id is not None:
            self.side.setCurrentIndex(0)

    # -- actions --------------------------------------------------------------------------------------------

    def start_add(self) -> None:
        if self.form is not None:
            self.form.load(None)
            self.side.setCurrentIndex(1)
            self.form.institution.setFocus()

    def start_edit(self) -> None:
        rotation = self.current()
        if self.form is not None and rotation is not None:
            self.form.load(rotation)
            self.side.setCurrentIndex(1)

    def _form_saved(self, rotation_id: str) -> None:
        self.side.setCurrentIndex(0)
        self.select(rotation_id)

    def remove_current(self) -> None:
        rotation = self.current()
        editing = self.page.editing
        if rotation is None or editing is None:
            return
        letters = [x for x in self.page.view.letters if x.rotation == rotation.id]
        documents = _linked(self.page.view.documents, "rotation", rotation.id)
        if (letters or documents) and not prompts.ask_yes_no(
            self, tr("Remove rotation"),
            tr("{title} has {letters} and {documents} linked to it. Remove it anyway? They stay in your vault, "
               "unlinked, and Edit → Undo brings the rotation back with its links.").format(
                title=self.page.rotation_title(rotation),
                letters=tr("1 letter") if len(letters) == 1 else tr("{n} letters").format(n=len(letters)),
                documents=tr("1 certificate") if len(documents) == 1
                else tr("{n} certificates").format(n=len(documents))),
            yes=tr("Remove"), no=tr("Keep")):
            return
        try:
            editing.remove_rotation(rotation.id)
        except DeskError as exc:
            self.page.fail(exc.message)

    def _documents_dropped(self, rotation_id: str, ids: list[str]) -> None:
        editing = self.page.editing
        if editing is None:
            return
        try:
            linked = editing.link_documents(ids, "rotation", rotation_id)
        except DeskError as exc:
            self.page.fail(exc.message)
            return
        self.select(rotation_id)
        if linked:
            self.page.view.notice.emit(tr("Linked the certificate to the rotation."))

    def _files_dropped(self, rotation_id: str, paths: list[Path]) -> None:
        editing = self.page.editing
        if editing is None or not paths:
            return
        editing.import_certificate(rotation_id, paths, done=lambda _doc: self.select(rotation_id),
                                   failed=self.page.fail)

    def export_csv(self) -> None:
        from ecfmg_desk.packet.clinical import write_rotations_csv

        out = prompts.choose_save_path(self, tr("Export rotations"), Path.home() / "rotations.csv", CSV_FILTER)
        if out is None:
            return
        try:
            count = write_rotations_csv(self.page.view.rotations, self.page.view.letters, out)
        except DeskError as exc:
            self.page.fail(exc.message)
            return
        self.page.view.notice.emit(tr("Wrote {n} rotations to {name}.").format(n=count, name=out.name))


class RotationDetail(QWidget):
    """The selected rotation: facts, paperwork tasks, linked certificates and letters."""

    def __init__(self, tab: RotationsTab) -> None:
        super().__init__(tab)
        self.tab = tab
        page = tab.page
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 0, 4, 8)
        self.title = _plain(heading("", 2, self))
        self.facts = _plain(wrapping("", self, selectable=True))
        self.facts.setAccessibleName(tr("Rotation details"))
        layout.addWidget(self.title)
        layout.addWidget(self.facts)
        buttons = QHBoxLayout()
        self.edit_button: QPushButton | None = None
        self.remove_button: QPushButton | None = None
        if page.editing is not None:
            self.edit_button = QPushButton(tr("Edit…"), self)
            self.edit_button.setAccessibleName(tr("Edit rotation"))
            self.edit_button.clicked.connect(tab.start_edit)
            self.remove_button = icon_button("remove", tr("Remove"), self)
            self.remove_button.setAccessibleName(tr("Remove rotation"))
            self.remove_button.clicked.connect(tab.remove_current)
            buttons.addWidget(self.edit_button)
            buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        layout.addWidget(heading(tr("Paperwork"), 3, self))
        self.tasks = QListWidget(self)
        self.tasks.setAccessibleName(tr("Paperwork tasks"))
        self.tasks.setWordWrap(True)
        self.tasks.setMinimumHeight(60)
        self.tasks.setMaximumHeight(120)
        self.tasks.itemChanged.connect(self._task_ticked)
        layout.addWidget(self.tasks)
        self.task_title: QLineEdit | None = None
        self.task_due: DateField | None = None
        if page.editing is not None:
            row = QHBoxLayout()
            self.task_title = QLineEdit(self)
            self.task_title.setPlaceholderText(tr("New task, e.g. immunisation record"))
            self.task_title.setAccessibleName(tr("New task"))
            self.task_title.returnPressed.connect(self.add_task)
            self.task_due = DateField(self)
            self.task_due.setAccessibleName(tr("Task due date"))
            self.task_add = QPushButton(tr("Add task"), self)
            self.task_add.clicked.connect(self.add_task)
            self.task_remove = QPushButton(tr("Remove task"), self)
            self.task_remove.clicked.connect(self.remove_task)
            row.addWidget(self.task_title, 1)
            row.addWidget(self.task_due)
            layout.addLayout(row)
            row2 = QHBoxLayout()
            row2.addWidget(self.task_add)
            row2.addWidget(self.task_remove)
            row2.addStretch(1)
            layout.addLayout(row2)

        layout.addWidget(heading(tr("Certificates"), 3, self))
        self.certificates = QListWidget(self)
        self.certificates.setAccessibleName(tr("Certificates linked to this rotation"))
        self.certificates.setMaximumHeight(90)
        layout.addWidget(self.certificates)
        self.unlinked_label = _plain(muted(wrapping(tr(
            "Certificates not linked to a rotation yet: drag one onto its rotation in the table."), self)))
        self.unlinked = DocumentList(self)
        self.unlinked.setAccessibleName(tr("Certificates not linked to a rotation"))
        self.unlinked.setMaximumHeight(90)
        if page.editing is not None:
            layout.addWidget(self.unlinked_label)
            layout.addWidget(self.unlinked)
        else:
            self.unlinked_label.hide()
            self.unlinked.hide()

        layout.addWidget(heading(tr("Letters"), 3, self))
        self.letters = _plain(wrapping("", self))
        self.letters.setAccessibleName(tr("Letters from this rotation"))
        layout.addWidget(self.letters)
        layout.addStretch(1)
        self._rotation: Rotation | None = None

    def show_rotation(self, rotation: Rotation | None) -> None:
        self._rotation = rotation
        view = self.tab.page.view
        for button in (self.edit_button, self.remove_button):
            if button is not None:
                button.setEnabled(rotation is not None)
        self.tasks.blockSignals(True)
        self.tasks.clear()
        self.certificates.clear()
        self.unlinked.clear()
        for document in view.documents:
            if document.requirement == CLINICAL_REQUIREMENT and not dict(getattr(document, "fields", {})).get(
                    "rotation"):
                item = QListWidgetItem(view.title_of(document), self.unlinked)
                item.setData(ID_ROLE, document.id)
        if rotation is None:
            self.title.setText(tr("No rotation selected"))
            self.facts.setText(tr("Add a rotation to keep its dates, paperwork, certificate and letter together.")
                               if self.tab.page.editing is not None else "")
            self.letters.setText("")
            self.tasks.blockSignals(False)
            return
        self.title.setText(self.tab.page.rotation_title(rotation))
        lines = [
            f"{format_date(rotation.start)} – {format_date(rotation.end)} · {weeks_text(rotation.weeks)} · "
            + (tr("hands-on") if rotation.hands_on else tr("not hands-on")),
            tr("Status: {status}").format(status=rotation_status_word(rotation.status)),
        ]
        if rotation.supervisor:
            lines.append(tr("Supervisor: {name}").format(name=rotation.supervisor))
        if rotation.notes:
            lines.append(rotation.notes)
        self.facts.setText("\n".join(lines))
        editable = self.tab.page.editing is not None
        for task in rotation.tasks:
            text = task.title + (" · " + tr("due {date}").format(date=format_date(task.due)) if task.due else "")
            item = QListWidgetItem(text, self.tasks)
            item.setData(ID_ROLE, task.id)
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if editable:
                flags |= Qt.ItemFlag.ItemIsUserCheckable
            item.setFlags(flags)
            item.setCheckState(Qt.CheckState.Checked if task.done else Qt.CheckState.Unchecked)
            item.setData(Qt.ItemDataRole.AccessibleTextRole,
                         text + ", " + (tr("done") if task.done else tr("to do")))
        if not rotation.tasks:
            placeholder = QListWidgetItem(tr("No paperwork listed."), self.tasks)
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
        self.tasks.blockSignals(False)
        for document in _linked(view.documents, "rotation", rotation.id):
            item = QListWidgetItem(view.title_of(document), self.certificates)
            item.setData(ID_ROLE, document.id)
        if self.certificates.count() == 0:
            empty = QListWidgetItem(tr("None linked yet."), self.certificates)
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
        letters = [x for x in view.letters if x.rotation == rotation.id]
        self.letters.setText("\n".join(
            f"{x.writer} · {letter_status_word(x.status)}" for x in letters
        ) or (tr("No letter requested yet.") if rotation.status == "completed" else tr("None yet.")))

    def _task_ticked(self, item: QListWidgetItem) -> None:
        editing = self.tab.page.editing
        rotation = self._rotation
        task_id = item.data(ID_ROLE)
        if editing is None or rotation is None or not task_id:
            return
        done = item.checkState() == Qt.CheckState.Checked
        try:
            editing.set_task_done(rotation.id, str(task_id), done)
        except DeskError as exc:
            self.tab.page.fail(exc.message)

    def add_task(self) -> None:
        editing = self.tab.page.editing
        rotation = self._rotation
        if editing is None or rotation is None or self.task_title is None or self.task_due is None:
            return
        title = self.task_title.text().strip()
        if not title:
            self.task_title.setFocus()
            return
        try:
            editing.add_task(rotation.id, title, self.task_due.value())
        except DeskError as exc:
            self.tab.page.fail(exc.message)
            return
        self.task_title.clear()
        self.task_due.set_value(None)

    def remove_task(self) -> None:
        editing = self.tab.page.editing
        rotation = self._rotation
        item = self.tasks.currentItem()
        if editing is None or rotation is None or item is None or not item.data(ID_ROLE):
            return
        try:
            editing.remove_task(rotation.id, str(item.data(ID_ROLE)))
        except DeskError as exc:
            self.tab.page.fail(exc.message)


class RotationForm(QWidget):
    """Add or edit a rotation (in place of the details: no modal dialog)."""

    saved = Signal(str)
    cancelled = Signal()

    def __init__(self, tab: RotationsTab) -> None:
        super().__init__(tab)
        self.tab = tab
        self.editing_id: str | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 0, 4, 8)
        self.heading = heading(tr("New rotation"), 2, self)
        layout.addWidget(self.heading)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.kind = QComboBox(self)
        self.kind.setAccessibleName(tr("Kind"))
        for kind in ROTATION_KINDS:
            self.kind.addItem(kind_word(kind) + ("" if kind in ("clerkship", "elective", "externship")
                                                 else " " + tr("(not hands-on)")), kind)
        self.institution = QLineEdit(self)
        self.institution.setAccessibleName(tr("Institution"))
        self.institution.setPlaceholderText(tr("hospital or clinic"))
        self.specialty = QLineEdit(self)
        self.specialty.setAccessibleName(tr("Specialty"))
        self.specialty.setPlaceholderText(tr("e.g. Internal Medicine"))
        self.supervisor = QLineEdit(self)
        self.supervisor.setAccessibleName(tr("Supervisor"))
        self.start = DateField(self)
        self.start.setAccessibleName(tr("First day"))
        self.end = DateField(self)
        self.end.setAccessibleName(tr("Last day"))
        self.status = QComboBox(self)
        self.status.setAccessibleName(tr("Status"))
        for status in ROTATION_STATUSES:
            self.status.addItem(rotation_status_word(status), status)
        self.notes = QLineEdit(self)
        self.notes.setAccessibleName(tr("Notes"))
        form.addRow(tr("&Kind:"), self.kind)
        form.addRow(tr("&Institution:"), self.institution)
        form.addRow(tr("&Specialty:"), self.specialty)
        form.addRow(tr("Su&pervisor:"), self.supervisor)
        form.addRow(tr("&First day:"), self.start)
        form.addRow(tr("&Last day:"), self.end)
        form.addRow(tr("S&tatus:"), self.status)
        form.addRow(tr("&Notes:"), self.notes)
        layout.addLayout(form)
        self.error = _plain(wrapping("", self))
        self.error.setAccessibleName(tr("Problem with the rotation"))
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QHBoxLayout()
        self.save_button = QPushButton(tr("Add rotation"), self)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        cancel = QPushButton(tr("Cancel"), self)
        cancel.clicked.connect(self.cancelled.emit)
        buttons.addWidget(self.save_button)
        buttons.addWidget(cancel)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addStretch(1)

    def load(self, rotation: Rotation | None) -> None:
        self.editing_id = rotation.id if rotation else None
        self.heading.setText(tr("Edit rotation") if rotation else tr("New rotation"))
        self.save_button.setText(tr("Save changes") if rotation else tr("Add rotation"))
        self.kind.setCurrentIndex(max(0, self.kind.findData(rotation.kind if rotation else "clerkship")))
        self.institution.setText(rotation.institution if rotation else "")
        self.specialty.setText(rotation.specialty if rotation else "")
        self.supervisor.setText((rotation.supervisor or "") if rotation else "")
        self.start.set_value(rotation.start if rotation else None)
        self.end.set_value(rotation.end if rotation else None)
        self.status.setCurrentIndex(max(0, self.status.findData(rotation.status if rotation else "planned")))
        self.notes.setText((rotation.notes or "") if rotation else "")
        self.error.hide()

    def values(self) -> dict[str, Any]:
        return {
            "kind": self.kind.currentData(),
            "institution": self.institution.text(),
            "specialty": self.specialty.text(),
            "supervisor": self.supervisor.text().strip() or None,
            "start": self.start.value(),
            "end": self.end.value(),
            "status": self.status.currentData(),
            "notes": self.notes.text().strip() or None,
        }

    def save(self) -> None:
        editing = self.tab.page.editing
        if editing is None:
            return
        values = self.values()
        missing = [word for key, word in (("start", tr("the first day")), ("end", tr("the last day")))
                   if values[key] is None]
        try:
            if missing:
                raise DeskError(tr("Give {what} of the rotation.").format(what=tr(" and ").join(missing)))
            if self.editing_id is None:
                rotation_id = editing.add_rotation(values).id
            else:
                rotation_id = editing.edit_rotation(self.editing_id, values).id
        except DeskError as exc:
            self.error.setText(exc.message)
            self.error.show()
            return
        self.error.hide()
        self.saved.emit(rotation_id)


# ============================================================================================== letters


class LetterColumn(QListWidget):
    """One status column of the letters board; a letter dropped here moves to this status."""

    dropped = Signal(str, str)
    """(letter id, this column's status)"""

    def __init__(self, status: str, parent: QWidget | None = None, *, movable: bool = True) -> None:
        super().__init__(parent)
        self.status = status
        self.setAccessibleName(tr("Letters: {status}").format(status=letter_status_word(status)))
        self.setWordWrap(True)
        self.setDragEnabled(movable)
        self.setAcceptDrops(movable)
        self.viewport().setAcceptDrops(movable)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop if movable
                             else QAbstractItemView.DragDropMode.NoDragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)

    def mimeTypes(self) -> list[str]:
        return [LETTER_MIME]

    def mimeData(self, items: Sequence[QListWidgetItem]) -> QMimeData:
        mime = QMimeData()
        if items:
            mime.setData(LETTER_MIME, str(items[0].data(ID_ROLE)).encode("utf-8"))
        return mime

    def startDrag(self, supported: Qt.DropAction) -> None:
        item = self.currentItem()
        if item is None or not item.data(ID_ROLE):
            return
        drag = QDrag(self)
        drag.setMimeData(self.mimeData([item]))
        drag.exec(Qt.DropAction.MoveAction)  # the board redraws from the vault; nothing to remove here

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(LETTER_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.mimeData().hasFormat(LETTER_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        mime = event.mimeData()
        if not mime.hasFormat(LETTER_MIME):
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)  # never let Qt delete the source item itself
        event.accept()
        letter_id = bytes(mime.data(LETTER_MIME).data()).decode("utf-8", "replace").strip()
        if letter_id:
            self.dropped.emit(letter_id, self.status)


class LettersTab(QWidget):
    def __init__(self, page: ClinicalPage) -> None:
        super().__init__(page)
        self.page = page
        editable = page.editing is not None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        intro = _intro(wrapping(tr(
            "Each letter goes from requested to promised, then your writer uploads it to the AAMC Letters of "
            "Recommendation Portal and you assign it to programs in MyERAS.")
            + (" " + tr("Drag a letter to the column it has reached.") if editable else ""), self))
        layout.addWidget(intro)
        board = QHBoxLayout()
        self.columns: dict[str, LetterColumn] = {}
        for status in LETTER_STATUSES:
            box = QVBoxLayout()
            title = heading(letter_status_word(status), 3, self)
            column = LetterColumn(status, self, movable=editable)
            column.setMinimumWidth(120)
            column.dropped.connect(self._dropped)
            column.currentItemChanged.connect(lambda current, _previous, c=column: self._picked(c, current))
            self.columns[status] = column
            box.addWidget(title)
            box.addWidget(column, 1)
            board.addLayout(box, 1)
        layout.addLayout(board, 1)
        self.detail = _plain(wrapping("", self, selectable=True))
        self.detail.setAccessibleName(tr("Letter details"))
        layout.addWidget(self.detail)
        self._selected: str | None = None

        self.form: LetterForm | None = None
        if editable:
            buttons = QHBoxLayout()
            self.add_button = icon_button("add", tr("Add letter"), self)
            self.add_button.clicked.connect(lambda: self._open_form(None))
            self.edit_button = QPushButton(tr("Edit…"), self)
            self.edit_button.setAccessibleName(tr("Edit letter"))
            self.edit_button.clicked.connect(lambda: self._open_form(self.current()))
            self.next_button = icon_button("next", tr("Move on"), self)
            self.next_button.setAccessibleName(tr("Move the letter to the next column"))
            self.next_button.clicked.connect(self.move_on)
            self.sheet_button = icon_button("export", tr("Request sheet…"), self)
            self.sheet_button.setToolTip(tr("A one-page PDF for the writer: the Letter ID, the due date and the "
                                            "portal's file rules"))
            self.sheet_button.clicked.connect(self.write_sheet)
            self.remove_button = icon_button("remove", tr("Remove"), self)
            self.remove_button.setAccessibleName(tr("Remove letter"))
            self.remove_button.clicked.connect(self.remove_current)
            for button in (self.add_button, self.edit_button, self.next_button, self.sheet_button,
                           self.remove_button):
                buttons.addWidget(button)
            buttons.addStretch(1)
            layout.addLayout(buttons)
            self.form = LetterForm(self)
            self.form.hide()
            self.form.done.connect(self._form_done)
            layout.addWidget(self.form)

    def current(self) -> Letter | None:
        return next((x for x in self.page.view.letters if x.id == self._selected), None)

    def redraw(self) -> None:
        view = self.page.view
        rotations = {r.id: r for r in view.rotations}
        for status, column in self.columns.items():
            column.blockSignals(True)
            column.clear()
            for letter in (x for x in view.letters if x.status == status):
                where = rotations.get(letter.rotation or "")
                text = letter.writer + (f"\n{where.specialty}" if where else "")
                if letter.due:
                    text += "\n" + tr("due {date}").format(date=format_date(letter.due))
                item = QListWidgetItem(text, column)
                item.setData(ID_ROLE, letter.id)
                item.setData(Qt.ItemDataRole.AccessibleTextRole, text.replace("\n", ", "))
                if letter.id == self._selected:
                    column.setCurrentItem(item)
            column.blockSignals(False)
        if self.current() is None:
            self._selected = None
        self._show_detail()

    def _picked(self, column: LetterColumn, item: QListWidgetItem | None) -> None:
        if item is None or not item.data(ID_ROLE):
            return
        self._selected = str(item.data(ID_ROLE))
        for other in self.columns.values():
            if other is not column:
                other.blockSignals(True)
                other.clearSelection()
                other.setCurrentRow(-1)
                other.blockSignals(False)
        self._show_detail()

    def _show_detail(self) -> None:
        letter = self.current()
        if letter is None:
            self.detail.setText(tr("No letters yet.") if not self.page.view.letters else tr("Select a letter."))
        else:
            rotation = next((r for r in self.page.view.rotations if r.id == letter.rotation), None)
            parts = [letter.writer + (f", {letter.writer_title}" if letter.writer_title else "")]
            if rotation is not None:
                parts.append(self.page.rotation_title(rotation))
            parts.append(tr("Letter ID: {id}").format(id=letter.letter_id or tr("not entered")))
            if letter.requested:
                parts.append(tr("requested {date}").format(date=format_date(letter.requested)))
            if letter.due:
                parts.append(tr("due {date}").format(date=format_date(letter.due)))
            self.detail.setText(" · ".join(parts))
        if self.page.editing is not None:
            for button in (self.edit_button, self.sheet_button, self.remove_button):
                button.setEnabled(letter is not None)
            self.next_button.setEnabled(letter is not None and letter.status != LETTER_STATUSES[-1])

    def _dropped(self, letter_id: str, status: str) -> None:
        self.move_letter(letter_id, status)

    def move_letter(self, letter_id: str, status: str) -> None:
        editing = self.page.editing
        if editing is None:
            return
        self._selected = letter_id
        try:
            editing.move_letter(letter_id, status)
        except DeskError as exc:
            self.page.fail(exc.message)

    def move_on(self) -> None:
        letter = self.current()
        if letter is None or letter.status not in LETTER_STATUSES:
            return
        index = LETTER_STATUSES.index(letter.status)
        if index + 1 < len(LETTER_STATUSES):
            self.move_letter(letter.id, LETTER_STATUSES[index + 1])

    def _open_form(self, letter: Letter | None) -> None:
        if self.form is not None:
            self.form.load(letter, self.page.view.rotations)
            self.form.show()
            self.form.writer.setFocus()

    def _form_done(self, letter_id: str) -> None:
        if self.form is not None:
            self.form.hide()
        if letter_id:
            self._selected = letter_id
            self.redraw()

    def write_sheet(self) -> None:
        letter = self.current()
        editing = self.page.editing
        if letter is None or editing is None:
            return
        safe = "".join(ch if ch.isalnum() else "-" for ch in letter.writer).strip("-") or "writer"
        out = prompts.choose_save_path(self, tr("Save the request sheet"), Path.home() / f"letter-request-{safe}.pdf",
                                       PDF_FILTER)
        if out is None:
            return
        try:
            editing.write_letter_sheet(letter.id, out)
        except DeskError as exc:
            self.page.fail(exc.message)
            return
        self.page.view.notice.emit(tr("Wrote the request sheet {name}.").format(name=out.name))

    def remove_current(self) -> None:
        letter = self.current()
        editing = self.page.editing
        if letter is None or editing is None:
            return
        try:
            editing.remove_letter(letter.id)
        except DeskError as exc:
            self.page.fail(exc.message)


class LetterForm(QFrame):
    """Add or edit a letter, under the board."""

    done = Signal(str)
    """The letter saved (its id), or "" when cancelled."""

    def __init__(self, tab: LettersTab) -> None:
        super().__init__(tab)
        self.tab = tab
        self.editing_id: str | None = None
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        grid = QHBoxLayout()
        left, right = QFormLayout(), QFormLayout()
        self.writer = QLineEdit(self)
        self.writer.setAccessibleName(tr("Writer"))
        self.writer_title = QLineEdit(self)
        self.writer_title.setAccessibleName(tr("Writer's title"))
        self.writer_title.setPlaceholderText(tr("e.g. Clerkship Director"))
        self.rotation = QComboBox(self)
        self.rotation.setAccessibleName(tr("Rotation"))
        self.letter_id = QLineEdit(self)
        self.letter_id.setAccessibleName(tr("AAMC Letter ID"))
        self.letter_id.setPlaceholderText(tr("from your Letter Request Form"))
        self.requested = DateField(self)
        self.requested.setAccessibleName(tr("Requested on"))
        self.due = DateField(self)
        self.due.setAccessibleName(tr("Due"))
        left.addRow(tr("&Writer:"), self.writer)
        left.addRow(tr("T&itle:"), self.writer_title)
        left.addRow(tr("R&otation:"), self.rotation)
        right.addRow(tr("Letter &ID:"), self.letter_id)
        right.addRow(tr("Re&quested:"), self.requested)
        right.addRow(tr("D&ue:"), self.due)
        grid.addLayout(left, 1)
        grid.addLayout(right, 1)
        layout.addLayout(grid)
        self.error = _plain(wrapping("", self))
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QHBoxLayout()
        self.save_button = QPushButton(tr("Add letter"), self)
        self.save_button.clicked.connect(self.save)
        cancel = QPushButton(tr("Cancel"), self)
        cancel.clicked.connect(lambda: self.done.emit(""))
        buttons.addWidget(self.save_button)
        buttons.addWidget(cancel)
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def load(self, letter: Letter | None, rotations: Sequence[Rotation]) -> None:
        self.editing_id = letter.id if letter else None
        self.save_button.setText(tr("Save changes") if letter else tr("Add letter"))
        self.writer.setText(letter.writer if letter else "")
        self.writer_title.setText((letter.writer_title or "") if letter else "")
        self.letter_id.setText((letter.letter_id or "") if letter else "")
        self.requested.set_value(letter.requested if letter else date.today())
        self.due.set_value(letter.due if letter else None)
        self.rotation.clear()
        self.rotation.addItem(tr("None"), None)
        for r in rotations:
            self.rotation.addItem(f"{kind_word(r.kind)}, {r.specialty} ({format_date(r.start)})", r.id)
        self.rotation.setCurrentIndex(max(0, self.rotation.findData(letter.rotation if letter else None)))
        self.error.hide()

    def save(self) -> None:
        editing = self.tab.page.editing
        if editing is None:
            return
        values: dict[str, Any] = {
            "writer": self.writer.text(),
            "writer_title": self.writer_title.text().strip() or None,
            "rotation": self.rotation.currentData(),
            "letter_id": self.letter_id.text().strip() or None,
            "requested": self.requested.value(),
            "due": self.due.value(),
        }
        try:
            if self.editing_id is None:
                letter_id = editing.add_letter(values).id
            else:
                letter_id = editing.edit_letter(self.editing_id, values).id
        except DeskError as exc:
            self.error.setText(exc.message)
            self.error.show()
            return
        self.done.emit(letter_id)


# ============================================================================================== summary


class SummaryTab(QWidget):
    def __init__(self, page: ClinicalPage) -> None:
        super().__init__(page)
        self.page = page
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(_intro(wrapping(tr(
            "Your weeks, counted from the dates you entered, to copy into the experiences section of MyERAS."),
            self)))
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setAccessibleName(tr("Summary for ERAS"))
        layout.addWidget(self.text, 1)
        buttons = QHBoxLayout()
        self.copy_button = QPushButton(tr("Copy"), self)
        self.copy_button.setAccessibleName(tr("Copy the summary"))
        self.copy_button.clicked.connect(self.copy)
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def redraw(self) -> None:
        self.text.setPlainText(eras_summary(self.page.view.rotations))
        self.copy_button.setEnabled(bool(self.page.view.rotations))

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text.toPlainText())
        self.page.view.notice.emit(tr("Copied the summary."))
