"""Scoring a model bundle on any labelled file: `palauteluokitin evaluate`.

A file with a `pair` column (the corpus's contrast pairs) is also scored by pair: a
pair counts as right only when every member's label is right, so a model that says
the same for a comment and its minimal edit gets none of them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from palauteluokitin.classify.loaded_model import LoadedModel, text_problem
from palauteluokitin.errors import LabelledFileError
from palauteluokitin.exports.columns import detect_text_column, given_column
from palauteluokitin.exports.read import read_table
from palauteluokitin.labels import FLAG, LABEL_COLUMNS, RIGHTS_CATEGORIES, SENTIMENTS
from palauteluokitin.training.metrics import evaluate
from palauteluokitin.training.plots import report_text


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


def evaluate_file(
    path: Path, model: LoadedModel, text_column: str | None = None, split: str | None = None
) -> str:
    """The classification report and headline metrics of `model` on a labelled file
    (only its rows of `split` when given)."""
    frame = read_table(Path(path))
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
    metrics = evaluate(model.classifier, part, scores)
    lines = [
        f"Model {model.version} on {Path(path).name}: {len(part)} rows scored, "
        f"{len(frame) - len(part)} without a usable comment skipped",
        f"categories macro-F1 {metrics['categories_macro_f1']}, micro-F1 {metrics['categories_micro_f1']}",
        f"sentiment accuracy {metrics['sentiment_accuracy']}, macro-F1 {metrics['sentiment_macro_f1']}",
        f"flag recall {metrics[f'{FLAG}_recall']}, precision {metrics[f'{FLAG}_precision']}, "
        f"PR-AUC {metrics[f'{FLAG}_pr_auc']}; flagged {metrics[f'{FLAG}_false_flag_rate']:.1%} of the "
        f"{int((part[FLAG].astype(int) == 0).sum())} comments labelled unflagged",
    ]
    if "pair" in part.columns:
        pairs = contrast_pair_scores(part, model.classifier.decide(scores))
        if pairs["pairs"]:
            lines.append(
                f"contrast pairs: {pairs['pairs']}; flag right on both members of {pairs[FLAG]:.1%}, "
                f"sentiment on both of {pairs['sentiment']:.1%}"
            )
    lines += ["", report_text(model.classifier, part, scores)]
    return "\n".join(lines)
