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

import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from palauteluokitin.modeling.compiled import (
    BINARY_LABELS,
    DEFAULT_THRESHOLD,
    Analysis,
    CompiledClassifier,
    decide,
)
from palauteluokitin.modeling.features import FeedbackFeatures

__all__ = ["BINARY_LABELS", "Analysis", "FeedbackClassifier"]

# Compiled once per fitted classifier, outside it: predicting must not change the estimator.
_compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


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
        _compiled.pop(self, None)
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

    def compiled(self) -> CompiledClassifier:
        """This fitted classifier without scikit-learn: what predicting computes with (its
        thresholds are those of when it was compiled; `decide` here uses the current ones)."""
        check_is_fitted(self, ["heads_", "sentiment_head_"])
        compiled = _compiled.get(self)
        if compiled is None:
            compiled = _compiled[self] = CompiledClassifier(self)
        return compiled

    def analyse(self, texts) -> Analysis:
        """Features, scores and decisions of `texts` together (explanations need all three)."""
        compiled = self.compiled()
        features = compiled.features.analyse(texts)
        scores = compiled.scores(features.matrix)
        return Analysis(features, scores, self.decide(scores))

    def predict_scores(self, texts) -> pd.DataFrame:
        """Calibrated probabilities: one column per binary label and per sentiment class."""
        compiled = self.compiled()
        return compiled.scores(compiled.features.analyse(texts).matrix)

    def decide(self, scores: pd.DataFrame) -> pd.DataFrame:
        """0/1 per binary label at its threshold, the most likely sentiment, and its score."""
        return decide(scores, self.thresholds)

    def predict(self, texts) -> pd.DataFrame:
        return self.decide(self.predict_scores(texts))
