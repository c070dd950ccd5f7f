"""Help for a requirement (F1) and its sources, in the applicant's words.

The catalog is written for the people who maintain it too: a source's title may say where in RULES.md its rule
comes from ("(RULES.md SCAN_DPI_MIN)"), a note may carry a confidence code ("[C-old]"). The window never shows
those (UX principle 6, DESIGN.md section 4): :func:`plain` takes out references to RULES.md and rule ids and
turns every confidence code into its words ("older source"), wherever the text comes from.
"""

from __future__ import annotations

import html
import re
from typing import Any

from PySide6.QtCore import QCoreApplication

from ecfmg_desk.ui.words import confidence_word

_REFERENCE = re.compile(r"\s*\([^()]*\bRULES\.md\b[^()]*\)")
"""``(RULES.md SCAN_DPI_MIN)``, ``(RULES.md PHOTO_FILE, open question 1)``."""
_MENTION = re.compile(r"\s*\bRULES\.md\b(?:\s+(?:[A-Z][A-Z0-9]*(?:[_-][A-Z0-9]+)+|open question \d+))*,?")
_RULE_ID = re.compile(r"\s*\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")
"""``SCAN_DPI_MIN``: an id, never a word the applicant reads (``USMLE``, ``OET`` have no underscore)."""
_MARK = re.compile(r"\s*\[(C-old|C|T|M|\?)\]")


def tr(text: str) -> str:
    return QCoreApplication.translate("helptext", text)


def plain(text: str) -> str:
    """``text`` without RULES.md references and rule ids, confidence codes in words."""
    text = _REFERENCE.sub("", text)
    text = _MENTION.sub("", text)
    text = _RULE_ID.sub("", text)
    text = _MARK.sub(lambda m: f" ({confidence_word(f'[{m[1]}]')})", text)
    return re.sub(r"\(\s*\)", "", re.sub(r"[ \t]{2,}", " ", text)).strip()


def legend() -> str:
    """How sure a source is, in the words the window uses (the catalog's legend speaks in codes)."""
    return tr("Each source says how sure it is: confirmed (an official ECFMG page), older source (official, but "
              "from an older edition), third-party guide (seen only on pages not by ECFMG), our reading (how "
              "ECFMG Desk reads the rules, not confirmed by any source). Only rules that are confirmed or from an "
              "older source can block your packet; the others are warnings.")


def disclaimer_text(disclaimer: str) -> str:
    """The catalog's disclaimer with its legend of codes replaced by :func:`legend`."""
    sentences = re.split(r"(?<=[.!?])\s+", disclaimer.strip())
    kept = [sentence for sentence in sentences if not _MARK.search(sentence)]
    text = plain(" ".join(kept))
    return f"{text} {legend()}".strip() if len(kept) < len(sentences) else text


def source_line(source: Any) -> str:
    """One source as rich text: its title (linked when it has an address) · how sure it is."""
    title = html.escape(plain(source.title))
    if getattr(source, "url", None):
        title = f'<a href="{html.escape(source.url)}">{title}</a>'
    return f"{title} · {html.escape(confidence_word(source.confidence))}"


def requirement_help(requirement: Any, disclaimer: str) -> str:
    """The F1 help of one requirement: what it is, how to add it, the sources and how sure each is."""
    parts = [f"<h3>{html.escape(plain(requirement.title))}</h3>", f"<p>{html.escape(plain(requirement.help))}</p>"]
    if requirement.how_to_add:
        how = html.escape(tr("How to add it:"))
        parts.append(f"<p><b>{how}</b> {html.escape(plain(requirement.how_to_add))}</p>")
    sources = "".join(
        f"<li>{html.escape(plain(s.title))} — <i>{html.escape(confidence_word(s.confidence))}</i>"
        + (f"<br><small>{html.escape(plain(s.note))}</small>" if s.note else "") + "</li>"
        for s in requirement.sources
    )
    if sources:
        parts.append(f"<p><b>{html.escape(tr('Sources'))}</b></p><ul>{sources}</ul>")
    parts.append(f"<p><small>{html.escape(disclaimer_text(disclaimer))}</small></p>")
    return "".join(parts)


def general_help(disclaimer: str) -> str:
    return html.escape(disclaimer_text(disclaimer))
