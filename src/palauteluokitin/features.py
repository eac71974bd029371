"""Text features for the classifiers: lemma n-grams with negation scope, character n-grams.

`FeedbackFeatures` is a scikit-learn transformer whose parameters are plain values
(the lemmatiser is a backend *name*), so `clone`, grid search and MLflow logging work.
"""

from __future__ import annotations

from collections.abc import Iterable

import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

NEGATION_LEMMAS = frozenset({"ei", "eikä", "ilman", "inte", "ej", "aldrig", "not", "no", "never"})
CLAUSE_END = frozenset(".,;:!?()–—-") | {"mutta", "vaan", "men", "but", "kuitenkin", "silti"}
NEGATION_SCOPE = 3
NEGATED = "NEG_"


def mark_negation(lemmas: list[str], scope: int = NEGATION_SCOPE) -> list[str]:
    """Prefix up to `scope` lemmas after a negation with NEG_, up to the clause end:
    "kukaan ei olla tyly" -> "kukaan ei NEG_olla NEG_tyly"."""
    marked, left = [], 0
    for lemma in lemmas:
        if lemma in CLAUSE_END:
            left = 0
            marked.append(lemma)
        elif lemma in NEGATION_LEMMAS:
            left = scope
            marked.append(lemma)
        elif left:
            left -= 1
            marked.append(NEGATED + lemma)
        else:
            marked.append(lemma)
    return marked


class LemmaText:
    """Turns texts into space-joined lemma strings with one named lemmatiser backend."""

    def __init__(self, backend: str, negation: bool, compound_parts: bool) -> None:
        from palauteluokitin.lemmatizers import get_lemmatizer

        self.lemmatizer = get_lemmatizer(backend)
        self.negation = negation
        self.compound_parts = compound_parts and hasattr(self.lemmatizer, "compound_parts")

    def tokens_and_lemmas(self, text: str) -> tuple[list[str], list[str]]:
        """The text's tokens and, aligned with them, the terms the word vectoriser sees
        (negation-marked lemmas); compound parts, when used, follow after the last token."""
        from palauteluokitin.spacy_pipeline import tokenize

        tokens = tokenize(text)
        lemmas = self.lemmatizer.lemmatize_tokens(tokens)
        if self.negation:
            lemmas = mark_negation(lemmas)
        if self.compound_parts:
            lemmas = lemmas + [part for token in tokens for part in self.lemmatizer.compound_parts(token)]
        return tokens, lemmas

    def __call__(self, texts: Iterable[str]) -> list[str]:
        # The last batch's tokens and lemmas stay at hand for explaining its predictions.
        self.recent = {text: self.tokens_and_lemmas(text) for text in texts}
        return [" ".join(self.recent[text][1]) for text in texts]

    def __getstate__(self) -> dict:
        return {key: value for key, value in self.__dict__.items() if key != "recent"}


class WordCachedCharTfidf(TfidfVectorizer):
    """TF-IDF of char_wb n-grams that remembers the n-grams of the words it has seen:
    feedback repeats its words, and cutting words into n-grams is pure Python."""

    CACHED_WORDS = 20_000

    def _char_wb_ngrams(self, text_document):
        cache = self.__dict__.setdefault("_word_ngrams", {})
        ngrams = []
        for word in text_document.split():
            grams = cache.get(word)
            if grams is None:
                grams = super()._char_wb_ngrams(word)
                if len(cache) < self.CACHED_WORDS:
                    cache[word] = grams
            ngrams.extend(grams)
        return ngrams

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.pop("_word_ngrams", None)
        return state


class FeedbackFeatures(TransformerMixin, BaseEstimator):
    """TF-IDF of lemma word n-grams (optionally negation-marked, with compound parts)
    beside TF-IDF of character n-grams of the lower-cased text."""

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
    ) -> None:
        self.lemmatizer = lemmatizer
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.negation = negation
        self.compound_parts = compound_parts
        self.min_df = min_df
        self.max_features = max_features
        self.redact_vocabulary = redact_vocabulary

    def fit(self, texts, y=None):
        """Learn the vocabularies. With `redact_vocabulary`, from the texts with personal
        data replaced, so that no name or identity code becomes a feature that a model
        file (and MLflow) would carry; unknown words are simply absent when transforming."""
        texts = list(texts)
        if self.redact_vocabulary:
            from palauteluokitin.redact import redact

            texts = [redact(text) for text in texts]
        self.lemma_text_ = LemmaText(self.lemmatizer, self.negation, self.compound_parts)
        self.word_vectorizer_ = TfidfVectorizer(
            tokenizer=str.split,
            token_pattern=None,
            lowercase=False,
            ngram_range=tuple(self.word_ngrams),
            min_df=self.min_df,
            max_features=self.max_features,
            sublinear_tf=True,
        ).fit(self.lemma_text_(texts))
        self.char_vectorizer_ = WordCachedCharTfidf(
            analyzer="char_wb",
            ngram_range=tuple(self.char_ngrams),
            min_df=self.min_df,
            max_features=self.max_features,
            sublinear_tf=True,
        ).fit(texts)
        return self

    def transform(self, texts):
        check_is_fitted(self, ["word_vectorizer_", "char_vectorizer_"])
        texts = list(texts)
        words = self.word_vectorizer_.transform(self.lemma_text_(texts))
        chars = self.char_vectorizer_.transform(texts)
        return sp.hstack([words, chars]).tocsr()

    def lemma_feature_names(self) -> list[str]:
        check_is_fitted(self, "word_vectorizer_")
        return list(self.word_vectorizer_.get_feature_names_out())
