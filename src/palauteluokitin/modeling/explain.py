"""Why a comment was flagged: the words and phrases that pushed its flag score up.

The flag head is a linear model over lemma n-grams and character n-grams, so each
feature's share of the score is its weight times its value in the comment. Lemma
n-gram shares go to the tokens they came from; when no lemma speaks for the flag,
character n-gram shares go to the words they lie in. The strongest words, joined with
their flagged neighbours into phrases, are what a reviewer sees ("huusi minulle;
nöyryyttävää"). A phrase must hold a content word: pronouns, conjunctions, particles,
interjections, auxiliaries and reporting verbs (sanoa, kertoa, kuulemma…), in Finnish —
written or spoken (ku, mä, sa, niinku, tää) — Swedish or English, say nothing of what
happened, so they neither make a reason alone nor set how strong a reason must be. A word
is a content word when neither its lemma nor its written form is one of them, and the
lexicon's likeliest reading of its written form is no pronoun, conjunction, negation verb
or interjection.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

import numpy as np
from spacy.lang.en.stop_words import STOP_WORDS as ENGLISH_STOP_WORDS
from spacy.lang.fi.stop_words import STOP_WORDS
from spacy.lang.sv.stop_words import STOP_WORDS as SWEDISH_STOP_WORDS

from palauteluokitin.modeling.compiled import NEGATED
from palauteluokitin.text.lemmatizers.lexicon_file import open_lexicon

MAX_REASONS = 4
MIN_SHARE_OF_BEST = 0.3
MAX_REASON_CHARS = 60
WORD = re.compile(r"\S+")
EDGE_PUNCTUATION = ".,;:!?()[]{}\"'«»”“–—-…"
REPORTING_VERBS = frozenset(
    "sanoa sano kertoa kysyä vastata todeta puhua mainita kuulemma "
    "sade sa frågade berättade svarade said says told asked answered".split()
)
# Spoken and texted forms the lexicon does not know as function words (ku = kun, sa = sä).
SPOKEN_FUNCTION_WORDS = frozenset(
    "ku sa ma mä sä hä nii niinku niinkuin sit mut vaa vaan et ettei toi noi tää nää ton tost tota "
    "noa noit joo juu jep okei ok oi ai hei moi no nyt".split()
)
# Swedish and English comments are lemmatised as Finnish: their function words are listed as written.
FUNCTION_LEMMAS = (
    frozenset(STOP_WORDS) | SWEDISH_STOP_WORDS | ENGLISH_STOP_WORDS | REPORTING_VERBS | SPOKEN_FUNCTION_WORDS
)
FUNCTION_CLASSES = frozenset({"asemosana", "sidesana", "kieltosana", "huudahdussana"})


@lru_cache(maxsize=100_000)
def is_content_lemma(lemma: str) -> bool:
    """A lemma or written word that can say what happened: has a letter, is no function
    word or reporting verb, and its likeliest reading is no pronoun, conjunction, negation
    verb or interjection."""
    lemma = lemma.removeprefix(NEGATED).lower()
    if not any(character.isalpha() for character in lemma) or lemma in FUNCTION_LEMMAS:
        return False
    readings = open_lexicon().readings(lemma)
    return not readings or max(readings, key=lambda reading: reading.score).word_class not in FUNCTION_CLASSES


def token_offsets(text: str, tokens: list[str]) -> list[tuple[int, int]]:
    """Where each token lies in `text` (tokens are in order; a token not found keeps the cursor)."""
    offsets, cursor = [], 0
    for token in tokens:
        start = text.find(token, cursor)
        start = cursor if start < 0 else start
        offsets.append((start, start + len(token)))
        cursor = start + len(token)
    return offsets


class FlagExplainer:
    """Finds the words behind the flag scores of a `CompiledClassifier`."""

    def __init__(self, classifier) -> None:
        self.features = classifier.features
        self.weights = classifier.heads.flag_weights

    def reasons(self, analysis, position: int) -> list[str]:
        """Up to MAX_REASONS phrases of the text at `position` of an `Analysis`, strongest first."""
        features = analysis.features
        text = features.texts[position]
        indices, values = features.row(position)
        lemma_part = indices < self.features.n_word_features  # the lemma n-grams come first
        contribution = self._contribution(indices[lemma_part], values[lemma_part])
        tokens, lemmas = features.tokens[position], features.lemmas[position]
        offsets = token_offsets(text, tokens)
        words = list(WORD.finditer(text))
        starts = [word.start() for word in words]
        token_words = [bisect_right(starts, start) - 1 for start, _ in offsets]
        totals = [0.0] * len(words)
        spoke = False
        for number, weight in zip(
            token_words, self._lemma_weights(lemmas, len(tokens), contribution), strict=True
        ):
            if number >= 0 and weight:
                totals[number] += weight
                spoke = spoke or weight > 0
        if not spoke:
            # Only character n-grams speak for the flag (unknown words, typos): slower to map.
            char_contribution = self._contribution(indices, values)
            for number, weight in enumerate(self._char_weights(words, char_contribution)):
                totals[number] += weight
        content = [False] * len(words)
        for number, token, lemma in zip(token_words, tokens, lemmas, strict=False):
            if number >= 0 and is_content_lemma(lemma) and is_content_lemma(token):
                content[number] = True
        return _phrases(text, words, totals, content)

    def _contribution(self, indices: np.ndarray, values: np.ndarray) -> dict[int, float]:
        """Column -> its share of the flag score (weight times value) in one comment."""
        return dict(zip(indices.tolist(), (values * self.weights[indices]).tolist(), strict=True))

    def _lemma_weights(self, lemmas: list[str], count: int, contribution: dict) -> list[float]:
        """Per token its lemma unigram's share and half of each lemma bigram's it is in."""
        column = self.features.words.get
        weights = [0.0] * count
        for position in range(count):
            index = column(lemmas[position])
            if index is not None:
                weights[position] += contribution.get(index, 0.0)
            if position + 1 < count:
                index = column(f"{lemmas[position]} {lemmas[position + 1]}")
                if index is not None:
                    half = contribution.get(index, 0.0) / 2
                    weights[position] += half
                    weights[position + 1] += half
        return weights

    def _char_weights(self, words: list[re.Match], contribution: dict) -> np.ndarray:
        """Per word the character n-gram shares, each split evenly over the words it occurs in."""
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
        return totals


def _phrases(text: str, words: list[re.Match], totals: list[float], content: list[bool]) -> list[str]:
    """The strongest whitespace words (by summed weight) grown into phrases, each holding
    at least one content word."""
    best = max((total for total, is_content in zip(totals, content, strict=True) if is_content), default=0)
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
