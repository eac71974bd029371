"""Scoring a model bundle on any labelled file: `palauteluokitin evaluate`.

A file with a `pair` column (the corpus's contrast pairs) is also scored by pair: a
pair counts as right only when every member's label is right, so a model that says
the same for a comment and its minimal edit gets none of them.

What would make the figures mean something else is refused or said: a file whose labels
are a model's own output (a `classify` output) is refused; the rows scored are counted
per split, and rows of the train split the model was fitted on are warned about.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from palauteluokitin.classify.loaded_model import LoadedModel, text_problem
from palauteluokitin.errors import LabelledFileError
from palauteluokitin.exports.columns import detect_text_column, given_column
from palauteluokitin.exports.read import read_table
from palauteluokitin.labels import FLAG, LABEL_COLUMNS, OUTPUT_COLUMNS, RIGHTS_CATEGORIES, SENTIMENTS, SPLITS
from palauteluokitin.training.corpus import read_corpus
from palauteluokitin.training.metrics import evaluate
from palauteluokitin.training.plots import report_text
from palauteluokitin.training.train import DEFAULT_CORPUS, file_sha256

# Columns only `palauteluokitin classify` adds: a file with them holds a model's predictions.
MODEL_OUTPUT_COLUMNS = tuple(name for name in OUTPUT_COLUMNS if name not in LABEL_COLUMNS and name != "lang")
# With at least this many rows, labels identical to the model's predictions on every row are
# its own output: even on its training rows the default model gets 74 % of rows wholly right
# (0.74 ** 50 < 1e-6), on new comments 34-38 %.
SAME_AS_MODEL_MIN_ROWS = 50


def contrast_pair_scores(part: pd.DataFrame, decided: pd.DataFrame) -> dict[str, float]:
    """How many pairs of at least two scored comments there are, and the share of them
    with the flag, and with the sentiment, right on every member."""
    right = pd.DataFrame(
        {
            "pair": part["pair"].fillna("").astype(str).to_numpy(),
            FLAG: (part[FLAG].astype(int).to_numpy() == decided[FLAG].to_numpy()),
            "sentiment": (part["sentiment"].to_numpy() == decided["sentiment"].to_numpy()),
        }
    )
    groups = right[right["pair"] != ""].groupby("pair")
    whole = groups.size() >= 2
    both = groups[[FLAG, "sentiment"]].all()[whole]
    return {"pairs": int(whole.sum()), **{label: float(both[label].mean()) for label in (FLAG, "sentiment")}}


def refuse_model_output(name: str, columns) -> None:
    """A LabelledFileError when the file has columns only a `classify` output has."""
    found = [column for column in MODEL_OUTPUT_COLUMNS if column in columns]
    if found:
        raise LabelledFileError(
            f"{name} looks like the output of `palauteluokitin classify` (it has "
            f"{', '.join(found[:3])}{', …' if len(found) > 3 else ''}): "
            "its label columns are a model's predictions, and a model scored against its own "
            "predictions gets 1.0 everywhere. Evaluate the file with the labels people gave."
        )


def refuse_labels_equal_to_predictions(name: str, part: pd.DataFrame, decided: pd.DataFrame) -> None:
    """A LabelledFileError when every label of every row (of many) is what the model predicts."""
    if len(part) < SAME_AS_MODEL_MIN_ROWS:
        return
    for label in LABEL_COLUMNS:
        truth = part[label] if label == "sentiment" else part[label].astype(int)
        if not (truth.to_numpy() == decided[label].to_numpy()).all():
            return
    raise LabelledFileError(
        f"Every label of all {len(part):,} rows of {name} is what this model predicts: the labels look "
        "like the model's own output (a classify output?), and scoring them would give 1.0 everywhere. "
        "Evaluate the file with the labels people gave."
    )


def model_training_texts(model: LoadedModel, path: Path) -> tuple[Path, set[str]] | None:
    """The training file of `model` and the texts of its train split, when that file is at
    hand: the evaluated file itself or the project's corpus, recognised by the sha256 of
    the training data in the bundle's model.json. None when neither is it."""
    wanted = model.metadata.get("training_data_sha256")
    if not wanted:
        return None
    for candidate in dict.fromkeys([Path(path), DEFAULT_CORPUS]):
        if candidate.is_file() and file_sha256(candidate) == wanted:
            return candidate, {row["text"] for row in read_corpus(candidate) if row.get("split") == "train"}
    return None


def split_lines(model: LoadedModel, path: Path, part: pd.DataFrame) -> list[str]:
    """How many scored rows each split has, and a warning when any row is one the model was
    trained on (or, when its training data is not at hand, one marked split=train)."""
    lines = []
    if "split" in part.columns:
        counts = part["split"].replace("", "(none)").value_counts()
        order = [name for name in SPLITS if name in counts] + sorted(set(counts.index) - set(SPLITS))
        lines.append("splits scored: " + ", ".join(f"{name} {counts[name]:,}" for name in order))
    else:
        lines.append("splits scored: the file has no split column")
    training = model_training_texts(model, path)
    overstated = (
        "the model has learned them, so every figure below overstates how it does on new comments; "
        "pass --split test (or dev) to score only comments it has not seen."
    )
    if training is not None:
        corpus, texts = training
        seen = int(part["text"].isin(texts).sum())
        if seen:
            lines.append(
                f"Warning: {seen:,} of the {len(part):,} rows scored are in the train split of "
                f"{corpus.name}, the data this model was trained on (sha256 in its model.json): {overstated}"
            )
    elif "split" in part.columns and (marked := int((part["split"] == "train").sum())):
        lines.append(
            f"Warning: {marked:,} of the {len(part):,} rows scored are marked split=train. This model's "
            "training data is not at hand to check them; if they come from it, " + overstated
        )
    return lines


def evaluate_file(
    path: Path, model: LoadedModel, text_column: str | None = None, split: str | None = None
) -> str:
    """The classification report and headline metrics of `model` on a labelled file
    (only its rows of `split` when given), with the splits scored; a classify output
    (labels that are a model's predictions) is refused."""
    frame = read_table(Path(path))
    refuse_model_output(Path(path).name, frame.columns)
    if split is not None:
        if "split" not in frame.columns:
            raise LabelledFileError(
                f"{Path(path).name} has no split column; leave out --split to score every row."
            )
        frame = frame[frame["split"] == split].reset_index(drop=True)
        if frame.empty:
            raise LabelledFileError(f"{Path(path).name} has no rows with split={split}.")
    missing = [column for column in LABEL_COLUMNS if column not in frame.columns]
    if missing:
        raise LabelledFileError(
            f"{Path(path).name} lacks the label column(s) {', '.join(missing)}; a labelled file has "
            f"{', '.join(LABEL_COLUMNS)} beside the text."
        )
    text_column = given_column(frame.columns, text_column, "--text-column") or detect_text_column(
        frame.drop(columns=list(LABEL_COLUMNS))
    )
    usable = frame[[text_problem(text)[1] == "" for text in frame[text_column]]].reset_index(drop=True)
    for label in (*RIGHTS_CATEGORIES, FLAG):
        bad = ~usable[label].isin(["0", "1"])
        if bad.any():
            value = usable[label][bad].iloc[0]
            raise LabelledFileError(f"Column {label} must hold 0 or 1; found {value!r}.")
    unknown = set(usable["sentiment"]) - set(SENTIMENTS)
    if unknown:
        raise LabelledFileError(
            f"Unknown sentiment value(s) {', '.join(sorted(unknown))}; use {', '.join(SENTIMENTS)}."
        )
    part = usable.rename(columns={text_column: "text"}) if text_column != "text" else usable
    scores = model.classifier.predict_scores(part["text"])
    decided = model.classifier.decide(scores)
    refuse_labels_equal_to_predictions(Path(path).name, part, decided)
    metrics = evaluate(model.classifier, part, scores, digits=None)  # shown as the tables round them
    unflagged = int((part[FLAG].astype(int) == 0).sum())
    if unflagged < len(part):
        flag = (
            f"recall {metrics[f'{FLAG}_recall']:.3f}, precision {metrics[f'{FLAG}_precision']:.3f}, "
            f"PR-AUC {metrics[f'{FLAG}_pr_auc']:.3f}"
        )
    else:
        flag = "no comment here is labelled flagged, so no recall or PR-AUC"
    lines = [
        f"Model {model.version} on {Path(path).name}: {len(part):,} rows scored, "
        f"{len(frame) - len(part):,} without a usable comment skipped",
        *split_lines(model, Path(path), part),
        f"Headline: rights categories macro-F1 {metrics['categories_macro_f1']:.3f} (the mean F1 of the "
        f"{len(RIGHTS_CATEGORIES)} categories: 'macro avg' of the categories table below)",
        f"rights categories: micro-F1 {metrics['categories_micro_f1']:.3f} (every category decision pooled: "
        "'micro avg')",
        f"sentiment: accuracy {metrics['sentiment_accuracy']:.3f}, "
        f"macro-F1 {metrics['sentiment_macro_f1']:.3f} (mean F1 of the sentiments in its table: 'macro avg')",
        f"flag ({FLAG}, threshold {model.classifier.threshold(FLAG):.3f}): {flag}; "
        f"flagged {metrics[f'{FLAG}_false_flag_rate']:.1%} of the {unflagged:,} comments labelled unflagged",
    ]
    if "pair" in part.columns:
        pairs = contrast_pair_scores(part, decided)
        if pairs["pairs"]:
            lines.append(
                f"contrast pairs: {pairs['pairs']}; flag right on both members of {pairs[FLAG]:.1%}, "
                f"sentiment on both of {pairs['sentiment']:.1%}"
            )
    lines += ["", report_text(model.classifier, part, scores)]
    return "\n".join(lines)
