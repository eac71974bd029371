"""Scoring a model bundle on any labelled file: `palauteluokitin evaluate`."""

from __future__ import annotations

from pathlib import Path

from palauteluokitin.classify import Model, text_problem
from palauteluokitin.exports import ExportError, detect_text_column, read_table
from palauteluokitin.labels import FLAG, RIGHTS_CATEGORIES, SENTIMENTS
from palauteluokitin.plots import report_text
from palauteluokitin.train import evaluate

LABEL_COLUMNS = (*RIGHTS_CATEGORIES, "sentiment", FLAG)


def evaluate_file(path: Path, model: Model, text_column: str | None = None) -> str:
    """The classification report and headline metrics of `model` on a labelled file."""
    frame = read_table(Path(path))
    missing = [column for column in LABEL_COLUMNS if column not in frame.columns]
    if missing:
        raise ExportError(
            f"{Path(path).name} lacks the label column(s) {', '.join(missing)}; a labelled file has "
            f"{', '.join(LABEL_COLUMNS)} beside the text."
        )
    text_column = text_column or detect_text_column(frame.drop(columns=list(LABEL_COLUMNS)))
    usable = frame[[text_problem(text)[1] == "" for text in frame[text_column]]].reset_index(drop=True)
    for label in (*RIGHTS_CATEGORIES, FLAG):
        bad = ~usable[label].isin(["0", "1"])
        if bad.any():
            value = usable[label][bad].iloc[0]
            raise ExportError(f"Column {label} must hold 0 or 1; found {value!r}.")
    unknown = set(usable["sentiment"]) - set(SENTIMENTS)
    if unknown:
        raise ExportError(
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
        f"PR-AUC {metrics[f'{FLAG}_pr_auc']}",
        "",
        report_text(model.classifier, part, scores),
    ]
    return "\n".join(lines)
