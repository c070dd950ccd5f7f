"""The main window: checklist, keyboard, shortcuts, accessibility, profile, review, settings."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QCalendarWidget,
    QComboBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QTreeView,
    QWidget,
)
from pytestqt.qtbot import QtBot

from ecfmg_desk.core.catalog import Catalog
from ecfmg_desk.ui.app import DeskApp
from ecfmg_desk.ui.settings import last_vault, open_settings
from ecfmg_desk.ui.window import MainWindow
from ecfmg_desk.vault.store import Vault
from tests.samples import make_jpeg, make_scan_pdf
from tests.ui.conftest import AS_OF, Prompts, attach, open_in_checklist, set_fields, type_into


def test_the_checklist_shows_each_requirement_with_an_icon_and_a_word(window: MainWindow, catalog: Catalog) -> None:
    model = window.model
    headers = [model.item(row).text() for row in range(model.rowCount())]
    # translations appear once a document needs one; until then that item sits under "not needed"
    assert headers[:4] == [title.upper() for cid, title in catalog.categories if cid != "translations"]
    assert headers[-1].startswith("NOT NEEDED FOR YOU (")
    assert model.visible_text("passport") == "Passport  Missing"
    assert model.visible_text("clinical-experience").endswith("Optional")
    passport = model.index_of("passport")
    assert passport.data(Qt.ItemDataRole.AccessibleTextRole) == "Passport: Missing"
    assert not passport.data(Qt.ItemDataRole.DecorationRole).isNull()
    not_needed = model.index_of("name-verification")
    assert not window.checklist.isExpanded(not_needed.parent()), "not-needed items start collapsed"
    assert window.progress_label.text() == "0 of 8 required items ready"  # the final transcript: sent by the school
    assert "Add your passport" in window.next_label.text()


def test_arrows_move_through_the_checklist_and_enter_opens(qtbot: QtBot, window: MainWindow) -> None:
    open_in_checklist(qtbot, window, "identity-form")
    view = window.checklist
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Down)  # over the "MEDICAL EDUCATION" heading (name checks are not needed)
    assert window.current_requirement() == "medical-diploma"
    assert window.requirement_page.title_label.text() == "Medical diploma"
    qtbot.keyClick(view, Qt.Key.Key_Up)
    assert window.current_requirement() == "identity-form"
    qtbot.keyClick(view, Qt.Key.Key_Up)
    qtbot.keyClick(view, Qt.Key.Key_Up)
    assert window.current_requirement() == "passport"
    qtbot.keyClick(view, Qt.Key.Key_Up)  # the first heading is not a stop
    assert window.current_requirement() == "passport"
    qtbot.keyClick(view, Qt.Key.Key_Return)
    focused = window.focusWidget()
    assert focused is not None and window.requirement_page.isAncestorOf(focused)
    assert focused is window.requirement_page.drop_zone.browse_button


def test_shortcuts_attach_help_review(qtbot: QtBot, window: MainWindow, asked: Prompts) -> None:
    open_in_checklist(qtbot, window, "passport")
    window.checklist.setFocus()
    asked.files.append([])  # the user cancels the file picker
    qtbot.keyClick(window.checklist, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert asked.file_requests == ["Attach your passport"]
    assert window.session.documents == []
    qtbot.keyClick(window.checklist, Qt.Key.Key_F1)
    title, text = asked.helps[0]
    assert title == "Help: Passport"
    assert "confirmed" in text and "ECFMG" in text
    qtbot.keyClick(window.checklist, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() is window.review_page


def _unnamed(root: QWidget) -> list[str]:
    """Controls a screen reader could not name: icon-only buttons and inputs with no name and no label."""
    buddies = {id(label.buddy()) for label in root.findChildren(QLabel) if label.buddy() is not None}
    inside_composite = (QComboBox, QAbstractSpinBox, QCalendarWidget, QAbstractItemView)
    missing = []
    for widget in root.findChildren(QWidget):
        parent = widget.parentWidget()
        composite = False
        while parent is not None and parent is not root:
            if isinstance(parent, inside_composite):
                composite = True
                break
            parent = parent.parentWidget()
        if composite:
            continue
        if isinstance(widget, QAbstractButton):
            if not widget.text().strip() and not widget.accessibleName():
                missing.append(f"{type(widget).__name__} {widget.toolTip()!r}")
        elif (isinstance(widget, QLineEdit | QComboBox | QAbstractSpinBox | QAbstractItemView)
              and not widget.accessibleName() and id(widget) not in buddies):
            missing.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return missing


def test_every_control_has_an_accessible_name(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    attach(qtbot, window, "medical-diploma", [make_scan_pdf(tmp_path / "d.pdf", pages=2, dpi=200)])
    card = window.requirement_page.first_card()
    assert card is not None
    card.fields["language"].setFocus()
    qtbot.keyClicks(card.fields["language"], "Spanish")
    qtbot.waitUntil(lambda: window.requirement_page.first_card() is not None
                    and not window.requirement_page.first_card().translation_row.isHidden(),  # type: ignore[union-attr]
                    timeout=5000)
    for page in (window.open_profile, window.open_review, lambda: window.open_requirement("medical-diploma")):
        page()
        assert _unnamed(window) == []
    for name in ("Previous page", "Next page", "Zoom in", "Zoom out", "Fit to width"):
        assert any(b.accessibleName() == name for b in window.findChildren(QAbstractButton))


def test_the_first_run_wizard_names_its_controls(qtbot: QtBot, vault_dir: Path, asked: Prompts) -> None:
    desk = DeskApp(vault_dir, settings=open_settings(), as_of=AS_OF)
    try:
        assert desk.start() is None
        wizard = desk.wizard
        for page in range(3):
            assert _unnamed(wizard) == []
            if page < 2:
                wizard.next()
        wizard.next()  # the profile page refuses to go on without a name and a passphrase
        assert wizard.currentPage() is wizard.profile_page
    finally:
        desk.shutdown()
    assert not (vault_dir / "vault.db").exists(), "cancelled before the profile page: no vault"


def test_the_profile_is_saved_as_you_type_and_changes_the_checklist(qtbot: QtBot, window: MainWindow,
                                                                    vault: Vault) -> None:
    qtbot.mouseClick(window.profile_button, Qt.MouseButton.LeftButton)
    page = window.profile_page
    assert window.current_page() is page
    assert page.form.given_names.text() == "Maria Jose"
    assert page.form.date_of_birth.text() == "12 Apr 1996"
    type_into(qtbot, page.form.usmle_id, "1-234-567-8")
    qtbot.waitUntil(lambda: vault.profile().usmle_id == "1-234-567-8", timeout=5000)
    assert window.notice_label.text() == "Profile saved."
    assert window.model.state_of("oet-medicine") == "missing"
    page.form.route.setFocus()
    qtbot.keyClick(page.form.route, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: vault.profile().clinical_skills_route == "step2cs", timeout=5000)
    assert window.model.state_of("oet-medicine") == "not-needed"
    assert window.model.state_of("usmle-step2cs") == "missing"  # the route needs the former Step 2 CS pass
    assert window.progress_label.text() == "0 of 7 required items ready"
    assert "Set." in page.passphrase_label.text()


def test_review_lists_every_problem_and_opens_its_requirement(qtbot: QtBot, window: MainWindow, vault: Vault,
                                                              tmp_path: Path) -> None:
    attach(qtbot, window, "passport", [make_jpeg(tmp_path / "p.jpg", size_px=(1700, 1100), dpi=200)])
    qtbot.keyClick(window.checklist, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    review = window.review_page
    rows = review.row_texts()
    assert "Passport — Needs attention" in rows
    assert any(r.startswith("Must fix: No expiry date is entered for your passport") for r in rows)
    assert "Photograph — Missing" in rows
    errors = len(window.session.result.errors)
    assert review.export_reason.text() == f"{errors} problems must be fixed before export."
    assert not review.export_button.isEnabled()
    assert review.badge.text() == "8 items need attention"  # (it said only "Needs attention": issue 15)
    photo = next(review.model.item(r) for r in range(review.model.rowCount())
                 if review.model.item(r).text() == "Photograph — Missing")
    finding = review.model.indexFromItem(photo.child(0))
    review.view.setCurrentIndex(finding)
    review.view.setFocus()
    qtbot.keyClick(review.view, Qt.Key.Key_Return)
    assert window.current_page() is window.requirement_page
    assert window.requirement_page.requirement_id == "photo"
    assert window.current_requirement() == "photo"


def test_window_size_and_last_vault_are_remembered(qtbot: QtBot, vault_dir: Path, asked: Prompts,
                                                   isolated_dirs: Path) -> None:
    Vault.open(vault_dir, create=True, passphrase="correct horse battery").close()
    desk = DeskApp(vault_dir, settings=open_settings(), as_of=AS_OF)
    assert desk.start() is None
    window = desk.window
    qtbot.waitExposed(window)
    # a width the window has room for (the test screen is only 800 px wide: the window opens at its minimum)
    splitter, handle = window.splitter, window.splitter.handleWidth()
    room = splitter.width() - window.stack.minimumSizeHint().width() - handle
    wanted = max(splitter.widget(0).minimumWidth(), min(300, room))
    splitter.setSizes([wanted, splitter.width() - wanted - handle])
    sidebar = splitter.sizes()[0]
    assert abs(sidebar - wanted) <= 2
    desk.shutdown()
    settings = open_settings()
    assert Path(settings.fileName()).is_relative_to(isolated_dirs / "config")
    assert last_vault(settings) == vault_dir.resolve()
    again = DeskApp(vault_dir, settings=settings, as_of=AS_OF)
    assert again.start() is None
    try:
        assert again.window.splitter.sizes()[0] == sidebar
        assert settings.value("window/geometry") is not None
    finally:
        again.shutdown()


def test_not_needed_items_open_on_click(qtbot: QtBot, window: MainWindow) -> None:
    group = window.model.index_of("name-verification").parent()
    rect = window.checklist.visualRect(group)
    qtbot.mouseClick(window.checklist.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.checklist.isExpanded(group)
    assert window.model.item(group.row()).text().endswith("▾")
    open_in_checklist(qtbot, window, "name-verification")
    assert window.requirement_page.badge.text() == "Not needed"


def test_a_removed_document_comes_back_with_ctrl_z(qtbot: QtBot, window: MainWindow, vault: Vault,
                                                   tmp_path: Path) -> None:
    attach(qtbot, window, "usmle-step1", [make_scan_pdf(tmp_path / "s1.pdf", pages=1, dpi=200)])
    assert window.model.state_of("usmle-step1") == "problems"  # no result entered yet
    set_fields(window, "usmle-step1", result="pass")
    assert window.model.state_of("usmle-step1") == "ready"
    card = window.requirement_page.first_card()
    assert card is not None
    qtbot.mouseClick(card.remove_button, Qt.MouseButton.LeftButton)
    assert vault.documents() == []
    assert window.model.state_of("usmle-step1") == "missing"
    window.checklist.setFocus()
    qtbot.keyClick(window.checklist, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [d.requirement for d in vault.documents()] == ["usmle-step1"]
    assert window.model.state_of("usmle-step1") == "ready"
    assert window.redo_action.isEnabled()


def test_a_question_left_says_next_which_item_it_is_about(qtbot: QtBot, ready_vault: dict[str, str],
                                                          window: MainWindow) -> None:
    """Ready, with questions still to answer: "Next:" names the item (not "Answer the question with yes or no;
    the app cannot see this in your files", with no question in sight), and the link opens it."""
    text = window.next_label.text()
    assert '<a href="medical-diploma">Answer the questions about your medical diploma</a>' in text, text
    assert "cannot see this" not in text
    window.next_label.linkActivated.emit("medical-diploma")
    assert window.requirement_page.requirement_id == "medical-diploma"
    assert window.requirement_page.question_rows, "the questions are there, with Yes and No"


def test_the_checklist_and_details_keep_the_viewports_qt_made(window: MainWindow) -> None:
    """The panes' viewports are found, not replaced: they draw as Qt's own (a replaced one lost the checklist's
    white background)."""
    from ecfmg_desk.ui.widgets import own_viewport

    for area, plain in ((window.checklist, QTreeView()), (window.requirement_page.details, QScrollArea())):
        viewport = own_viewport(area)
        assert viewport is area.viewport()
        assert (viewport.backgroundRole(), viewport.autoFillBackground()) == (
            plain.viewport().backgroundRole(), plain.viewport().autoFillBackground()), type(area).__name__
