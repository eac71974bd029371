"""Text features for the classifiers: lemma n-grams with negation scope, character n-grams.

`FeedbackFeatures` is a scikit-learn transformer whose parameters are plain values
(the lemmatiser is a backend *name*), so `clone`, grid search and MLflow logging work.
`analyse` gives the feature matrix together with the tokens and lemmas it was made
from, which is what explanations need; `transform` is its matrix.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

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


@lru_cache(maxsize=50_000)
def word_char_ngrams(word: str, low: int, high: int) -> tuple[str, ...]:
    """The char_wb n-grams of one lower-cased word, as scikit-learn cuts them: the word
    padded with spaces, every n-gram of each size, a word shorter than a size once."""
    padded = f" {word} "
    grams: list[str] = []
    for size in range(low, high + 1):
        grams.extend(padded[start : start + size] for start in range(max(len(padded) - size + 1, 1)))
        if len(padded) <= size:
            break
    return tuple(grams)


def is_handle(word: str) -> bool:
    """An @mention: it names a person or an account, and no model file may hold one."""
    return word.startswith("@")


def lemma_terms(text: str) -> list[str]:
    """The terms of a space-joined lemma string, @mentions left out."""
    return [term for term in text.split() if not is_handle(term)]


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


@dataclass(frozen=True)
class TextFeatures:
    """A batch of texts as the classifier sees them: the feature matrix (CSR, one row per
    text) and per text its tokens and, aligned with them, the word vectoriser's terms
    (negation-marked lemmas; compound parts, when used, after the last token)."""

    texts: list[str]
    matrix: sp.csr_matrix
    tokens: list[list[str]]
    lemmas: list[list[str]]

    def row(self, position: int) -> tuple:
        """The nonzero column indices of one text's feature vector and their values."""
        start, end = self.matrix.indptr[position], self.matrix.indptr[position + 1]
        return self.matrix.indices[start:end], self.matrix.data[start:end]


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
        from palauteluokitin.text.lemmatizers import shared_lemmatizer
        from palauteluokitin.text.tokenize import tokenize

        lemmatizer = shared_lemmatizer(self.lemmatizer)
        parts = getattr(lemmatizer, "compound_parts", None) if self.compound_parts else None
        all_tokens, all_lemmas = [], []
        for text in texts:
            tokens = tokenize(text)
            lemmas = lemmatizer.lemmatize_tokens(tokens)
            if self.negation:
                lemmas = mark_negation(lemmas)
            if parts is not None:
                lemmas = lemmas + [part for token in tokens for part in parts(token)]
            all_tokens.append(tokens)
            all_lemmas.append(lemmas)
        return all_tokens, all_lemmas

    def analyse(self, texts: Iterable[str]) -> TextFeatures:
        """The feature matrix of `texts` with the tokens and lemmas it was made from."""
        check_is_fitted(self, ["word_vectorizer_", "char_vectorizer_"])
        texts = list(texts)
        tokens, lemmas = self._lemmas(texts)
        words = self.word_vectorizer_.transform([" ".join(terms) for terms in lemmas])
        blocks = [words, self.char_vectorizer_.transform(texts)]
        if self.sentence_vectors:
            from palauteluokitin.modeling.sentence_vectors import sentence_vectors

            blocks.append(sp.csr_matrix(self.sentence_vectors * sentence_vectors(texts)))
        return TextFeatures(texts, sp.hstack(blocks).tocsr(), tokens, lemmas)

    def check_available(self) -> None:
        """Raise MissingExtraError now, not at the first batch, if a part these features
        need (the sentence encoder) is not installed."""
        if self.sentence_vectors:
            from palauteluokitin.modeling.sentence_vectors import check_available

            check_available()

    def transform(self, texts):
        return self.analyse(texts).matrix

    def word_column(self, term: str) -> int | None:
        """The column of a lemma n-gram ("hoitaja", "huutaa minä"), None if not in the vocabulary."""
        return self.word_vectorizer_.vocabulary_.get(term)

    def char_columns(self, word: str) -> list[int]:
        """The columns of the character n-grams of one word, one per occurrence."""
        vocabulary = self.char_vectorizer_.vocabulary_
        grams = word_char_ngrams(word.lower(), *self.char_vectorizer_.analyzer.ngram_range)
        return [self.n_word_features_ + vocabulary[gram] for gram in grams if gram in vocabulary]

    def lemma_feature_names(self) -> list[str]:
        check_is_fitted(self, "word_vectorizer_")
        return list(self.word_vectorizer_.get_feature_names_out())
