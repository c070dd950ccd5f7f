"""``ecfmg-desk advisor-key show|export|import``: the advisor's signing key on the command line.

Registered from ``cli.py``; kept apart so the key commands do not crowd the main command table. The key file's
passphrase comes from ``--passphrase-env VAR``, else ``ECFMG_DESK_PASSPHRASE``, else an interactive prompt.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ecfmg_desk.errors import UsageError

if TYPE_CHECKING:
    from ecfmg_desk.cli import Context

WHERE = {"keyring": "in this computer's keyring", "config": "in the settings folder, protected by your passphrase"}


def add_commands(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    key = command("advisor-key", "show, export or import your signing key as an advisor (a new laptop)")
    key.add_argument("action", choices=("show", "export", "import"))
    key.add_argument("file", nargs="?", type=Path, metavar="FILE")
    key.add_argument("--passphrase-env", metavar="VAR",
                     help="take the key file's passphrase from this environment variable")


def _file_passphrase(ctx: Context, *, confirm: bool) -> str:
    from ecfmg_desk.vault.keys import PASSPHRASE_ENV, passphrase_from_env

    var = ctx.args.passphrase_env
    if var:
        value = os.environ.get(var)
        if not value:
            raise UsageError(f"--passphrase-env: the environment variable {var} is not set or empty.")
        return value
    from_env = passphrase_from_env()
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        raise UsageError(f"The key file needs a passphrase: set {PASSPHRASE_ENV} or use --passphrase-env VAR.")
    first = getpass.getpass("Passphrase for the key file: ")
    if confirm and getpass.getpass("Same passphrase again: ") != first:
        raise UsageError("The two passphrases differ; nothing was written.")
    return first


def cmd_advisor_key(ctx: Context) -> int:
    from ecfmg_desk.errors import KeyUnavailableError
    from ecfmg_desk.vault.advisor_key import NoAdvisorKey, export_advisor_key, import_advisor_key, load_advisor_key
    from ecfmg_desk.vault.keys import PASSPHRASE_ENV, passphrase_from_env

    args = ctx.args
    if args.action == "show":
        try:
            key = load_advisor_key(passphrase=passphrase_from_env(), create=False)
        except NoAdvisorKey as exc:
            raise KeyUnavailableError(f"No signing key: {exc}. One is made the first time you save a review.") from None
        ctx.print(f"Your signing key: {key.signer.fingerprint} (kept {WHERE[key.where]}).")
        return 0
    if args.file is None:
        raise UsageError(f"advisor-key {args.action} needs the key FILE.")
    if args.action == "export":
        signer = export_advisor_key(args.file, passphrase=passphrase_from_env(),
                                    export_passphrase=_file_passphrase(ctx, confirm=True))
        ctx.note(f"wrote your signing key {signer.fingerprint} to {args.file}, protected by the passphrase; "
                 "import it on your new computer with `ecfmg-desk advisor-key import FILE`.")
        return 0
    try:
        imported = import_advisor_key(args.file, import_passphrase=_file_passphrase(ctx, confirm=False),
                                      passphrase=passphrase_from_env())
    except KeyUnavailableError as exc:
        raise KeyUnavailableError(f"{exc.message} Set {PASSPHRASE_ENV} to a passphrase to protect it.") from None
    ctx.note(f"imported signing key {imported.signer.fingerprint}; it is kept {WHERE[imported.where]}.")
    if imported.replaced is not None:
        ctx.note(f"it replaces the key this computer had ({imported.replaced.fingerprint}); students who "
                 "trusted that one will be asked to accept this one.", "warning")
    return 0


COMMANDS: dict[str, Callable[[Context], int]] = {"advisor-key": cmd_advisor_key}
