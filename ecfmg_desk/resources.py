"""The one locator of ``resources/``, for a source checkout, an installed wheel and a frozen build.

No other module builds a path to a resource; everything goes through :func:`resource_path`.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import sys
from datetime import date
from pathlib import Path

from ecfmg_desk.core.catalog import Catalog, choose_cycle, parse_catalog
from ecfmg_desk.errors import CatalogError

BASE_CATALOG = ("requirements", "ecfmg-base.toml")
DEFAULT_CATALOG = ("requirements", "ecfmg-2026.toml")
"""The oldest cycle's file (kept for tests that edit a shipped cycle file)."""
_CYCLE_FILE = re.compile(r"ecfmg-(\d{4})\.toml")


@functools.cache
def resources_root() -> Path:
    """Return the folder that holds ``requirements/``, ``icons/`` and friends.

    Order: a PyInstaller bundle (``sys._MEIPASS/resources``), the package's own ``_resources`` (a wheel),
    then the checkout's top-level ``resources/``. Found once per process: each icon at start-up asked again,
    and ``Path.resolve`` each time added up to ~15 ms.
    """
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    here = Path(__file__).resolve().parent
    packaged = here / "_resources"
    if packaged.is_dir():
        return packaged
    return here.parent / "resources"


def resource_path(*parts: str) -> Path:
    """Path of a file below ``resources/``; it need not exist (callers report a missing file)."""
    return resources_root().joinpath(*parts)


def available_cycles() -> tuple[int, ...]:
    """The Match years this build ships a catalog for (``ecfmg-<year>.toml``), oldest first."""
    folder = resource_path("requirements")
    try:
        names = [p.name for p in folder.iterdir()]
    except OSError:
        names = []
    return tuple(sorted(int(m.group(1)) for n in names if (m := _CYCLE_FILE.fullmatch(n))))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CatalogError(
            f"The requirement catalog is missing: {path} was not found. Reinstall ECFMG Desk."
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"The requirement catalog {path} cannot be read: {exc}") from exc


def load_catalog(cycle: int) -> Catalog:
    """The catalog of one Match cycle: its file merged onto the base it names (``core`` does no I/O)."""
    path = resource_path("requirements", f"ecfmg-{cycle}.toml")

    def read_base(name: str) -> tuple[str, str] | None:
        if "/" in name or "\\" in name:
            return None  # only a file beside it; the parser then says the base is missing
        base_path = resource_path("requirements", name)
        return _read(base_path), base_path.name

    catalog = parse_catalog(_read(path), path.name, read_base=read_base)
    cycles = available_cycles()
    return dataclasses.replace(catalog, newest=bool(cycles) and catalog.cycle == max(cycles))


def catalog_for(match_year: int | None, as_of: date) -> Catalog:
    """The catalog the applicant's ``match_year`` chooses (unset: the Match still ahead on ``as_of``)."""
    cycles = available_cycles()
    if not cycles:
        raise CatalogError(
            f"The requirement catalog is missing: no ecfmg-<year>.toml in {resource_path('requirements')}. "
            "Reinstall ECFMG Desk."
        )
    return load_catalog(choose_cycle(cycles, match_year, as_of))


def load_default_catalog() -> Catalog:
    """The oldest shipped cycle (2026). Kept for callers that predate cycles; prefer :func:`catalog_for`."""
    return load_catalog(int(DEFAULT_CATALOG[1][6:10]))


FONT_FILES = (
    "NotoSans-Regular.ttf",
    "NotoSans-Bold.ttf",
    "NotoSansArabic-Regular.ttf",
    "NotoSansArabic-Bold.ttf",
    "NotoSansDevanagari-Regular.ttf",
    "NotoSansDevanagari-Bold.ttf",
    "NotoSansCJKsc-Regular-subset.otf",
)
"""The fonts this build carries (``resources/fonts``, OFL): every script a name may be in draws on any machine."""


def font_paths() -> tuple[Path, ...]:
    """Paths of the shipped fonts that are present (a missing one only loses its script, never the app)."""
    return tuple(p for p in (resource_path("fonts", name) for name in FONT_FILES) if p.is_file())
