"""palauteluokitin: text mining for Finnish social and health care feedback."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("palauteluokitin")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

from palauteluokitin.lemmatizers import (  # noqa: E402
    DEFAULT_BACKEND,
    available_backends,
    get_lemmatizer,
)

__all__ = ["DEFAULT_BACKEND", "__version__", "available_backends", "get_lemmatizer"]
