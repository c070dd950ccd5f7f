"""Language codes to the English names messages use."""

from __future__ import annotations

import pytest

from ecfmg_desk.core.languages import LANGUAGES, base_code, is_english, is_known_language, language_name


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("es", "Spanish"),
        ("pt", "Portuguese"),
        ("fr", "French"),
        ("ar", "Arabic"),
        ("ru", "Russian"),
        ("zh", "Chinese"),
        ("hi", "Hindi"),
        ("ur", "Urdu"),
        ("fa", "Persian"),
        ("tr", "Turkish"),
        ("ES", "Spanish"),
        (" pt_BR ", "Portuguese"),
        ("zh-Hant", "Chinese"),
    ],
)
def test_language_names(code: str, name: str) -> None:
    assert language_name(code) == name
    assert is_known_language(code)


def test_unknown_code_is_shown_as_given() -> None:
    assert language_name("xx") == "XX"
    assert not is_known_language("xx")


def test_english_variants() -> None:
    assert all(is_english(code) for code in ("en", "EN", "en-US", "en_GB"))
    assert not is_english("es")
    assert base_code("en-US") == "en"


def test_codes_are_two_lowercase_letters() -> None:
    assert all(len(code) == 2 and code.isascii() and code.islower() for code in LANGUAGES)
    assert len(set(LANGUAGES.values())) == len(LANGUAGES)
