"""First run: welcome and the journey, the recovery passphrase, the profile, done.

Shown without ``exec()`` (the app keeps running its own event loop); the vault is created when the profile page
is left, so a refusal (a folder we cannot write) is reported while the user can still act on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget, QWizard, QWizardPage

from ecfmg_desk.core.model import Profile
from ecfmg_desk.ui import icons
from ecfmg_desk.ui.dialogs import PassphraseFields
from ecfmg_desk.ui.profile import ProfileForm
from ecfmg_desk.ui.widgets import muted, wrapping

Create = Callable[[str, dict[str, Any]], bool]
"""Creates the vault with (passphrase, profile values); returns False (after telling the user) on failure."""


class WelcomePage(QWizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
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


class PassphrasePage(QWizardPage):
    def __init__(self, keyring_works: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Choose a recovery passphrase"))
        self.setSubTitle(self.tr("It is the only way back into your documents if this computer's keyring is lost."))
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        if keyring_works:
            keyring_text = self.tr(
                "Your documents are encrypted. Day to day, the key is kept in this computer's keyring, so you "
                "will not have to type anything to open ECFMG Desk.")
        else:
            keyring_text = self.tr(
                "Your documents are encrypted. This computer has no keyring that ECFMG Desk can use, so you "
                "will type this passphrase each time you open the app.")
        layout.addWidget(wrapping(keyring_text, self))
        warning = wrapping(self.tr(
            "<b>If the keyring entry is ever lost</b> — a new computer, a reinstalled system — this passphrase "
            "is the <b>only way back in</b>. Write it down and keep it somewhere safe. Nobody, not even "
            "ECFMG Desk, can recover it for you."), self)
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
    def __init__(self, create: Create, keyring_works: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Welcome to ECFMG Desk"))
        self.setWindowIcon(icons.app_icon())
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setPixmap(QWizard.WizardPixmap.LogoPixmap, icons.app_icon().pixmap(48, 48))
        self.welcome = WelcomePage(self)
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

