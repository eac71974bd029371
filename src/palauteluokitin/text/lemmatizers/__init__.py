"""Lemmatiser backends, chosen by a plain name (a scikit-learn and MLflow parameter)."""

from __future__ import annotations

from functools import cache

from palauteluokitin.errors import BackendUnavailableError, UnknownBackendError
from palauteluokitin.text.lemmatizers.base import Lemmatizer

DEFAULT_BACKEND = "lexicon"


def _simplemma():
    from palauteluokitin.text.lemmatizers.simplemma_backend import SimplemmaLemmatizer

    return SimplemmaLemmatizer


def _voikko():
    from palauteluokitin.text.lemmatizers.voikko import VoikkoLemmatizer

    return VoikkoLemmatizer


def _lexicon():
    from palauteluokitin.text.lemmatizers.lexicon import LexiconLemmatizer

    return LexiconLemmatizer


def _spacy_fi():
    from palauteluokitin.text.lemmatizers.spacy_fi import SpacyFiLemmatizer

    return SpacyFiLemmatizer


def _stanza():
    from palauteluokitin.text.lemmatizers.stanza_backend import StanzaLemmatizer

    return StanzaLemmatizer


BACKENDS = {
    "simplemma": _simplemma,
    "voikko": _voikko,
    "lexicon": _lexicon,
    "spacy-fi": _spacy_fi,
    "stanza": _stanza,
}


def get_lemmatizer(name: str = DEFAULT_BACKEND, **options) -> Lemmatizer:
    """A lemmatiser by backend name. Resources load on first use, not here."""
    try:
        factory = BACKENDS[name]
    except KeyError:
        known = ", ".join(sorted(BACKENDS))
        raise UnknownBackendError(f"Unknown lemmatiser backend {name!r}; choose one of: {known}.") from None
    return factory()(**options)


@cache
def shared_lemmatizer(name: str = DEFAULT_BACKEND) -> Lemmatizer:
    """One lemmatiser per backend name for the whole process, with default options: its
    resources and word cache are loaded once, however many models use it."""
    return get_lemmatizer(name)


def available_backends() -> dict[str, str | None]:
    """Each backend name mapped to None when it works here, else the reason it does not."""
    status: dict[str, str | None] = {}
    for name in BACKENDS:
        try:
            get_lemmatizer(name).check_available()
        except BackendUnavailableError as error:
            status[name] = str(error)
        else:
            status[name] = None
    return status


__all__ = [
    "BACKENDS",
    "DEFAULT_BACKEND",
    "Lemmatizer",
    "available_backends",
    "get_lemmatizer",
    "shared_lemmatizer",
]
