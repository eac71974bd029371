"""Exceptions raised by the library. The CLI turns each into one clear message."""


class PalauteluokitinError(Exception):
    """Base class for every error this package raises on purpose."""


class UnknownBackendError(PalauteluokitinError, ValueError):
    """A lemmatiser backend name that is not registered."""


class BackendUnavailableError(PalauteluokitinError):
    """A registered backend whose packages, system libraries or models are missing."""


class InputFormatError(PalauteluokitinError, ValueError):
    """Input that cannot be parsed, with the place where it went wrong."""
