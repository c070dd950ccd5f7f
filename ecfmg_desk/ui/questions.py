"""A question the app asks for a rule it cannot see in a file, with Yes and No buttons (DESIGN.md section 6).

Shown in a requirement's findings in place of the ``unconfirmed`` row. Takes the finding and the optional
editor: without an editor (an advisor's view) the question is plain text.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from ecfmg_desk.core.model import Finding
from ecfmg_desk.errors import DeskError
from ecfmg_desk.ui import prompts
from ecfmg_desk.ui.view import PacketEditor
from ecfmg_desk.ui.widgets import wrapping


class QuestionRow(QWidget):
    """"Still to answer: …" with Yes / No; the answer is stored encrypted and the checklist redraws."""

    def __init__(self, finding: Finding, editor: PacketEditor | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.finding = finding
        self.editor = editor
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 2, 0, 2)
        self.label = wrapping(finding.message, self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        row.addWidget(self.label, 1)
        self.yes_button = QPushButton(self.tr("Yes"), self)
        self.no_button = QPushButton(self.tr("No"), self)
        for button, value in ((self.yes_button, True), (self.no_button, False)):
            button.setAccessibleName(f"{button.text()}: {finding.message}")
            button.clicked.connect(lambda _c=False, v=value: self._answer(v))
            button.setVisible(editor is not None and finding.question is not None)
            row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)

    def _answer(self, value: bool) -> None:
        if self.editor is None or self.finding.question is None:
            return
        try:
            self.editor.answer(self.finding.question, self.finding.document, value)
        except DeskError as exc:
            prompts.show_error(self, self.tr("Answer not saved"), exc.message)

    def text(self) -> str:
        return self.finding.message
