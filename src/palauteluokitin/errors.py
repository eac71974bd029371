"""Every exception the library raises on purpose, one class per kind of problem.

The CLI turns each into one clear message and a non-zero exit. Classes that mean "bad
value" also derive from ValueError, so callers that catch ValueError keep working.
"""

from __future__ import annotations


class PalauteluokitinError(Exception):
    """Base class for every error this package raises on purpose."""


class MissingExtraError(PalauteluokitinError, ImportError):
    """An optional part whose packages are not installed; the message names the extra."""


# --- text -------------------------------------------------------------------------


class UnknownBackendError(PalauteluokitinError, ValueError):
    """A lemmatiser backend name that is not registered."""


class BackendUnavailableError(PalauteluokitinError):
    """A registered backend whose packages, system libraries or models are missing."""


class InputFormatError(PalauteluokitinError, ValueError):
    """Text input (CoNLL-U, an annotated corpus) that cannot be parsed, with the place where it went wrong."""


class RedactionInputError(PalauteluokitinError, TypeError):
    """A value given to the redactor that is not text."""


# --- exports ----------------------------------------------------------------------


class ExportError(PalauteluokitinError, ValueError):
    """A feedback export that cannot be read or written at all (a bad row is a row problem instead)."""


class ExportFormatError(ExportError):
    """A file extension that is not a format we read or write."""


class ExportReadError(ExportError):
    """An input export that is missing, empty, without a header row, or not in its format."""


class ColumnError(ExportError):
    """A column that was named but is not there, or a needed column that cannot be found."""


class OutputError(ExportError):
    """An output that must not or cannot be written: it exists, it is the input, its folder is missing."""


class SparkError(PalauteluokitinError):
    """Spark cannot start here (no Java) or cannot run the job."""


# --- models -----------------------------------------------------------------------


class BundleError(PalauteluokitinError):
    """A model bundle that is missing, incomplete, tampered with or not trusted."""


class RecipeError(PalauteluokitinError, ValueError):
    """A training recipe that is missing, not TOML, or not a valid recipe."""


class LabelledFileError(PalauteluokitinError, ValueError):
    """A file to evaluate on that lacks the label columns or holds values outside the label scheme."""


# --- report -----------------------------------------------------------------------


class ReportInputError(PalauteluokitinError, ValueError):
    """A file or frame the report cannot be made from: missing columns, bad label values."""


# --- review queue -----------------------------------------------------------------


class ReviewError(PalauteluokitinError):
    """Base class for the review queue's errors; `fi` is the message the web UI shows.
    Messages never contain comment text."""

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


class CaseChangedError(InvalidTransitionError):
    """Someone else changed the case after this user read it; the decision was not saved."""


class InvalidDecisionError(ReviewError, ValueError):
    """An outcome or label correction outside the scheme, or an empty or too long note."""


class ActionError(ReviewError, ValueError):
    """A development action that cannot be added or changed as asked, or one not visible."""


class UserError(ReviewError, ValueError):
    """A user account that cannot be created or changed as asked."""


class LoginThrottledError(ReviewError):
    """Too many failed logins for this username from this address."""
