"""Optional parts of the package and the extras that install them."""

from __future__ import annotations

from importlib.util import find_spec

from palauteluokitin.errors import MissingExtraError

EXTRAS = {
    "train": "MLflow tracking and evaluation plots",
    "review": "the review queue (web app and database)",
    "report": "the analyst report",
    "accurate": "the accurate model (its sentence encoder)",
    "spark": "classifying with Apache Spark",
}


def require(extra: str, *modules: str) -> None:
    """Raise MissingExtraError, naming the extra to install, if any of `modules` is missing."""
    missing = [module for module in modules if find_spec(module) is None]
    if missing:
        raise MissingExtraError(
            f"{EXTRAS[extra][0].upper()}{EXTRAS[extra][1:]} needs the '{extra}' extra "
            f"({', '.join(missing)} not installed): in a clone `uv sync --extra {extra}`, "
            f"else `pip install 'palauteluokitin[{extra}]'`."
        )
