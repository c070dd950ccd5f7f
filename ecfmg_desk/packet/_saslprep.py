"""The packet password as PDF 2.0 wants it: SASLprep (RFC 4013), then UTF-8, at most 127 bytes.

ISO 32000-2 section 7.6.4.3.3 has a revision-6 password prepared with the SASLprep profile of stringprep
(RFC 3454) and cut to 127 bytes. Readers that follow it (pypdf, Acrobat) turn a no-break space into a space
and "Ⅸ" into "IX" before hashing; a writer that does not would make such a password fail there. Cutting is
not done here: a longer password is refused, since a reader that does not cut would never open the file.
The rules are the ones pypdf applies when opening (a stored string: unassigned code points are refused too).
A reader that hashes the typed bytes as they are (qpdf) opens the file with the prepared form of the password,
which for an ordinary password is the password itself.
"""

from __future__ import annotations

import stringprep
import unicodedata

from ecfmg_desk.errors import PdfPasswordError

MAX_PASSWORD_BYTES = 127

_PROHIBITED = (
    (stringprep.in_table_c12, "a special space"),
    (stringprep.in_table_c21, "a control character"),
    (stringprep.in_table_c22, "a control character"),
    (stringprep.in_table_c3, "a private-use character"),
    (stringprep.in_table_c4, "a non-character"),
    (stringprep.in_table_c5, "a broken character (surrogate)"),
    (stringprep.in_table_c6, "a character not meant for text"),
    (stringprep.in_table_c7, "a character not meant for text"),
    (stringprep.in_table_c8, "an invisible formatting character"),
    (stringprep.in_table_c9, "a tagging character"),
    (stringprep.in_table_a1, "a character too new for PDF passwords"),
)


def saslprep(password: str) -> str:
    """RFC 4013: map, normalise (NFKC), refuse prohibited characters, check bidirectional text."""
    mapped = "".join(
        " " if stringprep.in_table_c12(c) else c for c in password if not stringprep.in_table_b1(c)
    )
    prepared = unicodedata.normalize("NFKC", mapped)
    for c in prepared:
        for test, what in _PROHIBITED:
            if test(c):
                raise PdfPasswordError(
                    f"The PDF password contains {what} (U+{ord(c):04X}) that PDF readers do not accept; "
                    "choose another password."
                )
    if any(stringprep.in_table_d1(c) for c in prepared):
        if any(stringprep.in_table_d2(c) for c in prepared):
            raise PdfPasswordError(
                "The PDF password mixes right-to-left letters (such as Arabic) with left-to-right letters "
                "(such as Latin), which PDF readers do not accept; use letters of one direction."
            )
        if not (stringprep.in_table_d1(prepared[0]) and stringprep.in_table_d1(prepared[-1])):
            raise PdfPasswordError(
                "A PDF password in right-to-left letters must begin and end with a letter, not a digit or sign."
            )
    return prepared


def prepare_password(password: str) -> bytes:
    """The bytes a revision-6 password is hashed from; refuses what readers could not reproduce."""
    prepared = saslprep(password)
    if not prepared:
        raise PdfPasswordError("The PDF password is empty once spaces readers ignore are removed.")
    data = prepared.encode("utf-8")
    if len(data) > MAX_PASSWORD_BYTES:
        raise PdfPasswordError(
            f"The PDF password is too long: PDF allows {MAX_PASSWORD_BYTES} bytes and this one takes "
            f"{len(data)} (a letter outside the Latin alphabet takes 2 to 4). Choose a shorter password."
        )
    return data
