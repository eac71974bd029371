"""A fitted classifier reduced to what classifying needs, without scikit-learn.

`CompiledClassifier` holds the vocabularies, idf weights, the heads' coefficients and
their calibration as plain Python and NumPy values, so a bundle's serving file loads
without importing scikit-learn (most of a second at every start). `FeedbackFeatures`
and `FeedbackClassifier` compute through the same objects, so training, evaluation and
serving give the same answers by construction; tests check them against scikit-learn's
own `transform` and `predict_proba` bit for bit.

Feedback repeats its words, so the text side works per distinct word where it can:
character n-gram columns are cached per word, and the term counts of a batch are
(texts x distinct words) times (distinct words x n-grams).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.special import expit

from palauteluokitin.labels import FLAG, RIGHTS_CATEGORIES, SENTIMENTS

BINARY_LABELS = (*RIGHTS_CATEGORIES, FLAG)
DEFAULT_THRESHOLD = 0.5
NEGATION_LEMMAS = frozenset({"ei", "eikä", "ilman", "inte", "ej", "aldrig", "not", "no", "never"})
CLAUSE_END = frozenset(".,;:!?()–—-") | {"mutta", "vaan", "men", "but", "kuitenkin", "silti"}
NEGATION_SCOPE = 3
NEGATED = "NEG_"
MAX_CACHED_WORDS = 200_000


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


def tokens_and_terms(
    texts: list[str], lemmatizer: str, negation: bool, compound_parts: bool
) -> tuple[list[list[str]], list[list[str]]]:
    """Per text its tokens and the terms its word n-grams are made of: the lemmas,
    negation-marked if asked, then the compound parts of its words if asked."""
    from palauteluokitin.text.lemmatizers import shared_lemmatizer
    from palauteluokitin.text.tokenize import tokenize

    backend = shared_lemmatizer(lemmatizer)
    parts = getattr(backend, "compound_parts", None) if compound_parts else None
    all_tokens = [tokenize(text) for text in texts]
    all_terms = []
    for tokens in all_tokens:
        terms = backend.lemmatize_tokens(tokens)
        if negation:
            terms = mark_negation(terms)
        if parts is not None:
            terms = terms + [part for token in tokens for part in parts(token)]
        all_terms.append(terms)
    return all_tokens, all_terms


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


@dataclass(frozen=True)
class Analysis:
    """What the classifier makes of a batch of texts: their features (with tokens and
    lemmas), the calibrated scores and the decided labels, one row per text."""

    features: TextFeatures
    scores: pd.DataFrame
    decisions: pd.DataFrame


def columns_matrix(rows: list, n_columns: int) -> sp.csr_matrix:
    """A count matrix with one row per list or int32 array of column indices (a column once
    per occurrence)."""
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(row) for row in rows], out=indptr[1:])
    if rows and isinstance(rows[0], np.ndarray):
        indices = np.concatenate(rows)
    else:
        indices = np.fromiter(chain.from_iterable(rows), dtype=np.int32, count=int(indptr[-1]))
    matrix = sp.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(len(rows), n_columns))
    matrix.sum_duplicates()
    return matrix


def l2_normalize_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Each row divided by its Euclidean norm, in place, summing squares in storage order
    as scikit-learn's `normalize` does; all-zero rows stay as they are."""
    squares = sp.csr_matrix((matrix.data * matrix.data, matrix.indices, matrix.indptr), shape=matrix.shape)
    norms = np.sqrt(squares @ np.ones(matrix.shape[1]))
    per_entry = np.repeat(norms, np.diff(matrix.indptr))
    nonzero = per_entry != 0.0
    matrix.data[nonzero] /= per_entry[nonzero]
    return matrix


@dataclass
class TfidfWeights:
    """What a fitted `TfidfVectorizer` applies to term counts."""

    idf: np.ndarray
    sublinear_tf: bool
    norm: str | None

    @classmethod
    def of(cls, vectorizer) -> TfidfWeights:
        if vectorizer.norm not in ("l2", None) or not vectorizer.use_idf:
            raise NotImplementedError(f"norm {vectorizer.norm!r} without idf is not compiled")
        return cls(np.asarray(vectorizer.idf_), bool(vectorizer.sublinear_tf), vectorizer.norm)

    def apply(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """TF-IDF of term counts, in scikit-learn's order of operations (indices sorted)."""
        counts.sort_indices()
        if self.sublinear_tf:
            np.log(counts.data, counts.data)
            counts.data += 1.0
        counts.data *= self.idf[counts.indices]
        return l2_normalize_rows(counts) if self.norm == "l2" else counts


class CompiledFeatures:
    """The features of fitted `FeedbackFeatures`: lemma 1-2-gram and character n-gram
    TF-IDF, and e5 sentence vectors when it uses them."""

    def __init__(self, features) -> None:
        if tuple(features.word_vectorizer_.ngram_range) != (1, 2):
            raise NotImplementedError("only lemma 1-2-grams are compiled")
        self.lemmatizer = features.lemmatizer
        self.negation = features.negation
        self.compound_parts = features.compound_parts
        self.sentence_vectors = features.sentence_vectors
        self.words = dict(features.word_vectorizer_.vocabulary_)
        self.chars = dict(features.char_vectorizer_.vocabulary_)
        self.char_range = tuple(features.char_vectorizer_.analyzer.ngram_range)
        self.word_weights = TfidfWeights.of(features.word_vectorizer_)
        self.char_weights = TfidfWeights.of(features.char_vectorizer_)
        self.n_word_features = len(self.words)
        self._char_cache: dict[str, np.ndarray] = {}

    def __getstate__(self) -> dict:
        return {key: value for key, value in self.__dict__.items() if key != "_char_cache"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, _char_cache={})

    def check_available(self) -> None:
        """Raise MissingExtraError now, not at the first batch, if a part these features
        need (the sentence encoder) is not installed."""
        if self.sentence_vectors:
            from palauteluokitin.modeling.sentence_vectors import check_available

            check_available()

    def analyse(self, texts: Iterable[str]) -> TextFeatures:
        """The feature matrix of `texts` with the tokens and lemmas it was made from."""
        texts = list(texts)
        tokens, lemmas = self.lemmas(texts)
        blocks = [
            self.word_weights.apply(self.word_counts(lemmas)),
            self.char_weights.apply(self.char_counts(texts)),
        ]
        if self.sentence_vectors:
            from palauteluokitin.modeling.sentence_vectors import sentence_vectors

            blocks.append(sp.csr_matrix(self.sentence_vectors * sentence_vectors(texts)))
        return TextFeatures(texts, sp.hstack(blocks).tocsr(), tokens, lemmas)

    def lemmas(self, texts: list[str]) -> tuple[list[list[str]], list[list[str]]]:
        return tokens_and_terms(texts, self.lemmatizer, self.negation, self.compound_parts)

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
        found = self._char_cache.get(word)
        if found is None:
            if len(self._char_cache) > MAX_CACHED_WORDS:
                self._char_cache.clear()
            grams = () if is_handle(word) else word_char_ngrams(word, *self.char_range)
            columns = [self.chars[gram] for gram in grams if gram in self.chars]
            found = self._char_cache[word] = np.array(columns, dtype=np.int32)  # a list: 6x the memory
        return found

    def word_column(self, term: str) -> int | None:
        """The column of a lemma n-gram ("hoitaja", "huutaa minä"), None if not in the vocabulary."""
        return self.words.get(term)

    def char_columns(self, word: str) -> list[int]:
        """The columns of the character n-grams of one word, one per occurrence."""
        grams = word_char_ngrams(word.lower(), *self.char_range)
        return [self.n_word_features + self.chars[gram] for gram in grams if gram in self.chars]


@dataclass
class Fold:
    """One calibrated fold model of a head: its classes, the classes its linear model saw,
    and the calibration of each of its decision columns: Platt scaling's (a, b), or for
    isotonic calibration scikit-learn's fitted regression itself."""

    classes: np.ndarray
    seen: np.ndarray
    calibrators: list


def _calibrator(calibrator):
    return (calibrator.a_, calibrator.b_) if hasattr(calibrator, "a_") else calibrator


class CompiledHeads:
    """`predict_proba` of fitted `CalibratedClassifierCV` heads over the same features:
    the decision functions of all their fold models come from one sparse product, and
    each fold's calibration and the averaging are scikit-learn's, operation for operation."""

    def __init__(self, heads: dict) -> None:
        self.names = list(heads)
        self.classes = [np.asarray(head.classes_) for head in heads.values()]
        self.folds: list[list[Fold]] = []
        weights, intercepts = [], []
        for head in heads.values():
            self.folds.append(
                [
                    Fold(
                        np.asarray(fold.classes),
                        np.asarray(fold.estimator.classes_),
                        [_calibrator(calibrator) for calibrator in fold.calibrators],
                    )
                    for fold in head.calibrated_classifiers_
                ]
            )
            for fold in head.calibrated_classifiers_:
                weights.append(fold.estimator.coef_.T)
                intercepts.append(fold.estimator.intercept_)
        self.weights = np.hstack(weights)
        self.intercepts = np.concatenate(intercepts)
        # The flag head's mean fold coefficients: how each feature pushes the flag score.
        self.flag_weights = (
            np.mean([fold.estimator.coef_[0] for fold in heads[FLAG].calibrated_classifiers_], axis=0)
            if FLAG in heads
            else None
        )

    def predict_proba(self, matrix) -> dict[str, np.ndarray]:
        """Head name -> probabilities, one column per class."""
        decisions = matrix @ self.weights + self.intercepts
        probabilities, column = {}, 0
        for name, classes, folds in zip(self.names, self.classes, self.folds, strict=True):
            mean = np.zeros((matrix.shape[0], len(classes)))
            for fold in folds:
                width = len(fold.calibrators)
                mean += _fold_proba(fold, decisions[:, column : column + width])
                column += width
            mean /= len(folds)
            probabilities[name] = mean
        return probabilities


def _fold_proba(fold: Fold, predictions: np.ndarray) -> np.ndarray:
    """scikit-learn's `_CalibratedClassifier.predict_proba` from the fold model's decisions."""
    n_classes = len(fold.classes)
    proba = np.zeros((predictions.shape[0], n_classes))
    positive = np.searchsorted(fold.classes, fold.seen)
    for class_index, prediction, calibrator in zip(positive, predictions.T, fold.calibrators, strict=False):
        if isinstance(calibrator, tuple):
            a, b = calibrator
            calibrated = expit(-(a * prediction + b))  # scikit-learn's _SigmoidCalibration.predict
        else:
            calibrated = calibrator.predict(prediction)
        proba[:, class_index + 1 if n_classes == 2 else class_index] = calibrated
    if n_classes == 2:
        proba[:, 0] = 1.0 - proba[:, 1]
    else:
        denominator = np.sum(proba, axis=1)[:, np.newaxis]
        uniform = np.full_like(proba, 1 / n_classes)
        proba = np.divide(proba, denominator, out=uniform, where=denominator != 0)
    proba[(1.0 < proba) & (proba <= 1.0 + 1e-5)] = 1.0
    return proba


def decide(scores: pd.DataFrame, thresholds: dict[str, float] | None) -> pd.DataFrame:
    """0/1 per binary label at its threshold, the most likely sentiment, and its score."""
    thresholds = thresholds or {}
    decided = pd.DataFrame(
        {
            label: (scores[label] >= thresholds.get(label, DEFAULT_THRESHOLD)).astype(int)
            for label in BINARY_LABELS
        }
    )
    sentiment_columns = [f"sentiment={name}" for name in SENTIMENTS if f"sentiment={name}" in scores]
    best = scores[sentiment_columns].to_numpy().argmax(axis=1)
    decided["sentiment"] = [sentiment_columns[i].split("=", 1)[1] for i in best]
    decided["sentiment_score"] = scores[sentiment_columns].to_numpy().max(axis=1)
    return decided


SENTIMENT_HEAD = "sentiment"


class CompiledClassifier:
    """A fitted `FeedbackClassifier` as arrays: features, heads and thresholds."""

    def __init__(self, classifier) -> None:
        self.features = classifier.features_.compiled()  # one per fitted features, shared
        self.heads = CompiledHeads({**classifier.heads_, SENTIMENT_HEAD: classifier.sentiment_head_})
        self.thresholds = dict(classifier.thresholds or {})

    def scores(self, matrix) -> pd.DataFrame:
        """Calibrated probabilities: one column per binary label and per sentiment class."""
        probabilities = self.heads.predict_proba(matrix)
        sentiment = probabilities.pop(SENTIMENT_HEAD)
        scores = {label: proba[:, 1] for label, proba in probabilities.items()}
        for index, name in enumerate(self.heads.classes[self.heads.names.index(SENTIMENT_HEAD)]):
            scores[f"sentiment={name}"] = sentiment[:, index]
        return pd.DataFrame(scores)

    def analyse(self, texts) -> Analysis:
        """Features, scores and decisions of `texts` together (explanations need all three)."""
        features = self.features.analyse(texts)
        scores = self.scores(features.matrix)
        return Analysis(features, scores, decide(scores, self.thresholds))
