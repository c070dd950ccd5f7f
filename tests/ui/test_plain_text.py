"""Untrusted text is shown as text, never as markup (DESIGN.md section 9).

Hostile strings go wherever a user or a bundle can put text: the applicant's names, a document's printed name,
translator, notes and file names, rotations (institution, specialty, supervisor, notes, tasks) and letters
(writer, title) that the plan also lists, an advisor's name and comments (a real review file), and, in review
mode, everything a bundle's manifest carries (a real bundle rebuilt with zipfile), its plan's deadlines too.
Then every page of the window is opened and every widget walked: a label, tooltip, button, item or title that
shows part of a hostile string must show all of it, tags included. Text Qt took for rich text would have lost
its tags (and an ``<img>`` its source), which is what the checks catch.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import Qt as QtGui_Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QApplication, QLabel, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from ecfmg_desk.core.catalog import Catalog
from ecfmg_desk.packet.bundle import open_bundle
from ecfmg_desk.packet.review import make_review, write_review
from ecfmg_desk.ui import prompts
from ecfmg_desk.ui.bundle_session import BundleSession
from ecfmg_desk.ui.session import Session
from ecfmg_desk.ui.window import MainWindow
from ecfmg_desk.vault.store import Vault
from tests.samples import make_scan_pdf
from tests.ui.conftest import AS_OF, Prompts, export_bundle, show_window

BOLD = '<b style="color:#0a0;font-size:40pt">Approved by ECFMG</b>'
IMAGE = '<img src="ecfmg.png">after the image'
LINK = '<a href="https://example.org/x">click here</a>'
HOSTILE = {"Approved by ECFMG": BOLD, "after the image": IMAGE, "click here": LINK}
"""What a reader sees of each hostile string -> the string itself (which must be shown whole)."""


def rendered(text: str, text_format: Qt.TextFormat = Qt.TextFormat.AutoText) -> str:
    """What Qt shows of ``text``: the text itself, or, when it takes it for rich text, what the markup leaves."""
    rich = text_format == Qt.TextFormat.RichText or (
        text_format == Qt.TextFormat.AutoText and QtGui_Qt.mightBeRichText(text))
    if not rich:
        return text
    document = QTextDocument()
    document.setHtml(text)
    return document.toPlainText()


def markup_shown(where: str, text: str, text_format: Qt.TextFormat = Qt.TextFormat.AutoText) -> list[str]:
    shown = rendered(text, text_format)
    return [f"{where}: {shown!r}" for seen, whole in HOSTILE.items() if seen in shown and whole not in shown]


def _model_texts(view: QAbstractItemView) -> Iterator[tuple[str, Any]]:
    model = view.model()
    if model is None:
        return
    stack = [QModelIndex()]
    while stack:
        parent = stack.pop()
        try:
            columns = model.columnCount(parent)
        except TypeError:  # a list model (columnCount is private in QAbstractListModel)
            columns = 1
        for row in range(model.rowCount(parent)):
            for column in range(columns):
                index = model.index(row, column, parent)
                yield "item", model.data(index, Qt.ItemDataRole.DisplayRole)
                yield "item tooltip", model.data(index, Qt.ItemDataRole.ToolTipRole)
                if column == 0:
                    stack.append(index)


def walk(window: MainWindow) -> list[str]:
    """Every place in the window where a hostile string lost its tags (empty: none)."""
    found = markup_shown("window title", window.windowTitle(), Qt.TextFormat.PlainText)
    hits: list[str] = []
    for widget in window.findChildren(QWidget):
        parent = widget.parentWidget()
        name = f"{type(parent).__name__ if parent else ''}>{type(widget).__name__} {widget.objectName()!r}"
        if widget.toolTip():
            found += markup_shown(f"tooltip of {name}", widget.toolTip())
        if isinstance(widget, QLabel):
            found += markup_shown(name, widget.text(), widget.textFormat())
            hits += [s for s in HOSTILE if s in rendered(widget.text(), widget.textFormat())]
        elif isinstance(widget, QAbstractButton):
            found += markup_shown(name, widget.text(), Qt.TextFormat.PlainText)
            hits += [s for s in HOSTILE if s in widget.text()]
        elif isinstance(widget, QAbstractItemView):
            for role, value in _model_texts(widget):
                if isinstance(value, str):
                    found += markup_shown(f"{role} of {name}", value,
                                          Qt.TextFormat.PlainText if role == "item" else Qt.TextFormat.AutoText)
                    hits += [s for s in HOSTILE if s in value and role == "item"]
    for action in window.findChildren(type(window.quit_action)):
        found += markup_shown(f"action {action.text()!r}", action.text(), Qt.TextFormat.PlainText)
        if action.toolTip():
            found += markup_shown(f"tooltip of action {action.text()!r}", action.toolTip())
    walk.hits = hits  # type: ignore[attr-defined]
    return found


def every_page(qtbot: QtBot, window: MainWindow, catalog: Catalog) -> list[str]:
    """Open every requirement, every sidebar page (profile, plan, clinical experience: each tab, each rotation
    and each letter selected in turn) and the review page; walk the window on each."""
    found: list[str] = []
    seen: set[str] = set()

    on_page: dict[str, set[str]] = {}

    def look(key: str = "") -> None:
        nonlocal found
        qtbot.wait(1)
        found += walk(window)
        seen.update(walk.hits)  # type: ignore[attr-defined]
        on_page.setdefault(key, set()).update(walk.hits)  # type: ignore[attr-defined]

    for requirement in catalog.requirements:
        window.open_requirement(requirement.id)
        look()
    for key in window.pages:
        window.navigate(key)
        look(key)
        if key == "clinical":
            clinical_walk(window, lambda: look("clinical"))
    window.open_review()
    look()
    assert seen == set(HOSTILE), f"the hostile strings did not all reach the window: {seen}"
    for key in ("plan", "clinical"):  # the rotations, tasks and letters reached these pages (when shown)
        if key in window.pages:
            assert on_page.get(key) == set(HOSTILE), f"{key}: {on_page.get(key)}"
    return sorted(set(found))


def clinical_walk(window: MainWindow, look: Any) -> None:
    """The clinical-experience page's tabs, with each rotation and each letter selected (their details show)."""
    from ecfmg_desk.ui.clinical import ClinicalPage

    page = window.pages["clinical"]
    assert isinstance(page, ClinicalPage)
    rotations = [r.id for r in page.view.rotations]
    letters = [x.id for x in page.view.letters]
    assert rotations and letters, "the packet walked has rotations and letters"
    for index in range(page.tabs.count()):
        page.tabs.setCurrentIndex(index)
        look()
    page.tabs.setCurrentWidget(page.rotations_tab)
    for rotation_id in rotations:
        page.rotations_tab.select(rotation_id)
        look()
    page.tabs.setCurrentWidget(page.letters_tab)
    for column in page.letters_tab.columns.values():
        for row in range(column.count()):
            column.setCurrentRow(row)
            look()


# ============================================================================================== student mode


def test_the_students_window_shows_untrusted_text_as_text(qtbot: QtBot, ready_vault: dict[str, str],
                                                          vault: Vault, catalog: Catalog, asked: Prompts,
                                                          tmp_path: Path) -> None:
    vault.update_profile({"given_names": BOLD, "family_name": "Lopez " + LINK, "medical_school": IMAGE})
    pdf = make_scan_pdf(tmp_path / f"{IMAGE}.pdf", dpi=200)
    added = vault.add_document("name-verification", [pdf], issued=date(2023, 2, 1), name_on_document=BOLD,
                               notes=LINK + " " + IMAGE).document
    vault.edit_document(ready_vault["passport"], {"name_on_document": f"{BOLD} {LINK}"})
    translation = next(d for d in vault.documents() if d.translation_of is not None)
    vault.edit_document(translation.id, {"translator": IMAGE})
    # clinical experience and the plan: institutions, specialties, supervisors, notes, tasks, letter writers
    rotation = vault.clinical.add_rotation(kind="clerkship", institution=BOLD, specialty=LINK, supervisor=IMAGE,
                                           start=date(2026, 9, 1), end=date(2026, 10, 27), notes=f"{BOLD} {IMAGE}")
    vault.clinical.set_task(rotation.id, f"{IMAGE} {LINK}", due=date(2026, 12, 1))
    vault.clinical.add_letter(writer=BOLD, writer_title=f"{LINK} {IMAGE}", rotation=rotation.id,
                              due=date(2026, 12, 10))
    # the advisor's review, as a real file: a hostile reviewer name and comments
    bundle = export_bundle_anyway(vault, catalog, tmp_path / "mail")
    with open_bundle(bundle) as opened:
        review = make_review(opened.manifest, {added.id: "changes", ready_vault["passport"]: "approved"},
                             {added.id: [BOLD, IMAGE + " " + LINK]}, BOLD, AS_OF)
    write_review(tmp_path / "review.json", review)
    session = Session(vault, catalog, as_of=AS_OF)
    window = show_window(qtbot, session)
    try:
        asked.open_paths.append(tmp_path / "review.json")
        window.load_review_action.trigger()
        assert asked.infos and asked.infos[-1][0] == "Review loaded"
        found = every_page(qtbot, window, catalog)
        assert found == [], "\n".join(found)
    finally:
        window.close()
        session.shutdown()


def export_bundle_anyway(vault: Vault, catalog: Catalog, folder: Path) -> Path:
    """A bundle of this vault even though its hostile names do not match (the review only needs its ids)."""
    from ecfmg_desk.core.model import translation_status
    from ecfmg_desk.packet.bundle import write_bundle
    from ecfmg_desk.vault.validation import validate_vault

    folder.mkdir(parents=True, exist_ok=True)
    documents = vault.documents()
    packet = make_scan_pdf(folder / "packet.pdf", dpi=72)
    out = folder / "b.ecfmgpkt"
    write_bundle(out, vault_id=vault.id, profile=vault.profile(), documents=documents,
                 translation_statuses={d.id: translation_status(d, documents) for d in documents},
                 validation=validate_vault(vault, catalog, AS_OF), read_file=vault.read_file, packet_pdf=packet,
                 app_version="test", catalog_cycle=str(catalog.cycle), created=AS_OF)
    return out


# =============================================================================================== review mode


def _reseal(body: dict[str, Any]) -> None:
    rest = {k: v for k, v in body.items() if k != "manifest_sha256"}
    canonical = json.dumps(rest, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    body["manifest_sha256"] = hashlib.sha256(canonical).hexdigest()


def hostile_bundle(src: Path, dst: Path) -> Path:
    """The student's real bundle, its manifest rewritten by someone who knows the format: every text an advisor
    sees is hostile (unsigned, so it opens, marked unsigned)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "manifest.json":
                body = json.loads(data)
                applicant = body["applicant"]
                applicant.update(given_names=BOLD, family_name=LINK, medical_school=IMAGE)
                applicant["name_of_record"] = f"{BOLD} {LINK}"
                for doc in body["documents"]:
                    doc["name_on_document"] = f"{BOLD} {LINK}"
                    if doc["translator"]:
                        doc["translator"] = IMAGE
                    for file in doc["files"]:
                        file["name"] = f"{IMAGE} {LINK}.pdf"
                for finding in body["validation"]["findings"]:
                    finding.update(message=f"{BOLD} {IMAGE}", fix=LINK)
                for rotation in body["rotations"]:  # clinical experience, as the student's plan carries it
                    rotation.update(institution=BOLD, specialty=LINK, supervisor=IMAGE)
                    for task in rotation["tasks"]:
                        task["title"] = f"{IMAGE} {LINK}"
                for letter in body["letters"]:
                    letter.update(writer=BOLD, writer_title=f"{LINK} {IMAGE}")
                for item in body.get("deadlines", []):  # the plan's next deadlines (the banner shows one)
                    item["title"] = f"{BOLD} {LINK}"
                assert body["rotations"] and body["letters"] and body.get("deadlines")
                body["signature"] = None
                _reseal(body)
                data = json.dumps(body).encode()
            zout.writestr(info, data)
    return dst


def test_review_mode_shows_a_hostile_bundle_as_text(qtbot: QtBot, ready_vault: dict[str, str], vault: Vault,
                                                    catalog: Catalog, asked: Prompts, tmp_path: Path) -> None:
    vault.edit_document(ready_vault["photo"], {"issued": date(2025, 1, 2)})  # a warning finding to rewrite
    bundle = hostile_bundle(export_bundle(vault, catalog, tmp_path / "mail"), tmp_path / "hostile.ecfmgpkt")
    session = BundleSession(open_bundle(bundle), bundle, catalog, today=AS_OF, reviewer=BOLD)
    window = show_window(qtbot, session)
    try:
        passport = ready_vault["passport"]
        session.draft.decide(passport, "changes")
        session.draft.add_comment(passport, f"{IMAGE} {LINK}")
        found = every_page(qtbot, window, catalog)
        assert found == [], "\n".join(found)
    finally:
        window.force_close = True
        window.close()
        session.close()


# =================================================================================================== dialogs


@pytest.mark.qt_log_ignore("propagateSizeHints")
@pytest.mark.parametrize("show", ["show_error", "show_info", "ask_yes_no"])
def test_dialogs_show_their_message_as_text(qtbot: QtBot, show: str) -> None:
    """The real message boxes (not the test's recorder): a review's name in a message stays text."""
    seen: list[tuple[Qt.TextFormat, str]] = []

    def look_and_close() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, look_and_close)
            return
        seen.append((box.textFormat(), box.text()))
        box.done(0)

    QTimer.singleShot(0, look_and_close)
    getattr(prompts, show)(None, "Review loaded", f"{BOLD} reviewed {IMAGE} {LINK}")
    assert seen and seen[0][0] == Qt.TextFormat.PlainText
    assert markup_shown("message box", seen[0][1], seen[0][0]) == []
