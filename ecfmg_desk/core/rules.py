"""The validation engine: (catalog, profile, documents, as_of) -> findings, each with its fix in the
applicant's terms.

Pure and deterministic: no clock (``as_of`` is passed in), no I/O, findings in catalog order, then document
order, then a fixed check order. Every number and every severity comes from the catalog (a rule's confidence
decides whether it may block export); this module only knows what each kind of rule means. The UI and the
CLI call :func:`validate`, :func:`requirement_states` and :func:`progress` so that no widget holds a business
rule.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

from ecfmg_desk.core.catalog import BLOCKING_CONFIDENCE, Catalog, Confirmation, Requirement, ahead_match_year
from ecfmg_desk.core.clinical import Letter, Rotation, rotations_without_letter
from ecfmg_desk.core.exams import (
    OET_REQUIREMENT,
    REQUIRED_STEPS,
    USMLE_STEPS,
    oet_shortfalls,
    oet_sitting_passes,
    result_of,
    step_record,
    test_date_of,
)
from ecfmg_desk.core.languages import language_name
from ecfmg_desk.core.model import (
    TRANSLATION_REQUIREMENT,
    Document,
    Finding,
    Profile,
    Severity,
    ValidationResult,
)
from ecfmg_desk.core.names import compare_names, normalize_name, translator_is_applicant

NAME_VERIFICATION = "name-verification"
"""Requirement whose documents prove that a name printed on a credential is the applicant's."""
NAME_CHANGE = "name-change"
"""Requirement whose document asks ECFMG to change the name of record to the passport name."""
OET = "oet-medicine"

CONFIDENCE_WORDS: Mapping[str, str] = {
    "[C]": "confirmed",
    "[C-old]": "older source",
    "[T]": "third-party guide",
    "[M]": "our reading",
    "[?]": "not announced yet",
}
"""Confidence marks in words: an applicant never sees a bracket code (DESIGN.md section 4)."""

StateName = Literal["ready", "problems", "missing", "optional", "not-needed"]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_KIND_NAMES = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG", "tiff": "TIFF"}
_TRANSLATORS = {
    "government": "a government official",
    "school": "a medical school official",
    "professional": "a professional translation service",
    "self": "you",
}
_CONDITION_REASONS = {
    "transferred_credits": "you transferred credits into your medical degree",
    "name_differs": "a credential shows a name that differs from your name of record",
    "passport_name_differs": "your passport shows a name that differs from your name of record",
    "pathway_route": "you meet the clinical and communication skills requirement through a Pathway",
    "step2cs_route": "you meet the clinical and communication skills requirement with a former Step 2 CS pass",
    "non_english_documents": "some of your documents are not in English",
}
_POINTS_PER_INCH = 72.0
_BYTES_PER_MB = 1024 * 1024


def format_date(day: date) -> str:
    """``15 Jul 2022``: the month as a word, never ``07/08/2022`` (read both ways around the world)."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def format_size(size: int) -> str:
    """``1.4 MB`` / ``120 KB`` in the binary units upload limits use (1 MB = 1,048,576 bytes)."""
    if size >= _BYTES_PER_MB:
        return f"{size / _BYTES_PER_MB:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clamped to the month's end (31 Aug + 6 months = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _or_list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _and_list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _inches(points: float) -> str:
    return f"{round(points / _POINTS_PER_INCH, 1):g}"


Answers = Mapping[tuple[str, str], bool]
"""Confirmation answers: (confirmation id, document id or "" for the applicant) -> yes/no."""


@dataclass(frozen=True)
class Question:
    """One confirmation to ask (``document`` None: about the applicant), with its answer so far."""

    confirmation: Confirmation
    document: str | None
    answer: bool | None

    @property
    def id(self) -> str:
        return self.confirmation.id

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.confirmation.id,
            "document": self.document,
            "requirement": self.confirmation.requirement,
            "question": self.confirmation.question,
            "answer": None if self.answer is None else ("yes" if self.answer else "no"),
            "if_no": self.confirmation.if_no,
            "confidence": self.confirmation.confidence,
            "source": self.confirmation.source,
        }


@dataclass(frozen=True)
class RequirementState:
    """Where one requirement stands for this applicant; ``required`` is the evaluated condition."""

    requirement: str
    state: StateName
    required: bool
    documents: int
    errors: int
    warnings: int


class _Context:
    """Everything the checks look up, indexed once per call (validation runs on every edit)."""

    def __init__(
        self,
        catalog: Catalog,
        profile: Profile,
        documents: Iterable[Document],
        as_of: date,
        answers: Answers | None = None,
        entered: Mapping[str, date] | None = None,
    ) -> None:
        self.catalog = catalog
        self.asks = answers is not None
        """Confirmations are asked only by a caller that stores answers (the vault); pure checks skip them."""
        self.answers: Answers = answers or {}
        self.entered: Mapping[str, date] = entered or {}
        self.profile = profile
        self.documents = tuple(documents)
        self.as_of = as_of
        self.by_id = {d.id: d for d in self.documents}
        self.by_requirement: dict[str, list[Document]] = {}
        self.translations: dict[str, list[Document]] = {}
        for doc in self.documents:
            self.by_requirement.setdefault(self.requirement_of(doc), []).append(doc)
            if doc.translation_of is not None:
                self.translations.setdefault(doc.translation_of, []).append(doc)
        self.record = profile.name_of_record
        self.record_key = normalize_name(self.record)
        self.verified_names = frozenset(
            normalize_name(d.name_on_document or "") for d in self.by_requirement.get(NAME_VERIFICATION, ())
        ) - {""}
        self.name_change_present = bool(self.by_requirement.get(NAME_CHANGE))
        self.superseded = superseded_documents(catalog, self.documents)
        self._conditions: dict[str, bool] = {}
        self.findings: list[Finding] = []

    @staticmethod
    def requirement_of(doc: Document) -> str:
        return TRANSLATION_REQUIREMENT if doc.is_translation else doc.requirement

    def holds(self, condition: str) -> bool:
        if condition not in self._conditions:
            self._conditions[condition] = CONDITIONS[condition](self)
        return self._conditions[condition]

    def needed(self, requirement: Requirement) -> bool:
        if isinstance(requirement.required, bool):
            return requirement.required
        return self.holds(requirement.required)

    def name_differs(self, match: str) -> bool:
        if not self.record_key:
            return False
        for requirement in self.catalog.requirements:
            if requirement.name_match != match:
                continue
            for doc in self.by_requirement.get(requirement.id, ()):
                printed = normalize_name(doc.name_on_document or "")
                if printed and printed != self.record_key:
                    return True
        return False

    def label(self, requirement: Requirement, doc: Document) -> str:
        """The requirement's noun, plus the file name when the applicant has several of that kind."""
        if len(self.by_requirement.get(requirement.id, ())) > 1 and doc.files:
            return f"{requirement.noun} “{doc.files[0].name}”"
        return requirement.noun

    def translation_label(self, doc: Document) -> str:
        original = self.by_id.get(doc.translation_of or "")
        if original is not None:
            requirement = self.catalog.get(original.requirement)
            if requirement is not None:
                return f"English translation of the {self.label(requirement, original)}"
        name = f" “{doc.files[0].name}”" if doc.files else ""
        return f"English translation{name}"

    def cycle_date(self, key: str) -> date | None:
        """A cycle date: the catalog's, else the one the applicant entered for a date not announced yet."""
        known = self.catalog.date(key)
        return known if known is not None else self.entered.get(key)

    def self_translated(self, doc: Document) -> bool:
        """The translator's name reads like the applicant's (TRANSLATOR_NOT_APPLICANT)."""
        if not doc.translator or not self.record_key:
            return False
        same = compare_names(self.record, doc.translator, record_family=self.profile.family_name)
        return same.likely_same_person or translator_is_applicant(
            self.profile.given_names, self.profile.family_name, doc.translator
        )

    def questions(self) -> list[Question]:
        """Every confirmation that applies to this packet, with the answer given so far."""
        out: list[Question] = []
        for confirmation in self.catalog.confirmations:
            if not confirmation.per_document:
                if self.needed_id(confirmation.requirement):
                    out.append(Question(confirmation, None, self.answers.get((confirmation.id, ""))))
                continue
            for requirement_id in confirmation.applies_to:
                for doc in self.by_requirement.get(requirement_id, ()):
                    if doc.id in self.superseded:
                        continue
                    if confirmation.when == "self-translation" and not self.self_translated(doc):
                        continue
                    out.append(Question(confirmation, doc.id, self.answers.get((confirmation.id, doc.id))))
        return out

    def needed_id(self, requirement_id: str) -> bool:
        requirement = self.catalog.get(requirement_id)
        return requirement is not None and self.needed(requirement)

    def add(
        self, severity: Severity, code: str, requirement: str, doc: Document | None, message: str, fix: str
    ) -> None:
        self.findings.append(Finding(severity, code, requirement, doc.id if doc else None, message, fix))


CONDITIONS: Mapping[str, Callable[[_Context], bool]] = {
    "transferred_credits": lambda ctx: ctx.profile.transferred_credits,
    "name_differs": lambda ctx: ctx.name_differs("verified"),
    "passport_name_differs": lambda ctx: ctx.name_differs("exact"),
    "pathway_route": lambda ctx: ctx.profile.clinical_skills_route == "pathway",
    "step2cs_route": lambda ctx: ctx.profile.clinical_skills_route == "step2cs",
    "non_english_documents": lambda ctx: any(d.needs_translation for d in ctx.documents),
}
"""How each catalog condition (``required = "when:<name>"``) is decided: one per ``KNOWN_CONDITIONS``."""

CONDITION_WORDS: Mapping[str, str] = {
    "transferred_credits": "when credits were transferred",
    "name_differs": "when a credential shows a different name",
    "passport_name_differs": "when your name of record differs from your passport",
    "pathway_route": "for the Pathway route",
    "step2cs_route": "for the Step 2 CS route",
    "non_english_documents": "for every non-English document",
}
"""How the catalog conditions read to an applicant (``requirements`` listing, help texts)."""


def superseded_documents(catalog: Catalog, documents: Iterable[Document]) -> frozenset[str]:
    """Documents kept beside a newer one of a requirement where only the current one counts (passports: the
    one with the latest expiry). They raise only ``superseded`` (info) and stay out of the packet."""
    out: set[str] = set()
    by_requirement: dict[str, list[Document]] = {}
    for doc in documents:
        if not doc.is_translation:
            by_requirement.setdefault(doc.requirement, []).append(doc)
    for requirement_id, docs in by_requirement.items():
        requirement = catalog.get(requirement_id)
        if requirement is None or not requirement.current_is_latest or len(docs) < 2:
            continue
        dated = [d for d in docs if d.expires is not None]
        if not dated:
            continue
        current = max(dated, key=lambda d: d.expires or date.min)
        out.update(d.id for d in dated if d is not current)
    return frozenset(out)


def needed_requirements(catalog: Catalog, profile: Profile, documents: Iterable[Document]) -> frozenset[str]:
    """Ids of the requirements this applicant must meet (conditions evaluated on profile and documents)."""
    ctx = _Context(catalog, profile, documents, date.min)
    return frozenset(r.id for r in catalog.requirements if ctx.needed(r))


def validate(
    catalog: Catalog,
    profile: Profile,
    documents: Iterable[Document],
    as_of: date,
    *,
    unreadable: frozenset[str] = frozenset(),
    answers: Answers | None = None,
    entered: Mapping[str, date] | None = None,
    rotations: Iterable[Rotation] = (),
    letters: Iterable[Letter] = (),
) -> ValidationResult:
    """Check the packet against the catalog as of ``as_of``.

    ``unreadable`` names the documents whose stored files could not be read; their file checks are skipped.
    ``answers`` are the applicant's confirmations; ``entered`` the dates they entered for the plan (a cycle
    date not announced yet, ``exam:<requirement>`` for a scheduled exam). ``rotations`` and ``letters``
    (DESIGN.md section 8) give the note on a completed rotation nobody was asked a letter for.
    """
    ctx = _Context(catalog, profile, documents, as_of, answers, entered)
    first_named = next((r for r in catalog.requirements if r.name_match), None)
    for requirement in catalog.requirements:
        docs = ctx.by_requirement.get(requirement.id, ())
        if requirement is first_named and not ctx.record_key:
            ctx.add(
                requirement.severity("name_match"),
                "missing-details",
                requirement.id,
                None,
                "Your name of record is not set, so the names on your documents cannot be checked.",
                "Enter your given names and family name in your profile exactly as on your passport.",
            )
        if (
            requirement.id != TRANSLATION_REQUIREMENT
            and ctx.needed(requirement)
            and not any(_satisfies(ctx, requirement, d) for d in docs)
        ):
            _missing(ctx, requirement)
        for check_all in _REQUIREMENT_CHECKS:
            check_all(ctx, requirement, docs)
        for doc in docs:
            if doc.id in ctx.superseded:
                _superseded(ctx, requirement, doc, docs)
                continue
            readable = doc.id not in unreadable
            if not readable:
                label = ctx.translation_label(doc) if doc.is_translation else ctx.label(requirement, doc)
                ctx.add(
                    catalog.severity("unreadable"),
                    "unreadable",
                    requirement.id,
                    doc,
                    f"Your {label} could not be read from this computer's vault.",
                    f"Remove your {label} and add the file again.",
                )
            for check in _DOCUMENT_CHECKS:
                check(ctx, requirement, doc)
            if readable:
                for check in _FILE_CHECKS:
                    check(ctx, requirement, doc)
            _advisor_changes(ctx, requirement, doc)
    _duplicate_files(ctx)
    _name_change_lead_time(ctx)
    _rotations_without_letter(ctx, rotations, letters)
    if ctx.asks:
        _confirmations(ctx)
    _cycle_checks(ctx)
    for requirement_id, docs in ctx.by_requirement.items():
        if requirement_id in catalog:
            continue
        for doc in docs:
            name = f" “{doc.files[0].name}”" if doc.files else ""
            ctx.add(
                catalog.severity("unknown-requirement"),
                "unknown-requirement",
                requirement_id,
                doc,
                f"A document{name} is filed under “{requirement_id}”, which the {catalog.cycle} catalog does "
                "not list.",
                f"Move the document{name} to one of the listed requirements, or remove it.",
            )
    return ValidationResult(as_of=as_of, findings=tuple(ctx.findings))


def _satisfies(ctx: _Context, requirement: Requirement, doc: Document) -> bool:
    """A document meets its requirement unless it is a failed exam attempt (USMLE ``result=fail``, an OET
    sitting with a sub-score below the minimum) or a superseded passport: those are kept, never counted."""
    if doc.id in ctx.superseded:
        return False
    if requirement.id in USMLE_STEPS:
        return result_of(requirement, doc) != "fail"
    if requirement.id == OET_REQUIREMENT:
        return not oet_shortfalls(ctx.catalog, requirement, doc)
    return True


def _missing(ctx: _Context, requirement: Requirement) -> None:
    condition = requirement.condition
    reason = f" It is needed because {_CONDITION_REASONS[condition]}." if condition else ""
    how = f" {requirement.how_to_add}" if requirement.how_to_add else ""
    docs = ctx.by_requirement.get(requirement.id, ())
    if requirement.school_sends and not docs:
        ctx.add(
            ctx.catalog.severity("school-sent"),
            "missing",
            requirement.id,
            None,
            f"Your medical school sends your {requirement.noun} to ECFMG itself; you have no copy here yet.",
            f"Ask your school for a copy of your {requirement.noun} and add it: ERAS needs one too.",
        )
        return
    failed = " Only failed attempts are filed; a failed attempt never meets the requirement." if docs else ""
    ctx.add(
        requirement.severity("required"),
        "missing",
        requirement.id,
        None,
        f"Your {requirement.noun} is missing.{reason}{failed}",
        f"Add your {requirement.noun}.{how}",
    )


def _superseded(ctx: _Context, requirement: Requirement, doc: Document, docs: Iterable[Document]) -> None:
    current = next((d for d in docs if d.id not in ctx.superseded and d.expires is not None), None)
    newer = f", which expires on {format_date(current.expires)}" if current and current.expires else ""
    ctx.add(
        ctx.catalog.severity("superseded"),
        "superseded",
        requirement.id,
        doc,
        f"Your {ctx.label(requirement, doc)} is an older {requirement.noun}: your newest one{newer} is the "
        "current one, so this one is kept but left out of the packet.",
        f"Nothing to do; remove the older {requirement.noun} if you no longer need it.",
    )


# -- checks on all documents of one requirement ------------------------------------------------------------


def _usmle_attempts(ctx: _Context, requirement: Requirement, docs: Iterable[Document]) -> None:
    """USMLE_ATTEMPTS [C]: failed attempts are kept (``exam-failed``, info) and count towards the limit;
    4 attempts without a pass is ``attempt-limit``."""
    if requirement.id not in USMLE_STEPS:
        return
    record = step_record(requirement, docs)
    for doc in record.failed:
        tested = test_date_of(requirement, doc)
        when = f" of {format_date(tested)}" if tested else ""
        ctx.add(
            ctx.catalog.severity("exam-failed"),
            "exam-failed",
            requirement.id,
            doc,
            f"Your {ctx.label(requirement, doc)}{when} is a fail: it is kept, counts as an attempt, and does "
            "not meet the requirement.",
            f"Add the {requirement.noun} of the attempt you pass.",
        )
    limit = ctx.catalog.parameter("max_attempts")
    if isinstance(limit, int) and not record.has_pass and record.attempts >= limit:
        ctx.add(
            ctx.catalog.severity("attempt-limit"),
            "attempt-limit",
            requirement.id,
            None,
            f"You have made {record.attempts} attempts at {requirement.title.removesuffix(' result')} without a "
            f"pass. USMLE allows {limit} attempts per Step, incomplete ones included; after that you cannot "
            "take any Step.",
            "Contact ECFMG (and FSMB for USMLE) about your eligibility before planning anything else.",
        )


def _oet_sittings(ctx: _Context, requirement: Requirement, docs: Iterable[Document]) -> None:
    """OET_SCORES [C]: L/R/S and W minimums, all in one sitting (one document = one sitting)."""
    if requirement.id != OET_REQUIREMENT:
        return
    docs = list(docs)
    passed = any(oet_sitting_passes(ctx.catalog, requirement, d) for d in docs)
    for doc in docs:
        short = oet_shortfalls(ctx.catalog, requirement, doc)
        if not short:
            continue
        parts = _and_list([f"{part.capitalize()} {score} (at least {low})" for part, (score, low) in short.items()])
        label = ctx.label(requirement, doc)
        if passed:
            ctx.add(
                ctx.catalog.severity("exam-failed"),
                "score-below",
                requirement.id,
                doc,
                f"Your {label} does not pass on its own ({parts}); another sitting passes, so it is only kept.",
                f"Nothing to do; remove this {requirement.noun} if you like.",
            )
        else:
            ctx.add(
                ctx.catalog.severity("score-below"),
                "score-below",
                requirement.id,
                doc,
                f"Your {label} is below the passing score: {parts}. All four sub-tests must pass in one "
                "sitting.",
                "Take OET Medicine again (all four sub-tests) and add the new result.",
            )


def _seven_years(ctx: _Context, requirement: Requirement, docs: Iterable[Document]) -> None:
    """ECFMG_SEVEN_YEAR ([C-old]/[?], a switchable warning): the required exams passed within 7 years."""
    if requirement.id != REQUIRED_STEPS[-1] or ctx.catalog.parameter("seven_year_check") is not True:
        return
    years = ctx.catalog.parameter("seven_year_years")
    if not isinstance(years, int):
        return
    passes: list[date] = []
    for step in REQUIRED_STEPS:
        step_req = ctx.catalog.get(step)
        if step_req is None:
            return
        dates = [
            day
            for d in ctx.by_requirement.get(step, ())
            if result_of(step_req, d) == "pass" and (day := test_date_of(step_req, d)) is not None
        ]
        if not dates:
            return
        passes.append(min(dates))
    first, last = min(passes), max(passes)
    if add_months(first, 12 * years) >= last:
        return
    ctx.add(
        ctx.catalog.severity("exam-time-limit"),
        "exam-time-limit",
        requirement.id,
        None,
        f"Your first required exam pass ({format_date(first)}) and your last ({format_date(last)}) are more than "
        f"{years} years apart. Older ECFMG Information Booklets let the earliest pass lapse after {years} years; "
        "whether the current one still does is not confirmed.",
        "Check the time limit for completing the exams in ECFMG's current Information Booklet.",
    )


def _failed_step2cs_pathway(ctx: _Context, requirement: Requirement, docs: Iterable[Document]) -> None:
    """STEP2CS_FAILED_ROUTE [C-old]: anyone who failed Step 2 CS must use Pathway 6."""
    only = requirement.failed_step2cs_pathway
    if only is None or not ctx.profile.failed_step2cs:
        return
    for doc in docs:
        pathway = requirement.field_value(doc, "pathway")
        if pathway == only:
            continue
        which = f"Pathway {pathway}" if pathway is not None else "a Pathway you have not entered"
        ctx.add(
            requirement.severity("failed_step2cs_pathway"),
            "wrong-pathway",
            requirement.id,
            doc,
            f"Your {ctx.label(requirement, doc)} is for {which}. Because you failed Step 2 CS, ECFMG accepts "
            f"only Pathway {only}.",
            f"Apply through Pathway {only} and add its evidence; enter the Pathway number on it.",
        )


_REQUIREMENT_CHECKS: tuple[Callable[[_Context, Requirement, Iterable[Document]], None], ...] = (
    _usmle_attempts,
    _oet_sittings,
    _seven_years,
    _failed_step2cs_pathway,
)


def business_days_between(start: date, end: date) -> int:
    """Monday-to-Friday days after ``start`` up to and including ``end`` (0 when ``end`` is not later)."""
    days, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days += 1
    return days


def _rotations_without_letter(ctx: _Context, rotations: Iterable[Rotation], letters: Iterable[Letter]) -> None:
    """``no-letter``: a completed rotation nobody was asked a letter for. Issue 13's advice, not an ECFMG or
    AAMC rule: a gentle note (the catalog cannot make it an error), filed with the letters."""
    for rotation in rotations_without_letter(rotations, letters):
        ctx.add(
            ctx.catalog.severity("no-letter"),
            "no-letter",
            "recommendation-letter",
            None,
            f"Nobody has been asked for a letter of recommendation from your {rotation.kind} in "
            f"{rotation.specialty} at {rotation.institution} ({format_date(rotation.start)} to "
            f"{format_date(rotation.end)}).",
            "If someone there knows your work, ask them for a letter and add it to your letters under Clinical "
            "experience; if you do not need one, nothing needs doing.",
        )


def _name_change_lead_time(ctx: _Context) -> None:
    """NAME_CHANGE_LEAD_TIME [C]: a pending name change must be processed at least 7 business days before a
    scheduled exam (the exam date the applicant entered for the plan, ``exam:<requirement>``)."""
    lead = ctx.catalog.parameter("name_change_business_days")
    if not isinstance(lead, int) or not ctx.holds("passport_name_differs"):
        return
    for key, when in sorted(ctx.entered.items()):
        requirement = ctx.catalog.get(key.removeprefix("exam:")) if key.startswith("exam:") else None
        if requirement is None or when < ctx.as_of or business_days_between(ctx.as_of, when) >= lead:
            continue
        ctx.add(
            ctx.catalog.severity("name-change-lead-time"),
            "name-change-lead-time",
            NAME_CHANGE if NAME_CHANGE in ctx.catalog else requirement.id,
            None,
            f"Your {requirement.title.removesuffix(' result')} is on {format_date(when)}, less than {lead} business "
            "days away, and your name change is not processed: without it you cannot test on that day.",
            f"Move the appointment to at least {lead} business days after your name change is processed, with "
            "ECFMG and with FSMB.",
        )


_EXAM_REQUIREMENTS = ("usmle-step1", "usmle-step2ck", "usmle-step2cs", "oet-medicine", "pathway-evidence")
_PATHWAY_REQUIREMENTS = ("oet-medicine", "pathway-evidence")


def _cycle_checks(ctx: _Context) -> None:
    """The cycle's dates and parameters: PATHWAY_DEADLINE and NRMP_ROL (``deadline``, a warning that never
    blocks: a packet past one Match serves the next), PATHWAY_EXPIRY, P345_GRAD_DATE, P1_LICENSE_WINDOW, and a
    note when no catalog exists for the Match the applicant aims at."""
    catalog = ctx.catalog
    erring = {f.requirement for f in ctx.findings if f.severity == "error"}
    warn_days = catalog.parameter("deadline_warn_days")
    soon = warn_days if isinstance(warn_days, int) else 30
    pathway = catalog.get("pathway-evidence")
    for key, requirements, filed in (
        ("pathways_close", _PATHWAY_REQUIREMENTS, "pathway-evidence"),
        ("rol_deadline", _EXAM_REQUIREMENTS, "usmle-step2ck"),
    ):
        when = ctx.cycle_date(key)
        open_items = [r for r in requirements if r in erring and ctx.needed_id(r)]
        if when is None or not open_items or filed not in catalog or (when - ctx.as_of).days > soon:
            continue
        title = catalog.dates[key].title if key in catalog.dates else key
        passed = when < ctx.as_of
        ctx.add(
            catalog.severity("deadline"),
            "deadline",
            filed,
            None,
            f"{title}: {format_date(when)}{' has passed' if passed else ''}, and your exam and clinical skills "
            "items are not ready yet."
            + (" ECFMG must confirm them by the rank order list deadline, or you are withdrawn from the Match."
               if key == "rol_deadline" else ""),
            "Fix the problems of your exam and Pathway items first." if not passed else
            "Fix the problems and plan for the next cycle's dates.",
        )
    target = ctx.profile.match_year or ahead_match_year(ctx.as_of)
    if catalog.newest and target > catalog.cycle:
        ctx.add(
            catalog.severity("no-catalog"),
            "no-catalog",
            catalog.requirements[0].id,
            None,
            f"This app has no rules for the {target} Match yet; the {catalog.cycle} rules are used instead.",
            "Update ECFMG Desk when a newer version is available, and check ECFMG's current Information Booklet.",
        )

    if pathway is None:
        return
    start = ctx.cycle_date("residency_start")
    for doc in ctx.by_requirement.get(pathway.id, ()):
        label = ctx.label(pathway, doc)
        if doc.expires is not None and (doc.expires < ctx.as_of or (start is not None and doc.expires < start)):
            gone = doc.expires < ctx.as_of
            ctx.add(
                catalog.severity("revalidation"),
                "revalidation",
                pathway.id,
                doc,
                f"Your {label} {'expired' if gone else 'expires'} on {format_date(doc.expires)}"
                + ("" if gone else f", before residency starts on {format_date(start)}") + ".",  # type: ignore[arg-type]
                "Apply for Pathways Revalidation, offered with each season's Pathways.",
            )
        number = pathway.field_value(doc, "pathway")
        for key, applies, value, what in (
            ("p345_min_grad_date", number in (3, 4, 5), ctx.profile.graduation_date, "graduated"),
            ("p1_license_from", number == 1, doc.expires, "licence valid until"),
        ):
            parameter = catalog.parameters.get(key)
            floor = parameter.value if parameter is not None else None
            if not applies or not isinstance(floor, date) or value is None or value >= floor:
                continue
            assert parameter is not None
            ctx.add(
                "error" if parameter.confidence in BLOCKING_CONFIDENCE else "warning",
                "out-of-window",
                pathway.id,
                doc,
                f"Pathway {number} for the {catalog.cycle} Match needs {parameter.title.split(': ', 1)[-1]} "
                f"{format_date(floor)}; you {what} {format_date(value)}.",
                f"Check the Pathway {number} rules ({parameter.source}) or choose another Pathway.",
            )
def needing_fields(catalog: Catalog, documents: Iterable[Document]) -> list[tuple[Document, Requirement, str]]:
    """Documents with a required field of their own still empty (an exam's result, the OET scores), with the
    words for the upgrade notice: "your USMLE Step 1 result: result"."""
    out = []
    for doc in documents:
        requirement = catalog.get(doc.requirement)
        if requirement is None or doc.is_translation:
            continue
        empty = [f.label.lower() for f in requirement.fields if f.required and requirement.field_value(doc, f.name)
                 is None]
        if empty:
            out.append((doc, requirement, _and_list(empty)))
    return out


def fields_notice(catalog: Catalog, documents: Iterable[Document]) -> str | None:
    """The one-time message of a vault made before documents had their own fields."""
    needing = needing_fields(catalog, documents)
    if not needing:
        return None
    items = "; ".join(f"your {r.noun}: {words}" for _d, r, words in needing)
    return (f"Documents now carry details of their own, and {_plural(len(needing), 'document')} of yours "
            f"need{'s' if len(needing) == 1 else ''} one: {items}. Until you enter them, those items are not ready.")


def confirmation_questions(
    catalog: Catalog, profile: Profile, documents: Iterable[Document], answers: Answers | None = None
) -> list[Question]:
    """The questions the app asks for rules it cannot see in a file (``confirm --list``, the checklist)."""
    return _Context(catalog, profile, documents, date.min, answers).questions()


_UNANSWERED = "Still to answer"
_UNANSWERED_FIX = "Answer the question with yes or no; the app cannot see this in your files."
_ANSWERED_NO = "You answered no"


def for_reviewer(finding: Finding) -> Finding:
    """``finding`` as the student's advisor reads it in review mode: the app's questions to the student (still
    open, or answered no) say who has to answer, instead of telling the advisor to. The question itself is
    quoted as the student was asked it. Any other finding, or one not in the app's own words (a bundle is
    outside input), is shown as exported."""
    message = finding.message
    if finding.code == "unconfirmed" and message.startswith(_UNANSWERED):
        rest = message[len(_UNANSWERED):]
        about, question = _about_and_question(rest, " (your ", "): ")
        if question is None:
            return finding
        where = f" (their {about})" if about else ""
        return replace(finding, message=f"Not answered by the student yet{where}: “{question}”",
                       fix="The student answers it in their app (yes or no); it cannot be seen in the files.")
    if finding.code == "answered-no":
        if message.startswith(_ANSWERED_NO + ": "):
            return replace(finding, message="The student answered no: " + message[len(_ANSWERED_NO) + 2:])
        subject, said = _about_and_question(message, "For your ", f", {_ANSWERED_NO.lower()}: ")
        if subject and said is not None:
            return replace(finding, message=f"For their {subject}, the student answered no: {said}")
    return finding


def _about_and_question(text: str, opening: str, closing: str) -> tuple[str, str | None]:
    """Split ``opening + about + closing + question`` (or ``": " + question`` with no ``about``)."""
    if text.startswith(opening) and closing in text:
        about, _, question = text[len(opening):].partition(closing)
        return about, question
    if text.startswith(": "):
        return "", text[2:]
    return "", None


def _confirmations(ctx: _Context) -> None:
    """Unanswered: ``unconfirmed`` (a warning naming the question); answered no: ``answered-no``, an error for
    a confirmed rule, saying what follows. ``translator-not-applicant`` only unlocks a self-translation."""
    for question in ctx.questions():
        confirmation = question.confirmation
        if confirmation.when == "self-translation":
            continue  # answered by the translation check itself
        doc = ctx.by_id.get(question.document or "")
        requirement = ctx.catalog.get(confirmation.requirement)
        about = ""
        if doc is not None:
            req = ctx.catalog.get(ctx.requirement_of(doc))
            if req is not None:
                about = (ctx.translation_label(doc) if doc.is_translation else ctx.label(req, doc))
        filed = ctx.requirement_of(doc) if doc is not None else confirmation.requirement
        if question.answer is None:
            where = f" (your {about})" if about else ""
            ctx.findings.append(
                Finding(
                    ctx.catalog.severity("unconfirmed"),
                    "unconfirmed",
                    filed,
                    doc.id if doc else None,
                    f"{_UNANSWERED}{where}: {confirmation.question}",
                    _UNANSWERED_FIX,
                    question=confirmation.id,
                )
            )
        elif question.answer is False:
            where = f"For your {about}, {_ANSWERED_NO.lower()}" if about else _ANSWERED_NO
            ctx.add(
                confirmation.severity_if_no,
                "answered-no",
                filed,
                doc,
                f"{where}: {confirmation.question} {confirmation.if_no}",
                confirmation.if_no if requirement is None else f"{confirmation.if_no} Then answer again.",
            )


def _duplicate_files(ctx: _Context) -> None:
    """The same bytes filed under two different requirements (translations aside): ``duplicate-file``."""
    owner: dict[str, tuple[str, Document]] = {}
    for requirement in ctx.catalog.requirements:
        if requirement.id == TRANSLATION_REQUIREMENT:
            continue
        for doc in ctx.by_requirement.get(requirement.id, ()):
            reported = False
            for info in doc.files:
                first = owner.setdefault(info.sha256, (requirement.id, doc))
                if first[0] == requirement.id or reported:
                    continue
                reported = True
                other = ctx.catalog[first[0]]
                ctx.add(
                    ctx.catalog.severity("duplicate-file"),
                    "duplicate-file",
                    requirement.id,
                    doc,
                    f"The file “{info.name}” of your {ctx.label(requirement, doc)} is the same file as your "
                    f"{ctx.label(other, first[1])}: one file cannot be two documents.",
                    f"Replace the file of your {ctx.label(requirement, doc)} with the right document.",
                )


# -- checks on a document's data -------------------------------------------------------------------------


def _needs(ctx: _Context, requirement: Requirement, doc: Document) -> None:
    if not requirement.needs:
        return
    label = ctx.translation_label(doc) if doc.is_translation else ctx.label(requirement, doc)
    for field_name in requirement.needs:
        value = getattr(doc, field_name)
        if value is not None and (not isinstance(value, str) or value.strip()):
            continue
        severity = requirement.severity("warn_needs" if field_name in requirement.warn_needs else "needs")
        if field_name == "issued":
            ctx.add(
                severity,
                "undated",
                requirement.id,
                doc,
                f"No {requirement.issued_label} is entered for your {label}.",
                f"Enter the {requirement.issued_label} for your {label}, as shown on it.",
            )
        elif field_name == "expires":
            ctx.add(
                severity,
                "undated",
                requirement.id,
                doc,
                f"No expiry date is entered for your {label}.",
                f"Enter the expiry date printed on your {label}.",
            )
        elif field_name == "language":
            ctx.add(
                severity,
                "missing-details",
                requirement.id,
                doc,
                f"No language is entered for your {label}, so it cannot be told whether it needs a "
                "translation.",
                f"Enter the language your {label} is written in.",
            )
        elif field_name == "name_on_document":
            ctx.add(
                severity,
                "missing-details",
                requirement.id,
                doc,
                f"The name printed on your {label} is not entered, so it cannot be compared with your name "
                "of record.",
                f"Enter the name exactly as printed on your {label}.",
            )
        elif field_name == "translator":
            ctx.add(
                severity,
                "missing-details",
                requirement.id,
                doc,
                f"The translator of your {label} is not entered.",
                f"Enter the translator or translation service named on your {label}.",
            )
        else:
            kinds = _or_list(
                [_TRANSLATORS[k] for k in requirement.accepted_translator_kinds] or ["the translator"]
            )
            ctx.add(
                severity,
                "missing-details",
                requirement.id,
                doc,
                f"Who made your {label} is not entered.",
                f"Enter whether your {label} was made by {kinds}.",
            )


def _required_fields(ctx: _Context, requirement: Requirement, doc: Document) -> None:
    """A required per-requirement field left empty (an exam's result, an OET score): ``missing-details``."""
    empty = [f for f in requirement.fields if f.required and requirement.field_value(doc, f.name) is None]
    if not empty:
        return
    label = ctx.label(requirement, doc)
    names = _and_list([f.label.lower() for f in empty])
    ctx.add(
        ctx.catalog.severity("missing-details"),
        "missing-details",
        requirement.id,
        doc,
        f"Your {label} has no {names} entered, so it cannot be checked.",
        f"Enter the {names} shown on your {label}.",
    )


def _test_window(ctx: _Context, requirement: Requirement, doc: Document) -> None:
    """OET_DATE_WINDOW: an OET sitting before the cycle's earliest accepted test date (``out-of-window``);
    the severity follows the date's confidence ([C]/[C-old] error, otherwise a warning)."""
    if requirement.field("test_date") is None or requirement.id != OET:
        return
    window = ctx.catalog.dates.get("oet_test_date_from")
    tested = requirement.field_value(doc, "test_date")
    if window is None or window.value is None or not isinstance(tested, date) or tested >= window.value:
        return
    label = ctx.label(requirement, doc)
    ctx.add(
        "error" if window.confidence in BLOCKING_CONFIDENCE else "warning",
        "out-of-window",
        requirement.id,
        doc,
        f"Your {label} is from a test on {format_date(tested)}, before {format_date(window.value)}, the "
        f"earliest test date for the {ctx.catalog.cycle} Match ({CONFIDENCE_WORDS[window.confidence]}).",
        f"Check the date window for your {label} on {window.source}; you may need to take OET Medicine "
        "again.",
    )


def _form_invalidated(ctx: _Context, requirement: Requirement, doc: Document) -> None:
    """IDFORM_INVALIDATED_BY_NAME_CHANGE [C-old]: a name change after the form was made invalidates it."""
    changed = ctx.profile.name_change_date
    if not requirement.invalidated_by_name_change or changed is None or doc.issued is None:
        return
    if changed <= doc.issued:
        return
    label = ctx.label(requirement, doc)
    ctx.add(
        requirement.severity("invalidated_by_name_change"),
        "form-invalidated",
        requirement.id,
        doc,
        f"Your {label} was created on {format_date(doc.issued)}, before your name of record changed on "
        f"{format_date(changed)}. A change of the name of record invalidates the identity form.",
        f"Complete a new {requirement.noun} under your new name of record and add it.",
    )


def _future_date(ctx: _Context, requirement: Requirement, doc: Document) -> None:
    if doc.issued is None or doc.issued <= ctx.as_of:
        return
    label = ctx.translation_label(doc) if doc.is_translation else ctx.label(requirement, doc)
    ctx.add(
        ctx.catalog.severity("future-date"),
        "future-date",
        requirement.id,
        doc,
        f"The {requirement.issued_label} of your {label}, {format_date(doc.issued)}, is after "
        f"{format_date(ctx.as_of)}.",
        f"Check the {requirement.issued_label} shown on your {label} and correct it.",
    )


def _expiry(ctx: _Context, requirement: Requirement, doc: Document) -> None:
    if doc.expires is None:
        return
    label = ctx.label(requirement, doc)
    if requirement.must_be_valid_on_export and doc.expires < ctx.as_of:
        ctx.add(
            requirement.severity("must_be_valid_on_export"),
            "expired",
            requirement.id,
            doc,
            f"Your {label} expired on {format_date(doc.expires)}.",
            f"Renew your {label} and add a scan of the new one.",
        )
        return
    months = requirement.warn_valid_for_months
    start = ctx.cycle_date("residency_start")
    if (
        months is not None
        and start is not None
        and add_months(ctx.as_of, months) <= doc.expires < start
    ):  # PASSPORT_VALID_AT_EVENTS: valid through the start of residency in the applicant's cycle
        ctx.add(
            requirement.severity("warn_valid_for_months"),
            "expired",
            requirement.id,
            doc,
            f"Your {label} expires on {format_date(doc.expires)}, before residency starts on "
            f"{format_date(start)} for the {ctx.catalog.cycle} Match.",
            f"Plan to renew your {label} before then: ECFMG needs it current and unexpired whenever it is used.",
        )
        return
    if months is not None and ctx.as_of <= doc.expires < add_months(ctx.as_of, months):
        ctx.add(
            requirement.severity("warn_valid_for_months"),
            "expired",
            requirement.id,
            doc,
            f"Your {label} expires on {format_date(doc.expires)}, less than {_plural(months, 'month')} after "
            f"{format_date(ctx.as_of)}.",
            f"Plan to renew your {label}: ECFMG needs it current and unexpired whenever it is used.",
        )


def _age(ctx: _Context, requirement: Requirement, doc: Document) -> None:
    if doc.issued is None or doc.issued > ctx.as_of:
        return
    label = ctx.label(requirement, doc)
    dated = f"Your {label} is dated {format_date(doc.issued)} ({requirement.issued_label})"
    replace = f"Replace your {label} with a new one." + (
        f" {requirement.how_to_add}" if requirement.how_to_add else ""
    )
    status = requirement.field_value(doc, "status") if requirement.field("status") else None
    past_window = status is not None and status != "created"  # IDFORM_AGE: only until ECFMG has received it
    if (
        requirement.max_age_days is not None
        and not past_window
        and (ctx.as_of - doc.issued).days > requirement.max_age_days
    ):
        ctx.add(
            requirement.severity("max_age_days"),
            "too-old",
            requirement.id,
            doc,
            f"{dated}, more than {_plural(requirement.max_age_days, 'day')} before {format_date(ctx.as_of)}.",
            replace,
        )
    months = requirement.max_age_months
    if months is not None and add_months(doc.issued, months) < ctx.as_of:
        ctx.add(
            requirement.severity("max_age_months"),
            "too-old",
            requirement.id,
            doc,
            f"{dated}, more than {_plural(months, 'month')} before {format_date(ctx.as_of)}.",
            replace,
        )
    if requirement.not_before is not None and doc.issued < requirement.not_before:
        ctx.add(
            requirement.severity("not_before"),
            "too-old",
            requirement.id,
            doc,
            f"{dated}, before {format_date(requirement.not_before)}, the earliest date the "
            f"{ctx.catalog.cycle} rules accept.",
            f"Check the date window for your {label} in ECFMG's current Information Booklet; you may need a "
            f"newer {requirement.noun}.",
        )


def _name(ctx: _Context, requirement: Requirement, doc: Document) -> None:
    printed = (doc.name_on_document or "").strip()
    if requirement.name_match is None or doc.is_translation or not printed or not ctx.record_key:
        return
    key = normalize_name(printed)
    if key == ctx.record_key:
        return
    label = ctx.label(requirement, doc)
    explanation = compare_names(ctx.record, printed, record_family=ctx.profile.family_name).explanation
    if requirement.name_match == "exact":
        change = ctx.catalog.get(NAME_CHANGE)
        change_noun = change.noun if change else "name change request"
        if ctx.name_change_present:
            ctx.add(
                ctx.catalog.severity("name-change-pending"),
                "name-change-pending",
                requirement.id,
                doc,
                f"Your {label} shows the name “{printed}”, not your name of record “{ctx.record}”; your "
                f"{change_noun} is in the packet.",
                f"Once ECFMG has processed your {change_noun}, update your name of record in your profile "
                f"to the name on your {label}, and change it separately with FSMB for USMLE.",
            )
            return
        ctx.add(
            requirement.severity("name_match"),
            "name-mismatch",
            requirement.id,
            doc,
            f"Your {label} shows the name “{printed}”, which is not exactly your name of record "
            f"“{ctx.record}”. {explanation}",
            f"Your name of record must match your {label} exactly. If your profile has a typing error, "
            f"correct it; otherwise ask ECFMG to change your name of record and add the {change_noun} to "
            "your packet.",
        )
        return
    if key in ctx.verified_names:
        return
    verification = ctx.catalog.get(NAME_VERIFICATION)
    verification_noun = verification.noun if verification else "name verification document"
    none_match = (
        f" None of your {verification_noun}s shows “{printed}” exactly."
        if ctx.by_requirement.get(NAME_VERIFICATION)
        else ""
    )
    ctx.add(
        requirement.severity("name_match"),
        "name-mismatch",
        requirement.id,
        doc,
        f"Your {label} shows the name “{printed}”, not your name of record “{ctx.record}”. "
        f"{explanation}{none_match}",
        f"Add a {verification_noun} that shows the name exactly as “{printed}”, as printed on your {label}.",
    )


def _translation_pair(ctx: _Context, requirement: Requirement, doc: Document) -> None:
    translation = ctx.catalog.get(TRANSLATION_REQUIREMENT)
    if translation is None or not doc.needs_translation or ctx.translations.get(doc.id):
        return
    label = ctx.label(requirement, doc)
    if requirement.school_sends and requirement.field_value(doc, "sent_by") != "applicant":
        ctx.add(
            ctx.catalog.severity("school-sent"),
            "translation-missing",
            requirement.id,
            doc,
            f"Your {label} is in {language_name(doc.language or '')}. Your school sends it to ECFMG; if it comes "
            "without an acceptable English translation, ECFMG has it translated and charges your account.",
            f"Ask your school whether it sends an English translation with your {label}, to avoid the fee.",
        )
        return
    status = doc.manual_translation_status
    noted = {
        "ordered": " You noted that the translation is ordered.",
        "received": " You noted that you have received the translation; it is not attached yet.",
    }.get(status or "", "")
    kinds = _or_list([_TRANSLATORS[k] for k in translation.accepted_translator_kinds] or ["a translator"])
    ctx.add(
        translation.severity("required"),
        "translation-missing",
        requirement.id,
        doc,
        f"Your {label} is in {language_name(doc.language or '')} and has no English translation attached. "
        f"ECFMG rejects a non-English document without one.{noted}",
        f"Attach a complete, word-for-word English translation of your {label}, made by {kinds}.",
    )


def _translation(ctx: _Context, requirement: Requirement, doc: Document) -> None:
    if not doc.is_translation or requirement.id != TRANSLATION_REQUIREMENT:
        return
    label = ctx.translation_label(doc)
    original = ctx.by_id.get(doc.translation_of or "")
    if original is None:
        problem = (
            "is not linked to an original document"
            if doc.translation_of is None
            else "belongs to an original document that is not in your packet"
        )
        ctx.add(
            requirement.severity("required"),
            "translation-missing",
            requirement.id,
            doc,
            f"Your {label} {problem}. ECFMG rejects a translation without its original.",
            f"Add the original of your {label} in its original language and link the translation to it.",
        )
    accepted = requirement.accepted_translator_kinds
    kinds = _or_list([_TRANSLATORS[k] for k in accepted] or ["an accepted translator"])
    kind = doc.translator_kind
    if accepted and kind and kind not in accepted:
        who = _TRANSLATORS.get(kind, f"a {kind}")
        ctx.add(
            requirement.severity("accepted_translator_kinds"),
            "translation-incomplete",
            requirement.id,
            doc,
            f"Your {label} was made by {who}. ECFMG accepts only translations made by {kinds}"
            + ("; applicants may not translate their own documents." if kind == "self" else "."),
            f"Have a new {label} made by {kinds}, and attach it instead.",
        )
    elif (
        requirement.translator_not_applicant
        and ctx.self_translated(doc)
        and ctx.answers.get(("translator-not-applicant", doc.id)) is not True
    ):
        ctx.add(
            requirement.severity("translator_not_applicant"),
            "translation-incomplete",
            requirement.id,
            doc,
            f"Your {label} names “{doc.translator}” as translator, which reads as your own name. Applicants "
            "may not translate their own documents.",
            f"Have a new {label} made by {kinds}, and attach it instead. If someone else with a name like "
            "yours made it, answer the question about its translator.",
        )
    if original is None:
        return
    if (
        requirement.pages_at_least_original
        and doc.page_count
        and original.page_count
        and doc.page_count < original.page_count
    ):
        ctx.add(
            requirement.severity("pages_at_least_original"),
            "translation-incomplete",
            requirement.id,
            doc,
            f"Your {label} has {_plural(doc.page_count, 'page')}; the original has {original.page_count}.",
            f"Check that your {label} covers every page of the original, word for word.",
        )
    if (
        requirement.dated_after_original
        and doc.issued is not None
        and original.issued is not None
        and doc.issued < original.issued
    ):
        ctx.add(
            requirement.severity("dated_after_original"),
            "translation-incomplete",
            requirement.id,
            doc,
            f"Your {label} is dated {format_date(doc.issued)}, before the original "
            f"({format_date(original.issued)}).",
            f"Check the dates on your {label}: a translation is made from the original, so it cannot be "
            "older.",
        )


_DOCUMENT_CHECKS: tuple[Callable[[_Context, Requirement, Document], None], ...] = (
    _needs,
    _required_fields,
    _test_window,
    _form_invalidated,
    _future_date,
    _expiry,
    _age,
    _name,
    _translation_pair,
    _translation,
)


# -- checks on the files ---------------------------------------------------------------------------------


def _file_rules(ctx: _Context, requirement: Requirement, doc: Document) -> None:
    if not doc.files:
        return
    label = ctx.translation_label(doc) if doc.is_translation else ctx.label(requirement, doc)
    kinds_text = _or_list([_KIND_NAMES[k] for k in requirement.kinds])
    wrong = next((f for f in doc.files if f.kind not in requirement.kinds), None)
    if wrong is not None:
        ctx.add(
            requirement.severity("kinds"),
            "file-rule",
            requirement.id,
            doc,
            f"Your {label} includes “{wrong.name}”, a {_KIND_NAMES[wrong.kind]} file; it must be "
            f"{kinds_text}.",
            f"Save your {label} as {kinds_text} and replace the file.",
        )
    if requirement.single_file and len(doc.files) > 1:
        ctx.add(
            requirement.severity("single_file"),
            "file-rule",
            requirement.id,
            doc,
            f"Your {label} is split over {len(doc.files)} files; it must be one file.",
            f"Combine all pages of your {label} into one {kinds_text} file.",
        )
    limit = requirement.max_file_bytes
    big = next((f for f in doc.files if limit is not None and f.size > limit), None)
    if big is not None and limit is not None:
        ctx.add(
            requirement.severity("max_file_bytes"),
            "file-rule",
            requirement.id,
            doc,
            f"Your {label}{f' (“{big.name}”)' if len(doc.files) > 1 else ''} is {format_size(big.size)}; "
            f"the limit is {format_size(limit)}.",
            f"Make your {label} smaller than {format_size(limit)} (for example, save or scan it again at a "
            "lower resolution) and replace the file.",
        )
    forbidden = requirement.forbidden_name_chars
    for info in doc.files:
        bad = sorted({c for c in info.name if c in forbidden})
        if bad:
            chars = " ".join(bad)
            ctx.add(
                requirement.severity("forbidden_name_chars"),
                "file-rule",
                requirement.id,
                doc,
                f"The file name “{info.name}” of your {label} contains {chars}, which the upload does not "
                "accept.",
                f"Rename the file of your {label} without the characters {chars}.",
            )
            break
    if requirement.no_digital_signature:
        signed = next((f for f in doc.files if f.signed), None)
        if signed is not None:
            ctx.add(
                requirement.severity("no_digital_signature"),
                "signed-pdf",
                requirement.id,
                doc,
                f"Your {label} (“{signed.name}”) carries a digital signature or a signature field; the upload "
                "refuses such PDFs.",
                f"Ask the writer for a copy of your {label} without a digital signature (a scanned or printed "
                "signature is fine), saved as a plain PDF.",
            )
    _page_size(ctx, requirement, doc, label)
    _pixel_size(ctx, requirement, doc, label)


def _page_size(ctx: _Context, requirement: Requirement, doc: Document, label: str) -> None:
    if requirement.page_size_pt is None:
        return
    width, height = requirement.page_size_pt
    tolerance = requirement.page_size_tolerance_pt
    for number, page in enumerate(doc.pages, start=1):
        fits = any(
            abs(page.width_pt - w) <= tolerance and abs(page.height_pt - h) <= tolerance
            for w, h in ((width, height), (height, width))
        )
        if not fits:
            wanted = f"{_inches(width)} × {_inches(height)} in"
            ctx.add(
                requirement.severity("page_size_in"),
                "file-rule",
                requirement.id,
                doc,
                f"Page {number} of your {label} is {_inches(page.width_pt)} × {_inches(page.height_pt)} in; "
                f"pages must be {wanted}.",
                f"Save your {label} on {wanted} pages and replace the file.",
            )
            return


def _pixel_size(ctx: _Context, requirement: Requirement, doc: Document, label: str) -> None:
    if requirement.pixel_size is None:
        return
    width, height = requirement.pixel_size
    for page in doc.pages:
        if page.width_px is None or page.height_px is None:
            continue
        if (page.width_px, page.height_px) != (width, height):
            ctx.add(
                requirement.severity("pixel_size"),
                "file-rule",
                requirement.id,
                doc,
                f"Your {label} is {page.width_px} × {page.height_px} pixels; it should be {width} × {height} "
                "pixels.",
                f"Resize your {label} to {width} × {height} pixels and replace the file.",
            )
            return


def _resolution(ctx: _Context, requirement: Requirement, doc: Document) -> None:
    minimum = requirement.min_dpi
    if minimum is None:
        return
    measured = [page.dpi for page in doc.pages if page.dpi is not None]
    if not measured or min(measured) >= minimum:
        return
    label = ctx.translation_label(doc) if doc.is_translation else ctx.label(requirement, doc)
    ctx.add(
        requirement.severity("min_dpi"),
        "low-resolution",
        requirement.id,
        doc,
        f"Your {label} is scanned at {min(measured):g} dpi; {minimum} dpi or more keeps small print, stamps "
        "and signatures legible.",
        f"Scan your {label} again at {minimum} dpi or more and replace the file.",
    )


def _colour(ctx: _Context, requirement: Requirement, doc: Document) -> None:
    if not requirement.color_required or all(page.color for page in doc.pages):
        return
    label = ctx.label(requirement, doc)
    ctx.add(
        requirement.severity("color_required"),
        "not-color",
        requirement.id,
        doc,
        f"Your {label} is in black and white (grayscale); ECFMG asks for a full-colour copy.",
        f"Scan your {label} again in full colour and replace the file.",
    )


_FILE_CHECKS: tuple[Callable[[_Context, Requirement, Document], None], ...] = (
    _file_rules,
    _resolution,
    _colour,
)


def _advisor_changes(ctx: _Context, requirement: Requirement, doc: Document) -> None:
    review = doc.review
    if review is None or review.decision != "changes" or review.stale:
        return
    label = ctx.translation_label(doc) if doc.is_translation else ctx.label(requirement, doc)
    who = f"Your advisor {review.reviewer}" if review.reviewer else "Your advisor"
    said = f": “{review.comments[-1].text}”" if review.comments else "."
    ctx.add(
        ctx.catalog.severity("advisor-changes"),
        "advisor-changes",
        requirement.id,
        doc,
        f"{who} asked for changes to your {label}{said}",
        f"Read your advisor's comments on your {label}, make the changes and replace the document.",
    )


# -- status for the checklist ----------------------------------------------------------------------------


def requirement_states(
    catalog: Catalog, profile: Profile, documents: Iterable[Document], result: ValidationResult
) -> dict[str, RequirementState]:
    """Each requirement's state for the checklist, in catalog order.

    ``missing``: a needed item without documents (for translations: an original still lacks one);
    ``problems``: documents with an error; ``ready``: documents and no error (warnings are counted, they do
    not block); ``optional``: an item never required and absent; ``not-needed``: a conditional item whose
    condition does not hold.
    """
    ctx = _Context(catalog, profile, documents, result.as_of)
    errors: dict[str, int] = {}
    warnings: dict[str, int] = {}
    untranslated = False
    missing: set[str] = set()
    for finding in result.findings:
        if finding.code == "missing" and finding.severity != "info":
            missing.add(finding.requirement)
        if finding.severity == "error":
            errors[finding.requirement] = errors.get(finding.requirement, 0) + 1
        elif finding.severity == "warning":
            warnings[finding.requirement] = warnings.get(finding.requirement, 0) + 1
        if (
            finding.code == "translation-missing"
            and finding.requirement != TRANSLATION_REQUIREMENT
            and finding.severity != "info"  # the school's transcript: ECFMG translates it
        ):
            untranslated = True
    states: dict[str, RequirementState] = {}
    for requirement in catalog.requirements:
        count = len(ctx.by_requirement.get(requirement.id, ()))
        # the school sends this credential itself: a copy here helps (ERAS) but is not a required item
        needed = ctx.needed(requirement) and not (requirement.school_sends and count == 0)
        error_count = errors.get(requirement.id, 0)
        state: StateName
        if requirement.id == TRANSLATION_REQUIREMENT and untranslated:
            state = "missing"
        elif count == 0:
            state = "missing" if needed else (
                "optional" if requirement.required is False or requirement.school_sends else "not-needed"
            )
        elif requirement.id in missing:
            state = "missing"  # only failed attempts or superseded documents are filed
        elif error_count:
            state = "problems"
        else:
            state = "ready"
        states[requirement.id] = RequirementState(
            requirement.id, state, needed, count, error_count, warnings.get(requirement.id, 0)
        )
    return states


def progress(states: Mapping[str, RequirementState]) -> tuple[int, int]:
    """``(ready, required)`` for "9 of 14 required items ready": only items this applicant needs count."""
    required = [s for s in states.values() if s.required]
    return sum(1 for s in required if s.state == "ready"), len(required)
