"""Cycles: one base plus per-cycle dates and parameters, and which cycle an applicant is in."""

from __future__ import annotations

from datetime import date

import pytest

from ecfmg_desk.core.catalog import CYCLE_DATE_KEYS, choose_cycle, parse_catalog
from ecfmg_desk.errors import CatalogError
from ecfmg_desk.resources import available_cycles, load_catalog, resource_path
from tests.core.conftest import cycle_text

CYCLES = (2026, 2027, 2028)


def test_three_cycles_share_one_base() -> None:
    assert available_cycles() == CYCLES
    catalogs = [load_catalog(year) for year in CYCLES]
    assert [c.cycle for c in catalogs] == list(CYCLES)
    assert len({c.ids for c in catalogs}) == 1  # the requirements are the base's, not three copies
    assert all(c.findings == catalogs[0].findings for c in catalogs)


@pytest.mark.parametrize("year", CYCLES)
def test_every_cycle_date_has_a_source_and_unknown_is_unknown(year: int) -> None:
    catalog = load_catalog(year)
    assert tuple(catalog.dates) == CYCLE_DATE_KEYS
    for key, cycle_date in catalog.dates.items():
        assert cycle_date.key == key and cycle_date.title and cycle_date.source
        assert (cycle_date.value is None) == (cycle_date.confidence == "[?]"), key
        assert "[" not in cycle_date.source  # shown to applicants: confidence goes in words, not codes
    assert catalog.dates["residency_start"].value == date(year, 7, 1)


@pytest.mark.rule("ERAS_CALENDAR")
def test_published_dates_are_the_rules_md_ones() -> None:
    c2026, c2027, c2028 = (load_catalog(y) for y in CYCLES)
    assert c2026.date("pathways_open") == date(2025, 8, 19) and c2026.dates["pathways_open"].confidence == "[C]"
    assert c2026.date("eras_opens") == date(2025, 6, 4)
    assert c2026.date("pathways_close") is None  # not found [?]
    assert c2026.dates["oet_test_date_from"].value == date(2024, 1, 1)
    assert c2026.dates["oet_test_date_from"].confidence == "[M]"
    assert c2027.date("match_day") == date(2027, 3, 19)  # third Friday; 20 March is a Saturday
    assert (c2027.date("eras_opens"), c2027.dates["eras_opens"].confidence) == (date(2026, 6, 3), "[T]")
    assert c2027.date("oet_test_date_from") is None and c2027.date("pathways_close") is None
    assert c2028.date("eras_opens") is None
    assert c2027.parameter("max_attempts") == 4 and c2027.parameters["max_attempts"].confidence == "[C]"
    assert c2027.parameter("p345_min_grad_date") is None and c2027.parameter("p1_license_from") is None


@pytest.mark.parametrize(
    ("match_year", "as_of", "expected"),
    [
        (None, date(2026, 3, 31), 2026),  # the 2026 Match is still ahead on its last March day
        (None, date(2026, 4, 1), 2027),
        (None, date(2026, 12, 1), 2027),
        (None, date(2027, 3, 31), 2027),
        (None, date(2027, 4, 1), 2028),
        (None, date(2028, 4, 1), 2028),  # no 2029 catalog: the latest one
        (None, date(2024, 5, 1), 2026),
        (2028, date(2026, 12, 1), 2028),
        (2026, date(2026, 12, 1), 2026),  # an applicant may look back at a past cycle
        (2031, date(2026, 12, 1), 2028),
    ],
)
def test_choose_cycle(match_year: int | None, as_of: date, expected: int) -> None:
    assert choose_cycle(CYCLES, match_year, as_of) == expected


@pytest.mark.rule("DIPLOMA_IS_COPY", "SCHOOL_ENGLISH_CERT_NOT_TRANSLATION")
def test_reminders_the_app_cannot_check_are_in_the_help() -> None:
    catalog = load_catalog(2027)
    assert "never send the original" in catalog["medical-diploma"].how_to_add
    assert "not a word-for-word version" in catalog["translation"].help.replace("\n", " ")


def test_at_least_45_rules_are_implemented_and_the_rest_say_why() -> None:
    index = load_catalog(2027).rules_index
    implemented = [e for e in index.values() if e.implemented]
    assert len(implemented) >= 45
    assert all(e.why for e in index.values() if not e.implemented)


def test_the_base_is_read_by_the_name_the_cycle_file_gives() -> None:
    asked: list[str] = []
    base_text = resource_path("requirements", "ecfmg-base.toml").read_text(encoding="utf-8")

    def read_base(name: str) -> tuple[str, str] | None:
        asked.append(name)
        return base_text, name

    catalog = parse_catalog(cycle_text(2027), "ecfmg-2027.toml", read_base=read_base)
    assert asked == ["ecfmg-base.toml"]
    assert catalog.ids == load_catalog(2027).ids and catalog.cycle == 2027


def test_a_base_that_cannot_be_found_is_named_in_the_error() -> None:
    with pytest.raises(CatalogError, match=r"ecfmg-2027\.toml.*needs its base catalog 'ecfmg-base\.toml'"):
        parse_catalog(cycle_text(2027), "ecfmg-2027.toml", read_base=lambda _name: None)
