"""ECFMG Desk: prepare and check an IMG's ECFMG certification packet, offline."""

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("ecfmg-desk")
except _metadata.PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0.0.0+source"

APP_NAME = "ECFMG Desk"
APP_ID = "ecfmg-desk"
