"""One exception per user-facing failure.

Each carries a message written for the applicant (not for a developer) and the exit code the command line
uses for it, so the CLI prints ``error: <message>`` and the GUI shows the same words in a dialog. A traceback
that reaches a user is a bug.
"""

from __future__ import annotations


class DeskError(Exception):
    """Base of every failure the user is told about. ``exit_code`` follows DESIGN.md section 3."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(DeskError):
    """The command or a value given to it is wrong (a bad date, an unknown field)."""


class BadInputError(DeskError):
    """A file given to the app cannot be used (empty, corrupt, encrypted, not a document, ...)."""


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


class AdvisorKeyChangedError(IntegrityError):
    """A review signed by a different key than the one this vault knows for that advisor (maybe a new laptop,
    maybe someone else): refused until the applicant accepts the new key."""


class ReplayedReviewError(ReviewMismatchError):
    """A signed review older than one already loaded from the same advisor (loading it would undo the newer)."""
