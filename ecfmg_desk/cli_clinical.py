"""``ecfmg-desk rotation …`` and ``ecfmg-desk letter …`` (DESIGN.md section 8), registered from ``cli.py``.

Kept apart so the clinical-experience commands do not crowd the main command table. Thin like the rest of the
CLI: parse, call ``vault.clinical`` / ``packet.letter_sheet``, print.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ecfmg_desk.core.clinical import (
    LETTER_STATUSES,
    ROTATION_KINDS,
    ROTATION_STATUSES,
    letter_to_json,
    linked_documents,
    rotation_to_json,
    totals,
)
from ecfmg_desk.core.rules import format_date
from ecfmg_desk.errors import UsageError

if TYPE_CHECKING:
    from ecfmg_desk.cli import Context


def add_commands(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    rotation = command("rotation", "your US clinical experience: clerkships, electives, observerships, …")
    actions = _actions(rotation)

    add = _action(actions, "add", "add a rotation; prints its id")
    _rotation_options(add, required=True)
    edit = _action(actions, "edit", "change a rotation (an empty value clears the supervisor or the notes)")
    edit.add_argument("id", metavar="ID")
    _rotation_options(edit, required=False)
    _action(actions, "remove", "move a rotation (and its tasks) to the trash").add_argument("id", metavar="ID")
    _action(actions, "list", "list the rotations, weeks and tasks").add_argument("--json", action="store_true")
    task = _action(actions, "task", "add a task to a rotation, or update the task with that title")
    task.add_argument("id", metavar="ID")
    task.add_argument("--title", required=True, metavar="TEXT")
    task.add_argument("--due", metavar="DATE", help="when the paperwork is due (YYYY-MM-DD; empty clears it)")
    done = task.add_mutually_exclusive_group()
    done.add_argument("--done", dest="done", action="store_const", const=True, default=None)
    done.add_argument("--undone", dest="done", action="store_const", const=False)

    letter = command("letter", "letters of recommendation and their AAMC Letter IDs")
    actions = _actions(letter)
    add = _action(actions, "add", "add a letter; prints its id")
    _letter_options(add, required=True)
    edit = _action(actions, "edit", "change a letter (an empty value clears an optional detail)")
    edit.add_argument("id", metavar="ID")
    _letter_options(edit, required=False)
    _action(actions, "remove", "move a letter to the trash").add_argument("id", metavar="ID")
    _action(actions, "list", "list the letters").add_argument("--json", action="store_true")
    sheet = _action(actions, "sheet", "write a one-page request sheet for the letter's writer (PDF)")
    sheet.add_argument("id", metavar="ID")
    sheet.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")


def _actions(parser: argparse.ArgumentParser) -> Any:
    return parser.add_subparsers(dest="action", parser_class=type(parser), metavar="ACTION", required=True)


def _action(actions: Any, name: str, help_text: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = actions.add_parser(name, help=help_text, description=help_text)
    parser.add_argument("--vault", type=Path, default=argparse.SUPPRESS, metavar="DIR", help="the vault folder")
    return parser


def _rotation_options(parser: argparse.ArgumentParser, *, required: bool) -> None:
    parser.add_argument("--kind", required=required, metavar="|".join(ROTATION_KINDS))
    parser.add_argument("--institution", required=required, metavar="TEXT")
    parser.add_argument("--specialty", required=required, metavar="TEXT")
    parser.add_argument("--start", required=required, metavar="DATE")
    parser.add_argument("--end", required=required, metavar="DATE")
    parser.add_argument("--supervisor", metavar="TEXT")
    parser.add_argument("--status", metavar="|".join(ROTATION_STATUSES))
    parser.add_argument("--notes", metavar="TEXT")


def _letter_options(parser: argparse.ArgumentParser, *, required: bool) -> None:
    parser.add_argument("--writer", required=required, metavar="NAME")
    parser.add_argument("--writer-title", metavar="TEXT")
    parser.add_argument("--rotation", metavar="ID")
    parser.add_argument("--requested", metavar="DATE")
    parser.add_argument("--due", metavar="DATE")
    parser.add_argument("--status", metavar="|".join(LETTER_STATUSES))
    parser.add_argument("--letter-id", metavar="AAMC_LETTER_ID")


def _date(text: str, option: str) -> date | None:
    from ecfmg_desk.cli import parse_date

    return None if text.strip() == "" else parse_date(text.strip(), option)


def _values(args: argparse.Namespace, names: tuple[str, ...], dates: tuple[str, ...]) -> dict[str, Any]:
    """The options given, typed; an empty text means "clear" (``None``)."""
    values: dict[str, Any] = {}
    for name in names:
        raw = getattr(args, name, None)
        if raw is None:
            continue
        if name in dates:
            values[name] = _date(raw, f"--{name}")
        else:
            values[name] = raw if raw.strip() or name in _REQUIRED_TEXT else None
    return values


_REQUIRED_TEXT = frozenset({"kind", "institution", "specialty", "writer"})
"""Left empty, these are refused (a rotation needs its institution), not cleared."""
_ROTATION_OPTIONS = ("kind", "institution", "specialty", "start", "end", "supervisor", "status", "notes")
_LETTER_OPTIONS = ("writer", "writer_title", "rotation", "requested", "due", "status", "letter_id")


def cmd_rotation(ctx: Context) -> int:
    args = ctx.args
    action = args.action
    if action == "add":
        values = _values(args, _ROTATION_OPTIONS, ("start", "end"))
        for name in ("start", "end"):
            if values.get(name) is None:
                raise UsageError(f"A rotation needs its {name} date.")
        with ctx.open_vault(create=True) as vault:
            rotation = vault.clinical.add_rotation(**values)
        ctx.note(f"added {rotation.kind} in {rotation.specialty} ({rotation.weeks:g} weeks)")
        ctx.print(rotation.id)
        return 0
    if action == "edit":
        changes = _values(args, _ROTATION_OPTIONS, ("start", "end"))
        if not changes:
            raise UsageError("Nothing to change: give at least one option (see `ecfmg-desk rotation edit --help`).")
        with ctx.open_vault() as vault:
            rotation = vault.clinical.edit_rotation(args.id, changes)
        ctx.note(f"updated rotation {rotation.id}")
        return 0
    if action == "remove":
        with ctx.open_vault() as vault:
            rotation = vault.clinical.remove_rotation(args.id)
        ctx.note(f"removed rotation {rotation.id} ({rotation.specialty})")
        return 0
    if action == "task":
        kwargs: dict[str, Any] = {"done": args.done}
        if args.due is not None:
            kwargs["due"] = _date(args.due, "--due")
        with ctx.open_vault() as vault:
            task = vault.clinical.set_task(args.id, args.title, **kwargs)
        ctx.note(f"task “{task.title}”: {'done' if task.done else 'to do'}"
                 + (f", due {format_date(task.due)}" if task.due else ""))
        return 0
    return _list_rotations(ctx)


def _list_rotations(ctx: Context) -> int:
    with ctx.open_vault() as vault:
        rotations = vault.clinical.rotations()
        letters = vault.clinical.letters()
        documents = vault.documents()
    rows = [rotation_to_json(r, letters, linked_documents(documents, "rotation", r.id)) for r in rotations]
    total = totals(rotations)
    if ctx.args.json:
        ctx.json({"rotations": rows, "totals": total.to_json()})
        return 0
    if not rotations:
        ctx.print("No rotations yet. Add one with: ecfmg-desk rotation add --kind … --institution … --specialty … "
                  "--start … --end …")
        return 0
    for r in rotations:
        hands = "hands-on" if r.hands_on else "not hands-on"
        ctx.print(f"{r.id}  {r.kind:<12} {r.specialty} at {r.institution}  {format_date(r.start)} – "
                  f"{format_date(r.end)}  {r.weeks:g} wk ({hands})  {r.status}")
        for t in r.tasks:
            due = f" (due {format_date(t.due)})" if t.due else ""
            ctx.print(f"          [{'x' if t.done else ' '}] {t.title}{due}")
    ctx.print(f"Hands-on: {total.hands_on_weeks:g} weeks · observership: {total.observership_weeks:g} weeks · "
              f"research: {total.research_weeks:g} weeks")
    return 0


def cmd_letter(ctx: Context) -> int:
    args = ctx.args
    action = args.action
    if action == "add":
        values = _values(args, _LETTER_OPTIONS, ("requested", "due"))
        with ctx.open_vault(create=True) as vault:
            letter = vault.clinical.add_letter(**values)
        ctx.note(f"added a letter from {letter.writer} ({letter.status})")
        ctx.print(letter.id)
        return 0
    if action == "edit":
        changes = _values(args, _LETTER_OPTIONS, ("requested", "due"))
        if not changes:
            raise UsageError("Nothing to change: give at least one option (see `ecfmg-desk letter edit --help`).")
        with ctx.open_vault() as vault:
            letter = vault.clinical.edit_letter(args.id, changes)
        ctx.note(f"updated letter {letter.id}")
        return 0
    if action == "remove":
        with ctx.open_vault() as vault:
            letter = vault.clinical.remove_letter(args.id)
        ctx.note(f"removed the letter from {letter.writer}")
        return 0
    if action == "sheet":
        from ecfmg_desk.packet.clinical import write_letter_sheet

        with ctx.open_vault() as vault:
            write_letter_sheet(vault, args.id, args.out)
        ctx.note(f"wrote {args.out}")
        return 0
    return _list_letters(ctx)


def _list_letters(ctx: Context) -> int:
    with ctx.open_vault() as vault:
        letters = vault.clinical.letters()
        documents = vault.documents()
    if ctx.args.json:
        ctx.json({"letters": [letter_to_json(x, linked_documents(documents, "letter", x.id)) for x in letters]})
        return 0
    if not letters:
        ctx.print("No letters yet. Add one with: ecfmg-desk letter add --writer NAME")
        return 0
    for x in letters:
        title = f", {x.writer_title}" if x.writer_title else ""
        due = f"  due {format_date(x.due)}" if x.due else ""
        ctx.print(f"{x.id}  {x.writer}{title}  {x.status}  Letter ID {x.letter_id or '-'}{due}")
    return 0


COMMANDS: dict[str, Callable[[Context], int]] = {"rotation": cmd_rotation, "letter": cmd_letter}
