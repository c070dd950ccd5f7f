"""The one locator of ``resources/``, for a source checkout, an installed wheel and a frozen build.

No other module builds a path to a resource; everything goes through :func:`resource_path`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ecfmg_desk.core.catalog import Catalog, parse_catalog
from ecfmg_desk.errors import CatalogError

DEFAULT_CATALOG = ("requirements", "ecfmg-2026.toml")


def resources_root() -> Path:
    """Return the folder that holds ``requirements/``, ``icons/`` and friends.

    Order: a PyInstaller bundle (``sys._MEIPASS/resources``), the package's own ``_resources`` (a wheel),
    then the checkout's top-level ``resources/``.
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


def load_default_catalog() -> Catalog:
    """The requirement catalog this build ships (read here because ``core`` does no I/O)."""
    path = resource_path(*DEFAULT_CATALOG)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CatalogError(
            f"The requirement catalog is missing: {path} was not found. Reinstall ECFMG Desk."
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"The requirement catalog {path} cannot be read: {exc}") from exc
    return parse_catalog(text, path.name)


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
