"""Train the feedback classifier from a recipe and an annotated corpus, and score it."""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, average_precision_score, f1_score, precision_score, recall_score

from palauteluokitin.config import Recipe
from palauteluokitin.corpus import read_corpus, uses_obvious_flag_words, validate_rows
from palauteluokitin.errors import InputFormatError
from palauteluokitin.features import FeedbackFeatures
from palauteluokitin.labels import FLAG, RIGHTS_CATEGORIES
from palauteluokitin.model import BINARY_LABELS, FeedbackClassifier

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = PROJECT_ROOT / "data" / "annotated" / "palaute.csv"
DEFAULT_RECIPE = PROJECT_ROOT / "pipelines" / "baseline.toml"


@dataclass
class TrainingResult:
    recipe: Recipe
    model: FeedbackClassifier
    data_sha256: str
    metrics: dict = field(default_factory=dict)
    seconds: float = 0.0
    # per evaluated split: its rows and the model's calibrated scores on them
    evaluated: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = field(default_factory=dict)


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_model(recipe: Recipe) -> FeedbackClassifier:
    return FeedbackClassifier(
        features=FeedbackFeatures(**recipe.features.model_dump()),
        C=recipe.model.C,
        class_weight=recipe.model.class_weight,
        calibration=recipe.model.calibration,
        calibration_folds=recipe.model.calibration_folds,
        seed=recipe.seed,
    )


def load_splits(path: Path) -> dict[str, pd.DataFrame]:
    rows = read_corpus(path)
    problems = validate_rows(rows)
    if problems:
        shown = "; ".join(str(p) for p in problems[:5])
        raise InputFormatError(f"{path}: {len(problems)} problem(s), e.g. {shown}. Run validate-corpus.")
    frame = pd.DataFrame(rows)
    splits = {name: part.reset_index(drop=True) for name, part in frame.groupby("split")}
    missing = {"train", "dev"} - set(splits)
    if missing:
        raise InputFormatError(f"{path}: no rows in split(s) {', '.join(sorted(missing))}.")
    return splits


def evaluate(model: FeedbackClassifier, part: pd.DataFrame, scores: pd.DataFrame | None = None) -> dict:
    """Per-label P/R/F1 and PR-AUC, macro/micro F1, sentiment accuracy and macro-F1,
    flag recall and precision at its threshold, the share of unflagged comments flagged,
    and the Brier score of each head."""
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
        metrics[f"{label}_pr_auc"] = average_precision_score(truth, scores[label])
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
    return {key: round(float(value), 4) for key, value in metrics.items()}


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


def train(recipe: Recipe, data: Path = DEFAULT_CORPUS) -> TrainingResult:
    """Fit on the train split, tune thresholds on dev, score dev and test."""
    started = time.perf_counter()
    splits = load_splits(data)
    model = build_model(recipe)
    model.fit(splits["train"]["text"], splits["train"])
    dev_scores = model.predict_scores(splits["dev"]["text"])
    pooled = None
    if recipe.thresholds.flag_pool_train_out_of_fold:
        truth = splits["train"][FLAG].astype(int).to_numpy()
        folds = recipe.model.calibration_folds
        pooled = (truth, model.out_of_fold_flag_scores(splits["train"]["text"], truth, folds))
    thresholds = recipe.thresholds
    model.tune_thresholds(
        dev_scores, splits["dev"], thresholds.flag_min_recall, pooled, thresholds.flag_recall_confidence
    )
    evaluated = {
        name: (part, dev_scores if name == "dev" else model.predict_scores(part["text"]))
        for name, part in splits.items()
        if name != "train"
    }
    metrics = {
        name: evaluate(model, part, scores) | hard_case_metrics(model, part, scores)
        for name, (part, scores) in evaluated.items()
    }
    metrics["baselines"] = {
        name: baselines(splits["train"], part) for name, part in splits.items() if name != "train"
    }
    seconds = time.perf_counter() - started
    logger.info("trained %s in %.1f s", recipe.name, seconds)
    return TrainingResult(recipe, model, file_sha256(data), metrics, round(seconds, 1), evaluated)
