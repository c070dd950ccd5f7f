"""The date field: typed the way the applicant writes dates, echoed in words, never thrown away on Tab."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from ecfmg_desk.core.dates import DateOrder
from ecfmg_desk.ui.datefield import DateField, locale_order
from tests.ui.conftest import type_into


class Form(QWidget):
    """A date field and a line edit after it, for Tab to go to."""

    def __init__(self, order: DateOrder | None) -> None:
        super().__init__()
        self.setMinimumSize(420, 160)  # fixed limits: the offscreen platform warns when a window's limits change
        layout = QVBoxLayout(self)
        self.field = DateField(self, order=order)
        self.field.setAccessibleName("Issued")
        self.after = QLineEdit(self)
        layout.addWidget(self.field)
        layout.addWidget(self.after)
        layout.addStretch(1)
        self.changes: list[date | None] = []
        self.field.value_changed.connect(lambda: self.changes.append(self.field.value()))


def _form(qtbot: QtBot, order: DateOrder | None) -> Form:
    form = Form(order)
    qtbot.addWidget(form)
    form.show()
    form.activateWindow()
    qtbot.waitActive(form)
    return form


@pytest.fixture
def day_first(qtbot: QtBot) -> Iterator[Form]:
    form = _form(qtbot, DateOrder.DAY_FIRST)
    yield form
    form.close()


@pytest.fixture
def unclear(qtbot: QtBot) -> Iterator[Form]:
    form = _form(qtbot, None)
    yield form
    form.close()


def test_a_date_typed_day_first_is_kept_on_tab_and_shown_in_words(qtbot: QtBot, day_first: Form) -> None:
    field = day_first.field
    assert field.value() is None and field.text() == "" and field.edit.placeholderText() == "not set"
    type_into(qtbot, field, "15/07/2022")
    assert field.value() == date(2022, 7, 15), "the date most of the world writes is kept"
    assert field.text() == "15 Jul 2022", "and echoed back in words"
    assert day_first.after.hasFocus(), "Tab went on to the next field"
    assert day_first.changes == [date(2022, 7, 15)]
    assert not field.message_row.isVisible()


def test_iso_and_words_are_read_too(qtbot: QtBot, day_first: Form) -> None:
    field = day_first.field
    type_into(qtbot, field, "2022-07-15")
    assert field.value() == date(2022, 7, 15) and field.text() == "15 Jul 2022"
    type_into(qtbot, field, "3 March 2021")
    assert field.value() == date(2021, 3, 3) and field.text() == "3 Mar 2021"


def test_while_typing_the_field_says_what_it_reads(qtbot: QtBot, day_first: Form) -> None:
    field = day_first.field
    field.setFocus()
    qtbot.keyClicks(field.edit, "03/04/2022")
    assert field.message_row.isVisible() and field.message.text() == "Reads as 3 Apr 2022"
    assert field.value() is None, "nothing is saved before the applicant leaves the field"
    qtbot.keyClick(field.edit, Qt.Key.Key_Return)
    assert field.value() == date(2022, 4, 3) and not field.message_row.isVisible()


def test_an_ambiguous_date_is_kept_as_typed_with_the_reason(qtbot: QtBot, unclear: Form) -> None:
    field = unclear.field
    field.set_value(date(2020, 1, 1))
    type_into(qtbot, field, "03/04/2022")
    assert field.text() == "03/04/2022", "what was typed is not thrown away"
    assert field.value() == date(2020, 1, 1), "and the saved date is not replaced by a guess"
    assert unclear.changes == []
    assert field.message_row.isVisible() and field.icon_label.isVisible()
    assert "could be 3 Apr 2022 or 4 Mar 2022" in field.message.text()
    assert field.problem() == field.message.text()
    assert field.edit.accessibleDescription() == field.message.text(), "a screen reader hears it too"
    field.set_value(date(2020, 1, 1))  # a refresh of the page with the same saved value
    assert field.text() == "03/04/2022" and field.problem() is not None
    type_into(qtbot, field, "3 Apr 2022")
    assert field.value() == date(2022, 4, 3) and not field.message_row.isVisible()
    assert unclear.changes == [date(2022, 4, 3)]


def test_an_invalid_date_shows_an_inline_error(qtbot: QtBot, day_first: Form) -> None:
    field = day_first.field
    type_into(qtbot, field, "31/02/2022")
    assert field.text() == "31/02/2022" and field.value() is None
    assert "February 2022 has 28 days" in field.message.text() and field.message_row.isVisible()
    field.setFocus()
    qtbot.keyClick(field.edit, Qt.Key.Key_Escape)
    assert field.text() == "" and field.problem() is None, "Esc takes back what was typed"


def test_a_new_saved_value_replaces_a_problem(qtbot: QtBot, day_first: Form) -> None:
    field = day_first.field
    type_into(qtbot, field, "nonsense")
    assert field.problem() is not None
    field.set_value(date(2023, 5, 6))  # changed elsewhere (undo): shown, the problem is gone
    assert field.text() == "6 May 2023" and field.problem() is None


def test_clearing_means_not_set(qtbot: QtBot, day_first: Form) -> None:
    field = day_first.field
    field.set_value(date(2022, 7, 15))
    type_into(qtbot, field, "")
    qtbot.keyClick(field.edit, Qt.Key.Key_Delete)
    field.setFocus()
    qtbot.keyClick(field.edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(field.edit, Qt.Key.Key_Delete)
    qtbot.keyClick(field.edit, Qt.Key.Key_Tab)
    assert field.value() is None and field.text() == ""
    assert day_first.changes == [None]


@pytest.mark.qt_log_ignore("This plugin does not support")  # popups offscreen: no raise, no keyboard grab
def test_the_calendar_picks_a_date(qtbot: QtBot, day_first: Form) -> None:
    field = day_first.field
    field.set_value(date(2022, 7, 15))
    field.setFocus()
    qtbot.keyClick(field.edit, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    calendar = field._calendar
    assert calendar is not None and calendar.isVisible()
    assert calendar.selectedDate().toPython() == date(2022, 7, 15)
    calendar.clicked.emit(QDate(2022, 7, 20))
    assert not calendar.isVisible()
    assert field.value() == date(2022, 7, 20) and field.text() == "20 Jul 2022"


def test_the_order_comes_from_the_locale() -> None:
    assert locale_order(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)) is DateOrder.MONTH_FIRST
    assert locale_order(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)) is DateOrder.DAY_FIRST
    assert locale_order(QLocale(QLocale.Language.Spanish, QLocale.Country.Mexico)) is DateOrder.DAY_FIRST
    assert locale_order(QLocale(QLocale.Language.Hindi, QLocale.Country.India)) is DateOrder.DAY_FIRST
    assert locale_order(QLocale(QLocale.Language.Chinese, QLocale.Country.China)) is None


def test_the_wizard_does_not_go_on_past_a_date_it_could_not_read(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QWizard

    from ecfmg_desk.ui.wizard import FirstRunWizard

    created: list[dict[str, object]] = []

    def create(_passphrase: str, profile: dict[str, object]) -> bool:
        created.append(profile)
        return True

    wizard = FirstRunWizard(create, True)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(wizard.passphrase_page.fields.first, "maple river 42")
    qtbot.keyClicks(wizard.passphrase_page.fields.second, "maple river 42")
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
    form = wizard.profile_page.form
    qtbot.keyClicks(form.family_name, "Garcia Lopez")
    form.date_of_birth.edit.setText("31/02/1996")  # typed, and Next clicked without leaving the field
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.profile_page and created == [], "the typed date is not dropped"
    assert "February 1996 has 29 days" in (form.date_of_birth.problem() or "")
    form.date_of_birth.edit.setText("29/02/1996")
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
    assert created and created[0]["date_of_birth"] == date(1996, 2, 29)
    wizard.close()
