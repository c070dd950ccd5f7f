"""``ecfmg-desk export --for PORTAL --out FOLDER``: the preflight report, then one file per document."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ecfmg_desk.core.rules import format_size
from ecfmg_desk.errors import UsageError

if TYPE_CHECKING:
    from ecfmg_desk.cli import Context


def export_for_destination(ctx: Context) -> int:
    """Print what was changed and what still fails for every file, then write those that pass.

    Exit 1 when a file still breaks a sourced rule (it is not written; the others are), else 0.
    """
    from ecfmg_desk.packet.destinations import preflight_vault, write_ready

    args = ctx.args
    unused = [flag for flag, given in (("--bundle", args.bundle), ("--password-env", args.password_env)) if given]
    if unused:
        raise UsageError(f"export --for writes the portal's files unencrypted and without a bundle; "
                         f"{' and '.join(unused)} do not apply.")
    with ctx.open_vault() as vault:
        catalog = ctx.catalog(vault.profile())
        report = preflight_vault(args.destination, vault, catalog, args.out)
    ctx.print(f"Preflight for {args.destination}: {report.note}")
    if not report.files:
        ctx.print("No documents for this destination are in the vault yet.")
    for item in report.files:
        status = "ready" if item.ok else "NOT WRITTEN"
        ctx.print(f"- {item.name} ({item.title}, {format_size(item.size)}): {status}")
        for line in item.changes:
            ctx.print(f"    changed: {line}")
        for line in item.warnings:
            ctx.print(f"    warning: {line}")
        for line in item.problems:
            ctx.print(f"    still fails: {line}")
    for path in write_ready(report):
        ctx.note(f"wrote {path}")
    return 0 if report.ok else 1
