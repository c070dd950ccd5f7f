"""Start to a usable main window, whole process, offscreen (DESIGN.md section 5; issue 14: at most 2.5x a bare
PySide6 window, aim 2x, measured in the same run).

The budget is judged on start to first paint: from spawning ``ecfmg-desk gui --vault DEMO`` (interpreter start,
imports, opening the vault with its key from the keyring, building and showing the window) to the main window's
first paint event, against a bare PySide6 window's first paint, both stopped there. It also times
``gui --screenshot`` end to end (the first preview rendered, idle, the PNG saved, exit) against a bare window shown
and grabbed: an upper bound, printed beside it. Runs alternate so a busy moment on the machine hits all alike.

Both run with Python's bytecode cache, as an installed app does (pip compiles it at install, the frozen build
ships it): the warm-up run writes it to a temporary folder (``PYTHONPYCACHEPREFIX``). Without it, a machine that
sets ``PYTHONDONTWRITEBYTECODE`` compiles the app's ~190 modules from source at every start, which no user
ever waits for. ``--no-bytecode`` measures that case too.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 7
HERE = Path(__file__).resolve().parent
BARE = """
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
w = QMainWindow(); w.resize(1366, 768); w.show(); app.processEvents(); w.grab()
"""

FIRST_PAINT = """
import os, sys, time

def painted():
    print(time.time(), flush=True)
    os._exit(0)

def watch(window):  # on the window's own surface only: the first expose is painted before the next turn
    from PySide6.QtCore import QEvent, QObject, QTimer

    class Painted(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Expose:
                obj.removeEventFilter(self)
                QTimer.singleShot(0, painted)
            return False

    global watcher
    watcher = Painted()
    window.windowHandle().installEventFilter(watcher)

class WatchWindow:  # the app's main window gets the watcher when it is shown; nothing is imported earlier
    def find_spec(self, name, path, target=None):
        if name != "ecfmg_desk.ui.window":
            return None
        sys.meta_path.remove(self)
        import importlib.util
        spec = importlib.util.find_spec(name)
        run = spec.loader.exec_module
        def exec_module(module):
            run(module)
            show = module.MainWindow.show
            def shown(window):
                show(window)
                watch(window)
            module.MainWindow.show = shown
        spec.loader.exec_module = exec_module
        return spec

TARGET = sys.argv[1]
if TARGET == "MainWindow":  # the real entry point, as `ecfmg-desk gui` runs it, in the same order
    sys.meta_path.insert(0, WatchWindow())
    from ecfmg_desk.__main__ import main
    sys.argv = ["ecfmg-desk", *sys.argv[2:]]
    main()
else:
    from PySide6.QtWidgets import QApplication, QMainWindow
    app = QApplication([])
    w = QMainWindow(); w.resize(1366, 768); w.show(); watch(w); app.exec()
"""
"""Start to the first paint of the window, for the app and for a bare window alike: when the user sees it.
The driver stops the process there (what comes after, like the first preview, renders behind a shown window).
It watches the window's own surface (its first expose, painted before the event loop's next turn), not every
event of the application: a filter on the whole application makes each event of each widget cross into Python
and build its wrapper, which costs a window of hundreds of widgets far more than a bare one (measured: the app's
own two such filters alone made 75 of the 368 enum types it created before the first paint). Nothing of PySide6
is imported before the app's own ``main`` (the watcher is made when the window is shown), as when the
``ecfmg-desk`` script starts: PySide6 reads the source of every module imported after it (looking for
``from __feature__ import``), so a harness that loaded it first made the app pay that for ~150 modules more than
it does (measured: 235 source reads, ~45 ms, against 80)."""


DETECT = """
import time
start = time.perf_counter()
import keyring
keyring.get_keyring()
print(time.perf_counter() - start)
"""
"""keyring's import and choice of backend, in a fresh interpreter."""


def _keyring_detection(env: dict[str, str]) -> float:
    """What keyring's own backend detection adds (s): a desktop user who names no backend pays it at the first
    start (it imports every backend, and the macOS one runs ``ctypes.util.find_library`` three times, which
    starts ``ldconfig`` and ``gcc`` on Linux), and whenever the keyring that held the key last time has no
    answer (``vault.keys``); the runs above name theirs (the benchmark's file keyring)."""
    named: list[float] = []
    detected: list[float] = []
    plain = {k: v for k, v in env.items() if k != "PYTHON_KEYRING_BACKEND"}
    for _ in range(3):
        for out, run_env in ((named, env), (detected, plain)):
            done = subprocess.run([sys.executable, "-c", DETECT], env=run_env, check=True, capture_output=True,
                                  text=True)
            out.append(float(done.stdout.split()[-1]))
    return float(statistics.median(detected) - statistics.median(named))


def _time(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def _first_paint(cmd: list[str], env: dict[str, str]) -> float:
    start = time.time()
    done = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True, timeout=60)
    return float(done.stdout.strip().splitlines()[-1]) - start


def main(argv: list[str] | None = None) -> int:
    bytecode = "--no-bytecode" not in (sys.argv[1:] if argv is None else argv)
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory() as work:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(HERE),
               "PYTHON_KEYRING_BACKEND": "_bench_keyring.FileKeyring",
               "BENCH_KEYRING_FILE": str(Path(work) / "keyring.json")}
        if bytecode:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(Path(work) / "pycache")
        else:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        vault = Path(work) / "vault"
        subprocess.run([sys.executable, "-m", "ecfmg_desk", "demo", "--vault", str(vault)], env=env, check=True,
                       capture_output=True)
        app_cmd = [sys.executable, "-m", "ecfmg_desk", "gui", "--vault", str(vault), "--screenshot",
                   str(Path(work) / "shot.png")]
        bare_cmd = [sys.executable, "-c", BARE]
        _time(app_cmd, env), _time(bare_cmd, env)  # warm the file cache for both (and write the bytecode)
        paint_app = [sys.executable, "-c", FIRST_PAINT, "MainWindow", "gui", "--vault", str(vault)]
        paint_bare = [sys.executable, "-c", FIRST_PAINT, "QMainWindow"]
        apps, bares, app_paints, bare_paints = [], [], [], []
        for _ in range(RUNS):
            apps.append(_time(app_cmd, env))
            bares.append(_time(bare_cmd, env))
            app_paints.append(_first_paint(paint_app, env))
            bare_paints.append(_first_paint(paint_bare, env))
        detection = _keyring_detection(env)
    app, bare = statistics.median(apps), statistics.median(bares)
    app_paint, bare_paint = statistics.median(app_paints), statistics.median(bare_paints)
    print(f"load average before the runs: {load_before}")
    print(f"bytecode cache: {'yes' if bytecode else 'no (every module compiled at each start)'}")
    print(f"start to first paint of the main window (demo vault): median {app_paint * 1000:.0f} ms over {RUNS} runs")
    print(f"start to first paint of a bare PySide6 window:        median {bare_paint * 1000:.0f} ms")
    print(f"start-up ratio {app_paint / bare_paint:.2f}x (budget 2.5x, aim 2x)")
    print(f"ecfmg-desk gui to a saved screenshot (preview rendered, idle): median {app * 1000:.0f} ms")
    print(f"bare PySide6 window shown and grabbed:                         median {bare * 1000:.0f} ms")
    print(f"to-screenshot ratio {app / bare:.2f}x (an upper bound: includes the first preview and the PNG)")
    print(f"not in these figures: keyring's own backend detection, +{detection * 1000:.0f} ms for a user who names "
          "no backend, at the first start only (the runs above name the benchmark's file keyring; later starts ask "
          "the keyring that held the key first, vault.keys)")
    return 0 if app_paint <= 2.5 * bare_paint else 1


if __name__ == "__main__":
    raise SystemExit(main())
