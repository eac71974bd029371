"""One spaCy `Doc` API over every backend: spaCy's Finnish tokenizer plus our lemmatiser.

`make_nlp("voikko")` gives a pipeline whose tokens carry `lemma_` from the chosen
backend and `._.compound_parts` where the backend knows them (voikko).
"""

from __future__ import annotations

from functools import lru_cache

from palauteluokitin.text.lemmatizers import DEFAULT_BACKEND, get_lemmatizer

COMPONENT = "palauteluokitin_lemmatizer"


def _register() -> None:
    from spacy.language import Language
    from spacy.tokens import Token

    if not Token.has_extension("compound_parts"):
        Token.set_extension("compound_parts", default=None)
    if COMPONENT in Language.factories:
        return

    @Language.factory(COMPONENT, default_config={"backend": DEFAULT_BACKEND})
    def make_component(nlp, name: str, backend: str):
        return LemmatizerComponent(backend)


class LemmatizerComponent:
    """A spaCy pipeline component that sets lemmas with a palauteluokitin backend."""

    def __init__(self, backend: str) -> None:
        self.backend = backend
        self.lemmatizer = get_lemmatizer(backend)

    def __call__(self, doc):
        words = [token.text for token in doc]
        lemmas = self.lemmatizer.lemmatize_tokens(words)
        compound_parts = getattr(self.lemmatizer, "compound_parts", None)
        for token, lemma in zip(doc, lemmas, strict=True):
            token.lemma_ = lemma
            if compound_parts is not None and not token.is_punct:
                token._.compound_parts = compound_parts(token.text) or None
        return doc


MAX_VOCABULARY = 200_000


@lru_cache(maxsize=1)
def finnish_tokenizer():
    """spaCy's rule-based Finnish tokenizer (no model needed)."""
    import spacy

    return spacy.blank("fi").tokenizer


@lru_cache(maxsize=1)
def _glued_special_cases() -> frozenset[str]:
    """Special cases with punctuation in them (":)", "(-:"): glued to a word, they are the
    one thing spaCy may split differently depending on the text around the piece."""
    return frozenset(rule for rule in finnish_tokenizer().rules if not rule.isalnum())


@lru_cache(maxsize=200_000)
def _piece_tokens(piece: str) -> tuple[tuple[str, ...], bool]:
    """The tokens of a whitespace-free piece, and whether they may depend on its context."""
    if len(finnish_tokenizer().vocab) > MAX_VOCABULARY:
        finnish_tokenizer.cache_clear()  # spaCy keeps every string it has seen: start afresh
    tokenizer = finnish_tokenizer()
    if piece.isalpha() and piece not in tokenizer.rules:
        return (piece,), False  # only a special case ("ettei") or punctuation splits a word
    tokens = tuple(token.text for token in tokenizer(piece))
    return tokens, len(tokens) > 1 and not _glued_special_cases().isdisjoint(tokens)


def tokenize(text: str) -> list[str]:
    """Tokens of a text, split as spaCy's Finnish tokenizer splits them. spaCy splits at
    whitespace first and tokenizes each piece on its own, so pieces are tokenized once and
    remembered (feedback repeats its words); a text with a piece that may depend on its
    context goes through spaCy whole."""
    tokens: list[str] = []
    for piece in text.split():
        piece_tokens, context_dependent = _piece_tokens(piece)
        if context_dependent:
            return [token.text for token in finnish_tokenizer()(text) if not token.is_space]
        tokens += piece_tokens
    return tokens


def make_nlp(backend: str = DEFAULT_BACKEND):
    """A spaCy pipeline: Finnish tokenizer and the named lemmatiser backend."""
    import spacy

    _register()
    nlp = spacy.blank("fi")
    nlp.add_pipe(COMPONENT, config={"backend": backend})
    return nlp
