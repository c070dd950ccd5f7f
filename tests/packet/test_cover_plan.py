"""The packet cover carries the Match cycle and the next three deadlines, so an advisor sees them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtGui import QGuiApplication

from ecfmg_desk.core.plan import Plan, PlanItem
from tests.packet.conftest import Store
from tests.packet.test_assemble import _assemble, _sections, _text

AS_OF = date(2026, 11, 20)


def _deadline(key: str, when: date | None, *, status: str = "upcoming", user: bool = False) -> PlanItem:
    return PlanItem(key=key, date=when, kind="deadline", title=f"Deadline {key}", status=status,  # type: ignore[arg-type]
                    confidence="T", source="a guide", user_entered=user)


def test_the_cover_names_the_cycle_and_the_next_three_deadlines(qapp: QGuiApplication, tmp_path: Path) -> None:
    schedule = Plan(cycle=2027, as_of=AS_OF, items=(
        _deadline("old", date(2026, 9, 1), status="overdue"),
        _deadline("a", date(2026, 12, 1), status="due-soon"),
        _deadline("done", date(2026, 12, 5), status="done"),
        _deadline("b", date(2027, 1, 15), user=True),
        _deadline("c", date(2027, 3, 3)),
        _deadline("d", date(2027, 5, 31)),
        _deadline("unknown", None, status="unknown"),
    ))
    store = Store()
    sections, _files = _sections(store, tmp_path)
    out = tmp_path / "packet.pdf"
    _assemble(out, sections, store, schedule=schedule)
    cover = _text(PdfReader(out), 1)
    assert "Match cycle 2027 Match" in cover
    assert "Next deadlines 1 Dec 2026: Deadline a" in cover
    assert "15 Jan 2027: Deadline b (date entered by the applicant)" in cover
    assert "3 Mar 2027: Deadline c" in cover
    for absent in ("Deadline old", "Deadline done", "Deadline d", "Deadline unknown"):
        assert absent not in cover


def test_without_a_dated_deadline_the_cover_says_so(qapp: QGuiApplication, tmp_path: Path) -> None:
    store = Store()
    sections, _files = _sections(store, tmp_path)
    out = tmp_path / "packet.pdf"
    _assemble(out, sections, store, schedule=Plan(cycle=2028, as_of=AS_OF, items=(_deadline("u", None),)))
    cover = _text(PdfReader(out), 1)
    assert "Match cycle 2028 Match" in cover
    assert "Next deadlines none with a published date" in cover
