"""Small dialogs, always opened through :mod:`ecfmg_desk.ui.prompts` (tests fill them without ``exec()``)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ecfmg_desk.ui.widgets import muted, wrapping

MIN_PASSPHRASE = 8


class PassphraseFields(QWidget):
    """A passphrase typed twice, with a plain-words check under it (used by the first-run wizard too)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.first = QLineEdit(self)
        self.first.setEchoMode(QLineEdit.EchoMode.Password)
        self.first.setAccessibleName(self.tr("Recovery passphrase"))
        self.second = QLineEdit(self)
        self.second.setEchoMode(QLineEdit.EchoMode.Password)
        self.second.setAccessibleName(self.tr("Type the recovery passphrase again"))
        self.show_box = QCheckBox(self.tr("Show the passphrase"), self)
        self.feedback = muted(QLabel(self))
        self.feedback.setAccessibleName(self.tr("Passphrase check"))
        form.addRow(self.tr("&Passphrase:"), self.first)
        form.addRow(self.tr("&Again:"), self.second)
        form.addRow("", self.show_box)
        form.addRow("", self.feedback)
        self.first.textChanged.connect(self._update)
        self.second.textChanged.connect(self._update)
        self.show_box.toggled.connect(self._show)
        self._update()

    def _show(self, visible: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if visible else QLineEdit.EchoMode.Password
        self.first.setEchoMode(mode)
        self.second.setEchoMode(mode)

    def _update(self) -> None:
        first, second = self.first.text(), self.second.text()
        if len(first) < MIN_PASSPHRASE:
            text = self.tr("Use at least {n} characters; a few unrelated words are easy to remember.").format(
                n=MIN_PASSPHRASE)
        elif not second:
            text = self.tr("Now type it again, to be sure it is what you meant.")
        elif first != second:
            text = self.tr("The two passphrases are not the same yet.")
        else:
            text = self.tr("✓ The two passphrases match.")
        self.feedback.setText(text)
        self.changed.emit()

    def is_valid(self) -> bool:
        return len(self.first.text()) >= MIN_PASSPHRASE and self.first.text() == self.second.text()

    def passphrase(self) -> str:
        return self.first.text() if self.is_valid() else ""


class NewPassphraseDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Recovery passphrase"))
        layout = QVBoxLayout(self)
        layout.addWidget(wrapping(self.tr(
            "Your recovery passphrase is the only way back into your documents if this computer's keyring is "
            "lost (a new computer, a reinstalled system). Write it down and keep it somewhere safe: nobody, "
            "not even ECFMG Desk, can recover it for you."), self))
        self.fields = PassphraseFields(self)
        layout.addWidget(self.fields)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.fields.changed.connect(self._update)
        self._update()

    def _update(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(self.fields.is_valid())

    def passphrase(self) -> str:
        return self.fields.passphrase()


TRANSLATOR_KIND_LABELS = (
    ("professional", "A professional translation service"),
    ("school", "An official of my medical school"),
    ("government", "A government official (for example, a consulate)"),
)


class TranslatorDialog(QDialog):
    """Who made the English translation: ECFMG accepts three kinds of translator (RULES.md)."""

    def __init__(self, original_title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Attach translation"))
        layout = QVBoxLayout(self)
        layout.addWidget(wrapping(self.tr(
            "Who made the English translation of your {title}? ECFMG accepts translations made by a "
            "professional translation service, your medical school or a government official — never by "
            "yourself.").format(title=original_title), self))
        form = QFormLayout()
        self.name_edit = QLineEdit(self)
        self.name_edit.setAccessibleName(self.tr("Translator's name"))
        self.name_edit.setPlaceholderText(self.tr("as printed on the translation's certification"))
        self.kind_combo = QComboBox(self)
        self.kind_combo.setAccessibleName(self.tr("Kind of translator"))
        for kind, label in TRANSLATOR_KIND_LABELS:
            self.kind_combo.addItem(self.tr(label), kind)
        form.addRow(self.tr("Translator's &name:"), self.name_edit)
        form.addRow(self.tr("&Made by:"), self.kind_combo)
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.choose = self.buttons.addButton(self.tr("Choose the files…"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.name_edit.textChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        self.choose.setEnabled(bool(self.name_edit.text().strip()))

    def translator_name(self) -> str:
        return self.name_edit.text().strip()

    def translator_kind(self) -> str:
        value = self.kind_combo.currentData()
        return value if isinstance(value, str) else "professional"
