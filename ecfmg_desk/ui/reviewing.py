"""Reviews on a document card: the advisor's decision buttons and comments (review mode), and what the student
sees once the review is loaded back into their vault.

The advisor's work lives in a :class:`ReviewDraft` until it is saved as REVIEW.json (``packet.review``); the
student's side only shows ``Document.review`` as the vault reports it, stale approvals included. Words and icons
come from :mod:`ecfmg_desk.ui.words`, so both sides say "Approved" and "Changes requested" the same way.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ecfmg_desk.core.model import Comment, Document, Review
from ecfmg_desk.ui import icons
from ecfmg_desk.ui.widgets import icon_button, muted, plain_label, tool_button, wrapping
from ecfmg_desk.ui.words import decision_icon, decision_word, format_date

DECISIONS = ("approved", "changes")


class ReviewDraft(QObject):
    """An advisor's decisions and comments on one bundle, not saved yet.

    ``ask_reviewer`` is called before the first change when no reviewer name is known (the window asks once
    and keeps the answer in the settings); when it returns False the change is not made.
    """

    changed = Signal(str)
    """The review of this document id changed ("" when everything may have: the reviewer's name, a save)."""

    def __init__(self, reviewer: str, today: date, parent: QObject | None = None, *, student: str = "",
                 exported: date | None = None) -> None:
        super().__init__(parent)
        self.reviewer = reviewer.strip()
        self.today = today
        self.student = student
        """Whose packet this reviews (the name of record in the bundle)."""
        self.exported = exported
        """When the student exported the bundle under review."""
        self.saved_to: Path | None = None
        """Where the review was last written."""
        self.ask_reviewer: Callable[[], bool] | None = None
        self.dirty = False
        self._decisions: dict[str, str] = {}
        self._comments: dict[str, list[str]] = {}

    def _ready(self) -> bool:
        if self.reviewer:
            return True
        return bool(self.ask_reviewer and self.ask_reviewer() and self.reviewer)

    def set_reviewer(self, name: str) -> None:
        name = name.strip()
        if name and name != self.reviewer:
            self.reviewer = name
            self.dirty = self.dirty or bool(self._decisions or self._comments)
            self.changed.emit("")

    def decision(self, document_id: str) -> str | None:
        return self._decisions.get(document_id)

    def decide(self, document_id: str, decision: str | None) -> bool:
        """Approve, request changes, or (``None``) take the decision back."""
        if decision is not None and decision not in DECISIONS:
            raise ValueError(decision)
        if self._decisions.get(document_id) == decision or not self._ready():
            return False
        if decision is None:
            self._decisions.pop(document_id, None)
        else:
            self._decisions[document_id] = decision
        self.dirty = True
        self.changed.emit(document_id)
        return True

    def comments(self, document_id: str) -> list[Comment]:
        """The comments on a document as they will be saved: signed with the reviewer's name and today."""
        return [Comment(self.reviewer, self.today, text) for text in self._comments.get(document_id, [])]

    def add_comment(self, document_id: str, text: str) -> bool:
        text = text.strip()
        if not text or not self._ready():
            return False
        self._comments.setdefault(document_id, []).append(text)
        self.dirty = True
        self.changed.emit(document_id)
        return True

    def remove_comment(self, document_id: str, index: int) -> None:
        texts = self._comments.get(document_id, [])
        if 0 <= index < len(texts):
            del texts[index]
            if not texts:
                self._comments.pop(document_id, None)
            self.dirty = True
            self.changed.emit(document_id)

    @property
    def decisions(self) -> dict[str, str]:
        return dict(self._decisions)

    @property
    def comment_texts(self) -> dict[str, list[str]]:
        return {doc_id: list(texts) for doc_id, texts in self._comments.items()}

    @property
    def is_empty(self) -> bool:
        return not self._decisions and not self._comments

    def counts(self, document_ids: list[str]) -> tuple[int, int, int]:
        """(approved, changes requested, not reviewed yet) over ``document_ids``."""
        approved = sum(1 for d in document_ids if self._decisions.get(d) == "approved")
        changes = sum(1 for d in document_ids if self._decisions.get(d) == "changes")
        return approved, changes, len(document_ids) - approved - changes

    def mark_saved(self, path: Path | None = None) -> None:
        if path is not None:
            self.saved_to = path
        self.dirty = False
        self.changed.emit("")


# --------------------------------------------------------------------------------------------- widgets


def _signature(comment: Comment) -> str:
    return f"{comment.author} · {format_date(comment.date)}" if comment.author else format_date(comment.date)


class CommentRow(QWidget):
    """One comment: who and when (muted), then the text; the advisor's own comments can be removed."""

    def __init__(self, comment: Comment, remove: Callable[[], None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.comment = comment
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.setSpacing(6)
        column = QVBoxLayout()
        column.setSpacing(0)
        self.signature = muted(QLabel(_signature(comment), self))
        font = self.signature.font()
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.9) if font.pointSizeF() > 0 else 8.0)
        self.signature.setFont(font)
        self.text_label = wrapping(comment.text, self, selectable=True)
        self.text_label.setTextFormat(Qt.TextFormat.PlainText)
        self.text_label.setMinimumWidth(240)
        column.addWidget(self.signature)
        column.addWidget(self.text_label)
        layout.addLayout(column, 1)
        self.remove_button: QWidget | None = None
        if remove is not None:
            button = tool_button("remove", self.tr("Remove this comment"), self)
            button.clicked.connect(remove)
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
            self.remove_button = button
        self.setAccessibleName(self.tr("Comment by {who}: {text}").format(who=_signature(comment), text=comment.text))

    def text(self) -> str:
        return f"{_signature(self.comment)}: {self.comment.text}"


class _CommentEdit(QPlainTextEdit):
    """Ctrl+Enter adds the comment (Enter alone starts a new line, as in any text box)."""

    submitted = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and \
                event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.submitted.emit()
            return
        super().keyPressEvent(event)


class _Decision(QWidget):
    """An icon and a sentence that wraps (a decision with its reviewer and date is longer than a badge)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.icon_label = QLabel(self)
        self.icon_label.setFixedSize(18, 18)
        self.text_label = wrapping("", self)
        font = self.text_label.font()
        font.setBold(True)
        self.text_label.setFont(font)
        self.text_label.setMinimumWidth(240)
        layout.addWidget(self.icon_label, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.text_label, 1)

    def set(self, icon_name: str, text: str) -> None:
        self.icon_label.setPixmap(icons.pixmap(icon_name, 18, self.devicePixelRatioF()))
        self.icon_label.setAccessibleName(text)
        self.text_label.setText(text)
        self.setAccessibleName(text)

    def text(self) -> str:
        return self.text_label.text()


class _ReviewFrame(QFrame):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#reviewPanel { border: 1px solid palette(mid); border-left: 4px solid #2b5c8a;"
                           " border-radius: 4px; }")
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(10, 8, 10, 8)
        self.box.setSpacing(6)
        self.title_label = plain_label(title, self)
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        self.box.addWidget(self.title_label)
        self.decision = _Decision(self)
        self.box.addWidget(self.decision)
        self.comments_box = QVBoxLayout()
        self.comments_box.setSpacing(4)
        self.box.addLayout(self.comments_box)
        self.comment_rows: list[CommentRow] = []

    def _show_comments(self, comments: list[Comment], removable: bool, document_id: str,
                       draft: ReviewDraft | None) -> None:
        for row in self.comment_rows:
            self.comments_box.removeWidget(row)
            row.hide()
            row.deleteLater()
        self.comment_rows = []
        for index, comment in enumerate(comments):
            remove = (lambda i=index: draft.remove_comment(document_id, i)) if removable and draft else None
            row = CommentRow(comment, remove, self)
            self.comments_box.addWidget(row)
            self.comment_rows.append(row)

    def comment_texts(self) -> list[str]:
        return [row.text() for row in self.comment_rows]


class AdvisorReviewPanel(_ReviewFrame):
    """Review mode: Approve / Request changes beside the document, its comments, and a box to add one."""

    def __init__(self, draft: ReviewDraft, document: Document, files_line: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Your review"), parent)
        self.draft = draft
        self.document = document
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        self.approve_button = icon_button("ready", self.tr("Approve"), self)
        self.approve_button.setAccessibleName(self.tr("Approve {files}").format(files=files_line))
        self.changes_button = icon_button("attention", self.tr("Request changes"), self)
        self.changes_button.setAccessibleName(self.tr("Request changes to {files}").format(files=files_line))
        for button in (self.approve_button, self.changes_button):
            button.setCheckable(True)
        self.approve_button.setToolTip(self.tr("This document is fine as it is. Click again to take it back."))
        self.changes_button.setToolTip(self.tr("The student must change or rescan this document; say what in a "
                                               "comment. Click again to take it back."))
        self.approve_button.clicked.connect(lambda: self._decide("approved"))
        self.changes_button.clicked.connect(lambda: self._decide("changes"))
        buttons.addWidget(self.approve_button)
        buttons.addWidget(self.changes_button)
        buttons.addStretch(1)
        self.box.insertLayout(1, buttons)

        self.comment_edit = _CommentEdit(self)
        self.comment_edit.setAccessibleName(self.tr("Comment on {files}").format(files=files_line))
        self.comment_edit.setPlaceholderText(self.tr(
            "A comment for the student about this document (Ctrl+Enter adds it)"))
        self.comment_edit.setTabChangesFocus(True)
        line = self.comment_edit.fontMetrics().lineSpacing()
        self.comment_edit.setFixedHeight(line * 3 + 12)
        self.add_button = QPushButton(self.tr("Add comment"), self)
        self.add_button.setAccessibleName(self.tr("Add the comment on {files}").format(files=files_line))
        self.add_button.clicked.connect(self._add)
        self.comment_edit.submitted.connect(self._add)
        self.comment_edit.textChanged.connect(self._update_add)
        row = QHBoxLayout()
        row.setSpacing(6)
        row.addWidget(self.comment_edit, 1)
        row.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignBottom)
        self.box.addLayout(row)
        draft.changed.connect(self._draft_changed)
        self.refresh()

    def _decide(self, decision: str) -> None:
        current = self.draft.decision(self.document.id)
        self.draft.decide(self.document.id, None if current == decision else decision)
        self.refresh()  # also when nothing changed (the name was not given): the buttons show the truth

    def _add(self) -> None:
        if self.draft.add_comment(self.document.id, self.comment_edit.toPlainText()):
            self.comment_edit.clear()
            self.comment_edit.setFocus()

    def _update_add(self) -> None:
        self.add_button.setEnabled(bool(self.comment_edit.toPlainText().strip()))

    def _draft_changed(self, document_id: str) -> None:
        if document_id in ("", self.document.id):
            self.refresh()

    def refresh(self) -> None:
        decision = self.draft.decision(self.document.id)
        self.approve_button.setChecked(decision == "approved")
        self.changes_button.setChecked(decision == "changes")
        self.decision.set(decision_icon(decision), decision_word(decision))
        self._show_comments(self.draft.comments(self.document.id), True, self.document.id, self.draft)
        self._update_add()


class StudentReviewNotes(_ReviewFrame):
    """The student's side: the advisor's decision (or that it no longer covers a replaced scan) and comments."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Your advisor's review"), parent)
        self.stale_hint = muted(wrapping("", self))
        self.box.insertWidget(2, self.stale_hint)

    def show_review(self, review: Review | None) -> None:
        self.setVisible(review is not None)
        if review is None:
            return
        who = review.reviewer or self.tr("your advisor")
        on = format_date(review.reviewed_on) if review.reviewed_on else ""
        by = self.tr("{who} on {date}").format(who=who, date=on) if on else who
        hint = ""
        if review.decision == "approved" and not review.stale:
            icon, text = "ready", self.tr("Approved by {by}").format(by=by)
        elif review.decision == "approved":
            icon, text = "attention", self.tr("Approved before you replaced this scan — ask for a new review")
            hint = self.tr("{by} approved the earlier scan; the approval does not cover the new one.").format(
                by=by[:1].upper() + by[1:])
        elif review.decision == "changes" and not review.stale:
            icon, text = "attention", self.tr("Changes requested by {by}").format(by=by)
            hint = self.tr("Read the comments below, make the changes, then replace the scan.")
        elif review.decision == "changes":
            icon, text = "optional", self.tr("Changes were requested before you replaced this scan — ask for a "
                                             "new review")
            hint = self.tr("{by} asked for changes to the earlier scan.").format(by=by[:1].upper() + by[1:])
        else:
            icon, text = "info", self.tr("Comments from {by}").format(by=by)
        self.decision.set(icon, text)
        self.stale_hint.setText(hint)
        self.stale_hint.setVisible(bool(hint))
        self._show_comments(list(review.comments), False, "", None)
        self.setAccessibleName(html.unescape(text))

    def text(self) -> str:
        return self.decision.text()
