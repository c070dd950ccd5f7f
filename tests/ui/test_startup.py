"""Start-up stays light: what only export, import, preview or the calendar file need is not loaded before the
window paints, and the pages the user has not opened yet are not built.

Run in a fresh interpreter (this test process has imported everything already): the real ``gui`` entry point
on a real vault, with an application-wide event filter that notes which modules are loaded when the main
window receives its first paint event.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ecfmg_desk.vault.store import Vault

HEAVY = ("pypdf", "pypdfium2", "img2pdf", "icalendar", "PIL", "zxcvbn")
"""Export, import and preview (PDF libraries, Pillow), the calendar file, passphrase strength: none of them is
needed to show the window."""

UNSEEN = ("ecfmg_desk.ui.review", "ecfmg_desk.ui.profile", "ecfmg_desk.ui.clinical", "importlib.metadata")
"""The pages nobody sees before the first click (made on first visit), and the package metadata behind
``__version__`` (read when Help → About or ``--version`` asks)."""

DRIVER = """
import json, sys
from pathlib import Path
from PySide6.QtCore import QEvent, QObject
from ecfmg_desk.ui.app import application, run_gui

seen = {}

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if not seen and event.type() == QEvent.Type.Paint and type(obj).__name__ == "MainWindow":
            seen["loaded"] = sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)
            seen["unseen_loaded"] = sorted(m for m in sys.modules if m in UNSEEN)
            seen["pages_built"] = len(obj.pages.built())
        return False

app = application()
watcher = FirstPaint()
app.installEventFilter(watcher)
code = run_gui(Path(sys.argv[1]), screenshot=Path(sys.argv[2]))
print(json.dumps({"code": code, **seen}))
"""


@pytest.mark.slow
def test_nothing_unseen_is_loaded_or_built_before_the_main_window_first_paints(
    vault: Vault, vault_dir: Path, tmp_path: Path
) -> None:
    from tests import samples

    vault.add_document("passport", [samples.make_scan_pdf(tmp_path / "passport.pdf", pages=2, dpi=100)])
    vault.add_document("medical-diploma", [samples.make_png(tmp_path / "diploma.png")])
    vault.close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ECFMG_DESK_PASSPHRASE": "correct horse battery",
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    script = f"HEAVY = {HEAVY!r}\nUNSEEN = {UNSEEN!r}\n{DRIVER}"
    done = subprocess.run(
        [sys.executable, "-c", script, str(vault_dir), str(tmp_path / "shot.png")],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["code"] == 0 and "loaded" in result, "the main window never painted"
    assert result["loaded"] == []
    assert result["unseen_loaded"] == [] and result["pages_built"] == 0, "pages are made when first opened"
