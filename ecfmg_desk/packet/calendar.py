"""The plan as an iCalendar file (RFC 5545), written with the ``icalendar`` library, never by hand.

One all-day event per dated plan item. The UID is derived from the vault id and the item's stable key, so
importing the file again (after an edit, a new document, next week) updates the events a calendar already has
instead of duplicating them; deadlines carry a reminder 14 days before. The vault id itself is hashed into the
UID, not written out, so the file does not identify the vault.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from icalendar import Alarm, Calendar, Event

import ecfmg_desk
from ecfmg_desk.core.plan import Plan, PlanItem
from ecfmg_desk.core.rules import format_date
from ecfmg_desk.packet._output import atomic_output

REMINDER_DAYS = 14
"""The reminder before each deadline (DESIGN.md section 7)."""

CONFIDENCE_WORDS = {
    "C": "confirmed",
    "C-old": "older source",
    "T": "third-party guide",
    "M": "our reading",
    "?": "not confirmed",
}


def event_uid(vault_id: str, key: str) -> str:
    """Stable across runs and edits: the same vault and plan key always give the same UID."""
    digest = hashlib.sha256(f"ecfmg-desk-plan\0{vault_id}\0{key}".encode()).hexdigest()[:32]
    return f"{digest}@ecfmg-desk"


def _description(item: PlanItem) -> str:
    lines = [item.detail] if item.detail else []
    if item.user_entered:
        lines.append("Date entered by you.")  # never twice: the plan's details do not say it
    else:
        lines.append(f"How sure: {CONFIDENCE_WORDS[item.confidence]}.")
    if item.source:
        lines.append(f"Source: {item.source}")
    return "\n".join(lines)


def plan_calendar(plan: Plan, vault_id: str, *, stamp: datetime | None = None) -> bytes:
    """The iCalendar bytes of ``plan``; ``stamp`` is the DTSTAMP (now, unless a test fixes it)."""
    stamp = stamp or datetime.now(UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", f"-//ECFMG Desk//ecfmg-desk {ecfmg_desk.__version__}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"ECFMG Desk: Match {plan.cycle}")
    for item in plan.items:
        if item.date is None:
            continue
        event = Event()
        event.add("uid", event_uid(vault_id, item.key))
        event.add("dtstamp", stamp)
        event.add("dtstart", item.date)
        event.add("dtend", item.date + timedelta(days=1))
        event.add("summary", item.title)
        event.add("description", _description(item))
        event.add("transp", "TRANSPARENT")
        event.add("categories", [f"ECFMG Desk {item.kind}"])
        if item.kind == "deadline" and item.status != "done":
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"{item.title}: {format_date(item.date)}")
            alarm.add("trigger", timedelta(days=-REMINDER_DAYS))
            event.add_component(alarm)
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def write_calendar(plan: Plan, vault_id: str, out: Path) -> int:
    """Write the plan's calendar to ``out`` atomically; returns the number of events."""
    data = plan_calendar(plan, vault_id)
    with atomic_output(Path(out), "calendar file") as handle:
        handle.write(data)
    return sum(1 for item in plan.items if item.date is not None)
