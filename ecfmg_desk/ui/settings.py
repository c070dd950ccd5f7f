"""Window geometry and recent vaults, in an INI file in platformdirs' config folder (DESIGN.md section 2).

The file path is given explicitly (rather than Qt's organisation/application lookup, which caches the config
folder for the life of the process), so every test's isolated ``XDG_CONFIG_HOME`` is honoured.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from ecfmg_desk.vault.location import config_dir

SETTINGS_FILE = "settings.ini"
RECENT_LIMIT = 8


def open_settings() -> QSettings:
    return QSettings(str(config_dir() / SETTINGS_FILE), QSettings.Format.IniFormat)


def recent_vaults(settings: QSettings) -> list[Path]:
    value = settings.value("vaults/recent", [])
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return [Path(str(item)) for item in items if item]


def remember_vault(settings: QSettings, path: Path) -> None:
    resolved = Path(path).resolve()
    recent = [p for p in recent_vaults(settings) if p != resolved]
    settings.setValue("vaults/last", str(resolved))
    settings.setValue("vaults/recent", [str(p) for p in [resolved, *recent][:RECENT_LIMIT]])
    settings.sync()


def last_vault(settings: QSettings) -> Path | None:
    value = settings.value("vaults/last")
    return Path(str(value)) if value else None
