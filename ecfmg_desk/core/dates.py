"""Reading a date the applicant typed: ISO, words, or numbers in their computer's order — never a guess.

Most of the world writes ``15/07/2022`` (day first), the United States ``07/15/2022`` (month first); ``03/04/2022``
means 3 April to one and 4 March to the other. So :func:`read_date` takes the order of the applicant's locale
(the window asks Qt's locale, :func:`order_from_pattern`), accepts ``2022-07-15``, ``15 Jul 2022``,
``July 15, 2022`` and numbers in that order, and says in words what it understood (:attr:`DateReading.words`,
"15 Jul 2022"). When the numbers could mean two dates and the locale does not settle it, or the text is no date
at all, it returns a problem in the applicant's words instead of a value. A number over 12 can only be a day, so
``15/07/2022`` is 15 July in any locale. Two-digit years are refused: ``22`` could be 1922 or 2022.

Pure: no Qt, no clock.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import Enum

from ecfmg_desk.core.rules import format_date

EARLIEST = date(1900, 1, 1)
LATEST = date(2200, 12, 31)

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")
"""English, as the app shows them (``calendar.month_name`` follows the process locale, which Qt sets)."""
_SEP = r"[/.\-\s]"
_ISO = re.compile(rf"(\d{{4}}){_SEP}(\d{{1,2}}){_SEP}(\d{{1,2}})")
_NUMERIC = re.compile(rf"(\d{{1,2}}){_SEP}+(\d{{1,2}}){_SEP}+(\d{{4}})")
_SHORT_YEAR = re.compile(rf"(\d{{1,2}}){_SEP}+(\d{{1,2}}){_SEP}+(\d{{2}})")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[\s\-./,]*([A-Za-z]{3,})\.?[\s\-./,]*(\d{4})")
_MONTH_DAY_YEAR = re.compile(r"([A-Za-z]{3,})\.?[\s\-./,]*(\d{1,2})(?:st|nd|rd|th)?[\s\-./,]+(\d{4})")


class DateOrder(Enum):
    """Where the day goes in the applicant's short numeric dates."""

    DAY_FIRST = "day-first"
    MONTH_FIRST = "month-first"


@dataclass(frozen=True)
class DateReading:
    """What a typed date was understood as: a ``value``, or a ``problem`` to show beside the field.

    Empty text is neither: it means "not set" (``value`` and ``problem`` both ``None``, ``empty`` true)."""

    text: str
    value: date | None = None
    problem: str | None = None

    @property
    def empty(self) -> bool:
        return not self.text.strip()

    @property
    def ok(self) -> bool:
        """A date, or nothing typed (not set)."""
        return self.problem is None

    @property
    def words(self) -> str:
        """``15 Jul 2022``: the echo that shows what was understood ("" when there is no date)."""
        return format_date(self.value) if self.value is not None else ""


def order_from_pattern(pattern: str) -> DateOrder | None:
    """The order of a Qt/Unicode date pattern (``dd/MM/yyyy`` → day first, ``M/d/yy`` → month first);
    ``None`` when the year comes first (``yyyy/MM/dd``) or the pattern says nothing: then plain numbers like
    ``03/04/2022`` are not clear and the applicant is asked to write the month as a word."""
    unquoted = re.sub(r"'[^']*'", "", pattern)
    positions = {c: unquoted.find(c) for c in "dMy"}
    day, month, year = positions["d"], positions["M"], positions["y"]
    if day < 0 or month < 0:
        return None
    if 0 <= year < min(day, month):
        return None
    return DateOrder.DAY_FIRST if day < month else DateOrder.MONTH_FIRST


def example(order: DateOrder | None) -> str:
    """How to type 15 July 2022 here: the way the problems suggest."""
    if order is DateOrder.MONTH_FIRST:
        return "07/15/2022, 15 Jul 2022 or 2022-07-15"
    if order is DateOrder.DAY_FIRST:
        return "15/07/2022, 15 Jul 2022 or 2022-07-15"
    return "15 Jul 2022 or 2022-07-15"


def _month(name: str) -> int | None:
    key = name.lower().rstrip(".")
    if len(key) < 3:
        return None
    for number, full in enumerate(MONTH_NAMES, start=1):
        if full.lower().startswith(key) or (key == "sept" and number == 9):
            return number
    return None


def _make(text: str, year: int, month: int, day: int, order: DateOrder | None) -> DateReading:
    if not 1 <= month <= 12:
        return DateReading(text, problem=f"“{text}” is not a date: there is no month {month}. "
                                         f"Type it as {example(order)}.")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        return DateReading(text, problem=f"“{text}” is not a date: {MONTH_NAMES[month - 1]} {year} has "
                                         f"{last} days. Type it as {example(order)}.")
    value = date(year, month, day)
    if not EARLIEST <= value <= LATEST:
        return DateReading(text, problem=f"“{text}” is too far in the past or the future. Check the year.")
    return DateReading(text, value=value)


def _numeric(text: str, first: int, second: int, year: int, order: DateOrder | None) -> DateReading:
    if (first > 12 and second > 12) or first == 0 or second == 0:
        return DateReading(text, problem=f"“{text}” is not a date. Type it as {example(order)}.")
    if first > 12:  # only a day can be over 12
        return _make(text, year, second, first, order)
    if second > 12:
        return _make(text, year, first, second, order)
    if order is DateOrder.DAY_FIRST or first == second:
        return _make(text, year, second, first, order)
    if order is DateOrder.MONTH_FIRST:
        return _make(text, year, first, second, order)
    one, other = date(year, second, first), date(year, first, second)
    return DateReading(text, problem=(
        f"“{text}” could be {format_date(one)} or {format_date(other)}. Type the month as a word "
        f"({format_date(one)}) or the date as {one.isoformat()}."))


def read_date(text: str, order: DateOrder | None) -> DateReading:
    """Read ``text`` as typed by an applicant whose locale writes numeric dates in ``order``."""
    stripped = " ".join(text.split()).strip(" ,")
    if not stripped:
        return DateReading(text)
    try:
        if m := _ISO.fullmatch(stripped):
            return _make(text, int(m[1]), int(m[2]), int(m[3]), order)
        if m := _NUMERIC.fullmatch(stripped):
            return _numeric(text, int(m[1]), int(m[2]), int(m[3]), order)
        if _SHORT_YEAR.fullmatch(stripped):
            return DateReading(text, problem=f"Type the year with four digits ({example(order)}), so “{text}” "
                                             "cannot be read as the wrong century.")
        for pattern, day_group, month_group in ((_DAY_MONTH_YEAR, 1, 2), (_MONTH_DAY_YEAR, 2, 1)):
            if (m := pattern.fullmatch(stripped)) and (month := _month(m[month_group])) is not None:
                return _make(text, int(m[3]), month, int(m[day_group]), order)
    except ValueError:  # a year out of datetime's range
        pass
    return DateReading(text, problem=f"“{text}” is not a date this app can read. Type it as {example(order)}.")
