"""The plan: every dated step of the applicant's Match cycle, merged into one list (DESIGN.md section 7).

IMGs lose a whole year when one date slips, and the official portals remind of nothing. The plan merges three
kinds of dates: the cycle's own (from the catalog, each with its source and confidence; an unpublished one stays
``unknown`` with where to look, never a guess), those that follow from the documents in the vault (passport
validity, photo recency, identity-form window, OET window, name-change lead time before an exam), and the tasks
and letters of the applicant's clinical experience. Pure: ``as_of`` is passed in, nothing is read or written.

Every number (buffers, windows, lead times) comes from the catalog; this module only decides which dates exist,
what they mean and where each one stands on ``as_of``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal, Protocol

from ecfmg_desk.core.catalog import CYCLE_DATE_KEYS
from ecfmg_desk.core.clinical import LETTER_DONE_STATUSES, Letter, Rotation
from ecfmg_desk.core.model import Document, Profile
from ecfmg_desk.core.rules import add_months, format_date
from ecfmg_desk.errors import UsageError

Kind = Literal["deadline", "milestone", "expiry", "task"]
Status = Literal["done", "overdue", "due-soon", "upcoming", "unknown"]
Mark = Literal["C", "C-old", "T", "M", "?"]

DUE_SOON_DAYS = 30
"""``due-soon`` means within this many days (DESIGN.md section 7); a presentation threshold, not an ECFMG rule."""

CATALOG_DATE_KEYS: tuple[str, ...] = CYCLE_DATE_KEYS
"""The cycle dates of DESIGN.md section 6: the keys ``plan --set`` takes for the catalog's dates."""

EXAM_REQUIREMENTS: tuple[str, ...] = ("usmle-step1", "usmle-step2ck")
"""Exams the applicant schedules with FSMB: ``exam:<id>`` is the appointment a name change must precede."""

NRMP_KEY = "nrmp-ecfmg-confirmation"
"""The NRMP rule: ECFMG must confirm the exams and clinical skills by the rank-order-list deadline."""

_KINDS: Mapping[str, Kind] = {
    "eras_opens": "milestone",
    "eras_applications_from": "milestone",
    "eras_programs_review": "milestone",
    "lor_upload_by": "deadline",
    "rol_deadline": "deadline",
    "match_day": "milestone",
    "residency_start": "milestone",
    "pathways_open": "milestone",
    "pathways_close": "deadline",
    "oet_test_date_from": "milestone",
}
_REQUIREMENT_OF: Mapping[str, str] = {
    "lor_upload_by": "recommendation-letter",
    "pathways_open": "pathway-evidence",
    "pathways_close": "pathway-evidence",
    "oet_test_date_from": "oet-medicine",
}
_PATHWAY_ONLY = frozenset({"pathways_open", "pathways_close", "oet_test_date_from"})
_FORM_PAST_WINDOW = frozenset({"submitted", "accepted"})
_KIND_ORDER: Mapping[str, int] = {"deadline": 0, "expiry": 1, "task": 2, "milestone": 3}
_EXAM_KEY = re.compile(r"exam:([a-z0-9-]+)")
_CONFIRMED = frozenset({"[C]", "[C-old]"})


# ---------------------------------------------------------------------------------------------- what it reads


class CycleDateLike(Protocol):
    """One cycle date of the catalog (``core.catalog.CycleDate``): ``value`` None = not announced yet."""

    @property
    def key(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def value(self) -> date | None: ...
    @property
    def confidence(self) -> str: ...
    @property
    def source(self) -> str: ...


class ParameterLike(Protocol):
    """A sourced number of the catalog (``core.catalog.Parameter``)."""

    @property
    def value(self) -> object: ...
    @property
    def confidence(self) -> str: ...
    @property
    def source(self) -> str: ...


class SourceLike(Protocol):
    @property
    def title(self) -> str: ...
    @property
    def url(self) -> str: ...


class RequirementLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def noun(self) -> str: ...
    @property
    def max_age_days(self) -> int | None: ...
    @property
    def max_age_months(self) -> int | None: ...
    def confidence(self, rule: str) -> str: ...
    def sources_for(self, rule: str) -> Sequence[SourceLike]: ...


class CatalogLike(Protocol):
    @property
    def cycle(self) -> int: ...
    @property
    def dates(self) -> Mapping[str, CycleDateLike]: ...
    @property
    def parameters(self) -> Mapping[str, ParameterLike]: ...
    def get(self, requirement_id: str) -> RequirementLike | None: ...


# ---------------------------------------------------------------------------------------------- what it gives


@dataclass(frozen=True)
class PlanItem:
    """One dated step. ``key`` is stable across runs and edits (calendar UIDs derive from it)."""

    key: str
    date: date | None
    kind: Kind
    title: str
    status: Status
    confidence: Mark
    source: str | None
    ref: Mapping[str, str] | None = None
    user_entered: bool = False
    detail: str = ""
    """One sentence in the applicant's words: why this date matters, or what to do (not in the JSON contract)."""

    def to_json(self) -> dict[str, object]:
        return {
            "key": self.key,
            "date": self.date.isoformat() if self.date else None,
            "kind": self.kind,
            "title": self.title,
            "status": self.status,
            "confidence": self.confidence,
            "source": self.source,
            "ref": dict(self.ref) if self.ref is not None else None,
            "user_entered": self.user_entered,
        }

    @property
    def shown_status(self) -> str:
        """The status the plan's words name: a met expiry is ``nothing-to-do`` (a passport valid long enough is
        not "done"); otherwise :attr:`status`, which the JSON keeps (DESIGN.md section 7)."""
        return "nothing-to-do" if self.status == "done" and self.kind == "expiry" else self.status


@dataclass(frozen=True)
class Plan:
    cycle: int
    as_of: date
    items: tuple[PlanItem, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, object]:
        return {"cycle": self.cycle, "as_of": self.as_of.isoformat(), "items": [i.to_json() for i in self.items]}

    def attention(self) -> tuple[PlanItem, ...]:
        """What the window's banner names on opening the vault: overdue first, then due within 30 days."""
        return tuple(i for i in self.items if i.status == "overdue") + tuple(
            i for i in self.items if i.status == "due-soon"
        )

    def next_deadlines(self, count: int = 3) -> tuple[PlanItem, ...]:
        """The next ``count`` deadlines still ahead (for the packet cover and the bundle manifest)."""
        ahead = [
            i
            for i in self.items
            if i.kind == "deadline" and i.date is not None and i.date >= self.as_of and i.status != "done"
        ]
        return tuple(ahead[:count])


# ---------------------------------------------------------------------------------------------- helpers


def mark(confidence: str) -> Mark:
    """``"[C-old]"`` (the catalog's form) -> ``"C-old"`` (the JSON's)."""
    value = confidence.strip().removeprefix("[").removesuffix("]")
    return value if value in ("C", "C-old", "T", "M") else "?"  # type: ignore[return-value]


def status_of(
    when: date | None, as_of: date, *, done: bool = False, passes: bool = False, soon: int = DUE_SOON_DAYS
) -> Status:
    """Where a date stands on ``as_of``. ``passes``: a milestone, which is simply over once its day is past;
    ``soon``: how many days ahead count as ``due-soon``."""
    if when is None:
        return "done" if done else "unknown"
    if done:
        return "done"
    if when < as_of:
        return "done" if passes else "overdue"
    if when <= as_of + timedelta(days=soon):
        return "due-soon"
    return "upcoming"


def business_days_before(day: date, count: int) -> date:
    """The weekday ``count`` business days (Monday to Friday) before ``day``; public holidays are not known."""
    current = day
    left = count
    while left > 0:
        current -= timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def document_fields(document: Document) -> Mapping[str, object]:
    """The per-requirement fields of a document (DESIGN.md section 6), empty where none are stored."""
    values = getattr(document, "fields", None)
    return values if isinstance(values, Mapping) else {}


def _source_text(sources: Iterable[SourceLike]) -> str | None:
    parts = [f"{s.title} ({s.url})" if s.url else s.title for s in sources]
    return "; ".join(parts) or None


@dataclass(frozen=True)
class _Number:
    value: int
    confidence: str
    source: str


def _int_parameter(catalog: CatalogLike, name: str) -> _Number | None:
    """A whole-number parameter of the catalog, or ``None`` when the catalog has none (the item is then left
    out rather than computed from a number the catalog does not give)."""
    parameter = catalog.parameters.get(name)
    if parameter is None or isinstance(parameter.value, bool) or not isinstance(parameter.value, int):
        return None
    return _Number(parameter.value, parameter.confidence, parameter.source)


def can_override(catalog: CatalogLike, key: str) -> bool:
    """Whether the applicant's own date replaces the catalog's: always for an unpublished date or one only a
    third party or our reading gives; never over a date an official page confirms."""
    cycle_date = catalog.dates.get(key)
    return cycle_date is None or cycle_date.value is None or cycle_date.confidence not in _CONFIRMED


def settable_keys(catalog: CatalogLike) -> tuple[str, ...]:
    """Every key ``plan --set`` accepts: the cycle dates, and the appointment of each exam the catalog has."""
    exams = tuple(f"exam:{rid}" for rid in EXAM_REQUIREMENTS if catalog.get(rid) is not None)
    return CATALOG_DATE_KEYS + exams


def check_entry(catalog: CatalogLike, key: str) -> None:
    """Refuse (``UsageError``) a key the applicant cannot set: not a plan date of this cycle, or a date an
    official page already confirms (the applicant's entry would silently lose against it)."""
    keys = settable_keys(catalog)
    if key not in keys:
        raise UsageError(f"{key!r} is not a date you can enter for the plan. Dates: {', '.join(keys)}.")
    if not can_override(catalog, key):
        cycle_date = catalog.dates[key]
        published = format_date(cycle_date.value) if cycle_date.value else ""
        raise UsageError(
            f"The {cycle_date.title.lower()} ({published}) is confirmed by {cycle_date.source}; it cannot be "
            "replaced by a date of your own."
        )


# ---------------------------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class _Inputs:
    catalog: CatalogLike
    profile: Profile
    documents: Sequence[Document]
    rotations: Sequence[Rotation]
    letters: Sequence[Letter]
    entered: Mapping[str, date]
    as_of: date

    def docs(self, requirement: str) -> list[Document]:
        return [d for d in self.documents if d.requirement == requirement and not d.is_translation]

    @property
    def pathway_route(self) -> bool:
        return self.profile.clinical_skills_route != "step2cs"

    @property
    def soon(self) -> int:
        """Days ahead that count as due soon: the catalog's warning window, which the ``deadline`` finding
        uses too, else the contract's 30."""
        number = _int_parameter(self.catalog, "deadline_warn_days")
        return number.value if number is not None else DUE_SOON_DAYS

    def status(self, when: date | None, *, done: bool = False, passes: bool = False) -> Status:
        return status_of(when, self.as_of, done=done, passes=passes, soon=self.soon)

    @property
    def name_change_date(self) -> date | None:
        """When ECFMG changed the name of record (profile ``name_change_date``), if known."""
        value = getattr(self.profile, "name_change_date", None)
        return value if isinstance(value, date) else None


def build_plan(
    catalog: CatalogLike,
    profile: Profile,
    documents: Sequence[Document],
    *,
    rotations: Sequence[Rotation] = (),
    letters: Sequence[Letter] = (),
    entered: Mapping[str, date] | None = None,
    as_of: date,
    next_attempt: Callable[[Sequence[Document]], Mapping[str, date]] | None = None,
) -> Plan:
    """Every dated step of the cycle on ``as_of``, sorted by date, unknown dates last.

    ``entered`` holds the applicant's own dates (``plan --set``); ``next_attempt`` maps the documents to the
    earliest next attempt per USMLE Step that has failed attempts (USMLE_ATTEMPT_SPACING).
    """
    inputs = _Inputs(catalog, profile, documents, rotations, letters, dict(entered or {}), as_of)
    items: list[PlanItem] = []
    items += _cycle_dates(inputs)
    items += _nrmp(inputs)
    items += _passport(inputs)
    items += _photo(inputs)
    items += _identity_form(inputs)
    items += _exams(inputs)
    if next_attempt is not None:
        items += _next_attempts(inputs, next_attempt(documents))
    items += _rotations(inputs)
    items += _letters(inputs)
    return Plan(cycle=catalog.cycle, as_of=as_of, items=tuple(sorted(items, key=_sort_key)))


def _sort_key(item: PlanItem) -> tuple[int, date, int, str]:
    return (item.date is None, item.date or date.max, _KIND_ORDER[item.kind], item.key)


def _effective(inputs: _Inputs, key: str) -> tuple[date | None, bool]:
    """A cycle date as the plan uses it: the applicant's entry where it may override, else the catalog's."""
    cycle_date = inputs.catalog.dates.get(key)
    own = inputs.entered.get(key)
    if own is not None and can_override(inputs.catalog, key):
        return own, True
    return (cycle_date.value if cycle_date is not None else None), False


def _cycle_dates(inputs: _Inputs) -> list[PlanItem]:
    items: list[PlanItem] = []
    for key in CATALOG_DATE_KEYS:
        cycle_date = inputs.catalog.dates.get(key)
        if cycle_date is None or (key in _PATHWAY_ONLY and not inputs.pathway_route):
            continue
        when, own = _effective(inputs, key)
        kind = _KINDS[key]
        done = _cycle_date_done(inputs, key, when)
        detail = ""
        if when is None:
            detail = f"Not announced yet: check {cycle_date.source}."
        requirement = _REQUIREMENT_OF.get(key)
        items.append(
            PlanItem(
                key=key,
                date=when,
                kind=kind,
                title=cycle_date.title,
                status=inputs.status(when, done=done, passes=kind == "milestone"),
                confidence=mark(cycle_date.confidence),
                source=cycle_date.source or None,
                ref={"requirement": requirement} if requirement and inputs.catalog.get(requirement) else None,
                user_entered=own,
                detail=detail,
            )
        )
    return items


def _cycle_date_done(inputs: _Inputs, key: str, when: date | None) -> bool:
    if key == "lor_upload_by":
        return bool(inputs.letters) and all(letter.status in LETTER_DONE_STATUSES for letter in inputs.letters)
    if key == "pathways_close":
        return bool(inputs.docs("pathway-evidence"))
    if key == "oet_test_date_from" and when is not None:
        sittings = [_sitting_date(d) for d in inputs.docs("oet-medicine")]
        return any(day is not None and day >= when for day in sittings)
    return False


def _sitting_date(document: Document) -> date | None:
    value = document_fields(document).get("test_date")
    return value if isinstance(value, date) else document.issued


def _passed(document: Document) -> bool:
    """Evidence that counts towards the NRMP rule: a USMLE result counts only when its ``result`` is ``pass``
    (a failed attempt is kept but never satisfies a requirement); other evidence counts once it is filed."""
    if document.requirement.startswith("usmle-"):
        return document_fields(document).get("result") == "pass"
    return True


def _nrmp(inputs: _Inputs) -> list[PlanItem]:
    rol = inputs.catalog.dates.get("rol_deadline")
    if rol is None:
        return []
    when, own = _effective(inputs, "rol_deadline")
    needed = ["usmle-step1", "usmle-step2ck"]
    needed += ["oet-medicine", "pathway-evidence"] if inputs.pathway_route else ["usmle-step2cs"]
    needed = [rid for rid in needed if inputs.catalog.get(rid) is not None]
    done = bool(needed) and all(any(_passed(d) for d in inputs.docs(rid)) for rid in needed)
    return [
        PlanItem(
            key=NRMP_KEY,
            date=when,
            kind="deadline",
            title="ECFMG must have confirmed your exams and clinical skills (NRMP rule)",
            status=inputs.status(when, done=done),
            confidence=mark(rol.confidence),
            source=rol.source or None,
            user_entered=own,
            detail=(
                "Your exam results and clinical skills evidence are all in your packet; check in MyIntealth that "
                "ECFMG has confirmed them before the rank order list deadline."
                if done
                else "By the rank order list deadline ECFMG must confirm your USMLE results and clinical and "
                "communication skills requirement, or NRMP withdraws you from the Match."
            ),
        )
    ]


def _current_passport(inputs: _Inputs) -> Document | None:
    dated = [d for d in inputs.docs("passport") if d.expires is not None]
    return max(dated, key=lambda d: (d.expires, d.id)) if dated else None


def _passport(inputs: _Inputs) -> list[PlanItem]:
    passport = _current_passport(inputs)
    requirement = inputs.catalog.get("passport")
    if passport is None or passport.expires is None or requirement is None:
        return []
    start, _ = _effective(inputs, "residency_start")
    buffer = _int_parameter(inputs.catalog, "passport_buffer_months")
    confidence = mark(requirement.confidence("must_be_valid_on_export"))
    source = _source_text(requirement.sources_for("must_be_valid_on_export"))
    detail = "Renew it before this date: ECFMG needs a current, unexpired passport whenever it is used."
    done = False
    if start is not None:
        needed = add_months(start, buffer.value) if buffer is not None else start
        if buffer is not None:
            confidence = mark(buffer.confidence)
            source = buffer.source or source
        done = passport.expires >= needed
        through = f"{format_date(needed)} (start of residency" + (
            f" plus {buffer.value} months)" if buffer is not None and buffer.value else ")"
        )
        detail = (
            f"Valid through {through}: nothing to do."
            if done
            else f"It must stay valid through {through}: renew it before it expires."
        )
    return [
        PlanItem(
            key=f"passport-expiry:{passport.id}",
            date=passport.expires,
            kind="expiry",
            title="Passport expires",
            status=inputs.status(passport.expires, done=done),
            confidence=confidence,
            source=source,
            ref={"document": passport.id},
            detail=detail,
        )
    ]


def _photo(inputs: _Inputs) -> list[PlanItem]:
    requirement = inputs.catalog.get("photo")
    if requirement is None or requirement.max_age_months is None:
        return []
    items = []
    for photo in inputs.docs("photo"):
        if photo.issued is None:
            continue
        until = add_months(photo.issued, requirement.max_age_months)
        items.append(
            PlanItem(
                key=f"photo-recency:{photo.id}",
                date=until,
                kind="expiry",
                title="Photograph no longer recent",
                status=inputs.status(until),
                confidence=mark(requirement.confidence("max_age_months")),
                source=_source_text(requirement.sources_for("max_age_months")),
                ref={"document": photo.id},
                detail=f"Taken {format_date(photo.issued)}; after this day take a new photograph.",
            )
        )
    return items


def _identity_form(inputs: _Inputs) -> list[PlanItem]:
    requirement = inputs.catalog.get("identity-form")
    if requirement is None or requirement.max_age_days is None:
        return []
    items = []
    for form in inputs.docs("identity-form"):
        if form.issued is None:
            continue
        status = document_fields(form).get("status") or "created"
        until = form.issued + timedelta(days=requirement.max_age_days)
        items.append(
            PlanItem(
                key=f"identity-form-window:{form.id}",
                date=until,
                kind="deadline",
                title="Identity form must reach ECFMG",
                status=inputs.status(until, done=status in _FORM_PAST_WINDOW),
                confidence=mark(requirement.confidence("max_age_days")),
                source=_source_text(requirement.sources_for("max_age_days")),
                ref={"document": form.id},
                detail=(
                    f"Created {format_date(form.issued)}; ECFMG must receive it within "
                    f"{requirement.max_age_days} days."
                ),
            )
        )
    return items


def _exams(inputs: _Inputs) -> list[PlanItem]:
    """The applicant's exam appointments, and a pending name change processed in time before each."""
    items: list[PlanItem] = []
    lead = _int_parameter(inputs.catalog, "name_change_business_days")
    pending = bool(inputs.docs("name-change"))
    for key, when in sorted(inputs.entered.items()):
        match = _EXAM_KEY.fullmatch(key)
        requirement = inputs.catalog.get(match.group(1)) if match else None
        if requirement is None:
            continue
        items.append(
            PlanItem(
                key=key,
                date=when,
                kind="milestone",
                title=f"{_exam_name(requirement)}: your exam appointment",
                status=inputs.status(when, passes=True),
                confidence="?",
                source=None,
                ref={"requirement": requirement.id},
                user_entered=True,
            )
        )
        if not pending or lead is None:
            continue
        by = business_days_before(when, lead.value)
        changed = inputs.name_change_date
        items.append(
            PlanItem(
                key=f"name-change-by:{requirement.id}",
                date=by,
                kind="deadline",
                title=f"Name change processed before your {_exam_name(requirement)} exam",
                status=inputs.status(by, done=changed is not None and changed <= by),
                confidence=mark(lead.confidence),
                source=lead.source or None,
                ref={"requirement": "name-change"},
                user_entered=True,
                detail=(
                    f"Your exam is on {format_date(when)}: a name change must be processed at least {lead.value} "
                    "business days before the appointment, with ECFMG and with FSMB."
                ),
            )
        )
    return items


def _exam_name(requirement: RequirementLike) -> str:
    """``USMLE Step 2 CK`` from the requirement "USMLE Step 2 CK result"."""
    return requirement.title.removesuffix(" result")


def _next_attempts(inputs: _Inputs, earliest: Mapping[str, date]) -> list[PlanItem]:
    items = []
    for step, when in sorted(earliest.items()):
        requirement = inputs.catalog.get(step)
        if requirement is None:
            continue
        items.append(
            PlanItem(
                key=f"usmle-next-attempt:{step}",
                date=when,
                kind="milestone",
                title=f"{_exam_name(requirement)}: earliest next attempt",
                status=inputs.status(when, passes=True),
                confidence=mark(_spacing_confidence(inputs.catalog)),
                source=_spacing_source(inputs.catalog),
                ref={"requirement": step},
                detail="USMLE limits how soon an exam can be taken again after earlier attempts.",
            )
        )
    return items


_SPACING_PARAMETER = "attempts_per_12_months"
"""The catalog parameter of USMLE_ATTEMPT_SPACING whose source and confidence the plan's item shows."""


def _spacing_confidence(catalog: CatalogLike) -> str:
    parameter = catalog.parameters.get(_SPACING_PARAMETER)
    return parameter.confidence if parameter is not None else "[?]"


def _spacing_source(catalog: CatalogLike) -> str | None:
    parameter = catalog.parameters.get(_SPACING_PARAMETER)
    return parameter.source if parameter is not None else None


def _rotations(inputs: _Inputs) -> list[PlanItem]:
    items = []
    for rotation in inputs.rotations:
        where = f"{rotation.specialty}, {rotation.institution}"
        if rotation.status != "completed":
            items.append(
                PlanItem(
                    key=f"rotation-start:{rotation.id}",
                    date=rotation.start,
                    kind="milestone",
                    title=f"Rotation starts: {where}",
                    status=inputs.status(rotation.start, passes=True),
                    confidence="C",
                    source=None,
                    ref={"rotation": rotation.id},
                    user_entered=True,
                )
            )
        for task in rotation.tasks:
            items.append(
                PlanItem(
                    key=f"task:{task.id}",
                    date=task.due,
                    kind="task",
                    title=task.title,
                    status=inputs.status(task.due, done=task.done),
                    confidence="C",
                    source=None,
                    ref={"rotation": rotation.id},
                    user_entered=True,
                    detail=f"For your rotation: {where}.",
                )
            )
    return items


def _letters(inputs: _Inputs) -> list[PlanItem]:
    items = []
    chase = _int_parameter(inputs.catalog, "letter_chase_weeks")
    for letter in inputs.letters:
        done = letter.status in LETTER_DONE_STATUSES
        if letter.due is not None:
            items.append(
                PlanItem(
                    key=f"letter-due:{letter.id}",
                    date=letter.due,
                    kind="task",
                    title=f"Letter from {letter.writer} due in the LoR Portal",
                    status=inputs.status(letter.due, done=done),
                    confidence="C",
                    source=None,
                    ref={"letter": letter.id},
                    user_entered=True,
                )
            )
        if chase is not None and letter.requested is not None and not done:
            when = letter.requested + timedelta(weeks=chase.value)
            items.append(
                PlanItem(
                    key=f"letter-chase:{letter.id}",
                    date=when,
                    kind="task",
                    title=f"Remind {letter.writer} about your letter",
                    status=inputs.status(when),
                    confidence=mark(chase.confidence),
                    source=chase.source or None,
                    ref={"letter": letter.id},
                    detail=f"Requested {format_date(letter.requested)} and not uploaded yet.",
                )
            )
    return items
