"""Hand each contrast writer its originals; deterministic.

Every flagged comment gets a counterpart in which staff behave properly (`flag_removed`),
and a random sample of unflagged comments about care (at least one rights category,
three words or more) gets one in which they do not (`flag_added`). Originals come from
every split, and a counterpart joins its original's split. A random sample of the
flagged Finnish training stories (15 words or more) gets a second counterpart that
stays a complaint without mistreatment (`flag_removed`, writer k11). Originals are
drawn from the corpus without the contrast comments (their ids start with k), so the
assignment is the same before and after they were added. Writes one JSON Lines file
per writer into the folder given (outside the repository; the drafts keep only the
original's id in `pair_of`).

    uv run python data/annotated/drafts/contrast/assign.py /tmp/contrast
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from palauteluokitin.corpus import CORPUS_COLUMNS, read_corpus, words

from palauteluokitin.labels import FLAG, RIGHTS_CATEGORIES

CORPUS = Path(__file__).parents[2] / "palaute.csv"
SEED = 20261205
FLAG_ADDED = {"train": 450, "dev": 50, "test": 50}
STILL_NEGATIVE = 250
HOSPITAL = {"osasto", "synnytysosasto", "sairaalan poliklinikka", "ensihoito"}
LONG_TERM = {
    "ympärivuorokautinen palveluasuminen",
    "kotihoito",
    "omaishoidon tuki",
    "vammaispalvelut",
    "kuntoutus",
    "fysioterapia",
}
SOCIAL = {
    "aikuissosiaalityö/toimeentulotuki",
    "lastensuojelu",
    "mielenterveyspalvelut",
    "päihdepalvelut",
    "sosiaalipäivystys",
    "perheneuvola",
}
KEEP = tuple(column for column in CORPUS_COLUMNS if column not in ("annotators", "pair"))


HELD_OUT_WRITERS = {"dev": "k9_dev", "test": "k10_test"}


def flag_removed_writer(row: dict[str, str]) -> str:
    if row["split"] != "train":
        return HELD_OUT_WRITERS[row["split"]]
    if row["lang"] != "fi" or row["service"] in SOCIAL:
        return "k4_social_sv_en"
    if row["service"] in HOSPITAL:
        return "k1_hospital"
    if row["service"] in LONG_TERM:
        return "k2_long_term_care"
    return "k3_primary_care"


def assign(rows: list[dict[str, str]]) -> dict[str, list[dict]]:
    rng = random.Random(SEED)
    tasks: dict[str, list[dict]] = {}
    for row in rows:
        if row[FLAG] == "1":
            tasks.setdefault(flag_removed_writer(row), []).append({**row, "edit": "flag_removed"})
    for split, count in FLAG_ADDED.items():
        candidates = [
            row
            for row in rows
            if row["split"] == split
            and row[FLAG] == "0"
            and len(words(row["text"])) >= 3
            and any(row[label] == "1" for label in RIGHTS_CATEGORIES)
        ]
        for number, row in enumerate(rng.sample(candidates, count)):
            writer = HELD_OUT_WRITERS.get(split) or ("k5_reverse" if number % 2 else "k6_reverse")
            tasks.setdefault(writer, []).append({**row, "edit": "flag_added"})
    stories = [
        row
        for row in rows
        if (row["split"], row[FLAG], row["lang"]) == ("train", "1", "fi") and len(words(row["text"])) >= 15
    ]
    chosen = rng.sample(stories, STILL_NEGATIVE)
    tasks["k11_still_negative"] = [{**row, "edit": "flag_removed"} for row in chosen]
    return tasks


if __name__ == "__main__":
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    corpus = [row for row in read_corpus(CORPUS) if not row["id"].startswith("k")]  # as before the contrasts
    for writer, originals in sorted(assign(corpus).items()):
        with (out / f"{writer}.jsonl").open("w", encoding="utf-8") as handle:
            for row in originals:
                handle.write(json.dumps({k: row[k] for k in (*KEEP, "edit")}, ensure_ascii=False) + "\n")
        print(f"{writer}: {len(originals)}")
