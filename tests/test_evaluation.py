"""`palauteluokitin evaluate`: false flags, one split of a corpus, and contrast pairs
scored only when both members are right."""

from __future__ import annotations

import csv
import re

import pandas as pd
import pytest
from click.testing import CliRunner

from palauteluokitin.classify.loaded_model import load_model
from palauteluokitin.cli import cli
from palauteluokitin.labels import FLAG, LABEL_COLUMNS, RIGHTS_CATEGORIES
from palauteluokitin.training.corpus import CORPUS_COLUMNS
from palauteluokitin.training.evaluation import contrast_pair_scores
from palauteluokitin.training.train import DEFAULT_CORPUS as CORPUS


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


def corpus_rows(split: str, count: int) -> list[dict[str, str]]:
    """The first `count` rows of one split of the project's corpus, the data the default
    model was trained on (its sha256 is in the bundle's model.json)."""
    with CORPUS.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["split"] == split][:count]


def write_rows(path, rows: list[dict], columns) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def test_evaluate_refuses_a_classify_output(tmp_path, corpus, model):
    """A classify output holds the model's predictions in the label columns: scored against
    them, a model gets 1.0 everywhere. Refused, by its columns."""
    classified = model.classify_frame(pd.read_csv(corpus, dtype=str, keep_default_na=False), "text")
    path = tmp_path / "corpus.classified.csv"
    classified.to_csv(path, index=False)
    result = CliRunner().invoke(cli, ["evaluate", str(path)])
    assert result.exit_code == 1, result.output
    assert "looks like the output of `palauteluokitin classify`" in result.output
    assert "1.000" not in result.output


def test_evaluate_refuses_labels_that_are_the_models_predictions(tmp_path, model):
    """The same without its score columns: every label of 60 comments equal to what the
    model predicts is the model's own output; the comments with people's labels are scored."""
    rows = corpus_rows("test", 60)
    people = tmp_path / "people.csv"
    write_rows(people, rows, CORPUS_COLUMNS)
    assert CliRunner().invoke(cli, ["evaluate", str(people)]).exit_code == 0
    predicted = model.classifier.decide(model.classifier.predict_scores([row["text"] for row in rows]))
    own = [row | {label: str(predicted[label][i]) for label in LABEL_COLUMNS} for i, row in enumerate(rows)]
    path = tmp_path / "own.csv"
    write_rows(path, own, CORPUS_COLUMNS)
    result = CliRunner().invoke(cli, ["evaluate", str(path)])
    assert result.exit_code == 1, result.output
    assert "Every label of all 60 rows of own.csv is what this model predicts" in result.output


@pytest.mark.parametrize("columns", [CORPUS_COLUMNS, [c for c in CORPUS_COLUMNS if c != "split"]])
def test_evaluate_counts_splits_and_warns_about_rows_the_model_was_trained_on(tmp_path, columns):
    path = tmp_path / "mixed.csv"
    write_rows(path, corpus_rows("train", 3) + corpus_rows("test", 2), columns)
    result = CliRunner().invoke(cli, ["evaluate", str(path)])
    assert result.exit_code == 0, result.output
    if "split" in columns:
        assert "splits scored: train 3, test 2" in result.output
    else:
        assert "splits scored: the file has no split column" in result.output
    assert (
        "Warning: 3 of the 5 rows scored are in the train split of palaute.csv, the data this model "
        "was trained on" in result.output
    )
    assert "every figure below overstates" in result.output
    if "split" in columns:
        test_only = CliRunner().invoke(cli, ["evaluate", str(path), "--split", "test"])
        assert "splits scored: test 2" in test_only.output and "Warning" not in test_only.output


def test_evaluate_trusts_the_split_column_when_the_training_data_is_not_at_hand(corpus, monkeypatch):
    """The fixture's one train row is no row of the default model's training data; where that
    data is missing (an installed package), a row marked split=train is warned about."""
    from palauteluokitin.training import evaluation

    result = CliRunner().invoke(cli, ["evaluate", str(corpus)])
    assert "splits scored: train 1, test 3" in result.output
    assert "Warning" not in result.output
    monkeypatch.setattr(evaluation, "DEFAULT_CORPUS", corpus.parent / "not-here.csv")
    result = CliRunner().invoke(cli, ["evaluate", str(corpus)])
    assert result.exit_code == 0, result.output
    assert "Warning: 1 of the 4 rows scored are marked split=train" in result.output


def test_evaluate_headline_is_the_macro_avg_of_its_table(corpus):
    """One headline, defined as the table shows it: the categories' macro-F1 is the macro
    avg of a table of the four categories alone (the flag has a table of its own), and
    every figure above the tables says what it is."""
    result = CliRunner().invoke(cli, ["evaluate", str(corpus)])
    assert result.exit_code == 0, result.output
    summary, tables = result.output.split("\n\n", 1)
    (headline,) = [line for line in summary.splitlines() if line.startswith("Headline: ")]
    figure = re.search(r"rights categories macro-F1 (\d\.\d{3}) ", headline)[1]
    categories, rest = tables.split("Rights categories at the tuned thresholds")[1].split("Mistreatment flag")
    rows = [line.split() for line in categories.splitlines() if line.strip()]
    assert [row[0] for row in rows if row[0] in LABEL_COLUMNS] == list(RIGHTS_CATEGORIES)
    (macro,) = [row for row in rows if row[:2] == ["macro", "avg"]]
    assert macro[4] == figure  # precision, recall, f1-score, support
    flag, sentiment = rest.split("Sentiment")
    assert FLAG in flag
    (sentiment_macro,) = [line.split() for line in sentiment.splitlines() if "macro avg" in line]
    assert f"macro-F1 {sentiment_macro[4]} (mean F1 of the sentiments in its table" in summary
    labelled = r"(splits scored|Headline|rights categories|sentiment|flag \([^)]*\)|contrast pairs): "
    for line in summary.splitlines()[1:]:
        assert re.match(labelled, line), line
