"""US clinical experience and the letters it leads to (DESIGN.md section 8): pure data and arithmetic.

Rotations (clerkships, electives, externships: hands-on; observerships and research: not) carry the paperwork
tasks due before they start; letters of recommendation come out of them and are uploaded by their writers to
the AAMC LoR Portal. The vault stores these encrypted; the plan (section 7), the window and the packet only
read them. No clock here: whoever needs "overdue" passes ``as_of``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from ecfmg_desk.errors import UsageError

RotationKind = Literal["clerkship", "elective", "externship", "observership", "research"]
RotationStatus = Literal["planned", "applied", "confirmed", "completed"]
LetterStatus = Literal["requested", "promised", "uploaded", "assigned"]

ROTATION_KINDS: tuple[str, ...] = ("clerkship", "elective", "externship", "observership", "research")
HANDS_ON_KINDS: frozenset[str] = frozenset({"clerkship", "elective", "externship"})
"""Programs count these as hands-on US clinical experience; an observership or research post is not."""
ROTATION_STATUSES: tuple[str, ...] = ("planned", "applied", "confirmed", "completed")
LETTER_STATUSES: tuple[str, ...] = ("requested", "promised", "uploaded", "assigned")
"""In the order a letter moves: asked for, the writer said yes, in the LoR Portal, assigned to programs."""
LETTER_DONE_STATUSES: frozenset[str] = frozenset({"uploaded", "assigned"})
"""A letter in one of these is in the portal: nothing left to chase."""

DEFAULT_ROTATION_STATUS = "planned"
DEFAULT_LETTER_STATUS = "requested"


def weeks_of(start: date, end: date) -> float:
    """Length in weeks, both ends inclusive, one decimal: (end - start + 1 day) / 7 (DESIGN.md section 8)."""
    return round(((end - start).days + 1) / 7, 1)


@dataclass(frozen=True)
class Task:
    """One piece of paperwork a rotation needs (immunisation record, BLS card, background check, ...)."""

    id: str
    title: str
    due: date | None = None
    done: bool = False

    def to_json(self) -> dict[str, object]:
        return {"title": self.title, "due": _iso(self.due), "done": self.done}


@dataclass(frozen=True)
class Rotation:
    """One US clinical experience. ``tasks`` in the order they were added."""

    id: str
    kind: str
    institution: str
    specialty: str
    supervisor: str | None
    start: date
    end: date
    status: str = DEFAULT_ROTATION_STATUS
    notes: str | None = None
    tasks: tuple[Task, ...] = ()

    @property
    def hands_on(self) -> bool:
        return self.kind in HANDS_ON_KINDS

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def weeks(self) -> float:
        return weeks_of(self.start, self.end)

    @property
    def open_tasks(self) -> tuple[Task, ...]:
        return tuple(t for t in self.tasks if not t.done)

    def with_changes(self, **changes: object) -> Rotation:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Letter:
    """A letter of recommendation; ``letter_id`` is the AAMC Letter ID the writer needs to upload it."""

    id: str
    writer: str
    writer_title: str | None = None
    rotation: str | None = None
    requested: date | None = None
    due: date | None = None
    status: str = DEFAULT_LETTER_STATUS
    letter_id: str | None = None

    @property
    def in_portal(self) -> bool:
        return self.status in LETTER_DONE_STATUSES

    def with_changes(self, **changes: object) -> Letter:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Totals:
    """Weeks by category, summed from the days (not from each rotation's rounded weeks), one decimal."""

    hands_on_weeks: float
    observership_weeks: float
    research_weeks: float

    def to_json(self) -> dict[str, float]:
        return {
            "hands_on_weeks": self.hands_on_weeks,
            "observership_weeks": self.observership_weeks,
            "research_weeks": self.research_weeks,
        }


def totals(rotations: Iterable[Rotation]) -> Totals:
    hands_on = observership = research = 0
    for rotation in rotations:
        if rotation.hands_on:
            hands_on += rotation.days
        elif rotation.kind == "observership":
            observership += rotation.days
        else:
            research += rotation.days
    return Totals(round(hands_on / 7, 1), round(observership / 7, 1), round(research / 7, 1))


@dataclass(frozen=True)
class SpecialtyWeeks:
    """One line of the ERAS summary: a specialty with its hands-on and not-hands-on weeks."""

    specialty: str
    hands_on_weeks: float
    other_weeks: float


def weeks_by_specialty(rotations: Iterable[Rotation]) -> tuple[SpecialtyWeeks, ...]:
    """Weeks per specialty (case-insensitive grouping, first spelling kept), most hands-on weeks first."""
    days: dict[str, list[int]] = {}
    spelling: dict[str, str] = {}
    for rotation in rotations:
        key = " ".join(rotation.specialty.split()).casefold()
        spelling.setdefault(key, " ".join(rotation.specialty.split()))
        slot = days.setdefault(key, [0, 0])
        slot[0 if rotation.hands_on else 1] += rotation.days
    lines = [SpecialtyWeeks(spelling[k], round(v[0] / 7, 1), round(v[1] / 7, 1)) for k, v in days.items()]
    return tuple(sorted(lines, key=lambda s: (-s.hands_on_weeks, -s.other_weeks, s.specialty.casefold())))


def letters_of(rotation: Rotation, letters: Iterable[Letter]) -> tuple[Letter, ...]:
    return tuple(letter for letter in letters if letter.rotation == rotation.id)


def rotation_to_json(
    rotation: Rotation, letters: Iterable[Letter] = (), documents: Iterable[str] = ()
) -> dict[str, object]:
    """The rotation object of ``rotation list --json``; ``documents`` are the ids of the documents linked to it."""
    return {
        "id": rotation.id,
        "kind": rotation.kind,
        "hands_on": rotation.hands_on,
        "institution": rotation.institution,
        "specialty": rotation.specialty,
        "supervisor": rotation.supervisor,
        "start": rotation.start.isoformat(),
        "end": rotation.end.isoformat(),
        "weeks": rotation.weeks,
        "status": rotation.status,
        "tasks": [t.to_json() for t in rotation.tasks],
        "letters": [letter.id for letter in letters_of(rotation, letters)],
        "documents": list(documents),
    }


def letter_to_json(letter: Letter, documents: Iterable[str] = ()) -> dict[str, object]:
    """The letter object of ``letter list --json``."""
    return {
        "id": letter.id,
        "writer": letter.writer,
        "writer_title": letter.writer_title,
        "rotation": letter.rotation,
        "requested": _iso(letter.requested),
        "due": _iso(letter.due),
        "status": letter.status,
        "letter_id": letter.letter_id,
        "documents": list(documents),
    }


def chase_due(letter: Letter, chase_weeks: int, as_of: date) -> bool:
    """A letter asked for more than ``chase_weeks`` weeks ago and not in the portal yet: time to remind the writer."""
    if letter.in_portal or letter.requested is None:
        return False
    return (as_of - letter.requested).days > chase_weeks * 7


def rotations_without_letter(rotations: Iterable[Rotation], letters: Iterable[Letter]) -> tuple[Rotation, ...]:
    """Completed rotations nobody has been asked a letter for (an info in the checklist, never an error)."""
    asked = {letter.rotation for letter in letters if letter.rotation}
    return tuple(r for r in rotations if r.status == "completed" and r.id not in asked)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def check_rotation(rotation: Rotation) -> None:
    """Refuse a rotation the rest of the app could not reason about, in the applicant's words."""
    if rotation.kind not in ROTATION_KINDS:
        raise UsageError(f"Unknown kind of rotation {rotation.kind!r}: use one of {', '.join(ROTATION_KINDS)}")
    if rotation.status not in ROTATION_STATUSES:
        raise UsageError(f"Unknown rotation status {rotation.status!r}: use one of {', '.join(ROTATION_STATUSES)}")
    if not rotation.institution.strip():
        raise UsageError("A rotation needs the institution where it takes place")
    if not rotation.specialty.strip():
        raise UsageError("A rotation needs its specialty")
    if rotation.end < rotation.start:
        raise UsageError(
            f"The rotation ends ({rotation.end.isoformat()}) before it starts ({rotation.start.isoformat()})"
        )
    for task in rotation.tasks:
        if not task.title.strip():
            raise UsageError("A task needs a title")


def check_letter(letter: Letter) -> None:
    if letter.status not in LETTER_STATUSES:
        raise UsageError(f"Unknown letter status {letter.status!r}: use one of {', '.join(LETTER_STATUSES)}")
    if not letter.writer.strip():
        raise UsageError("A letter needs the name of its writer")
    if letter.requested and letter.due and letter.due < letter.requested:
        raise UsageError(
            f"The letter is due ({letter.due.isoformat()}) before it was requested ({letter.requested.isoformat()})"
        )


def eras_summary(rotations: Iterable[Rotation]) -> str:
    """Plain text an applicant pastes into the experiences section of MyERAS: totals, by specialty, each rotation.

    Dates as "15 Jul 2022" (unambiguous in every locale); no rule is judged here, only the applicant's own data.
    """
    rotations = sorted(rotations, key=lambda r: (r.start, r.end))
    total = totals(rotations)
    lines = [
        f"US clinical experience: {_weeks_words(total.hands_on_weeks)} hands-on, "
        f"{_weeks_words(total.observership_weeks)} observership"
        + (f", {_weeks_words(total.research_weeks)} research" if total.research_weeks else "")
        + "."
    ]
    by_specialty = weeks_by_specialty(rotations)
    if by_specialty:
        lines += ["", "By specialty:"]
        lines += [
            f"- {s.specialty}: {_weeks_words(s.hands_on_weeks)} hands-on, {_weeks_words(s.other_weeks)} not hands-on"
            for s in by_specialty
        ]
    if rotations:
        lines += ["", "Rotations:"]
    for r in rotations:
        kind = r.kind.capitalize() + ("" if r.hands_on else " (not hands-on)")
        supervisor = f"; supervisor {r.supervisor}" if r.supervisor else ""
        lines.append(
            f"- {kind}, {r.specialty}, {r.institution}: {_day(r.start)} to {_day(r.end)} "
            f"({_weeks_words(r.weeks)}){supervisor}"
        )
    return "\n".join(lines)


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _day(value: date) -> str:
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def _weeks_words(weeks: float) -> str:
    return f"{weeks:g} week" if weeks == 1 else f"{weeks:g} weeks"


def linked_documents(documents: Iterable[object], key: str, record_id: str) -> list[str]:
    """Ids of the documents whose field ``key`` (``rotation`` or ``letter``) names ``record_id``."""
    return [
        str(getattr(d, "id", "")) for d in documents if dict(getattr(d, "fields", {}) or {}).get(key) == record_id
    ]
