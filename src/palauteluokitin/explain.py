"""Why a comment was flagged: the words and phrases that pushed its flag score up.

The flag head is a linear model over lemma n-grams and character n-grams, so each
feature's share of the score is its weight times its value in the comment. Lemma
n-gram shares go to the tokens they came from; when no lemma speaks for the flag,
character n-gram shares go to the words they lie in. The strongest words, joined with
their flagged neighbours into phrases, are what a reviewer sees ("huusi minulle;
nöyryyttävää").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

import numpy as np

from palauteluokitin.labels import FLAG

MAX_REASONS = 4
MIN_SHARE_OF_BEST = 0.3
MAX_REASON_CHARS = 60
WORD = re.compile(r"\S+")
EDGE_PUNCTUATION = ".,;:!?()[]{}\"'«»”“–—-…"


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
    """Finds the words behind a comment's flag score in a fitted `FeedbackClassifier`."""

    def __init__(self, classifier) -> None:
        features = classifier.features_
        self.lemma_text = features.lemma_text_
        self.word_vocabulary = features.word_vectorizer_.vocabulary_
        self.char_vocabulary = features.char_vectorizer_.vocabulary_
        self.char_range = tuple(features.char_vectorizer_.ngram_range)
        self.word_count = len(self.word_vocabulary)
        self.weights = head_weights(classifier.heads_[FLAG])

    def reasons(self, text: str, indices: np.ndarray, values: np.ndarray) -> list[str]:
        """Up to MAX_REASONS phrases of `text`, strongest first, from the text's feature
        vector given as its nonzero column `indices` and their `values`."""
        contribution = dict(zip(indices.tolist(), (values * self.weights[indices]).tolist(), strict=True))
        spans = self._lemma_spans(text, contribution)
        if not any(span.weight > 0 for span in spans):
            # Only character n-grams speak for the flag (unknown words, typos): slower to map.
            spans += self._word_spans(text, contribution)
        return self._phrases(text, spans)

    def _word_spans(self, text: str, contribution: dict) -> list[Span]:
        """Character n-gram shares, split evenly over the words each n-gram occurs in."""
        low, high = self.char_range
        words = list(WORD.finditer(text))
        occurrences: dict[int, list[int]] = {}
        for number, word in enumerate(words):
            padded = f" {word.group().lower()} "
            for size in range(low, high + 1):
                for start in range(max(len(padded) - size + 1, 1)):
                    index = self.char_vocabulary.get(padded[start : start + size])
                    if index is not None and self.word_count + index in contribution:
                        occurrences.setdefault(self.word_count + index, []).append(number)
        totals = np.zeros(len(words))
        for index, numbers in occurrences.items():
            weight = contribution[index] / len(numbers)
            for number in numbers:
                totals[number] += weight
        return [
            Span(word.start(), word.end(), float(total)) for word, total in zip(words, totals, strict=True)
        ]

    def _lemma_spans(self, text: str, contribution: dict) -> list[Span]:
        """Lemma unigram and bigram shares, given to the tokens they came from."""
        recent = getattr(self.lemma_text, "recent", {})
        tokens, lemmas = recent[text] if text in recent else self.lemma_text.tokens_and_lemmas(text)
        offsets, cursor = [], 0
        for token in tokens:
            start = text.find(token, cursor)
            start = cursor if start < 0 else start
            offsets.append((start, start + len(token)))
            cursor = start + len(token)
        weights = [0.0] * len(tokens)
        for position in range(len(tokens)):
            index = self.word_vocabulary.get(lemmas[position])
            weights[position] += contribution.get(index, 0.0) if index is not None else 0.0
            if position + 1 < len(tokens):
                index = self.word_vocabulary.get(f"{lemmas[position]} {lemmas[position + 1]}")
                if index is not None:
                    half = contribution.get(index, 0.0) / 2
                    weights[position] += half
                    weights[position + 1] += half
        return [Span(start, end, weight) for (start, end), weight in zip(offsets, weights, strict=True)]

    def _phrases(self, text: str, spans: list[Span]) -> list[str]:
        """Per whitespace word the summed weight; the strongest words grown into phrases."""
        words = list(WORD.finditer(text))
        totals = [0.0] * len(words)
        starts = [word.start() for word in words]
        for span in spans:
            number = bisect_right(starts, span.start) - 1
            if number >= 0:
                totals[number] += span.weight
        if not totals or max(totals) <= 0:
            return []
        cut = max(max(totals) * MIN_SHARE_OF_BEST, 1e-9)
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
            if phrase:
                phrases.append((max(totals[number : end + 1]), phrase[:MAX_REASON_CHARS]))
            number = end + 1
        phrases.sort(key=lambda item: -item[0])
        unique = list(dict.fromkeys(phrase for _, phrase in phrases))
        return unique[:MAX_REASONS]
