"""The command-line twin of the GUI (DESIGN.md section 3). Thin: parse, call vault/packet, print.

Every failure the user can cause ends as one ``error: …`` line on stderr and the exit code of its
:mod:`ecfmg_desk.errors` class; no traceback reaches the terminal.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import getpass
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, NoReturn, TextIO

from ecfmg_desk import cli_clinical, cli_confirm, cli_keys, cli_plan, cli_vault_keys
from ecfmg_desk.core.model import (
    MANUAL_TRANSLATION_STATUSES,
    TRANSLATION_REQUIREMENT,
    TRANSLATOR_KINDS,
    Profile,
    document_to_json,
)
from ecfmg_desk.errors import AdvisorKeyChangedError, DeskError, UsageError, exit_code_for

BOOL_WORDS = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one ``error:`` line (exit 2), like every other failure."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def parse_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option}: {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2022-07-15.") from None


def _optional_date(text: str | None, option: str) -> date | None:
    return None if text is None or text == "" else parse_date(text, option)


def parse_profile_value(name: str, text: str) -> Any:
    """Turn ``--set FIELD=VALUE`` text into the typed value the profile stores."""
    if name not in Profile.field_names():
        raise UsageError(f"Unknown profile field {name!r}. Fields: {', '.join(Profile.field_names())}.")
    text = text.strip()
    if name in ("date_of_birth", "graduation_date", "name_change_date"):
        return _optional_date(text, name)
    if name in ("transferred_credits", "failed_step2cs"):
        if text.lower() not in BOOL_WORDS:
            raise UsageError(f"{name} must be yes or no.")
        return BOOL_WORDS[text.lower()]
    if name == "match_year":
        from ecfmg_desk.resources import available_cycles

        if not text:
            return None
        cycles = available_cycles()
        if not text.isdigit() or int(text) not in cycles:
            raise UsageError(
                f"match_year must be the year of a Match this app has rules for: {', '.join(map(str, cycles))}."
            )
        return int(text)
    if name == "aamc_id":
        return text or None
    if name == "clinical_skills_route" and text not in ("pathway", "step2cs"):
        raise UsageError("clinical_skills_route must be pathway or step2cs.")
    return text


# ------------------------------------------------------------------------------------------------ parser


class _Version(argparse.Action):
    """``--version``: the number is looked up only when asked for (reading it costs every start ~70 ms)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        from ecfmg_desk import __version__

        print(f"ecfmg-desk {__version__}", file=sys.stdout)  # where argparse's own version action prints it
        parser.exit()


def build_parser(*, gui_only: bool = False) -> argparse.ArgumentParser:
    """The command line. ``gui_only``: the same parser with only ``gui`` (the window's start does not build the
    other ~100 commands' parsers, ~10 ms); it parses a ``gui`` command line exactly as the whole one does."""
    vault_opt = _Parser(add_help=False)
    vault_opt.add_argument("--vault", type=Path, default=argparse.SUPPRESS, metavar="DIR",
                           help="the vault folder (default: $ECFMG_DESK_HOME or your user data folder)")
    vault_opt.add_argument("--verbose", action="store_true", default=argparse.SUPPRESS,
                           help="also print what the app does (no personal data) on stderr")

    parser = _Parser(prog="ecfmg-desk", description="Prepare and check your ECFMG certification packet, offline.",
                     parents=[vault_opt])
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=help_text, parents=[vault_opt])

    gui = command("gui", "open the app (a bundle opens in review mode)")
    gui.add_argument("bundle", nargs="?", type=Path, metavar="BUNDLE")
    gui.add_argument("--screenshot", type=Path, metavar="FILE.png",
                     help="render the main window once shown, save it as PNG and exit")
    if gui_only:
        return parser

    req = command("requirements", "list the requirement catalog")
    req.add_argument("--json", action="store_true")
    req.add_argument("--cycle", type=int, metavar="YEAR",
                     help="the Match year (default: your profile's, else the Match still ahead)")

    prof = command("profile", "show or change the applicant profile")
    prof.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", dest="assignments")
    prof.add_argument("--json", action="store_true")

    add = command("add", "import the pages of one document (or a translation)")
    add.add_argument("requirement", metavar="REQUIREMENT_ID")
    add.add_argument("files", nargs="+", type=Path, metavar="FILE")
    _metadata_options(add)
    add.add_argument("--translation-of", metavar="DOC_ID")
    add.add_argument("--translator", metavar="NAME")
    add.add_argument("--translator-kind", choices=TRANSLATOR_KINDS)
    _field_option(add)

    edit = command("edit", "change a document's details (an empty value clears it)")
    edit.add_argument("document", metavar="DOC_ID")
    _metadata_options(edit)
    edit.add_argument("--translator", metavar="NAME")
    edit.add_argument("--translator-kind", choices=TRANSLATOR_KINDS)
    edit.add_argument("--translation-status", choices=MANUAL_TRANSLATION_STATUSES,
                      help="track a translation not attached yet")
    edit.add_argument("--files", nargs="+", type=Path, metavar="FILE", help="replace the document's scan")
    _field_option(edit)

    remove = command("remove", "move a document to the trash")
    remove.add_argument("document", metavar="DOC_ID")

    lst = command("list", "list the documents")
    lst.add_argument("--json", action="store_true")

    val = command("validate", "check the packet; exit 1 while any error remains")
    val.add_argument("--as-of", metavar="DATE")
    val.add_argument("--json", action="store_true")

    exp = command("export", "write the packet PDF (and the advisor bundle) once validation passes")
    exp.add_argument("--out", type=Path, required=True, metavar="PACKET.pdf",
                     help="the packet PDF; with --for, the folder for the portal's files")
    exp.add_argument("--for", dest="destination", choices=("myintealth", "lor-portal", "eras"),
                     help="instead of the packet: one file per document, ready for that portal")
    exp.add_argument("--bundle", type=Path, metavar="FILE.ecfmgpkt")
    exp.add_argument("--as-of", metavar="DATE")
    exp.add_argument("--password-env", metavar="VAR", help="encrypt the PDF with the password in this variable")
    exp.add_argument("--paper", choices=("letter", "a4"), default="letter")

    ver = command("verify", "check a bundle's integrity (exit 3 when anything was altered)")
    ver.add_argument("bundle", type=Path, metavar="BUNDLE")
    _accept_student_key(ver)

    rev = command("review", "answer a student's bundle with decisions and comments")
    rev.add_argument("bundle", type=Path, metavar="BUNDLE")
    rev.add_argument("--decision", action="append", default=[], metavar="DOC_ID=approved|changes")
    rev.add_argument("--comment", action="append", default=[], metavar="DOC_ID=TEXT")
    rev.add_argument("--reviewer", metavar="NAME")
    rev.add_argument("--out", type=Path, required=True, metavar="REVIEW.json")
    _accept_student_key(rev)

    app = command("apply-review", "load an advisor's review into the vault")
    app.add_argument("review", type=Path, metavar="REVIEW.json")
    app.add_argument("--accept-new-key", action="store_true",
                     help="accept a known advisor's new signing key (after checking its fingerprint with them)")

    command("demo", "create an example applicant vault to explore")
    command("check", "check the vault's integrity (every stored file decrypts and matches its hash)")

    bak = command("backup", "write an encrypted backup of the whole vault")
    bak.add_argument("--out", type=Path, required=True, metavar="FILE")

    res = command("restore", "restore a backup into --vault DIR (missing or empty)")
    res.add_argument("backup", type=Path, metavar="FILE")
    cli_clinical.add_commands(command)
    cli_keys.add_commands(command)
    cli_vault_keys.add_commands(command)
    cli_plan.add_parser(command)
    cli_confirm.add_commands(command)
    return parser


def _accept_student_key(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--accept-new-key", action="store_true",
                        help="accept a known student's new bundle key (after checking its fingerprint with them)")


def _field_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", dest="field_assignments",
                        help="a field of this kind of document, e.g. result=pass (an empty value clears it)")


def _field_assignments(args: argparse.Namespace) -> dict[str, str]:
    values: dict[str, str] = {}
    for assignment in getattr(args, "field_assignments", []):
        name, sep, value = assignment.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--set wants FIELD=VALUE, got {assignment!r}.")
        values[name.strip()] = value
    return values


def _metadata_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--issued", metavar="DATE")
    parser.add_argument("--expires", metavar="DATE")
    parser.add_argument("--language", metavar="CODE", help="the document's language tag, e.g. es or en-GB")
    parser.add_argument("--name-on-document", metavar="TEXT", help="the name exactly as printed on the document")
    parser.add_argument("--notes", metavar="TEXT")


# ------------------------------------------------------------------------------------------------ commands


class Context:
    def __init__(self, args: argparse.Namespace, out: TextIO, err: TextIO) -> None:
        self.args = args
        self.out = out
        self.err = err

    @property
    def vault_dir(self) -> Path:
        from ecfmg_desk.vault.location import default_vault_dir

        given: Path | None = getattr(self.args, "vault", None)
        return given if given is not None else default_vault_dir()

    def open_vault(self, *, create: bool = False) -> Any:
        from ecfmg_desk.cli_hints import NOTICE_HINTS
        from ecfmg_desk.vault.keys import passphrase_from_env
        from ecfmg_desk.vault.store import Vault, read_only_notice

        vault = Vault.open(self.vault_dir, create=create, passphrase=passphrase_from_env())
        for notice in vault.notices:
            if notice == read_only_notice(vault.path):
                continue  # reads just work; a write says so in its one error line
            hint = NOTICE_HINTS.get(notice)
            self.note(f"{notice} {hint}" if hint else notice, "warning" if "no recovery passphrase" in notice
                      else "note")
        if vault.take_fields_notice():
            from ecfmg_desk.core.rules import fields_notice

            text = fields_notice(self.catalog(vault.profile()), vault.documents())
            if text:
                self.note(text + " Set them with `ecfmg-desk edit DOC_ID --set FIELD=VALUE`.")
        return vault

    def print(self, text: str = "") -> None:
        print(text, file=self.out)

    def note(self, text: str, kind: str = "note") -> None:
        print(f"{kind}: {text}", file=self.err)

    def json(self, value: object) -> None:
        print(json.dumps(value, indent=2, ensure_ascii=False), file=self.out)

    def catalog(self, profile: Profile | None, as_of: date | None = None) -> Any:
        """The cycle catalog the profile's ``match_year`` chooses (unset: the Match still ahead)."""
        from ecfmg_desk.resources import catalog_for

        return catalog_for(profile.match_year if profile else None, as_of or date.today())


def cmd_requirements(ctx: Context) -> int:
    from ecfmg_desk.core.rules import CONDITION_WORDS
    from ecfmg_desk.resources import available_cycles, load_catalog

    if ctx.args.cycle is not None:
        if ctx.args.cycle not in available_cycles():
            cycles = ", ".join(map(str, available_cycles()))
            raise UsageError(f"--cycle: there are rules for the {cycles} Matches, not {ctx.args.cycle}.")
        catalog = load_catalog(ctx.args.cycle)
    else:
        catalog = ctx.catalog(_profile_if_any(ctx))
    if ctx.args.json:
        ctx.json(catalog.to_json())
        return 0
    ctx.print(f"{catalog.title} (cycle {catalog.cycle})")
    titles = dict(catalog.categories)
    current = None
    for r in catalog.requirements:
        if r.category != current:
            current = r.category
            ctx.print(f"\n{titles.get(r.category, r.category).upper()}")
        if isinstance(r.required, bool):
            required = "required" if r.required else "optional"
        else:
            required = f"required {CONDITION_WORDS.get(r.condition or '', r.condition)}"
        ctx.print(f"  {r.id:<22} {r.title}  [{required}]")
    return 0


def cmd_profile(ctx: Context) -> int:
    changes: dict[str, Any] = {}
    for assignment in ctx.args.assignments:
        name, sep, value = assignment.partition("=")
        if not sep:
            raise UsageError(f"--set wants FIELD=VALUE, got {assignment!r}.")
        changes[name.strip()] = parse_profile_value(name.strip(), value)
    with ctx.open_vault(create=bool(changes)) as vault:
        profile = vault.update_profile(changes) if changes else vault.profile()
    values = {
        name: (value.isoformat() if isinstance(value, date) else value)
        for name in Profile.field_names()
        for value in [getattr(profile, name)]
    }
    if ctx.args.json:
        ctx.json(values)
    else:
        for name, value in values.items():
            ctx.print(f"{name:<22} {'' if value is None else value}")
    return 0


def _metadata_from_args(args: argparse.Namespace) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in ("issued", "expires"):
        raw = getattr(args, name, None)
        if raw is not None:
            values[name] = _optional_date(raw, f"--{name}")
    for name in ("language", "name_on_document", "notes", "translator", "translator_kind", "translation_status"):
        raw = getattr(args, name, None)
        if raw is not None:
            values[name] = raw if raw != "" else None
    return values


def _profile_if_any(ctx: Context) -> Profile | None:
    """The profile of the vault, when there is one that opens (``requirements`` works without a vault)."""
    from ecfmg_desk.vault.store import is_vault

    if not is_vault(ctx.vault_dir):
        return None
    try:
        with ctx.open_vault() as vault:
            return vault.profile()  # type: ignore[no-any-return]
    except DeskError:
        return None


def cmd_add(ctx: Context) -> int:
    args = ctx.args
    metadata = _metadata_from_args(args)
    if args.translation_of:
        metadata["translation_of"] = args.translation_of
    if args.requirement == TRANSLATION_REQUIREMENT and not args.translation_of:
        raise UsageError("A translation needs --translation-of DOC_ID, --translator NAME and --translator-kind.")
    assignments = _field_assignments(args)
    # requirements and their fields are the same in every cycle (the catalog base): check before a vault is made
    catalog = ctx.catalog(None)
    if args.requirement != TRANSLATION_REQUIREMENT and catalog.get(args.requirement) is None:
        known = ", ".join(r.id for r in catalog.requirements)
        raise UsageError(f"Unknown requirement {args.requirement!r}. Known: {known}.")
    if assignments:
        if args.requirement == TRANSLATION_REQUIREMENT or args.translation_of:
            raise UsageError("A translation has no fields of its own to set.")
        values = catalog[args.requirement].parse_fields(assignments)
        metadata["fields"] = {k: v for k, v in values.items() if v is not None}
    with ctx.open_vault(create=True) as vault:
        result = vault.add_document(args.requirement, args.files, **metadata)
    for other in result.duplicates:
        ctx.note(f"the same file is already in your vault (document {other}); its bytes are stored only once.")
    doc = result.document
    ctx.note(f"added {doc.requirement} ({doc.page_count} page{'s' if doc.page_count != 1 else ''})")
    ctx.print(doc.id)
    return 0


def cmd_edit(ctx: Context) -> int:
    from ecfmg_desk.vault.inspect import inspect_file

    args = ctx.args
    metadata = _metadata_from_args(args)
    assignments = _field_assignments(args)
    if not metadata and not assignments and not args.files:
        raise UsageError("Nothing to change: give at least one option (see `ecfmg-desk edit --help`).")
    with ctx.open_vault() as vault:
        if assignments:
            current = vault.document(args.document)
            requirement = ctx.catalog(vault.profile()).get(current.requirement)
            if requirement is None:
                raise UsageError(f"Document {current.id} is a {current.requirement}, which has no fields to set.")
            metadata["fields"] = requirement.parse_fields(assignments)
        files = [inspect_file(p) for p in args.files] if args.files else []
        doc = vault.edit_document(args.document, metadata) if metadata else vault.document(args.document)
        if files:
            doc = vault.replace_files(args.document, files)
    ctx.note(f"updated {doc.id} ({doc.requirement})")
    return 0


def cmd_remove(ctx: Context) -> int:
    from ecfmg_desk.errors import UntrustedDataError

    with ctx.open_vault() as vault:
        try:
            doc = vault.document(ctx.args.document)
            label = f"{doc.id} ({doc.requirement})"
        except UntrustedDataError as exc:
            if ctx.args.document not in exc.documents:
                raise
            label = f"{ctx.args.document}, which could not be trusted,"  # removing it is the way out
        vault.remove_document(ctx.args.document)
    ctx.note(f"removed {label}")
    return 0


def cmd_list(ctx: Context) -> int:
    with ctx.open_vault() as vault:
        docs = vault.documents()
    rows = [document_to_json(d, docs) for d in docs]
    if ctx.args.json:
        ctx.json({"documents": rows})
        return 0
    if not rows:
        ctx.print("No documents yet. Add one with: ecfmg-desk add REQUIREMENT_ID FILE...")
        return 0
    for row in rows:
        ctx.print(
            f"{row['id']}  {row['requirement']:<22} {row['pages']:>3} p  issued {row['issued'] or '-':<10}"
            f"  expires {row['expires'] or '-':<10}  {row['language'] or '-':<3} {row['translation_status']}"
        )
    return 0


def _as_of(args: argparse.Namespace) -> date:
    raw = getattr(args, "as_of", None)
    return parse_date(raw, "--as-of") if raw else date.today()


def cmd_validate(ctx: Context) -> int:
    from ecfmg_desk.vault.validation import validate_vault

    as_of = _as_of(ctx.args)
    with ctx.open_vault() as vault:
        catalog = ctx.catalog(vault.profile(), as_of)
        result = validate_vault(vault, catalog, as_of)
    if ctx.args.json:
        ctx.json({"cycle": catalog.cycle, **result.to_json()})
    else:
        for f in result.findings:
            where = f" [{f.document}]" if f.document else ""
            ctx.print(f"{f.severity:<7} {f.code:<22} {f.requirement}{where}: {f.message}")
            ctx.print(f"        fix: {f.fix}")
        open_questions = len(result.open_questions)
        remain = (f" {open_questions} question(s) still to answer: `ecfmg-desk confirm --list`."
                  if open_questions else "")
        ctx.print(("Ready to export." if result.ready else f"Not ready: {len(result.errors)} problem(s) to fix.")
                  + remain)
    return 0 if result.ready else 1


def cmd_export(ctx: Context) -> int:
    from ecfmg_desk.packet.export import export_vault

    args = ctx.args
    if args.destination:
        from ecfmg_desk.cli_destinations import export_for_destination

        return export_for_destination(ctx)
    password = None
    if args.password_env:
        password = os.environ.get(args.password_env)
        if not password:
            raise UsageError(f"--password-env: the environment variable {args.password_env} is not set or empty.")
    as_of = _as_of(args)
    with ctx.open_vault() as vault:
        summary = export_vault(vault, ctx.catalog(vault.profile(), as_of), out=args.out, bundle=args.bundle,
                               as_of=as_of, password=password, paper=args.paper)
    ctx.note(f"wrote {summary.packet} ({summary.pages} pages)")
    if summary.bundle:
        signed = f", signed with your vault's key {summary.bundle_key}" if summary.bundle_key else ""
        ctx.note(f"wrote {summary.bundle}{signed}")
    for warning in summary.warnings:
        ctx.note(warning, "warning")
    return 0


def _advisor_key(ctx: Context) -> tuple[Any, str]:
    """The advisor's signing key (made on first use, and said so) or ``None`` and why there is none."""
    from ecfmg_desk.vault.advisor_key import signing_key_or_reason
    from ecfmg_desk.vault.keys import passphrase_from_env

    key, why = signing_key_or_reason(passphrase_from_env())
    if key is not None and key.created:
        ctx.note(f"made your signing key {key.signer.fingerprint}; the student's app shows this fingerprint "
                 "with your name, so read it to them once.")
    return key, why


def _judge_bundle(ctx: Context, manifest: Any, key: Any, why_no_key: str) -> None:
    """Trust on first use for the student's bundle key: remembered the first time, refused when it changes."""
    from ecfmg_desk.errors import StudentKeyChangedError
    from ecfmg_desk.vault.keys import PASSPHRASE_ENV
    from ecfmg_desk.vault.student_keys import judge_bundle

    try:
        trust = judge_bundle(manifest, key, accept_new_key=ctx.args.accept_new_key, today=date.today(),
                             why_no_key=why_no_key)
    except StudentKeyChangedError as exc:
        raise StudentKeyChangedError(f"{exc.message} Once the student confirms they sent it (and its fingerprint), "
                                     f"run `ecfmg-desk {ctx.args.command} --accept-new-key BUNDLE`.") from None
    who = trust.student
    if trust.trust == "new":
        ctx.note(f"first bundle from {who}: their key {trust.fingerprint} is remembered on this computer; check "
                 "the fingerprint with them once.")
    elif trust.trust == "known":
        ctx.note(f"signed with {who}'s key {trust.fingerprint}, the one you already know")
    elif trust.trust == "changed":
        ctx.note(f"accepted {who}'s NEW key {trust.fingerprint} (before: {', '.join(trust.previous)}).", "warning")
    elif trust.trust == "unsigned" and trust.previous:
        ctx.note(f"opened an UNSIGNED bundle from {who}, whose earlier bundles were signed "
                 f"({', '.join(trust.previous)}).", "warning")
    elif trust.trust == "not-remembered" and trust.fingerprint:
        ctx.note(f"{who}'s key {trust.fingerprint} cannot be remembered on this computer ({trust.why_not_remembered}"
                 f"), so a bundle re-signed by someone else would not be noticed. Set {PASSPHRASE_ENV} to keep a "
                 "signing key here.", "warning")


def cmd_verify(ctx: Context) -> int:
    from ecfmg_desk.packet.bundle import verify_bundle

    manifest = verify_bundle(ctx.args.bundle)
    key, why_no_key = _advisor_key(ctx)
    _judge_bundle(ctx, manifest, key, why_no_key)
    signed = (f"signed by the student's vault, key {manifest.signer.fingerprint}" if manifest.signer
              else "not signed")
    ctx.print(f"{ctx.args.bundle}: intact ({len(manifest.documents)} documents, bundle {manifest.bundle_id}), "
              f"{signed}.")
    if manifest.signer is None:
        ctx.note("this bundle is not signed (made by an older ECFMG Desk): its checksums show damage, "
                 "not who made it.", "warning")
    return 0


def cmd_review(ctx: Context) -> int:
    from ecfmg_desk.packet.bundle import verify_bundle
    from ecfmg_desk.packet.review import make_review, write_review

    args = ctx.args
    manifest = verify_bundle(args.bundle)
    decisions: dict[str, str] = {}
    for item in args.decision:
        doc_id, sep, decision = item.partition("=")
        if not sep or decision not in ("approved", "changes"):
            raise UsageError(f"--decision wants DOC_ID=approved or DOC_ID=changes, got {item!r}.")
        decisions[doc_id] = decision
    comments: dict[str, list[str]] = {}
    for item in args.comment:
        doc_id, sep, text = item.partition("=")
        if not sep or not text.strip():
            raise UsageError(f"--comment wants DOC_ID=TEXT, got {item!r}.")
        comments.setdefault(doc_id, []).append(text.strip())
    reviewer = args.reviewer or _os_user()
    review = make_review(manifest, decisions, comments, reviewer, date.today())
    from ecfmg_desk.vault.keys import PASSPHRASE_ENV

    key, why_unsigned = _advisor_key(ctx)
    _judge_bundle(ctx, manifest, key, why_unsigned)
    write_review(args.out, review, key.private if key else None)
    if key is None:
        ctx.note(f"wrote {args.out} UNSIGNED: {why_unsigned}. The student's app will show it as unsigned. "
                 f"To sign reviews, set {PASSPHRASE_ENV} (it protects your signing key on this computer).",
                 "warning")
        return 0
    ctx.note(f"wrote {args.out}, signed by {review.reviewer} with key {key.signer.fingerprint}")
    return 0


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "Advisor"


def cmd_apply_review(ctx: Context) -> int:
    from ecfmg_desk.packet.apply import apply_review_file

    try:
        with ctx.open_vault() as vault:
            result = apply_review_file(vault, ctx.args.review, accept_new_key=ctx.args.accept_new_key)
    except AdvisorKeyChangedError as exc:
        raise AdvisorKeyChangedError(f"{exc.message} Once your advisor confirms they sent it (and its fingerprint), "
                                     "run `ecfmg-desk apply-review --accept-new-key REVIEW.json`.") from None
    if result.trust == "unsigned":
        ctx.note(f"this review is NOT SIGNED: it says it is from {result.reviewer}, but anyone could have "
                 "written it. Check with your advisor that they sent it.", "warning")
    elif result.trust == "new":
        ctx.note(f"first review signed with this key: {result.reviewer}, key {result.fingerprint}. It is trusted "
                 "from now on; check the fingerprint with your advisor once.")
    elif result.trust == "changed":
        ctx.note(f"accepted {result.reviewer}'s NEW key {result.fingerprint} (before: "
                 f"{', '.join(result.previous_fingerprints)}).", "warning")
    else:
        ctx.note(f"signed by {result.reviewer}, key {result.fingerprint} (the key you already trust)")
    ctx.note(f"loaded {result.reviewer}'s review into {result.applied} document(s)")
    if result.skipped:
        ctx.note(f"{result.skipped} reviewed document(s) are no longer in your vault and were skipped.", "warning")
    return 0


def cmd_demo(ctx: Context) -> int:
    from ecfmg_desk.vault.demo import create_demo

    with ctx.open_vault(create=True) as vault:
        count = create_demo(vault)
    ctx.note(f"created an example applicant with {count} documents in {ctx.vault_dir}")
    return 0


def cmd_check(ctx: Context) -> int:
    from ecfmg_desk.errors import IntegrityError

    with ctx.open_vault() as vault:
        report = vault.check()
    for note in report.notes:
        ctx.note(note)
    if not report.ok:
        for problem in report.problems[1:]:
            ctx.note(problem, "damage")
        more = f" (and {len(report.problems) - 1} more)" if len(report.problems) > 1 else ""
        raise IntegrityError(report.problems[0] + more)
    ctx.print(f"Vault intact: {report.files_checked} file(s) decrypted and matched their SHA-256.")
    return 0


def cmd_backup(ctx: Context) -> int:
    from ecfmg_desk.vault.backups import back_up

    with ctx.open_vault() as vault:
        if not vault.has_passphrase:
            ctx.note("this vault has no recovery passphrase, so the backup opens only on this computer.", "warning")
        result = back_up(vault, ctx.args.out)  # the window's File → Back up does the same: write, verify, record
    ctx.note(f"wrote {ctx.args.out} ({result.size / 1e6:.1f} MB, encrypted; read back and checked)")
    return 0


def cmd_restore(ctx: Context) -> int:
    from ecfmg_desk.vault.backup import restore_backup
    from ecfmg_desk.vault.keys import passphrase_from_env

    with restore_backup(ctx.args.backup, ctx.vault_dir, passphrase=passphrase_from_env()) as vault:
        count = len(vault.documents())
    ctx.note(f"restored {count} document(s) into {ctx.vault_dir}")
    return 0


def _no_display() -> bool:
    """On Linux/BSD without DISPLAY or WAYLAND_DISPLAY (an SSH session, a server), Qt would abort the whole
    process with a misleading message about xcb libraries; we check first."""
    if sys.platform in ("win32", "darwin") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def cmd_gui(ctx: Context) -> int:
    if _no_display():
        if ctx.args.screenshot is None:
            raise UsageError(
                "There is no screen to open the window on (DISPLAY and WAYLAND_DISPLAY are not set). Run ECFMG "
                "Desk from your desktop, or use the command line: `ecfmg-desk --help`."
            )
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a screenshot needs no screen
    # What the window needs from the layers below it, loaded before Qt: PySide6 reads the source of every module
    # imported after it (to see whether it asks for a ``__feature__``), and the vault's keyring and cryptography
    # bring ~130 modules: ~40 ms of every start.
    import ecfmg_desk.logs
    import ecfmg_desk.packet.planning
    import ecfmg_desk.vault.clinical
    import ecfmg_desk.vault.store
    import ecfmg_desk.vault.validation  # noqa: F401
    from ecfmg_desk.ui.app import run_gui
    from ecfmg_desk.vault.location import HOME_ENV

    explicit = getattr(ctx.args, "vault", None) is not None or bool(os.environ.get(HOME_ENV))
    # no explicit vault: the window reopens the last vault used, else the default folder
    return run_gui(vault_dir=ctx.vault_dir if explicit else None, bundle=ctx.args.bundle,
                   screenshot=ctx.args.screenshot)


COMMANDS: dict[str, Callable[[Context], int]] = {
    "gui": cmd_gui,
    "requirements": cmd_requirements,
    "profile": cmd_profile,
    "add": cmd_add,
    "edit": cmd_edit,
    "remove": cmd_remove,
    "list": cmd_list,
    "validate": cmd_validate,
    "export": cmd_export,
    "verify": cmd_verify,
    "review": cmd_review,
    "apply-review": cmd_apply_review,
    "demo": cmd_demo,
    "check": cmd_check,
    "backup": cmd_backup,
    "restore": cmd_restore,
    **cli_clinical.COMMANDS,
    **cli_keys.COMMANDS,
    **cli_vault_keys.COMMANDS,
    "plan": cli_plan.cmd_plan,
    **cli_confirm.COMMANDS,
}


def _first_word(argv: Sequence[str]) -> str | None:
    """The first word that is neither an option nor the value of ``--vault``/``--screenshot``."""
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word in ("--vault", "--screenshot"):
            skip = True
        elif not word.startswith("-"):
            return word
    return None


def _normalise_argv(argv: Sequence[str]) -> list[str]:
    """No command means ``gui``; a bundle path as the first word means ``gui BUNDLE`` (file associations)."""
    argv = list(argv)
    if {"-h", "--help", "--version"} & set(argv):
        return argv
    first = _first_word(argv)
    if first is None or (first not in COMMANDS and first.endswith(".ecfmgpkt")):
        return ["gui", *argv]
    return argv


def _verbose_logging() -> None:
    """``--verbose``: the app's log lines (vault events, counts and ids, never personal data) on stderr too.

    Uses the log module of the window (``ecfmg_desk.logs``: the log file plus stderr) when it is there; until
    then, stderr alone."""
    import importlib
    import logging

    try:
        logs = importlib.import_module("ecfmg_desk.logs")
    except ImportError:
        logger = logging.getLogger("ecfmg_desk")
        if not any(getattr(h, "_ecfmg_desk_verbose", False) for h in logger.handlers):
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
            handler._ecfmg_desk_verbose = True  # type: ignore[attr-defined]
            logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        return
    logs.setup_logging(verbose=True)


def run(argv: Sequence[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        words = _normalise_argv(argv)
        gui_only = _first_word(words) == "gui" and not {"-h", "--help"} & set(words)
        args = build_parser(gui_only=gui_only).parse_args(words)
        if getattr(args, "command", None) != "gui":
            gc.enable()  # off while the modules loaded (``__main__``); the window turns it on once shown
        if getattr(args, "verbose", False):
            _verbose_logging()
        from ecfmg_desk.vault.temps import clean_stale

        clean_stale()  # plaintext temps a killed export (or restore) of ours left behind
        return COMMANDS[args.command](Context(args, out, err))
    except (DeskError, MemoryError) as exc:
        from ecfmg_desk.cli_hints import cli_message

        print(f"error: {cli_message(exc)}", file=err)
        return exit_code_for(exc)
    except KeyboardInterrupt:
        print("error: interrupted; nothing more was done.", file=err)
        return 130
    except BrokenPipeError:
        # the reader went away (``ecfmg-desk list | head``): not an error; silence the final flush too
        if out is sys.stdout:
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except sqlite3.Error as exc:  # every vault call translates these; this is the net under them
        from ecfmg_desk.vault.db import user_error

        error = user_error(exc, None)
        print(f"error: {error.message}", file=err)
        return error.exit_code
    except OSError as exc:
        from ecfmg_desk.cli_hints import cli_message

        print(f"error: {cli_message(exc)}", file=err)
        return exit_code_for(exc)
