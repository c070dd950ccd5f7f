"""Where the vault and the settings live (DESIGN.md section 2)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from ecfmg_desk import APP_ID

HOME_ENV = "ECFMG_DESK_HOME"


def default_vault_dir() -> Path:
    """``$ECFMG_DESK_HOME``, else the platform's per-user data folder for ecfmg-desk."""
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser()
    return platformdirs.user_data_path(APP_ID, appauthor=False)


def config_dir() -> Path:
    return platformdirs.user_config_path(APP_ID, appauthor=False)
