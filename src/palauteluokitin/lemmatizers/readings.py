"""Lemmatisers that choose among a word's readings with priors and context rules.

A subclass says how to find the readings of a word (`_analyse`) and how to guess them
for an unknown word (`_guess`); choosing one reading per token is shared.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

from palauteluokitin.lemmatizers.base import Lemmatizer, is_punct_or_number
from palauteluokitin.lemmatizers.colloquial import spelling_variants

NEGATION_BONUS = 3.0
IMPERATIVE_PENALTY = 1.5


@dataclass(frozen=True, slots=True)
class Reading:
    """One analysis of a word, with its UD-style lemma and an out-of-context score."""

    lemma: str
    word_class: str
    score: float
    connegative: bool = False
    compound_parts: tuple[str, ...] = ()


class ReadingLemmatizer(Lemmatizer):
    """Finds each word's readings, then picks one per token from its context."""

    def __init__(self) -> None:
        super().__init__()
        self._readings: dict[str, tuple[Reading, ...]] = {}
        self._guesses: dict[tuple[str, bool], tuple[Reading, ...]] = {}

    @abstractmethod
    def _analyse(self, word: str) -> tuple[Reading, ...]:
        """Readings of a lower-cased word the dictionary knows, best first; () if unknown."""

    @abstractmethod
    def _guess(self, word: str, may_be_name: bool) -> tuple[Reading, ...]:
        """Readings guessed for an unknown lower-cased word (a typo, a new compound)."""

    def readings(self, word: str, may_be_name: bool = False) -> tuple[Reading, ...]:
        """All readings of a lower-cased word, best first. An unknown word is tried in its
        standard spellings, then guessed."""
        found = self._readings.get(word)
        if found is None:
            found = self._analyse(word)
            for variant in () if found else spelling_variants(word):
                found = self._analyse(variant)
                if found:
                    break
            self._readings[word] = found
        if not found:
            key = (word, may_be_name)
            found = self._guesses.get(key)
            if found is None:
                found = self._guesses[key] = self._guess(word, may_be_name)
        return found

    def _lemmatize_word(self, word: str) -> str:
        readings = self.readings(word)
        return readings[0].lemma.lower() if readings else word

    def lemmatize_tokens(self, tokens: Sequence[str]) -> list[str]:
        lowered = [token.lower() for token in tokens]
        options = [
            () if is_punct_or_number(token) else self.readings(word, _may_be_name(token, index))
            for index, (token, word) in enumerate(zip(tokens, lowered, strict=True))
        ]
        lemmas = []
        for index, (token, word, readings) in enumerate(zip(tokens, lowered, options, strict=True)):
            if not readings:
                lemmas.append(token if is_punct_or_number(token) else word)
                continue
            best = choose_reading(word, readings, options, index)
            lemmas.append(best.lemma.lower())
        return lemmas

    def compound_parts(self, token: str) -> list[str]:
        """Lexical parts of a compound word, or [] for a simple word."""
        readings = self.readings(token.lower())
        return list(readings[0].compound_parts) if readings else []


def choose_reading(word: str, readings, options, index: int) -> Reading:
    """The best reading of the word at `index`, looking at its neighbours."""
    if len(readings) == 1:
        return readings[0]
    previous = options[index - 1] if index > 0 else ()
    previous_classes = {r.word_class for r in previous[:1]}
    following = options[index + 1 : index + 4]

    def context_score(reading: Reading) -> float:
        score = reading.score
        if "kieltosana" in previous_classes and reading.word_class == "teonsana":
            score += NEGATION_BONUS + (IMPERATIVE_PENALTY if reading.connegative else 0.0)
        if "lukusana" in previous_classes and reading.word_class == "nimisana":
            score += 1.5
        if reading.word_class == "kieltosana" and word == "et":
            has_connegative = any(r.connegative for rs in following for r in rs)
            score += 0.0 if has_connegative else -5.0
        return score

    return max(readings, key=context_score)


def _may_be_name(token: str, index: int) -> bool:
    """A capitalised word inside a sentence is likely a name, not a typo of a common word."""
    return index > 0 and token[:1].isupper() and not token.isupper()
