"""Assemble challenge.csv from the independent writers' drafts (drafts/c*.jsonl), and
agreement.json from their labels and a blind second labelling (drafts/second_pass.jsonl).

The challenge set is never used for training, threshold tuning or model selection: it
estimates how the default model does on comments written by people other than the
corpus writers.

    uv run python data/challenge/build.py
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

from palauteluokitin.labels import FLAG, LABEL_COLUMNS, RIGHTS_CATEGORIES
from palauteluokitin.training.corpus import labelling_agreement, read_jsonl

HERE = Path(__file__).parent
COLUMNS = ("id", "text", *LABEL_COLUMNS, "service", "lang", "hard_case")


def build() -> dict:
    rows = [row for path in sorted((HERE / "drafts").glob("c*.jsonl")) for row in read_jsonl(path)]
    second = {row["id"]: row for row in read_jsonl(HERE / "drafts" / "second_pass.jsonl")}
    stats = labelling_agreement({row["id"]: row for row in rows}, second)
    (HERE / "agreement.json").write_text(json.dumps(stats, indent=2) + "\n", encoding="utf-8")
    with (HERE / "challenge.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    counts = Counter(label for row in rows for label in (*RIGHTS_CATEGORIES, FLAG) if int(row[label]))
    counts.update(f"sentiment={row['sentiment']}" for row in rows)
    return {"rows": len(rows), **dict(sorted(counts.items()))}


if __name__ == "__main__":
    print(json.dumps(build(), indent=2, ensure_ascii=False))
