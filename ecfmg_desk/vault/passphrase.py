"""How strong a recovery passphrase must be, judged by zxcvbn (a maintained estimator), not by length alone.

The passphrase guards the scrypt-wrapped vault key, which anyone who copies the vault folder can attack offline:
"Password1!" is long enough for a length rule and falls in seconds to a dictionary. zxcvbn scores guessability
0–4; we ask for 4 (at least 10^10 guesses): a name and a birth year ("maria1995garcia") only reaches 3, and the
applicant's own name, IDs and date of birth are given to zxcvbn as words a guesser would try first.
"""

from __future__ import annotations

from collections.abc import Sequence

from ecfmg_desk.errors import UsageError

MIN_SCORE = 4
MIN_LENGTH = 8
_MAX_CHECKED = 200  # zxcvbn's cost grows with length; anything longer than this is strong enough on length alone


class WeakPassphraseError(UsageError):
    """The passphrase is too easy to guess; the message says why and how to make it stronger."""


def check_strength(passphrase: str, context: Sequence[str] = ()) -> None:
    """Raise :class:`WeakPassphraseError` unless ``passphrase`` is hard to guess (``context``: words about the
    applicant, such as their name, that a guesser would try first)."""
    if len(passphrase) < MIN_LENGTH:
        raise WeakPassphraseError(f"Choose a recovery passphrase of at least {MIN_LENGTH} characters.")
    if len(passphrase) > _MAX_CHECKED:
        return
    from zxcvbn import zxcvbn  # ~30 ms to import its dictionaries: only when a passphrase is being set

    result = zxcvbn(passphrase, user_inputs=[c for c in context if c])
    if int(result["score"]) >= MIN_SCORE:
        return
    feedback = result.get("feedback") or {}
    hints = [str(feedback.get("warning") or "")] + [str(s) for s in feedback.get("suggestions") or ()]
    advice = " ".join(h.strip() for h in hints if h.strip())
    raise WeakPassphraseError(
        "That recovery passphrase is too easy to guess. "
        + (advice + " " if advice else "")
        + "Several unrelated words are strong and easy to remember."
    )
