"""Messages in the user's words (issue 15): what the vault and the packet say names no flag, variable or command;
the command line adds its own hints; the CLI and the window's background tasks share one policy."""

from __future__ import annotations

import ast
import errno
import re
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot

import ecfmg_desk
from ecfmg_desk import errors
from ecfmg_desk.cli import run
from ecfmg_desk.cli_hints import HINTS, cli_message
from ecfmg_desk.errors import DeskError, UsageError, user_message
from ecfmg_desk.ui.workers import Task
from ecfmg_desk.vault.store import Vault
from tests.conftest import MemoryKeyring
from tests.samples import make_jpeg

PACKAGE = Path(ecfmg_desk.__file__).parent
TERMINAL_WORDS = re.compile(r"(?<![\w-])--[a-z]|ECFMG_DESK_|\$[A-Z]|ecfmg-desk [a-z]|`")
"""A flag, an environment variable, a command line, a back-quoted command."""


def _texts(node: ast.AST) -> list[str]:
    """Every piece of literal text in an expression (f-strings and implicit concatenation included)."""
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _raised_messages(folder: Path) -> list[tuple[str, int, str]]:
    found: list[tuple[str, int, str]] = []
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                name = node.exc.func.id if isinstance(node.exc.func, ast.Name) else ""
                if name.endswith("Error"):
                    for arg in node.exc.args:
                        found.extend((path.name, node.lineno, text) for text in _texts(arg))
            # vault notices are shown in the status bar, like errors
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id.endswith("_NOTICE")
                                                    for t in node.targets):
                found.extend((path.name, node.lineno, text) for text in _texts(node.value))
    return found


@pytest.mark.parametrize("layer", ["core", "vault", "packet"])
def test_errors_of_the_vault_and_the_packet_name_no_flag_variable_or_command(layer: str) -> None:
    messages = _raised_messages(PACKAGE / layer)
    assert len(messages) > (20 if layer != "core" else 0), "(the scan must find the messages it checks)"
    offending = [m for m in messages if TERMINAL_WORDS.search(m[2])]
    assert offending == [], offending


def test_the_command_line_adds_its_own_hint(vault_dir: Path, tmp_path: Path, memory_keyring: MemoryKeyring,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    with Vault.open(vault_dir, create=True, passphrase="correct horse battery") as vault:
        vault.add_document("photo", [make_jpeg(tmp_path / "me.jpg", size_px=(600, 800))])
    memory_keyring.entries.clear()  # a new computer: only the passphrase opens the vault
    with pytest.raises(DeskError) as raised:
        Vault.open(vault_dir)
    message = raised.value.message
    assert "ECFMG_DESK_PASSPHRASE" not in message and "recovery passphrase" in message
    assert run(["--vault", str(vault_dir), "list"]) == 2
    err = capsys.readouterr().err
    assert err == f"error: {message} Set ECFMG_DESK_PASSPHRASE to your recovery passphrase and try again.\n"

    memory_keyring.entries.clear()
    with Vault.open(vault_dir, passphrase="correct horse battery") as vault, pytest.raises(DeskError) as raised:
        vault.add_document("translation", [make_jpeg(tmp_path / "t.jpg")], translator="Lingua",
                           translator_kind="professional")
    assert raised.value.message == "A translation must say which document it translates."
    assert cli_message(raised.value) == raised.value.message + " Give it with --translation-of DOC_ID."


def test_every_topic_has_a_hint() -> None:
    topics = errors.Topic.__args__  # type: ignore[attr-defined]
    assert set(HINTS) == set(topics)
    assert cli_message(UsageError("Plain.")) == "Plain."


@pytest.mark.parametrize("exc", [
    OSError(errno.ENOSPC, "No space left on device", "/media/usb/packet.pdf"),
    PermissionError(errno.EACCES, "Permission denied"),
    MemoryError(),
    UsageError("That date is not a date."),
    KeyError("a bug"),
], ids=["disk-full", "permission", "memory", "ours", "bug"])
def test_the_window_and_the_command_line_say_the_same(qtbot: QtBot, exc: BaseException) -> None:
    """One policy: a background task in the window reports exactly what the CLI prints after ``error:``."""
    reported: list[str] = []

    def work(_report: object, _cancelled: object) -> None:
        raise exc

    task = Task(work, "test")
    task.signals.failed.connect(reported.append)
    task.setAutoDelete(False)
    pool = QThreadPool()
    pool.start(task)
    qtbot.waitUntil(lambda: bool(reported))
    pool.waitForDone()
    assert reported == [user_message(exc)]
    assert cli_message(exc) == user_message(exc), "no topic: the command line adds nothing"
    assert "Traceback" not in reported[0] and "a bug" not in reported[0]
    if isinstance(exc, OSError):
        assert reported[0].startswith(exc.strerror or "") and reported[0].endswith("Nothing was changed.")
