"""Write the README's screenshots: the example applicant's checklist, a requirement page and the review page.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Runs offscreen on a throw-away vault in a temp folder (never the user's own vault, keyring or settings), with a
fixed "today" so the pictures only change when the app does. Waits for the window's background work to finish
instead of sleeping, so every thumbnail and preview is in the picture.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

AS_OF = date(2026, 5, 4)
PASSPHRASE = "screenshots only, never a real vault"
SIZES = {"checklist": (1366, 768), "requirement": (1366, 768), "review": (1366, 768),
         "checklist-1920x1080": (1920, 1080)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args(argv)

    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]  # a temp vault must not leave an entry in the user's keyring

    from ecfmg_desk.resources import load_default_catalog
    from ecfmg_desk.ui.app import application
    from ecfmg_desk.ui.session import Session
    from ecfmg_desk.ui.window import MainWindow
    from ecfmg_desk.vault.demo import create_demo
    from ecfmg_desk.vault.store import Vault

    app = application()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ecfmg-screenshots-") as tmp:
        vault = Vault.open(Path(tmp) / "vault", create=True, passphrase=PASSPHRASE)
        create_demo(vault, today=AS_OF)
        session = Session(vault, load_default_catalog(), as_of=AS_OF)
        window = MainWindow(session, settings=None)
        window.show()

        def settle() -> None:
            while True:
                session.pool.waitForDone()
                app.processEvents()
                if session.is_idle:
                    app.processEvents()
                    return

        def shoot(name: str) -> None:
            window.resize(*SIZES[name])
            settle()
            path = out / f"{name}.png"
            if not window.grab().save(str(path), "PNG"):
                raise SystemExit(f"error: could not write {path}")
            print(path)

        window.open_requirement("passport")
        shoot("checklist")
        shoot("checklist-1920x1080")
        window.open_requirement("medical-diploma")
        shoot("requirement")
        window.open_review()
        shoot("review")
        window.close()
        vault.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
