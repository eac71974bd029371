"""Assemble palaute.csv from the annotation drafts; deterministic, so it can be rerun.

Inputs (all under drafts/): the first-pass files w*.jsonl, opening rewrites in
fixes/rewritten.jsonl, the second pass in second_pass/labels_{a,b}.jsonl and its
adjudication in second_pass/resolved.jsonl. Outputs: palaute.csv (the corpus) and
agreement.json (Cohen's kappa of the two passes before adjudication).

    uv run python data/annotated/build_corpus.py
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sklearn.metrics import cohen_kappa_score
from sklearn.model_selection import train_test_split

from palauteluokitin.corpus import REQUIRED_COLUMNS, label_counts
from palauteluokitin.labels import FLAG, RIGHTS_CATEGORIES

HERE = Path(__file__).parent
DRAFTS = HERE / "drafts"
LABELS = (*RIGHTS_CATEGORIES, "sentiment", FLAG)
EXTRA_COLUMNS = ("writer", "register", "hard_case", "annotators")
SEED = 20261122


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def agreement(first: dict[str, dict], second: dict[str, dict]) -> dict:
    ids = sorted(second)
    result = {"comments": len(ids)}
    for label in LABELS:
        a = [str(first[i][label]) for i in ids]
        b = [str(second[i][label]) for i in ids]
        result[label] = {
            "agreement": round(sum(x == y for x, y in zip(a, b, strict=True)) / len(ids), 3),
            "cohen_kappa": round(cohen_kappa_score(a, b), 3),
        }
    return result


def assign_splits(rows: list[dict]) -> None:
    """70 / 15 / 15, stratified by flag and language."""
    strata = [f"{row[FLAG]}-{row['lang']}" for row in rows]
    train, rest = train_test_split(range(len(rows)), train_size=0.7, stratify=strata, random_state=SEED)
    dev, test = train_test_split(rest, train_size=0.5, stratify=[strata[i] for i in rest], random_state=SEED)
    for split, indices in (("train", train), ("dev", dev), ("test", test)):
        for i in indices:
            rows[i]["split"] = split


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
    stats = agreement(by_id, second)
    for row in rows:
        row["annotators"] = 2 if row["id"] in second else 1
    for resolution in read_jsonl(DRAFTS / "second_pass" / "resolved.jsonl"):
        by_id[resolution["id"]].update(resolution["resolved"])
    assign_splits(rows)
    rows.sort(key=lambda row: row["id"])
    with (HERE / "palaute.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*REQUIRED_COLUMNS, *EXTRA_COLUMNS], extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    (HERE / "agreement.json").write_text(json.dumps(stats, indent=2) + "\n", encoding="utf-8")
    return {"rows": len(rows), **label_counts([{k: str(v) for k, v in row.items()} for row in rows])}


if __name__ == "__main__":
    print(json.dumps(build(), indent=2, ensure_ascii=False))
