"""``ecfmg-desk passphrase`` and ``ecfmg-desk rekey``: the vault's recovery passphrase and key rotation.

Registered from ``cli.py``. The current passphrase (when the keyring cannot open the vault) comes from
``ECFMG_DESK_PASSPHRASE`` as for every command; the new one from ``ECFMG_DESK_NEW_PASSPHRASE``, else an
interactive prompt asked twice.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from ecfmg_desk.errors import UsageError

if TYPE_CHECKING:
    from ecfmg_desk.cli import Context

NEW_PASSPHRASE_ENV = "ECFMG_DESK_NEW_PASSPHRASE"


def add_commands(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    phrase = command("passphrase", "set or change the vault's recovery passphrase (the old one stops working)")
    phrase.add_argument("--rekey", action="store_true",
                        help="also rotate the vault key (re-encrypt everything under a new key)")
    command("rekey", "re-encrypt everything in the vault under a new key (run it again if it was interrupted)")


def _new_passphrase() -> str:
    value = os.environ.get(NEW_PASSPHRASE_ENV)
    if value:
        return value
    if not sys.stdin or not sys.stdin.isatty():
        raise UsageError(f"Give the new recovery passphrase in {NEW_PASSPHRASE_ENV} (no terminal to ask on).")
    first = getpass.getpass("New recovery passphrase: ")
    if getpass.getpass("Type it again: ") != first:
        raise UsageError("The two passphrases differ; nothing was changed.")
    return first


def cmd_passphrase(ctx: Context) -> int:
    new = _new_passphrase()
    with ctx.open_vault() as vault:
        had = vault.has_passphrase
        vault.set_passphrase(new)
        if ctx.args.rekey:
            _rotate(ctx, vault, new)
    ctx.note("recovery passphrase changed; the old one no longer opens this vault" if had
             else "recovery passphrase set: keep it safe, it is the way back in without this computer's keyring")
    return 0


def cmd_rekey(ctx: Context) -> int:
    from ecfmg_desk.vault.keys import passphrase_from_env

    with ctx.open_vault() as vault:
        _rotate(ctx, vault, passphrase_from_env())
    return 0


def _rotate(ctx: Context, vault: object, passphrase: str | None) -> None:
    from ecfmg_desk.vault.rekey import rekey

    result = rekey(vault, passphrase)  # type: ignore[arg-type]
    ctx.note(f"{'finished the interrupted key rotation' if result.resumed else 'rotated the vault key'}: "
             f"{result.blobs} file(s) and {result.values} value(s) re-encrypted; the old key opens nothing now")


COMMANDS: dict[str, Callable[[Context], int]] = {"passphrase": cmd_passphrase, "rekey": cmd_rekey}
