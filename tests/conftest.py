"""Shared fixtures. A backend that cannot run here skips its tests with the reason,
unless PALAUTELUOKITIN_REQUIRE_BACKENDS names it: then the missing backend fails (CI)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from palauteluokitin.errors import BackendUnavailableError
from palauteluokitin.text.lemmatizers import get_lemmatizer

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


@pytest.fixture(scope="session")
def realtext_dir() -> Path:
    """The real texts of ../shared/realtext; skip where absent, fail instead when
    PALAUTELUOKITIN_REQUIRE_REALTEXT=1 (CI)."""
    from palauteluokitin.training.realtext import SOURCES, default_realtext_dir

    folder = default_realtext_dir()
    missing = [source for source in SOURCES if not (folder / source).is_file()]
    if missing:
        if os.environ.get("PALAUTELUOKITIN_REQUIRE_REALTEXT") == "1":
            pytest.fail(f"real texts are required but {folder / missing[0]} is missing")
        pytest.skip(f"real texts not present in {folder}")
    return folder


CHROMIUM = Path(os.environ.get("PALAUTELUOKITIN_CHROMIUM", "/usr/bin/chromium"))
# Flags that keep a headless Chromium off the network and able to run as root.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


SCREENSHOTS = ROOT / "docs" / "screenshots"


@pytest.fixture
def screenshot_dir(tmp_path) -> Path:
    """Where a test saves its screenshots: the README's docs/screenshots only when asked with
    PALAUTELUOKITIN_UPDATE_SCREENSHOTS=1, else a temporary folder, so the tests leave the
    checkout as it was."""
    if os.environ.get("PALAUTELUOKITIN_UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS
    folder = tmp_path / "screenshots"
    folder.mkdir()
    return folder


@pytest.fixture(scope="session")
def browser():
    """A real headless Chromium driven by Playwright; skip where it is not installed,
    fail instead when PALAUTELUOKITIN_REQUIRE_BROWSER=1 (CI)."""
    if not CHROMIUM.is_file():
        if os.environ.get("PALAUTELUOKITIN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium is required but {CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"Chromium not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """URL of a throwaway PostgreSQL database (PALAUTELUOKITIN_TEST_POSTGRES, set by .ci/run);
    skip where none is given, fail instead when PALAUTELUOKITIN_REQUIRE_POSTGRES=1."""
    url = os.environ.get("PALAUTELUOKITIN_TEST_POSTGRES")
    if not url:
        if os.environ.get("PALAUTELUOKITIN_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is required but PALAUTELUOKITIN_TEST_POSTGRES is not set")
        pytest.skip("no PostgreSQL server: set PALAUTELUOKITIN_TEST_POSTGRES to a database URL")
    return url
