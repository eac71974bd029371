"""Decision thresholds: per category the F1-best on a development set; for the flag the
highest that still reaches its recall target, on dev pooled with out-of-fold scores of
the training set (a few dev positives alone would make it jumpy), so that recall reaches
its target with a stated confidence, not just on average."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import beta
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, cross_val_predict
from sklearn.utils.validation import check_is_fitted

from palauteluokitin.labels import FLAG, RIGHTS_CATEGORIES

CANDIDATES = np.round(np.arange(0.05, 0.951, 0.01), 2)


def out_of_fold_flag_scores(
    model, texts, truth, folds: int = 5, groups=None, sample_weight=None
) -> np.ndarray:
    """Flag scores for the training texts of a fitted `FeedbackClassifier`, each from a
    flag head fitted on the other folds (with the training's `sample_weight`). With
    `groups` (a contrast pair's members share one), a group stays within one fold, so no
    comment is scored by a head that saw its minimal edit."""
    check_is_fitted(model, "features_")
    matrix = model.features_.transform(texts)
    if groups is None:
        splitter = StratifiedKFold(folds, shuffle=True, random_state=model.seed)
    else:
        splitter = StratifiedGroupKFold(folds, shuffle=True, random_state=model.seed)
    params = None if sample_weight is None else {"sample_weight": np.asarray(sample_weight)}
    return cross_val_predict(
        model.make_head(), matrix, truth, groups=groups, cv=splitter, method="predict_proba", params=params
    )[:, 1]


def tune_thresholds(
    scores: pd.DataFrame,
    labels: pd.DataFrame,
    flag_min_recall: float,
    pooled_flag: tuple[np.ndarray, np.ndarray] | None = None,
    flag_confidence: float | None = None,
) -> dict[str, float]:
    """Per-category thresholds that maximise F1 on a development set (`scores` and true
    `labels`); the flag's is the highest that still reaches `flag_min_recall` (with
    `flag_confidence`, see `flag_threshold`) on the dev set pooled with `pooled_flag`
    (truth, scores), e.g. out-of-fold training scores."""
    thresholds = {}
    for label in RIGHTS_CATEGORIES:
        truth = labels[label].astype(int).to_numpy()
        f1s = [f1_score(truth, scores[label] >= t, zero_division=0) for t in CANDIDATES]
        thresholds[label] = float(CANDIDATES[int(np.argmax(f1s))])
    truth, flag_scores = labels[FLAG].astype(int).to_numpy(), scores[FLAG].to_numpy()
    if pooled_flag is not None:
        truth = np.concatenate([truth, pooled_flag[0]])
        flag_scores = np.concatenate([flag_scores, pooled_flag[1]])
    thresholds[FLAG] = flag_threshold(truth, flag_scores, flag_min_recall, flag_confidence)
    return thresholds


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
