"""Window geometry, recent vaults and bundles, the reviewer's name: an INI file in platformdirs' config folder
(DESIGN.md section 2).

The file path is given explicitly (rather than Qt's organisation/application lookup, which caches the config
folder for the life of the process), so every test's isolated ``XDG_CONFIG_HOME`` is honoured.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QSettings

from ecfmg_desk.vault.location import config_dir

SETTINGS_FILE = "settings.ini"
RECENT_LIMIT = 8
RECENT_BUNDLES_LIMIT = 12
"""An advisor reviews many students' packets: keep a longer list than for vaults."""


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


# ------------------------------------------------------------------------------------------- bundles


@dataclass(frozen=True)
class RecentBundle:
    """A bundle an advisor opened: enough to list it without opening it again."""

    path: Path
    student: str
    exported: date | None
    problems: int
    """Blocking problems the student's packet had when exported (0: ready)."""

    @property
    def exists(self) -> bool:
        return self.path.is_file()


def recent_bundles(settings: QSettings) -> list[RecentBundle]:
    """Most recent first. Entries are stored as an INI array, so names with commas survive."""
    found: list[RecentBundle] = []
    count = settings.beginReadArray("bundles")
    try:
        for index in range(count):
            settings.setArrayIndex(index)
            path = str(settings.value("path", "") or "")
            if not path:
                continue
            exported: date | None
            try:
                exported = date.fromisoformat(str(settings.value("exported", "") or ""))
            except ValueError:
                exported = None
            try:
                problems = int(str(settings.value("problems", 0) or 0))
            except ValueError:
                problems = 0
            found.append(RecentBundle(Path(path), str(settings.value("student", "") or ""), exported, problems))
    finally:
        settings.endArray()
    return found


def _write_bundles(settings: QSettings, bundles: list[RecentBundle]) -> None:
    settings.remove("bundles")
    settings.beginWriteArray("bundles", len(bundles))
    for index, item in enumerate(bundles):
        settings.setArrayIndex(index)
        settings.setValue("path", str(item.path))
        settings.setValue("student", item.student)
        settings.setValue("exported", item.exported.isoformat() if item.exported else "")
        settings.setValue("problems", item.problems)
    settings.endArray()
    settings.sync()


def remember_bundle(settings: QSettings, path: Path, student: str, exported: date | None, problems: int) -> None:
    resolved = Path(path).resolve()
    others = [b for b in recent_bundles(settings) if b.path != resolved]
    _write_bundles(settings, [RecentBundle(resolved, student, exported, problems), *others][:RECENT_BUNDLES_LIMIT])


def forget_bundles(settings: QSettings, *, missing_only: bool = False) -> None:
    """Clear the list (or only the bundles whose file is gone: moved, deleted)."""
    _write_bundles(settings, [b for b in recent_bundles(settings) if missing_only and b.exists])


# ------------------------------------------------------------------------------------------- reviewing


def os_user_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def reviewer_name(settings: QSettings | None) -> str:
    """The name an advisor signs reviews with; empty until they have been asked once."""
    if settings is None:
        return ""
    return str(settings.value("review/reviewer", "") or "").strip()


def set_reviewer_name(settings: QSettings | None, name: str) -> None:
    if settings is not None:
        settings.setValue("review/reviewer", name.strip())
        settings.sync()


def export_paper(settings: QSettings | None) -> str:
    value = str(settings.value("export/paper", "letter") or "letter") if settings is not None else "letter"
    return value if value in ("letter", "a4") else "letter"


def set_export_paper(settings: QSettings | None, paper: str) -> None:
    if settings is not None and paper in ("letter", "a4"):
        settings.setValue("export/paper", paper)
        settings.sync()


# ------------------------------------------------------------------------------------------- locking

LOCK_MINUTES_DEFAULT = 10.0


def lock_minutes(settings: QSettings | None) -> float:
    """Minutes without input before the window locks itself (UX.md principle 8); 0: never."""
    if settings is None:
        return LOCK_MINUTES_DEFAULT
    try:
        value = float(str(settings.value("security/lock_after_minutes", LOCK_MINUTES_DEFAULT)))
    except ValueError:
        return LOCK_MINUTES_DEFAULT
    return value if value >= 0 else LOCK_MINUTES_DEFAULT


def set_lock_minutes(settings: QSettings | None, minutes: float) -> None:
    if settings is not None and minutes >= 0:
        settings.setValue("security/lock_after_minutes", minutes)
        settings.sync()
