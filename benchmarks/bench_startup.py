"""Start to a usable main window, whole process, offscreen (DESIGN.md section 5: under 1.0 s).

Times ``ecfmg-desk gui --vault DEMO --screenshot out.png`` end to end (interpreter start, imports, opening the
vault, showing the window, saving the PNG, exit), which is an upper bound of "start to usable window".
Also times a bare PySide6 window for comparison (TECH-NOTES: ~0.4 s on this kind of machine).
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
BARE = """
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
w = QMainWindow(); w.resize(1366, 768); w.show(); app.processEvents()
"""


def _median(cmd: list[str], env: dict[str, str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ECFMG_DESK_PASSPHRASE": "benchmark passphrase",
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    with tempfile.TemporaryDirectory() as work:
        vault = Path(work) / "vault"
        subprocess.run([sys.executable, "-m", "ecfmg_desk", "demo", "--vault", str(vault)], env=env, check=True,
                       capture_output=True)
        app = _median([sys.executable, "-m", "ecfmg_desk", "gui", "--vault", str(vault), "--screenshot",
                       str(Path(work) / "shot.png")], env)
        bare = _median([sys.executable, "-c", BARE], env)
    print(f"ecfmg-desk gui (demo vault, to saved screenshot): median {app * 1000:.0f} ms over {RUNS} runs "
          f"(budget 1000 ms)")
    print(f"bare PySide6 window: median {bare * 1000:.0f} ms; ratio {app / bare:.1f}x")


if __name__ == "__main__":
    main()
