"""The one locator of ``resources/``, for a source checkout, an installed wheel and a frozen build.

No other module builds a path to a resource; everything goes through :func:`resource_path`.
"""

from __future__ import annotations

import sys
from pathlib import Path


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
