"""Auxiliary training rows from real text, added to the corpus's train split by a recipe.

- The `train` part of the real-text set (`data/realtext/labels.csv`): tweets labelled by
  this project's scheme, texts read from the shared folder. Its `dev` part is never used.
- XED, Finnish (Öhman et al., COLING 2020, CC BY 4.0): film subtitle lines labelled with
  Plutchik emotions by people, as sentiment examples that are about no rights category
  and report no mistreatment: joy or trust alone -> positiivinen; anger, disgust, fear or
  sadness alone -> negatiivinen; lines of `neu_fi.txt` -> neutraali. Lines with both
  kinds, or only anticipation or surprise, are left out.
"""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd

from palauteluokitin.errors import InputFormatError
from palauteluokitin.labels import FLAG, RIGHTS_CATEGORIES
from palauteluokitin.training.realtext import LABELS, default_realtext_dir, read_realtext_set

POSITIVE_EMOTIONS, NEGATIVE_EMOTIONS = {5, 8}, {1, 3, 4, 6}


def realtext_train_rows(labels_csv: Path = LABELS) -> pd.DataFrame:
    """The train part of the labelled real texts, as corpus rows."""
    return pd.DataFrame(read_realtext_set(labels_csv, split="train")).assign(pair="", lang="fi")


def xed_sentiment(emotions: set[int]) -> str | None:
    positive, negative = bool(emotions & POSITIVE_EMOTIONS), bool(emotions & NEGATIVE_EMOTIONS)
    if positive == negative:
        return None
    return "positiivinen" if positive else "negatiivinen"


def xed_rows(lines: int, seed: int, shared: Path | None = None) -> pd.DataFrame:
    """`lines` XED lines, a third each positive, negative and neutral, drawn with `seed`."""
    folder = (shared or default_realtext_dir()) / "xed-fi"
    if not folder.is_dir():
        raise InputFormatError(f"{folder} not found: the XED lines live in the shared real-text folder.")
    by_sentiment: dict[str, list[str]] = {"positiivinen": [], "negatiivinen": [], "neutraali": []}
    for line in (folder / "fi-annotated.tsv").read_text(encoding="utf-8").splitlines():
        text, _, labels = line.rpartition("\t")
        sentiment = xed_sentiment({int(label) for label in labels.split(",") if label.strip().isdigit()})
        if sentiment and text.strip():
            by_sentiment[sentiment].append(text.strip())
    for line in (folder / "neu_fi.txt").read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if len(fields) > 1 and fields[1].strip():
            by_sentiment["neutraali"].append(fields[1].strip())
    generator = random.Random(seed)
    chosen = [
        (text, sentiment)
        for sentiment, texts in by_sentiment.items()
        for text in generator.sample(sorted(set(texts)), min(lines // 3, len(set(texts))))
    ]
    frame = pd.DataFrame(chosen, columns=["text", "sentiment"])
    for label in (*RIGHTS_CATEGORIES, FLAG):
        frame[label] = "0"
    return frame.assign(
        id=[f"xed-{number}" for number in range(len(frame))], split="train", pair="", lang="fi"
    )
