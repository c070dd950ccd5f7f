"""``ecfmg-desk confirm …``: answer the questions the app asks for rules it cannot see in a file (DESIGN.md
section 6). Registered from ``cli.py``; thin like the rest of the CLI."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from ecfmg_desk.errors import UsageError

if TYPE_CHECKING:
    from ecfmg_desk.cli import Context

ANSWERS = {"yes": True, "no": False, "": None}


def add_commands(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    confirm = command("confirm", "answer a question the app cannot see in your files (yes or no)")
    confirm.add_argument("id", nargs="?", metavar="ID", help="the question's id (see --list)")
    confirm.add_argument("answer", nargs="?", metavar="yes|no", help="your answer (an empty one forgets it)")
    confirm.add_argument("--document", metavar="DOC_ID", help="the document the question is about")
    confirm.add_argument("--list", action="store_true", help="list the questions and your answers")
    confirm.add_argument("--json", action="store_true")


def cmd_confirm(ctx: Context) -> int:
    from ecfmg_desk.core.rules import confirmation_questions

    args = ctx.args
    if args.list:
        if args.id is not None:
            raise UsageError("Give either --list or a question's ID and your answer, not both.")
        with ctx.open_vault() as vault:
            profile, documents, answers = vault.profile(), vault.documents(), vault.confirmations()
            catalog = ctx.catalog(profile)
        questions = confirmation_questions(catalog, profile, documents, answers)
        if args.json:
            ctx.json({"cycle": catalog.cycle, "questions": [q.to_json() for q in questions]})
            return 0
        if not questions:
            ctx.print("No questions to answer.")
        for q in questions:
            answer = "unanswered" if q.answer is None else ("yes" if q.answer else "no")
            about = f" --document {q.document}" if q.document else ""
            ctx.print(f"{q.id}{about}  [{answer}]\n    {q.confirmation.question}")
        return 0
    if args.id is None or args.answer is None:
        raise UsageError("confirm wants ID yes|no [--document DOC_ID], or --list.")
    word = args.answer.strip().lower()
    if word not in ANSWERS:
        raise UsageError(f"The answer must be yes or no, not {args.answer!r}.")
    with ctx.open_vault() as vault:
        profile, documents = vault.profile(), vault.documents()
        catalog = ctx.catalog(profile, date.today())
        questions = confirmation_questions(catalog, profile, documents, vault.confirmations())
        known = {q.id for q in catalog.confirmations}
        if args.id not in known:
            raise UsageError(f"There is no question {args.id!r}. Questions: {', '.join(sorted(known))}.")
        match = [q for q in questions if q.id == args.id and q.document == (args.document or None)]
        if not match:
            needs = any(q.id == args.id and q.document for q in questions)
            if needs and not args.document:
                raise UsageError(f"Question {args.id} is asked per document: add --document DOC_ID "
                                 "(see `ecfmg-desk confirm --list`).")
            whom = f"document {args.document}" if args.document else "you"
            raise UsageError(f"Question {args.id} is not asked of {whom} (see `ecfmg-desk confirm --list`).")
        vault.set_confirmation(args.id, args.document, ANSWERS[word])
    ctx.note(f"{args.id}: {'forgotten' if ANSWERS[word] is None else word}")
    return 0


COMMANDS: dict[str, Callable[[Context], int]] = {"confirm": cmd_confirm}
