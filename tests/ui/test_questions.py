"""The app's yes/no questions on the ready packet: "Ready" says how many remain (DESIGN.md section 6), and the
count follows each answer given with the question's own buttons."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ecfmg_desk.ui.window import MainWindow
from ecfmg_desk.vault.store import Vault
from tests.ui.conftest import open_in_checklist


def _open_review(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.mouseClick(window.review_button, Qt.MouseButton.LeftButton)
    assert window.current_page() is window.review_page


def test_a_ready_packet_says_how_many_questions_remain_and_the_count_follows_the_answers(
        qtbot: QtBot, ready_vault: dict[str, str], window: MainWindow, vault: Vault) -> None:
    _open_review(qtbot, window)
    page = window.review_page
    questions = window.session.result.open_questions
    assert window.session.result.ready and len(questions) >= 2, "the example packet leaves questions unanswered"
    assert page.badge.text() == "Ready to export" and page.export_button.isEnabled()
    summary = page.summary_label.text()
    assert f"Ready, with {len(questions)} questions still to answer" in summary
    assert f"Ready, with {len(questions)} questions still to answer." in window.next_label.text()
    # every question is in the list, under its item
    assert all(any(q.message in text for text in page.row_texts()) for q in questions)

    # one answered with its Yes button on the item's page: one fewer remains
    first = questions[0]
    open_in_checklist(qtbot, window, first.requirement)
    row = next(r for r in window.requirement_page.question_rows
               if (r.finding.question, r.finding.document) == (first.question, first.document))
    qtbot.mouseClick(row.yes_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(window.session.result.open_questions) == len(questions) - 1, timeout=5000)
    _open_review(qtbot, window)
    left = len(questions) - 1
    expected = "Ready, with 1 question still to answer" if left == 1 else f"Ready, with {left} questions still"
    assert expected in page.summary_label.text()

    # all answered: plain "ready", no count
    for question in window.session.result.open_questions:
        assert question.question is not None
        vault.set_confirmation(question.question, question.document, True)
    window.session.reload()
    assert window.session.result.open_questions == ()
    assert "question" not in page.summary_label.text()
    assert "Everything is ready." in window.next_label.text() and "question" not in window.next_label.text()


def test_a_packet_not_ready_yet_counts_its_questions_too(qtbot: QtBot, window: MainWindow, vault: Vault,
                                                        ready_vault: dict[str, str]) -> None:
    vault.remove_document(ready_vault["passport"])
    window.session.reload()
    assert not window.session.result.ready
    _open_review(qtbot, window)
    count = len(window.session.result.open_questions)
    assert count >= 2
    assert f"{count} questions are still to answer" in window.review_page.summary_label.text()
    assert "Ready, with" not in window.review_page.summary_label.text()

