"""The requirement catalog: what ECFMG asks for in one cycle, as data (resources/requirements/*.toml).

Every number and every rule lives in the catalog, never in code, because ECFMG changes them yearly
(RULES.md). Each rule key is backed by the ``sources`` that ``cover`` it; the best confidence mark among them
decides the rule's severity: only [C] and [C-old] rules may be errors, [T]/[M]/[?] rules are warnings.
``warn_only`` lowers a confirmed rule to a warning where RULES.md says so (e.g. a heuristic colour check).

The schema is checked on load so that a typo in the catalog fails loudly, naming the file and the key,
instead of silently switching a rule off. Core does no I/O: :func:`parse_catalog` takes the text.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from types import MappingProxyType
from typing import Literal, cast, get_args

from ecfmg_desk.core.model import FieldValue, FileKind, Severity, TranslatorKind
from ecfmg_desk.errors import CatalogError, FieldValueError

Confidence = Literal["[C]", "[C-old]", "[T]", "[M]", "[?]"]
NameMatch = Literal["exact", "verified"]

CONFIDENCE_MARKS: tuple[Confidence, ...] = get_args(Confidence)
"""Best first: the order decides which source wins when several cover one rule."""

CONFIDENCE_LEGEND: Mapping[Confidence, str] = MappingProxyType(
    {
        "[C]": "confirmed by an official page",
        "[C-old]": "official, but from an older edition",
        "[T]": "seen only on third-party pages",
        "[M]": "inferred, not confirmed by any source",
        "[?]": "searched for and not found",
    }
)

BLOCKING_CONFIDENCE: frozenset[Confidence] = frozenset({"[C]", "[C-old]"})
"""Only rules this sure may be errors that block export (RULES.md, legend)."""

KNOWN_CONDITIONS: tuple[str, ...] = (
    "transferred_credits",
    "name_differs",
    "passport_name_differs",
    "pathway_route",
    "step2cs_route",
    "non_english_documents",
)
"""Names allowed in ``required = "when:<condition>"``; ``rules.py`` evaluates each one."""

NEED_FIELDS: tuple[str, ...] = (
    "issued",
    "expires",
    "language",
    "name_on_document",
    "translator",
    "translator_kind",
)
"""Document metadata a requirement may need (``Document`` attributes of the same names)."""

RULE_KEYS: tuple[str, ...] = (
    "required",
    "needs",
    "name_match",
    "must_be_valid_on_export",
    "warn_valid_for_months",
    "max_age_days",
    "max_age_months",
    "not_before",
    "kinds",
    "max_file_bytes",
    "single_file",
    "forbidden_name_chars",
    "page_size_in",
    "pixel_size",
    "min_dpi",
    "color_required",
    "accepted_translator_kinds",
    "translator_not_applicant",
    "pages_at_least_original",
    "dated_after_original",
    "warn_needs",
    "no_digital_signature",
    "invalidated_by_name_change",
    "school_sends",
    "failed_step2cs_pathway",
    "current_is_latest",
)
"""Keys that state a rule: each one present must be covered by a source, which gives it its confidence."""

_TEXT_KEYS = ("id", "title", "noun", "category", "help", "how_to_add", "issued_label")
_OTHER_REQUIREMENT_KEYS = frozenset(
    {*_TEXT_KEYS, "sources", "warn_only", "page_size_tolerance_pt", "fields", "rules"}
)
_TOP_KEYS = frozenset(
    {
        "schema_version",
        "cycle",
        "base",
        "title",
        "disclaimer",
        "categories",
        "requirements",
        "dates",
        "parameters",
        "findings",
        "confirmations",
        "rules_index",
    }
)
_INDEX_KEYS = frozenset(
    {"requirement", "keys", "findings", "confirmation", "parameters", "dates", "how", "why", "confidence", "source"}
)
_CONFIRMATION_KEYS = frozenset(
    {"id", "question", "requirement", "applies_to", "when", "if_no", "confidence", "source", "rules", "warn_only"}
)
CONFIRMATION_WHEN: tuple[str, ...] = ("always", "self-translation")
"""When a per-document question is asked: of every document it applies to, or only of a translation whose
translator's name reads like the applicant's (``translator-not-applicant``)."""
_VALUE_KEYS = frozenset({"title", "value", "confidence", "source", "note"})
_FINDING_KEYS = frozenset({"severity", "rules", "note"})
_FIELD_KEYS = frozenset(
    {"name", "type", "label", "required", "values", "min", "max", "default", "default_from", "help"}
)
_SEVERITIES: tuple[str, ...] = get_args(Severity)
ADVICE_FINDINGS: frozenset[str] = frozenset({"no-letter"})
"""Finding codes that are our advice, with no ECFMG or AAMC rule behind them: the catalog may set their
severity but never to ``error`` (a note must not block a packet ECFMG would accept)."""
FieldType = Literal["date", "int", "enum", "bool", "text"]
FIELD_TYPES: tuple[str, ...] = get_args(FieldType)
COMMON_FIELDS: tuple[str, ...] = ("issued", "expires", "language", "name_on_document")
"""Fields every document has; a requirement's own ``fields`` come on top of these (DESIGN.md section 6)."""
_FIELD_NAME = re.compile(r"[a-z][a-z0-9_]*")
_RULE_ID = re.compile(r"[A-Z][A-Z0-9_]*")
_TRUE_WORDS = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}

CYCLE_DATE_KEYS: tuple[str, ...] = (
    "eras_opens",
    "eras_applications_from",
    "eras_programs_review",
    "lor_upload_by",
    "rol_deadline",
    "match_day",
    "residency_start",
    "pathways_open",
    "pathways_close",
    "oet_test_date_from",
)
"""The dates every cycle catalog states (DESIGN.md section 6); ``unknown`` where nobody has published one."""
_CATEGORY_KEYS = frozenset({"id", "title"})
_SOURCE_KEYS = frozenset({"title", "url", "confidence", "covers", "note"})
_FILE_KINDS: tuple[str, ...] = get_args(FileKind)
_TRANSLATOR_KINDS: tuple[str, ...] = get_args(TranslatorKind)
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_URL = re.compile(r"https?://\S+")
_POINTS_PER_INCH = 72.0
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Source:
    """Where a rule comes from; ``confidence`` is the mark copied from RULES.md."""

    title: str
    url: str
    confidence: Confidence
    covers: tuple[str, ...]
    note: str = ""

    @property
    def confirmed(self) -> bool:
        return self.confidence in BLOCKING_CONFIDENCE


@dataclass(frozen=True)
class CycleDate:
    """A date of one Match cycle, with where it comes from. ``value`` is ``None`` while unpublished."""

    key: str
    title: str
    value: date | None  # None = unknown
    confidence: Confidence  # "[C]" "[C-old]" "[T]" "[M]" "[?]"
    source: str  # where it comes from / where to look
    note: str = ""

    @property
    def known(self) -> bool:
        return self.value is not None


ParameterValue = int | float | bool | date | str | None


@dataclass(frozen=True)
class Parameter:
    """A sourced number (or date, or switch) a rule uses; ``value`` ``None`` = not published."""

    key: str
    title: str
    value: ParameterValue
    confidence: Confidence
    source: str
    note: str = ""


@dataclass(frozen=True)
class FindingRule:
    """One finding code: its default severity and the RULES.md ids (or "app check") behind it."""

    code: str
    severity: Severity
    rules: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class Confirmation:
    """A [C] rule the app cannot see in a file, asked once as a yes/no question (DESIGN.md section 6).

    ``applies_to`` empty: one question for the applicant (filed under ``requirement``); else one question per
    document of those requirements. ``if_no`` says what follows from a "no"; a "no" blocks only when the rule is
    confirmed ([C]/[C-old]) and not ``warn_only``.
    """

    id: str
    question: str
    requirement: str
    applies_to: tuple[str, ...]
    when: str
    if_no: str
    confidence: Confidence
    source: str
    rules: tuple[str, ...]
    warn_only: bool = False

    @property
    def per_document(self) -> bool:
        return bool(self.applies_to)

    @property
    def severity_if_no(self) -> Severity:
        return "error" if self.confidence in BLOCKING_CONFIDENCE and not self.warn_only else "warning"


@dataclass(frozen=True)
class RuleEntry:
    """Where one RULES.md rule lives in the catalog (``docs/rules.md`` is generated from these), or ``why``
    it is not implemented."""

    id: str
    requirement: str | None = None
    keys: tuple[str, ...] = ()
    findings: tuple[str, ...] = ()
    confirmation: str | None = None
    parameters: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    how: str = ""
    why: str = ""
    confidence: Confidence | None = None
    source: str = ""

    @property
    def implemented(self) -> bool:
        return not self.why


@dataclass(frozen=True)
class FieldSpec:
    """A field a document of one requirement carries beyond the common ones (DESIGN.md section 6).

    ``default`` is the value a document has while nobody set it; ``default_from`` names a common field
    (``issued``) whose value is used instead. ``parse`` turns typed text into the value, ``check`` vets a value
    already typed; both raise :class:`FieldValueError` with a message for the applicant.
    """

    name: str
    type: FieldType
    label: str
    required: bool = False
    values: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    default: FieldValue | None = None
    default_from: str | None = None
    help: str = ""

    def parse(self, text: str) -> FieldValue | None:
        """The value typed as text (``""`` clears: ``None``)."""
        text = text.strip()
        if not text:
            return None
        if self.type == "date":
            try:
                return date.fromisoformat(text)
            except ValueError:
                raise FieldValueError(
                    f"{self.label}: {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-07-15."
                ) from None
        if self.type == "int":
            try:
                number = int(text)
            except ValueError:
                raise FieldValueError(f"{self.label} must be a whole number{self._range_words()}.") from None
            return self.check(number)
        if self.type == "bool":
            if text.lower() not in _TRUE_WORDS:
                raise FieldValueError(f"{self.label} must be yes or no.")
            return _TRUE_WORDS[text.lower()]
        return self.check(text)

    def check(self, value: object) -> FieldValue:
        """``value`` if it is one this field accepts, else :class:`FieldValueError`."""
        if self.type == "date":
            if type(value) is not date:
                raise FieldValueError(f"{self.label} must be a date.")
            return value
        if self.type == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise FieldValueError(f"{self.label} must be a whole number{self._range_words()}.")
            if (self.minimum is not None and value < self.minimum) or (
                self.maximum is not None and value > self.maximum
            ):
                raise FieldValueError(f"{self.label} must be a whole number{self._range_words()}; got {value}.")
            return value
        if self.type == "bool":
            if not isinstance(value, bool):
                raise FieldValueError(f"{self.label} must be yes or no.")
            return value
        if not isinstance(value, str) or not value.strip():
            raise FieldValueError(f"{self.label} must be a text.")
        if self.type == "enum" and value not in self.values:
            raise FieldValueError(f"{self.label} must be {_or_words(self.values)}; got {value!r}.")
        return value.strip()

    def _range_words(self) -> str:
        if self.minimum is not None and self.maximum is not None:
            return f" from {self.minimum} to {self.maximum}"
        if self.minimum is not None:
            return f" of {self.minimum} or more"
        if self.maximum is not None:
            return f" of {self.maximum} or less"
        return ""

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "type": self.type,
            "label": self.label,
            "required": self.required,
            "values": list(self.values) if self.type == "enum" else None,
            "min": self.minimum,
            "max": self.maximum,
            "default": self.default.isoformat() if isinstance(self.default, date) else self.default,
            "default_from": self.default_from,
        }


def _or_words(words: tuple[str, ...]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


@dataclass(frozen=True)
class Requirement:
    """One item of the packet and the rules its documents must meet. ``None``/``False`` = rule not used.

    ``required`` is ``True``, ``False`` (optional: checked when present) or the name of a condition from
    :data:`KNOWN_CONDITIONS` under which it is required.
    """

    id: str
    title: str
    noun: str
    category: str
    required: bool | str
    help: str
    sources: tuple[Source, ...]
    confidences: Mapping[str, Confidence]
    severities: Mapping[str, Severity]
    how_to_add: str = ""
    issued_label: str = "issue date"
    needs: tuple[str, ...] = ()
    name_match: NameMatch | None = None
    must_be_valid_on_export: bool = False
    warn_valid_for_months: int | None = None
    max_age_days: int | None = None
    max_age_months: int | None = None
    not_before: date | None = None
    kinds: tuple[FileKind, ...] = cast("tuple[FileKind, ...]", _FILE_KINDS)
    max_file_bytes: int | None = None
    single_file: bool = False
    forbidden_name_chars: str = ""
    page_size_pt: tuple[float, float] | None = None
    page_size_tolerance_pt: float = 0.0
    pixel_size: tuple[int, int] | None = None
    min_dpi: int | None = None
    color_required: bool = False
    accepted_translator_kinds: tuple[str, ...] = ()
    translator_not_applicant: bool = False
    pages_at_least_original: bool = False
    dated_after_original: bool = False
    warn_needs: tuple[str, ...] = ()
    """Needed details whose absence is only a warning (RULES.md DIPLOMA_FIELDS: the diploma's issue date)."""
    no_digital_signature: bool = False
    invalidated_by_name_change: bool = False
    school_sends: bool = False
    """The school sends this credential to ECFMG itself: missing here, or untranslated, is information."""
    failed_step2cs_pathway: int | None = None
    current_is_latest: bool = False
    """Several documents may be kept; the one with the latest expiry is current, the others superseded."""
    fields: tuple[FieldSpec, ...] = ()
    rules: tuple[str, ...] = ()
    """RULES.md ids this requirement implements (``docs/rules.md`` is generated from them)."""

    def field(self, name: str) -> FieldSpec | None:
        """The declaration of one of this requirement's own fields, or ``None``."""
        return next((f for f in self.fields if f.name == name), None)

    def field_value(self, doc: object, name: str) -> FieldValue | None:
        """A field's value on ``doc``: what was set, else the field's default (``default_from`` first)."""
        spec = self.field(name)
        fields = getattr(doc, "fields", {})
        value = fields.get(name) if isinstance(fields, Mapping) else None
        if value is not None or spec is None:
            return cast("FieldValue | None", value)
        if spec.default_from is not None:
            fallback = getattr(doc, spec.default_from, None)
            if fallback is not None:
                return fallback  # type: ignore[no-any-return]
        return spec.default

    def parse_fields(self, assignments: Mapping[str, str]) -> dict[str, FieldValue | None]:
        """``FIELD=VALUE`` texts to typed values (``None`` clears); an unknown name or bad value raises
        :class:`FieldValueError` before anything is changed."""
        values: dict[str, FieldValue | None] = {}
        for name, text in assignments.items():
            spec = self.field(name)
            if spec is None:
                known = ", ".join(f.name for f in self.fields) or "none"
                raise FieldValueError(
                    f"A {self.noun} has no field {name!r}. Its fields: {known}."
                )
            values[name] = spec.parse(text)
        return values

    def check_fields(self, values: Mapping[str, object]) -> dict[str, FieldValue | None]:
        """Vet typed values (the window's editors give typed values; ``None`` clears)."""
        out: dict[str, FieldValue | None] = {}
        for name, value in values.items():
            spec = self.field(name)
            if spec is None:
                raise FieldValueError(f"A {self.noun} has no field {name!r}.")
            out[name] = None if value is None or value == "" else spec.check(value)
        return out

    @property
    def condition(self) -> str | None:
        """The condition name when the requirement is conditional, else ``None``."""
        return self.required if isinstance(self.required, str) else None

    def confidence(self, rule: str) -> Confidence:
        """The confidence of one rule key (``KeyError`` for a rule this requirement does not use)."""
        return self.confidences[rule]

    def severity(self, rule: str) -> Severity:
        """``error`` for a confirmed rule, ``warning`` otherwise (or when the catalog lowers it)."""
        return self.severities[rule]

    def sources_for(self, rule: str) -> tuple[Source, ...]:
        return tuple(s for s in self.sources if rule in s.covers)

    def rule_value(self, rule: str) -> object:
        """The parameter of one rule key as the catalog states it (``page_size_in`` in inches)."""
        if rule == "required":
            return f"when:{self.required}" if isinstance(self.required, str) else self.required
        if rule == "page_size_in":
            return (
                None if self.page_size_pt is None else tuple(v / _POINTS_PER_INCH for v in self.page_size_pt)
            )
        return getattr(self, rule)

    def to_json(self) -> dict[str, object]:
        """``requirements --json``: what the item is, when it is required, what it needs, and each rule's
        parameter, confidence and severity."""

        def plain(value: object) -> object:
            if isinstance(value, date):
                return value.isoformat()
            if isinstance(value, tuple):
                return [plain(v) for v in value]
            return value

        return {
            "id": self.id,
            "title": self.title,
            "category": self.category,
            "required": plain(self.rule_value("required")),
            "needs": list(self.needs),
            "fields": [f.to_json() for f in self.fields],
            "rule_ids": list(self.rules),
            "kinds": list(self.kinds),
            "help": self.help,
            "rules": {
                rule: {
                    "value": plain(self.rule_value(rule)),
                    "confidence": self.confidences[rule],
                    "severity": self.severities[rule],
                }
                for rule in self.confidences
            },
            "sources": [
                {
                    "title": s.title,
                    "url": s.url,
                    "confidence": s.confidence,
                    "covers": list(s.covers),
                    "note": s.note,
                }
                for s in self.sources
            ],
        }


@dataclass(frozen=True)
class Catalog:
    """The whole catalog of one cycle, in display order (categories, then requirements within them)."""

    cycle: int
    title: str
    disclaimer: str
    categories: tuple[tuple[str, str], ...]
    requirements: tuple[Requirement, ...]
    source_name: str = ""
    dates: Mapping[str, CycleDate] = field(default_factory=lambda: MappingProxyType({}))
    parameters: Mapping[str, Parameter] = field(default_factory=lambda: MappingProxyType({}))
    findings: Mapping[str, FindingRule] = field(default_factory=lambda: MappingProxyType({}))
    confirmations: tuple[Confirmation, ...] = ()
    rules_index: Mapping[str, RuleEntry] = field(default_factory=lambda: MappingProxyType({}))
    newest: bool = False
    """The latest cycle this build has: a Match year beyond it falls back to it (and a warning says so)."""
    _by_id: Mapping[str, Requirement] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", MappingProxyType({r.id: r for r in self.requirements}))

    def get(self, requirement_id: str) -> Requirement | None:
        return self._by_id.get(requirement_id)

    def __getitem__(self, requirement_id: str) -> Requirement:
        return self._by_id[requirement_id]

    def __contains__(self, requirement_id: object) -> bool:
        return requirement_id in self._by_id

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.requirements)

    def severity(self, code: str) -> Severity:
        """The default severity of a finding code (the catalog's findings table; an unlisted code is a bug)."""
        return self.findings[code].severity

    def parameter(self, key: str) -> ParameterValue:
        """A parameter's value, ``None`` when it is not published (or not in this catalog)."""
        found = self.parameters.get(key)
        return None if found is None else found.value

    def date(self, key: str) -> date | None:
        found = self.dates.get(key)
        return None if found is None else found.value

    def to_json(self) -> dict[str, object]:
        """``requirements --json``: the cycle, its dates and parameters, and every requirement."""
        return {
            "cycle": self.cycle,
            "dates": {
                key: {
                    "title": d.title,
                    "date": d.value.isoformat() if d.value else None,
                    "confidence": d.confidence,
                    "source": d.source,
                }
                for key, d in self.dates.items()
            },
            "parameters": {
                key: {
                    "title": p.title,
                    "value": p.value.isoformat() if isinstance(p.value, date) else p.value,
                    "confidence": p.confidence,
                    "source": p.source,
                }
                for key, p in self.parameters.items()
            },
            "requirements": [r.to_json() for r in self.requirements],
        }

    def category_title(self, category_id: str) -> str:
        return dict(self.categories)[category_id]

    def in_category(self, category_id: str) -> tuple[Requirement, ...]:
        return tuple(r for r in self.requirements if r.category == category_id)


def parse_catalog(text: str, source_name: str, *, base: str | None = None, base_name: str = "",
                  read_base: Callable[[str], tuple[str, str] | None] | None = None) -> Catalog:
    """Parse and check a catalog's TOML text; ``source_name`` (the file name) goes into every error.

    A cycle file (``ecfmg-2027.toml``) names its ``base`` (what every cycle shares: categories, requirements,
    findings, common parameters) and adds the cycle's dates and parameters; pass the base's text as ``base``, or
    ``read_base``, which is given the name the file gives and returns the base's text and file name (None: no
    such base), so that the cycle file is parsed once. The cycle's parameters override the base's of the same key.
    """
    parser = _Parser(source_name)
    data = parser.load(text)
    if base is None and read_base is not None and isinstance(data.get("base"), str):
        found = read_base(cast("str", data["base"]))
        if found is not None:
            base, base_name = found
    if base is not None and base_name:
        parser.source = f"{source_name} (with {base_name})"
    if base is not None:
        if "base" not in data:
            raise parser.fail("base", "a base was given but the cycle file names none")
        base_data = _Parser(base_name or "base").load(base)
        if base_data.get("schema_version") != data.get("schema_version"):
            raise parser.fail("schema_version", f"the base has {base_data.get('schema_version')!r}, this file "
                              f"{data.get('schema_version')!r}; both must be {SCHEMA_VERSION}")
        parameters: dict[str, object] = {
            **cast("dict[str, object]", base_data.get("parameters", {})),
            **cast("dict[str, object]", data.get("parameters", {})),
        }
        data = {**base_data, **{k: v for k, v in data.items() if k != "base"}, "parameters": parameters}
    elif "base" in data:
        raise parser.fail("base", f"this cycle file needs its base catalog {data['base']!r}")
    return parser.catalog(data)


def choose_cycle(available: Iterable[int], match_year: int | None, as_of: date) -> int:
    """The Match cycle to use: the profile's ``match_year`` when a catalog exists for it, else the Match year
    still ahead on ``as_of`` (the smallest Y with ``as_of`` <= 31 March of Y), clamped to the catalogs there
    are (DESIGN.md section 6)."""
    years = sorted(set(available))
    if not years:
        raise CatalogError("No requirement catalog is installed. Reinstall ECFMG Desk.")
    if match_year is not None and match_year in years:
        return match_year
    target = match_year if match_year is not None else ahead_match_year(as_of)
    if target > years[-1]:
        return years[-1]
    if target < years[0]:
        return years[0]
    return next(y for y in years if y >= target)


def ahead_match_year(as_of: date) -> int:
    """The Match year still ahead on ``as_of``: this year until 31 March, then next year's."""
    return as_of.year if as_of <= date(as_of.year, 3, 31) else as_of.year + 1


class _Parser:
    """Walks the TOML tree; every failure names the file and the dotted key that is wrong."""

    def __init__(self, source_name: str) -> None:
        self.source = source_name

    def fail(self, key: str, problem: str) -> CatalogError:
        return CatalogError(f"The requirement catalog {self.source} is invalid at {key}: {problem}")

    def load(self, text: str) -> dict[str, object]:
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise CatalogError(f"The requirement catalog {self.source} is not valid TOML: {exc}") from exc

    def catalog(self, data: dict[str, object]) -> Catalog:
        self.no_unknown_keys(data, _TOP_KEYS, "")
        version = data.get("schema_version")
        if version != SCHEMA_VERSION:
            raise self.fail("schema_version", f"expected {SCHEMA_VERSION}, found {version!r}")
        categories = self.categories(data.get("categories"))
        raw_requirements = data.get("requirements")
        if not isinstance(raw_requirements, list) or not raw_requirements:
            raise self.fail("requirements", "expected at least one [[requirements]] table")
        requirements: list[Requirement] = []
        seen: set[str] = set()
        order = [cid for cid, _ in categories]
        last_category = 0
        for index, raw in enumerate(raw_requirements):
            requirement = self.requirement(raw, f"requirements[{index}]", order)
            key = f"requirements[{index}] ({requirement.id})"
            if requirement.id in seen:
                raise self.fail(f"{key}.id", f"duplicate requirement id {requirement.id!r}")
            seen.add(requirement.id)
            position = order.index(requirement.category)
            if position < last_category:
                raise self.fail(
                    f"{key}.category", "requirements must be listed in the order of [[categories]]"
                )
            last_category = position
            requirements.append(requirement)
        cycle = data.get("cycle")
        if isinstance(cycle, bool) or not isinstance(cycle, int) or not 2000 <= cycle <= 2100:
            raise self.fail("cycle", "expected the Match year, e.g. 2027")
        findings = self.findings(data.get("findings"))
        return Catalog(
            cycle=cycle,
            title=self.text(data, "title", ""),
            disclaimer=self.text(data, "disclaimer", ""),
            categories=categories,
            requirements=tuple(requirements),
            source_name=self.source,
            dates=MappingProxyType(self.dates(data.get("dates"))),
            parameters=MappingProxyType(self.parameters(data.get("parameters", {}))),
            findings=MappingProxyType(findings),
            confirmations=(confirmations := self.confirmations(
                data.get("confirmations", []), {r.id for r in requirements})),
            rules_index=MappingProxyType(self.rules_index(
                data.get("rules_index", {}), requirements, findings, confirmations,
                set(cast("dict[str, object]", data.get("parameters", {}))),
            )),
        )

    # -- pieces -------------------------------------------------------------------------------------------

    def dates(self, raw: object) -> dict[str, CycleDate]:
        if not isinstance(raw, dict):
            raise self.fail("dates", "expected a [dates.<key>] table for each cycle date")
        result: dict[str, CycleDate] = {}
        for key in CYCLE_DATE_KEYS:
            if key not in raw:
                raise self.fail(f"dates.{key}", "missing (write value = \"unknown\" if not published)")
        for key, item in raw.items():
            where = f"dates.{key}"
            if key not in CYCLE_DATE_KEYS:
                raise self.fail(where, f"unknown date; known: {', '.join(CYCLE_DATE_KEYS)}")
            title, value, confidence, source, note = self.sourced_value(item, where)
            if value is not None and type(value) is not date:
                raise self.fail(f"{where}.value", 'expected a date such as 2027-03-19, or "unknown"')
            result[key] = CycleDate(key, title, value, confidence, source, note)
        return result

    def parameters(self, raw: object) -> dict[str, Parameter]:
        if not isinstance(raw, dict):
            raise self.fail("parameters", "expected [parameters.<key>] tables")
        result: dict[str, Parameter] = {}
        for key, item in raw.items():
            where = f"parameters.{key}"
            if not _FIELD_NAME.fullmatch(key):
                raise self.fail(where, "a parameter key is lowercase_with_underscores")
            title, value, confidence, source, note = self.sourced_value(item, where)
            result[key] = Parameter(key, title, value, confidence, source, note)  # type: ignore[arg-type]
        return result

    def sourced_value(self, item: object, where: str) -> tuple[str, object, Confidence, str, str]:
        if not isinstance(item, dict):
            raise self.fail(where, "expected a table with title, value, confidence and source")
        self.no_unknown_keys(item, _VALUE_KEYS, where)
        if "value" not in item:
            raise self.fail(f"{where}.value", 'missing (write "unknown" if not published)')
        value = item["value"]
        confidence = item.get("confidence")
        if confidence not in CONFIDENCE_MARKS:
            raise self.fail(f"{where}.confidence", f"expected one of {', '.join(CONFIDENCE_MARKS)}")
        if value == "unknown":
            value = None
            if confidence != "[?]":
                raise self.fail(f"{where}.confidence", 'an unknown value has confidence "[?]"')
        elif confidence == "[?]":
            raise self.fail(f"{where}.confidence", 'a value has a confidence better than "[?]"')
        note = self.text(item, "note", where) if "note" in item else ""
        title, source = self.text(item, "title", where), self.text(item, "source", where)
        return title, value, cast(Confidence, confidence), source, note

    def confirmations(self, raw: object, requirement_ids: set[str]) -> tuple[Confirmation, ...]:
        if not isinstance(raw, list):
            raise self.fail("confirmations", "expected [[confirmations]] tables")
        result: list[Confirmation] = []
        for index, item in enumerate(raw):
            key = f"confirmations[{index}]"
            if not isinstance(item, dict):
                raise self.fail(key, "expected a table")
            self.no_unknown_keys(item, _CONFIRMATION_KEYS, key)
            cid = self.identifier(item, key)
            if any(c.id == cid for c in result):
                raise self.fail(f"{key}.id", f"duplicate confirmation id {cid!r}")
            requirement = self.text(item, "requirement", key)
            known = tuple(sorted(requirement_ids | {"translation"}))
            if requirement not in known:
                raise self.fail(f"{key}.requirement", f"unknown requirement {requirement!r}")
            applies_to = self.string_list(item, "applies_to", key, allowed=known)
            when = item.get("when", "always")
            if when not in CONFIRMATION_WHEN:
                raise self.fail(f"{key}.when", f"expected one of {', '.join(CONFIRMATION_WHEN)}")
            confidence = item.get("confidence")
            if confidence not in CONFIDENCE_MARKS or confidence == "[?]":
                raise self.fail(f"{key}.confidence", "expected the rule's confidence mark ([C], [C-old], [T], [M])")
            warn_only = item.get("warn_only", False)
            if not isinstance(warn_only, bool):
                raise self.fail(f"{key}.warn_only", "expected true or false")
            result.append(
                Confirmation(
                    id=cid,
                    question=self.text(item, "question", key),
                    requirement=requirement,
                    applies_to=applies_to,
                    when=cast(str, when),
                    if_no=self.text(item, "if_no", key),
                    confidence=cast(Confidence, confidence),
                    source=self.text(item, "source", key),
                    rules=self.rule_ids(item, key),
                    warn_only=warn_only,
                )
            )
        return tuple(result)

    def rules_index(
        self,
        raw: object,
        requirements: list[Requirement],
        findings: Mapping[str, FindingRule],
        confirmations: tuple[Confirmation, ...],
        parameters: set[str],
    ) -> dict[str, RuleEntry]:
        if not isinstance(raw, dict):
            raise self.fail("rules_index", "expected [rules_index.<RULE_ID>] tables")
        by_id = {r.id: r for r in requirements}
        out: dict[str, RuleEntry] = {}
        for rule_id, item in raw.items():
            key = f"rules_index.{rule_id}"
            if not _RULE_ID.fullmatch(rule_id) or not isinstance(item, dict):
                raise self.fail(key, "expected a RULES.md id (UPPER_CASE) with a table")
            self.no_unknown_keys(item, _INDEX_KEYS, key)
            requirement = item.get("requirement")
            if requirement is not None and requirement not in by_id:
                raise self.fail(f"{key}.requirement", f"unknown requirement {requirement!r}")
            keys = self.string_list(item, "keys", key, allowed=tuple(
                by_id[requirement].confidences) if isinstance(requirement, str) else ())
            codes = self.string_list(item, "findings", key, allowed=tuple(findings))
            confirmation = item.get("confirmation")
            if confirmation is not None and confirmation not in {c.id for c in confirmations}:
                raise self.fail(f"{key}.confirmation", f"unknown confirmation {confirmation!r}")
            params = self.string_list(item, "parameters", key, allowed=tuple(sorted(parameters)))
            dates = self.string_list(item, "dates", key, allowed=CYCLE_DATE_KEYS)
            confidence = item.get("confidence")
            if confidence is not None and confidence not in CONFIDENCE_MARKS:
                raise self.fail(f"{key}.confidence", f"expected one of {', '.join(CONFIDENCE_MARKS)}")
            entry = RuleEntry(
                id=rule_id,
                requirement=cast("str | None", requirement),
                keys=keys,
                findings=codes,
                confirmation=cast("str | None", confirmation),
                parameters=params,
                dates=dates,
                how=self.text(item, "how", key) if "how" in item else "",
                why=self.text(item, "why", key) if "why" in item else "",
                confidence=cast("Confidence | None", confidence),
                source=self.text(item, "source", key) if "source" in item else "",
            )
            where = (entry.keys, entry.findings, entry.confirmation, entry.parameters, entry.dates, entry.how)
            if entry.why and any(where):
                raise self.fail(key, "a rule with why (not implemented) names no catalog entry")
            if not entry.why and not any(where):
                raise self.fail(key, "name where the rule is implemented, or why it is not")
            out[rule_id] = entry
        return out

    def findings(self, raw: object) -> dict[str, FindingRule]:
        if not isinstance(raw, dict) or not raw:
            raise self.fail("findings", "expected a [findings] table: code = { severity, rules }")
        result: dict[str, FindingRule] = {}
        for code, item in raw.items():
            where = f"findings.{code}"
            if not _ID.fullmatch(code):
                raise self.fail(where, "a finding code is lowercase-hyphenated")
            if not isinstance(item, dict):
                raise self.fail(where, "expected { severity = ..., rules = [...] }")
            self.no_unknown_keys(item, _FINDING_KEYS, where)
            severity = item.get("severity")
            if severity not in _SEVERITIES:
                raise self.fail(f"{where}.severity", "expected error, warning or info")
            if severity == "error" and code in ADVICE_FINDINGS:
                raise self.fail(f"{where}.severity", "this finding is advice, not a rule: expected warning or info")
            rules = self.rule_ids(item, where)
            note = self.text(item, "note", where) if "note" in item else ""
            result[code] = FindingRule(code, cast(Severity, severity), rules, note)
        return result

    def rule_ids(self, table: dict[str, object], where: str) -> tuple[str, ...]:
        raw = table.get("rules", [])
        if not isinstance(raw, list) or not all(
            isinstance(r, str) and (_RULE_ID.fullmatch(r) or r == "app check") for r in raw
        ):
            raise self.fail(f"{where}.rules", 'expected a list of RULES.md ids (UPPER_CASE) or "app check"')
        return tuple(raw)

    def fields(self, raw: object, key: str) -> tuple[FieldSpec, ...]:
        where = f"{key}.fields"
        if not isinstance(raw, list):
            raise self.fail(where, "expected [[requirements.fields]] tables")
        result: list[FieldSpec] = []
        for index, item in enumerate(raw):
            item_key = f"{where}[{index}]"
            if not isinstance(item, dict):
                raise self.fail(item_key, "expected a table")
            self.no_unknown_keys(item, _FIELD_KEYS, item_key)
            name = self.text(item, "name", item_key)
            if not _FIELD_NAME.fullmatch(name) or name in COMMON_FIELDS or name in NEED_FIELDS:
                raise self.fail(f"{item_key}.name", f"{name!r} is not a new lowercase_with_underscores name")
            if any(f.name == name for f in result):
                raise self.fail(f"{item_key}.name", f"field {name!r} is declared twice")
            kind = item.get("type")
            if kind not in FIELD_TYPES:
                raise self.fail(f"{item_key}.type", f"expected one of {', '.join(FIELD_TYPES)}")
            required = item.get("required", False)
            if not isinstance(required, bool):
                raise self.fail(f"{item_key}.required", "expected true or false")
            values: tuple[str, ...] = ()
            if kind == "enum":
                raw_values = item.get("values", [])
                allowed = tuple(v for v in raw_values if isinstance(v, str) and v) if isinstance(
                    raw_values, list) else ()
                values = self.string_list(item, "values", item_key, allowed=allowed)
                if not values:
                    raise self.fail(f"{item_key}.values", "an enum field needs its allowed values")
            elif "values" in item:
                raise self.fail(f"{item_key}.values", "only an enum field has values")
            bounds: dict[str, int] = {}
            for bound in ("min", "max"):
                if bound in item:
                    number = item[bound]
                    if kind != "int" or isinstance(number, bool) or not isinstance(number, int):
                        raise self.fail(f"{item_key}.{bound}", "only an int field has a whole-number bound")
                    bounds[bound] = number
            default_from = item.get("default_from")
            if default_from is not None and (kind != "date" or default_from not in ("issued", "expires")):
                raise self.fail(f"{item_key}.default_from", 'a date field may default to "issued" or "expires"')
            spec = FieldSpec(
                name=name,
                type=cast(FieldType, kind),
                label=self.text(item, "label", item_key),
                required=required,
                values=values,
                minimum=bounds.get("min"),
                maximum=bounds.get("max"),
                default_from=cast("str | None", default_from),
                help=self.text(item, "help", item_key) if "help" in item else "",
            )
            if "default" in item:
                try:
                    spec = replace(spec, default=spec.check(item["default"]))
                except FieldValueError as exc:
                    raise self.fail(f"{item_key}.default", exc.message) from None
            result.append(spec)
        return tuple(result)

    def categories(self, raw: object) -> tuple[tuple[str, str], ...]:
        if not isinstance(raw, list) or not raw:
            raise self.fail("categories", "expected at least one [[categories]] table")
        result: list[tuple[str, str]] = []
        for index, item in enumerate(raw):
            key = f"categories[{index}]"
            if not isinstance(item, dict):
                raise self.fail(key, "expected a table")
            self.no_unknown_keys(item, _CATEGORY_KEYS, key)
            cid = self.identifier(item, key)
            if any(cid == existing for existing, _ in result):
                raise self.fail(f"{key}.id", f"duplicate category id {cid!r}")
            result.append((cid, self.text(item, "title", key)))
        return tuple(result)

    def requirement(self, raw: object, key: str, categories: list[str]) -> Requirement:
        if not isinstance(raw, dict):
            raise self.fail(key, "expected a table")
        rid = self.identifier(raw, key)
        key = f"{key} ({rid})"
        self.no_unknown_keys(raw, _OTHER_REQUIREMENT_KEYS | set(RULE_KEYS), key)
        category = self.text(raw, "category", key)
        if category not in categories:
            raise self.fail(f"{key}.category", f"unknown category {category!r} (not in [[categories]])")
        title = self.text(raw, "title", key)
        values: dict[str, object] = {
            "id": rid,
            "title": title,
            "noun": self.text(raw, "noun", key) if "noun" in raw else title,
            "category": category,
            "required": self.required(raw, key),
            "help": self.text(raw, "help", key),
        }
        for optional in ("how_to_add", "issued_label"):
            if optional in raw:
                values[optional] = self.text(raw, optional, key)
        values.update(self.rules(raw, key))
        if "fields" in raw:
            values["fields"] = self.fields(raw["fields"], key)
        values["rules"] = self.rule_ids(raw, key)
        active = [name for name in RULE_KEYS if name in raw and raw[name] not in (False, [], "")]
        sources = self.sources(raw.get("sources"), key, present=set(raw) & set(RULE_KEYS))
        confidences: dict[str, Confidence] = {}
        for rule in active:
            marks = [s.confidence for s in sources if rule in s.covers]
            if not marks:
                raise self.fail(f"{key}.{rule}", "no source covers this rule (add it to a source's covers)")
            confidences[rule] = min(marks, key=CONFIDENCE_MARKS.index)
        warn_only = self.string_list(raw, "warn_only", key, allowed=tuple(active))
        severities: dict[str, Severity] = {
            rule: "error" if mark in BLOCKING_CONFIDENCE and rule not in warn_only else "warning"
            for rule, mark in confidences.items()
        }
        values["sources"] = sources
        values["confidences"] = MappingProxyType(confidences)
        values["severities"] = MappingProxyType(severities)
        return Requirement(**values)  # type: ignore[arg-type]

    def required(self, raw: dict[str, object], key: str) -> bool | str:
        value = raw.get("required")
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.startswith("when:"):
            condition = value.removeprefix("when:")
            if condition in KNOWN_CONDITIONS:
                return condition
            raise self.fail(
                f"{key}.required", f"unknown condition {condition!r}; known: {', '.join(KNOWN_CONDITIONS)}"
            )
        raise self.fail(f"{key}.required", 'expected true, false or "when:<condition>"')

    def rules(self, raw: dict[str, object], key: str) -> dict[str, object]:
        out: dict[str, object] = {}
        if "needs" in raw:
            out["needs"] = self.string_list(raw, "needs", key, allowed=NEED_FIELDS)
        if "name_match" in raw:
            value = raw["name_match"]
            if value not in get_args(NameMatch):
                raise self.fail(f"{key}.name_match", 'expected "exact" or "verified"')
            out["name_match"] = value
        if "warn_needs" in raw:
            out["warn_needs"] = self.string_list(
                raw, "warn_needs", key, allowed=tuple(out.get("needs", ()))  # type: ignore[arg-type]
            )
        for flag in (
            "no_digital_signature",
            "invalidated_by_name_change",
            "school_sends",
            "current_is_latest",
            "must_be_valid_on_export",
            "single_file",
            "color_required",
            "translator_not_applicant",
            "pages_at_least_original",
            "dated_after_original",
        ):
            if flag in raw:
                if not isinstance(raw[flag], bool):
                    raise self.fail(f"{key}.{flag}", "expected true or false")
                out[flag] = raw[flag]
        for number in (
            "warn_valid_for_months",
            "max_age_days",
            "max_age_months",
            "max_file_bytes",
            "min_dpi",
            "failed_step2cs_pathway",
        ):
            if number in raw:
                out[number] = self.positive_int(raw[number], f"{key}.{number}")
        if "max_age_days" in out and "max_age_months" in out:
            raise self.fail(f"{key}.max_age_months", "give max_age_days or max_age_months, not both")
        if "not_before" in raw:
            value = raw["not_before"]
            if type(value) is not date:
                raise self.fail(f"{key}.not_before", "expected a date such as 2024-01-01")
            out["not_before"] = value
        if "kinds" in raw:
            kinds = self.string_list(raw, "kinds", key, allowed=_FILE_KINDS)
            if not kinds:
                raise self.fail(f"{key}.kinds", "expected at least one file kind")
            out["kinds"] = kinds
        if "accepted_translator_kinds" in raw:
            out["accepted_translator_kinds"] = self.string_list(
                raw, "accepted_translator_kinds", key, allowed=_TRANSLATOR_KINDS
            )
        if "forbidden_name_chars" in raw:
            out["forbidden_name_chars"] = self.text(raw, "forbidden_name_chars", key)
        if "page_size_in" in raw:
            width, height = self.pair(raw["page_size_in"], f"{key}.page_size_in", integers=False)
            out["page_size_pt"] = (width * _POINTS_PER_INCH, height * _POINTS_PER_INCH)
        if "page_size_tolerance_pt" in raw:
            if "page_size_in" not in raw:
                raise self.fail(f"{key}.page_size_tolerance_pt", "only meaningful with page_size_in")
            value = raw["page_size_tolerance_pt"]
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise self.fail(f"{key}.page_size_tolerance_pt", "expected a number of points, 0 or more")
            out["page_size_tolerance_pt"] = float(value)
        if "pixel_size" in raw:
            px_w, px_h = self.pair(raw["pixel_size"], f"{key}.pixel_size", integers=True)
            out["pixel_size"] = (int(px_w), int(px_h))
        return out

    def sources(self, raw: object, key: str, present: set[str]) -> tuple[Source, ...]:
        key = f"{key}.sources"
        if not isinstance(raw, list) or not raw:
            raise self.fail(key, "expected at least one [[requirements.sources]] table")
        result: list[Source] = []
        for index, item in enumerate(raw):
            item_key = f"{key}[{index}]"
            if not isinstance(item, dict):
                raise self.fail(item_key, "expected a table")
            self.no_unknown_keys(item, _SOURCE_KEYS, item_key)
            confidence = item.get("confidence")
            if confidence not in CONFIDENCE_MARKS:
                raise self.fail(f"{item_key}.confidence", f"expected one of {', '.join(CONFIDENCE_MARKS)}")
            url = item.get("url", "")
            if not isinstance(url, str) or (url and not _URL.fullmatch(url)):
                raise self.fail(f"{item_key}.url", "expected an http(s) address or an empty string")
            covers = self.string_list(item, "covers", item_key, allowed=RULE_KEYS)
            for rule in covers:
                if rule not in present:
                    raise self.fail(f"{item_key}.covers", f"{rule!r} is not set in this requirement")
            note = self.text(item, "note", item_key) if "note" in item else ""
            result.append(
                Source(
                    title=self.text(item, "title", item_key),
                    url=url,
                    confidence=cast(Confidence, confidence),
                    covers=covers,
                    note=note,
                )
            )
        return tuple(result)

    # -- primitives ---------------------------------------------------------------------------------------

    def no_unknown_keys(self, table: dict[str, object], allowed: frozenset[str] | set[str], key: str) -> None:
        for name in table:
            if name not in allowed:
                where = f"{key}.{name}" if key else name
                raise self.fail(where, "unknown key")

    def text(self, table: dict[str, object], name: str, key: str) -> str:
        value = table.get(name)
        where = f"{key}.{name}" if key else name
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, "expected a non-empty string")
        return value.strip()

    def identifier(self, table: dict[str, object], key: str) -> str:
        value = self.text(table, "id", key)
        if not _ID.fullmatch(value):
            raise self.fail(f"{key}.id", f"{value!r} is not a lowercase-hyphenated id")
        return value

    def string_list(
        self, table: dict[str, object], name: str, key: str, allowed: tuple[str, ...]
    ) -> tuple[str, ...]:
        if name not in table:
            return ()
        value = table[name]
        where = f"{key}.{name}"
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(where, "expected a list of strings")
        for item in value:
            if item not in allowed:
                raise self.fail(where, f"{item!r} is not one of: {', '.join(allowed) or '(none)'}")
        if len(set(value)) != len(value):
            raise self.fail(where, "has a value twice")
        return tuple(value)

    def positive_int(self, value: object, where: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise self.fail(where, "expected a whole number above 0")
        return value

    def pair(self, value: object, where: str, *, integers: bool) -> tuple[float, float]:
        numbers: list[float] = []
        if isinstance(value, list):
            for item in value:
                if (
                    isinstance(item, bool)
                    or not isinstance(item, int if integers else int | float)
                    or item <= 0
                ):
                    break
                numbers.append(float(item))
        if len(numbers) != 2 or len(value) != 2:  # type: ignore[arg-type]
            what = "whole numbers" if integers else "numbers"
            raise self.fail(where, f"expected two positive {what} [width, height]")
        return numbers[0], numbers[1]
