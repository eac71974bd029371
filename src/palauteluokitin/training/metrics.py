"""The numbers a model is judged by on a labelled split: per-label precision, recall, F1
and PR-AUC, sentiment accuracy, false flags, hard cases, and simple baselines."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, average_precision_score, f1_score, precision_score, recall_score

from palauteluokitin.labels import FLAG, RIGHTS_CATEGORIES
from palauteluokitin.modeling.classifier import BINARY_LABELS, FeedbackClassifier
from palauteluokitin.training.corpus import uses_obvious_flag_words


def evaluate(
    model: FeedbackClassifier, part: pd.DataFrame, scores: pd.DataFrame | None = None, digits: int | None = 4
) -> dict:
    """Per-label P/R/F1 and PR-AUC, macro/micro F1, sentiment accuracy and macro-F1,
    flag recall and precision at its threshold, the share of unflagged comments flagged,
    and the Brier score of each head; rounded to `digits` (None: not rounded)."""
    if scores is None:
        scores = model.predict_scores(part["text"])
    decided = model.decide(scores)
    metrics: dict = {}
    for label in BINARY_LABELS:
        truth = part[label].astype(int).to_numpy()
        predicted = decided[label].to_numpy()
        metrics[f"{label}_precision"] = precision_score(truth, predicted, zero_division=0)
        metrics[f"{label}_recall"] = recall_score(truth, predicted, zero_division=0)
        metrics[f"{label}_f1"] = f1_score(truth, predicted, zero_division=0)
        # undefined where no comment has the label (scikit-learn would warn and make one up)
        metrics[f"{label}_pr_auc"] = average_precision_score(truth, scores[label]) if truth.any() else np.nan
        metrics[f"{label}_brier"] = float(np.mean((scores[label].to_numpy() - truth) ** 2))
    unflagged = part[FLAG].astype(int).to_numpy() == 0
    metrics[f"{FLAG}_false_flag_rate"] = (
        decided[FLAG].to_numpy()[unflagged].mean() if unflagged.any() else 0.0
    )
    truth = part[list(RIGHTS_CATEGORIES)].astype(int).to_numpy()
    predicted = decided[list(RIGHTS_CATEGORIES)].to_numpy()
    metrics["categories_macro_f1"] = f1_score(truth, predicted, average="macro", zero_division=0)
    metrics["categories_micro_f1"] = f1_score(truth, predicted, average="micro", zero_division=0)
    metrics["sentiment_accuracy"] = accuracy_score(part["sentiment"], decided["sentiment"])
    metrics["sentiment_macro_f1"] = f1_score(part["sentiment"], decided["sentiment"], average="macro")
    return {
        key: float(value) if digits is None else round(float(value), digits) for key, value in metrics.items()
    }


HARD_CASES = ("negation", "sarcasm", "mixed")


def hard_case_metrics(model: FeedbackClassifier, part: pd.DataFrame, scores: pd.DataFrame) -> dict:
    """Sentiment accuracy, categories macro-F1 and flag recall on the comments of each
    hard kind (negation, sarcasm, mixed) where bag-of-words models tend to fail."""
    if "hard_case" not in part:
        return {}
    decided = model.decide(scores)
    metrics = {}
    for kind in HARD_CASES:
        rows = (part["hard_case"] == kind).to_numpy()
        if not rows.any():
            continue
        truth = part.loc[rows, list(RIGHTS_CATEGORIES)].astype(int).to_numpy()
        predicted = decided.loc[rows, list(RIGHTS_CATEGORIES)].to_numpy()
        metrics[f"{kind}_n"] = int(rows.sum())
        metrics[f"{kind}_sentiment_accuracy"] = accuracy_score(
            part["sentiment"][rows], decided["sentiment"][rows]
        )
        metrics[f"{kind}_categories_macro_f1"] = f1_score(truth, predicted, average="macro", zero_division=0)
        flagged = part[FLAG].astype(int).to_numpy()[rows]
        if flagged.any():
            metrics[f"{kind}_flag_recall"] = recall_score(flagged, decided[FLAG].to_numpy()[rows])
    return {key: round(float(value), 4) for key, value in metrics.items()}


def baselines(train_part: pd.DataFrame, part: pd.DataFrame) -> dict:
    """Majority class for every head, and a keyword rule for the flag."""
    metrics = {}
    majority_sentiment = train_part["sentiment"].mode()[0]
    metrics["majority_sentiment_accuracy"] = accuracy_score(
        part["sentiment"], [majority_sentiment] * len(part)
    )
    truth = part[list(RIGHTS_CATEGORIES)].astype(int).to_numpy()
    majority = (train_part[list(RIGHTS_CATEGORIES)].astype(int).mean() >= 0.5).astype(int).to_numpy()
    metrics["majority_categories_macro_f1"] = f1_score(
        truth, np.tile(majority, (len(part), 1)), average="macro", zero_division=0
    )
    flag_truth = part[FLAG].astype(int).to_numpy()
    keyword = np.array([uses_obvious_flag_words(text) for text in part["text"]], dtype=int)
    metrics["keyword_flag_recall"] = recall_score(flag_truth, keyword, zero_division=0)
    metrics["keyword_flag_precision"] = precision_score(flag_truth, keyword, zero_division=0)
    return {key: round(float(value), 4) for key, value in metrics.items()}
