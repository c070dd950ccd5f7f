"""The main window (UX.md "Main window"): the checklist on the left, the selected page on the right.

The sidebar shows the progress as a sentence and a bar, the one next step, and the checklist model; the right
side stacks the requirement page, the profile and the review page. Menus give every action a keyboard path:
arrows move through the checklist, Enter opens, Ctrl+O attaches, Ctrl+E reviews and exports, F1 explains the
current requirement, Ctrl+Z undoes.
"""

from __future__ import annotations

import gc
import html
from pathlib import Path

from PySide6.QtCore import QItemSelection, QModelIndex, QPersistentModelIndex, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
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
from ecfmg_desk.ui import icons, prompts
from ecfmg_desk.ui.models import NOT_NEEDED_GROUP, STATE_ROLE, ChecklistModel
from ecfmg_desk.ui.profile import ProfilePage
from ecfmg_desk.ui.requirement import RequirementPage
from ecfmg_desk.ui.review import ReviewPage
from ecfmg_desk.ui.session import Session
from ecfmg_desk.ui.widgets import icon_button, muted, wrapping
from ecfmg_desk.ui.words import confidence_word

NOTICE_MS = 12_000
DEFAULT_SIZE = (1366, 768)
MINIMUM_SIZE = (1024, 700)


def first_sentence(text: str) -> str:
    head, sep, _rest = text.partition(". ")
    return head + "." if sep else text


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
    example_requested = Signal()
    closed = Signal()

    def __init__(self, session: Session, settings: QSettings | None = None) -> None:
        super().__init__()
        self.session = session
        self.settings = settings
        self._sidebar_width = 0
        self._shown_once = False
        self.setWindowIcon(icons.app_icon())
        self.setMinimumSize(*MINIMUM_SIZE)

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
        self.review_button = icon_button("review", self.tr("Review and export"), sidebar)
        buttons.addWidget(self.profile_button)
        buttons.addWidget(self.review_button, 1)
        side.addLayout(buttons)

        # -- pages --------------------------------------------------------------------------------------
        self.stack = QStackedWidget(self)
        self.requirement_page = RequirementPage(session, self.stack)
        self.profile_page = ProfilePage(session, self.stack)
        self.review_page = ReviewPage(session, self.stack)
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
        self.setCentralWidget(self.splitter)

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
        self.review_page.navigate.connect(self.navigate)
        session.changed.connect(self.refresh)
        session.notice.connect(self.show_notice)
        session.undoable.connect(lambda text: self.show_notice(text, offer_undo=True))
        session.busy_changed.connect(self._busy)
        session.import_progress.connect(self._import_progress)
        session.undo_stack.indexChanged.connect(self._update_undo)
        self.refresh()
        self._restore_settings()
        start = self._next_requirement() or (session.catalog.requirements[0].id if session.catalog.requirements
                                             else None)
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
        self.lock_icon.setPixmap(icons.pixmap("lock", 14, self.devicePixelRatioF()))
        self.lock_icon.setAccessibleName(self.tr("Encrypted"))
        self.vault_label = QLabel(self.tr("Vault: encrypted · All changes saved on this computer"), holder)
        self.vault_label.setAccessibleName(self.tr("Vault status"))
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
        file_menu = menu.addMenu(self.tr("&File"))
        self.attach_action = self._action(self.tr("&Attach a document…"), self.attach, QKeySequence.StandardKey.Open,
                                          "add")
        self.open_vault_action = self._action(self.tr("Open another &vault…"), self.choose_vault, None, "open")
        self.export_action = self._action(self.tr("&Review and export…"), self.open_review, "Ctrl+E", "export")
        self.quit_action = self._action(self.tr("&Quit"), self.close, QKeySequence.StandardKey.Quit)
        file_menu.addAction(self.attach_action)
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        file_menu.addAction(self.open_vault_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        edit_menu = menu.addMenu(self.tr("&Edit"))
        self.undo_action = self._action(self.tr("&Undo"), self.undo, QKeySequence.StandardKey.Undo, "undo")
        self.redo_action = self._action(self.tr("&Redo"), self.redo, QKeySequence.StandardKey.Redo)
        self.profile_action = self._action(self.tr("Your &profile"), self.open_profile, "Ctrl+Shift+P", "profile")
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.profile_action)

        view_menu = menu.addMenu(self.tr("&View"))
        self.checklist_action = self._action(self.tr("&Checklist"), self.focus_checklist, "Ctrl+L")
        self.show_not_needed_action = self._action(self.tr("Show items &not needed for you"),
                                                   self._toggle_not_needed)
        self.show_not_needed_action.setCheckable(True)
        view_menu.addAction(self.checklist_action)
        view_menu.addAction(self.profile_action)
        view_menu.addAction(self.export_action)
        view_menu.addSeparator()
        view_menu.addAction(self.show_not_needed_action)

        help_menu = menu.addMenu(self.tr("&Help"))
        self.help_action = self._action(self.tr("&Help for this item"), self.show_help,
                                        QKeySequence.StandardKey.HelpContents, "help")
        if self.help_action.shortcut().isEmpty():
            self.help_action.setShortcut(QKeySequence("F1"))
        self.example_action = self._action(self.tr("Open an &example packet…"), self.example_requested.emit)
        self.about_action = self._action(self.tr("&About ECFMG Desk"), self.about)
        help_menu.addAction(self.help_action)
        help_menu.addSeparator()
        help_menu.addAction(self.example_action)
        help_menu.addAction(self.about_action)
        self._update_undo()
        extension = menu.findChild(QToolButton, "qt_menubar_ext_button")
        if extension is not None:  # shown when the menus do not fit: Qt leaves it nameless
            extension.setAccessibleName(self.tr("More menus"))

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
        name = session.profile.name_of_record
        family = session.profile.family_name.strip()
        shown = (session.profile.given_names.strip() + " " + family.upper()).strip() if family else name
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

    def _show_next_step(self) -> None:
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
        self.navigate(target)

    def _busy(self, busy: bool) -> None:
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
        self.undo_button.setVisible(offer_undo and self.session.undo_stack.canUndo())
        self.undo_button.setToolTip(self.session.undo_stack.undoText())
        self._notice_timer.start()

    def _clear_notice(self) -> None:
        self.notice_label.clear()
        self.undo_button.hide()

    def _update_undo(self, *_args: object) -> None:
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
        if card is not None and card.fields:
            target = next(iter(card.fields.values()))
        target.setFocus(Qt.FocusReason.TabFocusReason)
        page.details.ensureWidgetVisible(target)

    def open_profile(self) -> None:
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
        self.requirement_page.flush()
        self.profile_page.flush()
        self.save_settings()
        self.session.shutdown()
        self.session.blockSignals(True)  # nothing more reaches these views, whatever is torn down first
        self.session.undo_stack.blockSignals(True)
        super().closeEvent(event)
        self.closed.emit()
