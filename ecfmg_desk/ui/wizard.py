"""First run: welcome and the journey, the recovery passphrase, the profile, done.

Shown without ``exec()`` (the app keeps running its own event loop); the vault is created when the profile page
is left, so a refusal (a folder we cannot write) is reported while the user can still act on it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from ecfmg_desk.core.model import Profile
from ecfmg_desk.ui import icons, prompts
from ecfmg_desk.ui.dialogs import PassphraseFields
from ecfmg_desk.ui.profile import ProfileForm
from ecfmg_desk.ui.settings import RecentBundle
from ecfmg_desk.ui.widgets import muted, wrapping
from ecfmg_desk.ui.words import keyring_explanation, plain_tooltip, recent_bundle_text

Create = Callable[[str, dict[str, Any]], bool]
"""Creates the vault with (passphrase, profile values); returns False (after telling the user) on failure."""


class AdvisorBox(QFrame):
    """On the welcome page, for an advisor (who has no vault of their own): open a student's bundle, or one of
    the bundles opened before (student, export date, status; a file no longer there is greyed out)."""

    bundle_requested = Signal(Path)

    def __init__(self, recent: Sequence[RecentBundle], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(6)
        row = QHBoxLayout()
        label = wrapping(self.tr("<b>Reviewing a student's packet?</b> Open the bundle (.ecfmgpkt) they sent you; "
                                 "you do not need a vault of your own."), self)
        label.setTextFormat(Qt.TextFormat.RichText)
        self.open_button = QPushButton(icons.icon("open"), self.tr("Open a bundle…"), self)
        self.open_button.setAccessibleName(self.tr("Open a student's bundle"))
        self.open_button.setAutoDefault(False)  # Enter on the welcome page means Next, not "open a bundle"
        self.open_button.clicked.connect(self._choose)
        row.addWidget(label, 1)
        row.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addLayout(row)
        self.recent_list = QListWidget(self)
        self.recent_list.setAccessibleName(self.tr("Recent bundles"))
        self.recent_list.setMaximumHeight(96)
        for item in recent:
            entry = QListWidgetItem(icons.icon("review"), recent_bundle_text(item))
            entry.setToolTip(plain_tooltip(str(item.path)))
            entry.setData(Qt.ItemDataRole.UserRole, str(item.path))
            if not item.exists:
                entry.setFlags(Qt.ItemFlag.NoItemFlags)  # greyed out: nothing to open there any more
            self.recent_list.addItem(entry)
        self.recent_list.setVisible(bool(recent))
        self.recent_list.itemActivated.connect(self._activated)
        self.recent_list.itemDoubleClicked.connect(self._activated)
        layout.addWidget(self.recent_list)

    def _choose(self) -> None:
        path = prompts.choose_open_path(self, self.tr("Open a student's bundle"), Path.home(), prompts.BUNDLE_FILTER)
        if path is not None:
            self.bundle_requested.emit(path)

    def _activated(self, item: QListWidgetItem) -> None:
        value = item.data(Qt.ItemDataRole.UserRole)
        if value and item.flags() & Qt.ItemFlag.ItemIsEnabled:
            self.bundle_requested.emit(Path(str(value)))


class WelcomePage(QWizardPage):
    def __init__(self, recent: Sequence[RecentBundle] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Welcome to ECFMG Desk"))
        self.setSubTitle(self.tr("Your ECFMG certification documents, prepared and checked on this computer."))
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(wrapping(self.tr("Here is how it works:"), self))
        steps = (
            self.tr("<b>1. Your profile.</b> Your name exactly as on your passport, your school and your IDs."),
            self.tr("<b>2. Your documents.</b> A checklist shows every document ECFMG asks for. Drop a scan on "
                    "an item, or browse for it; add its dates and language."),
            self.tr("<b>3. The checks.</b> Each problem is explained with its fix: an expired passport, a "
                    "missing translation, a name that differs, a scan that is too small."),
            self.tr("<b>4. Your packet.</b> When nothing blocks it, export one PDF with each document followed "
                    "by its translation, ready to upload or to send to your advisor."),
        )
        for step in steps:
            label = wrapping(step, self)
            label.setTextFormat(Qt.TextFormat.RichText)
            layout.addWidget(label)
        layout.addSpacing(8)
        layout.addWidget(muted(wrapping(self.tr(
            "Everything stays on this computer, encrypted. Nothing is uploaded. ECFMG Desk helps you prepare; "
            "ECFMG's current Information Booklet decides what is required."), self)))
        layout.addStretch(1)
        self.advisor = AdvisorBox(recent, self)
        layout.addWidget(self.advisor)


class PassphrasePage(QWizardPage):
    def __init__(self, keyring_works: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Choose a recovery passphrase"))
        if keyring_works:
            self.setSubTitle(self.tr("Write it down: on a new computer, or after reinstalling the system, it is "
                                     "the only way back in."))
        else:
            self.setSubTitle(self.tr("You will type it each time you open ECFMG Desk."))
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        self.keyring_label = wrapping(keyring_explanation(keyring_works), self)
        layout.addWidget(self.keyring_label)
        only = (self.tr("When the keyring does not have the key, this passphrase is the <b>only way back in</b>.")
                if keyring_works else self.tr("This passphrase is the <b>only way into your documents</b>."))
        warning = wrapping(only + " " + self.tr(
            "Write it down and keep it somewhere safe. Nobody, not even ECFMG Desk, can recover it for you."), self)
        warning.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(warning)
        self.fields = PassphraseFields(self)
        layout.addWidget(self.fields)
        layout.addStretch(1)
        self.fields.changed.connect(self.completeChanged)

    def isComplete(self) -> bool:
        return self.fields.is_valid()


class ProfileWizardPage(QWizardPage):
    def __init__(self, create: Create, passphrase: Callable[[], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._create = create
        self._passphrase = passphrase
        self._created = False
        self.setTitle(self.tr("About you"))
        self.setSubTitle(self.tr("Type your names exactly as printed on your passport. You can change all of "
                                 "this later in your profile."))
        layout = QVBoxLayout(self)
        self.form = ProfileForm(self)
        self.form.set_profile(Profile())
        layout.addWidget(self.form)
        layout.addStretch(1)
        self.form.family_name.textChanged.connect(self.completeChanged)
        self.form.given_names.textChanged.connect(self.completeChanged)

    def isComplete(self) -> bool:
        return bool(self.form.family_name.text().strip())

    def validatePage(self) -> bool:
        """Create the vault (or, coming back here with Back, save the changed profile into it)."""
        if not self.isComplete() or not self._passphrase():
            return False
        unfinished = self.form.date_with_problem()
        if unfinished is not None:  # its reason is shown under it: stay here rather than drop what was typed
            unfinished.setFocus()
            return False
        self._created = self._create(self._passphrase(), self.form.values())
        return self._created


class DonePage(QWizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("You are all set"))
        self.setSubTitle(self.tr("Your vault is ready, and everything in it is encrypted on this computer."))
        layout = QVBoxLayout(self)
        self.text = wrapping(self.tr(
            "Next, start with your passport: attach a full-colour scan of its "
            "photograph page. The checklist on the left shows what is left, and each problem says how to fix it."),
            self)
        layout.addWidget(self.text)
        layout.addStretch(1)


class FirstRunWizard(QWizard):
    bundle_requested = Signal(Path)
    """An advisor chose a student's bundle on the welcome page: open it for review (no vault is created)."""

    def __init__(self, create: Create, keyring_works: bool, recent: Sequence[RecentBundle] = (),
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Welcome to ECFMG Desk"))
        self.setWindowIcon(icons.app_icon())
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setPixmap(QWizard.WizardPixmap.LogoPixmap, icons.app_icon().pixmap(48, 48))
        self.welcome = WelcomePage(recent, self)
        self.welcome.advisor.bundle_requested.connect(self.bundle_requested)
        self.passphrase_page = PassphrasePage(keyring_works, self)
        self.profile_page = ProfileWizardPage(create, self.passphrase_page.fields.passphrase, self)
        self.done_page = DonePage(self)
        for page in (self.welcome, self.passphrase_page, self.profile_page, self.done_page):
            # one minimum size for every page: the wizard's own size limits then never change between pages
            page.setMinimumSize(600, 420)
            self.addPage(page)
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("Open my checklist"))
        for which in (QWizard.WizardButton.NextButton, QWizard.WizardButton.BackButton,
                      QWizard.WizardButton.FinishButton, QWizard.WizardButton.CancelButton):
            button = self.button(which)
            button.setAccessibleName(button.text().replace("&", "").replace("<", "").replace(">", "").strip())
        self.resize(720, 560)

    def page_title(self) -> str:
        page = self.currentPage()
        return page.title() if page else ""

