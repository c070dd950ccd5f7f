"""The field editors on a document's page: the right widget per type, a refused value said in words."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QSpinBox
from pytestqt.qtbot import QtBot

from ecfmg_desk.core.catalog import Catalog
from ecfmg_desk.ui.fields import FieldsForm
from ecfmg_desk.ui.session import Session
from ecfmg_desk.ui.widgets import DateField
from ecfmg_desk.ui.window import MainWindow
from ecfmg_desk.vault.store import Vault
from tests.samples import make_scan_pdf
from tests.ui.conftest import AS_OF, attach, show_window


def _form(window: MainWindow) -> FieldsForm:
    card = window.requirement_page.first_card()
    assert card is not None and card.own_fields is not None
    return card.own_fields


def test_an_exam_result_is_chosen_and_the_item_becomes_ready(qtbot: QtBot, window: MainWindow, vault: Vault,
                                                             tmp_path: Path) -> None:
    attach(qtbot, window, "usmle-step2ck", [make_scan_pdf(tmp_path / "ck.pdf", pages=1, dpi=200)])
    assert window.model.state_of("usmle-step2ck") == "problems"
    form = _form(window)
    result, when, attempt = (form.widgets[n] for n in ("result", "test_date", "attempt"))
    assert isinstance(result, QComboBox) and isinstance(when, DateField) and isinstance(attempt, QSpinBox)
    assert [result.itemText(i) for i in range(result.count())] == ["—", "pass", "fail"]
    result.setCurrentIndex(1)
    result.activated.emit(1)
    qtbot.waitUntil(lambda: vault.documents()[0].fields.get("result") == "pass", timeout=5000)
    assert window.model.state_of("usmle-step2ck") == "ready"
    attempt.setValue(2)
    qtbot.waitUntil(lambda: vault.documents()[0].fields.get("attempt") == 2, timeout=5000)


def test_oet_scores_have_their_range_and_a_bad_value_is_refused_in_words(qtbot: QtBot, window: MainWindow,
                                                                          vault: Vault, tmp_path: Path) -> None:
    attach(qtbot, window, "oet-medicine", [make_scan_pdf(tmp_path / "oet.pdf", pages=1, dpi=200)])
    form = _form(window)
    writing = form.widgets["writing"]
    assert isinstance(writing, QSpinBox) and writing.maximum() == 500 and writing.minimum() == -1
    for part, score in (("listening", 380), ("reading", 400), ("speaking", 360), ("writing", 330)):
        box = _form(window).widgets[part]
        assert isinstance(box, QSpinBox)
        box.setValue(score)
    qtbot.waitUntil(lambda: vault.documents()[0].fields.get("writing") == 330, timeout=5000)
    form = _form(window)
    requirement = window.session.requirement("oet-medicine")
    spec = requirement.field("writing") if requirement else None
    assert spec is not None
    form._edited(spec, 640)
    assert form.error_label.isVisibleTo(form) and "from 0 to 500" in form.error_label.text()
    assert vault.documents()[0].fields["writing"] == 330  # nothing changed


def test_without_an_editor_the_fields_are_plain_text(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    attach(qtbot, window, "identity-form", [make_scan_pdf(tmp_path / "iif.pdf", pages=1, dpi=200)])
    card = window.requirement_page.first_card()
    assert card is not None
    readonly = FieldsForm(window.session, card.requirement, card.document)  # type: ignore[arg-type]
    qtbot.addWidget(readonly)
    status = readonly.widgets["status"]
    assert isinstance(status, QLabel) and status.text() == "created"


def test_the_profile_chooses_the_match_year_and_the_window_follows(qtbot: QtBot, window: MainWindow,
                                                                   vault: Vault) -> None:
    form = window.profile_page.form
    years = [form.match_year.itemData(i) for i in range(form.match_year.count())]
    assert years == [None, 2026, 2027, 2028]
    form.match_year.setCurrentIndex(3)
    form.match_year.activated.emit(3)
    form.failed_step2cs.setChecked(True)
    form.aamc_id.setText("14523698")
    form.aamc_id.textEdited.emit("14523698")
    window.profile_page.save()
    qtbot.waitUntil(lambda: vault.profile().match_year == 2028, timeout=5000)
    assert vault.profile().failed_step2cs and vault.profile().aamc_id == "14523698"
    qtbot.waitUntil(lambda: window.session.catalog.cycle == 2028, timeout=5000)


def test_an_upgraded_vault_says_once_in_the_window_which_documents_need_a_field(
    qtbot: QtBot, vault: Vault, catalog: Catalog, tmp_path: Path
) -> None:
    vault.add_document("oet-medicine", [make_scan_pdf(tmp_path / "oet.pdf", pages=1, dpi=200)])
    with vault._lock:  # as migration 6 marks a vault that had documents before the fields
        vault._conn.execute("INSERT INTO meta(key, value) VALUES ('fields_notice', 'pending')")
    session = Session(vault, catalog, as_of=AS_OF)
    try:
        main = show_window(qtbot, session)
        assert session.upgrade_notice is not None and "OET Medicine result" in session.upgrade_notice
        qtbot.waitUntil(lambda: "need" in main.notice_label.text(), timeout=5000)
        main.close()
    finally:
        session.shutdown()
    again = Session(vault, catalog, as_of=AS_OF)
    assert again.upgrade_notice is None  # only once
    again.shutdown()


def test_unanswered_questions_have_yes_and_no_buttons(qtbot: QtBot, window: MainWindow, vault: Vault,
                                                      tmp_path: Path) -> None:
    attach(qtbot, window, "medical-diploma", [make_scan_pdf(tmp_path / "diploma.pdf", pages=1, dpi=200)])
    page = window.requirement_page
    questions = {row.finding.question: row for row in page.question_rows}
    assert {"school-listed", "degree-title", "no-evaluations", "credit-years", "all-pages"} <= set(questions)
    listed = questions["school-listed"]
    assert listed.yes_button.isVisibleTo(listed) and "World Directory" in listed.text()
    qtbot.mouseClick(listed.yes_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: vault.confirmations().get(("school-listed", "")) is True, timeout=5000)
    qtbot.waitUntil(lambda: "school-listed" not in {r.finding.question for r in page.question_rows}, timeout=5000)
    degree = next(r for r in page.question_rows if r.finding.question == "degree-title")
    qtbot.mouseClick(degree.no_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.model.state_of("medical-diploma") == "problems", timeout=5000)
    assert any("Reference Guide" in text for text in page.finding_texts())
