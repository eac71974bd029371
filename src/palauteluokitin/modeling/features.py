"""Text features for the classifiers: lemma n-grams with negation scope, character n-grams.

`FeedbackFeatures` is a scikit-learn transformer whose parameters are plain values
(the lemmatiser is a backend *name*), so `clone`, grid search and MLflow logging work.
`analyse` gives the feature matrix together with the tokens and lemmas it was made
from, which is what explanations need; `transform` is its matrix.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
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
    terms = text.split()
    return [term for term in terms if not is_handle(term)] if "@" in text else terms


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


def columns_matrix(rows: list, n_columns: int) -> sp.csr_matrix:
    """A count matrix with one row per list or array of column indices (a column once per
    occurrence)."""
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(row) for row in rows], out=indptr[1:])
    if rows and isinstance(rows[0], np.ndarray):
        indices = np.concatenate(rows)
    else:
        indices = np.fromiter(chain.from_iterable(rows), dtype=np.int32, count=int(indptr[-1]))
    matrix = sp.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(len(rows), n_columns))
    matrix.sum_duplicates()
    return matrix


def tfidf(vectorizer: TfidfVectorizer, counts: sp.csr_matrix) -> sp.csr_matrix:
    """What `vectorizer.transform` makes of documents with these term counts (indices
    sorted, as scikit-learn's): sublinear tf, idf and norm in its order of operations."""
    counts.sort_indices()
    if vectorizer.sublinear_tf:
        np.log(counts.data, counts.data)
        counts.data += 1.0
    counts.data *= vectorizer.idf_[counts.indices]
    return normalize(counts, norm=vectorizer.norm, copy=False) if vectorizer.norm else counts


class ColumnLookup:
    """Term counts of a batch as `TfidfVectorizer` would count them, computed per distinct
    word: feedback repeats its words, and scikit-learn's transform cuts and looks up every
    n-gram of every text one at a time in Python."""

    def __init__(self, word_vectorizer: TfidfVectorizer, char_vectorizer: TfidfVectorizer) -> None:
        if tuple(word_vectorizer.ngram_range) != (1, 2):
            raise NotImplementedError("only lemma 1-2-grams are counted here")
        self.words = word_vectorizer.vocabulary_
        self.chars = char_vectorizer.vocabulary_
        self.char_range = char_vectorizer.analyzer.ngram_range
        self.char_cache: dict[str, np.ndarray] = {}

    def word_counts(self, lemmas: list[list[str]]) -> sp.csr_matrix:
        """Counts of the lemma unigrams and bigrams of each text's terms."""
        get = self.words.get
        rows = []
        for text_lemmas in lemmas:
            terms = lemma_terms(" ".join(text_lemmas))
            found = [get(term) for term in terms]
            found += [get(f"{left} {right}") for left, right in zip(terms, terms[1:], strict=False)]
            rows.append([column for column in found if column is not None])
        return columns_matrix(rows, len(self.words))

    def char_counts(self, texts: list[str]) -> sp.csr_matrix:
        """Counts of the character n-grams of each text: (texts x distinct words) times
        (distinct words x n-grams), the second cached per word."""
        distinct: dict[str, int] = {}
        rows = [[distinct.setdefault(word, len(distinct)) for word in text.lower().split()] for text in texts]
        texts_by_words = columns_matrix(rows, len(distinct))
        words_by_grams = columns_matrix([self._grams(word) for word in distinct], len(self.chars))
        return texts_by_words @ words_by_grams

    def _grams(self, word: str) -> np.ndarray:
        found = self.char_cache.get(word)
        if found is None:
            if len(self.char_cache) > MAX_CACHED_WORDS:
                self.char_cache.clear()
            grams = () if is_handle(word) else word_char_ngrams(word, *self.char_range)
            columns = [self.chars[gram] for gram in grams if gram in self.chars]
            found = self.char_cache[word] = np.array(columns, dtype=np.int32)
        return found


MAX_CACHED_WORDS = 200_000
# One lookup per fitted features object, outside it: transforming must not change the estimator.
_lookups: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


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
        _lookups.pop(self, None)
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
        all_tokens = [tokenize(text) for text in texts]
        all_lemmas = []
        for tokens in all_tokens:
            lemmas = lemmatizer.lemmatize_tokens(tokens)
            if self.negation:
                lemmas = mark_negation(lemmas)
            if parts is not None:
                lemmas = lemmas + [part for token in tokens for part in parts(token)]
            all_lemmas.append(lemmas)
        return all_tokens, all_lemmas

    def analyse(self, texts: Iterable[str]) -> TextFeatures:
        """The feature matrix of `texts` with the tokens and lemmas it was made from."""
        check_is_fitted(self, ["word_vectorizer_", "char_vectorizer_"])
        texts = list(texts)
        tokens, lemmas = self._lemmas(texts)
        lookup = self._lookup()
        blocks = [
            tfidf(self.word_vectorizer_, lookup.word_counts(lemmas)),
            tfidf(self.char_vectorizer_, lookup.char_counts(texts)),
        ]
        if self.sentence_vectors:
            from palauteluokitin.modeling.sentence_vectors import sentence_vectors

            blocks.append(sp.csr_matrix(self.sentence_vectors * sentence_vectors(texts)))
        return TextFeatures(texts, sp.hstack(blocks).tocsr(), tokens, lemmas)

    def _lookup(self) -> ColumnLookup:
        lookup = _lookups.get(self)
        if lookup is None:
            lookup = _lookups[self] = ColumnLookup(self.word_vectorizer_, self.char_vectorizer_)
        return lookup

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
