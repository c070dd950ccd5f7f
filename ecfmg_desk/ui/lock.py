"""Locking the window (UX.md principle 8): by hand (View → Lock, Ctrl+L) or after minutes without input.

:class:`InactivityLock` watches the app's windows for keys, clicks and the wheel and restarts a single-shot timer
(no polling). It filters each window's own surface (``QWindow``), where the system delivers all input first,
not the whole application: a filter there makes every event of every widget cross into Python.

:class:`LockScreen` is what the window shows instead of its content while locked: the app's name, the vault
folder's name, and the recovery passphrase to unlock. Checking the passphrase only unwraps the vault key stored
in the vault (:func:`check_passphrase`); the database is not opened again.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QWindow
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget
from shiboken6 import isValid

from ecfmg_desk.ui import icons
from ecfmg_desk.ui.widgets import heading, muted, wrapping
from ecfmg_desk.vault.crypto import unwrap_key

ACTIVITY_EVENTS = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel})
"""What counts as someone at the computer (a mouse merely passing over the window does not)."""


def check_passphrase(wrapped: dict[str, Any], passphrase: str) -> None:
    """Raise :class:`WrongPassphraseError` unless ``passphrase`` unwraps the vault key (authenticated
    encryption: only the right passphrase decrypts it)."""
    unwrap_key(wrapped, passphrase)


class InactivityLock(QObject):
    """Emits :attr:`expired` after ``minutes`` without a key press, click or wheel in any of the app's windows."""

    expired = Signal()

    def __init__(self, minutes: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.expired)
        self._app: QApplication | None = None
        self._watched: list[QWindow] = []
        self.set_minutes(minutes)

    def set_minutes(self, minutes: float) -> None:
        """``0``: never lock by itself."""
        self.minutes = max(0.0, minutes)
        self.timer.setInterval(max(1, round(self.minutes * 60_000)))
        self.restart()

    @property
    def enabled(self) -> bool:
        return self.minutes > 0

    def start(self) -> None:
        """Watch the window that has the focus, and each one that gets it later (a dialog, a review window)."""
        app = QApplication.instance()
        if self._app is None and isinstance(app, QApplication):
            self._app = app
            app.focusWindowChanged.connect(self._watch)
            self._watch(app.focusWindow())
        self.restart()

    def watch(self, widget: QWidget) -> None:
        """Count input on ``widget``'s window (the main window, as soon as it is shown)."""
        self._watch(widget.windowHandle())

    def _watch(self, window: QWindow | None) -> None:
        self._watched = [w for w in self._watched if isValid(w)]  # (a closed dialog's surface is gone)
        if window is not None and window not in self._watched:
            window.installEventFilter(self)
            self._watched.append(window)

    def restart(self) -> None:
        if self.enabled and self._app is not None:
            self.timer.start()
        else:
            self.timer.stop()

    def pause(self) -> None:
        """While locked: nothing to count down to."""
        self.timer.stop()

    def stop(self) -> None:
        self.timer.stop()
        if self._app is not None:
            self._app.focusWindowChanged.disconnect(self._watch)
            self._app = None
        for window in self._watched:
            if isValid(window):
                window.removeEventFilter(self)
        self._watched = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in ACTIVITY_EVENTS and self.timer.isActive():
            self.timer.start()
        return False


class LockScreen(QWidget):
    """"ECFMG Desk is locked", the vault folder's name, the passphrase and Unlock; nothing personal."""

    unlock_requested = Signal(str)
    """The typed passphrase (empty when the vault has none to ask for)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        outer = QVBoxLayout(self)
        outer.addStretch(2)
        column = QVBoxLayout()
        column.setSpacing(10)
        icon = QLabel(self)
        icon.setPixmap(icons.pixmap("lock", 48, self.devicePixelRatioF()))
        icon.setAccessibleName(self.tr("Locked"))
        column.addWidget(icon, 0, Qt.AlignmentFlag.AlignHCenter)
        self.title_label = heading(self.tr("ECFMG Desk is locked"), 1, self)
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.title_label.setAccessibleName(self.title_label.text())
        column.addWidget(self.title_label)
        self.place_label = muted(QLabel(self))
        self.place_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.place_label.setAccessibleName(self.tr("Vault folder"))
        column.addWidget(self.place_label)
        self.note_label = wrapping("", self)
        self.note_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.note_label.setAccessibleName(self.tr("How to unlock"))
        column.addWidget(self.note_label)
        row = QHBoxLayout()
        self.passphrase_field = QLineEdit(self)
        self.passphrase_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_field.setPlaceholderText(self.tr("Recovery passphrase"))
        self.passphrase_field.setAccessibleName(self.tr("Recovery passphrase"))
        self.passphrase_field.setMinimumWidth(280)
        self.passphrase_field.returnPressed.connect(self._unlock)
        self.unlock_button = QPushButton(self.tr("Unlock"), self)
        self.unlock_button.setIcon(icons.icon("lock"))
        self.unlock_button.setAccessibleName(self.tr("Unlock"))
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self._unlock)
        row.addStretch(1)
        row.addWidget(self.passphrase_field)
        row.addWidget(self.unlock_button)
        row.addStretch(1)
        column.addLayout(row)
        self.error_label = wrapping("", self)
        self.error_label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.error_label.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.error_label.setAccessibleName(self.tr("Unlock error"))
        self.error_label.hide()
        column.addWidget(self.error_label)
        holder = QHBoxLayout()
        holder.addStretch(1)
        holder.addLayout(column, 0)
        holder.addStretch(1)
        outer.addLayout(holder)
        outer.addStretch(3)
        self.asks_passphrase = True

    def prepare(self, place: str, *, asks_passphrase: bool, note: str = "") -> None:
        """Show the screen for ``place`` (a folder name, or empty); with or without a passphrase to type."""
        self.asks_passphrase = asks_passphrase
        self.place_label.setText(place)
        self.place_label.setVisible(bool(place))
        self.note_label.setText(note)
        self.note_label.setVisible(bool(note))
        self.passphrase_field.clear()
        self.passphrase_field.setVisible(asks_passphrase)
        self.show_error("")

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))
        if message:
            self.passphrase_field.clear()
            self.passphrase_field.setFocus()

    def focus(self) -> None:
        (self.passphrase_field if self.asks_passphrase else self.unlock_button).setFocus()

    def _unlock(self) -> None:
        self.unlock_requested.emit(self.passphrase_field.text() if self.asks_passphrase else "")

