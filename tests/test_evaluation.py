"""`palauteluokitin evaluate`: false flags, one split of a corpus, and contrast pairs
scored only when both members are right."""

from __future__ import annotations

import csv

import pandas as pd
import pytest
from click.testing import CliRunner

from palauteluokitin.classify.loaded_model import load_model
from palauteluokitin.cli import cli
from palauteluokitin.labels import FLAG
from palauteluokitin.training.corpus import CORPUS_COLUMNS
from palauteluokitin.training.evaluation import contrast_pair_scores


@pytest.mark.parametrize(
    ("pairs", "gold_flags", "predicted_flags", "expected"),
    [
        (["a", "a"], [1, 0], [1, 0], {"pairs": 1, FLAG: 1.0}),
        (["a", "a"], [1, 0], [1, 1], {"pairs": 1, FLAG: 0.0}),  # the same answer for both members
        (["a", "a", "b", "b"], [1, 0, 0, 1], [1, 0, 1, 1], {"pairs": 2, FLAG: 0.5}),
        (["a", "a", "a"], [1, 0, 0], [1, 0, 1], {"pairs": 1, FLAG: 0.0}),  # a pair of three
        (["a", "", "c"], [1, 0, 0], [1, 0, 0], {"pairs": 0}),  # no pair has two scored members
    ],
)
def test_a_pair_is_right_only_when_every_member_is(pairs, gold_flags, predicted_flags, expected):
    part = pd.DataFrame({"pair": pairs, FLAG: [str(f) for f in gold_flags], "sentiment": "neutraali"})
    decided = pd.DataFrame({FLAG: predicted_flags, "sentiment": "neutraali"})
    scores = contrast_pair_scores(part, decided)
    assert {key: scores[key] for key in expected} == expected
    if expected["pairs"]:
        assert scores["sentiment"] == 1.0


# id, text, categories, flag, sentiment, split, pair
ROWS = [
    ("a", "Hoitaja nauroi kivuilleni ja käski olla hiljaa.", "ka", 1, "negatiivinen", "test", "a"),
    ("a2", "Hoitaja kuunteli kipujani ja toi lääkkeen heti.", "ks", 0, "positiivinen", "test", "a"),
    ("b", "Kukaan ei kertonut, milloin tulokset tulevat.", "t", 0, "negatiivinen", "test", ""),
    ("c", "Lääkäri oli ystävällinen ja selitti kaiken.", "kt", 0, "positiivinen", "train", ""),
]
CATEGORY_LETTERS = {"k": "kohtelu", "a": "arvokkuus", "t": "tiedonsaanti", "s": "saumattomuus"}


@pytest.fixture(scope="module")
def model():
    return load_model("default")


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "corpus.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CORPUS_COLUMNS, restval="0")
        writer.writeheader()
        for row_id, text, categories, flag, sentiment, split, pair in ROWS:
            writer.writerow(
                {"id": row_id, "text": text, FLAG: flag, "sentiment": sentiment, "split": split, "pair": pair}
                | {"service": "osasto", "question": "Vapaa palaute", "lang": "fi"}
                | {CATEGORY_LETTERS[letter]: 1 for letter in categories}
            )
    return path


def test_evaluate_scores_one_split_with_false_flags_and_pairs(corpus, model):
    result = CliRunner().invoke(cli, ["evaluate", str(corpus), "--split", "test"])
    assert result.exit_code == 0, result.output
    assert "3 rows scored" in result.output
    flags = [outcome.flag for outcome in model.classify([row[1] for row in ROWS[:3]])]
    false_flags = flags[1] + flags[2]
    assert f"flagged {false_flags / 2:.1%} of the 2 comments labelled unflagged" in result.output
    both = float(flags[:2] == [1, 0])
    assert f"contrast pairs: 1; flag right on both members of {both:.1%}" in result.output


def test_evaluate_without_split_scores_every_row(corpus):
    result = CliRunner().invoke(cli, ["evaluate", str(corpus)])
    assert result.exit_code == 0, result.output
    assert "4 rows scored" in result.output


@pytest.mark.parametrize(
    ("split", "columns", "message"),
    [
        ("dev", CORPUS_COLUMNS, "has no rows with split=dev"),
        ("test", [c for c in CORPUS_COLUMNS if c != "split"], "has no split column"),
    ],
)
def test_evaluate_split_errors_are_clear(tmp_path, corpus, split, columns, message):
    path = tmp_path / "other.csv"
    with corpus.open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    result = CliRunner().invoke(cli, ["evaluate", str(path), "--split", split])
    assert result.exit_code == 1
    assert message in result.output
