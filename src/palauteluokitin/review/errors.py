"""Errors of the review queue. Messages never contain comment text."""

from __future__ import annotations

from palauteluokitin.errors import PalauteluokitinError


class ReviewError(PalauteluokitinError):
    """Base class for the review queue's errors; `fi` is the message the web UI shows."""

    def __init__(self, message: str, fi: str | None = None) -> None:
        super().__init__(message)
        self.fi = fi or message


class DatabaseNotReadyError(ReviewError):
    """The database has no review schema, or an older one: `review init` fixes it."""


class ImportFileError(ReviewError, ValueError):
    """A classified file that cannot be imported as it is."""


class CaseNotFoundError(ReviewError, LookupError):
    """No case with that id, or none the user may see."""


class InvalidTransitionError(ReviewError):
    """An action the case's state does not allow (e.g. resolving a case nobody took)."""


class InvalidDecisionError(ReviewError, ValueError):
    """An outcome or label correction outside the scheme, or an empty or too long note."""


class UserError(ReviewError, ValueError):
    """A user account that cannot be created or changed as asked."""


class LoginThrottledError(ReviewError):
    """Too many failed logins for this username from this address."""
