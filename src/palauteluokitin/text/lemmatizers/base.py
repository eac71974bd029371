"""The interface every lemmatiser backend implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence

from palauteluokitin.text.lemmatizers.colloquial import spelling_variants

MAX_WORD_LENGTH = 200  # beyond this a token (a URL, keyboard mashing) is its own lemma
MAX_CACHED_WORDS = 200_000


def is_punct_or_number(token: str) -> bool:
    """True for tokens whose lemma is the token itself: punctuation, digits, symbols."""
    return not any(char.isalpha() for char in token)


class Lemmatizer(ABC):
    """Maps tokens to lemmas. Subclasses are cheap to construct: heavy resources
    (dictionaries, native handles, models) load on first use and are never pickled."""

    name: str = ""

    def __init__(self) -> None:
        self._word_cache: dict[str, str] = {}

    @abstractmethod
    def _lemmatize_word(self, word: str) -> str:
        """Lemma of one lower-cased word out of context."""

    def check_available(self) -> None:  # noqa: B027 - most backends need no check
        """Raise BackendUnavailableError with a fix when this backend cannot run here."""

    def load(self) -> None:
        """Load the resources now rather than on first use (to time loading apart from work)."""
        self.check_available()
        self._lemmatize_word("hoitaja")  # not cached: lemmatising input afterwards starts afresh

    def lemmatize_tokens(self, tokens: Sequence[str]) -> list[str]:
        """Lemmas for the tokens of one sentence or comment, in order."""
        return [self.lemmatize_word(token) for token in tokens]

    def lemmatize_word(self, token: str) -> str:
        """Lemma of one token; cached, since feedback repeats its words."""
        if is_punct_or_number(token):
            return token
        word = token.lower()
        if len(word) > MAX_WORD_LENGTH:
            return word
        lemma = self._word_cache.get(word)
        if lemma is None:
            if len(self._word_cache) > MAX_CACHED_WORDS:  # flat memory over millions of rows
                self._word_cache.clear()
            lemma = self._lemmatize_word(word)
            self._word_cache[word] = lemma
        return lemma

    def lemmatize_sentences(self, sentences: Iterable[Sequence[str]]) -> Iterable[list[str]]:
        for tokens in sentences:
            yield self.lemmatize_tokens(tokens)

    def __getstate__(self) -> dict:
        """Only the constructor parameters: caches and native handles are rebuilt lazily."""
        return {key: value for key, value in self.__dict__.items() if not key.startswith("_")}

    def __setstate__(self, state: dict) -> None:
        self.__init__(**state)


def first_known(word: str, is_known) -> str | None:
    """The word itself or its first standard spelling that `is_known` accepts."""
    if is_known(word):
        return word
    for variant in spelling_variants(word):
        if is_known(variant):
            return variant
    return None


class BatchLemmatizer(Lemmatizer):
    """A backend that lemmatises whole sentences at once (a neural pipeline)."""

    @abstractmethod
    def _lemmatize_batch(self, sentences: list[list[str]]) -> Iterable[list[str]]:
        """Lemmas for each sentence of a batch."""

    def _lemmatize_word(self, word: str) -> str:
        return self.lemmatize_tokens([word])[0]

    def lemmatize_tokens(self, tokens: Sequence[str]) -> list[str]:
        return next(iter(self.lemmatize_sentences([tokens])))

    def lemmatize_sentences(self, sentences: Iterable[Sequence[str]]) -> Iterable[list[str]]:
        """Overlong tokens stand in as "_" and come back as their own lemma: pipelines
        slow down badly on megabyte-long tokens."""
        originals = [list(tokens) for tokens in sentences]
        shortened = [["_" if len(t) > MAX_WORD_LENGTH else t for t in tokens] for tokens in originals]
        for tokens, lemmas in zip(originals, self._lemmatize_batch(shortened), strict=True):
            yield [
                t.lower() if len(t) > MAX_WORD_LENGTH else lemma
                for t, lemma in zip(tokens, lemmas, strict=True)
            ]
