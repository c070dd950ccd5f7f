"""USMLE and OET results as ECFMG counts them: attempts, passes, sittings, and the earliest next attempt.

Pure (no clock, no I/O). A document of an exam requirement is one attempt (USMLE) or one sitting (OET); its
fields (``result``, ``test_date``, ``attempt``, the four OET sub-scores) come from the catalog's declarations,
and every number (4 attempts, 350/300 points, the retake spacing) is a catalog parameter (RULES.md
USMLE_ATTEMPTS, USMLE_ATTEMPT_SPACING, OET_SCORES).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ecfmg_desk.core.catalog import Catalog, Requirement
from ecfmg_desk.core.model import Document

USMLE_STEPS: tuple[str, ...] = ("usmle-step1", "usmle-step2ck", "usmle-step2cs")
"""Requirements whose documents are USMLE attempts (four per Step, Step 2 CS attempts included)."""
REQUIRED_STEPS: tuple[str, ...] = ("usmle-step1", "usmle-step2ck")
"""The medical science exams ECFMG Certification needs (RULES.md R3), for the 7-year time limit."""
OET_REQUIREMENT = "oet-medicine"
OET_PARTS: tuple[str, ...] = ("listening", "reading", "speaking", "writing")


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clamped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _int(catalog: Catalog, key: str) -> int | None:
    value = catalog.parameter(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class StepRecord:
    """Every attempt filed for one USMLE Step: how many count, whether one passed, and their dates."""

    requirement: str
    documents: tuple[Document, ...]
    passed: tuple[Document, ...]
    failed: tuple[Document, ...]
    attempts: int
    """The larger of the number of documents and the highest ``attempt`` entered (DESIGN.md section 6)."""
    attempt_dates: tuple[date, ...]
    """Test dates of the attempts that have one, oldest first."""

    @property
    def has_pass(self) -> bool:
        return bool(self.passed)


def result_of(requirement: Requirement, doc: Document) -> str | None:
    value = requirement.field_value(doc, "result")
    return value if isinstance(value, str) else None


def test_date_of(requirement: Requirement, doc: Document) -> date | None:
    value = requirement.field_value(doc, "test_date")
    return value if isinstance(value, date) else None


def step_record(requirement: Requirement, documents: Iterable[Document]) -> StepRecord:
    docs = tuple(documents)
    passed = tuple(d for d in docs if result_of(requirement, d) == "pass")
    failed = tuple(d for d in docs if result_of(requirement, d) == "fail")
    numbers = [v for d in docs if isinstance(v := requirement.field_value(d, "attempt"), int)]
    dates = sorted(day for d in docs if (day := test_date_of(requirement, d)) is not None)
    return StepRecord(requirement.id, docs, passed, failed, max([len(docs), *numbers]), tuple(dates))


def step_records(catalog: Catalog, documents: Iterable[Document]) -> dict[str, StepRecord]:
    """One record per USMLE Step of the catalog that has documents."""
    by_step: dict[str, list[Document]] = {}
    for doc in documents:
        if doc.requirement in USMLE_STEPS and not doc.is_translation:
            by_step.setdefault(doc.requirement, []).append(doc)
    return {
        step: step_record(catalog[step], docs) for step, docs in by_step.items() if catalog.get(step) is not None
    }


def earliest_next_attempt(catalog: Catalog, record: StepRecord) -> date | None:
    """USMLE_ATTEMPT_SPACING as a date, not a finding (USMLE already allowed the past attempts): at most
    ``attempts_per_12_months`` attempts at one exam within 12 months, and the last allowed attempt at least
    ``fourth_attempt_after_first_months`` after the first and ``fourth_attempt_after_last_months`` after the
    latest. ``None`` when nothing is to be planned: a pass, no attempt with a date, or no attempt left."""
    limit = _int(catalog, "max_attempts")
    if record.has_pass or not record.failed or not record.attempt_dates:
        return None
    if limit is not None and record.attempts >= limit:
        return None
    dates = record.attempt_dates
    earliest = dates[-1] + timedelta(days=1)
    per_year = _int(catalog, "attempts_per_12_months")
    if per_year is not None and len(dates) >= per_year:
        earliest = max(earliest, add_months(dates[-per_year], 12))
    if limit is not None and record.attempts == limit - 1:
        after_first = _int(catalog, "fourth_attempt_after_first_months")
        after_last = _int(catalog, "fourth_attempt_after_last_months")
        if after_first is not None:
            earliest = max(earliest, add_months(dates[0], after_first))
        if after_last is not None:
            earliest = max(earliest, add_months(dates[-1], after_last))
    return earliest


def earliest_next_attempts(catalog: Catalog, documents: Sequence[Document]) -> Mapping[str, date]:
    """Per USMLE Step with failed attempts and no pass: the earliest date of the next attempt (for the plan:
    ``build_plan(..., next_attempt=functools.partial(earliest_next_attempts, catalog))``)."""
    out: dict[str, date] = {}
    for step, record in step_records(catalog, documents).items():
        when = earliest_next_attempt(catalog, record)
        if when is not None:
            out[step] = when
    return out


def oet_minimums(catalog: Catalog) -> dict[str, int]:
    """The passing sub-score of each OET part (``oet_min_<part>``), for the parts the catalog states."""
    out = {}
    for part in OET_PARTS:
        value = _int(catalog, f"oet_min_{part}")
        if value is not None:
            out[part] = value
    return out


def oet_shortfalls(catalog: Catalog, requirement: Requirement, doc: Document) -> dict[str, tuple[int, int]]:
    """The parts of one sitting below the passing score: part -> (score, minimum). Empty when it passes or
    when a score is not entered (that is ``missing-details``, not a fail)."""
    out: dict[str, tuple[int, int]] = {}
    for part, minimum in oet_minimums(catalog).items():
        score = requirement.field_value(doc, part)
        if isinstance(score, int) and not isinstance(score, bool) and score < minimum:
            out[part] = (score, minimum)
    return out


def oet_sitting_passes(catalog: Catalog, requirement: Requirement, doc: Document) -> bool:
    """All four sub-scores entered and at or above their minimums, in this one sitting (RULES.md OET_SCORES)."""
    minimums = oet_minimums(catalog)
    scores = [requirement.field_value(doc, part) for part in minimums]
    if not minimums or any(not isinstance(s, int) for s in scores):
        return False
    return not oet_shortfalls(catalog, requirement, doc)
