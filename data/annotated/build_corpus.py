"""Assemble palaute.csv from the annotation drafts; deterministic, so it can be rerun.

Inputs (all under drafts/): the first-pass files w*.jsonl, opening rewrites in
fixes/rewritten.jsonl, the second pass in second_pass/labels_{a,b}.jsonl and its
adjudication in second_pass/resolved.jsonl, the training-only extension
extension/x*.jsonl (written after the splits were fixed, so dev and test stay as they
were), and the contrast pairs contrast/k*.jsonl with their reworded openings in
contrast/fixes.jsonl, their second pass and adjudication in contrast/second_pass/ (and,
for issue 15's writers k13–k16, contrast/second_pass_issue15/), and
the review of the other comments' sentiment by guidelines version 3 in
contrast/sentiment_review/ (a counterpart joins its original's split and pair; a pair
written from scratch goes to train). Outputs: palaute.csv (the corpus) and
agreement.json (Cohen's kappa of each second pass with the first labels, before
adjudication).

    uv run python data/annotated/build_corpus.py
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from pathlib import Path

from sklearn.model_selection import train_test_split

from palauteluokitin.labels import FLAG
from palauteluokitin.training.corpus import (
    CORPUS_COLUMNS,
    duplicate_openings,
    label_counts,
    labelling_agreement,
    near_duplicates,
    read_jsonl,
)

HERE = Path(__file__).parent
DRAFTS = HERE / "drafts"
SEED = 20261122
# Services that contrast writers named outside the corpus's list of 25, mapped to the
# nearest listed one.
SERVICE_NAMES = {
    "poliklinikka": "sairaalan poliklinikka",
    "suun terveydenhuolto": "hammashoito",
    "aikuissosiaalityö": "aikuissosiaalityö/toimeentulotuki",
    "opiskeluterveydenhuolto": "kouluterveydenhuolto",
    "opiskeluhuolto": "kouluterveydenhuolto",
    "hoivakoti": "ympärivuorokautinen palveluasuminen",
    "kuvantaminen": "röntgen",
    "etävastaanotto": "vastaanotto",
    "sähköinen asiointi": "puhelinpalvelu",
    "kotisairaala": "kotihoito",
    "ikäihmisten päivätoiminta": "kotihoito",
    "ikäihmisten palveluohjaus": "kotihoito",
    "apuvälinepalvelut": "kuntoutus",
    "apuvälinepalvelu": "kuntoutus",
    "perhepalvelut": "perheneuvola",
}


def assign_splits(rows: list[dict]) -> None:
    """70 / 15 / 15, stratified by flag and language."""
    strata = [f"{row[FLAG]}-{row['lang']}" for row in rows]
    train, rest = train_test_split(range(len(rows)), train_size=0.7, stratify=strata, random_state=SEED)
    dev, test = train_test_split(rest, train_size=0.5, stratify=[strata[i] for i in rest], random_state=SEED)
    for split, indices in (("train", train), ("dev", dev), ("test", test)):
        for i in indices:
            rows[i]["split"] = split


def drop_repeats(rows: list[dict], droppable: set[str]) -> list[dict]:
    """Without the later comments that repeat another comment's text or opening ("ok",
    "Kiitos kyselystä.") outside their own pair: the corpus keeps one of each. Rows are
    checked in their order, so a droppable row should come after the rows it may repeat."""
    as_text = [{key: str(value) for key, value in row.items()} for row in rows]
    repeats = {problem.row_id for problem in duplicate_openings(as_text) + near_duplicates(as_text)}
    dropped = repeats & droppable
    print(f"dropped {len(dropped)} added comments that repeat another one", file=sys.stderr)
    kept = [row for row in rows if row["id"] not in dropped]
    sizes = Counter(row["pair"] for row in kept if row["pair"])
    for row in kept:
        if row["pair"] and sizes[row["pair"]] < 2:
            row["pair"] = ""
    return kept


def pair_root(row: dict, by_id: dict[str, dict]) -> str:
    """The id of the original a contrast comment was derived from, following `pair_of`."""
    while row.get("pair_of"):
        row = by_id[row["pair_of"]]
    return row["id"]


def second_pass(folder: Path, first: dict[str, dict]) -> dict:
    """Agreement of the second labelling in `folder` with the first labels, then the
    adjudicated labels applied to `first`."""
    second = {
        row["id"]: row for name in ("labels_a.jsonl", "labels_b.jsonl") for row in read_jsonl(folder / name)
    }
    stats = labelling_agreement(first, second)
    for key in second:
        first[key]["annotators"] = 2
    for resolution in read_jsonl(folder / "resolved.jsonl"):
        first[resolution["id"]].update(resolution["resolved"])
    return stats


def add_contrasts(rows: list[dict]) -> tuple[list[dict], dict]:
    """The contrast comments, each with its pair and its original's split (train for a
    pair written from scratch); the originals get their pair too."""
    # In writer order (k1, k2, …, k16): where a later writer repeats an earlier comment, the later is dropped.
    paths = sorted((DRAFTS / "contrast").glob("k*.jsonl"), key=lambda path: int(path.stem[1:].split("_")[0]))
    contrast = [row for path in paths for row in read_jsonl(path)]
    by_id = {row["id"]: row for row in [*rows, *contrast]}
    for fix in read_jsonl(DRAFTS / "contrast" / "fixes.jsonl"):
        by_id[fix["id"]]["text"] = fix["text"]
    for row in contrast:
        root = by_id[pair_root(row, by_id)]
        row["pair"] = root["pair"] = root["id"]
        row["split"] = root.get("split", "train")
        row["annotators"] = 1
        row["service"] = SERVICE_NAMES.get(row["service"], row["service"])
    first = {row["id"]: row for row in contrast}
    stats = {
        key: second_pass(DRAFTS / "contrast" / folder, first)
        for key, folder in (("contrast", "second_pass"), ("contrast_issue15", "second_pass_issue15"))
    }
    for path in sorted((DRAFTS / "contrast" / "sentiment_review").glob("review_*.jsonl")):
        for review in read_jsonl(path):
            by_id[review["id"]]["sentiment"] = review["sentiment"]
    return contrast, stats


def build() -> dict:
    rows = [row for path in sorted(DRAFTS.glob("w*.jsonl")) for row in read_jsonl(path)]
    by_id = {row["id"]: row for row in rows}
    for fix in read_jsonl(DRAFTS / "fixes" / "rewritten.jsonl"):
        by_id[fix["id"]]["text"] = fix["text"]
    for row in rows:
        row["annotators"], row["pair"] = 1, ""
    stats = {"first_pass": second_pass(DRAFTS / "second_pass", by_id)}
    assign_splits(rows)
    extension = [row for path in sorted((DRAFTS / "extension").glob("x*.jsonl")) for row in read_jsonl(path)]
    for row in extension:
        row["split"], row["annotators"], row["pair"] = "train", 1, ""
    rows += extension
    rows.sort(key=lambda row: row["id"])
    rows = drop_repeats(rows, {row["id"] for row in extension})
    contrast, contrast_stats = add_contrasts(rows)
    stats |= contrast_stats
    rows = drop_repeats(rows + contrast, {row["id"] for row in contrast})
    rows.sort(key=lambda row: row["id"])
    with (HERE / "palaute.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CORPUS_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    (HERE / "agreement.json").write_text(json.dumps(stats, indent=2) + "\n", encoding="utf-8")
    return {"rows": len(rows), **label_counts([{k: str(v) for k, v in row.items()} for row in rows])}


if __name__ == "__main__":
    print(json.dumps(build(), indent=2, ensure_ascii=False))
