"""When the code has a bug: log it, tell the user in plain words, keep the window running.

:func:`install` (the window's ``run_gui`` calls it) sets ``sys.excepthook`` and ``threading.excepthook``: an
exception nobody caught — in a slot, an event handler or a thread — is written with its traceback to the log file
(:mod:`ecfmg_desk.logs`, scrubbed of personal data) and the user sees "Something went wrong" with the log's
location and a button that copies the details for whoever helps them. The dialog always opens on the GUI thread
(a crash in a worker thread is handed over by a queued signal) and through ``prompts.show_crash``, the seam tests
replace. It also sends Qt's own messages (warnings about fonts, platform plugins…) to the log; the previous
handler keeps getting them, so under pytest-qt a Qt warning still fails the test.
"""

from __future__ import annotations

import logging
import platform
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import (
    QMessageLogContext,
    QObject,
    QSize,
    Qt,
    QtMsgType,
    QUrl,
    Signal,
    qInstallMessageHandler,
)
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ecfmg_desk import APP_NAME, logs
from ecfmg_desk.ui import prompts

log = logging.getLogger(__name__)
qt_log = logging.getLogger("ecfmg_desk.qt")

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], Any]

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def crash_report(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> str:
    """What the copy button copies: versions, the platform and the traceback, scrubbed of personal data."""
    from ecfmg_desk import __version__

    where = logs.current_log_file()
    lines = [
        f"{APP_NAME} {__version__} · Python {platform.python_version()} · PySide6 {pyside_version} · "
        f"{platform.system()} {platform.release()}",
        f"Log file: {where if where is not None else 'none'}",
        "",
        "".join(traceback.format_exception(exc_type, exc, tb)).rstrip(),
    ]
    return logs.scrub("\n".join(lines))


class CrashDialog(QDialog):
    """"Something went wrong": what happened in the user's words, where the log is, Copy details, Close."""

    def __init__(self, log_file: Path | None, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.details = details
        self.setWindowTitle(self.tr("Something went wrong"))
        self.setModal(True)
        layout = QVBoxLayout(self)
        heading = QLabel(self.tr("Something went wrong"), self)
        font = heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2 if font.pointSizeF() > 0 else font.pointSizeF())
        heading.setFont(font)
        layout.addWidget(heading)
        if log_file is not None:
            where = self.tr("The details are in the log file:\n{path}").format(path=log_file)
        else:
            where = self.tr("The log file could not be written; use Copy details to keep them.")
        self.message = QLabel(self.tr(
            "ECFMG Desk ran into a problem it did not expect. What was saved before is still in your vault. "
            "If this happens again, copy the details and send them to whoever helps you with ECFMG Desk; "
            "they contain no names and no documents.") + "\n\n" + where, self)
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # a path is data, never markup
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        self.copied = QLabel("", self)
        layout.addWidget(self.copied)
        buttons = QDialogButtonBox(self)
        self.copy_button = QPushButton(self.tr("&Copy details"), self)
        self.copy_button.clicked.connect(self.copy)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.folder_button: QPushButton | None = None
        if log_file is not None:
            self.folder_button = QPushButton(self.tr("Show the &log folder"), self)
            folder = log_file.parent
            self.folder_button.clicked.connect(lambda: prompts.open_url(QUrl.fromLocalFile(str(folder))))
            buttons.addButton(self.folder_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        for button in (self.copy_button, self.folder_button):
            if button is not None:
                button.setAutoDefault(False)  # Enter closes; copying is a click (or Alt+C)
        close.setDefault(True)
        close.setFocus()
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        # fixed limits, so "Copied." appearing does not resize the window (the offscreen platform warns)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.copied.setMinimumHeight(self.copied.fontMetrics().height())
        self.setMinimumSize(self.sizeHint().expandedTo(QSize(460, 0)))

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.details)
        self.copied.setText(self.tr("Copied. Paste the details into an e-mail or a message."))


class _Reporter(QObject):
    """Lives on the GUI thread; a crash reported from any thread reaches :meth:`_show` there."""

    report = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.showing = False
        self.report.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def _show(self, details: str) -> None:
        if self.showing:  # a crash while the dialog is open (or caused by it) is only logged
            return
        self.showing = True
        try:
            prompts.show_crash(QApplication.activeWindow(), logs.current_log_file(), details)
        finally:
            self.showing = False


def _qt_handler(previous: Any) -> Callable[[QtMsgType, QMessageLogContext, str], None]:
    def handler(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
        qt_log.log(_QT_LEVELS.get(mode, logging.WARNING), "%s", message)
        if previous is not None:
            previous(mode, context, message)

    return handler


def install() -> Callable[[], None]:
    """Set the crash hooks and the Qt message handler (call on the GUI thread, after the QApplication
    exists). Returns the undo, which puts back what was there before."""
    reporter = _Reporter()
    old_hook = sys.excepthook
    old_thread_hook = threading.excepthook

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            old_hook(exc_type, exc, tb)
            return
        try:
            log.critical("unexpected error", exc_info=(exc_type, exc, tb))
            reporter.report.emit(crash_report(exc_type, exc, tb))
        except Exception:  # the hook itself must never fail: keep Python's own report
            old_hook(exc_type, exc, tb)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        hook(args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook = hook
    threading.excepthook = thread_hook
    previous_qt = qInstallMessageHandler(None)
    qInstallMessageHandler(_qt_handler(previous_qt))

    def undo() -> None:
        if sys.excepthook is hook:
            sys.excepthook = old_hook
        if threading.excepthook is thread_hook:
            threading.excepthook = old_thread_hook
        qInstallMessageHandler(previous_qt)
        reporter.deleteLater()

    return undo
