"""Clinical experience on paper: the letter writer's request sheet and the packet's clinical-experience summary.

Both are drawn with the packet cover's text machinery (``_textpages``), so every script a name may use is shaped
and the text can be searched and copied. The writer's sheet carries the AAMC LoR Portal's file rules (RULES.md
ERAS-LOR, [C]) because the writer, not the applicant, uploads the letter: a letter the portal refuses is found out
by the writer, late, unless they knew the rules first.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import ecfmg_desk
from ecfmg_desk.core.clinical import Letter, Rotation, totals, weeks_by_specialty
from ecfmg_desk.core.model import Profile
from ecfmg_desk.core.rules import format_date

if TYPE_CHECKING:
    from ecfmg_desk.packet._textpages import Sheet
    from ecfmg_desk.vault.store import Vault

LETTER_PAPER = (612.0, 792.0)

PORTAL_FILE_RULES: tuple[str, ...] = (
    "One PDF file (a standardized letter and a narrative letter go together in one PDF).",
    "At most 1 MB (1,048,576 bytes).",
    "Pages of 8.5 × 11 in (US Letter), not A4.",
    "On letterhead with your contact details: address, phone and e-mail.",
    "Signed by you and dated.",
    "Not encrypted and not password-protected.",
    "No digital signature and no signature fields: sign on paper and scan, or place an image of your "
    "signature, then save as a plain PDF.",
    "A file name without the characters | * ? :",
)
"""The LoR Portal's rules for a letter file (RULES.md ERAS-LOR and LOR_PDF / LOR_CONTENT, all [C])."""

KIND_WORDS = {
    "clerkship": "Clerkship",
    "elective": "Elective",
    "externship": "Externship",
    "observership": "Observership",
    "research": "Research",
}


def _applicant(profile: Profile) -> str:
    return profile.name_of_record or "the applicant"


def _weeks(value: float) -> str:
    return f"{value:g} week" if value == 1 else f"{value:g} weeks"


def letter_sheet(profile: Profile, letter: Letter, rotation: Rotation | None, as_of: date) -> Sheet:
    """What the writer needs on one page: who it is for, the Letter ID, the due date and the file rules."""
    from ecfmg_desk.packet._textpages import Sheet

    aamc_id = getattr(profile, "aamc_id", None) or "not given yet: ask the applicant"
    writer = letter.writer + (f", {letter.writer_title}" if letter.writer_title else "")
    rows = [
        ("Applicant", _applicant(profile)),
        ("AAMC ID", aamc_id),
        ("Letter ID", letter.letter_id or "not given yet: ask the applicant for the Letter ID"),
        ("Please upload by", format_date(letter.due) if letter.due else "as soon as you can"),
        ("Letter writer", writer),
    ]
    if rotation is not None:
        rows.append(
            (
                "Rotation",
                f"{KIND_WORDS.get(rotation.kind, rotation.kind)} in {rotation.specialty}, {rotation.institution}, "
                f"{format_date(rotation.start)} – {format_date(rotation.end)}",
            )
        )
    how = (
        "Letter writers upload the letter themselves in the AAMC Letters of Recommendation Portal (LoR Portal), "
        "with the Letter ID above.",
        "The portal refuses a file that breaks one of the rules below.",
    )
    return Sheet(
        kicker="Request for a letter of recommendation (ERAS)",
        title=f"Letter for {_applicant(profile)}",
        rows=tuple(rows),
        sections=(("How to send it", how), ("The LoR Portal's file rules", PORTAL_FILE_RULES)),
        footer=f"Prepared with ECFMG Desk {ecfmg_desk.__version__} on {format_date(as_of)} · "
        "rules from the AAMC LoR Portal guidelines and FAQ",
        note="Thank you for writing this letter.",
    )


def write_letter_sheet(vault: Vault, letter_id: str, out: Path, *, as_of: date | None = None) -> int:
    """Write the writer's request sheet for one letter to ``out`` (atomically); returns the page count."""
    from ecfmg_desk.packet._output import atomic_output
    from ecfmg_desk.packet._textpages import render_sheet

    letter = vault.clinical.letter(letter_id)
    rotation = None
    if letter.rotation:
        rotation = next((r for r in vault.clinical.rotations() if r.id == letter.rotation), None)
    sheet = letter_sheet(vault.profile(), letter, rotation, as_of or date.today())
    data, pages = render_sheet(LETTER_PAPER, sheet)
    data = _searchable(data)
    with atomic_output(Path(out), "letter request sheet") as handle:
        handle.write(data)
    return pages


def _searchable(pdf: bytes) -> bytes:
    """Qt maps the space glyph back to TAB; fix each font's ToUnicode so copied text has real spaces."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, StreamObject

    from ecfmg_desk.packet._textpages import fix_space_mapping

    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter(clone_from=reader)
    for page in writer.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for font_ref in dict.values(fonts.get_object()):
            font = font_ref.get_object()
            stream = font.get(NameObject("/ToUnicode"))
            if stream is not None:
                obj = stream.get_object()
                if isinstance(obj, StreamObject):
                    obj.set_data(fix_space_mapping(obj.get_data()))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def clinical_summary_sheet(rotations: Sequence[Rotation], letters: Sequence[Letter]) -> Sheet:
    """The packet's one page after the cover: weeks hands-on vs not, by specialty, and each rotation."""
    from ecfmg_desk.packet._textpages import Sheet

    total = totals(rotations)
    rows = [
        ("Hands-on", _weeks(total.hands_on_weeks) + " (clerkships, electives, externships)"),
        ("Observership", _weeks(total.observership_weeks)),
    ]
    if total.research_weeks:
        rows.append(("Research", _weeks(total.research_weeks)))
    by_specialty = tuple(
        f"{line.specialty}: {_weeks(line.hands_on_weeks)} hands-on, {_weeks(line.other_weeks)} not hands-on"
        for line in weeks_by_specialty(rotations)
    )
    asked = {letter.rotation for letter in letters if letter.rotation}
    listed = []
    for r in sorted(rotations, key=lambda r: (r.start, r.end)):
        kind = KIND_WORDS.get(r.kind, r.kind) + (" (hands-on)" if r.hands_on else " (not hands-on)")
        who = f", supervised by {r.supervisor}" if r.supervisor else ""
        letter = " · letter requested" if r.id in asked else ""
        listed.append(
            f"{format_date(r.start)} – {format_date(r.end)} · {kind} in {r.specialty} at {r.institution}{who} · "
            f"{_weeks(r.weeks)} · {r.status}{letter}"
        )
    return Sheet(
        kicker="US clinical experience",
        title="Clinical experience summary",
        rows=tuple(rows),
        sections=(("Weeks by specialty", by_specialty), ("Rotations", tuple(listed))),
        footer="Weeks = (last day − first day + 1) / 7, from the dates the applicant entered",
    )


CSV_COLUMNS = ("kind", "hands_on", "specialty", "institution", "supervisor", "start", "end", "weeks", "status",
               "open_tasks", "letters")


def _cell(value: str) -> str:
    """A spreadsheet runs a cell that starts with = + - @ as a formula: such text is written with a leading '."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def write_rotations_csv(rotations: Sequence[Rotation], letters: Sequence[Letter], out: Path) -> int:
    """The rotations as CSV (UTF-8 with BOM so spreadsheet apps read accents), atomically; returns the row count."""
    import csv

    from ecfmg_desk.packet._output import atomic_output

    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in sorted(rotations, key=lambda r: (r.start, r.end)):
        writers = "; ".join(x.writer for x in letters if x.rotation == r.id)
        writer.writerow(
            [_cell(v) for v in (
                r.kind, "yes" if r.hands_on else "no", r.specialty, r.institution, r.supervisor or "",
                r.start.isoformat(), r.end.isoformat(), f"{r.weeks:g}", r.status,
                "; ".join(t.title for t in r.open_tasks), writers,
            )]
        )
    with atomic_output(Path(out), "rotations table") as handle:
        handle.write(("\ufeff" + text.getvalue()).encode("utf-8"))
    return len(rotations)
