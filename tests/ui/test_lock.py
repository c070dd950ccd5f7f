"""Locking the window (UX.md principle 8): Ctrl+L, the passphrase, the inactivity timer, review mode."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from ecfmg_desk.core.catalog import Catalog
from ecfmg_desk.ui.session import Session
from ecfmg_desk.ui.settings import lock_minutes, open_settings, set_lock_minutes
from ecfmg_desk.ui.window import MainWindow
from ecfmg_desk.vault.store import Vault
from tests.ui.conftest import AS_OF, Prompts, export_bundle, open_in_checklist, show_window
from tests.ui.test_window import _unnamed

PASSPHRASE = "correct horse battery"  # the conftest vault's


def visible_texts(window: MainWindow) -> list[str]:
    """Every text a person could read in the window right now: the title, labels and fields."""
    texts = [window.windowTitle()]
    for widget in window.findChildren(QLabel) + window.findChildren(QLineEdit):
        if widget.isVisible():
            texts.append(widget.text())
    return texts


def shows_the_applicant(window: MainWindow) -> bool:
    return any("garcia" in text.lower() or "maria" in text.lower() for text in visible_texts(window))


def press_ctrl_l(qtbot: QtBot, window: MainWindow) -> None:
    """Ctrl+L in the window, as a person at the keyboard would (the window in front)."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    qtbot.keyClick(window.checklist if not window.locked else window.lock_screen.passphrase_field,
                   Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)


@pytest.fixture
def quick_lock_window(qtbot: QtBot, vault: Vault, catalog: Catalog, asked: Prompts) -> Iterator[MainWindow]:
    """A window whose settings say: lock after 0.3 s without input."""
    set_lock_minutes(open_settings(), 0.005)
    session = Session(vault, catalog, as_of=AS_OF)
    main = show_window(qtbot, session)
    yield main
    main.close()
    session.shutdown()


def test_the_lock_setting_defaults_to_ten_minutes_and_zero_means_never() -> None:
    settings = open_settings()
    assert lock_minutes(settings) == 10
    set_lock_minutes(settings, 0)
    assert lock_minutes(settings) == 0


def test_ctrl_l_hides_every_personal_detail(qtbot: QtBot, window: MainWindow, vault: Vault) -> None:
    open_in_checklist(qtbot, window, "passport")
    assert shows_the_applicant(window), "(the name must be there before, or this test proves nothing)"
    press_ctrl_l(qtbot, window)
    assert window.locked
    assert window.lock_screen.isVisible() and not window.content.isVisible()
    assert not shows_the_applicant(window), [t for t in visible_texts(window) if "garcia" in t.lower()]
    texts = visible_texts(window)
    assert "ECFMG Desk is locked" in texts
    assert any(vault.path.name in text for text in texts)
    assert "ECFMG Desk" in window.windowTitle() and "Locked" in window.windowTitle()
    for action in (window.attach_action, window.export_action, window.profile_action, window.help_action,
                   window.checklist_action, window.load_review_action, window.open_bundle_action):
        assert not action.isEnabled()
    assert window.recent_menu.menuAction().isEnabled() is False
    assert window.lock_action.isEnabled() and window.quit_action.isEnabled()
    assert window.lock_screen.passphrase_field.hasFocus()


def test_a_wrong_passphrase_is_said_inline_and_the_window_stays_locked(qtbot: QtBot, window: MainWindow,
                                                                       asked: Prompts) -> None:
    window.lock()
    screen = window.lock_screen
    qtbot.keyClicks(screen.passphrase_field, "correct horse battery staple")
    qtbot.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)
    assert window.locked
    assert screen.error_label.isVisible()
    assert "does not open this vault" in screen.error_label.text()
    assert screen.passphrase_field.text() == ""
    assert asked.errors == [], "inline, not a dialog"
    assert not shows_the_applicant(window)


def test_the_right_passphrase_brings_back_the_same_page(qtbot: QtBot, window: MainWindow) -> None:
    window.open_profile()
    assert window.current_page() is window.profile_page
    press_ctrl_l(qtbot, window)
    assert window.locked
    qtbot.keyClicks(window.lock_screen.passphrase_field, PASSPHRASE)
    qtbot.keyClick(window.lock_screen.passphrase_field, Qt.Key.Key_Return)
    assert not window.locked
    assert window.current_page() is window.profile_page and window.profile_page.isVisible()
    assert shows_the_applicant(window)
    assert "GARCIA LOPEZ" in window.windowTitle()
    assert window.attach_action.isEnabled() and window.export_action.isEnabled()
    assert window.lock_screen.passphrase_field.text() == ""
    assert window.inactivity.timer.isActive(), "counting again"


def test_inactivity_locks_the_window_and_input_restarts_the_count(qtbot: QtBot,
                                                                  quick_lock_window: MainWindow) -> None:
    window = quick_lock_window
    timer = window.inactivity.timer
    assert timer.interval() == 300
    # counting from the first show (on a loaded machine showing the window can take longer than 0.3 s: then it
    # has locked already, which is what this part waits for)
    assert timer.isActive() or window.locked
    qtbot.waitUntil(lambda: window.locked, timeout=5_000)
    assert not shows_the_applicant(window)
    assert not timer.isActive(), "no countdown while locked"
    qtbot.keyClicks(window.lock_screen.passphrase_field, PASSPHRASE)
    qtbot.keyClick(window.lock_screen.passphrase_field, Qt.Key.Key_Return)
    assert not window.locked

    window.inactivity.set_minutes(0.02)  # 1.2 s: input well before then starts the count again
    # margins of several hundred ms, so a loaded CI machine cannot turn scheduling delays into a failure
    qtbot.waitUntil(lambda: timer.remainingTime() < 700, timeout=5_000)
    # input as the system delivers it: to the window's surface, then to the widget under it or with the focus
    surface = window.windowHandle()
    QTest.keyClick(surface, Qt.Key.Key_Shift)  # any key, even one that does nothing
    assert timer.remainingTime() > 900
    qtbot.waitUntil(lambda: timer.remainingTime() < 700, timeout=5_000)
    QTest.mouseClick(surface, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     window.vault_label.mapTo(window, window.vault_label.rect().center()))  # a click anywhere
    assert timer.remainingTime() > 900
    assert not window.locked


def test_input_in_a_dialog_counts_as_someone_at_the_computer(qtbot: QtBot, quick_lock_window: MainWindow) -> None:
    """Typing in a dialog (its own window) restarts the count too: the window does not lock under it."""
    window = quick_lock_window
    timer = window.inactivity.timer
    window.inactivity.set_minutes(0.02)
    dialog = QDialog(window)
    dialog.resize(300, 200)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWindow() is dialog.windowHandle())
    qtbot.waitUntil(lambda: timer.remainingTime() < 700, timeout=5_000)
    QTest.keyClick(dialog.windowHandle(), Qt.Key.Key_Shift)
    assert timer.remainingTime() > 900
    dialog.close()


def test_zero_minutes_never_locks(window: MainWindow) -> None:
    window.inactivity.set_minutes(0)
    assert not window.inactivity.timer.isActive()


def test_the_lock_screen_names_its_controls(qtbot: QtBot, window: MainWindow) -> None:
    window.lock()
    assert _unnamed(window.lock_screen) == []
    screen = window.lock_screen
    assert screen.passphrase_field.accessibleName() == "Recovery passphrase"
    assert screen.unlock_button.accessibleName() == "Unlock"
    assert screen.error_label.accessibleName() == "Unlock error"


def test_without_a_recovery_passphrase_a_click_unlocks_and_the_screen_says_why(
        qtbot: QtBot, tmp_path: Path, catalog: Catalog, asked: Prompts) -> None:
    with Vault.open(tmp_path / "no-passphrase", create=True) as vault:  # key in the (in-memory) keyring only
        vault.update_profile({"given_names": "Maria Jose", "family_name": "Garcia Lopez"})
        session = Session(vault, catalog, as_of=AS_OF)
        window = show_window(qtbot, session)
        try:
            press_ctrl_l(qtbot, window)
            screen = window.lock_screen
            assert window.locked and not shows_the_applicant(window)
            assert not screen.passphrase_field.isVisible()
            assert "no recovery passphrase" in screen.note_label.text()
            assert "Profile page" in screen.note_label.text()
            qtbot.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)
            assert not window.locked and shows_the_applicant(window)
        finally:
            window.close()
            session.shutdown()


def test_review_mode_locks_with_a_click_to_unlock(qtbot: QtBot, ready_vault: dict[str, str], vault: Vault,
                                                  catalog: Catalog, asked: Prompts, tmp_path: Path) -> None:
    from ecfmg_desk.packet.bundle import open_bundle
    from ecfmg_desk.ui.bundle_session import BundleSession

    bundle = export_bundle(vault, catalog, tmp_path / "mail")
    session = BundleSession(open_bundle(bundle), bundle, catalog, today=AS_OF, reviewer="Dr. Ana Ruiz")
    window = show_window(qtbot, session)
    try:
        assert shows_the_applicant(window)
        press_ctrl_l(qtbot, window)
        assert window.locked and not shows_the_applicant(window)
        assert window.banner is not None and not window.banner.isVisible()
        assert not window.lock_screen.passphrase_field.isVisible()
        qtbot.mouseClick(window.lock_screen.unlock_button, Qt.MouseButton.LeftButton)
        assert not window.locked and window.banner.isVisible()
        assert not window.attach_action.isEnabled(), "still not part of review mode after unlocking"
    finally:
        window.close()
        session.close()
