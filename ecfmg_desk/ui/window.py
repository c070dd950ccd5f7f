"""The main window (UX.md "Main window"): the checklist on the left, the selected page on the right.

The sidebar shows the progress as a sentence and a bar, the one next step, and the checklist model; the right
side stacks the requirement page, the profile and the review page. Menus give every action a keyboard path:
arrows move through the checklist, Enter opens, Ctrl+O attaches, Ctrl+E reviews and exports, F1 explains the
current requirement, Ctrl+Z undoes.

The same window shows an advisor's review of a student's bundle (UX.md principle 10): a session that is read-only
(:class:`~ecfmg_desk.ui.bundle_session.BundleSession`), a banner that says so, no editing control anywhere, and
Approve / Request changes beside each document; Ctrl+S saves the review.
"""

from __future__ import annotations

import gc
import html
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QItemSelection, QModelIndex, QPersistentModelIndex, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QPainter,
    QPixmap,
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
from ecfmg_desk.core.model import Finding
from ecfmg_desk.errors import DeskError, WrongPassphraseError
from ecfmg_desk.ui import icons, prompts
from ecfmg_desk.ui.lock import InactivityLock, LockScreen, check_passphrase
from ecfmg_desk.ui.models import NOT_NEEDED_GROUP, STATE_ROLE, ChecklistModel
from ecfmg_desk.ui.profile import ProfilePage
from ecfmg_desk.ui.requirement import RequirementPage
from ecfmg_desk.ui.review import ReviewPage
from ecfmg_desk.ui.reviewing import ReviewDraft
from ecfmg_desk.ui.session import Session
from ecfmg_desk.ui.settings import (
    forget_bundles,
    lock_minutes,
    os_user_name,
    recent_bundles,
    reviewer_name,
    set_reviewer_name,
)
from ecfmg_desk.ui.widgets import icon_button, local_paths, muted, wrapping
from ecfmg_desk.ui.words import confidence_word, format_date, plural, recent_bundle_text

if TYPE_CHECKING:
    from ecfmg_desk.ui.bundle_session import BundleSession

NOTICE_MS = 12_000
DEFAULT_SIZE = (1366, 768)
MINIMUM_SIZE = (1024, 700)


BUNDLE_SUFFIX = ".ecfmgpkt"
BANNER_STYLE = """
#reviewBanner { background: #1d3f66; border-bottom: 3px solid #e0a526; }
#reviewBanner QLabel { color: #ffffff; }
#reviewBanner QPushButton { color: #1d3f66; background: #ffffff; border: 1px solid #ffffff; border-radius: 4px;
                            padding: 4px 12px; font-weight: bold; }
#reviewBanner QPushButton:focus { border: 2px solid #e0a526; }
"""
"""Review mode's banner: deep blue with an amber edge, white text (readable in light and dark themes alike)."""


def first_sentence(text: str) -> str:
    head, sep, _rest = text.partition(". ")
    return head + "." if sep else text


def bundle_paths(paths: list[Path]) -> list[Path]:
    return [p for p in paths if p.suffix.lower() == BUNDLE_SUFFIX]


class ReviewBanner(QFrame):
    """"Reviewing Maria Jose Garcia Lopez's packet — read-only", the export date, and Save review."""

    def __init__(self, student: str, exported: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewBanner")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(BANNER_STYLE)
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 8, 16, 8)
        row.setSpacing(10)
        icon = QLabel(self)
        icon.setPixmap(_white_icon("review", 26, self.devicePixelRatioF()))
        icon.setAccessibleName(self.tr("Review mode"))
        column = QVBoxLayout()
        column.setSpacing(1)
        self.title_label = QLabel(self.tr("Reviewing {student}'s packet — read-only").format(student=student), self)
        font = self.title_label.font()
        font.setBold(True)
        if font.pointSizeF() > 0:
            font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title_label.setFont(font)
        self.title_label.setAccessibleName(self.title_label.text())
        self.detail_label = QLabel(exported, self)
        self.detail_label.setAccessibleName(exported)
        column.addWidget(self.title_label)
        column.addWidget(self.detail_label)
        self.save_button = QPushButton(self.tr("Save review…"), self)
        self.save_button.setAccessibleName(self.tr("Save review"))
        self.save_button.setToolTip(self.tr("Write your decisions and comments to a review file (Ctrl+S)"))
        row.addWidget(icon, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addLayout(column, 1)
        row.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignVCenter)

    def text(self) -> str:
        return self.title_label.text()


def _white_icon(name: str, size: int, ratio: float) -> QPixmap:
    """The icon drawn in white, for the banner's dark background."""
    pixmap = icons.pixmap(name, size, ratio)
    painter = QPainter(pixmap)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
    painter.fillRect(pixmap.rect(), QColor("#ffffff"))
    painter.end()
    return pixmap


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


class MainWindow(QMainWindow):
    open_vault_requested = Signal(Path)
    open_bundle_requested = Signal(Path)
    """A student's bundle to open in review mode (File → Open bundle, Recent bundles, a drop)."""
    example_requested = Signal()
    closed = Signal()

    def __init__(self, session: Session, settings: QSettings | None = None) -> None:
        super().__init__()
        self.session = session
        self.settings = settings
        self.review_mode = session.read_only
        draft = getattr(session, "draft", None)
        self.draft: ReviewDraft | None = draft if isinstance(draft, ReviewDraft) else None
        self.force_close = False
        """Set by the app when it quits: close without asking about an unsaved review."""
        self._sidebar_width = 0
        self._shown_once = False
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
        buttons = QHBoxLayout()
        self.profile_button = icon_button("profile", self.tr("Profile"), sidebar)
        self.profile_button.setAccessibleName(self.tr("Your profile"))
        self.review_button = icon_button(
            "review", self.tr("Review summary") if self.review_mode else self.tr("Review and export"), sidebar)
        buttons.addWidget(self.profile_button)
        buttons.addWidget(self.review_button, 1)
        self.profile_button.setVisible(not self.review_mode)  # a bundle carries no editable profile
        side.addLayout(buttons)

        # -- pages --------------------------------------------------------------------------------------
        self.stack = QStackedWidget(self)
        self.requirement_page = RequirementPage(session, self.stack)
        self.profile_page = ProfilePage(session, self.stack)
        self.review_page = ReviewPage(session, self.stack, settings)
        for page in (self.requirement_page, self.profile_page, self.review_page):
            self.stack.addWidget(page)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(sidebar)
        self.splitter.addWidget(self.stack)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        sidebar.setMinimumWidth(250)
        self.splitter.setSizes([340, 1026])
        self.banner: ReviewBanner | None = None
        if self.review_mode:
            central = QWidget(self)
            column = QVBoxLayout(central)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(0)
            self.banner = ReviewBanner(session.profile.name_of_record or self.tr("a student"),
                                       self._bundle_facts(), central)
            self.banner.save_button.clicked.connect(self.save_review)
            column.addWidget(self.banner)
            column.addWidget(self.splitter, 1)
            self.content: QWidget = central
        else:
            self.content = self.splitter
        # the content, or the lock screen in its place (UX.md principle 8)
        self.screens = QStackedWidget(self)
        self.screens.addWidget(self.content)
        self.lock_screen = LockScreen(self.screens)
        self.screens.addWidget(self.lock_screen)
        self.screens.setCurrentWidget(self.content)
        self.setCentralWidget(self.screens)
        self._wrapped_key: dict[str, Any] | None = None if self.review_mode else session.vault.wrapped_key()
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
        self.profile_button.clicked.connect(self.open_profile)
        self.review_button.clicked.connect(self.open_review)
        self.requirement_page.navigate.connect(self.navigate)
        self.requirement_page.review_requested.connect(self.open_review)
        self.requirement_page.bundle_dropped.connect(self.open_bundle_requested)
        self.review_page.navigate.connect(self.navigate)
        self.review_page.save_requested.connect(self.save_review)
        self.review_page.reviewer_change_requested.connect(self.change_reviewer)
        if self.draft is not None:
            self.draft.reviewer = self.draft.reviewer or reviewer_name(settings)
            self.draft.ask_reviewer = self._ask_reviewer
            self.draft.changed.connect(self._review_changed)
        session.changed.connect(self.refresh)
        session.notice.connect(self.show_notice)
        session.undoable.connect(lambda text: self.show_notice(text, offer_undo=True))
        session.busy_changed.connect(self._busy)
        session.import_progress.connect(self._import_progress)
        session.undo_stack.indexChanged.connect(self._update_undo)
        self.refresh()
        self._restore_settings()
        self.inactivity.start()
        start = self._next_requirement() or (session.catalog.requirements[0].id if session.catalog.requirements
                                             else None)
        if self.review_mode:
            first = self._first_unreviewed() or next(iter(session.documents), None)
            if first is not None:
                start = "translation" if first.is_translation else first.requirement
        if start:
            self.open_requirement(start)

    # -- building -------------------------------------------------------------------------------------------

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setSizeGripEnabled(True)
        holder = QWidget(bar)
        row = QHBoxLayout(holder)
        row.setContentsMargins(6, 0, 6, 0)
        row.setSpacing(6)
        self.lock_icon = QLabel(holder)
        self.lock_icon.setPixmap(icons.pixmap("review" if self.review_mode else "lock", 14, self.devicePixelRatioF()))
        self.lock_icon.setAccessibleName(self.tr("Read-only") if self.review_mode else self.tr("Encrypted"))
        self.vault_label = QLabel(
            self.tr("Bundle verified: every file matches its manifest · read-only") if self.review_mode
            else self.tr("Vault: encrypted · All changes saved on this computer"), holder)
        self.vault_label.setAccessibleName(self.tr("Bundle status") if self.review_mode else self.tr("Vault status"))
        self.notice_label = muted(QLabel(holder))
        self.notice_label.setAccessibleName(self.tr("Last action"))
        self.undo_button = QPushButton(self.tr("Undo"), holder)
        self.undo_button.setFlat(True)
        self.undo_button.setIcon(icons.icon("undo"))
        self.undo_button.setAccessibleName(self.tr("Undo"))
        self.undo_button.hide()
        self.undo_button.clicked.connect(self.undo)
        row.addWidget(self.lock_icon)
        row.addWidget(self.vault_label)
        row.addSpacing(16)
        row.addWidget(self.notice_label)
        row.addWidget(self.undo_button)
        row.addStretch(1)
        bar.addWidget(holder, 1)

        self.import_label = QLabel(bar)
        self.import_bar = QProgressBar(bar)
        self.import_bar.setFixedWidth(180)
        self.import_bar.setAccessibleName(self.tr("Import progress"))
        self.cancel_button = QPushButton(self.tr("Cancel"), bar)
        self.cancel_button.setAccessibleName(self.tr("Cancel the import"))
        self.cancel_button.clicked.connect(self.session.cancel_import)
        for widget in (self.import_label, self.import_bar, self.cancel_button):
            bar.addPermanentWidget(widget)
            widget.hide()
        self._notice_timer = QTimer(self)
        self._notice_timer.setSingleShot(True)
        self._notice_timer.setInterval(NOTICE_MS)
        self._notice_timer.timeout.connect(self._clear_notice)

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
        menu = self.menuBar()
        review = self.review_mode
        file_menu = menu.addMenu(self.tr("&File"))
        self.attach_action = self._action(self.tr("&Attach a document…"), self.attach, QKeySequence.StandardKey.Open,
                                          "add")
        self.open_vault_action = self._action(self.tr("Open another &vault…"), self.choose_vault, None, "open")
        self.export_action = self._action(self.tr("Review &summary") if review else self.tr("&Review and export…"),
                                          self.open_review, "Ctrl+E", "review" if review else "export")
        self.open_bundle_action = self._action(self.tr("Open a student's &bundle…"), self.choose_bundle,
                                               "Ctrl+Shift+O", "open")
        self.recent_menu = QMenu(self.tr("Recent &bundles"), self)
        self.recent_menu.setToolTipsVisible(True)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.save_review_action = self._action(self.tr("&Save review…"), self.save_review,
                                               QKeySequence.StandardKey.Save, "ready")
        self.load_review_action = self._action(self.tr("&Load review…"), self.load_review, None, "review")
        self.quit_action = self._action(self.tr("&Close this review") if review else self.tr("&Quit"), self.close,
                                        QKeySequence.StandardKey.Close if review else QKeySequence.StandardKey.Quit)
        if review:
            file_menu.addAction(self.save_review_action)
            file_menu.addSeparator()
            file_menu.addAction(self.open_bundle_action)
            file_menu.addMenu(self.recent_menu)
        else:
            file_menu.addAction(self.attach_action)
            file_menu.addAction(self.export_action)
            file_menu.addAction(self.load_review_action)
            file_menu.addSeparator()
            file_menu.addAction(self.open_vault_action)
            file_menu.addAction(self.open_bundle_action)
            file_menu.addMenu(self.recent_menu)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        for action in ((self.attach_action, self.open_vault_action, self.load_review_action) if review
                       else (self.save_review_action,)):
            action.setEnabled(False)  # not part of this mode (and its shortcut does nothing)

        self.undo_action = self._action(self.tr("&Undo"), self.undo, QKeySequence.StandardKey.Undo, "undo")
        self.redo_action = self._action(self.tr("&Redo"), self.redo, QKeySequence.StandardKey.Redo)
        self.profile_action = self._action(self.tr("Your &profile"), self.open_profile, "Ctrl+Shift+P", "profile")
        if not review:
            edit_menu = menu.addMenu(self.tr("&Edit"))
            self.edit_menu: QMenu | None = edit_menu
            edit_menu.addAction(self.undo_action)
            edit_menu.addAction(self.redo_action)
            edit_menu.addSeparator()
            edit_menu.addAction(self.profile_action)
        else:
            self.edit_menu = None
            self.profile_action.setEnabled(False)

        view_menu = menu.addMenu(self.tr("&View"))
        self.checklist_action = self._action(self.tr("&Checklist"), self.focus_checklist, "Ctrl+Shift+L")
        self.lock_action = self._action(self.tr("&Lock"), self.lock, "Ctrl+L", "lock")
        self.lock_action.setToolTip(self.tr("Hide everything until the recovery passphrase is typed"))
        self.show_not_needed_action = self._action(
            self.tr("Show items &not needed for this student") if review else self.tr("Show items &not needed for you"),
            self._toggle_not_needed)
        self.show_not_needed_action.setCheckable(True)
        view_menu.addAction(self.checklist_action)
        if not review:
            view_menu.addAction(self.profile_action)
        view_menu.addAction(self.export_action)
        view_menu.addSeparator()
        view_menu.addAction(self.show_not_needed_action)
        view_menu.addSeparator()
        view_menu.addAction(self.lock_action)

        help_menu = menu.addMenu(self.tr("&Help"))
        self.help_action = self._action(self.tr("&Help for this item"), self.show_help,
                                        QKeySequence.StandardKey.HelpContents, "help")
        if self.help_action.shortcut().isEmpty():
            self.help_action.setShortcut(QKeySequence("F1"))
        self.example_action = self._action(self.tr("Open an &example packet…"), self.example_requested.emit)
        self.about_action = self._action(self.tr("&About ECFMG Desk"), self.about)
        help_menu.addAction(self.help_action)
        help_menu.addSeparator()
        if not review:
            help_menu.addAction(self.example_action)
        help_menu.addAction(self.about_action)
        self._update_undo()
        extension = menu.findChild(QToolButton, "qt_menubar_ext_button")
        if extension is not None:  # shown when the menus do not fit: Qt leaves it nameless
            extension.setAccessibleName(self.tr("More menus"))

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
            action.setToolTip(str(item.path))
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
        self._show_next_step()
        self._update_title()

    def _update_title(self) -> None:
        """The applicant's name in the title bar; none while locked (a taskbar shows it too)."""
        if self.locked:
            self.setWindowTitle(self.tr("{app} — Locked[*]").format(app=APP_NAME))
            return
        session = self.session
        name = session.profile.name_of_record
        family = session.profile.family_name.strip()
        shown = (session.profile.given_names.strip() + " " + family.upper()).strip() if family else name
        if self.review_mode:
            self.setWindowTitle(self.tr("{app} — Review: {student}[*]").format(app=APP_NAME, student=shown))
            self.setWindowModified(bool(self.draft and self.draft.dirty))
        else:
            self.setWindowTitle(f"{APP_NAME} — {shown}" if shown else APP_NAME)

    def _expand(self) -> None:
        show_all = self.show_not_needed_action.isChecked()
        for row in range(self.model.rowCount()):
            index = self.model.index(row, 0)
            self.checklist.setFirstColumnSpanned(row, QModelIndex(), True)
            hidden_group = index.data(STATE_ROLE) == NOT_NEEDED_GROUP
            self.checklist.setExpanded(index, not hidden_group or show_all)
            if hidden_group:
                item = self.model.item(row)
                title = self.tr("Not needed for you ({n})").format(n=item.rowCount()).upper()
                item.setText(f"{title}  {'▾' if show_all else '▸'}")
                item.setToolTip(self.tr("Items your answers and documents do not call for. Click to show them."))

    def _toggle_not_needed(self) -> None:
        self._expand()

    def _first_blocking(self) -> Finding | None:
        result = self.session.result
        return next(iter(result.errors), None) or next(iter(result.warnings), None)

    def _next_requirement(self) -> str | None:
        finding = self._first_blocking()
        if finding is None:
            return None
        return "profile" if finding.code == "missing-details" and finding.document is None else finding.requirement

    def _first_unreviewed(self) -> Any:
        """Review mode: the first document (in checklist order) without a decision yet."""
        if self.draft is None:
            return None
        order = {r.id: i for i, r in enumerate(self.session.catalog.requirements)}
        pending = [d for d in self.session.documents if self.draft.decision(d.id) is None]
        pending.sort(key=lambda d: order.get("translation" if d.is_translation else d.requirement, len(order)))
        return pending[0] if pending else None

    def _show_next_step(self) -> None:
        if self.review_mode:
            label = html.escape(self.tr("Next:"))
            document = self._first_unreviewed()
            if document is not None:
                target = "translation" if document.is_translation else document.requirement
                link = self.tr("review {title}").format(title=self.session.title_of(document))
            elif self.draft is not None and self.draft.dirty:
                target, link = "#save", self.tr("save your review (Ctrl+S)")
            else:
                target, link = "review", self.tr("every document has a decision; see the summary")
            self.next_label.setText(f"<b>{label}</b> <a href=\"{html.escape(target)}\">{html.escape(link)}</a>")
            self.next_label.setToolTip("")
            return
        finding = self._first_blocking()
        if finding is None:
            text = self.tr("Everything is ready.")
            target = "review"
            link = self.tr("Review and export your packet")
        else:
            target = self._next_requirement() or "review"
            text = ""
            link = first_sentence(finding.fix)
        label = html.escape(self.tr("Next:"))
        self.next_label.setText(f"<b>{label}</b> {html.escape(text)} <a href=\"{html.escape(target)}\">"
                                f"{html.escape(link)}</a>")
        self.next_label.setToolTip(finding.fix if finding else "")

    def _next_link(self, target: str) -> None:
        if target == "#save":
            self.save_review()
        else:
            self.navigate(target)

    def _busy(self, busy: bool) -> None:
        if self.locked:  # the import goes on; the status bar shows only its bar (no file names)
            self.import_bar.setVisible(busy)
            return
        for widget in (self.import_label, self.import_bar, self.cancel_button):
            widget.setVisible(busy)
        self.attach_action.setEnabled(not busy)
        self._update_undo()
        if busy:
            self.cancel_button.setEnabled(True)

    def _import_progress(self, label: str, done: int, total: int) -> None:
        self.import_label.setText(self.tr("Importing {name}…").format(name=label))
        self.import_bar.setRange(0, max(1, total))
        self.import_bar.setValue(done)

    def show_notice(self, text: str, *, offer_undo: bool = False) -> None:
        """A short message in the status bar for a few seconds; after a removal, with an Undo button."""
        self.notice_label.setText(text)
        self.undo_button.setVisible(offer_undo and self.session.undo_stack.canUndo() and not self.locked)
        self.undo_button.setToolTip(self.session.undo_stack.undoText())
        self._notice_timer.start()

    def _clear_notice(self) -> None:
        self.notice_label.clear()
        self.undo_button.hide()

    def _update_undo(self, *_args: object) -> None:
        if self.locked:  # brought up to date on unlocking
            return
        stack = self.session.undo_stack
        busy = self.session.importing
        self.undo_action.setEnabled(stack.canUndo() and not busy)
        self.redo_action.setEnabled(stack.canRedo() and not busy)
        self.undo_action.setText(self.tr("&Undo {what}").format(what=stack.undoText()) if stack.canUndo()
                                 else self.tr("&Undo"))
        self.redo_action.setText(self.tr("&Redo {what}").format(what=stack.redoText()) if stack.canRedo()
                                 else self.tr("&Redo"))
        if not stack.canUndo():
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
        self.requirement_page.flush()
        self.profile_page.flush()
        focused = QApplication.focusWidget()
        self._focus_before_lock = focused if focused is not None and self.isAncestorOf(focused) else None
        if self.review_mode:
            self.lock_screen.prepare("", asks_passphrase=False, note=self.tr(
                "The student's packet is hidden. Click Unlock to show it again."))
        else:
            if not self.session.importing:  # (the vault is busy while an import writes: keep what was read)
                self._wrapped_key = self.session.vault.wrapped_key()
            place = self.tr("Vault folder: {name}").format(name=self.session.vault.path.name)
            if self._wrapped_key is not None:
                self.lock_screen.prepare(place, asks_passphrase=True,
                                         note=self.tr("Type your recovery passphrase to unlock."))
            else:
                self.lock_screen.prepare(place, asks_passphrase=False, note=self.tr(
                    "This vault has no recovery passphrase: set one in the Profile page to protect the lock."))
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
        if self.lock_screen.asks_passphrase and self._wrapped_key is not None:
            if not passphrase:
                self.lock_screen.show_error(self.tr("Type your recovery passphrase."))
                return
            try:
                check_passphrase(self._wrapped_key, passphrase)
            except WrongPassphraseError as exc:
                self.lock_screen.show_error(exc.message)
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
        if not self.review_mode:
            self.attach_action.setEnabled(not busy)
        self.notice_label.show()
        self._update_undo()
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
        if target == "profile":
            self.open_profile()
        elif target == "review":
            self.open_review()
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
        self.profile_page.flush()
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
        if self.review_mode:  # a bundle carries only the student's names: there is no profile to edit
            return
        self.requirement_page.flush()
        self.checklist.selectionModel().clearSelection()  # the sidebar shows no item as open
        self.stack.setCurrentWidget(self.profile_page)
        self.profile_page.form.given_names.setFocus()

    def open_review(self) -> None:
        self.requirement_page.flush()
        self.profile_page.flush()
        self.checklist.selectionModel().clearSelection()
        self.stack.setCurrentWidget(self.review_page)
        self.review_page.view.setFocus()

    def focus_checklist(self) -> None:
        self.checklist.setFocus()

    def current_page(self) -> QWidget | None:
        return self.stack.currentWidget()

    # -- actions --------------------------------------------------------------------------------------------

    def attach(self) -> None:
        if self.stack.currentWidget() is not self.requirement_page or self.requirement_page.requirement is None:
            target = self.current_requirement() or self._next_requirement()
            if target and target not in ("profile", "review"):
                self.open_requirement(target)
        self.requirement_page.browse()

    def undo(self) -> None:
        if self.session.importing:
            return
        self.requirement_page.flush()
        self.session.undo_stack.undo()
        self._clear_notice()

    def redo(self) -> None:
        if not self.session.importing:
            self.session.undo_stack.redo()

    def show_help(self) -> None:
        requirement = self.session.requirement(self.requirement_page.requirement_id or "")
        if self.stack.currentWidget() is not self.requirement_page or requirement is None:
            prompts.show_help(self, self.tr("Help"), html.escape(self.session.catalog.disclaimer))
            return
        parts = [f"<h3>{html.escape(requirement.title)}</h3>", f"<p>{html.escape(requirement.help)}</p>"]
        if requirement.how_to_add:
            how = html.escape(self.tr("How to add it:"))
            parts.append(f"<p><b>{how}</b> {html.escape(requirement.how_to_add)}</p>")
        sources = "".join(
            f"<li>{html.escape(s.title)} — <i>{html.escape(confidence_word(s.confidence))}</i>"
            + (f"<br><small>{html.escape(s.note)}</small>" if s.note else "") + "</li>"
            for s in requirement.sources
        )
        parts.append(f"<p><b>{html.escape(self.tr('Sources'))}</b></p><ul>{sources}</ul>")
        parts.append(f"<p><small>{html.escape(self.session.catalog.disclaimer)}</small></p>")
        prompts.show_help(self, self.tr("Help: {title}").format(title=requirement.title), "".join(parts))

    # -- bundles and reviews --------------------------------------------------------------------------------

    @property
    def bundle_session(self) -> BundleSession | None:
        """The session as review mode knows it (``None`` for the student's own vault)."""
        return cast("BundleSession", self.session) if self.review_mode else None

    def _bundle_facts(self) -> str:
        parts = []
        if self.bundle_session is not None:
            parts.append(self.tr("Exported {date}").format(date=format_date(self.bundle_session.exported)))
        parts.append(self.tr("every file verified intact"))
        parts.append(plural(len(self.session.documents), self.tr("document"), self.tr("documents")))
        result = self.session.result
        parts.append(self.tr("ready when exported") if result.ready else plural(
            len(result.errors), self.tr("problem"), self.tr("problems")) + self.tr(" when exported"))
        return " · ".join(parts)

    def choose_bundle(self) -> None:
        """File → Open a student's bundle… (Ctrl+Shift+O)."""
        bundle = self.bundle_session
        start = bundle.bundle_path.parent if bundle is not None else Path.home()
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

    def _ask_reviewer(self) -> bool:
        """Before the first decision: the name the review is signed with (asked once, kept in the settings)."""
        if self.draft is None:
            return False
        name = prompts.ask_text(self, self.tr("Your name as reviewer"), self.tr(
            "Your decisions and comments are signed with this name, as the student will see it:"),
            reviewer_name(self.settings) or os_user_name())
        if not name:
            return False
        set_reviewer_name(self.settings, name)
        self.draft.set_reviewer(name)
        return True

    def change_reviewer(self) -> None:
        if self.draft is None:
            return
        name = prompts.ask_text(self, self.tr("Your name as reviewer"), self.tr(
            "Your decisions and comments are signed with this name, as the student will see it:"),
            self.draft.reviewer or reviewer_name(self.settings) or os_user_name())
        if name:
            set_reviewer_name(self.settings, name)
            self.draft.set_reviewer(name)

    def _review_changed(self, _document_id: str) -> None:
        self.setWindowModified(bool(self.draft and self.draft.dirty))
        self._show_next_step()

    def save_review(self) -> bool:
        """Ctrl+S in review mode: write REVIEW.json where the advisor says; True once it is saved."""
        draft, bundle = self.draft, self.bundle_session
        if draft is None or bundle is None:
            return False
        if draft.is_empty and not draft.dirty:
            prompts.show_info(self, self.tr("Nothing to save yet"), self.tr(
                "Approve documents or request changes (with a comment saying what to change) first."))
            return False
        if not draft.reviewer and not self._ask_reviewer():
            return False
        suggested = bundle.saved_to or bundle.suggested_review_path()
        path = prompts.choose_save_path(self, self.tr("Save your review"), suggested, prompts.REVIEW_FILTER)
        if path is None:
            return False
        if path.suffix.lower() != ".json":
            path = path.with_name(path.name + ".json")
        try:
            bundle.save_review(path)
        except DeskError as exc:
            prompts.show_error(self, self.tr("The review was not saved"), exc.message)
            return False
        student = self.session.profile.name_of_record or self.tr("the student")
        self.show_notice(self.tr("Review saved to {name}. Send it to {student}.").format(name=path.name,
                                                                                      student=student))
        return True

    def load_review(self) -> None:
        """File → Load review… (the student's side): the advisor's decisions and comments into the vault."""
        if self.review_mode:
            return
        path = prompts.choose_open_path(self, self.tr("Load your advisor's review"), Path.home(),
                                        prompts.REVIEW_FILTER)
        if path is None:
            return

        def load() -> None:
            try:
                applied = self.session.load_review(path)
            except DeskError as exc:
                prompts.show_error(self, self.tr("The review was not loaded"), exc.message)
                return
            changes = [d for d in self.session.documents
                       if d.review is not None and d.review.decision == "changes" and not d.review.stale]
            approved = [d for d in self.session.documents
                        if d.review is not None and d.review.decision == "approved" and not d.review.stale]
            lines = [self.tr("{who} reviewed {count}: {approved} approved, {changes}.").format(
                who=applied.reviewer, count=plural(applied.applied, self.tr("document"), self.tr("documents")),
                approved=len(approved), changes=plural(len(changes), self.tr("change requested"),
                                                        self.tr("changes requested")))]
            if applied.skipped:
                lines.append(plural(applied.skipped, self.tr("document"), self.tr("documents"))
                             + self.tr(" in the review are no longer in your packet."))
            if changes:
                lines.append(self.tr("Each document shows your advisor's comments; the Problems list says what "
                                     "to change."))
            self.show_notice(self.tr("Loaded {who}'s review.").format(who=applied.reviewer))
            prompts.show_info(self, self.tr("Review loaded"), "\n\n".join(lines))
            if changes:
                first = changes[0]
                self.open_requirement("translation" if first.is_translation else first.requirement)

        self.requirement_page.flush()
        self.session.when_vault_free(load)

    def choose_vault(self) -> None:
        start = self.session.vault.path.parent
        folder = prompts.choose_directory(self, self.tr("Open a vault folder"), start)
        if folder is not None:
            self.open_vault_requested.emit(folder)

    def about(self) -> None:
        from ecfmg_desk import __version__

        prompts.show_info(self, self.tr("About ECFMG Desk"), self.tr(
            "ECFMG Desk {version}\n\nPrepare and check your ECFMG certification documents, offline. Your documents "
            "stay encrypted on this computer.\n\n{disclaimer}").format(version=__version__,
                                                                     disclaimer=self.session.catalog.disclaimer))

    # -- settings and closing -------------------------------------------------------------------------------

    def _restore_settings(self) -> None:
        self.resize(*DEFAULT_SIZE)
        screen = self.screen()
        if screen is not None:
            available = screen.availableGeometry()
            width = min(DEFAULT_SIZE[0], available.width())
            height = min(DEFAULT_SIZE[1], available.height())
            self.resize(max(min(MINIMUM_SIZE[0], available.width()), width),
                        max(min(MINIMUM_SIZE[1], available.height()), height))
        if self.settings is None:
            return
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
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
            # Everything alive now (modules, Qt wrappers, the catalog) lives as long as the app: park it where
            # the cyclic collector never walks it again. A full collection over it took ~60 ms, and one that
            # starts in an import worker holds the interpreter, freezing the window (UX.md principle 7).
            gc.freeze()
            if not self.requirement_page.cards:
                self.session.later(self.requirement_page.warm_up, 50)
        if self._sidebar_width:  # after the window has its real size, or the splitter squeezes it
            width, self._sidebar_width = self._sidebar_width, 0
            self.splitter.setSizes([width, max(1, self.splitter.width() - width)])

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.draft is not None and self.draft.dirty and not self.force_close:
            answer = prompts.ask_unsaved(self, self.tr("Save your review?"), self.tr(
                "Your decisions and comments on {student}'s packet are not saved yet. Save them before closing?"
            ).format(student=(self.session.profile.name_of_record if not self.locked else "")
                     or self.tr("the student")))  # a locked window names nobody, even when asked to close
            if answer == "cancel" or (answer == "save" and not self.save_review()):
                event.ignore()
                return
        if self.review_page.exporting and not self.force_close:
            self.review_page.cancel_export()  # a half-written packet is removed by the export itself
        self.requirement_page.flush()
        self.profile_page.flush()
        self.save_settings()
        self.inactivity.stop()
        self.session.shutdown()
        self.session.blockSignals(True)  # nothing more reaches these views, whatever is torn down first
        self.session.undo_stack.blockSignals(True)
        super().closeEvent(event)
        self.closed.emit()
