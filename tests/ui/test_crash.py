"""A bug in the window: logged with its traceback, and "Something went wrong" with the log's place and a copy
button; Qt's own messages reach the log too (and still reach pytest-qt)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer, qInfo
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from ecfmg_desk import logs
from ecfmg_desk.ui import crash, prompts

Shown = list[tuple[Path | None, str, bool]]


@pytest.fixture
def crashes(monkeypatch: pytest.MonkeyPatch, isolated_dirs: Path) -> Iterator[Shown]:
    """The hooks installed as ``run_gui`` installs them, and the crash dialogs they would show
    (log file, details, whether on the GUI thread)."""
    shown: Shown = []

    def show_crash(_parent: QWidget | None, log_file: Path | None, details: str) -> None:
        on_gui = threading.current_thread() is threading.main_thread()
        shown.append((log_file, details, on_gui))

    monkeypatch.setattr(prompts, "show_crash", show_crash)
    logs.setup_logging(verbose=False)
    undo = crash.install()
    yield shown
    undo()
    logs.shutdown_logging()
    logs._kept_out.clear()


def _explode() -> None:
    raise ZeroDivisionError("the applicant Maria Jose Garcia Lopez divided by zero")


def test_a_bug_in_a_slot_is_logged_and_shown_in_plain_words(qtbot: QtBot, crashes: Shown) -> None:
    logs.keep_out("Maria Jose", "Garcia Lopez")
    QTimer.singleShot(0, _explode)
    qtbot.waitUntil(lambda: bool(crashes), timeout=5000)
    log_file, details, on_gui = crashes[0]
    assert on_gui
    assert log_file is not None and log_file == logs.log_path()
    text = log_file.read_text(encoding="utf-8")
    assert "ZeroDivisionError" in text and "_explode" in text, "the traceback is in the log"
    assert "Garcia" not in text and "Maria" not in text
    assert "ZeroDivisionError" in details and "Garcia" not in details
    assert "Log file: ~/" in details and details.count("ecfmg-desk.log") == 1, "where the log is, scrubbed"


def test_a_bug_in_another_thread_shows_the_dialog_on_the_gui_thread(qtbot: QtBot, crashes: Shown) -> None:
    worker = threading.Thread(target=_explode, name="worker")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(crashes), timeout=5000)
    assert crashes[0][2], "the dialog is never opened off the GUI thread"
    assert "worker" in logs.log_path().read_text(encoding="utf-8")


def test_the_hooks_are_put_back(isolated_dirs: Path) -> None:
    import sys

    before = (sys.excepthook, threading.excepthook)
    undo = crash.install()
    assert sys.excepthook is not before[0]
    undo()
    assert (sys.excepthook, threading.excepthook) == before


def test_qt_messages_go_to_the_log_and_still_to_pytest_qt(qtbot: QtBot, crashes: Shown,
                                                          qtlog: Any) -> None:
    qInfo("a message from Qt about fonts")
    assert "a message from Qt about fonts" in logs.log_path().read_text(encoding="utf-8")
    assert any("a message from Qt about fonts" in r.message for r in qtlog.records), \
        "pytest-qt still sees it (so a Qt warning still fails a test)"


def test_the_crash_dialog_says_where_the_log_is_and_copies_the_details(qtbot: QtBot, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    log_file = tmp_path / "log" / "ecfmg-desk.log"
    opened: list[str] = []
    dialog = crash.CrashDialog(log_file, "ECFMG Desk 0.1.0\nTraceback: ZeroDivisionError", None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.windowTitle() == "Something went wrong"
    assert str(log_file) in dialog.message.text()
    assert "Traceback" not in dialog.message.text(), "the user reads words; the traceback is for the helper"
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "ECFMG Desk 0.1.0\nTraceback: ZeroDivisionError"
    assert dialog.copied.text().startswith("Copied")
    def open_url(url: Any) -> bool:
        opened.append(url.toLocalFile())
        return True

    monkeypatch.setattr(prompts, "open_url", open_url)
    assert dialog.folder_button is not None
    qtbot.mouseClick(dialog.folder_button, Qt.MouseButton.LeftButton)
    assert opened == [str(log_file.parent)]
    dialog.close()
    QApplication.processEvents()
