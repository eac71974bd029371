"""Builds examples/palautevienti.csv: a year of a feedback collection exported as Finnish
Excel writes it (semicolon-separated, cp1252, CRLF), from comments of the annotated corpus.

The export has the shape of a real collection rather than of the corpus: mostly positive
comments (80 % of the comments; real collections have about 83 % positive and 5 % neutral),
a few reports of mistreatment (3 % of the answers), some in Swedish, some answers with a
recommendation score but no comment (or only "-" or "."), ten units of unequal size and
fewer answers at Christmas and in July. Each answer's score (0-10) is drawn to fit its
comment's sentiment label; the collection's NPS is +58.

Comments are first-pass comments (ids w…) of the corpus's test split, so the shipped model
is not judged on what it was trained on. Contrast counterparts (ids k…) are left out: they
are minimal edits of mistreatment stories written to probe the model, not comments as
clients write them. The test split has 127 positive first-pass comments, too few for this
mix, so the other positive ones are short first-pass comments of the dev split (which chose
the flag's threshold but never trained a model); none come from the train split. Fixed
seeds: running it again writes the same file.

    uv run python examples/make_example_export.py
"""

from __future__ import annotations

import csv
import random
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent / "data" / "annotated" / "palaute.csv"
OUTPUT = HERE / "palautevienti.csv"
FLAG = "epaasiallinen_kohtelu"
SCORE_COLUMN = "Kuinka todennäköisesti suosittelisit palvelua läheisellesi? (0-10)"
FIRST_ID = 1001
START = date(2025, 12, 1)  # a year: 1.12.2025 … 30.11.2026

UNITS = {
    "terveysasema": "Terveysasema Keskusta",
    "vastaanotto": "Terveysasema Keskusta",
    "päivystys": "Yhteispäivystys",
    "ensihoito": "Yhteispäivystys",
    "osasto": "Sairaala, vuodeosastot",
    "poliklinikka": "Sairaala, poliklinikat",
    "neuvola": "Perhekeskus",
    "lastensuojelu": "Perhekeskus",
    "kotihoito": "Kotihoito ja asumispalvelut",
    "palveluasuminen": "Kotihoito ja asumispalvelut",
    "sosiaali": "Aikuissosiaalityö",
    "mielenterveys": "Mielenterveys- ja päihdepalvelut",
    "päihde": "Mielenterveys- ja päihdepalvelut",
    "hammashoito": "Suun terveydenhuolto",
}
OTHER_UNIT = "Muut palvelut"

# How many comments of each kind, by language: (sentiment label, flag label, lang) -> count.
# 300 answers: 275 comments (220 positive = 80 %, 14 neutral = 5 %, 32 negative or mixed
# without a flag, 9 reports of mistreatment = 3 % of the answers), 12 in Swedish (4 %),
# one in English; 22 answers without a comment and 3 with only "-" or ".".
COMMENTS = {
    ("positiivinen", "0", "fi"): 211,
    ("positiivinen", "0", "sv"): 8,
    ("positiivinen", "0", "en"): 1,
    ("neutraali", "0", "fi"): 13,
    ("neutraali", "0", "sv"): 1,
    ("ristiriitainen", "0", "fi"): 14,
    ("ristiriitainen", "0", "sv"): 1,
    ("negatiivinen", "0", "fi"): 16,
    ("negatiivinen", "0", "sv"): 1,
    ("ristiriitainen", "1", "fi"): 2,
    ("negatiivinen", "1", "fi"): 6,
    ("negatiivinen", "1", "sv"): 1,
}
EMPTY_ANSWERS = 22
NON_ANSWERS = ["-", "-", "."]
# A dev comment tops up a kind the test split runs out of only if it is this short at most:
# real positive feedback is mostly a line or two.
DEV_MAX_CHARS = 160

# Weights of the scores 0–10 for each kind of answer.
SCORES = {
    "positiivinen": {7: 4, 8: 11, 9: 30, 10: 55},
    "neutraali": {5: 5, 6: 10, 7: 25, 8: 30, 9: 20, 10: 10},
    "ristiriitainen": {3: 5, 4: 10, 5: 20, 6: 25, 7: 25, 8: 15},
    "negatiivinen": {0: 15, 1: 10, 2: 15, 3: 15, 4: 15, 5: 15, 6: 15},
    "mistreatment": {0: 35, 1: 20, 2: 20, 3: 15, 4: 10},
    "mistreatment, mixed": {2: 20, 3: 25, 4: 25, 5: 20, 6: 10},
    "no comment": {0: 1, 1: 1, 2: 1, 3: 1, 4: 2, 5: 4, 6: 4, 7: 8, 8: 13, 9: 25, 10: 40},
}
# Answers per month, December first: fewer at Christmas and in the summer holidays.
MONTH_WEIGHTS = [0.8, 1.1, 1.1, 1.2, 1.0, 1.0, 0.7, 0.45, 0.9, 1.2, 1.25, 1.1]
WEEKEND_WEIGHT = 0.45


def unit_for(service: str) -> str:
    return next((unit for key, unit in UNITS.items() if key in service), OTHER_UNIT)


def encodable(text: str) -> bool:
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def choose_comments(corpus: pd.DataFrame) -> pd.DataFrame:
    """The comments of COMMENTS: first-pass comments of the test split, then short ones of
    the dev split; never train, never a contrast counterpart."""
    corpus = corpus[~corpus["id"].str.startswith("k") & corpus["text"].map(encodable)]
    test, dev = corpus[corpus["split"] == "test"], corpus[corpus["split"] == "dev"]
    dev = dev[dev["text"].str.len() <= DEV_MAX_CHARS]
    chosen = []
    for number, ((sentiment, flag, lang), count) in enumerate(COMMENTS.items()):
        for pool in (test, dev):
            kind = pool[(pool["sentiment"] == sentiment) & (pool[FLAG] == flag) & (pool["lang"] == lang)]
            taken = kind.sample(n=min(count, len(kind)), random_state=number)
            chosen.extend(taken.index)
            count -= len(taken)
        if count:
            raise SystemExit(f"the corpus has {count} too few comments for {sentiment}/{flag}/{lang}")
    return corpus.loc[chosen]


def score_kind(row) -> str:
    if row is None:
        return "no comment"
    if row[FLAG] == "1":
        return "mistreatment, mixed" if row["sentiment"] == "ristiriitainen" else "mistreatment"
    return row["sentiment"]


def answer_times(rng: random.Random, count: int) -> list[datetime]:
    days = [START + timedelta(days=offset) for offset in range(365)]
    weights = [
        MONTH_WEIGHTS[(day.month - START.month) % 12] * (WEEKEND_WEIGHT if day.weekday() >= 5 else 1.0)
        for day in days
    ]
    return sorted(
        datetime.combine(day, time(rng.randrange(7, 22))) + timedelta(minutes=rng.randrange(60))
        for day in rng.choices(days, weights=weights, k=count)
    )


def main() -> None:
    rng = random.Random(2026)
    corpus = pd.read_csv(CORPUS, dtype=str, keep_default_na=False)
    comments = choose_comments(corpus)
    answers = [row for _, row in comments.iterrows()] + [None] * (EMPTY_ANSWERS + len(NON_ANSWERS))
    texts = [row["text"] for row in answers if row is not None] + [""] * EMPTY_ANSWERS + NON_ANSWERS
    # Units of answers without a comment follow the units of those with one.
    units = [unit_for(row["service"]) for row in answers if row is not None]
    units += [rng.choice(units) for _ in range(EMPTY_ANSWERS + len(NON_ANSWERS))]
    scores = []
    for row in answers:
        weights = SCORES[score_kind(row)]
        scores.append(rng.choices(list(weights), weights=list(weights.values()))[0])
    order = list(range(len(answers)))
    rng.shuffle(order)
    records = [
        {
            "Vastaus ID": FIRST_ID + number,
            "Vastauspäivä": f"{when.day}.{when.month}.{when.year} {when.hour}:{when.minute:02d}",
            "Yksikkö": units[index],
            SCORE_COLUMN: scores[index],
            "Avoin palaute": texts[index],
        }
        for number, (index, when) in enumerate(zip(order, answer_times(rng, len(order)), strict=True))
    ]
    with open(OUTPUT, "w", encoding="cp1252", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(records[0]), delimiter=";", lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(records)
    print(f"wrote {len(records)} rows to {OUTPUT}")


if __name__ == "__main__":
    main()
