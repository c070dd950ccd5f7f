"""The command line's own hints, added after an error's message (the message itself names no flag).

The vault and the packet say what went wrong in the applicant's words, for the window and the terminal alike;
only here does the command line add how to get past it with its flags and variables.
"""

from __future__ import annotations

from ecfmg_desk.errors import DeskError, Topic, user_message
from ecfmg_desk.vault.keys import PASSPHRASE_ENV
from ecfmg_desk.vault.location import HOME_ENV
from ecfmg_desk.vault.store import NO_PASSPHRASE_NOTICE

HINTS: dict[Topic, str] = {
    "passphrase": f"Set {PASSPHRASE_ENV} to your recovery passphrase and try again.",
    "new-passphrase": f"Set {PASSPHRASE_ENV} to a passphrase you will remember; it is the only way back in.",
    "vault-location": f"Check --vault (or {HOME_ENV}), or add a document or set your profile to create one.",
    "translation-of": "Give it with --translation-of DOC_ID.",
    "check": "`ecfmg-desk check` shows what to do.",
    "verify": "`ecfmg-desk verify BUNDLE` lists the bundle's documents.",
    "reviewer": "Give it with --reviewer NAME.",
    "list": "`ecfmg-desk list` shows the ids.",
}

NOTICE_HINTS: dict[str, str] = {
    NO_PASSPHRASE_NOTICE: f"(Here: run any command with {PASSPHRASE_ENV} set to the passphrase you choose.)",
}
"""The command line's way to do what a vault's notice asks."""


def cli_message(exc: BaseException) -> str:
    """The text after ``error:``: the user's message, then the command line's hint when there is one."""
    message = user_message(exc)
    topic = exc.topic if isinstance(exc, DeskError) else None
    hint = HINTS.get(topic) if topic else None
    return f"{message} {hint}" if hint else message
