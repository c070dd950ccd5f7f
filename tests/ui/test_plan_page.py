"""The Plan page and the banner on opening a vault: overdue and due-soon steps, jumps, export to calendar."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from ecfmg_desk.core.dates import DateOrder
from ecfmg_desk.core.rules import format_date
from ecfmg_desk.resources import catalog_for
from ecfmg_desk.ui import prompts
from ecfmg_desk.ui.app import DeskApp
from ecfmg_desk.ui.plan_page import PlanBanner, PlanPage, overdue_colour
from ecfmg_desk.ui.session import Session
from ecfmg_desk.ui.window import MainWindow
from ecfmg_desk.vault.store import Vault
from tests.samples import make_jpeg
from tests.ui.conftest import AS_OF, Prompts, export_bundle, painted_text_height, show_window
from tests.ui.test_review_mode import advisor as advisor  # a fixture
from tests.ui.test_review_mode import open_as_gui

EXAM = date(2026, 5, 20)  # 16 days after AS_OF: due soon


@pytest.fixture
def photo_id(vault: Vault, tmp_path: Path) -> str:
    """A photograph taken 1 Oct 2025: no longer recent after 1 Apr 2026, so overdue on AS_OF."""
    photo = vault.add_document("photo", [make_jpeg(tmp_path / "photo.jpg")], issued=date(2025, 10, 1))
    vault.set_plan_dates({"exam:usmle-step2ck": EXAM})
    return photo.document.id


@pytest.fixture
def plan_window(qtbot: QtBot, vault: Vault, photo_id: str, asked: Prompts) -> Iterator[MainWindow]:
    session = Session(vault, catalog_for(None, AS_OF), as_of=AS_OF)
    main = show_window(qtbot, session)
    yield main
    main.close()
    session.shutdown()


def _page(window: MainWindow) -> PlanPage:
    page = window.pages["plan"]
    assert isinstance(page, PlanPage)
    return page


def _banner(window: MainWindow) -> PlanBanner:
    banners = window.findChildren(PlanBanner)
    assert len(banners) == 1
    return banners[0]


def test_opening_the_vault_shows_a_banner_with_what_is_overdue_and_due_soon(
    qtbot: QtBot, plan_window: MainWindow
) -> None:
    banner = _banner(plan_window)
    assert banner.isVisible()
    text = banner.text.text()
    assert "1 step overdue" in text and "due within 30 days" in text
    assert "Photograph no longer recent" in text  # the first overdue step is named
    assert banner.text.textFormat() == Qt.TextFormat.PlainText
    qtbot.mouseClick(banner.show_button, Qt.MouseButton.LeftButton)
    assert plan_window.stack.currentWidget() is _page(plan_window)
    qtbot.waitUntil(lambda: not banner.isVisible())


def test_the_banner_can_be_dismissed(qtbot: QtBot, plan_window: MainWindow) -> None:
    banner = _banner(plan_window)
    current = plan_window.stack.currentWidget()
    qtbot.mouseClick(banner.dismiss_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not banner.isVisible())
    assert plan_window.stack.currentWidget() is current


def test_the_banner_goes_once_the_plan_page_is_opened_another_way(qtbot: QtBot, plan_window: MainWindow) -> None:
    banner = _banner(plan_window)
    qtbot.mouseClick(plan_window.page_buttons["plan"], Qt.MouseButton.LeftButton)
    assert plan_window.stack.currentWidget() is _page(plan_window)
    qtbot.waitUntil(lambda: not banner.isVisible())  # the page's first sentence says what it said
    plan_window.navigate("passport")
    plan_window.page_actions["plan"].trigger()  # and again: nothing left to dismiss
    assert plan_window.stack.currentWidget() is _page(plan_window)
    assert plan_window.findChildren(PlanBanner) == [] or not _banner(plan_window).isVisible()


def test_a_dismissed_banner_stays_gone_when_the_plan_page_opens(qtbot: QtBot, plan_window: MainWindow) -> None:
    banner = _banner(plan_window)
    qtbot.mouseClick(banner.dismiss_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: plan_window.findChildren(PlanBanner) == [])  # deleted, not just hidden
    plan_window.navigate("plan")
    assert plan_window.stack.currentWidget() is _page(plan_window)


def test_no_banner_when_nothing_is_overdue_or_due_soon(qtbot: QtBot, vault: Vault, asked: Prompts) -> None:
    session = Session(vault, catalog_for(None, date(2026, 7, 10)), as_of=date(2026, 7, 10))
    main = show_window(qtbot, session)
    try:
        plan = _page(main).plan
        assert plan is not None and not plan.attention()
        assert main.findChildren(PlanBanner) == []
    finally:
        main.close()
        session.shutdown()


def test_the_plan_page_lists_the_rows_by_month_overdue_in_red_with_words(
    qtbot: QtBot, plan_window: MainWindow, photo_id: str
) -> None:
    plan_window.navigate("plan")
    page = _page(plan_window)
    rows = {item.key: item for item in page.rows()}
    photo = rows[f"photo-recency:{photo_id}"]
    exam = rows["exam:usmle-step2ck"]
    assert (photo.status, exam.status) == ("overdue", "due-soon")
    assert "April 2026" in page.group_titles() and "May 2026" in page.group_titles()
    assert page.group_titles()[-1] == "Not announced yet"
    overdue = page.index_of(photo.key)
    assert overdue is not None
    status_cell = overdue.siblingAtColumn(1)
    assert status_cell.data() == "Overdue"  # words, not colour alone
    assert not status_cell.data(Qt.ItemDataRole.DecorationRole).isNull()  # and an icon
    brush = overdue.data(Qt.ItemDataRole.ForegroundRole)
    assert isinstance(brush, QBrush) and brush.color() == overdue_colour()
    assert brush.color().red() > 2 * brush.color().green()  # red
    soon = page.index_of(exam.key)
    assert soon is not None
    assert soon.siblingAtColumn(1).data() == "Due soon"
    assert isinstance(soon.data(Qt.ItemDataRole.BackgroundRole), QBrush)
    assert soon.siblingAtColumn(3).data() == "entered by you"
    assert "On 4 May 2026" in page.summary.text()


def test_unknown_dates_come_last_with_where_to_look(plan_window: MainWindow) -> None:
    page = _page(plan_window)
    rows = page.rows()
    unknown = [item for item in rows if item.date is None]
    assert unknown and rows[-len(unknown):] == unknown
    first = page.index_of(next(i for i in unknown if i.status == "unknown").key)
    assert first is not None
    assert first.siblingAtColumn(3).data().startswith("check ")


def test_a_row_jumps_to_what_it_concerns(qtbot: QtBot, plan_window: MainWindow, photo_id: str) -> None:
    plan_window.navigate("plan")
    page = _page(plan_window)
    assert page.select(f"photo-recency:{photo_id}")
    assert page.detail.isVisible() and "Photograph no longer recent" in page.detail_title.text()
    qtbot.mouseClick(page.go_button, Qt.MouseButton.LeftButton)
    assert plan_window.stack.currentWidget() is plan_window.requirement_page
    assert plan_window.requirement_page.requirement_id == "photo"


def test_export_to_calendar_writes_the_same_ics_as_the_cli(
    qtbot: QtBot, plan_window: MainWindow, asked: Prompts, tmp_path: Path
) -> None:
    page = _page(plan_window)
    asked.save_paths.append(tmp_path / "my plan")
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    written = tmp_path / "my plan.ics"
    calendar: Any = Calendar.from_ical(written.read_bytes())
    events = calendar.walk("VEVENT")
    plan = page.plan
    assert plan is not None
    assert len(events) == sum(1 for item in plan.items if item.date is not None)
    assert {e["dtstart"].dt for e in events} >= {EXAM}
    assert asked.errors == []


def test_the_applicant_enters_an_unannounced_date_from_the_page(
    qtbot: QtBot, plan_window: MainWindow, vault: Vault, asked: Prompts
) -> None:
    plan_window.navigate("plan")
    page = _page(plan_window)
    unknown = next(i for i in page.rows() if i.status == "unknown" and i.kind == "deadline")
    assert page.select(unknown.key)
    assert page.enter_button.isVisible()
    asked.dates.append(prompts.DateAnswer(date(2026, 6, 1)))
    qtbot.mouseClick(page.enter_button, Qt.MouseButton.LeftButton)
    assert asked.date_requests[-1][1] is None, "nothing of yours to show yet"
    entered = next(i for i in page.rows() if i.key == unknown.key)
    assert (entered.date, entered.user_entered, entered.status) == (date(2026, 6, 1), True, "due-soon")
    assert vault.plan_dates()[unknown.key] == date(2026, 6, 1)
    asked.dates.append(None)  # cancelled: nothing changes
    qtbot.mouseClick(page.enter_button, Qt.MouseButton.LeftButton)
    assert asked.date_requests[-1][1] == date(2026, 6, 1), "the box opens on your date"
    assert vault.plan_dates()[unknown.key] == date(2026, 6, 1)
    asked.dates.append(prompts.DateAnswer(None))  # left empty: your date is forgotten
    qtbot.mouseClick(page.enter_button, Qt.MouseButton.LeftButton)
    assert unknown.key not in vault.plan_dates()
    assert asked.errors == []


@pytest.mark.qt_log_ignore("propagateSizeHints")  # a dialog shown offscreen
@pytest.mark.parametrize(("typed", "order", "saved", "said"), [
    ("15/07/2026", None, date(2026, 7, 15), "Reads as 15 Jul 2026"),  # a day over 12: any order
    ("2026-07-15", DateOrder.MONTH_FIRST, date(2026, 7, 15), ""),
    ("06/01/2026", DateOrder.DAY_FIRST, date(2026, 1, 6), "Reads as 6 Jan 2026"),
    ("06/01/2026", DateOrder.MONTH_FIRST, date(2026, 6, 1), "Reads as 1 Jun 2026"),
    ("06/01/2026", None, None, "could be 6 Jan 2026 or 1 Jun 2026"),  # refused: could be either
    ("31/02/2026", DateOrder.DAY_FIRST, None, "February 2026 has 28 days"),
    ("soon", DateOrder.DAY_FIRST, None, "is not a date"),
])
def test_the_date_dialog_reads_dates_as_the_window_does(qtbot: QtBot, typed: str, order: DateOrder | None,
                                                         saved: date | None, said: str) -> None:
    """The Plan's "Enter the date…" box is the window's date field: the applicant's order, the date echoed in
    words while typing, and a reason under the box (the dialog stays open) when it cannot be read."""
    from ecfmg_desk.ui.dialogs import DateDialog

    dialog = DateDialog("Enter the date", "ERAS opens: the date as you write it.", None)
    qtbot.addWidget(dialog)
    dialog.field.order = order
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.field.edit.setFocus()
    qtbot.keyClicks(dialog.field.edit, typed)
    if saved is not None:
        assert said in dialog.field.message.text()
    qtbot.keyClick(dialog.field.edit, Qt.Key.Key_Return)  # Enter is Save
    if saved is None:
        assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted, "kept open"
        assert said in (dialog.field.problem() or ""), dialog.field.problem()
        assert dialog.field.message.isVisible() and dialog.field.text() == typed, "what was typed stays"
        dialog.reject()
    else:
        assert dialog.result() == QDialog.DialogCode.Accepted
        assert dialog.value() == saved
        assert dialog.field.text() == format_date(saved), "shown back in words"


def test_a_confirmed_date_offers_no_entry(plan_window: MainWindow) -> None:
    page = _page(plan_window)
    confirmed = next(i for i in page.rows() if i.key == "residency_start")
    assert confirmed.confidence == "C"
    assert page.select(confirmed.key)
    assert not page.enter_button.isVisible()


def test_the_advisor_sees_the_students_cycle_and_next_deadline_and_no_plan_page(
    qtbot: QtBot, vault: Vault, ready_vault: dict[str, str], tmp_path: Path, asked: Prompts, advisor: DeskApp
) -> None:
    catalog = catalog_for(None, AS_OF)
    vault.set_plan_dates({"rol_deadline": date(2027, 3, 3)} if catalog.dates["rol_deadline"].value is None else {})
    bundle = export_bundle(vault, catalog, tmp_path / "mail")
    window = open_as_gui(qtbot, advisor, bundle)
    assert window.banner is not None
    detail = window.banner.detail_label.text()
    assert f"{catalog.cycle} Match" in detail and "next deadline" in detail
    assert "plan" not in window.pages  # the plan is the student's: the advisor gets its deadlines above


@pytest.mark.parametrize("size", [(1024, 600), (1366, 768)], ids=["1024x600", "1366x768"])
def test_every_step_of_the_plan_is_read_whole(qtbot: QtBot, vault: Vault, asked: Prompts,
                                              size: tuple[int, int]) -> None:
    """The example's long steps ("Letter from Dr. Ellen Park (example) due in the LoR portal") wrap in their row
    at 1024 px instead of ending in "…"."""
    from ecfmg_desk.vault.demo import create_demo

    create_demo(vault, today=AS_OF)
    session = Session(vault, catalog_for(None, AS_OF), as_of=AS_OF)
    window = show_window(qtbot, session)
    try:
        window.resize(*size)
        qtbot.waitUntil(lambda: window.size().toTuple() == size)
        window.navigate("plan")
        page = _page(window)
        page.tree.expandAll()
        QApplication.processEvents()
        one_line = page.tree.fontMetrics().height()
        wrapped = 0
        for group in range(page.model.rowCount()):
            parent = page.model.index(group, 0)
            for row in range(page.model.rowCount(parent)):
                index = page.model.index(row, 2, parent)
                needed = painted_text_height(page.tree, index)
                assert page.tree.visualRect(index).height() >= needed, f"{index.data()!r} is cut at {size}"
                wrapped += needed > one_line
        assert wrapped or size[0] > 1024, "at 1024 px some step needs two lines (the test measures something)"
    finally:
        window.close()
        session.shutdown()


def test_a_passport_valid_long_enough_says_nothing_to_do_not_done(
    qtbot: QtBot, vault: Vault, tmp_path: Path, asked: Prompts
) -> None:
    passport = vault.add_document("passport", [make_jpeg(tmp_path / "passport.jpg")], expires=date(2033, 2, 9))
    session = Session(vault, catalog_for(None, AS_OF), as_of=AS_OF)
    main = show_window(qtbot, session)
    try:
        main.navigate("plan")
        page = _page(main)
        key = f"passport-expiry:{passport.document.id}"
        assert next(i for i in page.rows() if i.key == key).status == "done"
        index = page.index_of(key)
        assert index is not None
        assert index.siblingAtColumn(1).data() == "Nothing to do"
    finally:
        main.close()
        session.shutdown()
