"""The feedback classifier: rights categories, sentiment and the mistreatment flag.

One scikit-learn estimator with three heads over shared features. Every head is a
logistic regression whose probabilities are calibrated by Platt scaling (sigmoid) or
isotonic regression fitted on cross-validation folds, so a score of 0.8 means that
about 80 % of comments scored so carry the label. Decision thresholds are tuned
separately on a development set (`tune_thresholds`); the flag's, which a few dev
positives would make jumpy, on dev pooled with out-of-fold scores of the training set,
so that recall reaches its target with a stated confidence, not just on average.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import beta
from sklearn.base import BaseEstimator, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.utils.validation import check_is_fitted

from palauteluokitin.features import FeedbackFeatures
from palauteluokitin.labels import FLAG, RIGHTS_CATEGORIES, SENTIMENTS

BINARY_LABELS = (*RIGHTS_CATEGORIES, FLAG)


class FeedbackClassifier(BaseEstimator):
    def __init__(
        self,
        features: FeedbackFeatures | None = None,
        C: float = 8.0,
        class_weight: str | None = "balanced",
        calibration: str = "sigmoid",
        calibration_folds: int = 5,
        seed: int = 0,
    ) -> None:
        self.features = features
        self.C = C
        self.class_weight = class_weight
        self.calibration = calibration
        self.calibration_folds = calibration_folds
        self.seed = seed

    def _head(self):
        learner = LogisticRegression(
            C=self.C, class_weight=self.class_weight, max_iter=3000, random_state=self.seed
        )
        return CalibratedClassifierCV(learner, method=self.calibration, cv=self.calibration_folds)

    def fit(self, texts, labels: pd.DataFrame):
        """Fit on texts and a frame with the binary label columns (0/1) and `sentiment`."""
        self.features_ = clone(self.features if self.features is not None else FeedbackFeatures())
        matrix = self.features_.fit_transform(list(texts))
        self.heads_ = {
            label: self._head().fit(matrix, labels[label].astype(int).to_numpy()) for label in BINARY_LABELS
        }
        self.sentiment_head_ = self._head().fit(matrix, labels["sentiment"].to_numpy())
        self.thresholds_ = {label: 0.5 for label in BINARY_LABELS}
        return self

    def predict_scores(self, texts) -> pd.DataFrame:
        """Calibrated probabilities: one column per binary label and per sentiment class."""
        check_is_fitted(self, ["heads_", "sentiment_head_"])
        return self.scores_from_features(self.features_.transform(list(texts)))

    def scores_from_features(self, matrix) -> pd.DataFrame:
        """`predict_scores` for rows already turned into features by `features_`."""
        scores = {label: head.predict_proba(matrix)[:, 1] for label, head in self.heads_.items()}
        sentiment = self.sentiment_head_.predict_proba(matrix)
        for index, name in enumerate(self.sentiment_head_.classes_):
            scores[f"sentiment={name}"] = sentiment[:, index]
        return pd.DataFrame(scores)

    def decide(self, scores: pd.DataFrame) -> pd.DataFrame:
        """0/1 per binary label at the tuned thresholds, the most likely sentiment, and its score."""
        decided = pd.DataFrame(
            {label: (scores[label] >= self.thresholds_[label]).astype(int) for label in BINARY_LABELS}
        )
        sentiment_columns = [f"sentiment={name}" for name in SENTIMENTS if f"sentiment={name}" in scores]
        best = scores[sentiment_columns].to_numpy().argmax(axis=1)
        decided["sentiment"] = [sentiment_columns[i].split("=", 1)[1] for i in best]
        decided["sentiment_score"] = scores[sentiment_columns].to_numpy().max(axis=1)
        return decided

    def predict(self, texts) -> pd.DataFrame:
        return self.decide(self.predict_scores(texts))

    def out_of_fold_flag_scores(self, texts, truth, folds: int = 5) -> np.ndarray:
        """Flag scores for the training texts, each from a head fitted on the other folds."""
        check_is_fitted(self, "features_")
        matrix = self.features_.transform(list(texts))
        splitter = StratifiedKFold(folds, shuffle=True, random_state=self.seed)
        return cross_val_predict(self._head(), matrix, truth, cv=splitter, method="predict_proba")[:, 1]

    def tune_thresholds(
        self,
        scores: pd.DataFrame,
        labels: pd.DataFrame,
        flag_min_recall: float,
        pooled_flag: tuple[np.ndarray, np.ndarray] | None = None,
        flag_confidence: float | None = None,
    ) -> dict:
        """Per-category thresholds that maximise F1 on a development set; the flag's
        threshold is the highest one that still reaches `flag_min_recall` (with
        `flag_confidence`, see `flag_threshold`) on the dev set pooled with `pooled_flag`
        (truth, scores), e.g. out-of-fold training scores."""
        check_is_fitted(self, "heads_")
        candidates = np.round(np.arange(0.05, 0.951, 0.01), 2)
        for label in RIGHTS_CATEGORIES:
            truth = labels[label].astype(int).to_numpy()
            f1s = [f1_score(truth, scores[label] >= t, zero_division=0) for t in candidates]
            self.thresholds_[label] = float(candidates[int(np.argmax(f1s))])
        truth, flag_scores = labels[FLAG].astype(int).to_numpy(), scores[FLAG].to_numpy()
        if pooled_flag is not None:
            truth = np.concatenate([truth, pooled_flag[0]])
            flag_scores = np.concatenate([flag_scores, pooled_flag[1]])
        self.thresholds_[FLAG] = flag_threshold(truth, flag_scores, flag_min_recall, flag_confidence)
        return dict(self.thresholds_)


def flag_threshold(
    truth: np.ndarray, scores: np.ndarray, min_recall: float, confidence: float | None = None
) -> float:
    """The highest threshold at which recall on `truth` is at least `min_recall`; with a
    `confidence`, at which the one-sided Clopper-Pearson lower bound of recall is. A
    recall measured exactly at the target falls below it on about half of all new sets."""
    positives = np.sort(scores[truth == 1])[::-1]
    if len(positives) == 0:
        return 0.5
    found = np.arange(1, len(positives) + 1)
    if confidence is None:
        reaching = found >= min_recall * len(positives)
    else:
        lower = beta.ppf(1 - confidence, found, len(positives) - found + 1)
        reaching = lower >= min_recall
    needed = int(np.argmax(reaching)) + 1 if reaching.any() else len(positives)
    return float(positives[needed - 1])
