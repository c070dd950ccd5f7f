"""One read-only view, two modes (issue 15): the vault and the bundle are sibling views, pages show a control
only when given what it needs (an editor, a review draft), and a new sidebar page plugs into the shell."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from ecfmg_desk.core.catalog import Catalog
from ecfmg_desk.ui.bundle_session import BundleSession
from ecfmg_desk.ui.pages import REVIEW, STUDENT, SidebarPage
from ecfmg_desk.ui.requirement import RequirementPage
from ecfmg_desk.ui.session import Session
from ecfmg_desk.ui.view import PacketEditor, PacketView, ViewCore
from ecfmg_desk.ui.widgets import DateField
from ecfmg_desk.ui.window import MainWindow
from ecfmg_desk.vault.store import Vault
from tests.ui.conftest import AS_OF, Prompts, export_bundle, open_in_checklist, show_window

WRITES = ("edit_document", "update_profile", "remove_document", "start_import", "load_review", "undo_stack")


def test_the_bundle_is_a_sibling_of_the_vault_not_a_vault_that_refuses(ready_vault: dict[str, str], vault: Vault,
                                                                       catalog: Catalog, tmp_path: Path) -> None:
    from ecfmg_desk.packet.bundle import open_bundle

    path = export_bundle(vault, catalog, tmp_path / "mail")
    bundle = BundleSession(open_bundle(path), path, catalog, today=AS_OF)
    student = Session(vault, catalog, as_of=AS_OF)
    try:
        assert not isinstance(bundle, Session) and isinstance(bundle, ViewCore) and isinstance(student, ViewCore)
        assert [name for name in WRITES if hasattr(bundle, name)] == [], "a bundle has nothing to refuse"
        assert all(hasattr(student, name) for name in WRITES)
        # both read the same packet the same way
        for view in (bundle, student):
            assert view.progress() == (11, 11)
            assert view.state("passport") == "ready"
            assert view.documents_for("passport")[0].id == ready_vault["passport"]
    finally:
        bundle.shutdown()
        bundle.close()
        student.shutdown()


def test_a_page_without_an_editor_shows_no_control_even_on_the_students_vault(
        qtbot: QtBot, ready_vault: dict[str, str], vault: Vault, catalog: Catalog) -> None:
    session = Session(vault, catalog, as_of=AS_OF)
    holder = QMainWindow()  # a window for the two pages side by side
    qtbot.addWidget(holder)
    row = QWidget(holder)
    layout = QHBoxLayout(row)
    shown = RequirementPage(session, row)  # the vault itself could be edited: the page is not given the editor
    edits = RequirementPage(session, row, editor=session)
    for page in (shown, edits):
        layout.addWidget(page)
        page.show_requirement("passport")
    holder.setCentralWidget(row)
    holder.setMinimumSize(1900, 700)  # (fixed, as the main window sets its own: no size hints to pass on)
    holder.resize(1900, 700)
    holder.show()
    qtbot.waitUntil(lambda: bool(shown.cards) and bool(edits.cards), timeout=10_000)

    def editors(page: RequirementPage) -> list[QWidget]:
        return [w for w in page.findChildren(QWidget)
                if isinstance(w, QLineEdit | QComboBox | DateField) and w.isVisibleTo(page)]

    def buttons(page: RequirementPage) -> set[str]:
        return {b.text() for b in page.findChildren(QAbstractButton) if b.isVisibleTo(page)}

    qtbot.waitUntil(lambda: bool(editors(edits)), timeout=5_000)  # (cards are laid out a turn later)
    assert shown.first_card() is not None and shown.first_card().isVisible()  # type: ignore[union-attr]
    assert editors(shown) == [] and shown.drop_zone.isHidden()
    assert not buttons(shown) & {"Browse…", "Replace scan…", "Remove"}
    assert all(isinstance(w, QLabel) for w in shown.first_card().fields.values())  # type: ignore[union-attr]
    assert editors(edits) and not edits.drop_zone.isHidden()
    assert {"Replace scan…", "Remove"} <= buttons(edits)
    shown.browse()
    assert len(session.documents) == len(vault.documents()), "browse does nothing without an editor"
    qtbot.waitUntil(lambda: session.is_idle, timeout=10_000)  # (the previews render in the background)
    session.shutdown()
    session.blockSignals(True)
    holder.close()


class _NotesPage(QWidget):
    """A page as another engineer would write it: the view, and controls only with an editor."""

    navigate = Signal(str)

    def __init__(self, view: PacketView, editor: PacketEditor | None, parent: QWidget) -> None:
        super().__init__(parent)
        self.view = view
        self.editor = editor
        self.flushed = 0
        layout = QVBoxLayout(self)
        self.count = QLabel(f"{len(view.documents)} documents", self)
        layout.addWidget(self.count)
        if editor is not None:
            self.edit = QLineEdit(self)
            self.edit.setAccessibleName("A note")
            layout.addWidget(self.edit)

    def flush(self) -> None:
        self.flushed += 1


def _spec(modes: frozenset[str] = frozenset({STUDENT, REVIEW})) -> SidebarPage:
    return SidebarPage("notes", "Notes", "document", lambda v, e, p: _NotesPage(v, e, p), shortcut="Ctrl+Shift+N",
                       modes=modes)


def test_a_new_sidebar_page_gets_a_button_a_menu_entry_and_navigation(qtbot: QtBot, window: MainWindow) -> None:
    window.add_page(_spec())
    page = window.pages["notes"]
    assert isinstance(page, _NotesPage) and page.editor is not None, "the student's page gets the editor"
    assert page.editor.vault is window.session.vault  # type: ignore[attr-defined]
    button = window.page_buttons["notes"]
    qtbot.waitUntil(button.isVisible)  # (added to a window already shown: it appears on the next turn)
    assert button.accessibleName() == "Notes"
    view_menu = window.view_menu
    assert "Notes" in [a.text() for a in view_menu.actions()]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.current_page() is page
    open_in_checklist(qtbot, window, "passport")
    assert page.flushed >= 1, "what was typed on the page is saved before it is left"
    window.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.current_page() is page
    page.navigate.emit("passport")  # a page can send the user to a requirement, or to another page
    assert window.current_page() is window.requirement_page and window.requirement_page.requirement_id == "passport"
    page.navigate.emit("profile")
    assert window.current_page() is window.profile_page


def test_a_review_window_gives_pages_no_editor(qtbot: QtBot, ready_vault: dict[str, str], vault: Vault,
                                               catalog: Catalog, asked: Prompts, tmp_path: Path) -> None:
    from ecfmg_desk.packet.bundle import open_bundle

    path = export_bundle(vault, catalog, tmp_path / "mail")
    session = BundleSession(open_bundle(path), path, catalog, today=AS_OF, reviewer="Dr. Ana Ruiz")
    window = show_window(qtbot, session)
    try:
        window.add_page(_spec())
        page = window.pages["notes"]
        assert isinstance(page, _NotesPage) and page.editor is None
        assert not [w for w in page.findChildren(QLineEdit)]
        assert page.count.text() == f"{len(session.documents)} documents"
        qtbot.mouseClick(window.page_buttons["notes"], Qt.MouseButton.LeftButton)
        assert window.current_page() is page
        assert "profile" not in window.pages
    finally:
        window.close()
        session.close()
