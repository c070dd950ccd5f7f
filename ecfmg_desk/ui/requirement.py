"""The page of one requirement: what it is, where the rule comes from, the documents, their details, the
problems with their fixes, and a preview of the pages.

Drag and drop and the Browse… button end in the same :meth:`RequirementPage.attach_files`, so a test that
drops files exercises exactly what a click does. Edits are saved shortly after typing stops; removal is undoable.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ecfmg_desk.core.catalog import Requirement
from ecfmg_desk.core.languages import LANGUAGES, language_name
from ecfmg_desk.core.model import TRANSLATION_REQUIREMENT, Document, Finding
from ecfmg_desk.errors import DeskError
from ecfmg_desk.ui import icons, prompts
from ecfmg_desk.ui.fields import FieldsForm
from ecfmg_desk.ui.helptext import plain, source_line
from ecfmg_desk.ui.preview import PreviewPane
from ecfmg_desk.ui.questions import QuestionRow
from ecfmg_desk.ui.reviewing import AdvisorReviewPanel, ReviewDraft, StudentReviewNotes
from ecfmg_desk.ui.view import PacketEditor, PacketView
from ecfmg_desk.ui.widgets import (
    DateField,
    DropZone,
    StatusBadge,
    heading,
    hline,
    icon_button,
    muted,
    own_viewport,
    wrapping,
)
from ecfmg_desk.ui.words import (
    document_files_line,
    format_date,
    pages_summary,
    plain_tooltip,
    plural,
    severity_icon,
    severity_word,
    state_icon,
    state_word,
    translation_icon,
    translation_word,
)

SAVE_DELAY_MS = 600
THUMB = QSize(84, 108)
KIND_WORDS = {"professional": "professional translation service", "school": "medical school official",
              "government": "government official", "self": "yourself"}
REPLACE_CODES = frozenset({"expired", "low-resolution", "not-color", "unreadable", "file-rule", "too-old",
                           "advisor-changes"})
BUNDLE_SUFFIX = ".ecfmgpkt"
DATE_CODES = frozenset({"undated", "future-date"})
SHORT_FIELDS = ("issued", "expires", "language", "translator_kind")
TWO_COLUMNS_PX = 590
"""The details pane is wide enough for two fields side by side on a card (a date and a language box, with their
labels, need ~520 px); narrower (a 1024 px screen), every field gets its own row so nothing is cut off."""


class DocumentCard(QFrame):
    """One attached document: thumbnails, file facts, its details form, its translation, Replace and Remove."""

    save_requested = Signal(str, dict)
    preview_requested = Signal(str, int)
    replace_requested = Signal(str)
    remove_requested = Signal(str)
    attach_translation_requested = Signal(str)
    translation_status_requested = Signal(str, object)

    def __init__(self, session: PacketView, requirement: Requirement | None, document: Document,
                 parent: QWidget | None = None, *, editor: PacketEditor | None = None,
                 draft: ReviewDraft | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.editor = editor
        """The student's editor: without one the details are plain text and nothing can be changed."""
        self.requirement = requirement
        self.document = document
        self._pending: dict[str, Any] = {}
        self._loading = False
        self.setObjectName("documentCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(self.tr("Document: {files}").format(files=document_files_line(document)))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(8)
        top = QHBoxLayout()
        top.setSpacing(10)
        self.thumbs = QHBoxLayout()
        self.thumbs.setSpacing(6)
        self._thumb_buttons: dict[str, QToolButton] = {}
        position = 0
        for info in document.files:
            button = QToolButton(self)
            button.setIconSize(THUMB)
            button.setFixedSize(THUMB + QSize(8, 8))
            button.setAutoRaise(True)
            button.setAccessibleName(self.tr("Preview {name}").format(name=info.name))
            button.setToolTip(plain_tooltip(self.tr("Show {name} in the preview").format(name=info.name)))
            start = position
            button.clicked.connect(lambda _checked=False, p=start: self.preview_requested.emit(self.document.id, p))
            self._thumb_buttons[info.sha256] = button
            self.thumbs.addWidget(button)
            position += len(info.pages)
            if len(self._thumb_buttons) >= 3:
                break
        top.addLayout(self.thumbs)

        facts = QVBoxLayout()
        facts.setSpacing(2)
        self.files_label = wrapping("", self)
        font = self.files_label.font()
        font.setBold(True)
        self.files_label.setFont(font)
        self.summary_label = muted(wrapping("", self))
        facts.addWidget(self.files_label)
        facts.addWidget(self.summary_label)
        facts.addStretch(1)
        top.addLayout(facts, 1)

        actions = QVBoxLayout()
        actions.setSpacing(4)
        self.replace_button = icon_button("replace", self.tr("Replace scan…"), self)
        self.replace_button.setAccessibleName(self.tr("Replace the scan of {files}").format(
            files=document_files_line(document)))
        self.remove_button = icon_button("remove", self.tr("Remove"), self)
        self.remove_button.setAccessibleName(self.tr("Remove {files}").format(files=document_files_line(document)))
        self.replace_button.clicked.connect(lambda: self.replace_requested.emit(self.document.id))
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self.document.id))
        actions.addWidget(self.replace_button)
        actions.addWidget(self.remove_button)
        actions.addStretch(1)
        for action_button in (self.replace_button, self.remove_button):
            action_button.setVisible(editor is not None)  # nothing to change without an editor
            action_button.setEnabled(editor is not None)
        top.addLayout(actions)
        layout.addLayout(top)

        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(10)
        self.grid.setVerticalSpacing(6)
        self.grid.setColumnStretch(1, 1)
        self.grid.setColumnStretch(3, 1)
        layout.addLayout(self.grid)
        self.fields: dict[str, QWidget] = {}
        self._build_fields()
        self._columns = 2
        self._cells = self._collect_cells()
        self.own_fields: FieldsForm | None = None
        """The requirement's own fields (exam result, OET scores, ...): ``ui/fields.py``."""
        if requirement is not None and requirement.fields and not document.is_translation:
            self.own_fields = FieldsForm(session, requirement, document, self, editor=editor)
            layout.addWidget(self.own_fields)

        self.translation_row = QWidget(self)
        lines = QVBoxLayout(self.translation_row)
        lines.setContentsMargins(0, 0, 0, 0)
        lines.setSpacing(4)
        row = QHBoxLayout()
        self._translation_lines = (row, QHBoxLayout())
        """The status on the first line; the status box and Attach translation… beside it when the pane is
        wide, on a second line of their own when it is narrow (at 1024 px they would push the card wider than
        the pane)."""
        lines.addLayout(row)
        lines.addLayout(self._translation_lines[1])
        self.translation_badge = StatusBadge(self.translation_row, size=16)
        self.translation_combo = QComboBox(self.translation_row)
        self.translation_combo.setAccessibleName(self.tr("Translation status"))
        self.translation_combo.addItem(self.tr("Not ordered yet"), None)
        self.translation_combo.addItem(self.tr("Ordered"), "ordered")
        self.translation_combo.addItem(self.tr("Received"), "received")
        self.translation_combo.activated.connect(self._translation_status)
        self.translation_button = icon_button("translate", self.tr("Attach translation…"), self.translation_row)
        self.translation_button.clicked.connect(lambda: self.attach_translation_requested.emit(self.document.id))
        title = QLabel(self.tr("English translation:"), self.translation_row)
        row.addWidget(title)
        row.addWidget(self.translation_badge)
        self.translation_detail = muted(wrapping("", self.translation_row))
        row.addWidget(self.translation_detail, 1)
        self._place_translation_controls(row)
        layout.addWidget(self.translation_row)

        self.advisor_panel: AdvisorReviewPanel | None = None
        self.review_notes: StudentReviewNotes | None = None
        if draft is not None:
            self.advisor_panel = AdvisorReviewPanel(draft, document, document_files_line(document), self)
            layout.addWidget(self.advisor_panel)
        elif editor is not None:
            self.review_notes = StudentReviewNotes(self)
            layout.addWidget(self.review_notes)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_DELAY_MS)
        self._timer.timeout.connect(self.flush)
        self.set_document(document)

    def tab_chain(self) -> list[QWidget]:
        """The card's controls in reading order: thumbnails, Replace, Remove, the details row by row, the
        translation row, then the review notes or decision (what Tab walks through)."""
        chain: list[QWidget] = [*self._thumb_buttons.values(), self.replace_button, self.remove_button,
                                *self.fields.values(), self.translation_combo, self.translation_button]
        for panel in (self.review_notes, self.advisor_panel):
            if panel is not None:
                chain += _focusable(panel)
        return chain

    # -- the form ---------------------------------------------------------------------------------------

    def _wanted_fields(self) -> list[str]:
        doc = self.document
        if doc.is_translation:
            wanted = ["issued", "translator", "translator_kind"]
        else:
            needs = self.requirement.needs if self.requirement else ()
            wanted = [n for n in ("issued", "expires", "language", "name_on_document") if n in needs
                      or getattr(doc, n)]
        # the notes are the student's own ("only you see it"): an advisor never sees them
        return wanted if self.editor is None else [*wanted, "notes"]

    def _label_for(self, name: str) -> str:
        if name == "issued":
            label = self.requirement.issued_label if self.requirement and not self.document.is_translation else ""
            return (label[:1].upper() + label[1:]) if label and label != "issue date" else self.tr("Issued")
        return {
            "expires": self.tr("Expires"),
            "language": self.tr("Language"),
            "name_on_document": self.tr("Name as printed"),
            "translator": self.tr("Translator"),
            "translator_kind": self.tr("Made by"),
            "notes": self.tr("Notes"),
        }[name]

    def _build_fields(self) -> None:
        short = [n for n in self._wanted_fields() if n in SHORT_FIELDS]
        long = [n for n in self._wanted_fields() if n not in short]
        row = 0
        for i, name in enumerate(short):
            self._add_field(name, row, (i % 2) * 2, 1)
            if i % 2 == 1:
                row += 1
        if len(short) % 2:
            row += 1
        for name in long:
            self._add_field(name, row, 0, 3)
            row += 1

    def _add_field(self, name: str, row: int, column: int, span: int) -> None:
        text = self._label_for(name)
        widget: QWidget
        if self.editor is None:  # the details as read-only text, never an editor
            value_label = wrapping("", self, selectable=True)
            value_label.setTextFormat(Qt.TextFormat.PlainText)
            widget = value_label
        elif name in ("issued", "expires"):
            field = DateField(self)
            field.value_changed.connect(lambda n=name, f=field: self._edited(n, f.value(), at_once=True))
            widget = field
        elif name == "language":
            combo = QComboBox(self)
            combo.setModel(_languages_model())
            combo.activated.connect(lambda _i, c=combo: self._edited("language", c.currentData(), at_once=True))
            widget = combo
        elif name == "translator_kind":
            combo = QComboBox(self)
            for kind, words in KIND_WORDS.items():
                combo.addItem(self.tr(words[:1].upper() + words[1:]), kind)
            combo.activated.connect(
                lambda _i, c=combo: self._edited("translator_kind", c.currentData(), at_once=True))
            widget = combo
        else:
            edit = QLineEdit(self)
            if name == "name_on_document":
                edit.setPlaceholderText(self.tr("the name exactly as printed on this document"))
            elif name == "notes":
                edit.setPlaceholderText(self.tr("for yourself: only you see it"))
            edit.textEdited.connect(lambda value, n=name: self._edited(n, value))
            edit.editingFinished.connect(self.flush)
            widget = edit
        widget.setAccessibleName(text)
        label = QLabel(text + ":", self)
        if self.editor is not None:
            label.setBuddy(widget)
        # a date's reason line may grow below its box: every label and box keeps to the top of its row, the
        # label as tall as the box beside it, so they stay side by side
        box = widget.edit if isinstance(widget, DateField) else widget
        if self.editor is not None:
            label.setFixedHeight(box.sizeHint().height())
        self.grid.addWidget(label, row, column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.grid.addWidget(widget, row, column + 1, 1, span, Qt.AlignmentFlag.AlignTop)
        self.fields[name] = widget

    def _collect_cells(self) -> list[tuple[str, QWidget, QWidget]]:
        """(name, label, field) of each detail, in the order they were built."""
        cells = []
        for name, widget in self.fields.items():
            position = cast(tuple[int, int, int, int], self.grid.getItemPosition(self.grid.indexOf(widget)))
            row, column = position[0], position[1]
            item = self.grid.itemAtPosition(row, column - 1)
            label = item.widget() if item is not None else None
            if label is not None:
                cells.append((name, label, widget))
        return cells

    def set_columns(self, columns: int) -> None:
        """Two details side by side, or (a narrow pane) one per row; the translation's controls beside its
        status, or below it."""
        if columns == self._columns:
            return
        self._columns = columns
        for _name, label, widget in self._cells:
            self.grid.removeWidget(label)
            self.grid.removeWidget(widget)
        # as _add_field placed them: labels right and at the top, boxes at the top (a date's reason line grows
        # below its box, and the label stays beside the box)
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop
        top = Qt.AlignmentFlag.AlignTop
        row = 0
        short = [cell for cell in self._cells if cell[0] in SHORT_FIELDS]
        for i, (_name, label, widget) in enumerate(short):
            column = (i % 2) * 2 if columns == 2 else 0
            self.grid.addWidget(label, row, column, right)
            self.grid.addWidget(widget, row, column + 1, 1, 1 if columns == 2 else 3, top)
            if columns == 1 or i % 2 == 1:
                row += 1
        if columns == 2 and len(short) % 2:
            row += 1
        for _name, label, widget in (cell for cell in self._cells if cell[0] not in SHORT_FIELDS):
            self.grid.addWidget(label, row, 0, right)
            self.grid.addWidget(widget, row, 1, 1, 3, top)
            row += 1
        self._place_translation_controls(self._translation_lines[0 if columns == 2 else 1])

    def _place_translation_controls(self, line: QHBoxLayout) -> None:
        for line_now in self._translation_lines:
            line_now.removeWidget(self.translation_combo)
            line_now.removeWidget(self.translation_button)
            while (item := line_now.itemAt(line_now.count() - 1)) is not None and item.spacerItem() is not None:
                line_now.takeAt(line_now.count() - 1)
        line.addWidget(self.translation_combo)
        line.addWidget(self.translation_button)
        if line is self._translation_lines[1]:
            line.addStretch(1)

    def _edited(self, name: str, value: Any, *, at_once: bool = False) -> None:
        """Typing waits for a pause before saving; a finished choice (a date left with Tab, a language picked)
        is saved ``at_once``, so the problems under it change as soon as the choice is made."""
        if self._loading:
            return
        if isinstance(value, str) and name in ("name_on_document", "notes", "translator"):
            value = value.strip() or None
        self._pending[name] = value
        if at_once:
            self.flush()
        else:
            self._timer.start()

    def take_pending(self) -> dict[str, Any]:
        self._timer.stop()
        pending, self._pending = self._pending, {}
        return pending

    def cancel_pending(self) -> None:
        self.take_pending()

    def flush(self) -> None:
        """Save what was typed now (the page calls this before it changes, so nothing is lost)."""
        self._timer.stop()
        if self._pending:
            changes, self._pending = self._pending, {}
            self.save_requested.emit(self.document.id, changes)

    def _translation_status(self, _index: int) -> None:
        self.translation_status_requested.emit(self.document.id, self.translation_combo.currentData())

    # -- showing ----------------------------------------------------------------------------------------

    def set_document(self, document: Document) -> None:
        """Show ``document``: facts always, field values unless the user is editing that field."""
        self.document = document
        self.files_label.setText(document_files_line(document))
        summary = pages_summary(document.pages)
        original = self.session.document(document.translation_of or "") if document.is_translation else None
        if original is not None:
            summary = self.tr("{summary} · the English translation of your {title}").format(
                summary=summary, title=self.session.title_of(original))
        self.summary_label.setText(summary)
        self._loading = True
        try:
            for name, widget in self.fields.items():
                if widget.hasFocus() or name in self._pending:
                    continue
                value = getattr(document, name)
                if isinstance(widget, QLabel):
                    shown = _shown_value(name, value)
                    widget.setText(shown)
                    widget.setAccessibleName(f"{self._label_for(name)}: {shown}")
                elif isinstance(widget, DateField):
                    widget.set_value(value if isinstance(value, date) else None)
                elif isinstance(widget, QComboBox):
                    widget.setCurrentIndex(max(0, widget.findData(value)))
                elif isinstance(widget, QLineEdit):
                    text = value or ""
                    if widget.text() != text:
                        widget.setText(text)
        finally:
            self._loading = False
        if self.own_fields is not None:
            self.own_fields.set_document(document)
        self._show_translation()
        self.show_thumbnails()
        if self.review_notes is not None:
            self.review_notes.show_review(document.review)

    def _show_translation(self) -> None:
        doc = self.document
        status = self.session.translation_status(doc)
        self.translation_row.setVisible(not doc.is_translation and status != "not-needed")
        if status == "not-needed":
            return
        detail = ""
        if status == "attached":
            translation = self.session.translations_of(doc)[0]
            kind = KIND_WORDS.get(translation.translator_kind or "", translation.translator_kind or "")
            detail = self.tr("{who} · {kind} · {pages}").format(
                who=translation.translator or self.tr("translator not named"), kind=kind,
                pages=plural(translation.page_count, self.tr("page"), self.tr("pages")))
        self.translation_badge.set_status(translation_icon(status), translation_word(status))
        self.translation_detail.setText(detail)
        self.translation_badge.setAccessibleName(f"{translation_word(status)} {detail}".strip())
        self.translation_combo.setVisible(status != "attached" and self.editor is not None)
        self.translation_button.setVisible(status != "attached" and self.editor is not None)
        self.translation_combo.setCurrentIndex(max(0, self.translation_combo.findData(doc.manual_translation_status)))

    def show_thumbnails(self) -> None:
        for info in self.document.files:
            button = self._thumb_buttons.get(info.sha256)
            if button is None:
                continue
            image = self.session.thumbnail(info)
            if image is None or image.isNull():
                button.setIcon(icons.icon("document"))
                continue
            button.setIcon(QIcon(_thumb_pixmap(image, THUMB, self.devicePixelRatioF())))

    def field_text(self, name: str) -> str:
        """What the field shows, as the user reads it ("9 Feb 2031", "Spanish", the typed name)."""
        widget = self.fields[name]
        if isinstance(widget, QComboBox):
            return widget.currentText()
        if isinstance(widget, QLineEdit | DateField | QLabel):
            return widget.text()
        return ""

    def focus_empty(self) -> None:
        """Put the cursor in the first detail this requirement needs that is still empty."""
        needs = self.requirement.needs if self.requirement else ()
        for name, widget in self.fields.items():
            if name in needs and not getattr(self.document, name):
                widget.setFocus(Qt.FocusReason.OtherFocusReason)
                return

    def focus_date(self) -> bool:
        for name in ("issued", "expires"):
            widget = self.fields.get(name)
            if widget is not None:
                widget.setFocus(Qt.FocusReason.OtherFocusReason)
                return True
        return False


def _focusable(widget: QWidget) -> list[QWidget]:
    """The widgets under ``widget`` that Tab can stop at, in the order they were made."""
    return [w for w in widget.findChildren(QWidget)
            if w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.focusProxy() is None]


def _shown_value(name: str, value: Any) -> str:
    """A detail as review mode shows it: "15 Jul 2022", "Spanish", "professional translation service"."""
    if value is None or value == "":
        return QCoreApplication.translate("DocumentCard", "not set")
    if isinstance(value, date):
        return format_date(value)
    if name == "language":
        return language_name(str(value))
    if name == "translator_kind":
        return KIND_WORDS.get(str(value), str(value))
    return str(value)


_LANGUAGES_MODEL: QStandardItemModel | None = None


def _languages_model() -> QStandardItemModel:
    """One shared list of languages for every language box (built once, not per document)."""
    global _LANGUAGES_MODEL
    if _LANGUAGES_MODEL is None:
        model = QStandardItemModel(QCoreApplication.instance())
        none = QStandardItem(QCoreApplication.translate("RequirementPage", "not set"))
        none.setData(None, Qt.ItemDataRole.UserRole)
        model.appendRow(none)
        for code, english in LANGUAGES.items():
            item = QStandardItem(english)
            item.setData(code, Qt.ItemDataRole.UserRole)
            model.appendRow(item)
        _LANGUAGES_MODEL = model
    return _LANGUAGES_MODEL


def _discard(layout: QVBoxLayout, widget: QWidget) -> None:
    """Take a widget out of the page for good, without ever making it a stray top-level window."""
    layout.removeWidget(widget)
    widget.hide()
    widget.deleteLater()


def _thumb_pixmap(image: QImage, box: QSize, ratio: float) -> QPixmap:
    scaled = image.scaled(box * ratio, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
    pixmap = QPixmap.fromImage(scaled)
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


class FindingRow(QWidget):
    """One problem: icon, the word for its severity, what is wrong, and the fix (with a button when one helps)."""

    def __init__(self, finding: Finding, action: tuple[str, Callable[[], None]] | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.finding = finding
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.setSpacing(10)
        icon_label = QLabel(self)
        icon_label.setPixmap(icons.pixmap(severity_icon(finding.severity), 20, self.devicePixelRatioF()))
        icon_label.setAlignment(Qt.AlignmentFlag.AlignTop)
        icon_label.setFixedWidth(22)
        icon_label.setAccessibleName(severity_word(finding.severity))
        self.message_label = wrapping(
            f"<b>{html.escape(severity_word(finding.severity))}:</b> {html.escape(finding.message)}"
            f"<br>→ {html.escape(finding.fix)}", self, selectable=True)
        self.message_label.setTextFormat(Qt.TextFormat.RichText)
        self.message_label.setMinimumWidth(200)
        layout.addWidget(icon_label, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.message_label, 1)
        self.action_button: QPushButton | None = None
        if action is not None:
            words, callback = action
            self.action_button = QPushButton(words, self)
            self.action_button.setAccessibleName(words.replace("…", ""))
            self.action_button.clicked.connect(callback)
            layout.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignTop)
        self.setAccessibleName(f"{severity_word(finding.severity)}: {finding.message} {finding.fix}")

    def text(self) -> str:
        return f"{severity_word(self.finding.severity)}: {self.finding.message} → {self.finding.fix}"


class TranslationOriginalRow(QFrame):
    """On the Translations page: one non-English original and where its translation stands."""

    def __init__(self, session: PacketView, original: Document, attach: Callable[[str], None] | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        status = session.translation_status(original)
        language = language_name(original.language or "")
        title = wrapping(self.tr("{title} ({language}) → English").format(title=session.title_of(original),
                                                                         language=language), self)
        title.setTextFormat(Qt.TextFormat.PlainText)
        title.setMinimumWidth(120)  # long titles wrap on a narrow pane (1024 px) instead of cutting the button off
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        badge = StatusBadge(self, size=16)
        badge.set_status(translation_icon(status), translation_word(status))
        layout.addWidget(title, 1)
        layout.addWidget(badge)
        self.status_text = f"{title.text()}: {translation_word(status)}"
        self.setAccessibleName(self.status_text)
        if status != "attached" and attach is not None:
            button = icon_button("translate", self.tr("Attach translation…"), self)
            button.setAccessibleName(self.tr("Attach the translation of {title}").format(
                title=session.title_of(original)))
            button.clicked.connect(lambda: attach(original.id))
            layout.addWidget(button)


class RequirementPage(QWidget):
    """Everything about one requirement; ``navigate`` asks the window to open another requirement or page."""

    navigate = Signal(str)
    review_requested = Signal()
    bundle_dropped = Signal(Path)
    """A student's bundle (.ecfmgpkt) was dropped here: the window opens it in review mode."""

    def __init__(self, session: PacketView, parent: QWidget | None = None, *, editor: PacketEditor | None = None,
                 draft: ReviewDraft | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.editor = editor
        """The student's editor (attach, edit, replace, remove); ``None``: the page only shows."""
        self.draft = draft
        """The advisor's review draft: decision buttons on every card."""
        self.requirement: Requirement | None = None
        self.cards: dict[str, DocumentCard] = {}
        self._card_order: list[str] = []
        self._sources_open = False

        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setChildrenCollapsible(False)
        outer.addWidget(self.splitter)

        self.details = QScrollArea(self.splitter)
        self.details.setWidgetResizable(True)
        self.details.setFrameShape(QFrame.Shape.NoFrame)
        self.details.setAccessibleName(self.tr("Requirement details"))
        # never needed from 1024 px up (the cards fold to one column); below that, every control stays reachable
        self.details.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        own_viewport(self.details).installEventFilter(self)
        self._columns = 2
        body = QWidget(self.details)
        body.setMaximumWidth(860)  # lines of help text stay readable on a wide screen
        self.body_layout = QVBoxLayout(body)
        self.body_layout.setContentsMargins(24, 18, 20, 18)
        self.body_layout.setSpacing(10)

        header = QHBoxLayout()
        self.title_label = heading("", 1, body)
        self.badge = StatusBadge(body, size=20)
        header.addWidget(self.title_label, 1)
        header.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        self.body_layout.addLayout(header)
        self.help_label = wrapping("", body, selectable=True)
        # a wrapped label's minimum height is its height at its minimum width: give the long ones a realistic
        # minimum width, or the page asks for far more height than it uses (and shows a needless scroll bar)
        self.help_label.setMinimumWidth(400)
        self.body_layout.addWidget(self.help_label)
        self.sources_label = muted(wrapping("", body))
        self.sources_label.setTextFormat(Qt.TextFormat.RichText)
        self.sources_label.setOpenExternalLinks(True)
        self.sources_label.linkActivated.connect(self._source_link)
        self.sources_label.setAccessibleName(self.tr("Sources"))
        self.sources_label.setMinimumWidth(400)
        self.body_layout.addWidget(self.sources_label)

        self.body_layout.addSpacing(4)
        # on the Translations page: first what needs translating and where each stands, then the translations
        self.translations_box = QVBoxLayout()
        self.translations_box.setSpacing(8)
        self.body_layout.addLayout(self.translations_box)
        self.translations_empty = muted(wrapping(self.tr(
            "None of your documents needs a translation yet. When you set a document's language to anything "
            "other than English, it appears here with its translation's status.") if editor is not None else
            self.tr("None of the student's documents needed a translation."), body))
        self.translations_empty.setMinimumWidth(400)
        self.body_layout.addWidget(self.translations_empty)
        self.documents_box = QVBoxLayout()
        self.documents_box.setSpacing(10)
        self.body_layout.addLayout(self.documents_box)

        self.drop_zone = DropZone(body)
        self.drop_zone.files_dropped.connect(self.attach_files)
        self.drop_zone.browse_requested.connect(self.browse)
        self.body_layout.addWidget(self.drop_zone)

        self.problems_title = heading(self.tr("Problems"), 2, body)
        self.body_layout.addSpacing(6)
        self.body_layout.addWidget(self.problems_title)
        self.problems_line = hline(body)
        self.body_layout.addWidget(self.problems_line)
        self.findings_box = QVBoxLayout()
        self.findings_box.setSpacing(2)
        self.body_layout.addLayout(self.findings_box)
        self.no_problems_label = wrapping("", body)
        self.no_problems_label.setMinimumWidth(400)
        self.body_layout.addWidget(self.no_problems_label)
        self.finding_rows: list[FindingRow] = []
        self.question_rows: list[QuestionRow] = []
        self._findings_shown: tuple[object, ...] = ()
        self._body_pending = False
        self._translations_shown: tuple[object, ...] = ()

        self.body_layout.addStretch(1)
        self.details.setWidget(body)

        left = QWidget(self.splitter)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(0)
        left_layout.addWidget(self.details, 1)
        footer = QHBoxLayout()
        footer.setContentsMargins(24, 8, 20, 10)
        self.next_hint = muted(QLabel(left))
        footer.addWidget(self.next_hint, 1)
        summary = draft is not None  # an advisor's review: the packet as exported, not the student's own
        self.review_button = icon_button(
            "review", self.tr("Review summary ▸") if summary else self.tr("Review and export ▸"), left)
        self.review_button.setAccessibleName(self.tr("Review summary") if summary else self.tr("Review and export"))
        self.review_button.clicked.connect(self.review_requested)
        footer.addWidget(self.review_button)
        left_layout.addWidget(hline(left))
        left_layout.addLayout(footer)

        self.preview = PreviewPane(session, self.splitter)
        self.preview.setMinimumWidth(220)
        left.setMinimumWidth(400)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.preview)
        self.splitter.setSizes([620, 400])
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 4)

        session.changed.connect(self.refresh)
        session.thumbnail_ready.connect(self._thumbnail_ready)
        session.busy_changed.connect(self._busy)

    # -- navigation -------------------------------------------------------------------------------------

    @property
    def requirement_id(self) -> str | None:
        return self.requirement.id if self.requirement else None

    def show_requirement(self, requirement_id: str) -> None:
        if self.requirement and self.requirement.id == requirement_id:
            return
        self.flush()
        self.requirement = self.session.requirement(requirement_id)
        self._clear_cards()
        self._sources_open = False
        self.details.verticalScrollBar().setValue(0)
        self.preview.clear()
        self.refresh(at_once=True)
        docs = self.session.documents_for(requirement_id)
        if docs:
            self.preview.show_document(docs[0])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.details.viewport():
            self._fit_columns()
        return super().eventFilter(watched, event)

    def _fit_columns(self) -> None:
        columns = 2 if self.details.viewport().width() >= TWO_COLUMNS_PX else 1
        if columns != self._columns:
            self._columns = columns
            for card in self.cards.values():
                card.set_columns(columns)

    def flush(self) -> None:
        for card in self.cards.values():
            card.flush()

    def warm_up(self) -> None:
        """Lay out and paint one throw-away card off screen, so the first real one (at the end of the first
        import) does not pay for the style's and fonts' first-use caches while the user waits."""
        requirement = next((r for r in self.session.catalog.requirements if len(r.needs) >= 3), None)
        if requirement is None:
            return
        sample = Document(id="warm-up", requirement=requirement.id, language="es")
        card = DocumentCard(self.session, requirement, sample, editor=self.editor, draft=self.draft)
        card.resize(560, card.sizeHint().height())
        card.render(QPixmap(card.size()))
        card.deleteLater()

    # -- drawing ----------------------------------------------------------------------------------------

    def refresh(self, at_once: bool = False) -> None:
        """Redraw from the session. New or removed documents rebuild the body one event-loop turn later, so
        the header and sidebar update first and the window keeps answering (an import ends with a rebuild)."""
        requirement = self.requirement
        if requirement is None:
            return
        state = self.session.state(requirement.id)
        self.title_label.setText(requirement.title)
        self.title_label.setAccessibleName(requirement.title)
        self.badge.set_status(state_icon(state), state_word(state))
        self.help_label.setText(plain(requirement.help))
        self._show_sources()
        documents = self.session.documents_for(requirement.id)
        if not at_once and self.isVisible() and [d.id for d in documents] != self._card_order:
            if not self._body_pending:
                self._body_pending = True
                self.session.later(self._refresh_body)
            return
        self._refresh_body()

    def _refresh_body(self) -> None:
        self._body_pending = False
        requirement = self.requirement
        if requirement is None:
            return
        documents = self.session.documents_for(requirement.id)
        is_translation = requirement.id == TRANSLATION_REQUIREMENT
        self._show_cards(documents)
        self._show_translations(is_translation)
        self.drop_zone.setVisible(not is_translation and self.editor is not None)
        self.drop_zone.set_compact(bool(documents))
        self.drop_zone.set_text(plain(requirement.how_to_add), kinds=tuple(requirement.kinds),
                                photo="photo" in requirement.noun.lower())
        self._show_findings(self.session.findings_for(requirement.id), bool(documents))
        self._order_tabs()
        if self.preview.document_id and not self.session.document(self.preview.document_id):
            self.preview.clear()
        if self.preview.document_id is None and documents:
            self.preview.show_document(documents[0])
        self._busy(self.session.importing)
        errors = len(self.session.result.errors)
        if self.draft is not None:
            self.next_hint.setText(
                self.tr("No problems blocked export when this packet was made.") if not errors else
                plural(errors, self.tr("problem"), self.tr("problems")) + self.tr(" when this packet was exported."))
        else:
            self.next_hint.setText(
                self.tr("Your packet has no problems that block export.") if not errors
                else plural(errors, self.tr("problem left in your packet"),
                            self.tr("problems left in your packet")) + ".")

    def _show_sources(self) -> None:
        requirement = self.requirement
        if requirement is None or not requirement.sources:
            self.sources_label.setText("")
            return
        main = next((s for s in requirement.sources if "required" in s.covers), requirement.sources[0])

        one = source_line  # title without RULES.md ids, confidence in words
        text = self.tr("Source: {source}").format(source=one(main))
        others = [s for s in requirement.sources if s is not main]
        if others and not self._sources_open:
            text += f' &nbsp; <a href="#more">{html.escape(self.tr("{n} more sources").format(n=len(others)))}</a>'
        elif others:
            text += "<br>" + "<br>".join(one(s) for s in others)
            text += f'<br><a href="#less">{html.escape(self.tr("Show fewer sources"))}</a>'
        self.sources_label.setText(text)

    def _source_link(self, link: str) -> None:
        if link in ("#more", "#less"):
            self._sources_open = link == "#more"
            self._show_sources()

    def _clear_cards(self) -> None:
        """Drop the cards (callers save pending edits first: see :meth:`flush` and :meth:`_show_cards`)."""
        for card in self.cards.values():
            card.cancel_pending()
            _discard(self.documents_box, card)
        self.cards.clear()
        self._card_order = []

    def _order_tabs(self) -> None:
        """Tab follows the page as it reads, top to bottom: each document's controls, the translations, Browse,
        each problem's fix, Review and export, then the preview. (Qt's default is the order the widgets were
        made in, so cards built after the page came last, after the preview.)"""
        chain: list[QWidget] = [self.details]
        for card in self.cards.values():
            chain += card.tab_chain()
        for i in range(self.translations_box.count()):
            item = self.translations_box.itemAt(i)
            row = item.widget() if item is not None else None
            if row is not None:
                chain += _focusable(row)
        chain.append(self.drop_zone.browse_button)
        chain += [row.action_button for row in self.finding_rows if row.action_button is not None]
        chain.append(self.review_button)
        chain += _focusable(self.preview)
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)

    def _show_cards(self, documents: list[Document]) -> None:
        ids = [d.id for d in documents]
        if ids != self._card_order:
            pending = [(card.document.id, card.take_pending()) for card in self.cards.values()]
            self._clear_cards()
            for document_id, changes in pending:  # typed just before the list changed: still saved
                if changes and document_id in ids:
                    QTimer.singleShot(0, lambda d=document_id, c=changes: self._save(d, c))
            for document in documents:
                card = DocumentCard(self.session, self.requirement, document, self, editor=self.editor,
                                    draft=self.draft)
                card.set_columns(self._columns)
                card.save_requested.connect(self._save)
                card.preview_requested.connect(self._preview)
                card.replace_requested.connect(self.replace)
                card.remove_requested.connect(self.remove)
                card.attach_translation_requested.connect(self.attach_translation)
                card.translation_status_requested.connect(self._set_translation_status)
                self.documents_box.addWidget(card)
                self.cards[document.id] = card
            self._card_order = ids
        else:
            for document in documents:
                self.cards[document.id].set_document(document)

    def _show_translations(self, visible: bool) -> None:
        originals = self.session.needing_translation() if visible else []
        shown = tuple((d, self.session.translation_status(d)) for d in originals)
        if visible and shown == self._translations_shown and self.translations_box.count():
            return
        self._translations_shown = shown
        while self.translations_box.count():
            item = self.translations_box.itemAt(0)
            widget = item.widget() if item else None
            if widget is None:
                self.translations_box.takeAt(0)
            else:
                _discard(self.translations_box, widget)
        self.translations_empty.setVisible(visible and not originals)
        for original in originals:
            attach = self.attach_translation if self.editor is not None else None
            self.translations_box.addWidget(TranslationOriginalRow(self.session, original, attach, self))

    def _show_findings(self, findings: list[Finding], has_documents: bool) -> None:
        shown = (tuple(findings), has_documents, tuple(self.cards))
        if shown == self._findings_shown:
            return  # nothing new: keep the rows (and the reader's place)
        self._findings_shown = shown
        for old in [*self.finding_rows, *self.question_rows]:
            _discard(self.findings_box, old)
        self.finding_rows = []
        self.question_rows = []
        for finding in findings:
            if finding.code == "unconfirmed" and finding.question is not None:
                question = QuestionRow(finding, self.editor, self)  # a question with Yes / No (ui/questions.py)
                self.findings_box.addWidget(question)
                self.question_rows.append(question)
                continue
            row = FindingRow(finding, self._action_for(finding), self)
            self.findings_box.addWidget(row)
            self.finding_rows.append(row)
        self.problems_title.setVisible(bool(findings) or has_documents)
        self.problems_line.setVisible(bool(findings) or has_documents)
        if self.finding_rows:  # questions still to answer are not problems
            self.no_problems_label.hide()
        elif has_documents:
            self.no_problems_label.setText(self.tr("✓ No problems found with this item."))
            self.no_problems_label.show()
        else:
            self.no_problems_label.hide()

    def _action_for(self, finding: Finding) -> tuple[str, Callable[[], None]] | None:
        """A button that starts the fix, where one control does it (presentation only, not a rule)."""
        doc_id = finding.document
        code = finding.code
        if self.editor is None:  # only a way to look, never to change
            if code == "name-mismatch" and self.session.requirement("name-verification"):
                return self.tr("Open Name verification"), lambda: self.navigate.emit("name-verification")
            return None
        if code == "translation-missing" and doc_id and (doc := self.session.document(doc_id)) \
                and not doc.is_translation:
            return self.tr("Attach translation…"), lambda: self.attach_translation(doc_id)
        if code in REPLACE_CODES and doc_id:
            return self.tr("Replace scan…"), lambda: self.replace(doc_id)
        if code == "name-mismatch" and self.session.requirement("name-verification"):
            return self.tr("Open Name verification"), lambda: self.navigate.emit("name-verification")
        if code == "missing-details" and doc_id is None:
            return self.tr("Open your profile"), lambda: self.navigate.emit("profile")
        if code == "missing-details" and doc_id in self.cards:
            return self.tr("Fill it in"), lambda: self._focus_empty(doc_id)
        if code in DATE_CODES and doc_id and doc_id in self.cards:
            return self.tr("Fix the date"), lambda: self._focus_date(doc_id)
        return None

    def _focus_date(self, document_id: str) -> None:
        card = self.cards.get(document_id)
        if card is not None:
            card.focus_date()

    def _focus_empty(self, document_id: str) -> None:
        card = self.cards.get(document_id)
        if card is not None:
            card.focus_empty()

    def _thumbnail_ready(self, sha256: str) -> None:
        for card in self.cards.values():
            if any(f.sha256 == sha256 for f in card.document.files):
                card.show_thumbnails()

    def _busy(self, busy: bool) -> None:
        self.drop_zone.browse_button.setEnabled(not busy)
        self.drop_zone.setAcceptDrops(not busy)

    def _preview(self, document_id: str, position: int) -> None:
        document = self.session.document(document_id)
        if document is not None:
            self.preview.show_document(document, position)

    # -- actions ----------------------------------------------------------------------------------------

    def browse(self) -> None:
        """Browse… and Ctrl+O: pick files, then the same import as a drop."""
        if self.editor is None or self.requirement is None or self.requirement.id == TRANSLATION_REQUIREMENT:
            return
        paths = prompts.choose_files(self, self.tr("Attach your {noun}").format(noun=self.requirement.noun))
        if paths:
            self.attach_files(paths)

    def attach_files(self, paths: list[Path]) -> None:
        """Import ``paths`` as the pages of one new document of this requirement (drop and Browse… alike)."""
        requirement = self.requirement
        bundles = [p for p in paths if Path(p).suffix.lower() == BUNDLE_SUFFIX]
        if bundles:  # a student's bundle is opened for review, never imported as a scan
            self.bundle_dropped.emit(Path(bundles[0]))
            return
        if requirement is None or not paths or self.editor is None:
            return
        if requirement.id == TRANSLATION_REQUIREMENT:
            prompts.show_info(self, self.tr("Attach a translation"), self.tr(
                "Use “Attach translation…” beside the document it translates, so the two stay together."))
            return
        title = requirement.title
        error_title = self.tr("Could not add your {noun}").format(noun=requirement.noun)
        self._start_import(requirement.id, paths, {}, error_title,
                           lambda doc: self.tr("Added {title} ({pages}).").format(
                               title=title, pages=plural(doc.page_count, self.tr("page"), self.tr("pages"))))

    def _start_import(self, requirement_id: str, paths: list[Path], metadata: dict[str, Any], error_title: str,
                      message: Callable[[Document], str], replace: str | None = None) -> None:
        def done(document: Document) -> None:
            self.session.notice.emit(message(document))
            shown = document if not document.is_translation else self.session.document(document.translation_of or "")
            if shown is not None and shown.requirement == self.requirement_id:
                self.preview.show_document(shown)

        def failed(text: str) -> None:
            prompts.show_error(self, error_title, text)

        if self.editor is None:
            return
        task = self.editor.start_import(requirement_id, paths, metadata, done=done, failed=failed, replace=replace)
        if task is None:
            prompts.show_info(self, self.tr("Please wait"), self.tr(
                "Another document is being imported. Try again when it has finished."))

    def replace(self, document_id: str) -> None:
        document = self.session.document(document_id)
        if document is None:
            return
        title = self.session.title_of(document)
        paths = prompts.choose_files(self, self.tr("Choose the new scan of your {title}").format(title=title))
        if not paths:
            return
        if not prompts.ask_yes_no(self, self.tr("Replace scan"), self.tr(
                "Replace the scan of your {title} ({files}) with {count}? Its details (dates, language, name) stay."
        ).format(title=title, files=document_files_line(document),
                 count=plural(len(paths), self.tr("new file"), self.tr("new files"))),
                yes=self.tr("Replace"), no=self.tr("Keep the current scan")):
            return
        self._start_import(document.requirement, paths, {}, self.tr("Could not replace the scan"),
                           lambda doc: self.tr("Replaced the scan of {title}.").format(title=title),
                           replace=document_id)

    def remove(self, document_id: str) -> None:
        editor = self.editor
        if editor is not None:
            self.session.when_vault_free(lambda: editor.remove_document(document_id))

    def attach_translation(self, document_id: str) -> None:
        """Ask who translated, then which files; import them linked to the original."""
        original = self.session.document(document_id)
        if original is None:
            return
        title = self.session.title_of(original)
        answer = prompts.ask_translator(self, title)
        if answer is None:
            return
        paths = prompts.choose_files(self, self.tr("Choose the English translation of your {title}").format(
            title=title))
        if not paths:
            return
        metadata = {"translation_of": original.id, "translator": answer.name, "translator_kind": answer.kind}
        self._start_import(TRANSLATION_REQUIREMENT, paths, metadata, self.tr("Could not attach the translation"),
                           lambda doc: self.tr("Attached the English translation of your {title}.").format(title=title))

    def _save(self, document_id: str, changes: dict[str, Any]) -> None:
        editor = self.editor
        if editor is None:
            return

        def save() -> None:
            try:
                editor.edit_document(document_id, changes)
            except DeskError as exc:
                prompts.show_error(self, self.tr("Not saved"), exc.message)
                self.session.reload()

        self.session.when_vault_free(save)

    def _set_translation_status(self, document_id: str, status: object) -> None:
        self._save(document_id, {"translation_status": status})

    # -- for the window and for tests --------------------------------------------------------------------

    def first_card(self) -> DocumentCard | None:
        return self.cards[self._card_order[0]] if self._card_order else None

    def finding_texts(self) -> list[str]:
        return [row.text() for row in self.finding_rows]

