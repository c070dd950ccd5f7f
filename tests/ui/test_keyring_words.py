"""The keyring and the recovery passphrase, in plain words (issue 15, findings 1 and 9): what a keyring is, why
the passphrase is asked, the same story on every page, and never a programmer's instruction."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from ecfmg_desk.ui.app import DeskApp
from ecfmg_desk.ui.dialogs import NewPassphraseDialog
from ecfmg_desk.ui.settings import open_settings
from ecfmg_desk.ui.wizard import FirstRunWizard
from ecfmg_desk.ui.words import keyring_meaning
from ecfmg_desk.vault.store import Vault
from tests.conftest import MemoryKeyring
from tests.ui.conftest import AS_OF, Prompts

PASS = "correct horse battery"
PROGRAMMERS_WORDS = ("ECFMG_DESK", "Set ", "--", "environment", "keyring entry", "backend")


def _plain(text: str) -> None:
    for word in PROGRAMMERS_WORDS:
        assert word not in text, f"{word!r} in {text!r}"


def _open(vault_dir: Path) -> DeskApp:
    desk = DeskApp(vault_dir, settings=open_settings(), as_of=AS_OF)
    assert desk.start() is None
    assert desk.window is not None and desk.window.isVisible()
    return desk


def test_without_a_keyring_the_prompt_says_why_in_plain_words(qtbot: QtBot, vault_dir: Path, asked: Prompts,
                                                              no_keyring: None) -> None:
    Vault.open(vault_dir, create=True, passphrase=PASS).close()
    asked.passphrases.append(PASS)
    desk = _open(vault_dir)
    try:
        (prompt,) = asked.passphrase_prompts
        _plain(prompt)
        assert "no keyring" in prompt and keyring_meaning() in prompt, "it says what a keyring is"
        assert "each time it opens" in prompt
        assert prompt.rstrip().endswith(str(vault_dir)), "and which vault"
        assert asked.errors == []
    finally:
        desk.shutdown()


def test_on_a_new_computer_the_prompt_says_it_asks_once(qtbot: QtBot, vault_dir: Path, asked: Prompts,
                                                        memory_keyring: MemoryKeyring) -> None:
    Vault.open(vault_dir, create=True, passphrase=PASS).close()
    memory_keyring.entries.clear()
    asked.passphrases.append(PASS)
    desk = _open(vault_dir)
    try:
        (prompt,) = asked.passphrase_prompts
        _plain(prompt)
        assert "does not have the key to this vault" in prompt and "will not ask again" in prompt
        assert keyring_meaning() in prompt
        assert memory_keyring.entries, "and indeed it will not: the key is back in the keyring"
    finally:
        desk.shutdown()


@pytest.mark.parametrize("keyring", [True, False])
def test_the_wizard_tells_one_story_about_the_keyring(qtbot: QtBot, keyring: bool) -> None:
    wizard = FirstRunWizard(lambda _p, _v: True, keyring)
    qtbot.addWidget(wizard)
    page = wizard.passphrase_page
    text = page.subTitle() + " " + page.keyring_label.text()
    _plain(text)
    assert keyring_meaning() in text
    if keyring:
        assert "will not have to type anything" in text and "new computer" in text
    else:
        assert "each time" in text and "new computer" not in text, "no talk of losing a keyring it does not have"
        assert "if this computer's keyring is lost" not in text


def test_the_new_passphrase_dialog_uses_the_same_words(qtbot: QtBot) -> None:
    dialog = NewPassphraseDialog()
    qtbot.addWidget(dialog)
    from PySide6.QtWidgets import QLabel

    text = " ".join(label.text() for label in dialog.findChildren(QLabel))
    _plain(text)
    assert "does not have their key" in text and "without a keyring" in text


def test_the_passphrase_box_wraps_its_explanation_and_fits_a_small_screen(qtbot: QtBot) -> None:
    from ecfmg_desk.ui.dialogs import PassphraseDialog
    from ecfmg_desk.ui.words import passphrase_prompt

    dialog = PassphraseDialog("Open your vault", passphrase_prompt(keyring=False, wrong=False))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.width() <= 800, "QInputDialog drew the explanation as one line wider than a 1366 px screen"
    assert dialog.prompt_label.wordWrap() and dialog.prompt_label.height() > 3 * dialog.fontMetrics().height()
    assert not dialog.open_button.isEnabled()
    qtbot.keyClicks(dialog.field, PASS)
    assert dialog.open_button.isEnabled() and dialog.passphrase() == PASS
    dialog.close()
