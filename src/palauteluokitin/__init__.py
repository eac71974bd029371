"""palauteluokitin: text mining for Finnish social and health care feedback."""

__version__ = "0.1.0"

from palauteluokitin.lemmatizers import (  # noqa: E402
    DEFAULT_BACKEND,
    available_backends,
    get_lemmatizer,
)

__all__ = ["DEFAULT_BACKEND", "__version__", "available_backends", "get_lemmatizer"]
