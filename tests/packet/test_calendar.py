"""The plan's .ics, parsed back with icalendar: events, dates, reminders, UIDs stable across runs."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from ecfmg_desk.core.plan import Plan, PlanItem
from ecfmg_desk.errors import BadInputError
from ecfmg_desk.packet.calendar import event_uid, plan_calendar, write_calendar

AS_OF = date(2026, 12, 1)


def _item(key: str, when: date | None, kind: str = "deadline", status: str = "upcoming") -> PlanItem:
    return PlanItem(key=key, date=when, kind=kind, title=f"Title of {key}", status=status,  # type: ignore[arg-type]
                    confidence="T", source=f"source of {key}", detail=f"Why {key} matters.")


def _plan(*extra: PlanItem) -> Plan:
    items = (
        _item("rol_deadline", date(2027, 3, 3)),
        _item("match_day", date(2027, 3, 19), kind="milestone"),
        _item("passport-expiry:d1", date(2029, 1, 5), kind="expiry", status="done"),
        _item("task:t1", date(2026, 12, 15), kind="task", status="due-soon"),
        _item("pathways_close", None, status="unknown"),
        *extra,
    )
    return Plan(cycle=2027, as_of=AS_OF, items=items)


def _events(data: bytes) -> dict[str, Any]:
    calendar = Calendar.from_ical(data)
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def test_one_all_day_event_per_dated_item() -> None:
    events = _events(plan_calendar(_plan(), "vault-1"))
    assert len(events) == 4  # the unknown date has no event
    by_summary = {str(e["summary"]): e for e in events.values()}
    rol = by_summary["Title of rol_deadline"]
    assert rol["dtstart"].dt == date(2027, 3, 3)
    assert not isinstance(rol["dtstart"].dt, datetime)  # a DATE, so all day
    assert rol["dtend"].dt == date(2027, 3, 4)
    assert "Why rol_deadline matters." in str(rol["description"])
    assert "source of rol_deadline" in str(rol["description"])


def test_deadlines_still_open_carry_a_reminder_fourteen_days_before() -> None:
    events = {str(e["summary"]): e for e in _events(plan_calendar(_plan(), "vault-1")).values()}
    (alarm,) = events["Title of rol_deadline"].walk("VALARM")
    assert alarm.decoded("trigger") == -timedelta(days=14)
    assert str(alarm["action"]) == "DISPLAY"
    for summary in ("Title of match_day", "Title of task:t1", "Title of passport-expiry:d1"):
        assert events[summary].walk("VALARM") == []


def test_uids_are_stable_across_runs_and_edits_so_a_reimport_updates() -> None:
    first = _events(plan_calendar(_plan(), "vault-1", stamp=datetime(2026, 12, 1, 9, tzinfo=UTC)))
    second = _events(
        plan_calendar(_plan(_item("letter-due:l1", date(2027, 1, 10), kind="task")), "vault-1",
                      stamp=datetime(2026, 12, 8, 9, tzinfo=UTC))
    )
    assert set(first) < set(second)
    assert len(second) == len(first) + 1
    assert event_uid("vault-1", "rol_deadline") in first
    assert len({event_uid("vault-2", "rol_deadline"), event_uid("vault-1", "rol_deadline")}) == 2


def test_the_file_does_not_name_the_vault() -> None:
    assert b"vault-1" not in plan_calendar(_plan(), "vault-1")


def test_write_calendar_writes_the_file_and_counts_events(tmp_path: Path) -> None:
    out = tmp_path / "plan.ics"
    assert write_calendar(_plan(), "vault-1", out) == 4
    assert len(_events(out.read_bytes())) == 4


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_an_unwritable_folder_is_a_clear_error_and_leaves_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(BadInputError, match="calendar file"):
            write_calendar(_plan(), "vault-1", folder / "plan.ics")
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_a_folder_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(BadInputError, match="calendar file"):
        write_calendar(_plan(), "vault-1", blocker / "plan.ics")
