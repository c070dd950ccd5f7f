"""One exception per user-facing failure, and one policy for what the user reads about any failure.

Each exception carries a message written for the applicant (not for a developer), and the exit code the command
line uses for it, so the CLI prints ``error: <message>`` and the window shows the same words in a dialog. A
message never names a command-line flag, an environment variable or a command: the window's users never see a
terminal. Where the command line has a way out to add (``--translation-of``, ``ECFMG_DESK_PASSPHRASE``), the
error carries a ``topic`` and the CLI adds its own hint for it (``ecfmg_desk.cli_hints``).

:func:`user_message` and :func:`exit_code_for` are the policy for every failure, ours or the system's (a full
disk, no memory): the CLI and the window's background tasks both use them, so both say the same thing. A
traceback that reaches a user is a bug.
"""

from __future__ import annotations

from typing import Literal

Topic = Literal["passphrase", "new-passphrase", "vault-location", "translation-of", "check", "verify", "reviewer",
                "list"]
"""What a failure is about, for the command line's hint (see ``ecfmg_desk.cli_hints``)."""


class DeskError(Exception):
    """Base of every failure the user is told about. ``exit_code`` follows DESIGN.md section 3."""

    exit_code = 2

    def __init__(self, message: str, *, topic: Topic | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.topic: Topic | None = topic
        """The command line adds a hint for this (a flag, a variable); the window has its own controls."""


class UsageError(DeskError):
    """The command or a value given to it is wrong (a bad date, an unknown field)."""


class FieldValueError(UsageError):
    """A document or profile field given a value it does not accept (an unknown field, a score out of range)."""


class BadInputError(DeskError):
    """A file given to the app cannot be used (empty, corrupt, encrypted, not a document, ...)."""


class PdfPasswordError(DeskError):
    """A packet password PDF readers could not all accept the same way (too long, a control character, ...)."""


class VaultNotFoundError(DeskError):
    """A command that only reads was pointed at a folder that holds no vault."""


class VaultExistsError(DeskError):
    """Refused to overwrite a folder that already holds something (e.g. restore into a full folder)."""


class KeyUnavailableError(DeskError):
    """No usable source for the vault key: no keyring entry or backend, and no passphrase given."""


class WrongPassphraseError(DeskError):
    """The passphrase (or a stale keyring entry) does not open this vault."""


class UnknownDocumentError(DeskError):
    """A document id that the vault does not hold."""


class UnknownRotationError(DeskError):
    """A rotation id that the vault does not hold (or that is in the trash)."""


class UnknownLetterError(DeskError):
    """A letter id that the vault does not hold (or that is in the trash)."""


class CatalogError(DeskError):
    """The requirement catalog is malformed; the message names the file and the key."""


class IntegrityError(DeskError):
    """Stored data was altered or damaged (a blob that no longer decrypts or matches its hash)."""

    exit_code = 3


class TamperedBundleError(IntegrityError):
    """An advisor bundle whose contents differ from its manifest."""


class ExportBlockedError(DeskError):
    """Export refused because validation still finds errors; the message lists them."""

    exit_code = 1


class ReviewMismatchError(DeskError):
    """A review file that belongs to another vault, or that is malformed."""


class CancelledError(DeskError):
    """The user cancelled a long operation; nothing was changed."""


class UntrustedDataError(IntegrityError):
    """Rows of the vault were changed without the key (a document's files, dates, requirement, trash state,
    review, or the profile): the app refuses to show them as if they were the user's. ``documents`` names the
    documents concerned (ids), ``subjects`` every other thing (e.g. "profile")."""

    def __init__(self, message: str, documents: tuple[str, ...] = (), subjects: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.documents = documents
        self.subjects = subjects


class VaultReadOnlyError(DeskError):
    """A change was asked of a vault whose folder or database cannot be written; nothing was changed."""


class VaultBusyError(DeskError):
    """Another ECFMG Desk window or command holds the vault right now."""


class DiskFullError(DeskError):
    """A write failed for lack of space (or a file-size limit); the vault is as it was before the change."""


class AdvisorKeyChangedError(IntegrityError):
    """A review signed by a different key than the one this vault knows for that advisor (maybe a new laptop,
    maybe someone else): refused until the applicant accepts the new key."""


class StudentKeyChangedError(IntegrityError):
    """A bundle from a student the advisor's app knows, signed by a different key than their earlier bundles (or
    not signed): maybe a new computer, maybe someone else's edit. Refused until the advisor accepts the key."""


class ReplayedReviewError(ReviewMismatchError):
    """A signed review older than one already loaded from the same advisor (loading it would undo the newer)."""


def user_message(exc: BaseException) -> str:
    """What the user reads about ``exc``, in the window and after ``error:`` alike."""
    if isinstance(exc, DeskError):
        return exc.message
    if isinstance(exc, MemoryError):
        return "There is not enough memory for this; nothing was changed."
    if isinstance(exc, OSError):
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror or exc}{where}. Nothing was changed."
    return f"Something went wrong ({type(exc).__name__}); nothing was changed."


def exit_code_for(exc: BaseException) -> int:
    """The command line's exit code for ``exc`` (DESIGN.md section 3): 2 unless the error says otherwise."""
    return exc.exit_code if isinstance(exc, DeskError) else 2
