"""Advisor review mode (issue 6) and the way back to the student, driven like the two people would.

The student's real vault exports a real bundle; the advisor opens it (as ``ecfmg-desk gui BUNDLE`` does),
approves and requests changes with the buttons, types comments, saves REVIEW.json; the student loads it and
sees the decisions, the comments and the ``advisor-changes`` warning; replacing an approved scan makes the
approval stale. Tampered bundles and foreign reviews are refused with a readable dialog.
"""

from __future__ import annotations

import json
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFileOpenEvent, QImage
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from ecfmg_desk.core.catalog import Catalog
from ecfmg_desk.packet.review import read_review
from ecfmg_desk.ui.app import DeskApp, application, run_gui
from ecfmg_desk.ui.settings import open_settings, recent_bundles, reviewer_name
from ecfmg_desk.ui.widgets import DateField
from ecfmg_desk.ui.window import MainWindow
from ecfmg_desk.ui.words import plain_tooltip
from ecfmg_desk.vault.store import Vault, is_vault
from tests.samples import make_jpeg
from tests.ui.conftest import AS_OF, Prompts, drop_files, export_bundle, open_in_checklist, wait_imported
from tests.ui.test_window import _unnamed

STUDENT = "Maria Jose Garcia Lopez"
ADVISOR = "Dr. Ana Advisor"


def qapp() -> QApplication:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app


def click(qtbot: QtBot, button: QAbstractButton) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


@pytest.fixture
def bundle(ready_vault: dict[str, str], vault: Vault, catalog: Catalog, tmp_path: Path) -> Path:
    return export_bundle(vault, catalog, tmp_path / "mail")


@pytest.fixture
def advisor(qtbot: QtBot, tmp_path: Path, asked: Prompts) -> Iterator[DeskApp]:
    """The advisor's app: no vault of their own (the folder stays empty)."""
    desk = DeskApp(tmp_path / "advisor-has-no-vault", settings=open_settings(), as_of=AS_OF)
    yield desk
    desk.shutdown()
    assert not is_vault(tmp_path / "advisor-has-no-vault")


def review_window(qtbot: QtBot, desk: DeskApp, count: int = 1) -> MainWindow:
    qtbot.waitUntil(lambda: len(desk.review_windows) >= count, timeout=30_000)
    window: MainWindow = desk.review_windows[count - 1]
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.session.is_idle, timeout=30_000)
    return window


def open_as_gui(qtbot: QtBot, advisor: DeskApp, path: Path) -> MainWindow:
    """What ``ecfmg-desk gui BUNDLE`` does (run_gui hands the bundle to DeskApp)."""
    advisor.bundle = path
    assert advisor.start() is None
    return review_window(qtbot, advisor)


def card_of(window: MainWindow, document_id: str) -> Any:
    return window.requirement_page.cards[document_id]


# --------------------------------------------------------------------------------------------- review mode


def test_a_bundle_opens_read_only_with_a_banner(qtbot: QtBot, bundle: Path, advisor: DeskApp,
                                                ready_vault: dict[str, str], asked: Prompts) -> None:
    window = open_as_gui(qtbot, advisor, bundle)
    assert advisor.window is None and advisor.wizard is None, "no vault, no first-run wizard for an advisor"
    assert window.banner is not None and window.banner.isVisible()
    assert window.banner.text() == f"Reviewing {STUDENT}'s packet — read-only"
    assert window.banner.detail_label.text().startswith("Exported 4 May 2026 · every file verified intact")
    assert window.windowTitle() == "ECFMG Desk — Review: Maria Jose GARCIA LOPEZ[*]"
    assert window.vault_label.text() == "Bundle verified: every file matches its manifest · read-only"
    assert window.progress_label.text() == "11 of 11 required items ready"
    assert window.model.visible_text("passport") == "Passport  Ready"
    hidden = window.model.item(window.model.rowCount() - 1)
    assert hidden.text().startswith("NOT NEEDED FOR THIS STUDENT ("), "the advisor is not the one it is not needed for"
    assert hidden.toolTip() == "Items the student's answers and documents do not call for. Click to show them."
    assert "profile" not in window.pages and not window.attach_action.isEnabled(), "a bundle has no profile page"
    assert not [b for b in window.findChildren(QAbstractButton) if b.isVisibleTo(window) and "Profile" in b.text()]

    page = window.requirement_page
    for requirement in ("passport", "medical-diploma", "final-transcript", "translation"):
        open_in_checklist(qtbot, window, requirement)
        qtbot.waitUntil(lambda: bool(page.cards), timeout=10_000)
        assert page.drop_zone.isHidden(), "no drop zone, no Browse…"
        assert not [w for w in page.findChildren(QWidget)
                    if isinstance(w, QLineEdit | QComboBox | DateField) and w.isVisibleTo(window)], "no editors"
        visible = {b.text() for b in page.findChildren(QAbstractButton) if b.isVisibleTo(window)}
        assert not visible & {"Browse…", "Replace scan…", "Remove", "Attach translation…"}, visible
        for card in page.cards.values():
            assert card.replace_button.isHidden() and not card.replace_button.isEnabled()
            assert card.remove_button.isHidden() and not card.remove_button.isEnabled()
            assert "notes" not in card.fields, "the student's private notes are not shown"
            assert all(isinstance(w, QLabel) for w in card.fields.values())
            assert card.advisor_panel is not None and card.advisor_panel.decision.text() == "Not reviewed yet"
        assert _unnamed(window) == []
    open_in_checklist(qtbot, window, "passport")
    assert card_of(window, ready_vault["passport"]).field_text("expires").startswith("9 Feb 20")
    # every page viewable: the preview renders from the bundle's bytes
    qtbot.waitUntil(lambda: not page.preview._image.isNull(), timeout=10_000)
    assert isinstance(page.preview._image, QImage) and page.preview._image.width() > 100
    window.checklist.setFocus()
    qtbot.keyClick(window.checklist, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert asked.file_requests == [], "Ctrl+O attaches nothing in review mode"
    window.open_review()
    assert _unnamed(window) == []
    assert window.review_page.decisions_label.text() == "Your review: 0 approved · 0 changes requested · 13 not " \
                                                        "reviewed yet"
    rows = "\n".join(window.review_page.row_texts())
    assert "Check: Not answered by the student yet (their passport): “If your passport" in rows
    assert "→ The student answers it in their app (yes or no); it cannot be seen in the files." in rows
    assert "Still to answer" not in rows and "Answer the question with yes or no" not in rows, rows


def test_review_round_trip_back_to_the_student(qtbot: QtBot, bundle: Path, advisor: DeskApp, window: MainWindow,
                                               ready_vault: dict[str, str], asked: Prompts, tmp_path: Path) -> None:
    passport, diploma = ready_vault["passport"], ready_vault["medical-diploma"]
    student_window = window
    review = open_as_gui(qtbot, advisor, bundle)

    # approve the passport: the reviewer's name is asked once (default: the OS user) and kept
    open_in_checklist(qtbot, review, "passport")
    asked.texts.append(ADVISOR)
    panel = card_of(review, passport).advisor_panel
    click(qtbot, panel.approve_button)
    assert len(asked.text_requests) == 1 and asked.text_requests[0][1] != ""
    assert panel.approve_button.isChecked() and panel.decision.text() == "Approved"
    assert reviewer_name(open_settings()) == ADVISOR
    assert review.isWindowModified()

    # request changes on the diploma, with two comments typed into the box
    open_in_checklist(qtbot, review, "medical-diploma")
    panel = card_of(review, diploma).advisor_panel
    click(qtbot, panel.changes_button)
    assert panel.decision.text() == "Changes requested"
    assert not panel.add_button.isEnabled()
    qtbot.keyClicks(panel.comment_edit, "The seal is cut off on page 2; rescan the whole page.")
    click(qtbot, panel.add_button)
    qtbot.keyClicks(panel.comment_edit, "Also scan in colour.")
    qtbot.keyClick(panel.comment_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert panel.comment_texts() == [
        f"{ADVISOR} · 4 May 2026: The seal is cut off on page 2; rescan the whole page.",
        f"{ADVISOR} · 4 May 2026: Also scan in colour."]
    assert panel.comment_edit.toPlainText() == ""
    assert len(asked.text_requests) == 1, "the name is asked only once"

    review.open_review()
    summary = review.review_page
    assert summary.decisions_label.text() == "Your review: 1 approved · 1 change requested · 11 not reviewed yet"
    assert "Medical diploma (diploma.pdf) — Changes requested" in summary.summary_model.texts()
    assert f"{ADVISOR} · 4 May 2026: Also scan in colour." in summary.summary_model.texts()

    # Ctrl+S: saved beside the bundle, under a name that says whose and when
    review_file = tmp_path / "mail" / "review.json"
    asked.save_paths.append(review_file)
    review.checklist.setFocus()
    qtbot.keyClick(review.checklist, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    title, suggested = asked.save_requests[-1]
    assert suggested == tmp_path / "mail" / f"{STUDENT} - review 2026-05-04.json"
    saved = read_review(review_file)
    assert saved.reviewer == ADVISOR and saved.date == AS_OF
    assert saved.documents[passport].decision == "approved"
    assert [c.text for c in saved.documents[diploma].comments] == [
        "The seal is cut off on page 2; rescan the whole page.", "Also scan in colour."]
    assert not review.isWindowModified()
    review.close()
    assert asked.unsaved_questions == [], "nothing unsaved: no question on closing"

    # the student loads the review
    asked.open_paths.append(review_file)
    student_window.load_review_action.trigger()
    title, message = asked.infos[-1]
    assert title == "Review loaded"
    signed, summary_line = message.split("\n\n")[:2]
    assert signed.startswith(f"Signed by {ADVISOR} with a key this vault sees for the first time: ")
    assert summary_line == f"{ADVISOR} reviewed 2 documents: 1 approved, 1 change requested."
    page = student_window.requirement_page
    assert page.requirement_id == "medical-diploma", "the window opens the first document to change"
    notes = page.cards[diploma].review_notes
    assert notes is not None
    qtbot.waitUntil(notes.isVisible)
    assert notes.text() == f"Changes requested by {ADVISOR} on 4 May 2026"
    assert notes.comment_texts() == [
        f"{ADVISOR} · 4 May 2026: The seal is cut off on page 2; rescan the whole page.",
        f"{ADVISOR} · 4 May 2026: Also scan in colour."]
    assert any(t.startswith(f"Check: Your advisor {ADVISOR} asked for changes to your") for t in page.finding_texts())
    row = next(r for r in page.finding_rows if r.finding.code == "advisor-changes")
    assert row.action_button is not None and row.action_button.text() == "Replace scan…"
    student_window.open_review()
    assert any("asked for changes" in t for t in student_window.review_page.row_texts())

    open_in_checklist(qtbot, student_window, "passport")
    notes = page.cards[passport].review_notes
    assert notes is not None and notes.text() == f"Approved by {ADVISOR} on 4 May 2026"

    # the student replaces the approved passport scan: the approval no longer covers it
    asked.files.append([make_jpeg(tmp_path / "new-passport.jpg", size_px=(1650, 1275), dpi=150)])
    asked.answers.append(True)
    click(qtbot, page.cards[passport].replace_button)
    wait_imported(qtbot, student_window)
    def stale_shown() -> bool:
        shown = page.cards[passport].review_notes
        return shown is not None and shown.text().startswith("Approved before")

    qtbot.waitUntil(stale_shown, timeout=10_000)
    notes = page.cards[passport].review_notes
    assert notes is not None
    assert notes.text() == "Approved before you replaced this scan — ask for a new review"
    assert notes.stale_hint.text() == f"{ADVISOR} on 4 May 2026 approved the earlier scan; the approval does not " \
                                      "cover the new one."


def test_unsaved_review_work_is_not_lost_by_closing(qtbot: QtBot, bundle: Path, advisor: DeskApp,
                                                    ready_vault: dict[str, str], asked: Prompts,
                                                    tmp_path: Path) -> None:
    window = open_as_gui(qtbot, advisor, bundle)
    asked.texts.append(ADVISOR)
    click(qtbot, card_of(window, ready_vault["passport"]).advisor_panel.approve_button)
    asked.unsaved.append("cancel")
    window.close()
    assert window.isVisible(), "Cancel keeps the window and the work"
    assert "not saved yet" in asked.unsaved_questions[0]
    asked.unsaved.append("save")
    asked.save_paths.append(tmp_path / "r.json")
    window.close()
    assert not window.isVisible() and (tmp_path / "r.json").is_file()
    assert advisor.review_windows == []


def test_closing_a_locked_review_window_names_nobody(qtbot: QtBot, bundle: Path, advisor: DeskApp,
                                                     ready_vault: dict[str, str], asked: Prompts) -> None:
    window = open_as_gui(qtbot, advisor, bundle)
    asked.texts.append(ADVISOR)
    click(qtbot, card_of(window, ready_vault["passport"]).advisor_panel.approve_button)
    student = window.session.profile.name_of_record
    assert student
    window.lock()
    asked.unsaved.append("cancel")
    window.close()
    assert window.isVisible() and window.locked
    assert "not saved yet" in asked.unsaved_questions[-1] and student not in asked.unsaved_questions[-1]
    asked.unsaved.append("discard")
    window.close()


def test_a_tampered_bundle_is_refused_and_nothing_opens(qtbot: QtBot, bundle: Path, advisor: DeskApp,
                                                        asked: Prompts, tmp_path: Path) -> None:
    tampered = tmp_path / "tampered.ecfmgpkt"
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(tampered, "w") as dst:
        flipped = False
        for info in src.infolist():
            data = src.read(info)
            if not flipped and info.filename.startswith("files/"):
                data = data[:-10] + bytes([data[-10] ^ 1]) + data[-9:]
                flipped = True
            dst.writestr(info, data)
    codes: list[int] = []
    advisor.finished.connect(codes.append)
    advisor.bundle = tampered
    assert advisor.start() is None
    qtbot.waitUntil(lambda: bool(asked.errors), timeout=30_000)
    title, message = asked.errors[0]
    assert title == "This bundle cannot be trusted"
    assert message.startswith("The bundle cannot be trusted: ") and "was altered" in message
    assert "Nothing was opened" in message
    assert advisor.review_windows == [] and codes == [3]
    assert recent_bundles(open_settings()) == [], "a refused bundle is not remembered"


def test_a_foreign_or_malformed_review_changes_nothing(qtbot: QtBot, bundle: Path, window: MainWindow,
                                                       ready_vault: dict[str, str], vault: Vault, asked: Prompts,
                                                       tmp_path: Path) -> None:
    from ecfmg_desk.packet.bundle import verify_bundle
    from ecfmg_desk.packet.review import make_review, write_review

    manifest = verify_bundle(bundle)
    review = make_review(manifest, {ready_vault["passport"]: "approved"}, {}, ADVISOR, AS_OF)
    body = {**review.to_json(), "signature": None}
    body["vault_id"] = "another-students-vault"  # a review of a bundle that another vault exported
    foreign = tmp_path / "foreign.json"
    foreign.write_text(json.dumps(body))
    malformed = tmp_path / "malformed.json"
    malformed.write_text("{not json")
    before = vault.documents()
    for path, words in ((foreign, "another vault"), (malformed, "not a usable review file")):
        asked.open_paths.append(path)
        window.load_review_action.trigger()
        title, message = asked.errors[-1]
        assert title == "The review was not loaded" and words in message
    assert vault.documents() == before and asked.infos == []
    write_review(tmp_path / "ok.json", review)  # the real one still loads
    asked.open_paths.append(tmp_path / "ok.json")
    window.load_review_action.trigger()
    assert asked.infos[-1][0] == "Review loaded"


# --------------------------------------------------------------------------------------------- ways in


def test_recent_bundles_are_remembered_across_windows(qtbot: QtBot, bundle: Path, advisor: DeskApp,
                                                      window: MainWindow, asked: Prompts, tmp_path: Path) -> None:
    first = open_as_gui(qtbot, advisor, bundle)
    first.close()
    assert advisor.review_windows == []
    again = DeskApp(tmp_path / "nowhere", settings=open_settings(), as_of=AS_OF)
    try:
        assert again.start() is None  # no vault: the welcome page lists the bundle for the advisor
        items = again.wizard.welcome.advisor.recent_list
        assert items.count() == 1 and items.item(0).text() == f"{STUDENT} · exported 4 May 2026 · ready"
        items.itemActivated.emit(items.item(0))
        reopened = review_window(qtbot, again)
        assert again.wizard is None, "the welcome page made way for the review"
        reopened._fill_recent_menu()
        actions = [a for a in reopened.recent_menu.actions() if a.text().startswith(STUDENT)]
        assert [a.text() for a in actions] == [f"{STUDENT} · exported 4 May 2026 · ready"]
        assert actions[0].toolTip() == plain_tooltip(str(bundle.resolve()))  # the path shown as text
    finally:
        again.shutdown()

    # the student's own window has the menu too; a bundle moved away is greyed out
    bundle.rename(tmp_path / "moved.ecfmgpkt")
    window._fill_recent_menu()
    entry = next(a for a in window.recent_menu.actions() if a.text().startswith(STUDENT))
    assert entry.text().endswith("· file not found") and not entry.isEnabled()


def test_a_bundle_dropped_on_the_window_or_sent_by_macos_opens_for_review(
        qtbot: QtBot, bundle: Path, vault: Vault, vault_dir: Path, asked: Prompts) -> None:
    vault.close()
    desk = DeskApp(vault_dir, settings=open_settings(), as_of=AS_OF)
    try:
        assert desk.start() is None
        student = desk.window
        qtbot.waitExposed(student)
        open_in_checklist(qtbot, student, "passport")
        count = len(student.session.documents)
        drop_files(student.requirement_page.drop_zone, [bundle])  # onto the drop zone: opened, never imported
        review = review_window(qtbot, desk)
        assert len(student.session.documents) == count and not student.session.importing
        review.close()
        qtbot.waitUntil(lambda: not desk.review_windows)

        drop_files(student, [bundle])  # anywhere on the window
        review_window(qtbot, desk).close()
        qtbot.waitUntil(lambda: not desk.review_windows)

        QApplication.sendEvent(qapp(), QFileOpenEvent(str(bundle)))  # macOS double-click
        review = review_window(qtbot, desk)
        assert review.banner is not None
        assert desk.window is student and student.isVisible(), "the student's window stays"
    finally:
        desk.shutdown()


def test_file_open_bundle_and_one_window_per_bundle(qtbot: QtBot, bundle: Path, advisor: DeskApp,
                                                    asked: Prompts) -> None:
    review = open_as_gui(qtbot, advisor, bundle)
    asked.open_paths.append(bundle)
    review.checklist.setFocus()
    qtbot.keyClick(review.checklist, Qt.Key.Key_O,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert asked.open_requests == ["Open a student's bundle"]
    QApplication.processEvents()
    assert advisor.review_windows == [review], "the same bundle is not opened twice"


def test_gui_bundle_screenshot_and_no_console_streams(bundle: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """``ecfmg-desk gui BUNDLE --screenshot``; and a windowed Windows build, whose sys.stdout/stderr are None."""
    shot = tmp_path / "review.png"
    assert run_gui(None, bundle, shot) == 0
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1366, 768)
    tampered = tmp_path / "not-a-bundle.ecfmgpkt"
    tampered.write_bytes(b"PK\x03\x04 not really a zip")
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    assert run_gui(None, tampered, tmp_path / "never.png") == 3
    assert sys.stdout is None and sys.stderr is None, "the streams are given back as they were"
    assert not (tmp_path / "never.png").exists()


def test_the_desktop_file_name_matches_the_linux_desktop_entry() -> None:
    assert application().desktopFileName() == "org.ecfmgdesk.EcfmgDesk"


def test_the_file_open_filter_ignores_other_files(qtbot: QtBot, advisor: DeskApp, tmp_path: Path) -> None:
    assert advisor.start() is None  # the welcome page (no vault)
    event = QFileOpenEvent(str(tmp_path / "scan.pdf"))
    assert event.type() == QEvent.Type.FileOpen
    QApplication.sendEvent(qapp(), event)
    assert advisor.review_windows == [] and not advisor._opening
