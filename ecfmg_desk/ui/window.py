"""The main window (UX.md "Main window"): a shell with the checklist on the left and the selected page on the
right, for both modes of the app.

The sidebar shows the progress as a sentence and a bar, the one next step, the checklist, and a button per page
(the profile, the pages of :mod:`ecfmg_desk.ui.pages`, Review); the right side stacks the pages. Menus give every
action a keyboard path: arrows move through the checklist, Enter opens, Ctrl+O attaches, Ctrl+E reviews and
exports, F1 explains the current requirement, Ctrl+Z undoes.

Everything that differs between the student's vault and an advisor's review of a bundle (UX.md principle 10) is
asked of the window's mode (:mod:`ecfmg_desk.ui.modes`): the editor or review draft the pages get, the menus,
the banner, the words, the lock and closing. The shell itself never asks which mode it is in.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ecfmg_desk import APP_NAME
from ecfmg_desk.ui import icons, prompts
from ecfmg_desk.ui.lock import InactivityLock, LockScreen
from ecfmg_desk.ui.models import NOT_NEEDED_GROUP, STATE_ROLE, ChecklistModel
from ecfmg_desk.ui.modes import ReviewBanner, WindowMode, first_sentence, mode_for
from ecfmg_desk.ui.pages import SIDEBAR_PAGES, SidebarPage
from ecfmg_desk.ui.requirement import RequirementPage
from ecfmg_desk.ui.settings import forget_bundles, lock_minutes, recent_bundles
from ecfmg_desk.ui.view import PacketView
from ecfmg_desk.ui.widgets import icon_button, local_paths, muted, plain_label, wrapping
from ecfmg_desk.ui.words import plain_tooltip, recent_bundle_text
from ecfmg_desk.ui.wraptitles import wrap_titles

if TYPE_CHECKING:
    from ecfmg_desk.ui.profile import ProfilePage
    from ecfmg_desk.ui.review import ReviewPage

__all__ = ["DEFAULT_SIZE", "MINIMUM_SIZE", "MainWindow", "ReviewBanner", "first_sentence"]

NOTICE_MS = 12_000
DEFAULT_SIZE = (1366, 768)
MINIMUM_SIZE = (900, 500)
"""Below a 1024×600 screen's working area (a panel and a title bar take ~70 px of its height)."""
BUNDLE_SUFFIX = ".ecfmgpkt"
TITLE_BAR_GUESS = 32


def bundle_paths(paths: list[Path]) -> list[Path]:
    return [p for p in paths if p.suffix.lower() == BUNDLE_SUFFIX]


class ChecklistView(QTreeView):
    """The sidebar list; category rows are headings that arrow keys skip over."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setItemsExpandable(True)
        self.setIndentation(10)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAccessibleName(self.tr("Checklist"))
        self.setAccessibleDescription(self.tr("Use the arrow keys to move through the items and Enter to open one."))
        self.title_delegate = wrap_titles(self)  # long titles wrap, never "Final medical school transc…"

    def moveCursor(self, action: QAbstractItemView.CursorAction,
                   modifiers: Qt.KeyboardModifier) -> QModelIndex:
        index = super().moveCursor(action, modifiers)
        current = self.currentIndex()
        down = action in (QAbstractItemView.CursorAction.MoveDown, QAbstractItemView.CursorAction.MoveNext,
                          QAbstractItemView.CursorAction.MovePageDown, QAbstractItemView.CursorAction.MoveEnd)
        guard = 0
        while index.isValid() and not (index.flags() & Qt.ItemFlag.ItemIsSelectable) and guard < 50:
            guard += 1
            step = self.indexBelow(index) if down else self.indexAbove(index)
            if not step.isValid():
                return current
            index = step
        return index


class AfterFirstPaint(QObject):
    """Calls ``action`` once ``widget`` has first been painted: for work the user should not wait for before
    they see the window."""

    def __init__(self, widget: QWidget, action: Callable[[], None]) -> None:
        super().__init__(widget)
        self._action = action
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            self._action()
        return False


class SidebarPages(Mapping[str, QWidget]):
    """The sidebar's pages by key. Each is made the first time it is asked for (opened, flushed by a test, …):
    building every page before the window first painted took about a third of the start-up."""

    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self._specs: dict[str, SidebarPage] = {}
        self._built: dict[str, QWidget] = {}

    def add(self, spec: SidebarPage) -> None:
        self._specs[spec.key] = spec

    def __getitem__(self, key: str) -> QWidget:
        page = self._built.get(key)
        if page is None:
            page = self._built[key] = self._window.build_page(self._specs[key])
        return page

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)

    def built(self) -> list[QWidget]:
        """The pages made so far (the others hold nothing typed to save)."""
        return list(self._built.values())


class MainWindow(QMainWindow):
    """The shell both modes share. ``mode`` defaults to the one that goes with ``session``
    (:func:`~ecfmg_desk.ui.modes.mode_for`)."""

    open_vault_requested = Signal(Path)
    open_bundle_requested = Signal(Path)
    """A student's bundle to open in review mode (File → Open bundle, Recent bundles, a drop)."""
    example_requested = Signal()
    closed = Signal()
    page_opened = Signal(str)
    """A sidebar page (by its key) became the one shown."""

    profile_button: QPushButton
    edit_menu: QMenu | None

    def __init__(self, session: PacketView, settings: QSettings | None = None,
                 mode: WindowMode | None = None) -> None:
        super().__init__()
        self.session = session
        self.settings = settings
        self.mode = mode if mode is not None else mode_for(session)
        self.banner: ReviewBanner | None = None
        self.edit_menu = None
        self.force_close = False
        """Set by the app when it quits: close without asking about an unsaved review."""
        self._sidebar_width = 0
        self._shown_once = False
        self._fit_size = self.size()
        self.fit_on_show = True
        """Fit the window into the screen's working area when first shown (``--screenshot`` renders at a fixed
        size instead)."""
        self.pages = SidebarPages(self)
        """The sidebar's pages by key (see :meth:`add_page`), each made when first asked for."""
        self.page_buttons: dict[str, QPushButton] = {}
        self.page_actions: dict[str, QAction] = {}
        self.setWindowIcon(icons.app_icon())
        self.setMinimumSize(*MINIMUM_SIZE)
        self.setAcceptDrops(True)  # a bundle dropped anywhere on the window opens for review

        # -- sidebar ------------------------------------------------------------------------------------
        sidebar = QWidget(self)
        sidebar.setObjectName("sidebar")
        side = QVBoxLayout(sidebar)
        side.setContentsMargins(14, 14, 8, 10)
        side.setSpacing(6)
        self.progress_label = QLabel(sidebar)
        font = self.progress_label.font()
        font.setBold(True)
        self.progress_label.setFont(font)
        self.progress_label.setAccessibleName(self.tr("Progress"))
        self.progress_bar = QProgressBar(sidebar)
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setFixedHeight(10)
        self.progress_bar.setAccessibleName(self.tr("Required items ready"))
        self.next_label = wrapping("", sidebar)
        self.next_label.setTextFormat(Qt.TextFormat.RichText)
        self.next_label.setAccessibleName(self.tr("Next step"))
        self.next_label.linkActivated.connect(self._next_link)
        side.addWidget(self.progress_label)
        side.addWidget(self.progress_bar)
        side.addWidget(self.next_label)
        side.addSpacing(4)

        self.model = ChecklistModel(session.catalog)
        self.checklist = ChecklistView(sidebar)
        self.checklist.setModel(self.model)
        side.addWidget(self.checklist, 1)
        self._buttons = QVBoxLayout()  # one per page, then Review: full width, so no title is cut off
        self._buttons.setSpacing(4)
        self._sidebar = sidebar
        self.review_button = icon_button("review", self.mode.review_title, sidebar)
        self._buttons.addWidget(self.review_button)
        side.addLayout(self._buttons)

        # -- pages --------------------------------------------------------------------------------------
        self.stack = QStackedWidget(self)
        editor, draft = self.mode.editor, self.mode.draft
        self.requirement_page = RequirementPage(session, self.stack, editor=editor, draft=draft)
        self._review_page: ReviewPage | None = None
        self.stack.addWidget(self.requirement_page)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(sidebar)
        self.splitter.addWidget(self.stack)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 1)  # a narrower window takes a little from the sidebar too (1024 px)
        self.splitter.setStretchFactor(1, 3)
        sidebar.setMinimumWidth(220)
        self.splitter.setSizes([340, 1026])
        self.content = self.mode.wrap(self.splitter)
        # the content, or the lock screen in its place (UX.md principle 8)
        self.screens = QStackedWidget(self)
        self.screens.addWidget(self.content)
        self.lock_screen = LockScreen(self.screens)
        self.screens.addWidget(self.lock_screen)
        self.screens.setCurrentWidget(self.content)
        self.setCentralWidget(self.screens)
        self._enabled_before_lock: dict[QAction, bool] = {}
        self._focus_before_lock: QWidget | None = None
        self.inactivity = InactivityLock(lock_minutes(settings), self)
        self.inactivity.expired.connect(self.lock)
        self.lock_screen.unlock_requested.connect(self._unlock_requested)

        self._build_status_bar()
        self._build_actions()

        # -- wiring -------------------------------------------------------------------------------------
        header = self.checklist.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.checklist.selectionModel().selectionChanged.connect(self._selection_changed)
        self.checklist.activated.connect(self._activated)
        self.checklist.clicked.connect(self._clicked)
        self.review_button.clicked.connect(self.open_review)
        self.requirement_page.navigate.connect(self.navigate)
        self.requirement_page.review_requested.connect(self.open_review)
        self.requirement_page.bundle_dropped.connect(self.open_bundle_requested)
        session.changed.connect(self.refresh)
        session.notice.connect(self.show_notice)
        session.busy_changed.connect(self._busy)
        session.import_progress.connect(self._import_progress)
        self.mode.install(self)
        for spec in SIDEBAR_PAGES:
            if self.mode.name in spec.modes:
                self.add_page(spec)
        extension = self.menuBar().findChild(QToolButton, "qt_menubar_ext_button")
        if extension is not None:  # shown when the menus do not fit: Qt leaves it nameless
            extension.setAccessibleName(self.tr("More menus"))
        self.refresh()
        self._restore_settings()
        self.inactivity.start()
        start = self.mode.start_page()
        if start:
            self.navigate(start)

    # -- pages ----------------------------------------------------------------------------------------------

    def add_page(self, spec: SidebarPage, *, action: QAction | None = None, first: bool = False) -> None:
        """Add a page to the sidebar (see :mod:`ecfmg_desk.ui.pages`): a button beside the others and an entry
        in the View menu (``action``: one the mode made already); ``navigate(spec.key)`` opens it. The page
        itself is made from the view and the mode's editor when it is first opened (``pages[spec.key]``)."""
        self.pages.add(spec)
        button = icon_button(spec.icon, spec.title, self._sidebar)
        button.setAccessibleName(spec.accessible_name or spec.title)
        button.clicked.connect(lambda: self.navigate(spec.key))
        self._buttons.insertWidget(0 if first else self._buttons.count() - 1, button)
        self.page_buttons[spec.key] = button
        if action is None:
            action = self._action(spec.title, lambda: self.navigate(spec.key), spec.shortcut, spec.icon)
            self.view_menu.insertAction(self.export_action, action)
        else:
            action.triggered.connect(lambda: self.navigate(spec.key))
        self.page_actions[spec.key] = action

    def build_page(self, spec: SidebarPage) -> QWidget:
        """Make a sidebar page (for :class:`SidebarPages`, on first use) and put it in the stack."""
        page = spec.make(self.session, self.mode.editor, self.stack)
        page.setAccessibleName(page.accessibleName() or spec.title)
        self.stack.addWidget(page)
        navigate = getattr(page, "navigate", None)
        if navigate is not None and hasattr(navigate, "connect"):
            navigate.connect(self.navigate)
        return page

    @property
    def profile_page(self) -> ProfilePage:
        """The student's profile (the student's mode adds it; a bundle's window has none)."""
        from ecfmg_desk.ui.profile import ProfilePage

        page = self.pages["profile"]
        assert isinstance(page, ProfilePage)
        return page

    @property
    def review_page(self) -> ReviewPage:
        """The review and export page, made when first opened (or asked for): nobody sees it at start-up."""
        if self._review_page is None:
            from ecfmg_desk.ui.review import ReviewPage

            editor, draft = self.mode.editor, self.mode.draft
            self._review_page = ReviewPage(self.session, self.stack, self.settings, editor=editor, draft=draft,
                                           exporter=self.mode.exporter)
            self.stack.addWidget(self._review_page)
            self._review_page.navigate.connect(self.navigate)
        return self._review_page

    def open_page(self, key: str) -> None:
        page = self.pages.get(key)
        if page is None:
            return
        self.flush_pages()
        self.checklist.selectionModel().clearSelection()  # the sidebar shows no item as open
        self.stack.setCurrentWidget(page)
        if key == "profile":
            self.profile_page.form.given_names.setFocus()
        else:
            page.setFocus()
        self.page_opened.emit(key)

    def flush_pages(self) -> None:
        """Save what is typed on every page (before leaving one, locking, undoing or closing)."""
        self.requirement_page.flush()
        self._flush_sidebar_pages()

    def _flush_sidebar_pages(self) -> None:
        for page in self.pages.built():  # (a page not made yet holds nothing typed)
            flush = getattr(page, "flush", None)
            if callable(flush):
                flush()

    # -- building -------------------------------------------------------------------------------------------

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setSizeGripEnabled(True)
        holder = QWidget(bar)
        row = QHBoxLayout(holder)
        row.setContentsMargins(6, 0, 6, 0)
        row.setSpacing(6)
        icon_name, icon_words, text, text_name = self.mode.status_words()
        self.lock_icon = QLabel(holder)
        self.lock_icon.setPixmap(icons.pixmap(icon_name, 14, self.devicePixelRatioF()))
        self.lock_icon.setAccessibleName(icon_words)
        self.vault_label = QLabel(text, holder)
        self.vault_label.setAccessibleName(text_name)
        self.notice_label = muted(QLabel(holder))
        self.notice_label.setAccessibleName(self.tr("Last action"))
        self.undo_button = QPushButton(self.tr("Undo"), holder)
        self.undo_button.setFlat(True)
        self.undo_button.setIcon(icons.icon("undo"))
        self.undo_button.setAccessibleName(self.tr("Undo"))
        self.undo_button.hide()
        row.addWidget(self.lock_icon)
        row.addWidget(self.vault_label)
        row.addSpacing(16)
        row.addWidget(self.notice_label)
        row.addWidget(self.undo_button)
        row.addStretch(1)
        bar.addWidget(holder, 1)

        self.import_label = plain_label("", bar)
        self.import_bar = QProgressBar(bar)
        self.import_bar.setFixedWidth(180)
        self.import_bar.setAccessibleName(self.tr("Import progress"))
        self.cancel_button = QPushButton(self.tr("Cancel"), bar)
        self.cancel_button.setAccessibleName(self.tr("Cancel the import"))
        for widget in (self.import_label, self.import_bar, self.cancel_button):
            bar.addPermanentWidget(widget)
            widget.hide()
        self._notice_timer = QTimer(self)
        self._notice_timer.setSingleShot(True)
        self._notice_timer.setInterval(NOTICE_MS)
        self._notice_timer.timeout.connect(self.clear_notice)

    def _action(self, text: str, slot: object, shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
                icon_name: str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if icon_name:
            action.setIcon(icons.icon(icon_name))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        """Every command the window knows; the mode puts its own in the menus and disables the others."""
        mode = self.mode
        self.attach_action = self._action(self.tr("&Attach a document…"), self.attach, QKeySequence.StandardKey.Open,
                                          "add")
        self.open_vault_action = self._action(self.tr("Open another &vault…"), self.choose_vault, None, "open")
        export_text, export_icon = mode.export_words()
        self.export_action = self._action(export_text, self.open_review, "Ctrl+E", export_icon)
        self.open_bundle_action = self._action(self.tr("Open a student's &bundle…"), self.choose_bundle,
                                               "Ctrl+Shift+O", "open")
        self.recent_menu = QMenu(self.tr("Recent &bundles"), self)
        self.recent_menu.setToolTipsVisible(True)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.save_review_action = self._action(self.tr("&Save review…"), self.save_review,
                                               QKeySequence.StandardKey.Save, "ready")
        self.load_review_action = self._action(self.tr("&Load review…"), self.load_review, None, "review")
        self.backup_action = self._action(self.tr("&Back up your documents…"), lambda: None, None, "ready")
        self.restore_action = self._action(self.tr("Res&tore from a backup…"), lambda: None, None, "open")
        self.quit_action = self._action(self.tr("&Quit"), self.close, QKeySequence.StandardKey.Quit)
        self.undo_action = self._action(self.tr("&Undo"), self.undo, QKeySequence.StandardKey.Undo, "undo")
        self.redo_action = self._action(self.tr("&Redo"), self.redo, QKeySequence.StandardKey.Redo)
        self.profile_action = self._action(self.tr("Your &profile"), lambda: None, "Ctrl+Shift+P", "profile")
        self.checklist_action = self._action(self.tr("&Checklist"), self.focus_checklist, "Ctrl+Shift+L")
        self.lock_action = self._action(self.tr("&Lock"), self.lock, "Ctrl+L", "lock")
        self.lock_action.setToolTip(self.tr("Hide everything until the recovery passphrase is typed"))
        self.show_not_needed_action = self._action(mode.not_needed_words(), self._toggle_not_needed)
        self.show_not_needed_action.setCheckable(True)
        self.help_action = self._action(self.tr("&Help for this item"), self.show_help,
                                        QKeySequence.StandardKey.HelpContents, "help")
        if self.help_action.shortcut().isEmpty():
            self.help_action.setShortcut(QKeySequence("F1"))
        self.example_action = self._action(self.tr("Open an &example packet…"), self.example_requested.emit)
        self.about_action = self._action(self.tr("&About ECFMG Desk"), self.about)

    def build_view_menu(self) -> QMenu:
        """View: the checklist, the pages, the review, the not-needed items and Lock (for the mode to call)."""
        view_menu = self.menuBar().addMenu(self.tr("&View"))
        self.view_menu = view_menu
        view_menu.addAction(self.checklist_action)
        view_menu.addAction(self.export_action)
        view_menu.addSeparator()
        view_menu.addAction(self.show_not_needed_action)
        view_menu.addSeparator()
        view_menu.addAction(self.lock_action)
        return view_menu

    def build_help_menu(self) -> QMenu:
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        help_menu.addAction(self.help_action)
        help_menu.addSeparator()
        help_menu.addAction(self.about_action)
        return help_menu

    def _fill_recent_menu(self) -> None:
        """File → Recent bundles: student, export date and status; a bundle no longer there is greyed."""
        menu = self.recent_menu
        menu.clear()
        items = recent_bundles(self.settings) if self.settings is not None else []
        if not items:
            empty = menu.addAction(self.tr("No bundles opened yet"))
            empty.setEnabled(False)
            return
        for item in items:
            action = menu.addAction(recent_bundle_text(item))
            action.setToolTip(plain_tooltip(str(item.path)))
            action.setEnabled(item.exists)
            action.triggered.connect(lambda _checked=False, path=item.path: self.open_bundle_requested.emit(path))
        menu.addSeparator()
        if any(not item.exists for item in items):
            menu.addAction(self.tr("Remove the bundles not found"),
                           lambda: forget_bundles(self.settings, missing_only=True) if self.settings else None)
        menu.addAction(self.tr("Clear the list"), lambda: forget_bundles(self.settings) if self.settings else None)

    # -- state ----------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        session = self.session
        current = self.current_requirement()
        rebuilt = self.model.update_states(session.states)
        if rebuilt:
            self._expand()
            if current:
                self._select(current)
        ready, required = session.progress()
        self.progress_label.setText(self.tr("{ready} of {required} required items ready").format(
            ready=ready, required=required))
        self.progress_bar.setRange(0, max(1, required))
        self.progress_bar.setValue(ready)
        self.progress_bar.setAccessibleDescription(self.progress_label.text())
        self.show_next_step()
        self._update_title()

    def _update_title(self) -> None:
        """The applicant's name in the title bar; none while locked (a taskbar shows it too)."""
        if self.locked:
            self.setWindowTitle(self.tr("{app} — Locked[*]").format(app=APP_NAME))
            return
        profile = self.session.profile
        family = profile.family_name.strip()
        shown = (profile.given_names.strip() + " " + family.upper()).strip() if family else profile.name_of_record
        self.setWindowTitle(self.mode.title(shown))

    def _expand(self) -> None:
        show_all = self.show_not_needed_action.isChecked()
        for row in range(self.model.rowCount()):
            index = self.model.index(row, 0)
            self.checklist.setFirstColumnSpanned(row, QModelIndex(), True)
            hidden_group = index.data(STATE_ROLE) == NOT_NEEDED_GROUP
            self.checklist.setExpanded(index, not hidden_group or show_all)
            if hidden_group:
                item = self.model.item(row)
                title, tip = self.mode.not_needed_heading(item.rowCount())
                item.setText(f"{title.upper()}  {'▾' if show_all else '▸'}")
                item.setToolTip(tip)

    def _toggle_not_needed(self) -> None:
        self._expand()

    def show_next_step(self) -> None:
        text, tooltip = self.mode.next_step()
        self.next_label.setText(text)
        self.next_label.setToolTip(plain_tooltip(tooltip))

    def _next_link(self, target: str) -> None:
        if not self.mode.next_link(target):
            self.navigate(target)

    def _busy(self, busy: bool) -> None:
        if self.locked:  # the import goes on; the status bar shows only its bar (no file names)
            self.import_bar.setVisible(busy)
            return
        for widget in (self.import_label, self.import_bar, self.cancel_button):
            widget.setVisible(busy)
        self.mode.set_busy(busy)
        if busy:
            self.cancel_button.setEnabled(True)

    def _import_progress(self, label: str, done: int, total: int) -> None:
        self.import_label.setText(self.tr("Importing {name}…").format(name=label))
        self.import_bar.setRange(0, max(1, total))
        self.import_bar.setValue(done)

    def show_notice(self, text: str, *, offer_undo: bool = False) -> None:
        """A short message in the status bar for a few seconds; after a removal, with an Undo button."""
        self.notice_label.setText(text)
        can_undo, what = self.mode.can_undo()
        self.undo_button.setVisible(offer_undo and can_undo and not self.locked)
        self.undo_button.setToolTip(plain_tooltip(what))
        self._notice_timer.start()

    def clear_notice(self) -> None:
        self.notice_label.clear()
        self.undo_button.hide()

    # -- locking --------------------------------------------------------------------------------------------

    @property
    def locked(self) -> bool:
        return self.screens.currentWidget() is self.lock_screen

    def lock(self) -> None:
        """View → Lock (Ctrl+L), or minutes without input: only the lock screen stays; imports and exports go on."""
        if self.locked:
            return
        for _ in range(5):  # an open menu, combo list or calendar would stay on top of the lock screen
            popup = QApplication.activePopupWidget()
            if popup is None:
                break
            popup.close()
        self.flush_pages()
        focused = QApplication.focusWidget()
        self._focus_before_lock = focused if focused is not None and self.isAncestorOf(focused) else None
        self.mode.prepare_lock()
        self.screens.setCurrentWidget(self.lock_screen)
        keep = {self.lock_action, self.quit_action, self.about_action}
        self._enabled_before_lock = {a: a.isEnabled() for a in self.actions() if a not in keep}
        for action in self._enabled_before_lock:
            action.setEnabled(False)
        for sub in (self.recent_menu, self.edit_menu):
            if sub is not None:
                sub.menuAction().setEnabled(False)
        for widget in (self.notice_label, self.undo_button, self.import_label, self.cancel_button):
            widget.hide()
        self.inactivity.pause()
        self._update_title()
        self.lock_screen.focus()

    def _unlock_requested(self, passphrase: str) -> None:
        error = self.mode.unlock_error(passphrase)
        if error is not None:
            self.lock_screen.show_error(error)
            return
        self.unlock()

    def unlock(self) -> None:
        if not self.locked:
            return
        self.lock_screen.prepare("", asks_passphrase=False)  # nothing typed stays in the field
        self.screens.setCurrentWidget(self.content)
        for action, enabled in self._enabled_before_lock.items():
            action.setEnabled(enabled)
        self._enabled_before_lock = {}
        for sub in (self.recent_menu, self.edit_menu):
            if sub is not None:
                sub.menuAction().setEnabled(True)
        busy = self.session.importing
        for widget in (self.import_label, self.import_bar, self.cancel_button):
            widget.setVisible(busy)
        self.notice_label.show()
        self.mode.update_actions()
        self._update_title()
        if self._focus_before_lock is not None and self._focus_before_lock.isVisible():
            self._focus_before_lock.setFocus(Qt.FocusReason.OtherFocusReason)
        self._focus_before_lock = None
        self.inactivity.restart()

    # -- navigation -----------------------------------------------------------------------------------------

    def current_requirement(self) -> str | None:
        return ChecklistModel.requirement_at(self.checklist.currentIndex())

    def _select(self, requirement_id: str) -> None:
        index = self.model.index_of(requirement_id)
        if index.isValid():
            self.checklist.setCurrentIndex(index)
            self.checklist.scrollTo(index)

    def navigate(self, target: str) -> None:
        """Open a requirement's page, ``"review"``, or a sidebar page by its key."""
        if target == "review":
            self.open_review()
        elif target in self.pages:
            self.open_page(target)
        else:
            self.open_requirement(target)

    def open_requirement(self, requirement_id: str) -> None:
        if self.session.requirement(requirement_id) is None:
            return
        group_index = self.model.index_of(requirement_id).parent()
        if group_index.isValid() and not self.checklist.isExpanded(group_index):
            self.checklist.setExpanded(group_index, True)
        if self.current_requirement() != requirement_id:
            self._select(requirement_id)
        self._show_requirement(requirement_id)

    def _show_requirement(self, requirement_id: str) -> None:
        self._flush_sidebar_pages()
        self.requirement_page.show_requirement(requirement_id)
        self.stack.setCurrentWidget(self.requirement_page)

    def _selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        requirement = ChecklistModel.requirement_at(indexes[0]) if indexes else None
        if requirement:
            self._show_requirement(requirement)

    def _clicked(self, index: QModelIndex | QPersistentModelIndex) -> None:
        requirement = ChecklistModel.requirement_at(index)
        if requirement:
            self._show_requirement(requirement)
        elif index.sibling(index.row(), 0).data(STATE_ROLE) == NOT_NEEDED_GROUP:
            self.show_not_needed_action.toggle()
            self._expand()

    def _activated(self, index: QModelIndex | QPersistentModelIndex) -> None:
        """Enter on a checklist row: open the page and move the keyboard focus into it."""
        requirement = ChecklistModel.requirement_at(index)
        if requirement is None:
            return
        self._show_requirement(requirement)
        page = self.requirement_page
        card = page.first_card()
        target: QWidget = page.drop_zone.browse_button
        if card is not None and card.advisor_panel is not None:
            target = card.advisor_panel.approve_button
        elif card is not None and card.fields:
            target = next(iter(card.fields.values()))
        target.setFocus(Qt.FocusReason.TabFocusReason)
        page.details.ensureWidgetVisible(target)

    def open_profile(self) -> None:
        """The student's profile (a bundle carries only the student's names: no profile page then)."""
        self.open_page("profile")

    def open_review(self) -> None:
        self.flush_pages()
        self.checklist.selectionModel().clearSelection()
        self.stack.setCurrentWidget(self.review_page)
        self.review_page.view.setFocus()

    def focus_checklist(self) -> None:
        self.checklist.setFocus()

    def current_page(self) -> QWidget | None:
        return self.stack.currentWidget()

    # -- actions (the mode does what belongs to it) ----------------------------------------------------------

    def attach(self) -> None:
        self.mode.attach()

    def undo(self) -> None:
        self.mode.undo()

    def redo(self) -> None:
        self.mode.redo()

    def save_review(self) -> bool:
        """Ctrl+S in review mode: write REVIEW.json where the advisor says; True once it is saved."""
        return self.mode.save_review()

    def load_review(self) -> None:
        self.mode.load_review()

    def choose_vault(self) -> None:
        self.mode.choose_vault()

    def show_help(self) -> None:
        from ecfmg_desk.ui.helptext import general_help, requirement_help

        requirement = self.session.requirement(self.requirement_page.requirement_id or "")
        if self.stack.currentWidget() is not self.requirement_page or requirement is None:
            prompts.show_help(self, self.tr("Help"), general_help(self.session.catalog.disclaimer))
            return
        prompts.show_help(self, self.tr("Help: {title}").format(title=requirement.title),
                          requirement_help(requirement, self.session.catalog.disclaimer))

    def choose_bundle(self) -> None:
        """File → Open a student's bundle… (Ctrl+Shift+O)."""
        bundle_path = getattr(self.session, "bundle_path", None)
        start = bundle_path.parent if isinstance(bundle_path, Path) else Path.home()
        path = prompts.choose_open_path(self, self.tr("Open a student's bundle"), start, prompts.BUNDLE_FILTER)
        if path is not None:
            self.open_bundle_requested.emit(path)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if bundle_paths(local_paths(event.mimeData())):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        bundles = bundle_paths(local_paths(event.mimeData()))
        if not bundles:
            event.ignore()
            return
        event.acceptProposedAction()
        self.open_bundle_requested.emit(bundles[0])

    def about(self) -> None:
        from ecfmg_desk import __version__
        from ecfmg_desk.ui.helptext import disclaimer_text

        prompts.show_info(self, self.tr("About ECFMG Desk"), self.tr(
            "ECFMG Desk {version}\n\nPrepare and check your ECFMG certification documents, offline. Your documents "
            "stay encrypted on this computer.\n\n{disclaimer}").format(
                version=__version__, disclaimer=disclaimer_text(self.session.catalog.disclaimer)))

    # -- settings and closing -------------------------------------------------------------------------------

    def _restore_settings(self) -> None:
        self.resize(*DEFAULT_SIZE)
        screen = self.screen()
        if screen is not None:
            available = screen.availableGeometry()
            width = min(DEFAULT_SIZE[0], available.width())
            # the title bar is not known before the window is shown: leave room for one (fit_to_screen then
            # corrects it with the real frame)
            height = min(DEFAULT_SIZE[1], available.height() - TITLE_BAR_GUESS)
            self.resize(max(min(MINIMUM_SIZE[0], available.width()), width),
                        max(min(MINIMUM_SIZE[1], available.height()), height))
        if self.settings is None:
            return
        geometry = self.settings.value("window/geometry")
        if geometry is not None and self.restoreGeometry(geometry):
            self.fit_on_show = False  # the user's own size and place (Qt keeps a restored window on a screen)
        width = self.settings.value("window/sidebar_width")
        if width is not None:
            self._sidebar_width = int(str(width))

    def save_settings(self) -> None:
        if self.settings is None:
            return
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/sidebar_width", self.splitter.sizes()[0])
        self.settings.sync()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.inactivity.watch(self)  # (its surface exists from the first show)
            # once the window manager has framed the window (at once offscreen, a moment later on X11)
            if self.fit_on_show:
                # now (before anything is painted), and once the window manager has framed it (a moment
                # later on X11; only then are the title bar's real margins known)
                self._fit_size = self.size()
                self.fit_to_screen()
                QTimer.singleShot(400, self, self.fit_to_screen)
            # Everything alive now (modules, Qt wrappers, the catalog) lives as long as the app: park it where
            # the cyclic collector never walks it again. A full collection over it took ~60 ms, and one that
            # starts in an import worker holds the interpreter, freezing the window (UX.md principle 7).
            gc.freeze()
            if not self.requirement_page.cards:  # after the first paint: a timer started now could fire before it
                # (watched on the stack, which paints whichever page the window opens on)
                AfterFirstPaint(self.stack, lambda: self.session.later(self.requirement_page.warm_up, 50))
        if self._sidebar_width:  # after the window has its real size, or the splitter squeezes it
            width, self._sidebar_width = self._sidebar_width, 0
            self.splitter.setSizes([width, max(1, self.splitter.width() - width - self.splitter.handleWidth())])

    def fit_to_screen(self) -> None:
        """Keep the whole window, title bar to status bar, inside the screen's working area: on a 1366×768
        laptop a 768 px tall window put its status bar ("Saved.", the import's progress, Undo) below the edge."""
        screen = self.screen()
        if screen is None or self.isMaximized() or self.isFullScreen() \
                or self.size() != self._fit_size:  # resized since it was shown: that size is the user's
            return
        area = screen.availableGeometry()
        frame, inner = self.frameGeometry(), self.geometry()
        extra_w, extra_h = frame.width() - inner.width(), frame.height() - inner.height()
        width = max(self.minimumWidth(), min(inner.width(), area.width() - extra_w))
        height = max(self.minimumHeight(), min(inner.height(), area.height() - extra_h))
        if (width, height) != (inner.width(), inner.height()):
            self.resize(width, height)
            self._fit_size = self.size()
        x = max(area.left(), min(frame.left(), area.right() + 1 - (width + extra_w)))
        y = max(area.top(), min(frame.top(), area.bottom() + 1 - (height + extra_h)))
        if (x, y) != (frame.left(), frame.top()):
            self.move(x, y)  # (move places the frame's corner)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.mode.may_close():
            event.ignore()
            return
        if self._review_page is not None and self._review_page.exporting and not self.force_close:
            self._review_page.cancel_export()  # a half-written packet is removed by the export itself
        self.flush_pages()
        self.save_settings()
        self.inactivity.stop()
        self.session.shutdown()
        self.session.blockSignals(True)  # nothing more reaches these views, whatever is torn down first
        undo_stack = getattr(self.mode.editor, "undo_stack", None)
        if undo_stack is not None:
            undo_stack.blockSignals(True)
        super().closeEvent(event)
        self.closed.emit()
