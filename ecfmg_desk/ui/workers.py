"""Long work off the GUI thread: a QRunnable that runs one function and reports back by queued signals.

The window never freezes (UX.md principle 7): import (inspect + encrypt + thumbnail), previews, the demo packet
and export all run here. The function gets ``progress(done, total)`` and ``cancelled() -> bool``; the vault
raises ``CancelledError`` when asked to stop, and leaves nothing half-done. Results and errors come back as
signals, which Qt delivers on the GUI thread.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Signal

from ecfmg_desk.errors import CancelledError, DeskError, user_message

log = logging.getLogger(__name__)

Work = Callable[[Callable[[int, int], None], Callable[[], bool]], Any]


class TaskSignals(QObject):
    progress = Signal(int, int)
    done = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    finished = Signal()
    """Always last, whatever the outcome."""


class Task(QRunnable):
    """Runs ``work(progress, cancelled)`` once. Keep a reference to ``signals`` until ``finished``."""

    def __init__(self, work: Work, description: str = "") -> None:
        super().__init__()
        self.setAutoDelete(True)
        self.signals = TaskSignals()
        self.description = description
        self._work = work
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:
        signals = self.signals
        try:
            result = self._work(signals.progress.emit, self._cancel.is_set)
        except CancelledError:
            signals.cancelled.emit()
        except (DeskError, MemoryError, OSError) as exc:
            signals.failed.emit(user_message(exc))
        except Exception as exc:  # a bug: tell the user plainly, keep the details in the log
            log.error("background task %r failed:\n%s", self.description, traceback.format_exc())
            signals.failed.emit(user_message(exc))
        else:
            signals.done.emit(result)  # even if cancel came too late to stop it: the work is done and kept
        finally:
            signals.finished.emit()
