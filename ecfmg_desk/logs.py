"""The log file: what went wrong, for the person who helps the applicant, without the applicant's data.

One rotating file in the platform's log folder (platformdirs: ``~/.local/state/ECFMG Desk/log`` on Linux,
``~/Library/Logs/ECFMG Desk`` on macOS, ``%LOCALAPPDATA%\\ECFMG Desk\\Logs`` on Windows). It holds what the
code logs (ids, counts, exception types and tracebacks), never names, passphrases or document contents: the code
logs no such values, and as a backstop every line is passed through :func:`scrub`, which replaces the home folder
(it holds the user's login name, and vault and file paths live under it), the login name and any value registered
with :func:`keep_out`.

Logging must never stop the app: a log folder that cannot be written means no file, not an error. ``verbose``
also writes debug lines to stderr (the CLI's ``--verbose``). Qt has no place here (this module sits beside the
layers and imports none of them); the window sends Qt's own messages here in ``ui.crash``.
"""

from __future__ import annotations

import contextlib
import getpass
import logging
import logging.handlers
import os
import sys
import threading
from pathlib import Path

import platformdirs

from ecfmg_desk import APP_NAME

LOGGER_NAME = "ecfmg_desk"
"""Every module logs under this name (``logging.getLogger(__name__)``), so one handler sees them all."""
LOG_FILE_NAME = "ecfmg-desk.log"
MAX_BYTES = 1_000_000
BACKUPS = 3
"""At most four files of 1 MB: enough for a week of trouble, never a disk filler."""

_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"
_lock = threading.Lock()
_kept_out: set[str] = set()
_state: dict[str, Path | None] = {}
"""``{"file": path or None}`` once set up; empty before (and after :func:`shutdown_logging`)."""


def log_dir() -> Path:
    """The platform's per-user log folder for the app (not created here)."""
    return platformdirs.user_log_path(APP_NAME, appauthor=False)


def log_path() -> Path:
    """Where the log file is (or would be): told to the user by the crash dialog."""
    return log_dir() / LOG_FILE_NAME


def keep_out(*values: str | None) -> None:
    """Never write these strings to the log (the applicant's names once known, a vault's path…).

    Values shorter than three characters are ignored: replacing every "Li" would make the log unreadable and
    protect nothing."""
    with _lock:
        _kept_out.update(v for v in values if v and len(v) >= 3)


def scrub(text: str) -> str:
    """``text`` with the home folder, the login name and every :func:`keep_out` value replaced."""
    with _lock:
        hidden = sorted(_kept_out, key=len, reverse=True)
    for value in hidden:
        text = text.replace(value, "[personal]")
    home = str(Path.home())
    if len(home) > 1:
        text = text.replace(home, "~")
    try:
        user = getpass.getuser()
    except (OSError, KeyError, ImportError):  # no login name on this system (a container): nothing to hide
        user = ""
    if len(user) >= 3:
        text = text.replace(user, "[user]")
    return text


class ScrubbingFormatter(logging.Formatter):
    """Formats as usual (traceback included), then scrubs the whole line."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


def _ours(handler: logging.Handler) -> bool:
    return bool(getattr(handler, "_ecfmg_desk", False))


def setup_logging(verbose: bool = False, *, directory: Path | None = None) -> Path | None:
    """Send the app's log lines to the rotating log file (``directory`` or :func:`log_dir`), and with
    ``verbose`` debug lines to stderr too. Calling it again replaces what an earlier call set up.

    Returns the log file, or ``None`` when its folder cannot be written (then only ``verbose`` output remains).
    """
    logger = logging.getLogger(LOGGER_NAME)
    shutdown_logging()
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    logger.propagate = False  # the root logger (a library's basicConfig) never sees the app's lines
    formatter = ScrubbingFormatter(_FORMAT)
    folder = log_dir() if directory is None else Path(directory)
    path: Path | None = folder / LOG_FILE_NAME
    try:
        folder.mkdir(parents=True, exist_ok=True)
        file_handler = logging.handlers.RotatingFileHandler(
            folder / LOG_FILE_NAME, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    except OSError:
        path = None
    else:
        file_handler.setFormatter(formatter)
        file_handler.setLevel(logging.DEBUG if verbose else logging.INFO)
        file_handler._ecfmg_desk = True  # type: ignore[attr-defined]
        logger.addHandler(file_handler)
        if os.name == "posix":
            with contextlib.suppress(OSError):  # the log is the user's business only
                os.chmod(folder / LOG_FILE_NAME, 0o600)
    if verbose and sys.stderr is not None:
        console = logging.StreamHandler(sys.stderr)
        console.setFormatter(ScrubbingFormatter("%(levelname)s %(name)s: %(message)s"))
        console.setLevel(logging.DEBUG)
        console._ecfmg_desk = True  # type: ignore[attr-defined]
        logger.addHandler(console)
    _state["file"] = path
    return path


def ensure_logging() -> bool:
    """Set up the log file unless :func:`setup_logging` already ran (the window does this; the CLI, which
    knows about ``--verbose``, may have been first). True when this call set it up."""
    if is_set_up():
        return False
    setup_logging(verbose=False)
    return True


def is_set_up() -> bool:
    return "file" in _state


def current_log_file() -> Path | None:
    """The file the log is being written to now (``None``: not set up, or its folder was not writable)."""
    return _state.get("file")


def shutdown_logging() -> None:
    """Close and remove the handlers :func:`setup_logging` added (tests, and the end of ``run_gui``)."""
    logger = logging.getLogger(LOGGER_NAME)
    for handler in [h for h in logger.handlers if _ours(h)]:
        logger.removeHandler(handler)
        handler.close()
    _state.clear()
    logger.setLevel(logging.NOTSET)
    logger.propagate = True
