"""The keyboard does what a newcomer expects (issue 15, finding 8): Enter on the welcome page is Next."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ecfmg_desk.ui.settings import RecentBundle
from ecfmg_desk.ui.wizard import FirstRunWizard
from tests.ui.conftest import Prompts


def test_enter_on_the_welcome_page_goes_to_the_next_page(qtbot: QtBot, asked: Prompts, tmp_path: Path) -> None:
    bundle = tmp_path / "a.ecfmgpkt"
    bundle.write_bytes(b"")
    recent = [RecentBundle(path=bundle, student="A Student", exported=date(2026, 5, 1), problems=0)]
    wizard = FirstRunWizard(lambda _p, _v: True, True, recent)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.activateWindow()
    qtbot.waitActive(wizard)
    assert wizard.currentPage() is wizard.welcome
    focused = QApplication.focusWidget() or wizard
    qtbot.keyClick(focused, Qt.Key.Key_Return)
    assert asked.open_requests == [], "Enter did not open the bundle picker"
    assert wizard.currentPage() is wizard.passphrase_page, "Enter is Next"
    wizard.close()


def test_enter_on_the_bundle_button_itself_still_is_next_but_space_opens_it(qtbot: QtBot, asked: Prompts) -> None:
    wizard = FirstRunWizard(lambda _p, _v: True, True)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.activateWindow()
    qtbot.waitActive(wizard)
    button = wizard.welcome.advisor.open_button
    button.setFocus()
    asked.open_paths.append(None)
    qtbot.keyClick(button, Qt.Key.Key_Space)
    assert asked.open_requests == ["Open a student's bundle"], "the button works from the keyboard"
    qtbot.keyClick(button, Qt.Key.Key_Return)
    assert wizard.currentPage() is wizard.passphrase_page
    wizard.close()
