"""Write the README's screenshots: the example applicant's checklist, a requirement page and the review page;
the plan; the clinical experience page (rotations, letters board); the locked window; the export dialog; an
advisor's review mode; the student's document with the advisor's comments.

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
         "checklist-1920x1080": (1920, 1080), "requirement-1920x1080": (1920, 1080),
         "requirement-1024x600": (1024, 600), "review-1024x600": (1024, 600), "review-mode": (1366, 768),
         "review-summary": (1366, 768), "student-comments": (1366, 768), "locked": (1366, 768),
         "clinical": (1366, 768), "clinical-letters": (1366, 768), "clinical-1024x600": (1024, 600),
         "plan": (1366, 768)}
"""The README's shots at 1366×768 (the common laptop), and the smallest (1024×600) and a large screen."""
ADVISOR = "Dr. Ana Ruiz"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args(argv)

    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]  # a temp vault must not leave an entry in the user's keyring

    from ecfmg_desk.packet.bundle import open_bundle
    from ecfmg_desk.packet.export import export_vault
    from ecfmg_desk.resources import catalog_for
    from ecfmg_desk.ui.app import application
    from ecfmg_desk.ui.bundle_session import BundleSession
    from ecfmg_desk.ui.dialogs import ExportDialog
    from ecfmg_desk.ui.session import Session
    from ecfmg_desk.ui.window import MainWindow
    from ecfmg_desk.vault.demo import create_demo
    from ecfmg_desk.vault.store import Vault

    app = application()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    catalog = catalog_for(None, AS_OF)  # as the app chooses it: the Match still ahead
    with tempfile.TemporaryDirectory(prefix="ecfmg-screenshots-") as tmp:
        vault = Vault.open(Path(tmp) / "vault", create=True, passphrase=PASSPHRASE)
        create_demo(vault, today=AS_OF)
        session = Session(vault, catalog, as_of=AS_OF)
        window = MainWindow(session, settings=None)
        window.show()

        def settle(session: Session = session) -> None:
            while True:
                session.pool.waitForDone()
                app.processEvents()
                if session.is_idle:
                    app.processEvents()
                    return

        def shoot(name: str, win: MainWindow = window, session: Session = session) -> None:
            win.resize(*SIZES[name])
            settle(session)
            path = out / f"{name}.png"
            if not win.grab().save(str(path), "PNG"):
                raise SystemExit(f"error: could not write {path}")
            print(path)

        window.open_requirement("passport")
        shoot("checklist")
        shoot("checklist-1920x1080")
        from ecfmg_desk.ui.plan_page import PlanBanner

        banner = window.findChild(PlanBanner)
        if banner is not None:
            banner.show_button.click()  # what is due soon, then the whole plan (the banner goes)
        else:
            window.navigate("plan")
        shoot("plan")
        window.open_requirement("medical-diploma")
        shoot("requirement")
        shoot("requirement-1920x1080")
        shoot("requirement-1024x600")
        window.open_review()
        shoot("review-1024x600")
        shoot("review")
        window.navigate("clinical")  # rotations, their paperwork and certificate; then the letters board
        clinical = window.pages["clinical"]
        shoot("clinical")
        shoot("clinical-1024x600")
        clinical.tabs.setCurrentIndex(1)  # type: ignore[attr-defined]
        shoot("clinical-letters")
        clinical.tabs.setCurrentIndex(0)  # type: ignore[attr-defined]
        window.lock()  # View → Lock: nothing personal stays on screen
        shoot("locked")
        window.unlock()
        window.close()

        # a fixed path, so the picture does not depend on who runs the script
        dialog = ExportDialog(Path("/home/maria/Documents/GARCIA LOPEZ - ECFMG packet 2026-05-04.pdf"), "letter")
        dialog.show()
        app.processEvents()
        dialog.grab().save(str(out / "export-dialog.png"), "PNG")
        print(out / "export-dialog.png")
        dialog.close()

        # the student fixes the example's two problems and exports the packet with the advisor bundle
        _fix_demo(vault, Path(tmp))
        bundle = Path(tmp) / "GARCIA LOPEZ - ECFMG packet.ecfmgpkt"
        export_vault(vault, catalog, out=Path(tmp) / "packet.pdf", bundle=bundle, as_of=AS_OF)
        docs = {d.requirement: d.id for d in vault.documents() if d.translation_of is None}

        # the advisor reviews it
        review_session = BundleSession(open_bundle(bundle), bundle, catalog, today=AS_OF, reviewer=ADVISOR)
        draft = review_session.draft
        for requirement in ("passport", "photo", "identity-form"):
            draft.decide(docs[requirement], "approved")
        draft.decide(docs["medical-diploma"], "changes")
        draft.add_comment(docs["medical-diploma"], "The seal is cut off at the bottom of page 2; please rescan the "
                                                   "whole page, flat, in colour.")
        draft.add_comment(docs["medical-diploma"], "The name reads “M. J. Garcia”: keep the name-verification "
                                                   "affidavit with it.")
        review_window = MainWindow(review_session, settings=None)
        review_window.show()
        review_window.open_requirement("medical-diploma")
        shoot("review-mode", review_window, review_session)
        review_window.open_review()
        shoot("review-summary", review_window, review_session)
        review_file = Path(tmp) / "review.json"
        review_session.save_review(review_file)
        review_window.close()
        review_session.close()

        # the student loads the review: decisions and comments on their documents
        student = Session(vault, catalog, as_of=AS_OF)
        student.load_review(review_file)
        student_window = MainWindow(student, settings=None)
        student_window.show()
        student_window.open_requirement("medical-diploma")
        shoot("student-comments", student_window, student)
        student_window.close()
        vault.close()
    return 0


def _fix_demo(vault: object, tmp: Path) -> None:
    """What the student does about the example's deliberate problems (as tests/cli's ready_vault)."""
    import img2pdf

    from ecfmg_desk.vault.demo import _Sheet, draw_sheet
    from ecfmg_desk.vault.store import Vault

    assert isinstance(vault, Vault)

    def pdf(name: str, sheet: _Sheet) -> Path:
        import io

        buffer = io.BytesIO()
        draw_sheet(sheet, 150).save(buffer, "JPEG", quality=85, dpi=(150, 150))
        path = tmp / name
        path.write_bytes(img2pdf.convert([buffer.getvalue()]))
        return path

    docs = {d.requirement: d.id for d in vault.documents() if d.translation_of is None}
    vault.add_document("name-verification", [pdf("nv.pdf", _Sheet(
        "AFFIDAVIT OF IDENTITY", "Notarized", ("M. J. Garcia and Maria Jose Garcia Lopez", "are one and the same"),
        (90, 50, 130)))], issued=date(2023, 1, 10), name_on_document="M. J. Garcia")
    vault.add_document("translation", [pdf("tr.pdf", _Sheet(
        "CERTIFIED TRANSLATION", "Lingua Example Translation Services", ("Final transcript",), (90, 50, 130)))],
        translation_of=docs["final-transcript"], translator="Lingua Example Translation Services",
        translator_kind="professional", issued=date(2022, 8, 2))


if __name__ == "__main__":
    sys.exit(main())
