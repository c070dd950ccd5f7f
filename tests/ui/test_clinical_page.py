"""The Clinical experience page in the real window: add a rotation with a task, move a letter across the board,
remove a rotation that letters depend on (asked first, undoable), export CSV, copy the ERAS summary."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from ecfmg_desk.core.catalog import Catalog
from ecfmg_desk.ui.clinical import ClinicalPage
from ecfmg_desk.ui.clinical_models import LETTER_MIME
from ecfmg_desk.ui.widgets import DateField
from ecfmg_desk.ui.window import MainWindow
from ecfmg_desk.vault.store import Vault
from tests.ui.conftest import Prompts


def open_page(qtbot: QtBot, window: MainWindow) -> ClinicalPage:
    qtbot.mouseClick(window.page_buttons["clinical"], Qt.MouseButton.LeftButton)
    page = window.pages["clinical"]
    assert isinstance(page, ClinicalPage)
    assert window.stack.currentWidget() is page
    return page


def drop(widget: QWidget, mime: QMimeData, at: QPoint) -> QDropEvent:
    """What a drag from another widget does: enter, then drop, at ``at`` (viewport coordinates)."""
    enter = QDragEnterEvent(at, Qt.DropAction.MoveAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    event = QDropEvent(QPointF(at), Qt.DropAction.MoveAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)
    return event


def test_add_a_rotation_with_a_task_in_the_window(qtbot: QtBot, window: MainWindow, vault: Vault) -> None:
    page = open_page(qtbot, window)
    tab = page.rotations_tab
    assert tab.add_button is not None and tab.form is not None
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    form = tab.form
    assert form.isVisible()
    form.kind.setCurrentIndex(form.kind.findData("elective"))
    qtbot.keyClicks(form.institution, "Mercy Saint Brigid Hospital")
    qtbot.keyClicks(form.specialty, "Nephrology")
    qtbot.keyClicks(form.supervisor, "Dr. Eleanor Whitcombe")
    form.start.setFocus()
    form.start.lineEdit().selectAll()
    qtbot.keyClicks(form.start, "2026-06-29")
    qtbot.keyClick(form.start, Qt.Key.Key_Tab)
    form.end.lineEdit().selectAll()
    qtbot.keyClicks(form.end, "2026-07-26")
    qtbot.keyClick(form.end, Qt.Key.Key_Tab)
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)

    (rotation,) = vault.clinical.rotations()
    assert (rotation.kind, rotation.institution, rotation.specialty, rotation.supervisor) == (
        "elective", "Mercy Saint Brigid Hospital", "Nephrology", "Dr. Eleanor Whitcombe")
    assert (rotation.start, rotation.end, rotation.weeks) == (date(2026, 6, 29), date(2026, 7, 26), 4.0)
    assert tab.model.rowCount() == 1
    assert "Hands-on: 4 weeks" in page.totals_label.text()
    detail = tab.detail
    assert detail.isVisible() and "Nephrology" in detail.title.text()

    assert detail.task_title is not None and detail.task_due is not None
    qtbot.keyClicks(detail.task_title, "Immunisation record")
    detail.task_due.lineEdit().selectAll()
    qtbot.keyClicks(detail.task_due, "2026-06-01")
    qtbot.keyClick(detail.task_due, Qt.Key.Key_Tab)
    qtbot.mouseClick(detail.task_add, Qt.MouseButton.LeftButton)
    (task,) = vault.clinical.rotation(rotation.id).tasks
    assert (task.title, task.due, task.done) == ("Immunisation record", date(2026, 6, 1), False)
    item = detail.tasks.item(0)
    assert item.text() == "Immunisation record · due 1 Jun 2026"
    assert tab.model.index(0, 6).data() == "1 to do"

    detail.tasks.setFocus()
    detail.tasks.setCurrentRow(0)
    qtbot.keyClick(detail.tasks, Qt.Key.Key_Space)  # ticks the task's check box
    assert vault.clinical.rotation(rotation.id).tasks[0].done
    assert tab.model.index(0, 6).data() == "All done"
    window.undo()
    assert not vault.clinical.rotation(rotation.id).tasks[0].done


def test_a_rotation_the_vault_refuses_shows_why_and_stores_nothing(
    qtbot: QtBot, window: MainWindow, vault: Vault
) -> None:
    page = open_page(qtbot, window)
    tab = page.rotations_tab
    assert tab.add_button is not None and tab.form is not None
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    form = tab.form
    qtbot.keyClicks(form.institution, "Mercy Saint Brigid Hospital")
    qtbot.keyClicks(form.specialty, "Nephrology")
    form.start.set_value(date(2026, 7, 1))
    form.end.set_value(date(2026, 6, 1))
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.error.isVisible() and "before it starts" in form.error.text()
    assert vault.clinical.rotations() == []


def test_move_a_letter_across_the_board_by_drag_and_drop(qtbot: QtBot, window: MainWindow, vault: Vault) -> None:
    letter = vault.clinical.add_letter(writer="Dr. Ignatius Oyelaran-Pike", letter_id="L0042981",
                                       due=date(2026, 8, 31))
    window.session.reload()
    page = open_page(qtbot, window)
    page.tabs.setCurrentWidget(page.letters_tab)
    board = page.letters_tab.columns
    requested = board["requested"]
    assert requested.count() == 1 and requested.item(0).text().startswith("Dr. Ignatius Oyelaran-Pike")
    mime = requested.mimeData([requested.item(0)])
    assert mime.hasFormat(LETTER_MIME)

    target = board["uploaded"]
    event = drop(target.viewport(), mime, target.viewport().rect().center())
    assert event.isAccepted()
    assert vault.clinical.letter(letter.id).status == "uploaded"
    assert requested.count() == 0 and target.count() == 1
    assert "Letter ID: L0042981" in page.letters_tab.detail.text()

    rect = target.visualItemRect(target.item(0))
    qtbot.mouseClick(target.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseClick(page.letters_tab.next_button, Qt.MouseButton.LeftButton)  # the keyboard user's way
    assert vault.clinical.letter(letter.id).status == "assigned"
    window.undo()
    window.undo()
    assert vault.clinical.letter(letter.id).status == "requested"
    assert board["requested"].count() == 1


def test_removing_a_rotation_with_a_letter_asks_first_and_undo_brings_it_back(
    qtbot: QtBot, window: MainWindow, vault: Vault, asked: Prompts
) -> None:
    rotation = vault.clinical.add_rotation(kind="observership", institution="Lakeside Hospital",
                                           specialty="Internal Medicine", start=date(2026, 1, 5),
                                           end=date(2026, 1, 30), status="completed")
    vault.clinical.set_task(rotation.id, "HIPAA training")
    letter = vault.clinical.add_letter(writer="Dr. Ellen Park", rotation=rotation.id)
    window.session.reload()
    page = open_page(qtbot, window)
    detail = page.rotations_tab.detail
    assert detail.remove_button is not None
    asked.answers.append(False)
    qtbot.mouseClick(detail.remove_button, Qt.MouseButton.LeftButton)
    assert "1 letter" in asked.questions[0]
    assert [r.id for r in vault.clinical.rotations()] == [rotation.id]

    asked.answers.append(True)
    qtbot.mouseClick(detail.remove_button, Qt.MouseButton.LeftButton)
    assert vault.clinical.rotations() == []
    assert vault.clinical.letter(letter.id).rotation is None
    assert page.rotations_tab.model.rowCount() == 0
    window.undo()
    (back,) = vault.clinical.rotations()
    assert [t.title for t in back.tasks] == ["HIPAA training"]
    assert vault.clinical.letter(letter.id).rotation == rotation.id
    assert page.rotations_tab.model.rowCount() == 1


def test_the_table_sorts_by_date_and_weeks_and_exports_csv(
    qtbot: QtBot, window: MainWindow, vault: Vault, asked: Prompts, tmp_path: Path
) -> None:
    clinical = vault.clinical
    clinical.add_rotation(kind="clerkship", institution="B Hospital", specialty="Surgery",
                          start=date(2026, 3, 2), end=date(2026, 3, 15))  # 2 weeks
    clinical.add_rotation(kind="observership", institution="=HYPERLINK(\"x\")", specialty="Pediatrics",
                          start=date(2025, 12, 29), end=date(2026, 2, 1))  # 5 weeks, across the new year
    window.session.reload()
    page = open_page(qtbot, window)
    table = page.rotations_tab.table
    proxy = page.rotations_tab.proxy
    assert [proxy.index(r, 2).data() for r in range(2)] == ["Pediatrics", "Surgery"]  # by date
    table.sortByColumn(4, Qt.SortOrder.DescendingOrder)
    assert [proxy.index(r, 4).data() for r in range(2)] == ["5", "2"]
    table.sortByColumn(4, Qt.SortOrder.AscendingOrder)
    assert [proxy.index(r, 4).data() for r in range(2)] == ["2", "5"]

    out = tmp_path / "rotations.csv"
    asked.save_paths.append(out)
    qtbot.mouseClick(page.rotations_tab.csv_button, Qt.MouseButton.LeftButton)
    lines = out.read_text("utf-8-sig").splitlines()
    assert lines[0].startswith("kind,hands_on,specialty,institution")
    assert lines[1].startswith("observership,no,Pediatrics,\"'=HYPERLINK(\"\"x\"\")\",")  # never a formula
    assert lines[2].startswith("clerkship,yes,Surgery,B Hospital,,2026-03-02,2026-03-15,2,planned")

    page.tabs.setCurrentWidget(page.summary_tab)
    qtbot.mouseClick(page.summary_tab.copy_button, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text()
    assert copied.startswith("US clinical experience: 2 weeks hands-on, 5 weeks observership.")
    assert "- Pediatrics: 0 weeks hands-on, 5 weeks not hands-on" in copied


def test_the_advisor_sees_the_students_rotations_and_letters_without_any_control(
    qtbot: QtBot, ready_vault: dict[str, str], vault: Vault, catalog: Catalog, tmp_path: Path, asked: Prompts
) -> None:
    from ecfmg_desk.ui.app import DeskApp
    from ecfmg_desk.ui.settings import open_settings
    from tests.ui.conftest import AS_OF, export_bundle

    bundle = export_bundle(vault, catalog, tmp_path / "mail")
    desk = DeskApp(tmp_path / "advisor-has-no-vault", settings=open_settings(), as_of=AS_OF)
    try:
        desk.bundle = bundle
        assert desk.start() is None
        qtbot.waitUntil(lambda: len(desk.review_windows) == 1, timeout=30_000)
        window = desk.review_windows[0]
        qtbot.waitExposed(window)
        page = open_page(qtbot, window)
        assert page.editing is None
        model = page.rotations_tab.model
        assert sorted(model.index(r, 2).data() for r in range(model.rowCount())) == ["Cardiology",
                                                                                     "Internal Medicine"]
        assert "Hands-on: 4 weeks · Observership: 4 weeks" in page.totals_label.text()
        assert page.rotations_tab.add_button is None and page.rotations_tab.form is None
        assert page.letters_tab.form is None
        assert sum(c.count() for c in page.letters_tab.columns.values()) == 2
        assert not any(c.dragEnabled() or c.acceptDrops() for c in page.letters_tab.columns.values())
        editors = [w for w in page.findChildren(QWidget)
                   if isinstance(w, QLineEdit | QComboBox | DateField) and w.isVisibleTo(window)]
        assert not editors
        visible = {b.text() for b in page.findChildren(QAbstractButton) if b.isVisibleTo(window)}
        assert not visible & {"Add rotation", "Edit…", "Remove", "Add task", "Add letter", "Move on"}, visible
        assert "Lakeside Community Hospital (example)" in page.summary_tab.text.toPlainText()
        window.close()
    finally:
        desk.shutdown()


def test_link_a_certificate_by_dragging_it_onto_its_rotation(
    qtbot: QtBot, window: MainWindow, vault: Vault, tmp_path: Path
) -> None:
    from tests.samples import make_scan_pdf

    first = vault.clinical.add_rotation(kind="observership", institution="Lakeside Hospital",
                                        specialty="Internal Medicine", start=date(2026, 1, 5), end=date(2026, 1, 30))
    second = vault.clinical.add_rotation(kind="clerkship", institution="Riverside Medical Center",
                                         specialty="Cardiology", start=date(2026, 3, 2), end=date(2026, 3, 29))
    certificate = vault.add_document("clinical-experience", [make_scan_pdf(tmp_path / "cert.pdf", dpi=150)],
                                     issued=date(2026, 4, 1)).document
    window.session.reload()
    page = open_page(qtbot, window)
    detail = page.rotations_tab.detail
    assert detail.unlinked.count() == 1
    mime = detail.unlinked.mimeData([detail.unlinked.item(0)])
    table = page.rotations_tab.table
    proxy = page.rotations_tab.proxy
    row = next(r for r in range(proxy.rowCount()) if proxy.index(r, 2).data() == "Cardiology")
    target = table.visualRect(proxy.index(row, 2)).center()
    event = drop(table.viewport(), mime, target)
    assert event.isAccepted()
    assert vault.document(certificate.id).fields.get("rotation") == second.id
    assert detail.unlinked.count() == 0 and detail.certificates.count() == 1
    assert "Cardiology" in detail.title.text()
    assert first.id != second.id
    window.undo()
    assert vault.document(certificate.id).fields.get("rotation") is None


def test_the_rotations_table_gets_three_fifths_of_the_width_when_the_page_is_first_opened(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: window.width() == 1366)
    page = open_page(qtbot, window)  # built now, into a window already on screen
    splitter = page.rotations_tab.splitter
    qtbot.waitUntil(lambda: splitter.orientation() == Qt.Orientation.Horizontal and splitter.isVisible())
    table, _side = splitter.sizes()
    share = table / sum(splitter.sizes())
    assert abs(share - 0.6) < 0.01, f"the table got {share:.0%} of the width, not 60%"
