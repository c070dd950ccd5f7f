"""The shipped catalog's content, and the schema check that guards it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from ecfmg_desk import resources
from ecfmg_desk.core.catalog import (
    BLOCKING_CONFIDENCE,
    CONFIDENCE_MARKS,
    CYCLE_DATE_KEYS,
    RULE_KEYS,
    Catalog,
    parse_catalog,
)
from ecfmg_desk.errors import CatalogError
from tests.core.conftest import cycle_text, parse_with_base

SCRIPT_IDS = (
    "passport",
    "photo",
    "identity-form",
    "name-change",
    "name-verification",
    "medical-diploma",
    "final-transcript",
    "transfer-transcript",
    "translation",
    "usmle-step1",
    "usmle-step2ck",
    "usmle-step2cs",
    "oet-medicine",
    "pathway-evidence",
    "clinical-experience",
    "mspe",
    "recommendation-letter",
    "eras-photo",
)


def test_requirement_ids_and_order(catalog: Catalog) -> None:
    assert catalog.ids == SCRIPT_IDS


def test_categories_in_order(catalog: Catalog) -> None:
    assert catalog.categories == (
        ("identity", "Identity"),
        ("medical-education", "Medical education"),
        ("translations", "Translations"),
        ("exams", "Exams and English"),
        ("clinical-experience", "Clinical experience · ERAS"),
    )
    assert [r.id for r in catalog.in_category("exams")] == [
        "usmle-step1",
        "usmle-step2ck",
        "usmle-step2cs",
        "oet-medicine",
        "pathway-evidence",
    ]
    assert catalog.category_title("translations") == "Translations"


def test_required_conditions(catalog: Catalog) -> None:
    assert {r.id: r.required for r in catalog.requirements} == {
        "passport": True,
        "photo": True,
        "identity-form": True,
        "name-change": "passport_name_differs",
        "name-verification": "name_differs",
        "medical-diploma": True,
        "final-transcript": True,
        "transfer-transcript": "transferred_credits",
        "translation": "non_english_documents",
        "usmle-step1": True,
        "usmle-step2ck": True,
        "usmle-step2cs": "step2cs_route",
        "oet-medicine": "pathway_route",
        "pathway-evidence": "pathway_route",
        "clinical-experience": False,
        "mspe": False,
        "recommendation-letter": False,
        "eras-photo": False,
    }
    assert catalog["transfer-transcript"].condition == "transferred_credits"
    assert catalog["passport"].condition is None


def test_disclaimer_says_not_legal_advice_and_the_booklet_decides(catalog: Catalog) -> None:
    assert catalog.cycle == 2026
    assert "not legal advice" in catalog.disclaimer
    assert "Information Booklet" in catalog.disclaimer


def test_only_confirmed_rules_can_be_errors(catalog: Catalog) -> None:
    seen = set()
    for requirement in catalog.requirements:
        for rule, mark in requirement.confidences.items():
            severity = requirement.severity(rule)
            seen.add((mark, severity))
            if mark not in BLOCKING_CONFIDENCE:
                assert severity == "warning", (requirement.id, rule, mark)
    assert ("[C]", "error") in seen and ("[M]", "warning") in seen and ("[T]", "warning") in seen


def test_every_rule_is_backed_by_a_source(catalog: Catalog) -> None:
    for requirement in catalog.requirements:
        assert requirement.help and requirement.noun and requirement.sources
        for rule in requirement.confidences:
            assert requirement.sources_for(rule), (requirement.id, rule)
        for source in requirement.sources:
            assert source.confidence in CONFIDENCE_MARKS
            assert source.url == "" or source.url.startswith("https://")


def test_numbers_come_from_the_catalog(catalog: Catalog) -> None:
    passport = catalog["passport"]
    assert (passport.warn_valid_for_months, passport.min_dpi, passport.name_match) == (6, 200, "exact")
    assert passport.confidence("must_be_valid_on_export") == "[C]"
    assert passport.confidence("warn_valid_for_months") == "[M]"
    assert catalog["photo"].max_age_months == 6
    assert catalog["identity-form"].max_age_days == 365
    assert catalog["identity-form"].confidence("max_age_days") == "[C-old]"
    letter = catalog["recommendation-letter"]
    assert (letter.kinds, letter.max_file_bytes, letter.page_size_pt) == (("pdf",), 1_048_576, (612.0, 792.0))
    assert catalog["eras-photo"].severity("max_file_bytes") == "warning"
    assert catalog["translation"].accepted_translator_kinds == ("government", "school", "professional")


def test_lookups(catalog: Catalog) -> None:
    assert catalog.get("passport") is catalog["passport"]
    assert catalog.get("personal-statement") is None
    assert "photo" in catalog and "personal-statement" not in catalog
    with pytest.raises(KeyError):
        catalog["personal-statement"]


def test_requirements_serialise_to_json(catalog: Catalog) -> None:
    data = json.loads(json.dumps([r.to_json() for r in catalog.requirements]))
    oet = next(r for r in data if r["id"] == "oet-medicine")
    assert oet["required"] == "when:pathway_route"
    assert "not_before" not in oet["rules"]  # the OET window is a cycle date now (out-of-window)
    assert [f["name"] for f in oet["fields"]] == ["listening", "reading", "speaking", "writing", "test_date"]
    assert oet["fields"][0] == {
        "name": "listening", "type": "int", "label": "Listening", "required": True, "values": None,
        "min": 0, "max": 500, "default": None, "default_from": None,
    }
    letter = next(r for r in data if r["id"] == "recommendation-letter")
    assert letter["rules"]["page_size_in"]["value"] == [8.5, 11.0]


# -- schema errors ---------------------------------------------------------------------------------------

Edit = Callable[[str], str]


def swap(old: str, new: str, count: int = 1) -> Edit:
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, count)

    return edit


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (
            swap("max_age_days = 365", 'max_age_days = "a year"'),
            "requirements[2] (identity-form).max_age_days",
        ),
        (swap("max_age_days = 365", "max_age_days = 0"), "requirements[2] (identity-form).max_age_days"),
        (swap("min_dpi = 200", "min_dpi = true"), "requirements[0] (passport).min_dpi"),
        (
            swap('confidence = "[C]"\ncovers = ["required", "needs", "must',
                 'confidence = "C"\ncovers = ["required", "needs", "must'),
            "requirements[0] (passport).sources[0].confidence",
        ),
        (swap('value = 4\nconfidence = "[C]"', 'value = 4\nconfidence = "C"'), "parameters.max_attempts.confidence"),
        (swap('id = "school-listed"', 'id = "School listed"'), "confirmations[0].id"),
        (swap('\nwhen = "self-translation"', '\nwhen = "sometimes"'), "confirmations[6].when"),
        (
            swap('required = "when:transferred_credits"', 'required = "when:married"'),
            "requirements[7] (transfer-transcript).required",
        ),
        (
            swap('required = "when:transferred_credits"', 'required = "yes"'),
            "requirements[7] (transfer-transcript).required",
        ),
        (swap('id = "photo"', 'id = "passport"'), "requirements[1] (passport).id"),
        (swap('id = "photo"', 'id = "Photo_1"'), "requirements[1].id"),
        (swap('category = "identity"', 'category = "identities"'), "requirements[0] (passport).category"),
        (
            swap("max_age_months = 6", "max_age_months = 6\nmax_age_weeks = 26"),
            "requirements[1] (photo).max_age_weeks",
        ),
        (swap('needs = ["issued"]', 'needs = ["taken"]'), "requirements[1] (photo).needs"),
        (swap('kinds = ["pdf"]', 'kinds = ["docx"]'), "requirements[16] (recommendation-letter).kinds"),
        (
            swap("page_size_in = [8.5, 11.0]", "page_size_in = [8.5]"),
            "requirements[16] (recommendation-letter).page_size_in",
        ),
        (
            swap('id = "oet-medicine"', 'id = "oet-medicine"\nnot_before = "2024"'),
            "requirements[12] (oet-medicine).not_before",
        ),
        (swap('values = ["pass", "fail"]', 'values = []'), "requirements[9] (usmle-step1).fields[0].values"),
        (swap('type = "int"', 'type = "number"'), "requirements[9] (usmle-step1).fields[2].type"),
        (swap('name = "result"', 'name = "issued"'), "requirements[9] (usmle-step1).fields[0].name"),
        (swap('default = "created"', 'default = "lost"'), "requirements[2] (identity-form).fields[0].default"),
        (swap('future-date = { severity = "error"', 'future-date = { severity = "fatal"'),
         "findings.future-date.severity"),
        (swap('no-letter = { severity = "info"', 'no-letter = { severity = "error"'),  # advice never blocks
         "findings.no-letter.severity"),
        (
            swap('covers = ["warn_valid_for_months"]', "covers = []"),
            "requirements[0] (passport).warn_valid_for_months",
        ),
        (
            swap('covers = ["warn_valid_for_months"]', 'covers = ["warn_valid_for_months", "max_age_days"]'),
            "requirements[0] (passport).sources[2].covers",
        ),
        (
            swap('warn_only = ["color_required"]', 'warn_only = ["min_age"]'),
            "requirements[0] (passport).warn_only",
        ),
        (
            swap('url = "https://www.ecfmg.org/2026ib/name.html"', 'url = "ecfmg.org/2026ib"'),
            "requirements[0] (passport).sources[1].url",
        ),
        (swap('title = "Passport"\n', ""), "requirements[0] (passport).title"),
        (swap('title = "Exams and English"', 'title = ""'), "categories[3].title"),
        (swap("schema_version = 1", "schema_version = 2"), "schema_version"),
        (swap("schema_version = 1", "schema_version = 1\nseason = 2027"), "season"),
        (
            swap(
                'category = "identity"\nrequired = true\nrules = ["PASSPORT_NOT_EXPIRED"',
                'category = "exams"\nrequired = true\nrules = ["PASSPORT_NOT_EXPIRED"',
            ),
            "requirements[1] (photo).category",
        ),
    ],
)
def test_schema_errors_name_the_file_and_the_key(catalog_text: str, edit: Edit, key: str) -> None:
    with pytest.raises(CatalogError) as caught:
        parse_with_base(edit(catalog_text))
    assert "ecfmg-2026.toml" in caught.value.message and "ecfmg-base.toml" in caught.value.message
    assert f" at {key}:" in caught.value.message


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (swap("value = 2025-06-04", 'value = "June"'), "dates.eras_opens.value"),
        (swap('value = 2024-01-01\nconfidence = "[M]"', 'value = "unknown"\nconfidence = "[M]"'),
         "dates.oet_test_date_from.confidence"),
        (swap("[dates.match_day]", "[dates.match_night]"), "dates.match_day"),
        (swap("cycle = 2026", 'cycle = "2026"'), "cycle"),
        (swap('value = "unknown"\nconfidence = "[?]"', 'value = 2026-03-04\nconfidence = "[?]"'),
         "dates.lor_upload_by.confidence"),
    ],
)
def test_cycle_file_errors_name_the_key(catalog_text: str, edit: Edit, key: str) -> None:
    with pytest.raises(CatalogError) as caught:
        parse_with_base(catalog_text, cycle_override=edit(cycle_text(2026)))
    assert f" at {key}:" in caught.value.message


def test_toml_syntax_error_names_the_file(catalog_text: str) -> None:
    with pytest.raises(CatalogError, match=r"ecfmg-base\.toml is not valid TOML"):
        parse_with_base(catalog_text.replace("min_dpi = 200", "min_dpi = ", 1))


def test_minimal_catalog_parses() -> None:
    text = """
schema_version = 1
cycle = 2027
title = "Test"
disclaimer = "Not legal advice; the Information Booklet decides."
[[categories]]
id = "identity"
title = "Identity"
[[requirements]]
id = "passport"
title = "Passport"
category = "identity"
required = true
help = "Your passport."
[[requirements.sources]]
title = "Account"
url = "https://www.ecfmg.org/online-services/account-establishment.html"
confidence = "[C-old]"
covers = ["required"]
[findings]
missing = { severity = "error" }
""" + "".join(
        f'[dates.{key}]\ntitle = "{key}"\nvalue = "unknown"\nconfidence = "[?]"\nsource = "nowhere yet"\n'
        for key in CYCLE_DATE_KEYS
    )
    catalog = parse_catalog(text, "mini.toml")
    passport = catalog["passport"]
    assert passport.noun == "Passport"
    assert passport.severity("required") == "error"
    assert passport.kinds == ("pdf", "jpeg", "png", "tiff")
    assert passport.needs == () and passport.name_match is None
    assert catalog.cycle == 2027 and catalog.dates["rol_deadline"].value is None


def test_every_rule_key_is_known_to_the_requirement() -> None:
    from ecfmg_desk.core.catalog import Requirement

    fields = set(Requirement.__dataclass_fields__) | {"page_size_in"}
    assert set(RULE_KEYS) <= fields


def test_missing_catalog_file_is_a_catalog_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(resources, "resource_path", lambda *parts: tmp_path.joinpath(*parts))
    with pytest.raises(CatalogError, match="missing") as caught:
        resources.load_catalog(2026)
    assert "ecfmg-2026.toml" in caught.value.message
    with pytest.raises(CatalogError, match="missing"):
        resources.catalog_for(None, date(2026, 12, 1))


def test_missing_base_file_is_a_catalog_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "ecfmg-2027.toml").write_text(cycle_text(2027), encoding="utf-8")
    monkeypatch.setattr(resources, "resource_path", lambda *parts: tmp_path.joinpath(*parts))
    with pytest.raises(CatalogError, match=r"missing: .*ecfmg-base\.toml"):
        resources.load_catalog(2027)


def test_broken_catalog_file_names_the_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "ecfmg-2026.toml").write_text("schema_version = 1\n", encoding="utf-8")
    monkeypatch.setattr(resources, "resource_path", lambda *parts: tmp_path.joinpath(*parts))
    with pytest.raises(CatalogError, match=r"ecfmg-2026\.toml is invalid at categories"):
        resources.load_catalog(2026)


def test_every_catalog_condition_has_words_for_the_applicant() -> None:
    from ecfmg_desk.core.catalog import KNOWN_CONDITIONS
    from ecfmg_desk.core.rules import CONDITION_WORDS, CONDITIONS

    assert set(CONDITION_WORDS) == set(KNOWN_CONDITIONS) == set(CONDITIONS)


def test_every_field_a_requirement_can_need_is_one_the_vault_stores() -> None:
    """A catalog rule on a field the vault cannot hold could never be satisfied."""
    from ecfmg_desk.core.catalog import NEED_FIELDS
    from ecfmg_desk.vault.store import DOCUMENT_FIELDS

    assert set(NEED_FIELDS) <= set(DOCUMENT_FIELDS)
