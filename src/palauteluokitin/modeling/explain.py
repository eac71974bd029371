"""Why a comment was flagged: the words and phrases that pushed its flag score up.

The flag head is a linear model over lemma n-grams and character n-grams, so each
feature's share of the score is its weight times its value in the comment. Lemma
n-gram shares go to the tokens they came from; when no lemma speaks for the flag,
character n-gram shares go to the words they lie in. The strongest words, joined with
their flagged neighbours into phrases, are what a reviewer sees ("huusi minulle;
nöyryyttävää"). A phrase must hold a content word: pronouns, conjunctions, particles,
auxiliaries and reporting verbs (sanoa, kertoa…), in Finnish, Swedish or English, say
nothing of what happened, so they neither make a reason alone nor set how strong a
reason must be; a word is a content word when neither its lemma nor its written form is
one of them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from spacy.lang.en.stop_words import STOP_WORDS as ENGLISH_STOP_WORDS
from spacy.lang.fi.stop_words import STOP_WORDS
from spacy.lang.sv.stop_words import STOP_WORDS as SWEDISH_STOP_WORDS

from palauteluokitin.labels import FLAG
from palauteluokitin.modeling.features import NEGATED

MAX_REASONS = 4
MIN_SHARE_OF_BEST = 0.3
MAX_REASON_CHARS = 60
WORD = re.compile(r"\S+")
EDGE_PUNCTUATION = ".,;:!?()[]{}\"'«»”“–—-…"
REPORTING_VERBS = frozenset({"sanoa", "sano", "kertoa", "kysyä", "vastata", "todeta", "puhua", "mainita"})
# Swedish and English comments are lemmatised as Finnish: their function words are listed as written.
FUNCTION_LEMMAS = frozenset(STOP_WORDS) | SWEDISH_STOP_WORDS | ENGLISH_STOP_WORDS | REPORTING_VERBS


@lru_cache(maxsize=100_000)
def is_content_lemma(lemma: str) -> bool:
    """A lemma that can say what happened: has a letter, is no function word or reporting verb."""
    lemma = lemma.removeprefix(NEGATED).lower()
    return any(character.isalpha() for character in lemma) and lemma not in FUNCTION_LEMMAS


def token_offsets(text: str, tokens: list[str]) -> list[tuple[int, int]]:
    """Where each token lies in `text` (tokens are in order; a token not found keeps the cursor)."""
    offsets, cursor = [], 0
    for token in tokens:
        start = text.find(token, cursor)
        start = cursor if start < 0 else start
        offsets.append((start, start + len(token)))
        cursor = start + len(token)
    return offsets


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    weight: float


def head_weights(head) -> np.ndarray:
    """Mean coefficients of a calibrated head's fold models (one linear model if not calibrated)."""
    estimators = [fold.estimator for fold in getattr(head, "calibrated_classifiers_", [])] or [head]
    return np.mean([estimator.coef_[0] for estimator in estimators], axis=0)


class FlagExplainer:
    """Finds the words behind the flag scores of a fitted `FeedbackClassifier`."""

    def __init__(self, classifier) -> None:
        self.features = classifier.features_
        self.weights = head_weights(classifier.heads_[FLAG])

    def reasons(self, analysis, position: int) -> list[str]:
        """Up to MAX_REASONS phrases of the text at `position` of an `Analysis`, strongest first."""
        features = analysis.features
        text = features.texts[position]
        indices, values = features.row(position)
        contribution = dict(zip(indices.tolist(), (values * self.weights[indices]).tolist(), strict=True))
        tokens, lemmas = features.tokens[position], features.lemmas[position]
        offsets = token_offsets(text, tokens)
        spans = self._lemma_spans(offsets, lemmas, contribution)
        if not any(span.weight > 0 for span in spans):
            # Only character n-grams speak for the flag (unknown words, typos): slower to map.
            spans += self._word_spans(text, contribution)
        content = [
            start
            for (start, _), token, lemma in zip(offsets, tokens, lemmas, strict=False)
            if is_content_lemma(lemma) and is_content_lemma(token)
        ]
        return self._phrases(text, spans, content)

    def _word_spans(self, text: str, contribution: dict) -> list[Span]:
        """Character n-gram shares, split evenly over the words each n-gram occurs in."""
        words = list(WORD.finditer(text))
        occurrences: dict[int, list[int]] = {}
        for number, word in enumerate(words):
            for column in self.features.char_columns(word.group()):
                if column in contribution:
                    occurrences.setdefault(column, []).append(number)
        totals = np.zeros(len(words))
        for column, numbers in occurrences.items():
            weight = contribution[column] / len(numbers)
            for number in numbers:
                totals[number] += weight
        return [
            Span(word.start(), word.end(), float(total)) for word, total in zip(words, totals, strict=True)
        ]

    def _lemma_spans(
        self, offsets: list[tuple[int, int]], lemmas: list[str], contribution: dict
    ) -> list[Span]:
        """Lemma unigram and bigram shares, given to the tokens they came from."""
        column = self.features.word_column
        weights = [0.0] * len(offsets)
        for position in range(len(offsets)):
            index = column(lemmas[position])
            weights[position] += contribution.get(index, 0.0) if index is not None else 0.0
            if position + 1 < len(offsets):
                index = column(f"{lemmas[position]} {lemmas[position + 1]}")
                if index is not None:
                    half = contribution.get(index, 0.0) / 2
                    weights[position] += half
                    weights[position + 1] += half
        return [Span(start, end, weight) for (start, end), weight in zip(offsets, weights, strict=True)]

    def _phrases(self, text: str, spans: list[Span], content_starts: list[int]) -> list[str]:
        """Per whitespace word the summed weight; the strongest words grown into phrases,
        each holding at least one content word (one starting at `content_starts`)."""
        words = list(WORD.finditer(text))
        totals = [0.0] * len(words)
        starts = [word.start() for word in words]
        for span in spans:
            number = bisect_right(starts, span.start) - 1
            if number >= 0:
                totals[number] += span.weight
        content = [False] * len(words)
        for start in content_starts:
            if (number := bisect_right(starts, start) - 1) >= 0:
                content[number] = True
        best = max(
            (total for total, is_content in zip(totals, content, strict=True) if is_content), default=0
        )
        if best <= 0:
            return []
        cut = max(best * MIN_SHARE_OF_BEST, 1e-9)
        strong = [total >= cut for total in totals]
        phrases: list[tuple[float, str]] = []
        number = 0
        while number < len(words):
            if not strong[number]:
                number += 1
                continue
            end = number
            while end + 1 < len(words) and strong[end + 1]:
                end += 1
            phrase = text[words[number].start() : words[end].end()].strip(EDGE_PUNCTUATION)
            if phrase and any(content[number : end + 1]):
                phrases.append((max(totals[number : end + 1]), phrase[:MAX_REASON_CHARS]))
            number = end + 1
        phrases.sort(key=lambda item: -item[0])
        unique = list(dict.fromkeys(phrase for _, phrase in phrases))
        return unique[:MAX_REASONS]
