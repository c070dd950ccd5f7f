"""ECFMG Desk: prepare and check an IMG's ECFMG certification packet, offline."""

APP_NAME = "ECFMG Desk"
APP_ID = "ecfmg-desk"

__version__: str
"""The installed version (``pyproject.toml`` is its only source, read through the package's metadata)."""


def __getattr__(name: str) -> str:
    """``__version__`` is read when first asked for: ``importlib.metadata`` (and the email parser under it)
    cost ~70 ms of every start, and the window never shows the version before Help → About."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import metadata

    try:
        version = metadata.version("ecfmg-desk")
    except metadata.PackageNotFoundError:  # a source tree that was never installed
        version = "0.0.0+source"
    globals()["__version__"] = version
    return version
