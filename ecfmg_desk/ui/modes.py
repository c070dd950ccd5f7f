"""The two modes of the main window: the student's vault and an advisor's review of a bundle.

:class:`~ecfmg_desk.ui.window.MainWindow` is a shell (sidebar, pages, status bar, lock, navigation) that asks its
mode everything that differs: which editor or review draft the pages get, the menus, the words in the title and
the status bar, the next step, what locking asks for, and whether the window may close. These two classes are
the only place in the UI that knows there are two modes; pages only see a read-only
:class:`~ecfmg_desk.ui.view.PacketView` and, maybe, an editor or a draft.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QColor, QKeySequence, QPainter, QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMenu, QPushButton, QVBoxLayout, QWidget

from ecfmg_desk.core.model import Document, Finding
from ecfmg_desk.errors import AdvisorKeyChangedError, DeskError, WrongPassphraseError
from ecfmg_desk.ui import icons, prompts
from ecfmg_desk.ui.lock import check_passphrase
from ecfmg_desk.ui.pages import REVIEW, STUDENT, SidebarPage
from ecfmg_desk.ui.reviewing import ReviewDraft
from ecfmg_desk.ui.settings import os_user_name, reviewer_name, set_reviewer_name
from ecfmg_desk.ui.view import PacketEditor, PacketView
from ecfmg_desk.ui.widgets import plain_label
from ecfmg_desk.ui.words import format_date, plural

if TYPE_CHECKING:
    from ecfmg_desk.packet.apply import AppliedReview
    from ecfmg_desk.ui.bundle_session import BundleSession
    from ecfmg_desk.ui.session import Session
    from ecfmg_desk.ui.window import MainWindow
    from ecfmg_desk.vault.store import Vault


def tr(text: str) -> str:
    return QCoreApplication.translate("MainWindow", text)


def first_sentence(text: str) -> str:
    head, sep, _rest = text.partition(". ")
    return head + "." if sep else text


class WindowMode:
    """What the shell asks its mode. The defaults are those of a window that only shows."""

    name = ""
    editor: PacketEditor | None = None
    draft: ReviewDraft | None = None
    exporter: Vault | None = None
    """A vault the review page exports from without an editor (one that can only be read)."""

    def __init__(self, view: PacketView) -> None:
        self.view = view
        self._window: MainWindow | None = None

    @property
    def window(self) -> MainWindow:
        assert self._window is not None, "the mode is used by its window only"
        return self._window

    # -- building ---------------------------------------------------------------------------------------

    @property
    def review_title(self) -> str:
        return tr("Review summary")

    def export_words(self) -> tuple[str, str]:
        """File → (text, icon) of the action that opens the review page."""
        return tr("Review &summary"), "review"

    def wrap(self, content: QWidget) -> QWidget:
        """The window's content (sidebar and pages), maybe inside something (the review banner)."""
        return content

    def install(self, window: MainWindow) -> None:
        """The window's pages and actions exist: add this mode's pages, fill the menus, connect its signals."""
        self._window = window

    def end_file_menu(self, file_menu: QMenu, *, open_vault: bool = True, quit_text: str = "",
                      quit_key: QKeySequence.StandardKey = QKeySequence.StandardKey.Quit) -> None:
        """The File menu's last entries, alike in every mode: another vault (where the mode opens one), a
        student's bundle, the recent bundles, and Quit (``quit_text``: a review window only closes itself)."""
        window = self.window
        file_menu.addSeparator()
        if open_vault:
            file_menu.addAction(window.open_vault_action)
        file_menu.addAction(window.open_bundle_action)
        file_menu.addMenu(window.recent_menu)
        file_menu.addSeparator()
        file_menu.addAction(window.quit_action)
        window.quit_action.setText(quit_text or tr("&Quit"))
        window.quit_action.setShortcut(QKeySequence(quit_key))

    def status_words(self) -> tuple[str, str, str, str]:
        """(icon, icon's accessible name, text, text's accessible name) for the left of the status bar."""
        return "lock", tr("Encrypted"), "", tr("Status")

    def not_needed_words(self) -> str:
        return tr("Show items &not needed for you")

    def not_needed_heading(self, count: int) -> tuple[str, str]:
        """The checklist's heading over the items not needed, and its tooltip: in the reader's own terms."""
        return (tr("Not needed for you ({n})").format(n=count),
                tr("Items your answers and documents do not call for. Click to show them."))

    def start_page(self) -> str | None:
        return None

    # -- state ------------------------------------------------------------------------------------------

    def next_step(self) -> tuple[str, str]:
        """The sidebar's "Next:" line as rich text with one link, and its tooltip."""
        return "", ""

    def next_link(self, target: str) -> bool:
        """A link in the next step that is not a page (True: handled)."""
        return False

    def notices(self, notices: list[str]) -> list[str]:
        """Which of the vault's opening notices the window shows (a mode may say one in its own words)."""
        return notices

    def title(self, shown: str) -> str:
        from ecfmg_desk import APP_NAME

        return f"{APP_NAME} — {shown}" if shown else APP_NAME

    def set_busy(self, busy: bool) -> None:
        """An import started or ended (the window shows its progress)."""

    def update_actions(self) -> None:
        """Bring the mode's actions (Undo, Redo) up to date."""

    def can_undo(self) -> tuple[bool, str]:
        return False, ""

    # -- locking and closing ----------------------------------------------------------------------------

    def prepare_lock(self) -> None:
        self.window.lock_screen.prepare("", asks_passphrase=False, note=tr("Click Unlock to show it again."))

    def unlock_error(self, passphrase: str) -> str | None:
        """Why the lock screen stays (a message), or ``None`` to unlock."""
        return None

    def may_close(self) -> bool:
        return True

    # -- actions (each mode enables only its own) -------------------------------------------------------

    def attach(self) -> None: ...
    def undo(self) -> None: ...
    def redo(self) -> None: ...
    def cancel_import(self) -> None: ...
    def load_review(self) -> None: ...
    def choose_vault(self) -> None: ...

    def save_review(self) -> bool:
        return False


def mode_for(view: PacketView) -> WindowMode:
    """The mode that goes with a session: the vault's is the student's, a bundle's the advisor's."""
    from ecfmg_desk.ui.session import Session

    if isinstance(view, Session):
        return ReadOnlyVaultMode(view) if view.read_only else StudentMode(view)
    from ecfmg_desk.ui.bundle_session import BundleSession

    if isinstance(view, BundleSession):
        return ReviewMode(view)
    return WindowMode(view)


# ============================================================================================ the student


class StudentMode(WindowMode):
    """The applicant's own vault: everything editable, undo, export, the profile, load an advisor's review."""

    name = STUDENT

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.session = session
        self.editor = session
        self._wrapped_key: dict[str, Any] | None = session.vault.wrapped_key()
        self.plan_banner: QWidget | None = None

    def wrap(self, content: QWidget) -> QWidget:
        """On opening the vault, a banner says what is overdue or due soon (the Plan page's)."""
        from ecfmg_desk.ui.plan_page import with_banner

        wrapped, self.plan_banner = with_banner(content, self.session, self.editor)
        return wrapped

    @property
    def review_title(self) -> str:
        return tr("Review and export")

    def export_words(self) -> tuple[str, str]:
        return tr("&Review and export…"), "export"

    def install(self, window: MainWindow) -> None:
        super().install(window)
        session = self.session
        self._build_menus()
        from ecfmg_desk.ui.backups import Backups

        self.backups = Backups(window, session)
        window.backup_action.triggered.connect(self.backups.back_up)
        window.restore_action.triggered.connect(self.backups.restore)
        self._add_profile_and_plan(window, editable=True)
        session.undoable.connect(lambda text: window.show_notice(text, offer_undo=True))
        session.undo_stack.indexChanged.connect(lambda _index: self.update_actions())
        window.undo_button.clicked.connect(window.undo)
        window.cancel_button.clicked.connect(self.cancel_import)
        self.update_actions()

    def _add_profile_and_plan(self, window: MainWindow, *, editable: bool) -> None:
        """The profile page first in the sidebar (read-only where the vault cannot change), and the plan
        banner's link to the Plan page."""
        session = self.session

        def make_profile(view: PacketView, editor: PacketEditor | None, parent: QWidget) -> QWidget:
            from ecfmg_desk.ui.profile import ProfilePage  # made when first opened, not at start-up

            return ProfilePage(session, parent, editable=editable)

        window.add_page(SidebarPage("profile", tr("Profile"), "profile", make_profile,
                                    accessible_name=tr("Your profile")), action=window.profile_action, first=True)
        window.profile_button = window.page_buttons["profile"]
        show_plan = getattr(self.plan_banner, "show_plan", None)
        if show_plan is not None:
            show_plan.connect(lambda: window.navigate("plan"))
            window.page_opened.connect(self._plan_seen)

    def _plan_seen(self, key: str) -> None:
        """The Plan page says what the banner said (the same sentence, first thing): once it is opened, by any
        way, the banner has done its work."""
        banner, dismiss = self.plan_banner, getattr(self.plan_banner, "dismiss", None)
        if key == "plan" and banner is not None and dismiss is not None and shiboken6.isValid(banner):
            dismiss()
            self.plan_banner = None

    def _build_menus(self) -> None:
        window = self.window
        menu = window.menuBar()
        file_menu = menu.addMenu(tr("&File"))
        for action in (window.attach_action, window.export_action, window.load_review_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(window.backup_action)
        file_menu.addAction(window.restore_action)
        self.end_file_menu(file_menu)
        window.save_review_action.setEnabled(False)  # not part of this mode (and its shortcut does nothing)

        edit_menu = menu.addMenu(tr("&Edit"))
        window.edit_menu = edit_menu
        edit_menu.addAction(window.undo_action)
        edit_menu.addAction(window.redo_action)
        edit_menu.addSeparator()
        edit_menu.addAction(window.profile_action)

        view_menu = window.build_view_menu()
        view_menu.insertAction(window.export_action, window.profile_action)
        help_menu = window.build_help_menu()
        help_menu.insertAction(window.about_action, window.example_action)

    def status_words(self) -> tuple[str, str, str, str]:
        return "lock", tr("Encrypted"), tr("Vault: encrypted · All changes saved on this computer"), \
            tr("Vault status")

    def start_page(self) -> str | None:
        catalog = self.session.catalog
        return self._next_requirement() or (catalog.requirements[0].id if catalog.requirements else None)

    def _first_blocking(self) -> Finding | None:
        result = self.session.result
        return next(iter(result.errors), None) or next(iter(result.warnings), None)

    def _next_requirement(self) -> str | None:
        finding = self._first_blocking()
        if finding is None:
            return None
        return "profile" if finding.code == "missing-details" and finding.document is None else finding.requirement

    def next_step(self) -> tuple[str, str]:
        finding = self._first_blocking()
        if finding is None:
            text = tr("Everything is ready.")
            target = "review"
            link = tr("Review and export your packet")
        else:
            target = self._next_requirement() or "review"
            questions = len(self.session.result.open_questions)
            text = "" if not self.session.result.ready or not questions else (
                tr("Ready, with 1 question still to answer.") if questions == 1
                else tr("Ready, with {n} questions still to answer.").format(n=questions))
            requirement = self.session.requirement(finding.requirement)
            link = first_sentence(finding.fix) if finding.code != "unconfirmed" or requirement is None else \
                tr("Answer the questions about your {noun}").format(noun=requirement.noun)  # (which ones, and where)
        label = html.escape(tr("Next:"))
        return (f"<b>{label}</b> {html.escape(text)} <a href=\"{html.escape(target)}\">{html.escape(link)}</a>",
                finding.fix if finding else "")

    def set_busy(self, busy: bool) -> None:
        self.window.attach_action.setEnabled(not busy)
        self.update_actions()

    def update_actions(self) -> None:
        window = self.window
        if window.locked:  # brought up to date on unlocking
            return
        stack = self.session.undo_stack
        busy = self.session.importing
        window.attach_action.setEnabled(not busy)
        window.undo_action.setEnabled(stack.canUndo() and not busy)
        window.redo_action.setEnabled(stack.canRedo() and not busy)
        window.undo_action.setText(tr("&Undo {what}").format(what=stack.undoText()) if stack.canUndo()
                                   else tr("&Undo"))
        window.redo_action.setText(tr("&Redo {what}").format(what=stack.redoText()) if stack.canRedo()
                                   else tr("&Redo"))
        if not stack.canUndo():
            window.undo_button.hide()
        self.backups.update_reminder()

    def can_undo(self) -> tuple[bool, str]:
        stack = self.session.undo_stack
        return stack.canUndo(), stack.undoText()

    def prepare_lock(self) -> None:
        self.backups.reminder.hide()  # (shown again on unlocking; a locked window offers nothing to click)
        self._prepare_passphrase_lock()

    def _prepare_passphrase_lock(self) -> None:
        session = self.session
        if not session.importing:  # (the vault is busy while an import writes: keep what was read)
            self._wrapped_key = session.vault.wrapped_key()
        place = tr("Vault folder: {name}").format(name=session.vault.path.name)
        if self._wrapped_key is not None:
            self.window.lock_screen.prepare(place, asks_passphrase=True,
                                            note=tr("Type your recovery passphrase to unlock."))
        else:
            self.window.lock_screen.prepare(place, asks_passphrase=False, note=tr(
                "This vault has no recovery passphrase: set one in the Profile page to protect the lock."))

    def unlock_error(self, passphrase: str) -> str | None:
        if self.window.lock_screen.asks_passphrase and self._wrapped_key is not None:
            if not passphrase:
                return tr("Type your recovery passphrase.")
            try:
                check_passphrase(self._wrapped_key, passphrase)
            except WrongPassphraseError as exc:
                return exc.message
        return None

    # -- actions ----------------------------------------------------------------------------------------

    def attach(self) -> None:
        window = self.window
        page = window.requirement_page
        if window.current_page() is not page or page.requirement is None:
            target = window.current_requirement() or self._next_requirement()
            if target and target not in ("profile", "review"):
                window.open_requirement(target)
        page.browse()

    def undo(self) -> None:
        if self.session.importing:
            return
        self.window.flush_pages()
        self.session.undo_stack.undo()
        self.window.clear_notice()

    def redo(self) -> None:
        if not self.session.importing:
            self.session.undo_stack.redo()

    def cancel_import(self) -> None:
        self.session.cancel_import()

    def choose_vault(self) -> None:
        start = self.session.vault.path.parent
        folder = prompts.choose_directory(self.window, tr("Open a vault folder"), start)
        if folder is not None:
            self.window.open_vault_requested.emit(folder)

    def load_review(self) -> None:
        """File → Load review…: the advisor's decisions and comments into the vault."""
        window, session = self.window, self.session
        path = prompts.choose_open_path(window, tr("Load your advisor's review"), Path.home(), prompts.REVIEW_FILTER)
        if path is None:
            return

        def load() -> None:
            try:
                try:
                    applied = session.load_review(path)
                except AdvisorKeyChangedError as exc:
                    if not prompts.ask_yes_no(window, tr("This review may not be from your advisor"), exc.message
                                              + "\n\n" + tr("Load it anyway?"), yes=tr("Load it anyway"),
                                              no=tr("Do not load it"), warning=True):
                        return
                    applied = session.load_review(path, accept_new_key=True)
            except DeskError as exc:
                prompts.show_error(window, tr("The review was not loaded"), exc.message)
                return
            changes = [d for d in session.documents
                       if d.review is not None and d.review.decision == "changes" and not d.review.stale]
            approved = [d for d in session.documents
                        if d.review is not None and d.review.decision == "approved" and not d.review.stale]
            lines = [signature_words(applied), tr("{who} reviewed {count}: {approved} approved, {changes}.").format(
                who=applied.reviewer, count=plural(applied.applied, tr("document"), tr("documents")),
                approved=len(approved), changes=plural(len(changes), tr("change requested"),
                                                        tr("changes requested")))]
            if applied.skipped:
                lines.append(plural(applied.skipped, tr("document"), tr("documents"))
                             + tr(" in the review are no longer in your packet."))
            if changes:
                lines.append(tr("Each document shows your advisor's comments; the Problems list says what to change."))
            window.show_notice(tr("Loaded {who}'s review.").format(who=applied.reviewer))
            prompts.show_info(window, tr("Review loaded"), "\n\n".join(lines))
            if changes:
                first = changes[0]
                window.open_requirement("translation" if first.is_translation else first.requirement)

        window.flush_pages()
        session.when_vault_free(load)


READ_ONLY_LINE = ("This vault's folder is read-only: you can look and export, but not change anything (no "
                  "import, edit, answer or review can be saved here).")


class ReadOnlyVaultMode(StudentMode):
    """The applicant's vault in a folder that cannot be written (a locked-down disk, a copy on a read-only stick):
    the pages get the view and no editor, so none offers a change; a line above them says why; Export works (it
    writes elsewhere and nothing into the vault)."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.editor = None
        self.exporter = session.vault

    def notices(self, notices: list[str]) -> list[str]:
        from ecfmg_desk.vault.store import read_only_notice

        said = read_only_notice(self.session.vault.path)  # the line above the pages says it, in the window's words
        return [notice for notice in notices if notice != said]

    def wrap(self, content: QWidget) -> QWidget:
        from ecfmg_desk.ui.plan_page import with_banner

        wrapped, self.plan_banner = with_banner(content, self.session, None)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.read_only_label = plain_label(tr(READ_ONLY_LINE), central)
        self.read_only_label.setObjectName("readOnlyLine")
        self.read_only_label.setWordWrap(True)
        self.read_only_label.setContentsMargins(16, 8, 16, 8)
        self.read_only_label.setAccessibleName(tr("Read-only vault"))
        self.read_only_label.setStyleSheet("#readOnlyLine { background: #fff4d6; color: #3d2e00; "
                                           "border-bottom: 1px solid #e0a526; font-weight: bold; }")
        column.addWidget(self.read_only_label)
        column.addWidget(wrapped, 1)
        return central

    def install(self, window: MainWindow) -> None:
        WindowMode.install(self, window)
        self._build_menus()
        self._add_profile_and_plan(window, editable=False)
        self.update_actions()

    def _build_menus(self) -> None:
        window = self.window
        menu = window.menuBar()
        file_menu = menu.addMenu(tr("&File"))
        file_menu.addAction(window.export_action)
        self.end_file_menu(file_menu)
        view_menu = window.build_view_menu()
        view_menu.insertAction(window.export_action, window.profile_action)
        help_menu = window.build_help_menu()
        help_menu.insertAction(window.about_action, window.example_action)

    def update_actions(self) -> None:
        for action in (self.window.attach_action, self.window.load_review_action, self.window.undo_action,
                       self.window.redo_action, self.window.backup_action, self.window.restore_action,
                       self.window.save_review_action):
            action.setEnabled(False)  # nothing here can change the vault (and their shortcuts do nothing)
        self.window.undo_button.hide()

    def set_busy(self, busy: bool) -> None:
        self.update_actions()

    def next_step(self) -> tuple[str, str]:
        """Nothing can be done here: the next step points at what is left, to do in a copy that can be written."""
        finding = self._first_blocking()
        if finding is None:
            return super().next_step()
        target = self._next_requirement() or "review"
        link = tr("see what is left (it cannot be done in this read-only folder)")
        return (f"<b>{html.escape(tr('Next:'))}</b> <a href=\"{html.escape(target)}\">{html.escape(link)}</a>",
                finding.fix)

    def status_words(self) -> tuple[str, str, str, str]:
        return "lock", tr("Read-only"), tr("Vault: encrypted · read-only folder: nothing here can be changed"), \
            tr("Vault status")

    def prepare_lock(self) -> None:
        self._prepare_passphrase_lock()  # (the student's lock, without the backup reminder it does not show)

    def can_undo(self) -> tuple[bool, str]:
        return False, ""

    def attach(self) -> None: ...
    def undo(self) -> None: ...
    def redo(self) -> None: ...
    def cancel_import(self) -> None: ...
    def load_review(self) -> None: ...


class ExampleMode(StudentMode):
    """Help → Open an example packet: the student's window on a made-up applicant in a temporary vault, titled
    and labelled so that nobody mistakes it for their own documents."""

    def install(self, window: MainWindow) -> None:
        super().install(window)
        for action in (window.example_action, window.open_vault_action):
            action.setEnabled(False)  # (from the example, both would act on the user's own vault)
        self.backups.remind = False  # (no "Not backed up yet" for a folder deleted with the window)
        self.backups.update_reminder()
        window.quit_action.setText(tr("&Close the example"))
        window.quit_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Close))

    def status_words(self) -> tuple[str, str, str, str]:
        return "document", tr("Example"), tr(
            "Example packet: a made-up applicant, in a temporary folder deleted when you close this window"), \
            tr("Example status")

    def title(self, shown: str) -> str:
        from ecfmg_desk import APP_NAME

        return tr("Example packet — {name} — {app}").format(name=shown or tr("a made-up applicant"), app=APP_NAME)


def signature_words(applied: AppliedReview) -> str:
    """Who signed a loaded review, in words: the name always goes with the key's fingerprint."""
    who, key = applied.reviewer, applied.fingerprint
    if applied.trust == "known":
        return tr("Signed by {who} (key {key}), the key you already trust.").format(who=who, key=key)
    if applied.trust == "new":
        return tr("Signed by {who} with a key this vault sees for the first time: {key}. It is trusted from now "
                  "on; check this fingerprint with your advisor once.").format(who=who, key=key)
    if applied.trust == "changed":
        return tr("Signed by {who} with a NEW key {key} (before: {old}), which you accepted.").format(
            who=who, key=key, old=", ".join(applied.previous_fingerprints))
    return tr("This review is NOT signed: it says it is from {who}, but anyone could have written it. Check with "
              "your advisor that they sent it.").format(who=who)


# ============================================================================================ the advisor


def key_words(bundle: BundleSession) -> str:
    """Who signed the bundle, in words: the key's fingerprint and whether this computer knew it."""
    signer, trust = bundle.manifest.signer, bundle.trust
    if signer is None:
        return tr("NOT signed: it says it is from {student}, but anyone could have made it").format(
            student=bundle.student) if trust is not None and trust.previous else \
            tr("not signed (made by an older ECFMG Desk)")
    key = signer.fingerprint
    if trust is None:
        return tr("signed by the student's vault, key {key}").format(key=key)
    if trust.trust == "known":
        return tr("signed with the student's key {key}, the one you know").format(key=key)
    if trust.trust == "new":
        return tr("signed with key {key}, their first bundle here: check it with them once").format(key=key)
    if trust.trust == "changed":
        return tr("signed with a NEW key {key} (before: {old}), which you accepted").format(
            key=key, old=", ".join(trust.previous))
    return tr("signed with key {key}, which this computer cannot remember").format(key=key)



BANNER_STYLE = """
#reviewBanner { background: #1d3f66; border-bottom: 3px solid #e0a526; }
#reviewBanner QLabel { color: #ffffff; }
#reviewBanner QPushButton { color: #1d3f66; background: #ffffff; border: 1px solid #ffffff; border-radius: 4px;
                            padding: 4px 12px; font-weight: bold; }
#reviewBanner QPushButton:focus { border: 2px solid #e0a526; }
"""
"""Review mode's banner: deep blue with an amber edge, white text (readable in light and dark themes alike)."""


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
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title_label.font()
        font.setBold(True)
        if font.pointSizeF() > 0:
            font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title_label.setFont(font)
        self.title_label.setAccessibleName(self.title_label.text())
        self.detail_label = plain_label(exported, self)
        self.detail_label.setWordWrap(True)  # (the next deadline ran off the banner at 1024 px)
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


class ReviewMode(WindowMode):
    """An advisor's review of a student's bundle: nothing editable, a banner, decisions and Save review."""

    name = REVIEW

    def __init__(self, bundle: BundleSession) -> None:
        super().__init__(bundle)
        self.bundle = bundle
        self.draft = bundle.draft

    def wrap(self, content: QWidget) -> QWidget:
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.banner = ReviewBanner(self.bundle.profile.name_of_record or tr("a student"), self._bundle_facts(),
                                   central)
        column.addWidget(self.banner)
        column.addWidget(content, 1)
        return central

    def _bundle_facts(self) -> str:
        bundle = self.bundle
        parts = [tr("Exported {date}").format(date=format_date(bundle.exported)), tr("every file verified intact"),
                 plural(len(bundle.documents), tr("document"), tr("documents"))]
        result = bundle.result
        parts.append(tr("ready when exported") if result.ready else plural(
            len(result.errors), tr("problem"), tr("problems")) + tr(" when exported"))
        manifest = bundle.manifest
        if manifest.cycle is not None:  # the student's plan, as exported (format 2)
            parts.append(tr("{year} Match").format(year=manifest.cycle))
            upcoming = next((d for d in manifest.deadlines if d.date is not None), None)
            if upcoming is not None and upcoming.date is not None:
                parts.append(tr("next deadline {date}: {title}").format(date=format_date(upcoming.date),
                                                                       title=upcoming.title))
        parts.append(key_words(bundle))
        return " · ".join(parts)

    def install(self, window: MainWindow) -> None:
        super().install(window)
        draft = self.bundle.draft
        window.banner = self.banner
        self.banner.save_button.clicked.connect(window.save_review)
        window.review_page.save_requested.connect(window.save_review)
        window.review_page.reviewer_change_requested.connect(self.change_reviewer)
        draft.reviewer = draft.reviewer or reviewer_name(window.settings)
        draft.ask_reviewer = self._ask_reviewer
        draft.changed.connect(self._review_changed)
        self._build_menus()

    def _build_menus(self) -> None:
        window = self.window
        menu = window.menuBar()
        file_menu = menu.addMenu(tr("&File"))
        file_menu.addAction(window.save_review_action)
        file_menu.addSeparator()
        for text, slot in ((tr("E&xport my signing key…"), self.export_key),
                           (tr("&Import my signing key…"), self.import_key)):
            action = QAction(text, window)
            action.triggered.connect(slot)
            window.addAction(action)  # so that locking the window disables it too
            file_menu.addAction(action)
        self.export_key_action, self.import_key_action = file_menu.actions()[-2:]
        self.end_file_menu(file_menu, open_vault=False, quit_text=tr("&Close this review"),
                           quit_key=QKeySequence.StandardKey.Close)
        for action in (window.attach_action, window.open_vault_action, window.load_review_action,
                       window.profile_action, window.undo_action, window.redo_action, window.backup_action,
                       window.restore_action):
            action.setEnabled(False)  # not part of this mode (and its shortcut does nothing)
        window.build_view_menu()
        window.build_help_menu()

    def status_words(self) -> tuple[str, str, str, str]:
        return "review", tr("Read-only"), tr("Bundle verified: every file matches its manifest · read-only"), \
            tr("Bundle status")

    def not_needed_words(self) -> str:
        return tr("Show items &not needed for this student")

    def not_needed_heading(self, count: int) -> tuple[str, str]:
        return (tr("Not needed for this student ({n})").format(n=count),
                tr("Items the student's answers and documents do not call for. Click to show them."))

    def start_page(self) -> str | None:
        first = self._first_unreviewed() or next(iter(self.bundle.documents), None)
        if first is None:
            catalog = self.bundle.catalog
            return catalog.requirements[0].id if catalog.requirements else None
        return "translation" if first.is_translation else first.requirement

    def _first_unreviewed(self) -> Document | None:
        """The first document (in checklist order) without a decision yet."""
        order = {r.id: i for i, r in enumerate(self.bundle.catalog.requirements)}
        pending = [d for d in self.bundle.documents if self.bundle.draft.decision(d.id) is None]
        pending.sort(key=lambda d: order.get("translation" if d.is_translation else d.requirement, len(order)))
        return pending[0] if pending else None

    def next_step(self) -> tuple[str, str]:
        label = html.escape(tr("Next:"))
        document = self._first_unreviewed()
        if document is not None:
            target = "translation" if document.is_translation else document.requirement
            link = tr("review {title}").format(title=self.bundle.title_of(document))
        elif self.bundle.draft.dirty:
            target, link = "#save", tr("save your review (Ctrl+S)")
        else:
            target, link = "review", tr("every document has a decision; see the summary")
        return f"<b>{label}</b> <a href=\"{html.escape(target)}\">{html.escape(link)}</a>", ""

    def next_link(self, target: str) -> bool:
        if target == "#save":
            self.save_review()
            return True
        return False

    def title(self, shown: str) -> str:
        from ecfmg_desk import APP_NAME

        self.window.setWindowModified(self.bundle.draft.dirty)
        return tr("{app} — Review: {student}[*]").format(app=APP_NAME, student=shown)

    def prepare_lock(self) -> None:
        self.window.lock_screen.prepare("", asks_passphrase=False, note=tr(
            "The student's packet is hidden. Click Unlock to show it again."))

    def may_close(self) -> bool:
        window, draft = self.window, self.bundle.draft
        if not draft.dirty or window.force_close:
            return True
        answer = prompts.ask_unsaved(window, tr("Save your review?"), tr(
            "Your decisions and comments on {student}'s packet are not saved yet. Save them before closing?"
        ).format(student=(self.bundle.profile.name_of_record if not window.locked else "")
                 or tr("the student")))  # a locked window names nobody, even when asked to close
        return not (answer == "cancel" or (answer == "save" and not self.save_review()))

    # -- the review -------------------------------------------------------------------------------------

    def _ask_reviewer(self) -> bool:
        """Before the first decision: the name the review is signed with (asked once, kept in the settings)."""
        window = self.window
        name = prompts.ask_text(window, tr("Your name as reviewer"), tr(
            "Your decisions and comments are signed with this name, as the student will see it:"),
            reviewer_name(window.settings) or os_user_name())
        if not name:
            return False
        set_reviewer_name(window.settings, name)
        self.bundle.draft.set_reviewer(name)
        return True

    def change_reviewer(self) -> None:
        window, draft = self.window, self.bundle.draft
        name = prompts.ask_text(window, tr("Your name as reviewer"), tr(
            "Your decisions and comments are signed with this name, as the student will see it:"),
            draft.reviewer or reviewer_name(window.settings) or os_user_name())
        if name:
            set_reviewer_name(window.settings, name)
            draft.set_reviewer(name)

    def _review_changed(self, _document_id: str) -> None:
        self.window.setWindowModified(self.bundle.draft.dirty)
        self.window.show_next_step()

    def save_review(self) -> bool:
        """Ctrl+S: write REVIEW.json where the advisor says; True once it is saved."""
        window, bundle = self.window, self.bundle
        draft = bundle.draft
        if draft.is_empty and not draft.dirty:
            prompts.show_info(window, tr("Nothing to save yet"), tr(
                "Approve documents or request changes (with a comment saying what to change) first."))
            return False
        if not draft.reviewer and not self._ask_reviewer():
            return False
        suggested = bundle.saved_to or bundle.suggested_review_path()
        path = prompts.choose_save_path(window, tr("Save your review"), suggested, prompts.REVIEW_FILTER)
        if path is None:
            return False
        if path.suffix.lower() != ".json":
            path = path.with_name(path.name + ".json")
        try:
            bundle.save_review(path)
        except DeskError as exc:
            prompts.show_error(window, tr("The review was not saved"), exc.message)
            return False
        student = bundle.profile.name_of_record or tr("the student")
        if bundle.signed_with:
            signed = tr("Signed with your key {key}.").format(key=bundle.signed_with)
        else:
            signed = tr("It is NOT signed ({why}), so {student} will see it as unsigned.").format(
                why=bundle.unsigned_because, student=student)
        window.show_notice(tr("Review saved to {name}. Send it to {student}.").format(name=path.name,
                                                                                   student=student) + " " + signed)
        return True

    # -- the advisor's signing key ------------------------------------------------------------------------

    def export_key(self) -> None:
        """File → Export my signing key…: the key in a passphrase-protected file, for a new laptop."""
        from ecfmg_desk.vault.advisor_key import export_advisor_key
        from ecfmg_desk.vault.keys import passphrase_from_env

        window = self.window
        path = prompts.choose_save_path(window, tr("Export your signing key"),
                                        Path.home() / "ecfmg-desk-signing-key.json", prompts.KEY_FILTER)
        if path is None:
            return
        passphrase = prompts.ask_new_passphrase(window, tr("Protect your signing key"), tr(
            "Choose a passphrase for the key file. You will type it once on your new computer; anyone with the "
            "file and the passphrase can sign reviews in your name, so keep both safe."))
        if passphrase is None:
            return
        try:
            signer = export_advisor_key(path, passphrase=passphrase_from_env(), export_passphrase=passphrase)
        except DeskError as exc:
            prompts.show_error(window, tr("The key was not exported"), exc.message)
            return
        prompts.show_info(window, tr("Signing key exported"), tr(
            "Your signing key {key} is in {name}, protected by the passphrase you chose. On your new computer, "
            "use File → Import my signing key… to sign reviews with the same key.").format(
            key=signer.fingerprint, name=path.name))

    def import_key(self) -> None:
        """File → Import my signing key…: the key exported on another computer becomes this one's."""
        from ecfmg_desk.vault.advisor_key import import_advisor_key
        from ecfmg_desk.vault.keys import passphrase_from_env

        window = self.window
        path = prompts.choose_open_path(window, tr("Import your signing key"), Path.home(), prompts.KEY_FILTER)
        if path is None:
            return
        passphrase = prompts.ask_passphrase(window, tr("Import your signing key"),
                                            tr("The passphrase you chose when you exported the key:"))
        if passphrase is None:
            return
        try:
            imported = import_advisor_key(path, import_passphrase=passphrase, passphrase=passphrase_from_env())
        except DeskError as exc:
            prompts.show_error(window, tr("The key was not imported"), exc.message)
            return
        lines = [tr("Your reviews are now signed with the key {key}.").format(key=imported.signer.fingerprint)]
        if imported.replaced is not None:
            lines.append(tr("It replaces this computer's key {old}; students who trusted that one will be asked "
                            "to accept this one.").format(old=imported.replaced.fingerprint))
        prompts.show_info(window, tr("Signing key imported"), "\n\n".join(lines))
