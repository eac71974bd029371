"""Lemmatisers that choose among a word's readings with priors and context rules.

A subclass says how to find the readings of a word (`_analyse`) and how to guess them
for an unknown word (`_guess`); choosing one reading per token is shared.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import replace
from functools import cached_property

from palauteluokitin.text.lemmatizers.base import MAX_WORD_LENGTH, Lemmatizer, is_punct_or_number
from palauteluokitin.text.lemmatizers.colloquial import spelling_variants
from palauteluokitin.text.lemmatizers.lexicon_file import Reading, open_lexicon

NEGATION_BONUS = 3.0
# Conjunctions that are also pronoun forms: "sillä" after a comma means "because".
CLAUSE_CONJUNCTIONS = frozenset({"sillä"})
LEMMA_PRIOR_WEIGHT = 0.15
LOG_FREQUENCY_FLOOR = -22.0
MIN_TAIL, MIN_HEAD = 4, 3
MAX_GUESS_LENGTH = 60  # longer "words" are junk (URLs, keyboard mashing); guessing them costs time
TAIL_CLASSES = frozenset({"nimisana", "laatusana", "nimisana_laatusana", "teonsana"})
IMPERATIVE_PENALTY = 1.5
MAX_REMEMBERED_TOKENS = 200_000


class ReadingLemmatizer(Lemmatizer):
    """Finds each word's readings, then picks one per token from its context."""

    def __init__(self) -> None:
        super().__init__()
        self._readings: dict[str, tuple[Reading, ...]] = {}
        self._guesses: dict[tuple[str, bool], tuple[Reading, ...]] = {}
        self._tokens: dict[str, tuple] = {}

    @abstractmethod
    def _analyse(self, word: str) -> tuple[Reading, ...]:
        """Readings of a lower-cased word the dictionary knows, best first; () if unknown."""

    @abstractmethod
    def _guess(self, word: str, may_be_name: bool) -> tuple[Reading, ...]:
        """Readings guessed for an unknown lower-cased word (a typo, a new compound)."""

    def readings(self, word: str, may_be_name: bool = False) -> tuple[Reading, ...]:
        """All readings of a lower-cased word, best first. An unknown word is tried in its
        standard spellings (unless it may be a name), then guessed."""
        if len(word) > MAX_WORD_LENGTH:
            return ()
        found = self._readings.get(word)
        if found is None:
            if len(self._readings) > MAX_REMEMBERED_TOKENS:  # flat memory over millions of rows
                self._readings.clear()
                self._guesses.clear()
            found = self._readings[word] = self._with_lemma_prior(self._analyse(word))
        if found:
            return found
        key = (word, may_be_name)
        found = self._guesses.get(key)
        if found is None:
            found = () if may_be_name else self._known_spelling(word)
            found = self._guesses[key] = self._with_lemma_prior(found or self._guess(word, may_be_name))
        return found

    def _known_spelling(self, word: str) -> tuple[Reading, ...]:
        """Readings of the first standard spelling of `word` that the dictionary knows."""
        for variant in spelling_variants(word):
            found = self._analyse(variant)
            if found:
                return found
        return ()

    @cached_property
    def _shipped_lexicon(self):
        """The lexicon file shipped in the package: lemma frequencies and ending rules."""
        return open_lexicon()

    @cached_property
    def _lemma_log_frequency(self) -> dict[str, float]:
        """Lemma -> natural log of its share of Finnish web text."""
        return self._shipped_lexicon.lemma_log_frequencies()

    def _guess_unknown(self, word: str, may_be_name: bool) -> tuple[Reading, ...]:
        """Readings of an unknown word from its parts: a hyphenated word or a compound by
        its last part, an abbreviation with a case ending (EU:n), else its ending."""
        head, sep, tail = word.rpartition("-")
        if sep and head and tail:
            return _prefixed(head + sep, self.readings(tail))
        head, sep, _ = word.partition(":")
        if sep and head:
            return (Reading(head, "lyhenne", 0.0),)
        if not word.isalpha() or len(word) > MAX_GUESS_LENGTH:
            return ()
        for start in range(MIN_HEAD, len(word) - MIN_TAIL + 1):
            tail_readings = tuple(r for r in self._analyse(word[start:]) if r.word_class in TAIL_CLASSES)
            if tail_readings:
                return _prefixed(word[:start], tail_readings)
        # A name's lone final -n may be its own letter (Theron, Nissan), not a case ending.
        return self._shipped_lexicon.suffix_rule(word, min_strip=2 if may_be_name else 0)

    def _with_lemma_prior(self, readings: tuple[Reading, ...]) -> tuple[Reading, ...]:
        """Readings re-scored by how common their lemma is, best first."""
        if len(readings) < 2:
            return readings
        frequency = self._lemma_log_frequency
        rescored = (
            replace(
                r,
                score=r.score
                + LEMMA_PRIOR_WEIGHT
                * (frequency.get(r.lemma.lower(), LOG_FREQUENCY_FLOOR) - LOG_FREQUENCY_FLOOR),
            )
            for r in readings
        )
        return tuple(sorted(rescored, key=lambda r: -r.score))

    def _lemmatize_word(self, word: str) -> str:
        readings = self.readings(word)
        return readings[0].lemma.lower() if readings else word

    def lemmatize_tokens(self, tokens: Sequence[str]) -> list[str]:
        entries = [self._token_entry(token) for token in tokens]
        # A capitalised word may be a name, except where it opens the text.
        options = [entry[1] if index else entry[0] for index, entry in enumerate(entries)]
        lemmas = []
        for index, entry in enumerate(entries):
            lemma = entry[3] if index else entry[2]
            if lemma is None:
                word = tokens[index].lower()
                lemma = choose_reading(word, options[index], options, index, tokens).lemma.lower()
            lemmas.append(lemma)
        return lemmas

    def _token_entry(self, token: str) -> tuple:
        """(readings opening a text, readings inside one, and for each the lemma when the
        readings leave no choice, else None), remembered per token."""
        entry = self._tokens.get(token)
        if entry is None:
            if is_punct_or_number(token):
                entry = ((), (), token, token)
            else:
                word = token.lower()
                opening = self.readings(word)
                inside = self.readings(word, True) if _may_be_name(token, 1) else opening
                entry = (opening, inside, _sole_lemma(opening, word), _sole_lemma(inside, word))
            if len(self._tokens) > MAX_REMEMBERED_TOKENS:
                self._tokens.clear()
            self._tokens[token] = entry
        return entry

    def compound_parts(self, token: str) -> list[str]:
        """Lexical parts of a compound word, or [] for a simple word."""
        readings = self.readings(token.lower())
        return list(readings[0].compound_parts) if readings else []


def choose_reading(word: str, readings, options, index: int, tokens: Sequence[str]) -> Reading:
    """The best reading of the word at `index`, looking at its neighbours."""
    if len(readings) == 1:
        return readings[0]
    previous = options[index - 1] if index > 0 else ()
    after_comma = index > 0 and tokens[index - 1] == ","
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
        if reading.word_class == "sidesana" and word in CLAUSE_CONJUNCTIONS:
            score += 10.0 if after_comma else -10.0
        return score

    return max(readings, key=context_score)


def _sole_lemma(readings: tuple[Reading, ...], word: str) -> str | None:
    """The lemma when there is no reading to choose from: the only one, or the word itself."""
    if len(readings) > 1:
        return None
    return readings[0].lemma.lower() if readings else word


def _may_be_name(token: str, index: int) -> bool:
    """A capitalised word inside a sentence is likely a name, not a typo of a common word."""
    return index > 0 and token[:1].isupper() and not token.isupper()


def _prefixed(head: str, readings: tuple[Reading, ...]) -> tuple[Reading, ...]:
    """Readings of a compound's last part with the head put in front of each lemma."""
    head_part = head.rstrip("-")
    return tuple(
        Reading(
            head + r.lemma.lower(),
            r.word_class,
            r.score,
            r.connegative,
            (head_part, *(r.compound_parts or (r.lemma.lower(),))),
        )
        for r in readings
    )
