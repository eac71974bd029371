"""palauteluokitin: text mining for Finnish social and health care feedback."""

import os

__version__ = "0.1.0"

# No usage data leaves the machine: MLflow (>= 3.2) collects it unless told not to.
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")

from palauteluokitin.text.lemmatizers import (  # noqa: E402
    DEFAULT_BACKEND,
    available_backends,
    get_lemmatizer,
)

__all__ = ["DEFAULT_BACKEND", "__version__", "available_backends", "get_lemmatizer", "load_model"]


def __getattr__(name: str):
    # load_model pulls in pandas and scikit-learn: imported on first use, not by `lemmatize`.
    if name == "load_model":
        from palauteluokitin.classify.loaded_model import load_model

        return load_model
    raise AttributeError(f"module 'palauteluokitin' has no attribute {name!r}")
