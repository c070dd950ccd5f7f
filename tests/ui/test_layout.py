"""The window on small screens (issue 15, findings 2 and 4): at 1024×600 every control of the document pane is
visible or reachable by scrolling, and on a 1366×768 laptop the status bar is on the screen from the first show."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from ecfmg_desk.core.catalog import Catalog
from ecfmg_desk.ui.session import Session
from ecfmg_desk.ui.widgets import DateField, StatusBadge
from ecfmg_desk.ui.window import MainWindow
from ecfmg_desk.vault.store import Vault
from tests.ui.conftest import AS_OF, Prompts, open_in_checklist, show_window

CONTROLS = (QAbstractButton, QComboBox, QLineEdit, DateField, StatusBadge)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def example_window(qtbot: QtBot, vault: Vault, catalog: Catalog, asked: Prompts) -> Iterator[MainWindow]:
    """The example applicant, problems included (each finding brings its fix button)."""
    from ecfmg_desk.vault.demo import create_demo

    create_demo(vault, today=AS_OF)
    session = Session(vault, catalog, as_of=AS_OF)
    main = show_window(qtbot, session)
    yield main
    main.close()
    session.shutdown()


def _controls(window: MainWindow) -> list[QWidget]:
    body = window.requirement_page.details.widget()
    assert body is not None
    return [w for w in body.findChildren(QWidget) if isinstance(w, CONTROLS) and w.isVisibleTo(window)
            and not isinstance(w.parentWidget(), DateField | QComboBox)]  # a box's own parts come with it


def _scroll_to(window: MainWindow, control: QWidget) -> None:
    """Scroll the pane (both ways) until the control's top-left and bottom-right are in view, as a person would."""
    QApplication.processEvents()  # (layouts settle)
    details = window.requirement_page.details
    body, viewport = details.widget(), details.viewport()
    assert body is not None
    top_left = control.mapTo(body, QPoint(0, 0))
    for bar, start, length, room in ((details.verticalScrollBar(), top_left.y(), control.height(), viewport.height()),
                                     (details.horizontalScrollBar(), top_left.x(), control.width(), viewport.width())):
        if start < bar.value():
            bar.setValue(start)
        elif start + length > bar.value() + room:
            bar.setValue(start + length - room)
    QApplication.processEvents()


def _inside_viewport(window: MainWindow, control: QWidget) -> bool:
    viewport = window.requirement_page.details.viewport()
    rect = QRect(control.mapTo(viewport, QPoint(0, 0)), control.size())
    return viewport.rect().contains(rect)


@pytest.mark.parametrize("size", [(1024, 600), (1024, 768)], ids=["1024x600", "1024x768"])
def test_every_control_of_the_document_pane_can_be_reached(qtbot: QtBot, example_window: MainWindow,
                                                           size: tuple[int, int]) -> None:
    window = example_window
    assert window.minimumSize().width() <= 1024 and window.minimumSize().height() <= 600
    assert window.minimumSizeHint().width() <= 1024 and window.minimumSizeHint().height() <= 600
    window.resize(*size)
    qtbot.waitUntil(lambda: window.size().toTuple() == size)
    page = window.requirement_page
    for requirement in ("medical-diploma", "passport", "translation", "name-verification"):
        open_in_checklist(qtbot, window, requirement)
        qtbot.waitUntil(lambda: window.session.is_idle, timeout=20_000)
        controls = _controls(window)
        if requirement == "medical-diploma":
            texts = {c.text() for c in controls if isinstance(c, QAbstractButton)}
            assert {"Replace scan…", "Remove", "Open Name verification"} <= texts, texts
            assert any(isinstance(c, QComboBox) and c.accessibleName() == "Language" for c in controls)
        assert not page.details.horizontalScrollBar().isVisible(), ("nothing is wider than the pane at 1024 px",
                                                                    requirement)
        for control in controls:
            _scroll_to(window, control)
            assert _inside_viewport(window, control), (requirement, type(control).__name__,
                                                       control.accessibleName())
    for button in (window.review_button, window.profile_button, page.review_button):
        assert button.isVisible() and window.rect().contains(QRect(button.mapTo(window, QPoint(0, 0)),
                                                                   button.size()))


SCRIPT = textwrap.dedent("""
    import json, sys, tempfile
    from pathlib import Path

    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    from PySide6.QtCore import QElapsedTimer, QPoint
    from PySide6.QtWidgets import QApplication

    from ecfmg_desk.resources import load_default_catalog
    from ecfmg_desk.ui.app import application
    from ecfmg_desk.ui.session import Session
    from ecfmg_desk.ui.window import MainWindow
    from ecfmg_desk.vault.store import Vault

    app = application()
    with tempfile.TemporaryDirectory() as tmp:
        vault = Vault.open(Path(tmp) / "vault", create=True, passphrase="a layout test only")
        session = Session(vault, load_default_catalog())
        window = MainWindow(session)  # first run: no saved geometry
        window.show()
        clock = QElapsedTimer()
        clock.start()
        while clock.elapsed() < 1500:  # the window fits itself once it is framed
            app.processEvents()
        bar = window.statusBar()
        corner = bar.mapToGlobal(QPoint(0, bar.height()))
        frame = window.frameGeometry()
        area = window.screen().availableGeometry()
        print(json.dumps({"bar_bottom": corner.y(), "bar_right": bar.mapToGlobal(QPoint(bar.width(), 0)).x(),
                          "frame": [frame.left(), frame.top(), frame.right(), frame.bottom()],
                          "area": [area.left(), area.top(), area.right(), area.bottom()]}))
        window.close()
        session.shutdown()
        vault.close()
""")


def test_the_status_bar_is_on_a_1366x768_screen_at_first_show(tmp_path: Path) -> None:
    """A screen is the process's (Qt reads it at start-up): this one laptop screen gets a process of its own."""
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"windowFrameMargins": True, "screens": [
        {"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 768, "logicalDpi": 96, "logicalBaseDpi": 96,
         "dpr": 1}]}))
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}", "PYTHONPATH": str(ROOT),
           "ECFMG_DESK_HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    left, top, right, bottom = seen["area"]
    assert seen["bar_bottom"] <= bottom + 1 and seen["bar_right"] <= right + 1, seen
    f_left, f_top, f_right, f_bottom = seen["frame"]
    assert left <= f_left and top <= f_top and f_right <= right and f_bottom <= bottom, seen


def test_a_blocked_packet_says_which_items_need_attention(qtbot: QtBot, example_window: MainWindow) -> None:
    window = example_window
    qtbot.mouseClick(window.review_button, Qt.MouseButton.LeftButton)
    page = window.review_page
    assert page.badge.text() == "2 items need attention"
    assert "To fix before export: Name verification and Medical diploma." \
        in page.summary_label.text()


@pytest.mark.parametrize("size", [(1024, 600), (1366, 768)], ids=["1024x600", "1366x768"])
def test_a_ready_packet_sits_at_the_top_of_the_review_page(qtbot: QtBot, ready_vault: dict[str, str],
                                                           window: MainWindow, tmp_path: Path,
                                                           size: tuple[int, int]) -> None:
    """Ready, then Export right under it; the questions and warnings still open come after, in reach."""
    window.resize(*size)
    qtbot.waitUntil(lambda: window.size().toTuple() == size)
    qtbot.mouseClick(window.review_button, Qt.MouseButton.LeftButton)
    page = window.review_page
    qtbot.waitUntil(lambda: page.badge.text() == "Ready to export")
    QApplication.processEvents()
    page.grab().save(str(tmp_path / "review-ready.png"))
    summary = page.summary_label.geometry()
    button = QRect(page.export_button.mapTo(page, QPoint(0, 0)), page.export_button.size())
    assert page.export_button.isEnabled() and page.export_button.isVisible()
    assert summary.top() < 100, "the summary starts at the top"
    assert 0 < button.top() - summary.bottom() < 120, "Export sits right under it, not at the bottom of the page"
    assert page.model.rowCount() > 0, "this packet still has warnings or questions to show"
    listed = page.view.geometry()
    assert page.view.isVisible() and listed.top() > button.bottom(), "the list comes after Export"
    assert page.rect().contains(listed), "and is on the page (it scrolls inside itself)"
    assert listed.height() >= 3 * page.view.fontMetrics().height(), "with room to read it"


def test_a_blocked_packet_names_what_blocks_next_to_the_disabled_export(qtbot: QtBot,
                                                                        example_window: MainWindow) -> None:
    window = example_window
    window.resize(1024, 600)
    qtbot.mouseClick(window.review_button, Qt.MouseButton.LeftButton)
    page = window.review_page
    QApplication.processEvents()
    assert not page.export_button.isEnabled()
    assert page.badge.text() != "Needs attention" and "need attention" in page.badge.text()
    assert "Name verification and Medical diploma" in page.summary_label.text()
    reason = QRect(page.export_reason.mapTo(page, QPoint(0, 0)), page.export_reason.size())
    assert reason.top() < page.view.geometry().top(), "why Export is off is said above the list, beside it"
    assert "before export" in page.export_reason.text()


def _overlapping_siblings(root: QWidget, window: QWidget) -> list[str]:
    """Pairs of visible sibling widgets whose rectangles overlap (one drawn over the other), anywhere under root."""
    found: list[str] = []

    def walk(parent: QWidget) -> None:
        children = [c for c in parent.children() if isinstance(c, QWidget) and c.isVisibleTo(window)
                    and not c.isWindow()]
        for i, first in enumerate(children):
            for second in children[i + 1:]:
                both = first.geometry().intersected(second.geometry())
                if both.width() > 1 and both.height() > 1:
                    found.append(f"{type(parent).__name__}: {type(first).__name__} {first.accessibleName()!r} / "
                                 f"{type(second).__name__} {second.accessibleName()!r}")
        for child in children:
            walk(child)

    walk(root)
    return found


def _cut_labels(root: QWidget, window: QWidget) -> list[str]:
    """Wrapping labels given less height than their text needs at their width (drawn cut at top and bottom)."""
    return [label.text()[:60] for label in root.findChildren(QLabel)
            if label.isVisibleTo(window) and label.wordWrap() and label.text()
            and label.height() < label.heightForWidth(label.width()) - 1]


@pytest.mark.parametrize("size", [(1024, 600), (1366, 768)], ids=["1024x600", "1366x768"])
def test_no_document_page_is_wider_than_its_pane_or_draws_one_part_over_another(
        qtbot: QtBot, example_window: MainWindow, size: tuple[int, int]) -> None:
    """Every page of the example applicant, the transcript's "English translation" line included (its status box
    and Attach translation… pushed the card wider than the pane at 1024 px), and no text cut."""
    window = example_window
    window.resize(*size)
    qtbot.waitUntil(lambda: window.size().toTuple() == size)
    page = window.requirement_page
    seen_translation_line = False
    for requirement in window.session.catalog.ids:
        open_in_checklist(qtbot, window, requirement)
        qtbot.waitUntil(lambda: window.session.is_idle, timeout=20_000)
        QApplication.processEvents()
        body = page.details.widget()
        assert body is not None
        assert not page.details.horizontalScrollBar().isVisible(), (requirement, size)
        assert _overlapping_siblings(body, window) == [], requirement
        with contextlib.suppress(qtbot.TimeoutError):  # (a page fresh on screen is laid out over a few turns)
            qtbot.waitUntil(lambda: not _cut_labels(body, window), timeout=3000)  # noqa: B023 (called here)
        assert _cut_labels(body, window) == [], requirement  # the questions' rows were one wrap too short
        for card in page.cards.values():
            if card.translation_row.isVisibleTo(window):
                seen_translation_line = True
                for control in (card.translation_combo, card.translation_button):
                    _scroll_to(window, control)
                    assert _inside_viewport(window, control), (requirement, control.accessibleName())
    assert seen_translation_line, "the example has a document waiting for its translation"


def test_one_column_or_two_the_details_keep_their_labels_beside_their_boxes(qtbot: QtBot,
                                                                             example_window: MainWindow) -> None:
    window = example_window
    window.resize(1366, 768)
    open_in_checklist(qtbot, window, "passport")
    card = window.requirement_page.first_card()
    assert card is not None
    top = Qt.AlignmentFlag.AlignTop
    for columns in (1, 2, 1):
        card.set_columns(columns)
        QApplication.processEvents()
        for _name, label, box in card._cells:
            label_item = card.grid.itemAt(card.grid.indexOf(label))
            box_item = card.grid.itemAt(card.grid.indexOf(box))
            assert label_item is not None and box_item is not None
            assert label_item.alignment() == Qt.AlignmentFlag.AlignRight | top, (columns, _name)
            assert box_item.alignment() == top, (columns, _name)
    issued = card.fields["issued"]
    assert isinstance(issued, DateField)
    card.set_columns(1)
    issued.edit.setText("03/04/2022" if issued.order is None else "31/31/2022")
    issued.commit()  # a reason line grows under the box
    QApplication.processEvents()
    assert issued.problem() is not None
    label = next(label for name, label, _box in card._cells if name == "issued")
    assert label.mapTo(card, QPoint(0, 0)).y() == issued.edit.mapTo(card, QPoint(0, 0)).y(), \
        "the label stays level with its box, not centred on the box and its reason"


def test_the_review_banner_says_the_next_deadline_in_full_at_1024x600(qtbot: QtBot, ready_vault: dict[str, str],
                                                                      vault: Vault, catalog: Catalog,
                                                                      tmp_path: Path, asked: Prompts) -> None:
    from ecfmg_desk.ui.app import DeskApp
    from ecfmg_desk.ui.settings import open_settings
    from tests.ui.conftest import export_bundle
    from tests.ui.test_review_mode import open_as_gui

    bundle = export_bundle(vault, catalog, tmp_path / "mail")
    desk = DeskApp(tmp_path / "advisor-has-no-vault", settings=open_settings(), as_of=AS_OF)
    try:
        review = open_as_gui(qtbot, desk, bundle)
        review.resize(1024, 600)
        qtbot.waitUntil(lambda: review.size().toTuple() == (1024, 600))
        assert review.banner is not None
        label = review.banner.detail_label
        QApplication.processEvents()
        assert "next deadline" in label.text()
        assert label.wordWrap() and label.height() >= label.heightForWidth(label.width()), "wrapped, not cut"
        assert review.banner.save_button.isVisible()
    finally:
        desk.shutdown()
