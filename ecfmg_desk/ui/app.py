"""The GUI entry point: the QApplication, opening the vault (keyring, passphrase or first-run wizard), the
main window, students' bundles in review mode, and ``--screenshot``.

Startup is kept under a second: only Qt and the vault are imported before the window shows; thumbnails and
previews load on worker threads afterwards, and the packet code (bundles, reviews, export) only when first used.
``--screenshot`` waits until those workers are idle (no sleeps), saves the window and exits 0; it never opens a
dialog (prompts are switched off).

A bundle arrives in four ways, all ending in :meth:`DeskApp.open_bundle`: ``ecfmg-desk gui BUNDLE`` (what a
double-click does on Linux and Windows), File → Open a student's bundle / Recent bundles, a drop on the window,
and on macOS a ``QEvent.FileOpen`` sent to the application. It is verified (every hash) on a worker thread and
opens read-only in its own window; a tampered one is refused with the reason, and nothing opens.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSettings, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from ecfmg_desk import APP_NAME
from ecfmg_desk.errors import (
    DeskError,
    KeyUnavailableError,
    StudentKeyChangedError,
    TamperedBundleError,
    WrongPassphraseError,
    user_message,
)
from ecfmg_desk.packet.fonts import register_fonts
from ecfmg_desk.ui import icons, prompts
from ecfmg_desk.ui.settings import open_settings, remember_bundle, remember_vault

SCREENSHOT_SIZE = (1366, 768)
DESKTOP_FILE_NAME = "org.ecfmgdesk.EcfmgDesk"
"""packaging/linux/org.ecfmgdesk.EcfmgDesk.desktop: Wayland and the docks match windows to it by this name."""
BUNDLE_SUFFIX = ".ecfmgpkt"


def say(text: str) -> None:
    """A line on stderr, when there is one (a windowed Windows build has ``sys.stderr = None``)."""
    if sys.stderr is not None:
        print(text, file=sys.stderr)


def _judge_bundle(manifest: Any, today: date, *, accept_new_key: bool) -> Any:
    """Trust on first use for the student's bundle key (``vault.student_keys``), with the advisor's own key
    (made on first use, as Save review would); no usable key: nothing is remembered, and the banner says so."""
    from ecfmg_desk.vault.advisor_key import signing_key_or_reason
    from ecfmg_desk.vault.keys import passphrase_from_env
    from ecfmg_desk.vault.student_keys import judge_bundle

    try:
        key, why = signing_key_or_reason(passphrase_from_env())
    except DeskError as exc:  # a wrong passphrase for the stored key: still let the advisor read the bundle
        key, why = None, exc.message
    return judge_bundle(manifest, key, accept_new_key=accept_new_key, today=today, why_no_key=why)


def say_error(exc: BaseException) -> None:
    """A failure on a run without a window (``--screenshot``): the command line's words, hints included."""
    from ecfmg_desk.cli_hints import cli_message

    say(f"error: {cli_message(exc)}")


def _console_streams() -> Callable[[], None]:
    """Give a windowless process (PyInstaller's windowed build on Windows: ``sys.stdout``/``sys.stderr`` are
    ``None``) streams that swallow what is written, so no library's ``.write()`` can crash the GUI. Returns the
    undo."""
    replaced: list[tuple[str, Any]] = []
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            stream = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115  (closed by the undo)
            setattr(sys, name, stream)
            replaced.append((name, stream))

    def restore() -> None:
        for name, stream in replaced:
            if getattr(sys, name) is stream:
                setattr(sys, name, None)
            stream.close()

    return restore


def application() -> QApplication:
    """The process's QApplication, created once with the app's names and icon."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else DeskApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setDesktopFileName(DESKTOP_FILE_NAME)
    app.setWindowIcon(icons.app_icon())
    register_fonts()  # names in any script draw on a machine without Noto/CJK fonts
    return app


def keyring_works() -> bool:
    """Whether this computer has a keyring the vault can use (told to the user on the passphrase page)."""
    from ecfmg_desk.vault import keys

    try:
        keys.keyring_get("ecfmg-desk-probe")
    except keys.KeyringUnavailable:
        return False
    return True


def _remove_example(folder: Path, vault_id: str | None) -> None:
    """Delete an example packet's temporary vault and the key it left in the keyring."""
    import shutil

    from ecfmg_desk.vault.keys import keyring_delete

    if vault_id:
        keyring_delete(vault_id)
    shutil.rmtree(folder, ignore_errors=True)


def _bring_forward(window: QWidget) -> None:
    if QApplication.platformName() != "offscreen":  # (the offscreen platform warns that it cannot)
        window.raise_()
    window.activateWindow()


class DeskApplication(QApplication):
    """The app's QApplication. macOS hands a double-clicked bundle to the running app as ``QEvent.FileOpen``
    sent to the application object, which this ``event`` receives. (An event filter on the application would
    see every event of every widget instead, each crossing into Python and building its wrapper: ~20 ms before
    the first paint, on every platform, for an event only macOS sends.)"""

    bundle_opened = Signal(str)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FileOpen:
            name = str(getattr(event, "file", lambda: "")() or "")
            if name.lower().endswith(BUNDLE_SUFFIX):
                self.bundle_opened.emit(name)
                return True
        return super().event(event)


class DeskApp(QObject):
    """Opens a vault (or runs the first-run wizard) and keeps its main window; can switch vaults; opens
    students' bundles for review, each in its own read-only window."""

    finished = Signal(int)
    """The app should exit with this code (the wizard was cancelled, a screenshot was saved, …)."""
    window_shown = Signal(QWidget)

    def __init__(self, vault_dir: Path, *, settings: QSettings | None = None, as_of: date | None = None,
                 screenshot: Path | None = None, bundle: Path | None = None) -> None:
        super().__init__()
        self.vault_dir = Path(vault_dir)
        self.settings = settings if settings is not None else open_settings()
        self.as_of = as_of
        self.screenshot = screenshot
        self.bundle = Path(bundle) if bundle is not None else None
        self.catalog: Any = None
        self.window: Any = None
        self.wizard: Any = None
        self.review_windows: list[Any] = []
        self.example_windows: list[Any] = []
        """Help → Open an example packet: each in a temporary vault, deleted when its window closes."""
        self.pool = QThreadPool(self)
        self._created: Any = None
        self._demo_task: Any = None
        self._opening: dict[Path, Any] = {}
        self._hears_file_open = False
        self.open_error: DeskError | None = None
        """Why the vault did not open (its exit code is the screenshot run's: 3 for a damaged vault)."""

    # -- starting -------------------------------------------------------------------------------------------

    def start(self) -> int | None:
        """Show the first window; an exit code when there is nothing to show (cancelled, error)."""
        from ecfmg_desk.resources import catalog_for
        from ecfmg_desk.vault.store import is_vault

        try:
            self.catalog = catalog_for(None, self.as_of or date.today())
        except DeskError as exc:
            prompts.show_error(None, APP_NAME, exc.message)
            return 2
        app = QApplication.instance()
        if isinstance(app, DeskApplication) and not self._hears_file_open:
            app.bundle_opened.connect(self._bundle_opened)
            self._hears_file_open = True
        if self.bundle is not None:  # `ecfmg-desk gui BUNDLE`: the advisor's review, no vault needed
            self.open_bundle(self.bundle, exit_on_failure=True)
            return None
        if is_vault(self.vault_dir):
            vault = self.open_existing(self.vault_dir)
            if vault is None:
                if self.screenshot:
                    return self.open_error.exit_code if self.open_error is not None else 2
                return 1
            self.show_main(vault)
        else:
            self.show_wizard()
        return None

    def open_existing(self, path: Path, passphrase: str | None = None) -> Any:
        """Open the vault in ``path``: keyring, else $ECFMG_DESK_PASSPHRASE, else ask (again after a typo).

        The question is in the window's own words (what a keyring is, why it is asked, what was wrong), never
        the vault's error message, which is written for the command line."""
        from ecfmg_desk.ui.words import passphrase_prompt
        from ecfmg_desk.vault.keys import passphrase_from_env
        from ecfmg_desk.vault.store import Vault

        passphrase = passphrase or passphrase_from_env()
        parent = self.window
        while True:
            try:
                vault = Vault.open(path, passphrase=passphrase)
            except (KeyUnavailableError, WrongPassphraseError) as exc:
                if self.screenshot:
                    say_error(exc)
                    return None
                prompt = passphrase_prompt(keyring=keyring_works(), wrong=passphrase is not None)
                prompt += "\n\n" + self.tr("Your vault: {path}").format(path=path)
                passphrase = prompts.ask_passphrase(parent, self.tr("Open your vault"), prompt)
                if passphrase is None:
                    return None
                continue
            except DeskError as exc:
                self._open_failed(exc, parent)
                return None
            try:  # a document changed outside the app is named in a dialog instead of being shown
                vault.ensure_trusted()
            except DeskError as exc:
                vault.close()
                self._open_failed(exc, parent)
                return None
            return vault

    def _open_failed(self, exc: DeskError, parent: QWidget | None) -> None:
        self.open_error = exc
        if self.screenshot:
            say_error(exc)
        else:
            prompts.show_error(parent, self.tr("Cannot open the vault"), exc.message)

    def show_wizard(self) -> None:
        from ecfmg_desk.ui.settings import recent_bundles
        from ecfmg_desk.ui.wizard import FirstRunWizard

        self.wizard = FirstRunWizard(self._create_vault, keyring_works(), recent_bundles(self.settings))
        self.wizard.accepted.connect(self._wizard_done)
        self.wizard.rejected.connect(self._wizard_cancelled)
        self.wizard.bundle_requested.connect(self.open_bundle)
        self.wizard.show()
        self.window_shown.emit(self.wizard)
        if self.screenshot:
            self.wizard.resize(*SCREENSHOT_SIZE)
            QTimer.singleShot(0, lambda: self._capture(self.wizard))

    def _create_vault(self, passphrase: str, profile: dict[str, Any]) -> bool:
        from ecfmg_desk.vault.store import Vault

        if self._created is not None:  # back in the wizard after the vault was made: only the profile changes
            try:
                self._created.update_profile(profile)
            except DeskError as exc:
                prompts.show_error(self.wizard, self.tr("Profile not saved"), exc.message)
                return False
            return True
        try:
            vault = Vault.open(self.vault_dir, create=True, passphrase=passphrase or None)
            vault.update_profile(profile)
        except DeskError as exc:
            prompts.show_error(self.wizard, self.tr("Cannot create your vault"), exc.message)
            return False
        except OSError as exc:
            prompts.show_error(self.wizard, self.tr("Cannot create your vault"), user_message(exc))
            return False
        self._created = vault
        return True

    def _wizard_done(self) -> None:
        vault, self._created = self._created, None
        wizard, self.wizard = self.wizard, None
        if wizard is not None:
            wizard.deleteLater()
        if vault is not None:
            self.show_main(vault)
        else:
            self.finished.emit(1)

    def _wizard_cancelled(self) -> None:
        vault, self._created = self._created, None
        wizard, self.wizard = self.wizard, None
        if wizard is not None:
            wizard.deleteLater()
        if vault is not None:  # created, then cancelled on the last page: open it anyway
            self.show_main(vault)
            return
        self._finish_if_alone()

    def show_main(self, vault: Any) -> None:
        from ecfmg_desk.ui.session import Session
        from ecfmg_desk.ui.window import MainWindow

        session = Session(vault, self.catalog, self.as_of)
        window = MainWindow(session, self.settings)
        window.open_vault_requested.connect(self.switch_to)
        window.open_bundle_requested.connect(self.open_bundle)
        window.example_requested.connect(self.open_example)
        window.closed.connect(lambda: self._window_closed(window))
        self.window = window
        if self.screenshot:
            window.resize(*SCREENSHOT_SIZE)
            window.fit_on_show = False
        window.show()
        remember_vault(self.settings, vault.path)
        for notice in window.mode.notices(list(vault.notices)):
            window.show_notice(notice)
        self.window_shown.emit(window)
        if self.screenshot:
            QTimer.singleShot(0, lambda: self._wait_idle(session, window))

    def _window_closed(self, window: Any) -> None:
        if window is self.window:  # closed by the user (not replaced by another vault)
            self.window = None
            window.session.close()
            window.deleteLater()
            self._finish_if_alone()

    def _finish_if_alone(self) -> None:
        """The app ends when its last window has closed (a review window or the vault's, in any order)."""
        if self.window is None and self.wizard is None and not self.review_windows and not self._opening \
                and not self.example_windows:
            self.finished.emit(0)

    def close_main(self) -> None:
        window, self.window = self.window, None
        if window is not None:
            window.force_close = True
            window.close()
            window.session.close()
            window.deleteLater()

    # -- review mode ----------------------------------------------------------------------------------------

    def _bundle_opened(self, name: str) -> None:
        self.open_bundle(Path(name))

    def open_bundle(self, path: Path, *, exit_on_failure: bool = False) -> None:
        """Verify a student's bundle on a worker thread, then open it read-only in a window of its own."""
        from ecfmg_desk.ui.workers import Task

        path = Path(path)
        resolved = path.resolve()
        for window in self.review_windows:
            if window.session.bundle_path.resolve() == resolved:  # already open: bring it forward
                _bring_forward(window)
                return
        if resolved in self._opening:
            return

        today = self.as_of or date.today()

        def work(_report: Callable[[int, int], None], _cancelled: Callable[[], bool]) -> object:
            from ecfmg_desk.packet.bundle import open_bundle

            try:
                opened = open_bundle(path)
            except DeskError as exc:  # returned, not raised: a tampered bundle gets its own title
                return exc
            try:
                return opened, _judge_bundle(opened.manifest, today, accept_new_key=False)
            except DeskError as exc:  # a known student's key changed (asked on the GUI thread), or a bad list
                if not isinstance(exc, StudentKeyChangedError):
                    opened.close()
                    return exc
                return opened, exc

        def done(result: object) -> None:
            self._opening.pop(resolved, None)
            if isinstance(result, DeskError):
                self._bundle_refused(path, result, exit_on_failure)
                return
            assert isinstance(result, tuple)
            opened, trust = result
            if self.catalog is None:  # shut down meanwhile
                opened.close()
                return
            if isinstance(trust, StudentKeyChangedError):
                trust = self._accept_student_key(opened, path, trust, today, exit_on_failure)
                if trust is None:
                    return
            self.show_review(opened, path, trust)

        def failed(message: str) -> None:
            self._opening.pop(resolved, None)
            self._bundle_refused(path, DeskError(message), exit_on_failure)

        task = Task(work, f"open bundle {path.name}")
        task.signals.done.connect(done)
        task.signals.failed.connect(failed)
        self._opening[resolved] = task
        notice_window = self.window or (self.review_windows[-1] if self.review_windows else None)
        if notice_window is not None:
            notice_window.show_notice(self.tr("Checking {name}…").format(name=path.name))
        self.pool.start(task)

    def _accept_student_key(self, opened: Any, path: Path, exc: StudentKeyChangedError, today: date,
                            exit_on_failure: bool) -> Any:
        """A known student's bundle signed by another key: the advisor decides (as a student does for an
        advisor's new key). Returns the trust to open it with, or ``None`` (the bundle is closed)."""
        parent = self.window or self.wizard or (self.review_windows[-1] if self.review_windows else None)
        if self.screenshot or not prompts.ask_yes_no(
                parent, self.tr("This bundle may not be from your student"),
                exc.message + "\n\n" + self.tr("Open it anyway?"), yes=self.tr("Open it anyway"),
                no=self.tr("Do not open it"), warning=True):
            opened.close()
            if self.screenshot:
                self._bundle_refused(path, exc, exit_on_failure)
            elif exit_on_failure and self.window is None and self.wizard is None and not self.review_windows:
                self.finished.emit(exc.exit_code)
            return None
        try:
            return _judge_bundle(opened.manifest, today, accept_new_key=True)
        except DeskError as error:
            opened.close()
            self._bundle_refused(path, error, exit_on_failure)
            return None

    def _bundle_refused(self, path: Path, exc: DeskError, exit_on_failure: bool) -> None:
        if isinstance(exc, TamperedBundleError):
            title = self.tr("This bundle cannot be trusted")
            message = exc.message + "\n\n" + self.tr(
                "Nothing was opened. Ask the student to export the bundle again and send it once more.")
        else:
            title = self.tr("Cannot open the bundle")
            message = exc.message
        parent = self.window or self.wizard or (self.review_windows[-1] if self.review_windows else None)
        if self.screenshot:
            say_error(exc)
        else:
            prompts.show_error(parent, title, message)
        if exit_on_failure and self.window is None and self.wizard is None and not self.review_windows:
            self.finished.emit(exc.exit_code)

    def show_review(self, opened: Any, path: Path, trust: Any = None) -> Any:
        """A verified bundle in its own read-only window (UX.md principle 10); ``trust``: what this computer
        knows of the student's key (``vault.student_keys.BundleTrust``)."""
        from ecfmg_desk.ui.bundle_session import BundleSession
        from ecfmg_desk.ui.window import MainWindow

        session = BundleSession(opened, path, self.catalog, today=self.as_of, trust=trust)
        window = MainWindow(session, self.settings)
        window.open_bundle_requested.connect(self.open_bundle)
        window.open_vault_requested.connect(self.switch_to)
        window.example_requested.connect(self.open_example)
        window.closed.connect(lambda: self._review_closed(window))
        self.review_windows.append(window)
        if self.screenshot:
            window.resize(*SCREENSHOT_SIZE)
            window.fit_on_show = False
        window.show()
        window.activateWindow()
        remember_bundle(self.settings, path, session.student, session.exported, len(session.result.errors))
        if self.wizard is not None and self._created is None:  # the advisor chose a bundle on the welcome page
            wizard, self.wizard = self.wizard, None
            wizard.blockSignals(True)
            wizard.close()
            wizard.deleteLater()
        self.window_shown.emit(window)
        if self.screenshot:
            QTimer.singleShot(0, lambda: self._wait_idle(session, window))
        return window

    def _review_closed(self, window: Any) -> None:
        if window in self.review_windows:
            self.review_windows.remove(window)
            window.session.close()
            window.deleteLater()
        self._finish_if_alone()

    def switch_to(self, path: Path) -> None:
        from ecfmg_desk.vault.store import is_vault

        if not is_vault(path):
            prompts.show_error(self.window, self.tr("No vault there"), self.tr(
                "There is no ECFMG Desk vault in {path}. Choose the folder that holds vault.db.").format(path=path))
            return
        vault = self.open_existing(path)
        if vault is None:
            return
        self.close_main()
        self.vault_dir = Path(path)
        self.show_main(vault)

    # -- the example packet --------------------------------------------------------------------------------

    def open_example(self) -> None:
        """Help → Open an example packet: a made-up applicant in a temporary vault, in a window of its own
        titled "Example packet". The user's own vault stays open and untouched; closing the window deletes the
        example."""
        if self._demo_task is not None:
            return
        if self.example_windows:
            _bring_forward(self.example_windows[-1])
            return
        import secrets
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix="ecfmg-desk-example-"))
        self._run_demo(folder, secrets.token_urlsafe(24))  # its own key: never asked for, gone with the folder

    def _run_demo(self, folder: Path, passphrase: str) -> None:
        from ecfmg_desk.ui.workers import Task

        target = folder / "vault"

        def work(_report: Callable[[int, int], None], _cancelled: Callable[[], bool]) -> Any:
            from ecfmg_desk.vault.demo import create_demo
            from ecfmg_desk.vault.store import Vault

            vault = Vault.open(target, create=True, passphrase=passphrase)
            try:
                create_demo(vault, today=self.as_of)
            except BaseException:
                vault.close()
                raise
            return vault

        def done(vault: object) -> None:
            self._demo_task = None
            if self.catalog is None:  # shut down meanwhile
                getattr(vault, "close", lambda: None)()
                _remove_example(folder, getattr(vault, "id", None))
                return
            self.show_example(vault, folder)

        def failed(message: str) -> None:
            self._demo_task = None
            _remove_example(folder, None)
            prompts.show_error(self.window, self.tr("Example packet not created"), message)

        task = Task(work, "example packet")
        task.signals.done.connect(done)
        task.signals.failed.connect(failed)
        self._demo_task = task
        notice_window = self.window or (self.review_windows[-1] if self.review_windows else None)
        if notice_window is not None:
            notice_window.show_notice(self.tr("Preparing the example packet…"))
        self.pool.start(task)

    def show_example(self, vault: Any, folder: Path) -> Any:
        from ecfmg_desk.ui.modes import ExampleMode
        from ecfmg_desk.ui.session import Session
        from ecfmg_desk.ui.window import MainWindow

        session = Session(vault, self.catalog, self.as_of)
        window = MainWindow(session, None, ExampleMode(session))  # no settings: the user's window keeps its own
        window.open_bundle_requested.connect(self.open_bundle)
        window.closed.connect(lambda: self._example_closed(window, folder))
        self.example_windows.append(window)
        window.show()
        window.activateWindow()
        self.window_shown.emit(window)
        return window

    def _example_closed(self, window: Any, folder: Path) -> None:
        if window in self.example_windows:
            self.example_windows.remove(window)
            vault_id = window.session.vault.id
            window.session.close()
            window.deleteLater()
            _remove_example(folder, vault_id)
        self._finish_if_alone()

    # -- screenshot -----------------------------------------------------------------------------------------

    def _wait_idle(self, session: Any, window: Any) -> None:
        if session.is_idle:
            QApplication.processEvents()
        if session.is_idle:
            self._capture(window)
        else:
            session.idle.connect(lambda: QTimer.singleShot(0, lambda: self._wait_idle(session, window)))

    def _capture(self, widget: QWidget) -> None:
        if self.screenshot is None:
            return
        target, self.screenshot = self.screenshot, None
        QApplication.processEvents()
        target.parent.mkdir(parents=True, exist_ok=True)
        saved = widget.grab().save(str(target), "PNG")
        if not saved:
            say(f"error: could not write the screenshot to {target}.")
        self.finished.emit(0 if saved else 2)

    def shutdown(self) -> None:
        self.pool.waitForDone()
        app = QApplication.instance()
        if self._hears_file_open and isinstance(app, DeskApplication):
            app.bundle_opened.disconnect(self._bundle_opened)
            self._hears_file_open = False
        wizard, self.wizard = self.wizard, None
        if wizard is not None:
            wizard.blockSignals(True)
            wizard.close()
            wizard.deleteLater()
        for window in [*self.review_windows, *self.example_windows]:
            window.force_close = True
            window.close()  # its closed signal removes it and lets go of the bundle (or the example's folder)
        self.close_main()
        if self._created is not None:
            self._created.close()
            self._created = None
        self.catalog = None


def run_gui(vault_dir: Path | None, bundle: Path | None = None, screenshot: Path | None = None) -> int:
    """Open the app on ``vault_dir`` (``None``: the last vault used, else the default folder), or, with
    ``bundle``, a student's bundle in review mode (no vault is opened then)."""
    from ecfmg_desk import logs
    from ecfmg_desk.ui import crash

    restore_streams = _console_streams()
    started_logging = logs.ensure_logging()  # the CLI may have set it up already (with --verbose)
    app = application()
    undo_crash_hooks = crash.install()  # a bug shows "Something went wrong"; Qt's messages go to the log
    quit_on_close = app.quitOnLastWindowClosed()
    app.setQuitOnLastWindowClosed(False)  # the wizard closes before the main window opens
    if screenshot is not None:
        prompts.set_interactive(False)
    try:
        return _run(app, vault_dir, bundle, screenshot)
    finally:
        prompts.set_interactive(True)
        app.setQuitOnLastWindowClosed(quit_on_close)
        undo_crash_hooks()
        if started_logging:
            logs.shutdown_logging()
        restore_streams()


def _run(app: QApplication, vault_dir: Path | None, bundle: Path | None, screenshot: Path | None) -> int:
    settings = open_settings()
    if vault_dir is None:
        from ecfmg_desk.ui.settings import last_vault
        from ecfmg_desk.vault.location import default_vault_dir

        vault_dir = last_vault(settings) or default_vault_dir()
    desk = DeskApp(vault_dir, settings=settings, screenshot=screenshot, bundle=bundle)
    desk.finished.connect(app.exit)
    try:
        code = desk.start()
    finally:
        gc.enable()  # off since ``__main__`` (start-up's objects all live on); the first window is up now
    if code is not None:
        desk.shutdown()
        return code
    result = app.exec()
    desk.shutdown()
    return int(result)
