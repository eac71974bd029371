"""Assemble labels.csv and agreement.json of the real-text set from the labelling drafts.

Inputs: selection.csv (which tweets, in labelling order), drafts/labels_a.jsonl and
drafts/labels_b.jsonl (two independent labellings), drafts/resolved.jsonl (the
adjudication of every label the two disagree on). Where the two agree, that is the
label; elsewhere the adjudicated one. Each tweet is assigned to `dev` (the development
set: measuring and choosing, never training) or `train` (kept for experiments with real
text in training), stratified by flag and sentiment. The training-only extension
(extension_selection.csv, labelled once in drafts/extension_labels.jsonl; a sample of 200
labelled again blind in drafts/extension_second_pass.jsonl, agreement in
extension_agreement.json) follows as `train`. No tweet text is written.

    uv run python data/realtext/build.py                        # labels.csv, agreement.json
    uv run python data/realtext/build.py --with-text /tmp/realtext.csv [--split dev]

The copy with texts is for `palauteluokitin evaluate`; never commit it.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from sklearn.model_selection import train_test_split

from palauteluokitin.labels import FLAG, LABEL_COLUMNS
from palauteluokitin.training.corpus import labelling_agreement, read_jsonl
from palauteluokitin.training.realtext import read_realtext_set

HERE = Path(__file__).parent
DRAFTS = HERE / "drafts"
DEV_SIZE = 440
SEED = 20261205
COLUMNS = ("source", "source_id", *LABEL_COLUMNS, "split")


def adjudicated(selection: list[dict], first: dict, second: dict, resolved: dict) -> list[dict]:
    rows = []
    for chosen in selection:
        key = chosen["source_id"]
        row = dict(chosen)
        for label in LABEL_COLUMNS:
            a, b = str(first[key][label]), str(second[key][label])
            if a != b and label not in resolved.get(key, {}):
                raise SystemExit(f"{key}: {label} {a!r} vs {b!r} is not adjudicated in resolved.jsonl")
            row[label] = a if a == b else str(resolved[key][label])
        rows.append(row)
    return rows


def assign_splits(rows: list[dict]) -> None:
    strata = [f"{row[FLAG]}-{row['sentiment']}" for row in rows]
    dev, _ = train_test_split(range(len(rows)), train_size=DEV_SIZE, stratify=strata, random_state=SEED)
    chosen = set(dev)
    for i, row in enumerate(rows):
        row["split"] = "dev" if i in chosen else "train"


def read_selection(name: str) -> list[dict]:
    with (HERE / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def extension_rows(labels: dict[str, dict]) -> list[dict]:
    """The training-only extension with its one labelling (by tweet id), as `train` rows."""
    return [
        {
            **chosen,
            **{label: str(labels[chosen["source_id"]][label]) for label in LABEL_COLUMNS},
            "split": "train",
        }
        for chosen in read_selection("extension_selection.csv")
    ]


def build() -> dict:
    selection = read_selection("selection.csv")
    first, second = (
        {row["source_id"]: row for row in read_jsonl(DRAFTS / name)}
        for name in ("labels_a.jsonl", "labels_b.jsonl")
    )
    resolved = {row["source_id"]: row["resolved"] for row in read_jsonl(DRAFTS / "resolved.jsonl")}
    rows = adjudicated(selection, first, second, resolved)
    assign_splits(rows)
    labelled_once = {row["source_id"]: row for row in read_jsonl(DRAFTS / "extension_labels.jsonl")}
    rows += extension_rows(labelled_once)
    with (HERE / "labels.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    stats = labelling_agreement(first, second)
    (HERE / "agreement.json").write_text(json.dumps(stats, indent=2) + "\n", encoding="utf-8")
    again = {row["source_id"]: row for row in read_jsonl(DRAFTS / "extension_second_pass.jsonl")}
    extension_stats = labelling_agreement({key: labelled_once[key] for key in again}, again)
    (HERE / "extension_agreement.json").write_text(
        json.dumps(extension_stats, indent=2) + "\n", encoding="utf-8"
    )
    return stats


def write_with_text(path: Path, split: str | None = None) -> None:
    """labels.csv joined with the tweets' texts, as a corpus-shaped CSV (one split or all)."""
    rows = read_realtext_set(HERE / "labels.csv", split=split)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "text", *COLUMNS], extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} labelled tweets with their texts -> {path}", file=sys.stderr)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--with-text", type=Path, metavar="CSV", help="Also write a local copy with texts.")
    parser.add_argument("--split", choices=("dev", "train"), help="Only this split in the copy with texts.")
    arguments = parser.parse_args()
    print(json.dumps(build(), indent=2))
    if arguments.with_text:
        write_with_text(arguments.with_text, arguments.split)
