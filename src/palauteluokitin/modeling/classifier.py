"""The feedback classifier: rights categories, sentiment and the mistreatment flag.

One scikit-learn estimator with three heads over shared features. Every head is a
logistic regression whose probabilities are calibrated by Platt scaling (sigmoid) or
isotonic regression fitted on cross-validation folds, so a score of 0.8 means that
about 80 % of comments scored so carry the label. Decision thresholds are a parameter,
like scikit-learn's `FixedThresholdClassifier`: training tunes them on a development
set (`palauteluokitin.training.thresholds`) and sets them with `set_params`, so they
survive `clone`; labels without a threshold are decided at 0.5.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from palauteluokitin.labels import FLAG, RIGHTS_CATEGORIES, SENTIMENTS
from palauteluokitin.modeling.features import FeedbackFeatures, TextFeatures

BINARY_LABELS = (*RIGHTS_CATEGORIES, FLAG)
DEFAULT_THRESHOLD = 0.5


class StackedHeads:
    """`predict_proba` of fitted `CalibratedClassifierCV` heads over the same features, with
    the decision functions of all their fold models from one sparse product (scikit-learn
    validates the matrix and multiplies it once per fold model: 45 times for 9 heads);
    each fold's calibration and the averaging are scikit-learn's, operation for operation."""

    def __init__(self, heads: list[CalibratedClassifierCV]) -> None:
        self.heads = heads
        folds = [fold for head in heads for fold in head.calibrated_classifiers_]
        self.weights = np.hstack([fold.estimator.coef_.T for fold in folds])
        self.intercepts = np.concatenate([fold.estimator.intercept_ for fold in folds])

    def predict_proba(self, matrix) -> list[np.ndarray]:
        decisions = matrix @ self.weights + self.intercepts
        probabilities, column = [], 0
        for head in self.heads:
            mean = np.zeros((matrix.shape[0], len(head.classes_)))
            for fold in head.calibrated_classifiers_:
                width = len(fold.calibrators)
                mean += _fold_proba(fold, decisions[:, column : column + width])
                column += width
            mean /= len(head.calibrated_classifiers_)
            probabilities.append(mean)
        return probabilities


def _fold_proba(fold, predictions: np.ndarray) -> np.ndarray:
    """scikit-learn's `_CalibratedClassifier.predict_proba` from the fold model's decisions."""
    n_classes = len(fold.classes)
    proba = np.zeros((predictions.shape[0], n_classes))
    positive = np.searchsorted(fold.classes, fold.estimator.classes_)
    for class_index, prediction, calibrator in zip(positive, predictions.T, fold.calibrators, strict=False):
        proba[:, class_index + 1 if n_classes == 2 else class_index] = calibrator.predict(prediction)
    if n_classes == 2:
        proba[:, 0] = 1.0 - proba[:, 1]
    else:
        denominator = np.sum(proba, axis=1)[:, np.newaxis]
        uniform = np.full_like(proba, 1 / n_classes)
        proba = np.divide(proba, denominator, out=uniform, where=denominator != 0)
    proba[(1.0 < proba) & (proba <= 1.0 + 1e-5)] = 1.0
    return proba


# Built once per fitted classifier, outside it: predicting must not change the estimator.
_stacked: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Analysis:
    """What the classifier makes of a batch of texts: their features (with tokens and
    lemmas), the calibrated scores and the decided labels, one row per text."""

    features: TextFeatures
    scores: pd.DataFrame
    decisions: pd.DataFrame


class FeedbackClassifier(BaseEstimator):
    def __init__(
        self,
        features: FeedbackFeatures | None = None,
        C: float = 8.0,
        class_weight: str | None = "balanced",
        calibration: str = "sigmoid",
        calibration_folds: int = 5,
        thresholds: dict[str, float] | None = None,
        seed: int = 0,
    ) -> None:
        self.features = features
        self.C = C
        self.class_weight = class_weight
        self.calibration = calibration
        self.calibration_folds = calibration_folds
        self.thresholds = thresholds
        self.seed = seed

    def make_head(self) -> CalibratedClassifierCV:
        """An unfitted head with this classifier's settings."""
        learner = LogisticRegression(
            C=self.C, class_weight=self.class_weight, max_iter=3000, random_state=self.seed
        )
        return CalibratedClassifierCV(learner, method=self.calibration, cv=self.calibration_folds)

    def fit(self, texts, labels: pd.DataFrame, sample_weight=None):
        """Fit on texts and a frame with the binary label columns (0/1) and `sentiment`;
        `sample_weight`, one per text, weighs some sources more than others."""
        _stacked.pop(self, None)
        self.features_ = clone(self.features if self.features is not None else FeedbackFeatures())
        matrix = self.features_.fit_transform(list(texts))
        self.heads_ = {
            label: self.make_head().fit(
                matrix, labels[label].astype(int).to_numpy(), sample_weight=sample_weight
            )
            for label in BINARY_LABELS
        }
        self.sentiment_head_ = self.make_head().fit(
            matrix, labels["sentiment"].to_numpy(), sample_weight=sample_weight
        )
        return self

    def threshold(self, label: str) -> float:
        return (self.thresholds or {}).get(label, DEFAULT_THRESHOLD)

    def analyse(self, texts) -> Analysis:
        """Features, scores and decisions of `texts` together (explanations need all three)."""
        check_is_fitted(self, ["heads_", "sentiment_head_"])
        features = self.features_.analyse(texts)
        scores = self._scores(features.matrix)
        return Analysis(features, scores, self.decide(scores))

    def predict_scores(self, texts) -> pd.DataFrame:
        """Calibrated probabilities: one column per binary label and per sentiment class."""
        check_is_fitted(self, ["heads_", "sentiment_head_"])
        return self._scores(self.features_.transform(texts))

    def _scores(self, matrix) -> pd.DataFrame:
        stacked = _stacked.get(self)
        if stacked is None:
            stacked = _stacked[self] = StackedHeads([*self.heads_.values(), self.sentiment_head_])
        probabilities = stacked.predict_proba(matrix)
        scores = {label: proba[:, 1] for label, proba in zip(self.heads_, probabilities, strict=False)}
        for index, name in enumerate(self.sentiment_head_.classes_):
            scores[f"sentiment={name}"] = probabilities[-1][:, index]
        return pd.DataFrame(scores)

    def decide(self, scores: pd.DataFrame) -> pd.DataFrame:
        """0/1 per binary label at its threshold, the most likely sentiment, and its score."""
        decided = pd.DataFrame(
            {label: (scores[label] >= self.threshold(label)).astype(int) for label in BINARY_LABELS}
        )
        sentiment_columns = [f"sentiment={name}" for name in SENTIMENTS if f"sentiment={name}" in scores]
        best = scores[sentiment_columns].to_numpy().argmax(axis=1)
        decided["sentiment"] = [sentiment_columns[i].split("=", 1)[1] for i in best]
        decided["sentiment_score"] = scores[sentiment_columns].to_numpy().max(axis=1)
        return decided

    def predict(self, texts) -> pd.DataFrame:
        return self.decide(self.predict_scores(texts))
