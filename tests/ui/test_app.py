"""Starting the app: the vault's key, the first run, --screenshot, a bundle, the example packet."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from ecfmg_desk.ui import prompts
from ecfmg_desk.ui.app import DeskApp, run_gui
from ecfmg_desk.ui.settings import open_settings
from ecfmg_desk.vault.store import Vault, is_vault
from tests.conftest import MemoryKeyring
from tests.ui.conftest import AS_OF, Prompts

PASS = "correct horse battery"


def distinct_colours(image: QImage) -> int:
    step = max(1, image.width() // 120)
    return len({image.pixel(x, y) for x in range(0, image.width(), step) for y in range(0, image.height(), step)})


def test_screenshot_mode_saves_the_main_window_and_exits(vault: Vault, vault_dir: Path, tmp_path: Path) -> None:
    shot = tmp_path / "shots" / "main.png"
    assert run_gui(vault_dir, None, shot) == 0
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1366, 768)
    assert distinct_colours(image) > 20, "a real window, not a blank picture"
    assert prompts._interactive, "prompts are switched back on afterwards"


def test_screenshot_without_a_vault_shows_the_welcome_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    folder = tmp_path / "nothing-here"
    shot = tmp_path / "welcome.png"
    assert run_gui(folder, None, shot) == 0
    assert not is_vault(folder), "a screenshot never creates a vault"
    image = QImage(str(shot))
    assert not image.isNull() and distinct_colours(image) > 10


def test_screenshot_never_waits_for_a_passphrase(vault: Vault, vault_dir: Path, tmp_path: Path,
                                                 memory_keyring: MemoryKeyring,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    memory_keyring.entries.clear()  # a new computer: only the passphrase opens the vault
    assert run_gui(vault_dir, None, tmp_path / "x.png") == 2
    assert "ECFMG_DESK_PASSPHRASE" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_a_wrong_passphrase_is_explained_then_asked_again(qtbot: QtBot, vault_dir: Path, asked: Prompts,
                                                          memory_keyring: MemoryKeyring) -> None:
    Vault.open(vault_dir, create=True, passphrase=PASS).close()
    memory_keyring.entries.clear()
    asked.passphrases += ["correct horse battery staple", PASS]
    desk = DeskApp(vault_dir, settings=open_settings(), as_of=AS_OF)
    try:
        assert desk.start() is None
        assert desk.window is not None and desk.window.isVisible()
        assert asked.errors == [], "the reason is said above the box, not in a second dialog"
        assert len(asked.passphrase_prompts) == 2
        assert asked.passphrase_prompts[1].startswith("That passphrase does not open this vault.")
        assert memory_keyring.entries, "the key went back into the keyring for next time"
    finally:
        desk.shutdown()


def test_cancelling_the_passphrase_quits(vault_dir: Path, asked: Prompts, memory_keyring: MemoryKeyring) -> None:
    Vault.open(vault_dir, create=True, passphrase=PASS).close()
    memory_keyring.entries.clear()
    asked.passphrases.append(None)
    desk = DeskApp(vault_dir, settings=open_settings(), as_of=AS_OF)
    assert desk.start() == 1
    assert desk.window is None
    desk.shutdown()


def test_cancelling_the_first_run_creates_nothing(qtbot: QtBot, vault_dir: Path, asked: Prompts) -> None:
    desk = DeskApp(vault_dir, settings=open_settings(), as_of=AS_OF)
    codes: list[int] = []
    desk.finished.connect(codes.append)
    assert desk.start() is None
    desk.wizard.reject()
    assert codes == [0]
    assert not is_vault(vault_dir)
    desk.shutdown()


def test_the_example_packet_opens_in_its_own_window_and_leaves_the_vault_alone(
        qtbot: QtBot, vault: Vault, vault_dir: Path, tmp_path: Path, asked: Prompts,
        memory_keyring: MemoryKeyring) -> None:
    before = sorted(p.relative_to(vault_dir).as_posix() for p in vault_dir.rglob("*"))
    documents = [d.id for d in vault.documents()]
    desk = DeskApp(vault_dir, settings=open_settings(), as_of=AS_OF)
    try:
        assert desk.start() is None
        first = desk.window
        qtbot.waitExposed(first)
        help_menu = next(a.menu() for a in first.menuBar().actions() if a.text() == "&Help")
        assert first.example_action in help_menu.actions()
        first.example_action.trigger()
        qtbot.waitUntil(lambda: bool(desk.example_windows), timeout=60_000)
        example = desk.example_windows[0]
        qtbot.waitExposed(example)
        assert example.windowTitle().startswith("Example packet"), example.windowTitle()
        assert example.vault_label.text().startswith("Example packet: a made-up applicant")
        example.resize(1024, 600)
        qtbot.waitUntil(lambda: example.size().toTuple() == (1024, 600))
        assert not example.mode.backups.reminder.isVisible(), "no backup reminder for a folder deleted with it"
        label = example.vault_label
        assert label.width() >= label.sizeHint().width(), "the words saying it is an example are not cut"
        assert asked.directories == [], "nothing to choose: the example lives in a temporary folder"
        folder = example.session.vault.path
        assert folder != vault_dir and not folder.is_relative_to(vault_dir)
        assert len(example.session.documents) >= 8
        assert example.model.state_of("medical-diploma") == "problems"
        # the user's own window and vault are exactly as they were
        assert desk.window is first and first.isVisible() and first.session.vault.path == vault_dir
        assert first.windowTitle() == "ECFMG Desk — Maria Jose GARCIA LOPEZ"
        assert [d.id for d in first.session.documents] == documents
        first.example_action.trigger()
        assert len(desk.example_windows) == 1, "asked again: the same example comes forward"

        example_id = example.session.vault.id
        assert any(entry[1] == example_id for entry in memory_keyring.entries)
        example.close()
        qtbot.waitUntil(lambda: not desk.example_windows)
        assert not folder.exists(), "closing the example deletes it"
        assert not any(entry[1] == example_id for entry in memory_keyring.entries), "and its key"
        assert first.isVisible() and desk.window is first
    finally:
        desk.shutdown()
    assert sorted(p.relative_to(vault_dir).as_posix() for p in vault_dir.rglob("*")) == before
