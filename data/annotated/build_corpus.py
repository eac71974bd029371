"""Assemble palaute.csv from the annotation drafts; deterministic, so it can be rerun.

Inputs (all under drafts/): the first-pass files w*.jsonl, opening rewrites in
fixes/rewritten.jsonl, the second pass in second_pass/labels_{a,b}.jsonl and its
adjudication in second_pass/resolved.jsonl, and the training-only extension
extension/x*.jsonl (written after the splits were fixed, so dev and test stay as they
were). Outputs: palaute.csv (the corpus) and agreement.json (Cohen's kappa of the two
passes before adjudication).

    uv run python data/annotated/build_corpus.py
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from sklearn.model_selection import train_test_split

from palauteluokitin.corpus import (
    REQUIRED_COLUMNS,
    duplicate_openings,
    label_counts,
    labelling_agreement,
    near_duplicates,
    read_jsonl,
)
from palauteluokitin.labels import FLAG

HERE = Path(__file__).parent
DRAFTS = HERE / "drafts"
EXTRA_COLUMNS = ("writer", "register", "hard_case", "annotators")
SEED = 20261122


def assign_splits(rows: list[dict]) -> None:
    """70 / 15 / 15, stratified by flag and language."""
    strata = [f"{row[FLAG]}-{row['lang']}" for row in rows]
    train, rest = train_test_split(range(len(rows)), train_size=0.7, stratify=strata, random_state=SEED)
    dev, test = train_test_split(rest, train_size=0.5, stratify=[strata[i] for i in rest], random_state=SEED)
    for split, indices in (("train", train), ("dev", dev), ("test", test)):
        for i in indices:
            rows[i]["split"] = split


def drop_repeats(rows: list[dict], droppable: set[str]) -> list[dict]:
    """Without the extension comments that repeat an earlier comment's text or opening
    ("ok", "Kiitos kyselystä."): the corpus keeps one of each."""
    as_text = [{key: str(value) for key, value in row.items()} for row in rows]
    repeats = {problem.row_id for problem in duplicate_openings(as_text) + near_duplicates(as_text)}
    dropped = repeats & droppable
    print(f"dropped {len(dropped)} extension comments that repeat an earlier one", file=sys.stderr)
    return [row for row in rows if row["id"] not in dropped]


def build() -> dict:
    rows = [row for path in sorted(DRAFTS.glob("w*.jsonl")) for row in read_jsonl(path)]
    by_id = {row["id"]: row for row in rows}
    for fix in read_jsonl(DRAFTS / "fixes" / "rewritten.jsonl"):
        by_id[fix["id"]]["text"] = fix["text"]
    second = {
        row["id"]: row
        for name in ("labels_a.jsonl", "labels_b.jsonl")
        for row in read_jsonl(DRAFTS / "second_pass" / name)
    }
    stats = labelling_agreement(by_id, second)
    for row in rows:
        row["annotators"] = 2 if row["id"] in second else 1
    for resolution in read_jsonl(DRAFTS / "second_pass" / "resolved.jsonl"):
        by_id[resolution["id"]].update(resolution["resolved"])
    assign_splits(rows)
    extension = [row for path in sorted((DRAFTS / "extension").glob("x*.jsonl")) for row in read_jsonl(path)]
    for row in extension:
        row["split"], row["annotators"] = "train", 1
    rows += extension
    rows.sort(key=lambda row: row["id"])
    rows = drop_repeats(rows, {row["id"] for row in extension})
    with (HERE / "palaute.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*REQUIRED_COLUMNS, *EXTRA_COLUMNS], extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    (HERE / "agreement.json").write_text(json.dumps(stats, indent=2) + "\n", encoding="utf-8")
    return {"rows": len(rows), **label_counts([{k: str(v) for k, v in row.items()} for row in rows])}


if __name__ == "__main__":
    print(json.dumps(build(), indent=2, ensure_ascii=False))
