"""How long the GUI thread is blocked during a 40-page import (DESIGN.md section 5: never more than 100 ms).

The window (offscreen) imports a 40-page 300-dpi scan PDF by a drop, as a user would, while a 10 ms timer
ticks on the GUI thread; the gap between ticks, read from the event loop's own clock (QElapsedTimer, monotonic),
is how long the loop could not run. The same timer run on the idle window for as long gives the reference:
what this machine's load alone costs. Reported: the worst and 95th-percentile gap, for both, and the ratio.
The test suite asserts only that the import runs off the GUI thread (tests/ui/test_responsiveness.py).
Run: ``.venv/bin/python benchmarks/bench_responsiveness.py``.
"""

from __future__ import annotations

import collections
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import FrameType

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import keyring
from keyring.backends import fail
from PySide6.QtCore import QElapsedTimer, QEventLoop, QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget

from ecfmg_desk.resources import load_default_catalog
from ecfmg_desk.ui.app import application
from ecfmg_desk.ui.session import Session
from ecfmg_desk.ui.settings import open_settings
from ecfmg_desk.ui.window import MainWindow
from ecfmg_desk.vault.store import Vault
from tests.samples import make_scan_pdf

BUDGET_MS = 100


class _Sampler(threading.Thread):
    """While the GUI thread has not ticked for over the budget, note where it is (our code's innermost frame):
    the report then says which code blocked the window, not only for how long."""

    def __init__(self, since_tick: Callable[[], int]) -> None:
        super().__init__(daemon=True, name="sampler")
        self._since_tick = since_tick
        self._gui = threading.main_thread().ident
        self.stop = threading.Event()
        self.seen: collections.Counter[str] = collections.Counter()
        self.workers: collections.Counter[str] = collections.Counter()
        """Where the other threads were at the same moments (a worker holding the interpreter shows here)."""

    def run(self) -> None:
        while not self.stop.wait(0.02):
            if self._since_tick() <= BUDGET_MS:
                continue
            frames = sys._current_frames()
            self.seen[_where(frames.get(self._gui or 0))] += 1
            for ident, frame in frames.items():
                if ident not in (self._gui, threading.get_ident()):
                    self.workers[_where(frame, innermost=True)] += 1


def _where(frame: FrameType | None, *, innermost: bool = False) -> str:
    """Our code's innermost frame in a stack (or, with ``innermost``, the very innermost one, library or not):
    what the thread was doing. "in Qt" when the GUI thread is in the event loop with none of our code running
    (painting, layout, or waiting for the interpreter)."""
    first = frame
    while frame is not None:
        name = frame.f_code.co_filename
        if "ecfmg_desk" in name:
            return f"{Path(name).name}:{frame.f_lineno} {frame.f_code.co_name}"
        frame = frame.f_back
    if innermost and first is not None:
        return f"{Path(first.f_code.co_filename).name}:{first.f_lineno} {first.f_code.co_name}"
    return "in Qt (event loop, no code of ours)"


def _gaps_while(app: QApplication, busy: Callable[[], None] | None, *, until: Callable[[], bool],
                limit_ms: int = 120_000, sampler: list[_Sampler] | None = None) -> list[int]:
    """Gaps (ms) between 10 ms ticks, on the event loop's monotonic clock, until ``until()`` is true."""
    clock = QElapsedTimer()
    gaps: list[int] = []
    last = [0]
    started = time.monotonic()
    last_tick = [started]

    def tick() -> None:
        now = clock.elapsed()
        gaps.append(now - last[0])
        last[0] = now
        last_tick[0] = time.monotonic()

    if sampler is not None:
        sampler.append(_Sampler(lambda: int((time.monotonic() - last_tick[0]) * 1000)))
        sampler[0].start()

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(10)
    timer.timeout.connect(tick)
    clock.start()
    timer.start()
    if busy is not None:
        busy()
    while not until() and clock.elapsed() < limit_ms:
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)
    timer.stop()
    if sampler:
        sampler[0].stop.set()
        sampler[0].join()
    return gaps


def _drop(widget: QWidget, path: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    centre = widget.rect().center()
    QApplication.sendEvent(widget, QDragEnterEvent(centre, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                                   Qt.KeyboardModifier.NoModifier))
    QApplication.sendEvent(widget, QDropEvent(QPointF(centre), Qt.DropAction.CopyAction, mime,
                                              Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))


def _summary(gaps: list[int]) -> str:
    ordered = sorted(gaps)
    p95 = ordered[int(len(ordered) * 0.95)] if ordered else 0
    return f"worst {max(gaps, default=0)} ms, 95th percentile {p95} ms, median {statistics.median(gaps or [0])} ms " \
           f"over {len(gaps)} ticks"


def main() -> int:
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    app = application()
    with tempfile.TemporaryDirectory() as work:
        tmp = Path(work)
        scan = make_scan_pdf(tmp / "transcript.pdf", pages=40, dpi=300)
        with Vault.open(tmp / "vault", create=True, passphrase="benchmark passphrase") as vault:
            session = Session(vault, load_default_catalog(), as_of=date(2026, 5, 4))
            window = MainWindow(session, open_settings())
            window.resize(1366, 768)
            window.show()
            index = window.model.index_of("final-transcript")
            window.checklist.setCurrentIndex(index)
            _gaps_while(app, None, until=lambda: session.is_idle)
            clock = QElapsedTimer()
            clock.start()
            sampled: list[_Sampler] = []
            importing = _gaps_while(app, lambda: _drop(window.requirement_page.drop_zone, scan),
                                    until=lambda: len(session.documents) == 1 and session.is_idle, sampler=sampled)
            took = clock.elapsed()
            reference = _gaps_while(app, None, until=lambda: clock.elapsed() > 2 * took)
            window.force_close = True
            window.close()
            session.shutdown()
    print(f"40-page 300-dpi import, GUI thread: {_summary(importing)} (import took {took} ms; budget "
          f"{BUDGET_MS} ms per block)")
    print(f"same window idle, same length (reference: this machine's load alone): {_summary(reference)}")
    at = sum(importing[: importing.index(max(importing)) + 1]) if importing else 0
    print(f"the worst gap ended {at} ms after the drop")
    worst, base = max(importing, default=0), max(reference, default=1)
    print(f"ratio of worst gaps, import / idle: {worst / max(base, 1):.1f}x")
    if sampled and sampled[0].seen:
        print("where the GUI thread was while blocked over the budget (20 ms samples):")
        for where, count in sampled[0].seen.most_common(5):
            print(f"  {count * 20:5d} ms  {where}")
        print("and where the other threads were at those moments:")
        for where, count in sampled[0].workers.most_common(5):
            print(f"  {count * 20:5d} ms  {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
