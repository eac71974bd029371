"""Draw the contrast comments for the blind second labelling; deterministic.

A quarter of each writer's comments (seeded per file, so a file's sample does not depend
on the others; files in writer order, so a sample drawn as writers finish grows at the
end), dealt in turn to two labellers (second_pass/sample_a.jsonl,
sample_b.jsonl) with the text and the form's context only: no labels, no pair, no
original.

    uv run python data/annotated/drafts/contrast/sample_second_pass.py [k1_hospital.jsonl ...]
    uv run python data/annotated/drafts/contrast/sample_second_pass.py --into second_pass_issue15 \
        k13_long_stories.jsonl k14_quoted_praise.jsonl k15_negated_words.jsonl k16_angry_service.jsonl

`--into` names the folder of a later round (issue 15's writers k13–k16 have their own).
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from palauteluokitin.training.corpus import read_jsonl

HERE = Path(__file__).parent
SHARE = 0.25
SEED = 20261205
SHOWN = ("id", "text", "service", "question", "lang")


def writer_number(path: Path) -> int:
    return int(path.stem[1:].split("_")[0])


def sample(paths: list[Path]) -> tuple[list[dict], list[dict]]:
    first, second = [], []
    for path in sorted(paths, key=writer_number):
        rows = read_jsonl(path)
        chosen = random.Random(f"{SEED}:{path.stem}").sample(rows, round(len(rows) * SHARE))
        first += chosen[0::2]
        second += chosen[1::2]
    return first, second


if __name__ == "__main__":
    arguments = sys.argv[1:]
    folder = "second_pass"
    if arguments[:1] == ["--into"]:
        folder, arguments = arguments[1], arguments[2:]
    paths = [HERE / name for name in arguments] or sorted(HERE.glob("k*.jsonl"))
    (HERE / folder).mkdir(exist_ok=True)
    for name, part in zip(("sample_a.jsonl", "sample_b.jsonl"), sample(paths), strict=True):
        with (HERE / folder / name).open("w", encoding="utf-8") as handle:
            for row in part:
                handle.write(json.dumps({key: row[key] for key in SHOWN}, ensure_ascii=False) + "\n")
        print(f"{name}: {len(part)}")
