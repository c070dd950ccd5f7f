"""Name normalisation and comparison as ECFMG means it.

Two different questions (RULES.md ID-NAME-*, NAME_RECORD_EQ_PASSPORT, NAME_CREDENTIAL_MATCH, all [C]):

* Is the name of record *exactly* the passport name? Only letter case and runs of spaces may differ: a hyphen,
  an accent, a missing middle name or another order is a mismatch (:func:`names_match_exact`).
* How does a name printed on a credential differ from the name of record? Any difference needs a
  name-verification document, and the applicant has to understand *what* differs (initials instead of names,
  another order, a missing or added name, hyphens, a maiden or married surname, accents or transliteration) to
  find the right one (:func:`compare_names`). The classifier only explains; it never excuses a difference.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

DifferenceKind = Literal[
    "initials",
    "order",
    "surname",
    "missing",
    "added",
    "spacing",
    "hyphens",
    "accents",
    "punctuation",
    "spelling",
    "other",
]

LIKELY_SAME_PERSON_KINDS: frozenset[DifferenceKind] = frozenset(
    {"order", "spacing", "hyphens", "accents", "punctuation"}
)
"""Differences in the writing only (no name added, dropped, shortened or re-spelled): the same person."""

_HYPHEN_SPLIT = re.compile("[-‐‑‒–—]")
_PUNCTUATION = re.compile(r"[.'’`ʼ,]")
_INITIALS_RUN = re.compile(r"(?:[^\W\d_]\.){2,}")
_SPECIAL_LETTERS = {
    "ß": "ss",
    "ø": "o",
    "æ": "ae",
    "œ": "oe",
    "ł": "l",
    "đ": "d",
    "ð": "d",
    "þ": "th",
    "ı": "i",
}
_CAPITALS = {
    k.upper(): v.upper() for k, v in _SPECIAL_LETTERS.items() if len(k.upper()) == 1 and k.upper() != k
}
_LETTER_MAP = str.maketrans({**_SPECIAL_LETTERS, **_CAPITALS})
_SOUND_RULES: tuple[tuple[str, str], ...] = (
    ("x", "ks"),
    ("kh", "h"),
    ("gh", "g"),
    ("ph", "f"),
    ("th", "t"),
    ("sch", "sh"),
    ("ck", "k"),
    ("ou", "u"),
    ("oo", "u"),
    ("ee", "i"),
    ("y", "i"),
    ("w", "v"),
    ("q", "k"),
)
"""Common transliteration variants folded together (Mohammad/Muhammad, Sergey/Sergei, Khan/Han)."""
_DOUBLE_LETTER = re.compile(r"(.)\1+")
_SPELLING_SIMILARITY = 0.8
"""How alike two folded spellings must be (difflib ratio) to be called one name spelled two ways."""


def fold_case(text: str) -> str:
    """Case-insensitive key that also treats Turkish dotless i and German ß as their capitals do."""
    upper = unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).upper())
    return unicodedata.normalize("NFC", upper.casefold())


def normalize_name(name: str) -> str:
    """The name with case folded and runs of spaces collapsed: the only freedom ECFMG's exact match allows."""
    return " ".join(fold_case(name).split())


def names_match_exact(first: str, second: str) -> bool:
    """Passport vs name of record: equal apart from letter case and extra spaces."""
    return normalize_name(first) == normalize_name(second)


def strip_accents(text: str) -> str:
    """Letters without accents or special forms: ``José Łukasz Øberg`` -> ``Jose Lukasz Oberg``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_LETTER_MAP)


@dataclass(frozen=True)
class NameDifference:
    """One way two names differ; ``detail`` completes the sentence "It ..." about the printed name."""

    kind: DifferenceKind
    detail: str


@dataclass(frozen=True)
class NameComparison:
    """How a printed name differs from the name of record (no ``differences``: the same name)."""

    record: str
    printed: str
    differences: tuple[NameDifference, ...]

    @property
    def same(self) -> bool:
        return not self.differences

    @property
    def kinds(self) -> frozenset[DifferenceKind]:
        return frozenset(d.kind for d in self.differences)

    @property
    def likely_same_person(self) -> bool:
        """The same name, or one written differently without adding, dropping or changing a name."""
        return self.kinds <= LIKELY_SAME_PERSON_KINDS

    @property
    def explanation(self) -> str:
        """One sentence for a finding: ``It uses initials instead of full names (…) and leaves out “Lopez”.``
        Empty for the same name."""
        if self.same:
            return ""
        parts = [d.detail for d in self.differences]
        joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        return f"It {joined}."


@dataclass(frozen=True)
class _Token:
    text: str
    key: str
    bare: str
    plain: str
    sound: str
    abbreviation: bool
    hyphen_after: bool


def _tokens(name: str) -> list[_Token]:
    pieces: list[tuple[str, bool]] = []
    for chunk in name.split():
        if _INITIALS_RUN.fullmatch(chunk):
            pieces.extend((f"{letter}.", False) for letter in chunk.split(".") if letter)
            continue
        parts = _HYPHEN_SPLIT.split(chunk)
        for index, part in enumerate(parts):
            if part:
                joined = index + 1 < len(parts) and bool(parts[index + 1])
                pieces.append((part, joined))
    tokens: list[_Token] = []
    for text, hyphen_after in pieces:
        key = fold_case(text)
        bare = _PUNCTUATION.sub("", key)
        plain = strip_accents(bare).lower()
        if not plain:
            continue
        sound = plain
        for old, new in _SOUND_RULES:
            sound = sound.replace(old, new)
        sound = _DOUBLE_LETTER.sub(r"\1", sound)
        abbreviation = len(plain) == 1 or (text.endswith(".") and len(plain) <= 3)
        tokens.append(_Token(text, key, bare, plain, sound, abbreviation, hyphen_after))
    return tokens


def _quote(words: list[str]) -> str:
    quoted = [f"“{w}”" for w in words]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _similar(r: _Token, p: _Token) -> bool:
    if r.abbreviation or p.abbreviation or len(r.plain) < 2 or len(p.plain) < 2:
        return False
    if r.sound == p.sound:
        return True
    return difflib.SequenceMatcher(None, r.sound, p.sound).ratio() >= _SPELLING_SIMILARITY


def _abbreviates(short: _Token, full: _Token) -> bool:
    return short.abbreviation and not full.abbreviation and full.plain.startswith(short.plain)


def _hyphenated(tokens: list[_Token]) -> dict[tuple[str, str], str]:
    return {
        (t.plain, tokens[i + 1].plain): f"{t.text}-{tokens[i + 1].text}"
        for i, t in enumerate(tokens[:-1])
        if t.hyphen_after
    }


_Test = Callable[[_Token, _Token], bool]
_EXACT_PASSES: tuple[tuple[str, _Test], ...] = (
    ("exact", lambda r, p: r.key == p.key),
    ("punctuation", lambda r, p: r.bare == p.bare),
    ("accents", lambda r, p: r.plain == p.plain),
)
_LOOSE_PASSES: tuple[tuple[str, _Test], ...] = (
    ("spelling", _similar),
    ("initials", lambda r, p: _abbreviates(p, r) or _abbreviates(r, p)),
)


def _relation(r: _Token, p: _Token) -> str | None:
    """The strictest test under which two words are the same name, or ``None``."""
    for how, test in (*_EXACT_PASSES, *_LOOSE_PASSES):
        if test(r, p):
            return how
    return None


_PASS_ORDER = tuple(how for how, _test in (*_EXACT_PASSES, *_LOOSE_PASSES))


def _rank(how: str) -> int:
    return _PASS_ORDER.index(how)


class _Alignment:
    """Pairs each printed word with a word of the record, strictest test first."""

    def __init__(self, rec: list[_Token], pri: list[_Token]) -> None:
        self.rec = rec
        self.pri = pri
        self.pairs: dict[int, tuple[int, str]] = {}  # printed index -> (record index, how)
        self.used: set[int] = set()  # record indices already paired
        self.spaced: list[tuple[str, str]] = []  # (record words, printed words)

    def run(self, passes: tuple[tuple[str, _Test], ...]) -> None:
        for how, test in passes:
            for pi, p in enumerate(self.pri):
                if pi in self.pairs:
                    continue
                for ri, r in enumerate(self.rec):
                    if ri not in self.used and test(r, p):
                        self.pairs[pi] = (ri, how)
                        self.used.add(ri)
                        break

    def uncross(self) -> None:
        """Swap two crossing pairs when each word matches the other's partner at least as strictly
        ("José Jose" / "Jose Jose"), so that a greedy first match is not mistaken for a change of order."""
        changed = True
        while changed:
            changed = False
            items = sorted(self.pairs.items())
            for (pa, (ra, how_a)), (pb, (rb, how_b)) in itertools.combinations(items, 2):
                if ra < rb or "spacing" in (how_a, how_b):
                    continue
                first, second = _relation(self.rec[rb], self.pri[pa]), _relation(self.rec[ra], self.pri[pb])
                if first and second and _rank(first) + _rank(second) <= _rank(how_a) + _rank(how_b):
                    self.pairs[pa], self.pairs[pb] = (rb, first), (ra, second)
                    changed = True
                    break

    def join_spacing(self) -> None:
        """Pair runs of leftover words that only differ in where the spaces are ("Mary Ann" / "Maryann")."""
        for pi, p in enumerate(self.pri):
            if pi in self.pairs:
                continue
            run = _run_spelling(self.rec, p.plain, lambda i: i not in self.used)
            if run:
                self.used.update(run)
                self.pairs[pi] = (run[0], "spacing")
                self.spaced.append((" ".join(self.rec[i].text for i in run), p.text))
        for ri, r in enumerate(self.rec):
            if ri in self.used:
                continue
            run = _run_spelling(self.pri, r.plain, lambda i: i not in self.pairs)
            if run:
                self.used.add(ri)
                self.pairs.update({pi: (ri, "spacing") for pi in run})
                self.spaced.append((r.text, " ".join(self.pri[i].text for i in run)))

    def paired(self, how: str) -> list[tuple[_Token, _Token]]:
        return [(self.rec[ri], self.pri[pi]) for pi, (ri, h) in sorted(self.pairs.items()) if h == how]


def _run_spelling(tokens: list[_Token], target: str, free: Callable[[int], bool]) -> list[int] | None:
    for start in range(len(tokens)):
        for length in (2, 3):
            run = list(range(start, start + length))
            if run[-1] >= len(tokens):
                break
            if any(not free(i) or tokens[i].abbreviation for i in run):
                continue
            if "".join(tokens[i].plain for i in run) == target:
                return run
    return None


@functools.lru_cache(maxsize=2048)
def compare_names(record: str, printed: str, *, record_family: str | None = None) -> NameComparison:
    """Explain how ``printed`` (as on a credential) differs from ``record`` (the name of record).

    ``record_family`` is the surname part of the record (``Profile.family_name``); without it the last word is
    taken as the surname. Differences come in a fixed order so that messages are stable. Cached: validation
    runs on every edit and asks about the same few names each time (the result is immutable).
    """
    if names_match_exact(record, printed):
        return NameComparison(record, printed, ())
    rec, pri = _tokens(record), _tokens(printed)
    align = _Alignment(rec, pri)
    align.run(_EXACT_PASSES)
    align.join_spacing()
    align.run(_LOOSE_PASSES)
    align.uncross()

    found: list[NameDifference] = []
    shortened = [(r, p) for r, p in align.paired("initials") if p.abbreviation]
    spelled_out = [(r, p) for r, p in align.paired("initials") if r.abbreviation]
    if shortened:
        shown = ", ".join(f"“{p.text}” for “{r.text}”" for r, p in shortened)
        found.append(
            NameDifference("initials", f"uses initials or short forms instead of full names ({shown})")
        )
    if spelled_out:
        shown = ", ".join(f"“{p.text}” for “{r.text}”" for r, p in spelled_out)
        found.append(
            NameDifference("initials", f"spells out names your name of record has as initials ({shown})")
        )

    order = [ri for _pi, (ri, _how) in sorted(align.pairs.items())]
    if any(later < earlier for earlier, later in itertools.pairwise(order)):
        found.append(NameDifference("order", "has the names in a different order"))

    family_words = len(_tokens(record_family)) if record_family and record_family.strip() else 1
    family = set(range(max(0, len(rec) - family_words), len(rec)))
    missing = [i for i in range(len(rec)) if i not in align.used]
    added = [i for i in range(len(pri)) if i not in align.pairs]
    if family and family <= set(missing) and added:
        old = [rec[i].text for i in sorted(family)]
        new = [pri[i].text for i in added]
        found.append(
            NameDifference(
                "surname",
                f"has a different surname ({_quote(new)} instead of {_quote(old)}), as with a maiden or "
                "married name",
            )
        )
        missing, added = [i for i in missing if i not in family], []
    if missing:
        found.append(NameDifference("missing", f"leaves out {_quote([rec[i].text for i in missing])}"))
    if added:
        found.append(NameDifference("added", f"adds {_quote([pri[i].text for i in added])}"))

    for rec_words, pri_words in align.spaced:
        found.append(
            NameDifference("spacing", f"joins or splits names differently (“{pri_words}” for “{rec_words}”)")
        )
    rec_hyphens, pri_hyphens = _hyphenated(rec), _hyphenated(pri)
    dropped = [text for pair, text in rec_hyphens.items() if pair not in pri_hyphens]
    put = [text for pair, text in pri_hyphens.items() if pair not in rec_hyphens]
    if dropped or put:
        words = [f"drops the hyphen in “{t}”" for t in dropped] + [f"adds a hyphen in “{t}”" for t in put]
        found.append(NameDifference("hyphens", " and ".join(words)))

    for how, what in (
        ("accents", "differs in accents or special letters"),
        ("punctuation", "differs in punctuation"),
        ("spelling", "spells a name differently, as another transliteration would"),
    ):
        pairs = align.paired(how)
        if pairs:
            shown = ", ".join(f"“{p.text}” for “{r.text}”" for r, p in pairs)
            found.append(NameDifference(how, f"{what} ({shown})"))  # type: ignore[arg-type]
    if not found:
        found.append(NameDifference("other", "is written differently (spaces or punctuation)"))
    return NameComparison(record, printed, tuple(found))


def _plain_tokens(text: str) -> list[str]:
    """Lower-case, accent-free tokens of a name; ``M.J.`` and ``M. J.`` both give ``m``, ``j``."""
    spaced = _HYPHEN_SPLIT.sub(" ", text.replace(".", " "))
    return [strip_accents(fold_case(t)).lower() for t in spaced.split() if t.strip("'’`ʼ")]


def translator_is_applicant(given_names: str, family_name: str, translator: str) -> bool:
    """Is the translator named on a translation the applicant (RULES.md TRANSLATOR_NOT_APPLICANT [C])?

    Yes when every family token of the translator's name is one of the record's family names, at least one
    given token equals a record given name or its initial, and every other given token is a bare initial
    (DESIGN.md section 6): "M. Garcia", "Maria G. Garcia", "Garcia Lopez, M. J." for Maria Jose Garcia Lopez;
    not "Jose Garcia" for Maria Garcia, and not a company such as "Garcia Translations".
    """
    record_given = _plain_tokens(given_names)
    record_family = set(_plain_tokens(family_name))
    if not record_given or not record_family:
        return False
    initials = {name[0] for name in record_given}

    def matches(given: list[str], family: list[str]) -> bool:
        if not given or not family or not all(token in record_family for token in family):
            return False
        full = [t for t in given if t in record_given or (len(t) == 1 and t in initials)]
        others = [t for t in given if t not in full]
        return bool(full) and all(len(t) == 1 for t in others)

    if "," in translator:
        before, _, after = translator.partition(",")
        return matches(_plain_tokens(after), _plain_tokens(before))
    tokens = _plain_tokens(translator)
    return any(
        matches(tokens[:split], tokens[split:]) or matches(tokens[len(tokens) - split:], tokens[: len(tokens) - split])
        for split in range(1, len(tokens))
    )
