"""The editors of a document's own fields (exam result, OET sub-scores, form status, ...), one per field the
catalog declares, with the widget its type asks for: a date field, a number box with the field's range, a choice.

Takes the read-only view and, for the student, the editor: without an editor the values are plain text. The
values are vetted by the catalog's declaration (``Requirement.check_fields``) before anything is saved, and a
refused value is said in words under the form; the vault is never changed by a bad value.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QLineEdit, QSpinBox, QWidget

from ecfmg_desk.core.catalog import FieldSpec, Requirement
from ecfmg_desk.core.model import Document
from ecfmg_desk.core.rules import format_date
from ecfmg_desk.errors import DeskError
from ecfmg_desk.ui.view import PacketEditor, PacketView
from ecfmg_desk.ui.widgets import DateField, wrapping

_NOT_ENTERED = "—"


def shown(spec: FieldSpec, value: object) -> str:
    """A field's value in words: dates as "15 Jul 2022", yes/no, the chosen word, or "not entered"."""
    if value is None:
        return "not entered"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return format_date(value)
    return str(value)


class FieldsForm(QWidget):
    """The requirement's own fields of one document, edited in place (saved at once, undoable)."""

    def __init__(self, view: PacketView, requirement: Requirement, document: Document,
                 parent: QWidget | None = None, *, editor: PacketEditor | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.editor = editor
        self.requirement = requirement
        self.document = document
        self._loading = False
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(6)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.widgets: dict[str, QWidget] = {}
        # a date that falls back to a detail the card already asks for (the OET's test date is its issue date)
        self.specs = [f for f in requirement.fields if not (f.default_from and f.default_from in requirement.needs)]
        for index, spec in enumerate(self.specs):
            widget = self._make(spec)
            widget.setAccessibleName(spec.label)
            if spec.help:
                widget.setToolTip(spec.help)
            label = QLabel(spec.label + (" *" if spec.required else "") + ":", self)
            label.setBuddy(widget)
            row, column = divmod(index, 2)
            grid.addWidget(label, row, column * 2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(widget, row, column * 2 + 1)
            self.widgets[spec.name] = widget
        self.error_label = wrapping("", self)
        self.error_label.setObjectName("fieldError")
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.hide()
        grid.addWidget(self.error_label, (len(self.specs) + 1) // 2, 0, 1, 4)
        self.set_document(document)

    def _make(self, spec: FieldSpec) -> QWidget:
        if self.editor is None:
            text = wrapping("", self, selectable=True)
            text.setTextFormat(Qt.TextFormat.PlainText)
            return text
        if spec.type == "date":
            field = DateField(self)
            field.value_changed.connect(lambda s=spec, f=field: self._edited(s, f.value()))
            return field
        if spec.type == "int":
            box = QSpinBox(self)
            low = spec.minimum if spec.minimum is not None else 0
            box.setRange(low - 1, spec.maximum if spec.maximum is not None else 9999)
            box.setSpecialValueText(_NOT_ENTERED)  # the value below the range: not entered yet
            box.setKeyboardTracking(False)
            box.valueChanged.connect(lambda v, s=spec, b=box: self._edited(s, None if v < b.minimum() + 1 else v))
            return box
        if spec.type in ("enum", "bool"):
            combo = QComboBox(self)
            combo.addItem(_NOT_ENTERED, None)
            choices: list[tuple[str, Any]] = (
                [(v, v) for v in spec.values] if spec.type == "enum" else [("yes", True), ("no", False)])
            for word, data in choices:
                combo.addItem(word, data)
            combo.activated.connect(lambda _i, s=spec, c=combo: self._edited(s, c.currentData()))
            return combo
        edit = QLineEdit(self)
        edit.editingFinished.connect(lambda s=spec, e=edit: self._edited(s, e.text().strip() or None))
        return edit

    def _edited(self, spec: FieldSpec, value: Any) -> None:
        if self._loading or self.editor is None:
            return
        if self.document.fields.get(spec.name) == value:
            return
        try:
            checked = self.requirement.check_fields({spec.name: value})
            self.editor.edit_document(self.document.id, {"fields": checked})
        except DeskError as exc:
            self.error_label.setText(exc.message)
            self.error_label.show()
            self.set_document(self.document)  # back to what is stored
            return
        self.error_label.hide()

    def set_document(self, document: Document) -> None:
        """Show the stored values (defaults shown as such) unless the user is typing in that field."""
        self.document = document
        self._loading = True
        try:
            for spec in self.specs:
                widget = self.widgets[spec.name]
                if widget.hasFocus() and not isinstance(widget, QComboBox):
                    continue
                stored = document.fields.get(spec.name)
                effective = self.requirement.field_value(document, spec.name)
                if isinstance(widget, QLabel):
                    words = shown(spec, effective)
                    widget.setText(words)
                    widget.setAccessibleName(f"{spec.label}: {words}")
                elif isinstance(widget, DateField):
                    widget.set_value(stored if isinstance(stored, date) else None)
                elif isinstance(widget, QSpinBox):
                    widget.setValue(stored if isinstance(stored, int) else widget.minimum())
                elif isinstance(widget, QComboBox):
                    index = widget.findData(stored) if stored is not None else 0
                    if stored is None and spec.default is not None:
                        widget.setItemText(0, f"{_NOT_ENTERED} ({shown(spec, spec.default)})")
                    widget.setCurrentIndex(max(0, index))
                elif isinstance(widget, QLineEdit):
                    widget.setText(stored if isinstance(stored, str) else "")
        finally:
            self._loading = False
