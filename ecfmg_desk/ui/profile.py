"""The applicant's profile: the name of record exactly as on the passport, dates, school, IDs, route.

:class:`ProfileForm` is shared by the first-run wizard and the Profile page; the page saves as you type
(debounced), like every other form in the window, so there is no Save button to forget.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ecfmg_desk.core.model import Profile
from ecfmg_desk.errors import DeskError
from ecfmg_desk.ui import prompts
from ecfmg_desk.ui.session import Session
from ecfmg_desk.ui.widgets import DateField, RedrawWhenShown, heading, muted, wrapping

SAVE_DELAY_MS = 500


class ProfileForm(QWidget):
    """Every profile field; ``edited`` fires on each change made by the user (never by :meth:`set_profile`)."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        def line(accessible: str, placeholder: str = "") -> QLineEdit:
            edit = QLineEdit(self)
            edit.setAccessibleName(accessible)
            edit.setPlaceholderText(placeholder)
            edit.textEdited.connect(self._edited)
            return edit

        self.given_names = line(self.tr("Given names"), self.tr("exactly as on your passport"))
        self.family_name = line(self.tr("Family name"), self.tr("exactly as on your passport"))
        self.record_label = muted(wrapping("", self))
        self.record_label.setAccessibleName(self.tr("Name of record"))
        self.date_of_birth = DateField(self)
        self.date_of_birth.setAccessibleName(self.tr("Date of birth"))
        self.medical_school = line(self.tr("Medical school"),
                                   self.tr("as listed in the World Directory of Medical Schools"))
        self.graduation_date = DateField(self)
        self.graduation_date.setAccessibleName(self.tr("Graduation date"))
        self.usmle_id = line(self.tr("USMLE ID"), self.tr("for example 1-234-567-8"))
        self.myintealth_id = line(self.tr("MyIntealth ID"), self.tr("given after identity verification"))
        self.route = QComboBox(self)
        self.route.setAccessibleName(self.tr("Clinical skills route"))
        self.route.addItem(self.tr("A Pathway and OET Medicine (most applicants)"), "pathway")
        self.route.addItem(self.tr("A Step 2 CS pass (taken before 2021)"), "step2cs")
        self.transferred = QCheckBox(self.tr("I transferred credits from another medical school"), self)
        self.transferred.setAccessibleName(self.tr("Transferred credits"))
        self.match_year = QComboBox(self)
        self.match_year.setAccessibleName(self.tr("Match year"))
        self.match_year.addItem(self.tr("The next Match (chosen from today's date)"), None)
        from ecfmg_desk.resources import available_cycles

        for year in available_cycles():
            self.match_year.addItem(self.tr("The {year} Match").format(year=year), year)
        self.match_year.setToolTip(self.tr("The NRMP Main Match you aim at: its dates and rules are the ones used."))
        self.failed_step2cs = QCheckBox(self.tr("I failed Step 2 CS (only Pathway 6 is open to me)"), self)
        self.failed_step2cs.setAccessibleName(self.tr("Failed Step 2 CS"))
        self.name_change_date = DateField(self)
        self.name_change_date.setAccessibleName(self.tr("Date ECFMG changed your name of record"))
        self.name_change_date.setToolTip(self.tr("When ECFMG changed your name of record, if it ever did: an "
                                                 "identity form made before that date is no longer valid."))
        self.aamc_id = line(self.tr("AAMC ID"), self.tr("for ERAS and your letter writers"))

        form.addRow(self.tr("&Given names:"), self.given_names)
        form.addRow(self.tr("&Family name:"), self.family_name)
        form.addRow("", self.record_label)
        form.addRow(self.tr("Date of &birth:"), self.date_of_birth)
        form.addRow(self.tr("Medical &school:"), self.medical_school)
        form.addRow(self.tr("G&raduation date:"), self.graduation_date)
        form.addRow(self.tr("&USMLE ID:"), self.usmle_id)
        form.addRow(self.tr("&MyIntealth ID:"), self.myintealth_id)
        form.addRow(self.tr("Clinical s&kills:"), self.route)
        form.addRow("", self.transferred)
        form.addRow("", self.failed_step2cs)
        form.addRow(self.tr("Match &year:"), self.match_year)
        form.addRow(self.tr("&AAMC ID:"), self.aamc_id)
        form.addRow(self.tr("Name &changed on:"), self.name_change_date)

        for field in (self.date_of_birth, self.graduation_date, self.name_change_date):
            field.value_changed.connect(self._edited)
        self.route.activated.connect(self._edited)
        self.match_year.activated.connect(self._edited)
        self.transferred.toggled.connect(self._edited)
        self.failed_step2cs.toggled.connect(self._edited)
        self.given_names.textChanged.connect(self._show_record)
        self.family_name.textChanged.connect(self._show_record)
        self._show_record()

    def show_only(self) -> None:
        """Show the profile without a way to change it (the text stays selectable)."""
        for edit in self.findChildren(QLineEdit):
            edit.setReadOnly(True)
        for widget in (*self.findChildren(QComboBox), *self.findChildren(QCheckBox),
                       self.date_of_birth, self.graduation_date, self.name_change_date):
            widget.setEnabled(False)

    def _edited(self, *_args: object) -> None:
        if not self._loading:
            self.edited.emit()

    def _show_record(self, *_args: object) -> None:
        given = self.given_names.text().strip()
        family = self.family_name.text().strip()
        if not (given or family):
            text = self.tr("Your name of record is the name on your passport, letter for letter. "
                           "If you have only one name, enter it as your family name.")
        else:
            text = self.tr("Name of record: {name}").format(name=" ".join(p for p in (given, family.upper()) if p))
        self.record_label.setText(text)

    def set_profile(self, profile: Profile) -> None:
        """Show ``profile``; a field the user is typing in keeps its text (the save will catch up)."""
        self._loading = True
        try:
            for edit, value in ((self.given_names, profile.given_names), (self.family_name, profile.family_name),
                                (self.medical_school, profile.medical_school), (self.usmle_id, profile.usmle_id),
                                (self.myintealth_id, profile.myintealth_id), (self.aamc_id, profile.aamc_id or "")):
                if not edit.hasFocus() and edit.text() != value:
                    edit.setText(value)
            if not self.date_of_birth.hasFocus():
                self.date_of_birth.set_value(profile.date_of_birth)
            if not self.graduation_date.hasFocus():
                self.graduation_date.set_value(profile.graduation_date)
            self.route.setCurrentIndex(max(0, self.route.findData(profile.clinical_skills_route)))
            self.transferred.setChecked(profile.transferred_credits)
            self.failed_step2cs.setChecked(profile.failed_step2cs)
            self.match_year.setCurrentIndex(max(0, self.match_year.findData(profile.match_year)))
            if not self.name_change_date.hasFocus():
                self.name_change_date.set_value(profile.name_change_date)
        finally:
            self._loading = False

    def date_with_problem(self) -> DateField | None:
        """A date field whose typed text is not a date yet (it shows why), after taking what was typed."""
        for field in (self.date_of_birth, self.graduation_date):
            field.commit()
            if field.problem() is not None:
                return field
        return None

    def values(self) -> dict[str, Any]:
        return {
            "given_names": self.given_names.text().strip(),
            "family_name": self.family_name.text().strip(),
            "date_of_birth": self.date_of_birth.value(),
            "medical_school": self.medical_school.text().strip(),
            "graduation_date": self.graduation_date.value(),
            "usmle_id": self.usmle_id.text().strip(),
            "myintealth_id": self.myintealth_id.text().strip(),
            "clinical_skills_route": self.route.currentData() or "pathway",
            "transferred_credits": self.transferred.isChecked(),
            "failed_step2cs": self.failed_step2cs.isChecked(),
            "match_year": self.match_year.currentData(),
            "name_change_date": self.name_change_date.value(),
            "aamc_id": self.aamc_id.text().strip() or None,
        }


class ProfilePage(QScrollArea):
    """The profile, saved half a second after the last change; and the recovery passphrase."""

    def __init__(self, session: Session, parent: QWidget | None = None, *, editable: bool = True) -> None:
        super().__init__(parent)
        self.session = session
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        body = QWidget(self)
        body.setMaximumWidth(760)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(28, 22, 28, 22)
        layout.setSpacing(12)
        layout.addWidget(heading(self.tr("Your profile"), 1, body))
        layout.addWidget(wrapping(self.tr(
            "ECFMG compares every document with your name of record, so type your names exactly as they are "
            "printed on your passport. The checks on your documents use these details."), body))
        self.form = ProfileForm(body)
        layout.addWidget(self.form)

        box = QGroupBox(self.tr("Recovery passphrase"), body)
        box_layout = QHBoxLayout(box)
        self.passphrase_label = wrapping("", box)
        self.passphrase_button = QPushButton(self.tr("Change the passphrase…"), box)
        self.passphrase_button.clicked.connect(self.change_passphrase)
        box_layout.addWidget(self.passphrase_label, 1)
        box_layout.addWidget(self.passphrase_button)
        layout.addWidget(box)
        layout.addStretch(1)
        if not editable:  # a vault that cannot be written: the profile is shown, nothing offers a change
            box.hide()
            self.form.show_only()
        wrapper = QWidget(self)
        outer = QHBoxLayout(wrapper)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(body, 1)
        outer.addStretch(0)
        self.setWidget(wrapper)

        self._redraws = RedrawWhenShown(self, self.refresh)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_DELAY_MS)
        self._timer.timeout.connect(self.save)
        self.form.edited.connect(self._timer.start)
        session.changed.connect(self.refresh)
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        self._redraws.shown()
        super().showEvent(event)

    def refresh(self) -> None:
        if not self._redraws.due():
            return
        if not self._timer.isActive():
            self.form.set_profile(self.session.profile)
        if self.session.vault.has_passphrase:
            self.passphrase_label.setText(self.tr(
                "Set. It opens your vault on a new computer, or whenever this computer's keyring does not have "
                "the key."))
            self.passphrase_button.setText(self.tr("Change the passphrase…"))
        else:
            self.passphrase_label.setText(self.tr(
                "Not set yet. Today only this computer's keyring has the key to your documents: on a new "
                "computer, or after reinstalling the system, they would be lost. Set one now."))
            self.passphrase_button.setText(self.tr("Set a passphrase…"))

    def save(self) -> None:
        """Write the form to the vault (runs after typing pauses, and when the page is left)."""
        self._timer.stop()
        values = self.form.values()
        self.session.when_vault_free(lambda: self._save(values))

    def _save(self, values: dict[str, Any]) -> None:
        try:
            self.session.update_profile(values)
        except DeskError as exc:
            prompts.show_error(self, self.tr("Profile not saved"), exc.message)

    def flush(self) -> None:
        if self._timer.isActive():
            self.save()

    def change_passphrase(self) -> None:
        passphrase = prompts.ask_new_passphrase(self)
        if not passphrase:
            return
        try:
            self.session.vault.set_passphrase(passphrase)
        except DeskError as exc:
            prompts.show_error(self, self.tr("Passphrase not changed"), exc.message)
            return
        self.session.notice.emit(self.tr("Recovery passphrase saved."))
        self.refresh()
