"""``ecfmg-desk plan``: every dated step of the applicant's Match cycle (DESIGN.md section 7).

Registered from :mod:`ecfmg_desk.cli` with two lines; thin like every command: parse, call
:mod:`ecfmg_desk.packet.planning`, print.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ecfmg_desk.errors import UsageError

if TYPE_CHECKING:
    from ecfmg_desk.cli import Context
    from ecfmg_desk.core.plan import PlanItem

_STATUS_WORDS = {
    "done": "done",
    "nothing-to-do": "nothing to do",
    "overdue": "OVERDUE",
    "due-soon": "due soon",
    "upcoming": "upcoming",
    "unknown": "not announced",
}
_CONFIDENCE_WORDS = {
    "C": "confirmed",
    "C-old": "older source",
    "T": "third-party guide",
    "M": "our reading",
    "?": "not confirmed",
}


def add_parser(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    plan = command("plan", "every deadline of your Match cycle, in date order (and as a calendar file)")
    plan.add_argument("--as-of", metavar="DATE")
    plan.add_argument("--json", action="store_true")
    plan.add_argument("--ics", type=Path, metavar="FILE.ics", help="also write the dated steps as a calendar file")
    plan.add_argument("--set", action="append", default=[], metavar="KEY=DATE", dest="assignments",
                      help="enter a date the catalog does not know yet (empty DATE forgets yours), "
                           "e.g. pathways_close=2027-05-31 or exam:usmle-step2ck=2027-01-15")


def _assignments(texts: list[str]) -> dict[str, date | None]:
    from ecfmg_desk.cli import parse_date

    changes: dict[str, date | None] = {}
    for text in texts:
        key, sep, value = text.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"--set wants KEY=DATE, got {text!r}.")
        changes[key] = parse_date(value.strip(), f"--set {key}") if value.strip() else None
    return changes


def _line(item: PlanItem) -> str:
    when = item.date.isoformat() if item.date else "-" * 10
    how = "entered by you" if item.user_entered else _CONFIDENCE_WORDS[item.confidence]
    return f"{when}  {_STATUS_WORDS[item.shown_status]:<13} {item.kind:<9} {item.title}  ({how})"


def cmd_plan(ctx: Context) -> int:
    from ecfmg_desk.cli import _as_of
    from ecfmg_desk.packet.planning import check_entries, export_calendar, vault_plan

    args = ctx.args
    as_of = _as_of(args)
    changes = _assignments(args.assignments)
    with ctx.open_vault(create=bool(changes)) as vault:
        result = vault_plan(vault, as_of, entered=changes)
        check_entries(result.catalog, changes)
        if args.ics is not None:  # before storing: an unwritable path stores nothing
            count = export_calendar(vault, result.plan, args.ics)
            ctx.note(f"wrote {args.ics} ({count} event{'s' if count != 1 else ''})")
        if changes:
            vault.set_plan_dates(changes)
    for key, value in changes.items():
        ctx.note(f"saved your date for {key}: {value.isoformat()}" if value else f"forgot your date for {key}")
    plan = result.plan
    if args.json:
        ctx.json(plan.to_json())
        return 0
    ctx.print(f"Match {plan.cycle} plan on {plan.as_of.isoformat()}")
    for item in plan.items:
        ctx.print(_line(item))
        if item.date is None and item.source:
            ctx.print(f"{'':12}not announced yet: check {item.source}")
    return 0
