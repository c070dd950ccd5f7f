"""Small dialogs, always opened through :mod:`ecfmg_desk.ui.prompts` (tests fill them without ``exec()``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ecfmg_desk.ui import prompts
from ecfmg_desk.ui.datefield import DateField
from ecfmg_desk.ui.widgets import ElidedLabel, heading, muted, wrapping

MIN_PASSPHRASE = 8


class PassphraseFields(QWidget):
    """A passphrase typed twice, with a plain-words check under it (used by the first-run wizard too)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, what: str = "") -> None:
        super().__init__(parent)
        what = what or self.tr("recovery passphrase")
        self._what = what
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.first = QLineEdit(self)
        self.first.setEchoMode(QLineEdit.EchoMode.Password)
        self.first.setAccessibleName(what[:1].upper() + what[1:])
        self.second = QLineEdit(self)
        self.second.setEchoMode(QLineEdit.EchoMode.Password)
        self.second.setAccessibleName(self.tr("Type the {what} again").format(what=what))
        self.show_box = QCheckBox(self.tr("Show the {what}").format(what=what.split()[-1]), self)
        self.feedback = muted(QLabel(self))
        self.feedback.setAccessibleName(self.tr("{what} check").format(what=what.split()[-1].capitalize()))
        form.addRow(self.tr("&Passphrase:") if "passphrase" in what else self.tr("&Password:"), self.first)
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
            text = self.tr("The two are not the same yet.")
        else:
            text = self.tr("✓ The two match.")
        self.feedback.setText(text)
        self.changed.emit()

    def is_valid(self) -> bool:
        return len(self.first.text()) >= MIN_PASSPHRASE and self.first.text() == self.second.text()

    def passphrase(self) -> str:
        return self.first.text() if self.is_valid() else ""


class NewPassphraseDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, title: str = "", explanation: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title or self.tr("Recovery passphrase"))
        layout = QVBoxLayout(self)
        layout.addWidget(wrapping(explanation or self.tr(
            "Your recovery passphrase opens your documents whenever this computer's keyring does not have "
            "their key: on a new computer, after reinstalling the system, or on a computer without a keyring. "
            "Write it down and keep it somewhere safe: nobody, not even ECFMG Desk, can recover it for you."), self))
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


class DateDialog(QDialog):
    """One date, typed as the applicant writes it (the window's date field: echo in words, the reason inline
    when it cannot be read or could be two dates); empty means "no date" when the question allows it."""

    def __init__(self, title: str, prompt: str, current: date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        self.prompt_label = wrapping(prompt, self)
        layout.addWidget(self.prompt_label)
        self.field = DateField(self)
        self.field.setAccessibleName(title)
        self.field.set_value(current)
        self.prompt_label.setBuddy(self.field.edit)
        layout.addWidget(self.field)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)

    def accept(self) -> None:
        """Save (or Enter): take what was typed; a date that cannot be read keeps the dialog open with its
        reason under the box, so nothing is saved that the applicant did not mean."""
        self.field.commit()
        if self.field.problem() is not None:
            self.field.edit.setFocus()
            return
        super().accept()

    def value(self) -> date | None:
        return self.field.value()


PAPERS = (("letter", "Letter (8.5 × 11 in)"), ("a4", "A4 (210 × 297 mm)"))


class ExportDialog(QDialog):
    """Where the packet PDF goes, whether the advisor bundle goes beside it, a password, the paper size."""

    def __init__(self, suggested: Path, paper: str = "letter", parent: QWidget | None = None, *,
                 packet_ready: bool = True, destination: str = "packet") -> None:
        from ecfmg_desk.ui.portal_export import PACKET, DestinationChoice, default_folder

        super().__init__(parent)
        self.setWindowTitle(self.tr("Export your packet"))
        self._packet = suggested
        self._folders = {key: default_folder(suggested, key) for key in ("myintealth", "lor-portal", "eras")}
        self._packet_key = PACKET
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(heading(self.tr("Export your packet"), 2, self))
        self.choice = DestinationChoice(destination, packet_ready, self)
        layout.addWidget(self.choice)

        where = QHBoxLayout()
        where_label = self.where_label = QLabel(self.tr("Save the PDF as:"), self)
        self.path_label = ElidedLabel("", self)
        self.path_label.setMinimumWidth(360)
        self.change_button = QPushButton(self.tr("Change…"), self)
        self.change_button.setAccessibleName(self.tr("Change where the PDF is saved"))
        self.change_button.clicked.connect(self._change)
        where.addWidget(where_label)
        where.addWidget(self.path_label, 1)
        where.addWidget(self.change_button)
        layout.addLayout(where)

        # the packet's options, or what a portal's files will be: one page at a time, the dialog keeps one size
        self.options = QStackedWidget(self)
        packet_options = QWidget(self.options)
        options = QVBoxLayout(packet_options)
        options.setContentsMargins(0, 0, 0, 0)
        options.setSpacing(10)
        self.bundle_box = QCheckBox(self.tr("Also write the advisor bundle, for your advisor to review"), self)
        self.bundle_box.setChecked(False)  # every scan, passport included, unencrypted: only when asked for
        self.bundle_note = muted(wrapping("", self))
        options.addWidget(self.bundle_box)
        options.addWidget(self.bundle_note)

        self.password_box = QCheckBox(self.tr("Protect the PDF with a password"), self)
        password = QWidget(self)
        password_layout = QVBoxLayout(password)
        password_layout.setContentsMargins(24, 0, 0, 0)  # indented under its check box: they belong together
        self.password_note = muted(wrapping(self.tr(
            "Anyone who opens the PDF will need this password. Send it separately from the file."), password))
        self.password_fields = PassphraseFields(password, what=self.tr("PDF password"))
        password_layout.addWidget(self.password_note)
        password_layout.addWidget(self.password_fields)
        options.addWidget(self.password_box)
        options.addWidget(password)

        paper_row = QHBoxLayout()
        paper_row.addWidget(QLabel(self.tr("Paper size:"), self))
        self.paper_group = QButtonGroup(self)
        self.paper_buttons: dict[str, QRadioButton] = {}
        for key, text in PAPERS:
            button = QRadioButton(self.tr(text), self)
            self.paper_group.addButton(button)
            self.paper_buttons[key] = button
            paper_row.addWidget(button)
        paper_row.addStretch(1)
        self.paper_buttons.get(paper, self.paper_buttons["letter"]).setChecked(True)
        options.addLayout(paper_row)
        options.addWidget(muted(wrapping(self.tr(
            "For the cover, the contents and the pages made from image scans (each shown at its true size). "
            "PDF scans keep their own pages."), self)))
        self.options.addWidget(packet_options)
        self.options.addWidget(self.choice.portal_page(self.options))
        layout.addWidget(self.options)

        layout.addStretch(1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.export_button = self.buttons.addButton(self.tr("Export"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self.bundle_box.toggled.connect(self._update)
        self.choice.changed.connect(lambda _key: self._update())
        self.password_box.toggled.connect(self._update)
        self.password_fields.changed.connect(self._update)
        self._update()
        # one explicit minimum size: the layout then never changes the window's limits as texts change
        self.setMinimumSize(self.sizeHint().expandedTo(QSize(600, 0)))

    def destination(self) -> str:
        return self.choice.current()

    def _portal(self) -> bool:
        return self.destination() != self._packet_key

    def _change(self) -> None:
        if self._portal():
            folder = prompts.choose_directory(self, self.tr("Save the files in"), self._folders[self.destination()])
            if folder is not None:
                self._folders[self.destination()] = folder
                self._update()
            return
        chosen = prompts.choose_save_path(self, self.tr("Save the packet as"), self._packet,
                                          self.tr("PDF files (*.pdf)"))
        if chosen is not None:
            self._packet = chosen if chosen.suffix.lower() == ".pdf" else chosen.with_name(chosen.name + ".pdf")
            self._update()

    def _update(self) -> None:
        portal = self._portal()
        self.where_label.setText(self.tr("Save the files in:") if portal else self.tr("Save the PDF as:"))
        self.change_button.setAccessibleName(self.tr("Change the folder for the files") if portal
                                             else self.tr("Change where the PDF is saved"))
        self.path_label.set_full_text(str(self._folders[self.destination()] if portal else self._packet))
        self.options.setCurrentIndex(1 if portal else 0)  # a portal: no bundle, no password, its own page size
        self.export_button.setText(self.tr("Check the files…") if portal else self.tr("Export"))
        self.bundle_note.setText(self.tr(
            "Saved beside the PDF as “{name}”. It holds your scans and their details so your advisor can check "
            "and comment on each document. It is not password-protected: tick this only when you will send it "
            "to your advisor, and send it to nobody else."
        ).format(name=self.bundle_path().name))
        self.bundle_note.setEnabled(self.bundle_box.isChecked() and not portal)
        protect = self.password_box.isChecked() and not portal
        # enabled, never shown/hidden: the dialog keeps one size (and the user sees what a password involves)
        self.password_fields.setEnabled(protect)
        self.password_note.setEnabled(protect)
        self.export_button.setEnabled(not protect or self.password_fields.is_valid())

    def packet_path(self) -> Path:
        return self._packet

    def bundle_path(self) -> Path:
        return self._packet.with_suffix(".ecfmgpkt")

    def paper(self) -> str:
        return next((key for key, button in self.paper_buttons.items() if button.isChecked()), "letter")

    def answer(self) -> prompts.ExportAnswer:
        if self._portal():
            return prompts.ExportAnswer(packet=self._folders[self.destination()], bundle=None, password=None,
                                        paper=self.paper(), destination=self.destination())
        return prompts.ExportAnswer(
            packet=self._packet,
            bundle=self.bundle_path() if self.bundle_box.isChecked() else None,
            password=self.password_fields.passphrase() if self.password_box.isChecked() else None,
            paper=self.paper(),
        )


class PassphraseDialog(QDialog):
    """The recovery passphrase of an existing vault: why it is asked (wrapped, never one endless line, as
    ``QInputDialog`` draws it), the hidden field, Open / Cancel."""

    def __init__(self, title: str, prompt: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        self.prompt_label = wrapping(prompt, self)
        self.prompt_label.setTextFormat(Qt.TextFormat.PlainText)  # it names a folder: data, not markup
        self.prompt_label.setMinimumWidth(420)
        layout.addWidget(self.prompt_label)
        self.field = QLineEdit(self)
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setAccessibleName(self.tr("Recovery passphrase"))
        layout.addWidget(self.field)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.open_button = self.buttons.addButton(self.tr("Open"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.open_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.field.textChanged.connect(lambda text: self.open_button.setEnabled(bool(text)))
        self.open_button.setEnabled(False)
        self.setMinimumSize(self.sizeHint().expandedTo(QSize(520, 0)))

    def passphrase(self) -> str:
        return self.field.text()
