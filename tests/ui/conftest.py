"""UI fixtures: a real vault (in-memory keyring), the main window, recorded prompts, user-like helpers.

Only ``ecfmg_desk.ui.prompts`` is replaced (it is the seam for every dialog); the vault, the catalog, the rules,
file inspection and the worker threads are the real ones. Every test must leave no window and no running
thread behind: :func:`no_leftovers` checks.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QMimeData, QModelIndex, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QTextLayout, QTextOption
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)
from pytestqt.qtbot import QtBot

from ecfmg_desk.core.catalog import Catalog
from ecfmg_desk.packet.destinations import Preflight
from ecfmg_desk.resources import load_default_catalog
from ecfmg_desk.ui import prompts
from ecfmg_desk.ui.session import Session
from ecfmg_desk.ui.settings import open_settings
from ecfmg_desk.ui.view import PacketView
from ecfmg_desk.ui.window import MainWindow
from ecfmg_desk.vault.store import Vault

AS_OF = date(2026, 5, 4)
"""'Today' for every UI test, so dates in the tests never go stale."""


@dataclass
class Prompts:
    """What the app asked the user; answers are queued by the test."""

    errors: list[tuple[str, str]] = field(default_factory=list)
    infos: list[tuple[str, str]] = field(default_factory=list)
    helps: list[tuple[str, str]] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    files: list[list[Path]] = field(default_factory=list)
    file_requests: list[str] = field(default_factory=list)
    answers: list[bool] = field(default_factory=list)
    translators: list[prompts.TranslatorAnswer | None] = field(default_factory=list)
    passphrases: list[str | None] = field(default_factory=list)
    passphrase_prompts: list[str] = field(default_factory=list)
    """The text above each passphrase box."""
    new_passphrases: list[str | None] = field(default_factory=list)
    directories: list[Path | None] = field(default_factory=list)
    save_paths: list[Path | None] = field(default_factory=list)
    save_requests: list[tuple[str, Path]] = field(default_factory=list)
    open_paths: list[Path | None] = field(default_factory=list)
    open_requests: list[str] = field(default_factory=list)
    texts: list[str | None] = field(default_factory=list)
    text_requests: list[tuple[str, str]] = field(default_factory=list)
    """(prompt, default) of each one-line question (the reviewer's name)."""
    dates: list[prompts.DateAnswer | None] = field(default_factory=list)
    date_requests: list[tuple[str, date | None]] = field(default_factory=list)
    """(prompt, the date shown in the box) of each date question (the Plan page's "Enter the date…")."""
    unsaved: list[str] = field(default_factory=list)
    unsaved_questions: list[str] = field(default_factory=list)
    exports: list[prompts.ExportAnswer | None] = field(default_factory=list)
    export_requests: list[tuple[Path, str]] = field(default_factory=list)
    """(suggested PDF path, paper) the export dialog was opened with."""
    export_choices: list[tuple[bool, str]] = field(default_factory=list)
    """(packet ready, destination chosen) the export dialog was opened with."""
    portal_reports: list[Preflight] = field(default_factory=list)
    """Each preflight report shown before a portal's files are written."""
    portal_writes: list[bool] = field(default_factory=list)
    """Write (true) or Cancel, for each preflight report."""
    folder_messages: list[tuple[str, str]] = field(default_factory=list)
    show_folder: list[bool] = field(default_factory=list)
    after_export: list[str | None] = field(default_factory=list)
    after_export_messages: list[str] = field(default_factory=list)
    opened_urls: list[QUrl] = field(default_factory=list)


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> Prompts:
    """Replace every prompt; an unexpected question fails the test instead of blocking it."""
    record = Prompts()

    def pop(queue: list[Any], what: str) -> Any:
        if not queue:
            raise AssertionError(f"the app asked for {what} but the test queued no answer")
        return queue.pop(0)

    def choose_files(_parent: QWidget | None, title: str, directory: Path | None = None) -> list[Path]:
        record.file_requests.append(title)
        return list(pop(record.files, f"files ({title})"))

    def ask_yes_no(_parent: QWidget | None, _title: str, question: str, **_kw: str) -> bool:
        record.questions.append(question)
        return bool(pop(record.answers, f"an answer to {question!r}"))

    monkeypatch.setattr(prompts, "show_error", lambda _p, title, message: record.errors.append((title, message)))
    monkeypatch.setattr(prompts, "show_info", lambda _p, title, message: record.infos.append((title, message)))
    monkeypatch.setattr(prompts, "show_help", lambda _p, title, text: record.helps.append((title, text)))
    monkeypatch.setattr(prompts, "ask_yes_no", ask_yes_no)
    monkeypatch.setattr(prompts, "choose_files", choose_files)
    monkeypatch.setattr(prompts, "ask_translator", lambda _p, _t: pop(record.translators, "a translator"))
    def ask_passphrase(_parent: QWidget | None, _title: str, prompt: str) -> str | None:
        record.passphrase_prompts.append(prompt)
        return pop(record.passphrases, "a passphrase")  # type: ignore[no-any-return]

    monkeypatch.setattr(prompts, "ask_passphrase", ask_passphrase)
    monkeypatch.setattr(prompts, "ask_new_passphrase",
                        lambda _p, *_words: pop(record.new_passphrases, "a new passphrase"))
    monkeypatch.setattr(prompts, "choose_directory", lambda _p, _t, _s: pop(record.directories, "a folder"))
    def choose_save_path(_parent: QWidget | None, title: str, suggested: Path, _filter: str) -> Path | None:
        record.save_requests.append((title, suggested))
        return pop(record.save_paths, f"a save path ({title})")  # type: ignore[no-any-return]

    def choose_open_path(_parent: QWidget | None, title: str, _directory: Path, _filter: str) -> Path | None:
        record.open_requests.append(title)
        return pop(record.open_paths, f"a file to open ({title})")  # type: ignore[no-any-return]

    def ask_text(_parent: QWidget | None, _title: str, prompt: str, default: str = "") -> str | None:
        record.text_requests.append((prompt, default))
        return pop(record.texts, f"text for {prompt!r}")  # type: ignore[no-any-return]

    def ask_date(_parent: QWidget | None, _title: str, prompt: str,
                 current: date | None = None) -> prompts.DateAnswer | None:
        record.date_requests.append((prompt, current))
        return pop(record.dates, f"a date for {prompt!r}")  # type: ignore[no-any-return]

    def ask_unsaved(_parent: QWidget | None, _title: str, question: str) -> str:
        record.unsaved_questions.append(question)
        return pop(record.unsaved, f"save/discard/cancel for {question!r}")  # type: ignore[no-any-return]

    def ask_export(_parent: QWidget | None, suggested: Path, paper: str = "letter", *, packet_ready: bool = True,
                   destination: str = "packet") -> prompts.ExportAnswer | None:
        record.export_requests.append((suggested, paper))
        record.export_choices.append((packet_ready, destination))
        return pop(record.exports, "export choices")  # type: ignore[no-any-return]

    def ask_write_portal_files(_parent: QWidget | None, report: Preflight) -> bool:
        record.portal_reports.append(report)
        return bool(pop(record.portal_writes, "write / cancel after the preflight"))

    def ask_show_folder(_parent: QWidget | None, title: str, message: str) -> bool:
        record.folder_messages.append((title, message))
        return bool(pop(record.show_folder, "show in folder / close"))

    def ask_after_export(_parent: QWidget | None, _title: str, message: str) -> str | None:
        record.after_export_messages.append(message)
        return pop(record.after_export, "open / show in folder / close")  # type: ignore[no-any-return]

    def open_url(url: QUrl) -> bool:
        record.opened_urls.append(url)
        return True

    monkeypatch.setattr(prompts, "choose_save_path", choose_save_path)
    monkeypatch.setattr(prompts, "choose_open_path", choose_open_path)
    monkeypatch.setattr(prompts, "ask_text", ask_text)
    monkeypatch.setattr(prompts, "ask_date", ask_date)
    monkeypatch.setattr(prompts, "ask_unsaved", ask_unsaved)
    monkeypatch.setattr(prompts, "ask_export", ask_export)
    monkeypatch.setattr(prompts, "ask_after_export", ask_after_export)
    monkeypatch.setattr(prompts, "ask_write_portal_files", ask_write_portal_files)
    monkeypatch.setattr(prompts, "ask_show_folder", ask_show_folder)
    monkeypatch.setattr(prompts, "open_url", open_url)
    monkeypatch.setattr(prompts, "run_dialog", lambda dialog: pytest.fail(f"dialog opened: {dialog.windowTitle()}"))
    return record


@pytest.fixture(autouse=True)
def no_leftovers(qapp: QApplication) -> Iterator[None]:
    """Each test must close its windows and stop its threads (napari's habit)."""
    before = {id(w) for w in qapp.topLevelWidgets()}
    yield
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()
    visible = [w for w in qapp.topLevelWidgets() if w.isVisible() and id(w) not in before]
    assert not visible, f"windows left open: {[type(w).__name__ + ' ' + w.windowTitle() for w in visible]}"


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_default_catalog()


@pytest.fixture
def vault(vault_dir: Path) -> Iterator[Vault]:
    with Vault.open(vault_dir, create=True, passphrase="correct horse battery") as opened:
        opened.update_profile({"given_names": "Maria Jose", "family_name": "Garcia Lopez",
                               "date_of_birth": date(1996, 4, 12)})
        yield opened


def show_window(qtbot: QtBot, session: PacketView) -> MainWindow:
    """The main window on ``session``, shown and exposed (the test closes it)."""
    main = MainWindow(session, open_settings())
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    return main


@pytest.fixture
def window(qtbot: QtBot, vault: Vault, catalog: Catalog, asked: Prompts) -> Iterator[MainWindow]:
    session = Session(vault, catalog, as_of=AS_OF)
    main = show_window(qtbot, session)
    yield main
    main.close()
    session.shutdown()


# --------------------------------------------------------------------------------------------- user actions


def drop_files(widget: QWidget, paths: list[Path]) -> None:
    """What a file manager does: drag enter, then drop, with file URLs in the MIME data."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    centre = widget.rect().center()
    enter = QDragEnterEvent(centre, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    drop = QDropEvent(QPointF(centre), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, drop)


def wait_imported(qtbot: QtBot, window: MainWindow) -> None:
    """Until the import has finished and every thumbnail and preview has loaded."""
    session = window.session
    qtbot.waitUntil(lambda: not session.importing and session.is_idle, timeout=20_000)


def attach(qtbot: QtBot, window: MainWindow, requirement_id: str, paths: list[Path]) -> None:
    open_in_checklist(qtbot, window, requirement_id)
    count = len(window.session.documents)
    drop_files(window.requirement_page.drop_zone, paths)
    qtbot.waitUntil(lambda: len(window.session.documents) > count or not window.session.importing, timeout=20_000)
    wait_imported(qtbot, window)


def set_fields(window: MainWindow, requirement_id: str, **values: object) -> None:
    """Set a document's own fields (exam result, OET scores) through the vault, as the field editors do."""
    doc = window.session.documents_for(requirement_id)[-1]
    editor = window.mode.editor
    assert editor is not None
    editor.edit_document(doc.id, {"fields": values})


def open_in_checklist(qtbot: QtBot, window: MainWindow, requirement_id: str) -> None:
    """Click the requirement's row in the sidebar, as a user would."""
    index = window.model.index_of(requirement_id)
    if not index.isValid():
        raise AssertionError(f"{requirement_id} is not in the checklist")
    group = index.parent()
    if group.isValid() and not window.checklist.isExpanded(group):
        window.checklist.setExpanded(group, True)
    window.checklist.scrollTo(index)
    rect = window.checklist.visualRect(index)
    qtbot.mouseClick(window.checklist.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.requirement_page.requirement_id == requirement_id


def type_into(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Focus a field, select what is there, type, and leave it with Tab (a save follows). Keys go where the
    keyboard sends them: the widget's focus proxy (the line edit inside a date field) when it has one."""
    widget.setFocus()
    target = widget.focusProxy() or widget
    qtbot.keyClick(target, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(target, text)
    qtbot.keyClick(target, Qt.Key.Key_Tab)


def wait_saved(qtbot: QtBot, window: MainWindow, check: Callable[[], bool]) -> None:
    qtbot.waitUntil(check, timeout=5_000)


# --------------------------------------------------------------------------------------------- packets


@pytest.fixture
def ready_vault(vault: Vault, tmp_path: Path) -> dict[str, str]:
    """The example applicant with its deliberate problems fixed (as tests/cli's ``ready_vault``): ready to
    export on ``AS_OF``. Returns requirement -> document id of the originals."""
    from ecfmg_desk.vault.demo import create_demo
    from tests.samples import make_scan_pdf

    create_demo(vault, today=AS_OF)
    docs = {d.requirement: d.id for d in vault.documents() if d.translation_of is None}
    vault.add_document("name-verification", [make_scan_pdf(tmp_path / "nv.pdf", dpi=200)],
                       issued=date(2023, 1, 10), name_on_document="M. J. Garcia")
    vault.add_document("translation", [make_scan_pdf(tmp_path / "tr.pdf", dpi=200)],
                       translation_of=docs["final-transcript"], translator="Lingua", translator_kind="professional",
                       issued=date(2022, 8, 2))
    return docs


def export_bundle(vault: Vault, catalog: Catalog, folder: Path) -> Path:
    """The student's export, as the CLI does it (for tests whose subject is what comes after)."""
    from ecfmg_desk.packet.export import export_vault

    folder.mkdir(parents=True, exist_ok=True)
    bundle = folder / "GARCIA LOPEZ - ECFMG packet.ecfmgpkt"
    export_vault(vault, catalog, out=folder / "GARCIA LOPEZ - ECFMG packet.pdf", bundle=bundle, as_of=AS_OF)
    return bundle


def painted_text_height(view: QAbstractItemView, index: QModelIndex) -> int:
    """The height Qt's style needs to paint ``index``'s text whole, in the cell the view gives it now.

    Measured as QCommonStyle paints an item (``viewItemDrawText``): the style's text rectangle less a margin of
    ``PM_FocusFrameHMargin + 1`` on each side, the text laid out with word wrap in that width. A row lower than
    this has its last line cut to "…"."""
    option = QStyleOptionViewItem()
    view.initViewItemOption(option)
    option.rect = view.visualRect(index)
    delegate = view.itemDelegateForIndex(index)
    assert isinstance(delegate, QStyledItemDelegate)
    delegate.initStyleOption(option, index)
    style = view.style()
    rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, view)
    margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
    layout = QTextLayout(option.text, option.font)
    text_option = QTextOption()
    text_option.setWrapMode(QTextOption.WrapMode.WordWrap)
    layout.setTextOption(text_option)
    height = 0.0
    layout.beginLayout()
    while (line := layout.createLine()).isValid():
        line.setLineWidth(rect.width() - 2 * margin)
        height += line.height()
    layout.endLayout()
    return math.ceil(height)
