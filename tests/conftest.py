"""Fixtures every test gets: headless Qt, isolated folders, an in-memory keyring.

Only three seams are ever replaced (see the developers' guide): the OS keyring, through keyring's own backend
API; the dialogs, through ``ecfmg_desk.ui.prompts``; and today's date, passed in as ``as_of``.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports Qt

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import PasswordDeleteError


def _only_dejavu() -> None:
    """Let Qt see only DejaVu among the system's fonts, as on a machine set up by the README alone: every
    other script must draw with the fonts the app ships (a system Noto font would hide a missing one)."""
    dejavu = Path("/usr/share/fonts/truetype/dejavu")
    if "FONTCONFIG_FILE" in os.environ or not dejavu.is_dir():
        return
    folder = Path(tempfile.mkdtemp(prefix="ecfmg-fonts-"))
    atexit.register(shutil.rmtree, folder, True)  # (every run left one behind in /tmp)
    (folder / "fonts.conf").write_text(
        f"<?xml version='1.0'?><fontconfig><dir>{dejavu}</dir><cachedir>{folder / 'cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    os.environ["FONTCONFIG_FILE"] = str(folder / "fonts.conf")


_only_dejavu()  # before any QGuiApplication exists (fontconfig reads it when Qt first loads fonts)


class MemoryKeyring(KeyringBackend):
    """A real keyring backend that keeps its secrets in a dict (priority -1: never picked by default)."""

    priority = -1

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.entries[(service, username)]
        except KeyError:
            raise PasswordDeleteError("not found") from None


@pytest.fixture(scope="session")
def qapp_cls() -> type:
    """The app's own QApplication class (it hears macOS's FileOpen), as ``ecfmg-desk gui`` makes it."""
    from ecfmg_desk.ui.app import DeskApplication

    return DeskApplication


@pytest.fixture(scope="session", autouse=True)
def _one_qapplication(qapp: object) -> object:
    """Create the QApplication first: once a test made a bare QGuiApplication (packet text drawing), no
    widget could be created in the same process."""
    return qapp


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """The headless-Linux state: keyring's ``fail`` backend, every call raises NoKeyringError."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every per-user folder (data, config, cache) and the default vault at a temp folder."""
    home = tmp_path_factory.mktemp("home")
    for var, sub in (("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "cache"),
                     ("XDG_STATE_HOME", "state")):
        (home / sub).mkdir()
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("ECFMG_DESK_HOME", str(home / "default-vault"))
    monkeypatch.delenv("ECFMG_DESK_PASSPHRASE", raising=False)
    monkeypatch.delenv("ECFMG_DESK_CRASHPOINT", raising=False)
    return home


@pytest.fixture
def vault_dir(tmp_path: Path) -> Path:
    return tmp_path / "vault"
