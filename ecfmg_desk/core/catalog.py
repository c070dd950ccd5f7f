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
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Literal, cast, get_args

from ecfmg_desk.core.model import FileKind, Severity, TranslatorKind
from ecfmg_desk.errors import CatalogError

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
)
"""Keys that state a rule: each one present must be covered by a source, which gives it its confidence."""

_TEXT_KEYS = ("id", "title", "noun", "category", "help", "how_to_add", "issued_label")
_OTHER_REQUIREMENT_KEYS = frozenset({*_TEXT_KEYS, "sources", "warn_only", "page_size_tolerance_pt"})
_TOP_KEYS = frozenset({"schema_version", "cycle", "title", "disclaimer", "categories", "requirements"})
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

    cycle: str
    title: str
    disclaimer: str
    categories: tuple[tuple[str, str], ...]
    requirements: tuple[Requirement, ...]
    source_name: str = ""
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

    def category_title(self, category_id: str) -> str:
        return dict(self.categories)[category_id]

    def in_category(self, category_id: str) -> tuple[Requirement, ...]:
        return tuple(r for r in self.requirements if r.category == category_id)


def parse_catalog(text: str, source_name: str) -> Catalog:
    """Parse and check a catalog's TOML text; ``source_name`` (the file name) goes into every error."""
    return _Parser(source_name).catalog(text)


class _Parser:
    """Walks the TOML tree; every failure names the file and the dotted key that is wrong."""

    def __init__(self, source_name: str) -> None:
        self.source = source_name

    def fail(self, key: str, problem: str) -> CatalogError:
        return CatalogError(f"The requirement catalog {self.source} is invalid at {key}: {problem}")

    def catalog(self, text: str) -> Catalog:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise CatalogError(f"The requirement catalog {self.source} is not valid TOML: {exc}") from exc
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
        return Catalog(
            cycle=self.text(data, "cycle", ""),
            title=self.text(data, "title", ""),
            disclaimer=self.text(data, "disclaimer", ""),
            categories=categories,
            requirements=tuple(requirements),
            source_name=self.source,
        )

    # -- pieces -------------------------------------------------------------------------------------------

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
        for flag in (
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
