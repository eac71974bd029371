"""Shared fixtures. A backend that cannot run here skips its tests with the reason,
unless PALAUTELUOKITIN_REQUIRE_BACKENDS names it: then the missing backend fails (CI)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from palauteluokitin.errors import BackendUnavailableError
from palauteluokitin.lemmatizers import get_lemmatizer

ROOT = Path(__file__).resolve().parents[1]
UD_DIR = Path(os.environ.get("PALAUTELUOKITIN_UD_DIR", ROOT.parent / "shared" / "ud"))
REQUIRED = set(filter(None, os.environ.get("PALAUTELUOKITIN_REQUIRE_BACKENDS", "").split(",")))
REQUIRE_UD = os.environ.get("PALAUTELUOKITIN_REQUIRE_UD") == "1"

_lemmatizers = {}


def lemmatizer_or_skip(name: str):
    """A working lemmatiser, shared across tests; skip (or fail when required) if unavailable."""
    if name not in _lemmatizers:
        lemmatizer = get_lemmatizer(name)
        try:
            lemmatizer.check_available()
        except BackendUnavailableError as error:
            if name in REQUIRED:
                pytest.fail(f"required backend {name!r} is unavailable: {error}")
            pytest.skip(f"backend {name!r} unavailable here: {error}")
        _lemmatizers[name] = lemmatizer
    return _lemmatizers[name]


@pytest.fixture
def voikko():
    return lemmatizer_or_skip("voikko")


@pytest.fixture
def lexicon():
    return lemmatizer_or_skip("lexicon")


@pytest.fixture
def simplemma_lemmatizer():
    return lemmatizer_or_skip("simplemma")


@pytest.fixture
def spacy_fi():
    return lemmatizer_or_skip("spacy-fi")


@pytest.fixture
def ud_file():
    """Path to a UD treebank in ../shared/ud; skip (or fail in CI) where it is absent."""

    def find(name: str) -> Path:
        path = UD_DIR / name
        if not path.is_file():
            if REQUIRE_UD:
                pytest.fail(f"UD treebank {path} is missing")
            pytest.skip(f"UD treebank {path} not present")
        return path

    return find


@pytest.fixture
def example_text() -> Path:
    return ROOT / "examples" / "palaute.txt"
