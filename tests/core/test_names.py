"""Name matching: examples of each difference ECFMG names, and properties that must hold for any name."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecfmg_desk.core.names import (
    compare_names,
    fold_case,
    names_match_exact,
    normalize_name,
    strip_accents,
)

RECORD = "Maria Jose Garcia Lopez"


@pytest.mark.parametrize(
    ("record", "printed", "family", "kinds", "words"),
    [
        (
            RECORD,
            "M. J. Garcia",
            "Garcia Lopez",
            {"initials", "missing"},
            ["“M.” for “Maria”", "leaves out “Lopez”"],
        ),
        (RECORD, "M.J. Garcia Lopez", None, {"initials"}, ["“J.” for “Jose”"]),
        (RECORD, "Garcia Lopez Maria Jose", "Garcia Lopez", {"order"}, ["different order"]),
        ("Mary Jones", "Mary Smith", None, {"surname"}, ["“Smith” instead of “Jones”", "married"]),
        (
            RECORD,
            "Maria Jose Perez",
            "Garcia Lopez",
            {"surname"},
            ["“Perez” instead of “Garcia” and “Lopez”"],
        ),
        ("Ana Lopez", "Ana Sofia Lopez", None, {"added"}, ["adds “Sofia”"]),
        ("Ana Garcia-Lopez", "Ana Garcia Lopez", None, {"hyphens"}, ["drops the hyphen in “Garcia-Lopez”"]),
        ("Ana Garcia Lopez", "Ana Garcia-Lopez", None, {"hyphens"}, ["adds a hyphen in “Garcia-Lopez”"]),
        ("Mary Ann Jones", "Maryann Jones", None, {"spacing"}, ["“Maryann” for “Mary Ann”"]),
        ("Maryann Jones", "Mary Ann Jones", None, {"spacing"}, ["“Mary Ann” for “Maryann”"]),
        ("Bob Bob Bob", "B. B. Bob", "Bob", {"initials"}, ["“B.” for “Bob”"]),
        ("José Pérez", "Jose Perez", None, {"accents"}, ["“Jose” for “José”", "“Perez” for “Pérez”"]),
        ("Łukasz Nowak", "Lukasz Nowak", None, {"accents"}, ["“Lukasz” for “Łukasz”"]),
        (
            "Mohammad Khan",
            "Muhammad Khan",
            None,
            {"spelling"},
            ["transliteration", "“Muhammad” for “Mohammad”"],
        ),
        ("Sergey Ivanov", "Sergei Ivanov", None, {"spelling"}, ["“Sergei” for “Sergey”"]),
        ("Sean O'Brien", "Sean OBrien", None, {"punctuation"}, ["“OBrien” for “O'Brien”"]),
        ("M. Smith", "Mary Smith", None, {"initials"}, ["spells out", "“Mary” for “M.”"]),
        ("José Jose", "Jose Jose", None, {"accents"}, ["“Jose” for “José”"]),
    ],
)
def test_differences_are_classified_and_explained(
    record: str, printed: str, family: str | None, kinds: set[str], words: list[str]
) -> None:
    comparison = compare_names(record, printed, record_family=family)
    assert comparison.kinds == kinds
    assert not comparison.same
    for word in words:
        assert word in comparison.explanation


def test_explanation_is_one_sentence() -> None:
    comparison = compare_names(RECORD, "M. J. Garcia", record_family="Garcia Lopez")
    assert comparison.explanation == (
        "It uses initials or short forms instead of full names (“M.” for “Maria”, “J.” for “Jose”) "
        "and leaves out “Lopez”."
    )


def test_passport_match_allows_only_case_and_spacing() -> None:
    assert names_match_exact(RECORD, "  MARIA  JOSE GARCIA\tLOPEZ ")
    assert not names_match_exact(RECORD, "Maria José Garcia Lopez")
    assert not names_match_exact(RECORD, "Maria Jose Garcia-Lopez")
    assert not names_match_exact("Mary Ann Jones", "Maryann Jones")
    assert normalize_name(" ŞEYMA  IŞIK ") == normalize_name("şeyma ışık")


def test_same_person_only_for_differences_in_writing() -> None:
    assert compare_names(RECORD, "MARÍA JOSÉ GARCÍA LÓPEZ").likely_same_person
    assert compare_names(RECORD, "Garcia Lopez, Maria Jose").likely_same_person
    assert not compare_names("Maria Garcia", "Mario Garcia").likely_same_person
    assert not compare_names(RECORD, "M. J. Garcia").likely_same_person


def test_strip_accents() -> None:
    assert strip_accents("José Łukasz Øberg Straße") == "Jose Lukasz Oberg Strasse"


# -- properties ------------------------------------------------------------------------------------------

LETTERS = "abcdefghijklmnopqrstuvwxyzáéíóúñçãõüöäåøłışğčšžćđ"
word = st.text(alphabet=LETTERS + LETTERS.upper(), min_size=1, max_size=9)
names = st.lists(word, min_size=1, max_size=5).map(" ".join)
any_text = st.text(max_size=40)
spaces = st.lists(st.sampled_from([" ", "  ", "\t", "\u00a0"]), min_size=1, max_size=6)


@settings(deadline=None)
@given(any_text)
def test_a_name_always_matches_itself(name: str) -> None:
    comparison = compare_names(name, name)
    assert comparison.same
    assert comparison.explanation == ""


@settings(deadline=None)
@given(names, spaces)
def test_case_and_spacing_never_matter(name: str, gaps: list[str]) -> None:
    words = name.split()
    respaced = gaps[0] + "".join(w + gaps[i % len(gaps)] for i, w in enumerate(words))
    for variant in (name.upper(), name.lower(), name.title(), respaced):
        assert names_match_exact(name, variant)
        assert compare_names(name, variant).same


@settings(deadline=None)
@given(any_text)
def test_fold_case_is_stable_under_upper_and_lower(text: str) -> None:
    assert fold_case(fold_case(text)) == fold_case(text)
    assert normalize_name(text.upper()) == normalize_name(text.upper().lower().upper())


@settings(deadline=None)
@given(any_text, any_text)
def test_sameness_is_symmetric_and_always_explained(first: str, second: str) -> None:
    forward, backward = compare_names(first, second), compare_names(second, first)
    assert forward.same == backward.same == names_match_exact(first, second)
    if not forward.same:
        assert forward.differences and forward.explanation.startswith("It ")


@settings(deadline=None)
@given(names)
def test_removing_accents_is_only_an_accent_difference(name: str) -> None:
    comparison = compare_names(name, strip_accents(name))
    assert comparison.kinds <= {"accents"}
    assert comparison.likely_same_person


@settings(deadline=None)
@given(st.lists(word, min_size=2, max_size=4, unique_by=lambda w: strip_accents(w).lower()))
def test_reversing_distinct_names_is_an_order_difference(words: list[str]) -> None:
    comparison = compare_names(" ".join(words), " ".join(reversed(words)))
    assert comparison.kinds == {"order"}


@settings(deadline=None)
@given(
    st.lists(st.text(alphabet="bcdfghjklmnprstvz", min_size=3, max_size=8), min_size=2, max_size=4),
    st.text(alphabet="bcdfghjklmnprstvz", min_size=3, max_size=8),
)
def test_initials_for_given_names_are_only_an_initials_difference(
    given_names: list[str], family: str
) -> None:
    record = " ".join([*given_names, family])
    printed = " ".join([*(f"{g[0].upper()}." for g in given_names), family])
    comparison = compare_names(record, printed, record_family=family)
    assert comparison.kinds == {"initials"}
    assert not comparison.likely_same_person


@settings(deadline=None)
@given(st.lists(word, min_size=2, max_size=4))
def test_hyphenating_two_names_is_only_a_hyphen_difference(words: list[str]) -> None:
    record = " ".join(words)
    printed = " ".join([*words[:-2], f"{words[-2]}-{words[-1]}"])
    assert compare_names(record, printed).kinds == {"hyphens"}
