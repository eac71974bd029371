"""Evaluation plots and reports written as files: confusion matrices, PR curves, calibration."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    classification_report,
    confusion_matrix,
    precision_recall_curve,
    precision_recall_fscore_support,
)

from palauteluokitin.labels import FLAG, RIGHTS_CATEGORIES, SENTIMENTS
from palauteluokitin.modeling.classifier import BINARY_LABELS, FeedbackClassifier


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def report_text(model: FeedbackClassifier, part: pd.DataFrame, scores: pd.DataFrame) -> str:
    """scikit-learn's classification reports: the rights categories (their 'macro avg' is the
    categories macro-F1), the mistreatment flag on its own, and sentiment."""
    decided = model.decide(scores)
    categories = classification_report(
        part[list(RIGHTS_CATEGORIES)].astype(int).to_numpy(),
        decided[list(RIGHTS_CATEGORIES)].to_numpy(),
        target_names=list(RIGHTS_CATEGORIES),
        zero_division=0,
        digits=3,
    )
    truth = part[FLAG].astype(int).to_numpy()
    precision, recall, f1, _ = precision_recall_fscore_support(
        truth, decided[FLAG].to_numpy(), average="binary", zero_division=0
    )
    width = len(FLAG)
    flag = (
        f"{'':>{width}} {'precision':>9} {'recall':>9} {'f1-score':>9} {'support':>9}\n\n"
        f"{FLAG:>{width}} {precision:>9.3f} {recall:>9.3f} {f1:>9.3f} {int(truth.sum()):>9}\n"
    )
    # the sentiments given or predicted, as in the macro-F1 of `metrics.evaluate`
    present = set(part["sentiment"]) | set(decided["sentiment"])
    sentiment = classification_report(
        part["sentiment"],
        decided["sentiment"],
        labels=[name for name in SENTIMENTS if name in present],
        zero_division=0,
        digits=3,
    )
    return (
        f"Rights categories at the tuned thresholds\n\n{categories}\n"
        f"Mistreatment flag at its threshold ({model.threshold(FLAG):.3f})\n\n{flag}\n"
        f"Sentiment\n\n{sentiment}"
    )


def confusion_matrices(model, part, scores, path: Path) -> Path:
    plt = _pyplot()
    decided = model.decide(scores)
    figure, axes = plt.subplots(1, len(BINARY_LABELS) + 1, figsize=(4 * (len(BINARY_LABELS) + 1), 4))
    panels = [(label, part[label].astype(int), decided[label], [0, 1]) for label in BINARY_LABELS]
    panels.append(("sentiment", part["sentiment"], decided["sentiment"], list(SENTIMENTS)))
    for axis, (title, truth, predicted, labels) in zip(axes, panels, strict=True):
        matrix = confusion_matrix(truth, predicted, labels=labels)
        axis.imshow(matrix, cmap="Blues")
        for (row, column), count in np.ndenumerate(matrix):
            colour = "white" if count > matrix.max() / 2 else "black"
            axis.text(column, row, str(count), ha="center", va="center", color=colour)
        names = [str(label)[:6] for label in labels]
        axis.set(
            title=title,
            xlabel="predicted",
            ylabel="true",
            xticks=range(len(labels)),
            yticks=range(len(labels)),
        )
        axis.set_xticklabels(names, rotation=45)
        axis.set_yticklabels(names)
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
    return path


def pr_curves(model, part, scores, path: Path) -> Path:
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(6, 5))
    for label in BINARY_LABELS:
        precision, recall, _ = precision_recall_curve(part[label].astype(int), scores[label])
        axis.plot(recall, precision, label=label)
        threshold = model.threshold(label)
        predicted = scores[label] >= threshold
        truth = part[label].astype(int).to_numpy() == 1
        point_recall = (predicted & truth).sum() / max(truth.sum(), 1)
        point_precision = (predicted & truth).sum() / max(predicted.sum(), 1)
        axis.scatter([point_recall], [point_precision], s=25)
    axis.set(
        xlabel="recall",
        ylabel="precision",
        xlim=(0, 1.01),
        ylim=(0, 1.01),
        title="PR curves (dots: thresholds)",
    )
    axis.legend(loc="lower left")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
    return path


def calibration_plot(part, scores, path: Path, bins: int = 8) -> Path:
    """Reliability diagram: mean predicted score against the observed share, per head."""
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(6, 5))
    axis.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfectly calibrated")
    for label in (*RIGHTS_CATEGORIES, "epaasiallinen_kohtelu"):
        observed, predicted = calibration_curve(
            part[label].astype(int), scores[label], n_bins=bins, strategy="quantile"
        )
        axis.plot(predicted, observed, marker="o", label=label)
    axis.set(
        xlabel="mean score", ylabel="share with the label", title="Calibration", xlim=(0, 1), ylim=(0, 1)
    )
    axis.legend(loc="upper left", fontsize="small")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
    return path


def write_evaluation(model, evaluated: dict, directory: Path) -> list[Path]:
    """Reports and plots for every evaluated split into `directory`; returns the files."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for split, (part, scores) in evaluated.items():
        report = directory / f"classification_report_{split}.txt"
        report.write_text(report_text(model, part, scores), encoding="utf-8")
        written += [
            report,
            confusion_matrices(model, part, scores, directory / f"confusion_matrices_{split}.png"),
            pr_curves(model, part, scores, directory / f"pr_curves_{split}.png"),
            calibration_plot(part, scores, directory / f"calibration_{split}.png"),
        ]
    return written
