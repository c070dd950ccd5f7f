"""The applicant's whole first session, driven like a person: wizard, every required document by drag and drop,
details typed with the keyboard, problems appearing and going away, a slip undone, and the packet ready."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget, QWizard
from pytestqt.qtbot import QtBot

from ecfmg_desk.ui import prompts
from ecfmg_desk.ui.app import DeskApp
from ecfmg_desk.ui.settings import open_settings
from ecfmg_desk.ui.window import MainWindow
from ecfmg_desk.vault.store import Vault, is_vault
from tests.samples import make_jpeg, make_scan_pdf
from tests.ui.conftest import AS_OF, Prompts, attach, open_in_checklist, type_into, wait_imported

NAME = "Maria Jose Garcia Lopez"


def click(qtbot: QtBot, button: object) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def run_wizard(qtbot: QtBot, desk: DeskApp) -> MainWindow:
    wizard = desk.wizard
    assert wizard is not None
    qtbot.waitExposed(wizard)
    assert wizard.page_title() == "Welcome to ECFMG Desk"
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    click(qtbot, next_button)

    fields = wizard.passphrase_page.fields
    assert "only way back in" in wizard.passphrase_page.subTitle()
    assert not next_button.isEnabled()
    qtbot.keyClicks(fields.first, "maple river 42")
    qtbot.keyClicks(fields.second, "maple river 4")
    assert "not the same" in fields.feedback.text()
    assert not next_button.isEnabled()
    qtbot.keyClicks(fields.second, "2")
    assert "match" in fields.feedback.text()
    click(qtbot, next_button)

    form = wizard.profile_page.form
    assert not next_button.isEnabled(), "a family name is needed before going on"
    qtbot.keyClicks(form.given_names, "Maria Jose")
    qtbot.keyClicks(form.family_name, "Garcia Lopez")
    assert "Name of record: Maria Jose GARCIA LOPEZ" in form.record_label.text()
    type_into(qtbot, form.date_of_birth, "1996-04-12")
    assert form.date_of_birth.text() == "12 Apr 1996"
    click(qtbot, next_button)
    assert is_vault(desk.vault_dir)
    assert wizard.page_title() == "You are all set"
    click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
    qtbot.waitUntil(lambda: desk.window is not None)
    window: MainWindow = desk.window
    qtbot.waitExposed(window)
    return window


def scan(tmp: Path, name: str, pages: int = 1) -> Path:
    """A 200 dpi scan of one document: each shows its own title, so no two are the same file (the validator
    rightly refuses one file filed under two requirements)."""
    return make_scan_pdf(tmp / f"{name}.pdf", pages=pages, dpi=200, text=name)


def own_field(window: MainWindow, name: str) -> QWidget:
    """The editor of one of the document's own fields (exam result, OET sub-score) on the open card."""
    card = window.requirement_page.first_card()
    assert card is not None and card.own_fields is not None
    return card.own_fields.widgets[name]


def has_result(window: MainWindow, requirement: str, result: str) -> bool:
    return bool(window.session.documents_for(requirement)[-1].fields.get("result") == result)


def texts(window: MainWindow) -> list[str]:
    return window.requirement_page.finding_texts()


def status(window: MainWindow, requirement: str) -> str:
    """The status word the sidebar shows for a requirement."""
    return window.model.visible_text(requirement).split("  ")[-1]


def test_first_run_to_a_packet_ready_for_export(qtbot: QtBot, tmp_path: Path, vault_dir: Path, asked: Prompts,
                                                memory_keyring: object) -> None:
    desk = DeskApp(vault_dir, settings=open_settings(), as_of=AS_OF)
    try:
        assert desk.start() is None
        window = run_wizard(qtbot, desk)
        journey(qtbot, tmp_path, window, asked)
    finally:
        desk.shutdown()
    # the passphrase typed in the wizard opens the vault without the keyring
    with Vault.open(vault_dir, passphrase="maple river 42") as reopened:
        assert reopened.profile().name_of_record == NAME
        assert reopened.has_passphrase


def journey(qtbot: QtBot, tmp: Path, window: MainWindow, asked: Prompts) -> None:
    assert window.windowTitle() == "ECFMG Desk — Maria Jose GARCIA LOPEZ"
    assert window.progress_label.text() == "0 of 8 required items ready"
    assert window.vault_label.text() == "Vault: encrypted · All changes saved on this computer"
    page = window.requirement_page

    # passport: dropped, then its details typed; the problems appear and go away
    attach(qtbot, window, "passport", [make_jpeg(tmp / "passport.jpg", size_px=(1700, 1100), dpi=200)])
    assert page.first_card() is not None
    assert "Added Passport (1 page)." in window.notice_label.text()
    assert any("No expiry date is entered for your passport" in t for t in texts(window))
    assert status(window, "passport") == "Needs attention"
    card = page.first_card()
    assert card is not None
    assert card.summary_label.text() == "1 page · 200 dpi · colour"
    type_into(qtbot, card.fields["expires"], "2031-02-09")
    assert card.field_text("expires") == "9 Feb 2031"
    type_into(qtbot, card.fields["name_on_document"], NAME)
    qtbot.waitUntil(lambda: status(window, "passport") == "Ready", timeout=5000)
    assert texts(window) == []
    assert page.no_problems_label.text() == "✓ No problems found with this item."
    assert page.badge.text() == "Ready"

    # photo and identity form: a date each
    attach(qtbot, window, "photo", [make_jpeg(tmp / "photo.jpg", size_px=(600, 600), dpi=300)])
    type_into(qtbot, page.first_card().fields["issued"], "10 Apr 2026")  # type: ignore[union-attr]
    attach(qtbot, window, "identity-form", [scan(tmp, "identity-form")])
    type_into(qtbot, page.first_card().fields["issued"], "2026-01-10")  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: status(window, "identity-form") == "Ready", timeout=5000)
    assert status(window, "photo") == "Ready"

    # the diploma is in Spanish: it needs a translation, attached through the fix's button
    attach(qtbot, window, "medical-diploma", [scan(tmp, "medical-diploma")])
    card = page.first_card()
    assert card is not None
    type_into(qtbot, card.fields["issued"], "15 Jul 2022")
    card.fields["language"].setFocus()
    qtbot.keyClicks(card.fields["language"], "Spanish")
    type_into(qtbot, card.fields["name_on_document"], NAME)
    qtbot.waitUntil(lambda: any("no English translation attached" in t for t in texts(window)), timeout=5000)
    assert card.translation_badge.text() == "needed"
    assert window.model.state_of("translation") == "missing"
    row = next(r for r in page.finding_rows if r.finding.code == "translation-missing")
    assert row.action_button is not None and row.action_button.text() == "Attach translation…"
    asked.translators.append(prompts.TranslatorAnswer("Lingua Example Translations", "professional"))
    asked.files.append([scan(tmp, "diploma-en")])
    click(qtbot, row.action_button)
    wait_imported(qtbot, window)
    qtbot.waitUntil(lambda: status(window, "medical-diploma") == "Ready", timeout=5000)
    card = page.first_card()
    assert card is not None and card.translation_badge.text() == "attached"
    assert "Lingua Example Translations" in card.translation_detail.text()
    assert status(window, "translation") == "Ready"

    # transcript in English, exams, pathway
    attach(qtbot, window, "final-transcript", [scan(tmp, "final-transcript", pages=2)])
    card = page.first_card()
    assert card is not None and card.summary_label.text() == "2 pages · 200 dpi · colour"
    card.fields["language"].setFocus()
    qtbot.keyClicks(card.fields["language"], "English")
    type_into(qtbot, card.fields["name_on_document"], NAME)
    for requirement in ("usmle-step1", "usmle-step2ck", "pathway-evidence"):
        attach(qtbot, window, requirement, [scan(tmp, requirement)])
        if requirement != "pathway-evidence":  # an exam needs its result, chosen in the card's own fields
            assert status(window, requirement) == "Needs attention"
            result = own_field(window, "result")
            result.setFocus()
            qtbot.keyClicks(result, "pass")
            qtbot.waitUntil(partial(has_result, window, requirement, "pass"), timeout=5000)
        assert status(window, requirement) == "Ready"
    attach(qtbot, window, "oet-medicine", [scan(tmp, "oet-medicine")])
    for part, score in (("listening", "380"), ("reading", "400"), ("speaking", "360"), ("writing", "330")):
        type_into(qtbot, own_field(window, part), score)
    assert window.session.documents_for("oet-medicine")[-1].fields == {
        "listening": 380, "reading": 400, "speaking": 360, "writing": 330}
    card = page.first_card()
    assert card is not None
    type_into(qtbot, card.fields["issued"], "2025-03-09")
    type_into(qtbot, card.fields["name_on_document"], NAME)
    # ten now: the Spanish diploma made the translation required too
    qtbot.waitUntil(lambda: window.progress_label.text() == "10 of 10 required items ready", timeout=5000)

    # a slip: the passport removed, then brought back with the status bar's Undo
    open_in_checklist(qtbot, window, "passport")
    card = page.first_card()
    assert card is not None
    click(qtbot, card.remove_button)
    qtbot.waitUntil(lambda: status(window, "passport") == "Missing", timeout=5000)
    assert window.notice_label.text() == "Removed Passport."
    assert window.undo_button.isVisible()
    assert window.undo_action.text() == "&Undo Remove Passport"
    click(qtbot, window.undo_button)
    qtbot.waitUntil(lambda: status(window, "passport") == "Ready", timeout=5000)
    assert window.progress_label.text() == "10 of 10 required items ready"

    # review and export
    qtbot.keyClick(window.checklist, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    review = window.review_page
    assert window.current_page() is review
    assert review.badge.text() == "Ready to export"
    assert review.export_button.isEnabled()
    assert "10 of 10 required items ready." in review.summary_label.text()
    packet = tmp / "packet.pdf"
    asked.exports.append(prompts.ExportAnswer(packet=packet, bundle=tmp / "packet.ecfmgpkt", password=None,
                                              paper="letter"))
    asked.after_export.append(None)  # Close: neither open the PDF nor its folder
    click(qtbot, review.export_button)
    qtbot.waitUntil(lambda: bool(asked.after_export_messages or asked.errors), timeout=60_000)
    assert asked.errors == []
    message = asked.after_export_messages[0]
    assert message.startswith("Your packet is ready: “packet.pdf” (")
    assert "“packet.ecfmgpkt”" in message
    assert packet.read_bytes().startswith(b"%PDF")
    assert (tmp / "packet.ecfmgpkt").is_file()
    assert asked.opened_urls == []
    assert review.export_button.isEnabled()
