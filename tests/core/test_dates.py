"""Typed dates: ISO, words and the applicant's locale order are read; ambiguity and nonsense are said, not guessed."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecfmg_desk.core.dates import EARLIEST, LATEST, DateOrder, order_from_pattern, read_date

DAY, MONTH = DateOrder.DAY_FIRST, DateOrder.MONTH_FIRST
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@pytest.mark.parametrize(("text", "order", "expected"), [
    ("2022-07-15", None, date(2022, 7, 15)),
    ("2022-7-5", DAY, date(2022, 7, 5)),
    ("2022/07/15", MONTH, date(2022, 7, 15)),
    ("15/07/2022", DAY, date(2022, 7, 15)),
    ("15.07.2022", DAY, date(2022, 7, 15)),
    ("15-07-2022", None, date(2022, 7, 15)),   # 15 can only be a day
    ("07/15/2022", MONTH, date(2022, 7, 15)),
    ("07/15/2022", DAY, date(2022, 7, 15)),    # nor here: no month 15
    ("03/04/2022", DAY, date(2022, 4, 3)),
    ("03/04/2022", MONTH, date(2022, 3, 4)),
    ("05/05/2022", None, date(2022, 5, 5)),    # the same either way
    ("15 Jul 2022", None, date(2022, 7, 15)),  # what the field shows reads back
    ("15 July 2022", MONTH, date(2022, 7, 15)),
    ("15th July, 2022", None, date(2022, 7, 15)),
    ("July 15, 2022", DAY, date(2022, 7, 15)),
    ("Sept 3 2022", None, date(2022, 9, 3)),
    ("3-sep-2022", None, date(2022, 9, 3)),
    ("  15 / 07 / 2022 ", DAY, date(2022, 7, 15)),
])
def test_dates_that_are_read(text: str, order: DateOrder | None, expected: date) -> None:
    reading = read_date(text, order)
    assert reading.value == expected and reading.problem is None
    assert reading.words == f"{expected.day} {MONTHS[expected.month - 1]} {expected.year}"


def test_the_echo_is_in_words() -> None:
    assert read_date("15/07/2022", DAY).words == "15 Jul 2022"
    assert read_date("2022-01-05", None).words == "5 Jan 2022"


def test_a_date_two_ways_without_a_clear_locale_is_asked_not_guessed() -> None:
    reading = read_date("03/04/2022", None)
    assert reading.value is None
    assert reading.problem is not None
    assert "3 Apr 2022" in reading.problem and "4 Mar 2022" in reading.problem
    assert "2022-04-03" in reading.problem, "says how to type it unambiguously"


@pytest.mark.parametrize(("text", "says"), [
    ("31/02/2022", "February 2022 has 28 days"),
    ("2022-02-29", "February 2022 has 28 days"),
    ("2022-13-01", "there is no month 13"),
    ("32/13/2022", "is not a date"),
    ("00/05/2022", "is not a date"),
    ("15/07/22", "four digits"),
    ("yesterday", "is not a date this app can read"),
    ("15 Jul", "is not a date this app can read"),
    ("15 Juli 2022x", "is not a date this app can read"),
    ("15 Jux 2022", "is not a date this app can read"),
    ("1850-01-01", "too far in the past or the future"),
])
def test_invalid_dates_say_why(text: str, says: str) -> None:
    reading = read_date(text, DAY)
    assert reading.value is None and reading.problem is not None
    assert says in reading.problem
    assert "15/07/2022" in reading.problem or "Check the year" in reading.problem or "could be" in reading.problem, \
        "the example follows the applicant's order"


def test_examples_follow_the_locale_order() -> None:
    assert "07/15/2022" in (read_date("yesterday", MONTH).problem or "")
    assert "/" not in (read_date("yesterday", None).problem or "").split("Type it as")[1]


def test_empty_means_not_set() -> None:
    reading = read_date("   ", DAY)
    assert reading.empty and reading.ok and reading.value is None and reading.words == ""


@pytest.mark.parametrize(("pattern", "order"), [
    ("dd/MM/yyyy", DAY), ("d.M.yy", DAY), ("dd-MM-yyyy", DAY), ("d MMM yyyy", DAY),
    ("M/d/yy", MONTH), ("MM/dd/yyyy", MONTH),
    ("yyyy-MM-dd", None), ("yy/M/d", None), ("yyyy'年'M'月'd'日'", None), ("", None),
    ("d 'de' MMMM 'de' yyyy", DAY),  # quoted words do not count ('de' holds a d)
])
def test_order_from_a_locale_pattern(pattern: str, order: DateOrder | None) -> None:
    assert order_from_pattern(pattern) is order


@given(st.dates(min_value=EARLIEST, max_value=LATEST), st.sampled_from([DAY, MONTH, None]))
def test_every_date_reads_back_from_its_words_and_iso(value: date, order: DateOrder | None) -> None:
    words = read_date(value.isoformat(), order).words
    assert read_date(words, order).value == value
    assert read_date(value.isoformat(), order).value == value


@given(st.dates(min_value=EARLIEST, max_value=LATEST), st.sampled_from([DAY, MONTH]))
def test_numbers_in_the_locale_order_read_back(value: date, order: DateOrder) -> None:
    first, second = (value.day, value.month) if order is DAY else (value.month, value.day)
    assert read_date(f"{first:02d}/{second:02d}/{value.year}", order).value == value
