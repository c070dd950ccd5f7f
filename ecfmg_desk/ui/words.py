"""The window's vocabulary: status words and icons, dates, file summaries (UX.md principles 2 and 4).

One place, so the sidebar, the requirement page and the review page say exactly the same thing. Presentation
only: which state a requirement is in comes from ``core.rules``; here it only gets its word and icon.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from ecfmg_desk.core import rules
from ecfmg_desk.core.model import Document, Page

if TYPE_CHECKING:
    from ecfmg_desk.ui.settings import RecentBundle

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def tr(text: str) -> str:
    return QCoreApplication.translate("words", text)


# requirement state -> (icon, word); states come from core.rules.requirement_states
STATE_ICONS = {
    "ready": "ready",
    "problems": "attention",
    "missing": "missing",
    "optional": "optional",
    "not-needed": "not-needed",
}


def state_word(state: str) -> str:
    return {
        "ready": tr("Ready"),
        "problems": tr("Needs attention"),
        "missing": tr("Missing"),
        "optional": tr("Optional"),
        "not-needed": tr("Not needed"),
    }.get(state, state)


def state_icon(state: str) -> str:
    return STATE_ICONS.get(state, "missing")


SEVERITY_ICONS = {"error": "error", "warning": "attention", "info": "info"}


def severity_word(severity: str) -> str:
    return {"error": tr("Must fix"), "warning": tr("Check"), "info": tr("Note")}.get(severity, severity)


def severity_icon(severity: str) -> str:
    return SEVERITY_ICONS.get(severity, "info")


def translation_word(status: str) -> str:
    return {
        "needed": tr("needed"),
        "ordered": tr("ordered"),
        "received": tr("received, not attached yet"),
        "attached": tr("attached"),
        "not-needed": tr("not needed"),
    }.get(status, status)


def translation_icon(status: str) -> str:
    return {"attached": "ready", "needed": "missing", "ordered": "optional", "received": "optional"}.get(
        status, "not-needed"
    )


def confidence_word(mark: str) -> str:
    """A source's confidence mark in words (DESIGN.md section 4), never the bracket code: the same words as
    the plan's calendar (``packet.calendar``)."""
    return {
        "[C]": tr("confirmed"),
        "[C-old]": tr("older source"),
        "[T]": tr("third-party guide"),
        "[M]": tr("our reading"),
        "[?]": tr("not confirmed"),
    }.get(mark, tr("not confirmed"))


# -- the keyring, in the same words on every page (issue 15: "contradicts itself, never says what it is")


def keyring_meaning() -> str:
    """What a keyring is, for someone who has never heard the word."""
    return tr("A keyring is the place where your computer keeps the passwords of apps, like Keychain on a Mac "
              "or Credential Manager on Windows.")


def passphrase_prompt(*, keyring: bool, wrong: bool) -> str:
    """Above the box where an existing vault's recovery passphrase is typed."""
    if wrong:
        return tr("That passphrase does not open this vault. Check for typing mistakes and Caps Lock, and type "
                  "your recovery passphrase again:")
    if not keyring:
        return tr("Your documents are encrypted. This computer has no keyring that ECFMG Desk can use, so it "
                  "asks for your recovery passphrase each time it opens.") + " " + keyring_meaning() + "\n\n" + tr(
                      "Type your recovery passphrase:")
    return tr("This computer's keyring does not have the key to this vault: this happens on a new computer, "
              "after reinstalling the system, or with a vault copied from elsewhere.") + " " + keyring_meaning() + \
        "\n\n" + tr("Type your recovery passphrase once; ECFMG Desk then keeps the key in the keyring and will "
                     "not ask again on this computer:")


def keyring_explanation(keyring: bool) -> str:
    """The first-run wizard's passphrase page: where the key lives, and when the passphrase is needed."""
    if keyring:
        return tr("Your documents are encrypted with a key. ECFMG Desk keeps that key in this computer's keyring, "
                  "so you will not have to type anything to open the app.") + " " + keyring_meaning() + " " + tr(
                      "On a new computer, or after reinstalling the system, the keyring no longer has the key: "
                      "then this passphrase opens your documents.")
    return tr("Your documents are encrypted with a key. This computer has no keyring that ECFMG Desk can use, "
              "so the key is locked with this passphrase and you will type it each time you open the app.") + \
        " " + keyring_meaning()


def format_date(value: date | None) -> str:
    """``15 Jul 2022`` (as :func:`ecfmg_desk.core.rules.format_date`), or "not set"."""
    if value is None:
        return tr("not set")
    return rules.format_date(value)


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def pages_summary(pages: Sequence[Page]) -> str:
    """``2 pages · 300 dpi · colour``: what a reviewer checks first about a scan."""
    parts = [plural(len(pages), tr("page"), tr("pages"))]
    dpis = sorted({round(p.dpi) for p in pages if p.dpi})
    if not pages:
        return parts[0]
    if dpis and len(dpis) == 1:
        parts.append(f"{dpis[0]} dpi")
    elif dpis:
        parts.append(f"{dpis[0]}–{dpis[-1]} dpi")
    elif all(p.dpi is None for p in pages) and any(p.width_px for p in pages):
        parts.append(tr("resolution not stored"))
    colours = {p.color for p in pages}
    if colours == {True}:
        parts.append(tr("colour"))
    elif colours == {False}:
        parts.append(tr("black and white"))
    else:
        parts.append(tr("some pages in colour"))
    return " · ".join(parts)


def document_files_line(document: Document) -> str:
    names = [f.name for f in document.files]
    if len(names) <= 3:
        return ", ".join(names)
    return ", ".join(names[:2]) + tr(", and {n} more").format(n=len(names) - 2)


def decision_word(decision: str | None) -> str:
    """An advisor's decision on one document, in the same words on both sides of the review."""
    return {"approved": tr("Approved"), "changes": tr("Changes requested")}.get(decision or "", tr("Not reviewed yet"))


def decision_icon(decision: str | None) -> str:
    return {"approved": "ready", "changes": "attention"}.get(decision or "", "optional")


_UNSAFE = str.maketrans({c: " " for c in '/\\:*?"<>|'})


def file_name(text: str) -> str:
    """``text`` made safe as a file name on Windows, macOS and Linux (no slashes, colons, quotes…)."""
    cleaned = " ".join(text.translate(_UNSAFE).split()).strip(" .")
    return cleaned[:120]


def recent_bundle_text(item: RecentBundle) -> str:
    """``Maria Jose Garcia Lopez · exported 25 Nov 2026 · ready`` (or ``· 3 problems``, ``· file not found``)."""
    parts = [item.student or item.path.name]
    if item.exported:
        parts.append(tr("exported {date}").format(date=format_date(item.exported)))
    parts.append(tr("ready") if item.problems == 0 else plural(item.problems, tr("problem"), tr("problems")))
    if not item.exists:
        parts.append(tr("file not found"))
    return " · ".join(parts)


def plain_tooltip(text: str) -> str:
    """A tooltip that shows ``text`` as it is: Qt takes any tooltip that looks like markup for rich text, so
    text that may come from a file, a bundle or a review is escaped (and marked as rich text, so the escapes
    show as the characters they stand for)."""
    if not text:
        return ""
    return "<qt>" + html.escape(text).replace("\n", "<br>") + "</qt>"
