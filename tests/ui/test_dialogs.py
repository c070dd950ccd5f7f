"""The small dialogs behind ``prompts`` (filled as a person would, never exec()'d), and what their answers do."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from ecfmg_desk.ui.dialogs import NewPassphraseDialog, TranslatorDialog
from ecfmg_desk.ui.window import MainWindow
from ecfmg_desk.vault.store import Vault
from tests.conftest import MemoryKeyring
from tests.ui.conftest import Prompts


def test_the_translator_dialog_needs_a_name_and_offers_the_three_accepted_kinds(qtbot: QtBot) -> None:
    dialog = TranslatorDialog("Medical diploma")
    qtbot.addWidget(dialog)
    assert not dialog.choose.isEnabled()
    qtbot.keyClicks(dialog.name_edit, "Lingua Example Translations")
    assert dialog.choose.isEnabled()
    kinds = [dialog.kind_combo.itemData(i) for i in range(dialog.kind_combo.count())]
    assert kinds == ["professional", "school", "government"], "never 'self': ECFMG refuses self-translations"
    dialog.kind_combo.setCurrentIndex(1)
    assert (dialog.translator_name(), dialog.translator_kind()) == ("Lingua Example Translations", "school")


def test_a_new_passphrase_must_be_typed_twice_the_same(qtbot: QtBot) -> None:
    dialog = NewPassphraseDialog()
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.keyClicks(dialog.fields.first, "short")
    assert not ok.isEnabled() and "at least 8 characters" in dialog.fields.feedback.text()
    qtbot.keyClicks(dialog.fields.first, " but long now")
    qtbot.keyClicks(dialog.fields.second, "short but long now")
    assert ok.isEnabled() and dialog.passphrase() == "short but long now"
    qtbot.mouseClick(dialog.fields.show_box, Qt.MouseButton.LeftButton)
    assert dialog.fields.first.echoMode() == dialog.fields.first.EchoMode.Normal


def test_the_recovery_passphrase_can_be_changed_from_the_profile(qtbot: QtBot, window: MainWindow, vault: Vault,
                                                                 asked: Prompts,
                                                                 memory_keyring: MemoryKeyring) -> None:
    window.open_profile()
    asked.new_passphrases.append("a brand new passphrase")
    qtbot.mouseClick(window.profile_page.passphrase_button, Qt.MouseButton.LeftButton)
    assert window.notice_label.text() == "Recovery passphrase saved."
    memory_keyring.entries.clear()
    with Vault.open(vault.path, passphrase="a brand new passphrase") as reopened:
        assert reopened.profile().family_name == "Garcia Lopez"
