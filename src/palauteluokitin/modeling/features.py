"""Text features for the classifiers: lemma n-grams with negation scope, character n-grams.

`FeedbackFeatures` is a scikit-learn transformer whose parameters are plain values
(the lemmatiser is a backend *name*), so `clone`, grid search and MLflow logging work.
`analyse` gives the feature matrix together with the tokens and lemmas it was made
from, which is what explanations need; `transform` is its matrix.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable

from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from palauteluokitin.modeling.compiled import (  # lemma_terms: pickled models name it here
    NEGATED,
    CompiledFeatures,
    TextFeatures,
    is_handle,
    lemma_terms,
    mark_negation,
    tokens_and_terms,
    word_char_ngrams,
)

__all__ = ["NEGATED", "CharNgrams", "FeedbackFeatures", "TextFeatures", "lemma_terms", "mark_negation"]


class CharNgrams:
    """Analyzer for a vectoriser: scikit-learn's `char_wb` n-grams of the lower-cased text,
    cached per word (feedback repeats its words; cutting them is pure Python), without
    the words that are @mentions."""

    def __init__(self, ngram_range: tuple[int, int] = (2, 5)) -> None:
        self.ngram_range = tuple(ngram_range)

    def __call__(self, text: str) -> list[str]:
        low, high = self.ngram_range
        return [
            gram
            for word in text.lower().split()
            if not is_handle(word)
            for gram in word_char_ngrams(word, low, high)
        ]

    def __repr__(self) -> str:
        return f"CharNgrams({self.ngram_range!r})"


# Compiled once per fitted features object, outside it: transforming must not change the estimator.
_compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class FeedbackFeatures(TransformerMixin, BaseEstimator):
    """TF-IDF of lemma word n-grams (optionally negation-marked, with compound parts)
    beside TF-IDF of character n-grams of the lower-cased text; with `sentence_vectors`
    > 0, also e5 sentence vectors scaled by that weight (the columns after the n-grams)."""

    sentence_vectors = 0.0  # the default for models pickled before the parameter existed

    def __init__(
        self,
        lemmatizer: str = "lexicon",
        word_ngrams: tuple[int, int] = (1, 2),
        char_ngrams: tuple[int, int] = (2, 5),
        negation: bool = False,
        compound_parts: bool = False,
        min_df: int = 2,
        max_features: int | None = 200_000,
        redact_vocabulary: bool = True,
        sentence_vectors: float = 0.0,
    ) -> None:
        self.lemmatizer = lemmatizer
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.negation = negation
        self.compound_parts = compound_parts
        self.min_df = min_df
        self.max_features = max_features
        self.redact_vocabulary = redact_vocabulary
        self.sentence_vectors = sentence_vectors

    def fit(self, texts, y=None):
        """Learn the vocabularies. With `redact_vocabulary`, from the texts with personal
        data replaced, so that no name or identity code becomes a feature that a model
        file (and MLflow) would carry; unknown words are simply absent when transforming."""
        texts = list(texts)
        _compiled.pop(self, None)
        if self.redact_vocabulary:
            from palauteluokitin.privacy.redact import redact

            texts = [redact(text) for text in texts]
        self.word_vectorizer_ = TfidfVectorizer(
            tokenizer=lemma_terms,
            token_pattern=None,
            lowercase=False,
            ngram_range=tuple(self.word_ngrams),
            min_df=self.min_df,
            max_features=self.max_features,
            sublinear_tf=True,
        ).fit([" ".join(lemmas) for lemmas in self._lemmas(texts)[1]])
        self.char_vectorizer_ = TfidfVectorizer(
            analyzer=CharNgrams(tuple(self.char_ngrams)),
            min_df=self.min_df,
            max_features=self.max_features,
            sublinear_tf=True,
        ).fit(texts)
        self.n_word_features_ = len(self.word_vectorizer_.vocabulary_)
        return self

    def _lemmas(self, texts: list[str]) -> tuple[list[list[str]], list[list[str]]]:
        return tokens_and_terms(texts, self.lemmatizer, self.negation, self.compound_parts)

    def compiled(self) -> CompiledFeatures:
        """These fitted features without scikit-learn: what `analyse` computes with."""
        check_is_fitted(self, ["word_vectorizer_", "char_vectorizer_"])
        compiled = _compiled.get(self)
        if compiled is None:
            compiled = _compiled[self] = CompiledFeatures(self)
        return compiled

    def analyse(self, texts: Iterable[str]) -> TextFeatures:
        """The feature matrix of `texts` with the tokens and lemmas it was made from."""
        return self.compiled().analyse(texts)

    def transform(self, texts):
        return self.analyse(texts).matrix

    def word_column(self, term: str) -> int | None:
        """The column of a lemma n-gram ("hoitaja", "huutaa minä"), None if not in the vocabulary."""
        return self.compiled().word_column(term)

    def lemma_feature_names(self) -> list[str]:
        check_is_fitted(self, "word_vectorizer_")
        return list(self.word_vectorizer_.get_feature_names_out())
