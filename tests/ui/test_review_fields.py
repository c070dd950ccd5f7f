"""The advisor sees each document's own fields in review mode (the exam result, the OET sub-scores, the
identity form's status, the rotation a certificate belongs to), carried by the bundle, as plain text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from ecfmg_desk.core.catalog import Catalog
from ecfmg_desk.ui.app import DeskApp
from ecfmg_desk.ui.settings import open_settings
from ecfmg_desk.ui.window import MainWindow
from ecfmg_desk.vault.store import Vault
from tests.ui.conftest import AS_OF, Prompts, export_bundle, open_in_checklist


@pytest.fixture
def advisor(qtbot: QtBot, tmp_path: Path, asked: Prompts) -> Iterator[DeskApp]:
    desk = DeskApp(tmp_path / "advisor-has-no-vault", settings=open_settings(), as_of=AS_OF)
    yield desk
    desk.shutdown()


def _shown(window: MainWindow, requirement: str) -> dict[str, str]:
    """What the advisor reads in the document's own fields, field by field."""
    card = window.requirement_page.first_card()
    assert card is not None and card.own_fields is not None
    out: dict[str, str] = {}
    for name, widget in card.own_fields.widgets.items():
        assert isinstance(widget, QLabel), f"{requirement}.{name} is an editor in review mode"
        assert widget.textFormat() == Qt.TextFormat.PlainText
        out[name] = widget.text()
    return out


def test_review_mode_shows_the_fields_the_student_entered(qtbot: QtBot, ready_vault: dict[str, str], vault: Vault,
                                                         catalog: Catalog, tmp_path: Path,
                                                         advisor: DeskApp) -> None:
    identity = ready_vault["identity-form"]
    vault.edit_document(identity, {"fields": {"status": "submitted"}})
    oet = vault.document(ready_vault["oet-medicine"]).fields
    bundle = export_bundle(vault, catalog, tmp_path / "mail")

    advisor.bundle = bundle
    assert advisor.start() is None
    qtbot.waitUntil(lambda: len(advisor.review_windows) == 1, timeout=30_000)
    window: MainWindow = advisor.review_windows[0]
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.session.is_idle, timeout=30_000)

    open_in_checklist(qtbot, window, "usmle-step1")
    step1 = _shown(window, "usmle-step1")
    assert step1["result"] == "pass" and step1["attempt"] == "1"
    assert step1["test_date"] == "3 May 2021", "the test date falls back to the score report's date"
    open_in_checklist(qtbot, window, "oet-medicine")
    scores = _shown(window, "oet-medicine")
    assert {k: scores[k] for k in ("listening", "reading", "speaking", "writing")} == {
        k: str(oet[k]) for k in ("listening", "reading", "speaking", "writing")}
    open_in_checklist(qtbot, window, "identity-form")
    assert _shown(window, "identity-form")["status"] == "submitted"
    assert "not entered" not in " ".join([*step1.values(), *scores.values()])
    qtbot.waitUntil(lambda: window.session.is_idle, timeout=30_000)  # the previews finish before the window goes
