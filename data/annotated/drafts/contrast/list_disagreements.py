"""List where the blind second labelling of the contrast comments disagrees with the
writers' labels, for adjudication (second_pass/disagreements.jsonl); deterministic.

    uv run python data/annotated/drafts/contrast/list_disagreements.py
"""

from __future__ import annotations

import json
from pathlib import Path

from palauteluokitin.corpus import read_jsonl

from palauteluokitin.labels import LABEL_COLUMNS

HERE = Path(__file__).parent

if __name__ == "__main__":
    first = {row["id"]: row for path in sorted(HERE.glob("k*.jsonl")) for row in read_jsonl(path)}
    lines = []
    for name in ("labels_a.jsonl", "labels_b.jsonl"):
        for second in read_jsonl(HERE / "second_pass" / name):
            row = first[second["id"]]
            disputed = {
                label: [row[label], second[label]] for label in LABEL_COLUMNS if row[label] != second[label]
            }
            if disputed:
                agreed = {label: row[label] for label in LABEL_COLUMNS if label not in disputed}
                shown = {key: row[key] for key in ("id", "text", "service", "question", "lang")}
                lines.append({**shown, "disputed": disputed, "agreed": agreed})
    with (HERE / "second_pass" / "disagreements.jsonl").open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    print(f"{len(lines)} comments with a disagreement")
