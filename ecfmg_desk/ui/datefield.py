"""The date field every page uses: type the date as you write it, see it back in words, never lose it on Tab.

An applicant types ``15/07/2022`` (or ``2022-07-15``, ``15 July 2022``…); :func:`ecfmg_desk.core.dates.read_date`
reads it in the order of their computer's locale. While typing, the line under the field says what it reads as
("Reads as 15 Jul 2022"); on Tab or Enter the date is kept and shown in words. Text that is no date, or that could
be two dates, is **kept as typed** with the reason under the field (icon and words), and the saved value does not
change until it is fixed — a typed date is never silently thrown away. Empty means "not set". The calendar button
(or Alt+Down, F4) picks the date instead.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from PySide6.QtCore import QDate, QEvent, QLocale, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QCalendarWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ecfmg_desk.core.dates import EARLIEST, LATEST, DateOrder, DateReading, example, order_from_pattern, read_date
from ecfmg_desk.core.rules import format_date
from ecfmg_desk.ui import icons


def locale_order(locale: QLocale | None = None) -> DateOrder | None:
    """The applicant's order of day and month, from their locale's short date format (``None``: not clear)."""
    locale = locale if locale is not None else QLocale()
    return order_from_pattern(locale.dateFormat(QLocale.FormatType.ShortFormat))


class DateField(QWidget):
    """A date (or "not set") with free typing, an echo in words, an inline problem and a calendar popup."""

    value_changed = Signal()
    """The saved value changed (never for a problem, never for :meth:`set_value`)."""

    def __init__(self, parent: QWidget | None = None, *,
                 order: DateOrder | Literal["locale"] | None = "locale") -> None:
        """``order``: how this applicant writes day and month (default: their locale's way)."""
        super().__init__(parent)
        self.order: DateOrder | None = locale_order() if order == "locale" else order
        self._value: date | None = None
        self._problem: str | None = None
        self._calendar: QCalendarWidget | None = None
        self._forwarding = False

        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(self.tr("not set"))
        self.edit.setMinimumWidth(120)
        self.edit.setToolTip(self.tr("Type the date, for example {example}. Leave it empty if it is not set.")
                             .format(example=example(self.order)))
        self.calendar_button = QToolButton(self)
        self.calendar_button.setIcon(icons.icon("calendar"))
        self.calendar_button.setAccessibleName(self.tr("Pick the date in a calendar"))
        self.calendar_button.setToolTip(self.tr("Pick the date in a calendar (Alt+Down)"))
        self.calendar_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes field to field; Alt+Down opens it
        self.calendar_button.clicked.connect(self.open_calendar)
        self.icon_label = QLabel(self)
        self.icon_label.setFixedSize(16, 16)
        self.message = QLabel(self)
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # the message quotes what was typed
        self.message.setWordWrap(True)
        self.message.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self.edit, 1)
        row.addWidget(self.calendar_button)
        self.message_row = QWidget(self)
        message_layout = QHBoxLayout(self.message_row)
        message_layout.setContentsMargins(2, 0, 0, 0)
        message_layout.setSpacing(4)
        message_layout.addWidget(self.icon_label, 0, Qt.AlignmentFlag.AlignTop)
        message_layout.addWidget(self.message, 1)
        self.message_row.hide()
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addLayout(row)
        column.addWidget(self.message_row)

        self.setFocusProxy(self.edit)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.edit.textEdited.connect(self._typing)
        self.edit.editingFinished.connect(self.commit)
        self.edit.installEventFilter(self)

    # -- value ------------------------------------------------------------------------------------------

    def value(self) -> date | None:
        """The saved date (what typing last committed, or :meth:`set_value`)."""
        return self._value

    def text(self) -> str:
        return self.edit.text()

    def lineEdit(self) -> QLineEdit:  # (named as in QDateEdit, which this replaces)
        """The box the date is typed in."""
        return self.edit

    def event(self, event: QEvent) -> bool:
        """Keys sent to the field itself (not through the keyboard focus, which goes to the box) are typed
        into the box; Tab still moves on, after taking what was typed."""
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease) and isinstance(event, QKeyEvent):
            if event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
                if event.type() == QEvent.Type.KeyPress:
                    self.commit()
                return super().event(event)
            if self._forwarding:  # the box did not want it and passed it up to us: let it go on up
                return super().event(event)
            self._forwarding = True
            try:
                QApplication.sendEvent(self.edit, event)
            finally:
                self._forwarding = False
            return True
        return super().event(event)

    def problem(self) -> str | None:
        """Why the text shown is not saved ("could be 3 Apr 2022 or 4 Mar 2022…"); ``None`` when it is."""
        return self._problem

    def setAccessibleName(self, name: str) -> None:
        super().setAccessibleName(name)
        self.edit.setAccessibleName(name)

    def set_value(self, value: date | None) -> None:
        """Show ``value`` without reporting an edit. Text the applicant typed that is not a date yet stays, with
        its problem, while ``value`` is still what was saved: a refresh never wipes it."""
        if self._problem is not None and value == self._value:
            return
        self._value = value
        self._show_saved()

    def _show_saved(self) -> None:
        self._problem = None
        words = format_date(self._value) if self._value is not None else ""
        if self.edit.text() != words:
            self.edit.setText(words)
        self._say(None)

    # -- typing -----------------------------------------------------------------------------------------

    def _reading(self) -> DateReading:
        return read_date(self.edit.text(), self.order)

    def _typing(self, _text: str) -> None:
        reading = self._reading()
        if reading.value is not None and reading.words != self.edit.text().strip():
            self._say(self.tr("Reads as {date}").format(date=reading.words))
        else:
            self._say(None)

    def commit(self) -> None:
        """Take what was typed (Tab, Enter, leaving the field): a date is saved and shown in words; a problem
        is shown under the field and the text stays as typed."""
        reading = self._reading()
        if reading.problem is not None:
            self._problem = reading.problem
            self._say(reading.problem, icon="attention")
            return
        self._set(reading.value)

    def _set(self, value: date | None) -> None:
        changed = value != self._value
        self._value = value
        self._show_saved()
        if changed:
            self.value_changed.emit()

    def _say(self, text: str | None, icon: str | None = None) -> None:
        self.message.setText(text or "")
        if icon is not None:
            self.icon_label.setPixmap(icons.pixmap(icon, 16, self.devicePixelRatioF()))
        self.icon_label.setVisible(icon is not None)
        self.message_row.setVisible(bool(text))
        self.edit.setAccessibleDescription(text or "")

    # -- the calendar -----------------------------------------------------------------------------------

    def open_calendar(self) -> None:
        if self._calendar is None:  # built on first use: it costs more than the field
            calendar = QCalendarWidget(self)
            calendar.setWindowFlags(Qt.WindowType.Popup)
            calendar.setMinimumDate(QDate(EARLIEST.year, EARLIEST.month, EARLIEST.day))
            calendar.setMaximumDate(QDate(LATEST.year, LATEST.month, LATEST.day))
            calendar.setGridVisible(True)
            calendar.clicked.connect(self._picked)
            calendar.activated.connect(self._picked)
            self._calendar = calendar
        calendar = self._calendar
        shown = self._reading().value or self._value
        if shown is not None:
            calendar.setSelectedDate(QDate(shown.year, shown.month, shown.day))
        else:
            calendar.setSelectedDate(QDate.currentDate())
        calendar.adjustSize()
        calendar.move(self.edit.mapToGlobal(QPoint(0, self.edit.height())))
        calendar.show()
        calendar.setFocus(Qt.FocusReason.PopupFocusReason)

    def _picked(self, picked: QDate) -> None:
        if self._calendar is not None:
            self._calendar.hide()
        self._set(date(picked.year(), picked.month(), picked.day()))
        self.edit.setFocus(Qt.FocusReason.PopupFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            alt_down = event.key() == Qt.Key.Key_Down and event.modifiers() & Qt.KeyboardModifier.AltModifier
            if alt_down or event.key() == Qt.Key.Key_F4:
                self.open_calendar()
                return True
            if event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
                self.commit()  # before the focus moves (it may not leave a window that is not active)
                return False
            saved = format_date(self._value) if self._value is not None else ""
            if event.key() == Qt.Key.Key_Escape and self.edit.text() != saved:
                self._show_saved()  # Esc takes back what was typed (a second Esc reaches the dialog)
                return True
        return super().eventFilter(watched, event)
