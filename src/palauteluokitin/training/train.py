"""Train the feedback classifier from a recipe and an annotated corpus, and score it."""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from palauteluokitin.errors import InputFormatError
from palauteluokitin.labels import FLAG
from palauteluokitin.locations import project_path
from palauteluokitin.modeling.classifier import FeedbackClassifier
from palauteluokitin.modeling.features import FeedbackFeatures
from palauteluokitin.training.corpus import read_corpus, validate_rows
from palauteluokitin.training.metrics import baselines, evaluate, hard_case_metrics
from palauteluokitin.training.recipe import Recipe
from palauteluokitin.training.thresholds import out_of_fold_flag_scores, tune_thresholds

logger = logging.getLogger(__name__)

DEFAULT_CORPUS = project_path("data/annotated/palaute.csv")
DEFAULT_RECIPE = project_path("pipelines/baseline.toml")


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


def with_auxiliary(part: pd.DataFrame, recipe: Recipe) -> pd.DataFrame:
    """The train split with the recipe's auxiliary rows from real text appended, and a
    `weight` column: 1 for the corpus's comments, the recipe's weight for the others."""
    from palauteluokitin.training.auxiliary import realtext_train_rows, xed_rows

    settings = recipe.auxiliary
    parts = [part.assign(weight=1.0)]
    if settings.realtext_train:
        parts.append(realtext_train_rows().assign(weight=settings.realtext_weight))
    if settings.xed_lines:
        parts.append(xed_rows(settings.xed_lines, recipe.seed).assign(weight=settings.xed_weight))
    return pd.concat(parts, ignore_index=True).fillna("")


def realtext_dev_flags(model: FeedbackClassifier) -> tuple:
    """Truth and flag scores of the real-text development set."""
    from palauteluokitin.training.realtext import LABELS, read_realtext_set

    dev = pd.DataFrame(read_realtext_set(LABELS, split="dev"))
    return dev[FLAG].astype(int).to_numpy(), model.predict_scores(dev["text"])[FLAG].to_numpy()


def train(recipe: Recipe, data: Path = DEFAULT_CORPUS) -> TrainingResult:
    """Fit on the train split (with the recipe's auxiliary rows), tune thresholds on dev,
    score dev and test."""
    started = time.perf_counter()
    splits = load_splits(data)
    splits["train"] = with_auxiliary(splits["train"], recipe)
    model = build_model(recipe)
    weights = splits["train"]["weight"].to_numpy()
    model.fit(splits["train"]["text"], splits["train"], sample_weight=weights)
    dev_scores = model.predict_scores(splits["dev"]["text"])
    pooled_truth, pooled_scores = [], []
    if recipe.thresholds.flag_pool_train_out_of_fold:
        truth = splits["train"][FLAG].astype(int).to_numpy()
        folds = recipe.model.calibration_folds
        groups = splits["train"].get("pair", pd.Series([""] * len(truth))).fillna("").astype(str)
        groups = groups.where(groups != "", splits["train"]["id"].astype(str)).to_numpy()
        oof = out_of_fold_flag_scores(model, splits["train"]["text"], truth, folds, groups, weights)
        pooled_truth.append(truth)
        pooled_scores.append(oof)
    if recipe.thresholds.flag_pool_realtext_dev:
        truth, scores = realtext_dev_flags(model)
        pooled_truth.append(truth)
        pooled_scores.append(scores)
    pooled = (np.concatenate(pooled_truth), np.concatenate(pooled_scores)) if pooled_truth else None
    settings = recipe.thresholds
    thresholds = tune_thresholds(
        dev_scores, splits["dev"], settings.flag_min_recall, pooled, settings.flag_recall_confidence
    )
    model.set_params(thresholds=thresholds)
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
