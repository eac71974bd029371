"""The shortcut audit: surface features read form only, the audit finds a label that form
predicts and passes one it does not, and the shipped corpus keeps form from predicting
the flag and negative sentiment."""

from __future__ import annotations

import csv
import random

import pytest
from click.testing import CliRunner

from conftest import ROOT
from palauteluokitin.cli import cli
from palauteluokitin.labels import FLAG
from palauteluokitin.training.corpus import REQUIRED_COLUMNS, read_corpus
from palauteluokitin.training.shortcuts import (
    AUDITED_LABELS,
    FEATURE_NAMES,
    SHORTCUT_AUC_LIMIT,
    audit_shortcuts,
    shortcuts_over_limit,
    surface_features,
)

CORPUS = ROOT / "data" / "annotated" / "palaute.csv"


def feature(text: str, name: str) -> float:
    return surface_features([text])[0][FEATURE_NAMES.index(name)]


@pytest.mark.parametrize(
    ("text", "name", "value"),
    [
        ("Hoitaja sanoi, että odota.", "reporting_verb_present", 1),
        ("Lääkäri kysyi vointia.", "reporting_verb_present", 1),
        ("Kerroin oireistani.", "reporting_verb_present", 1),
        ("Huone oli toisessa kerroksessa.", "reporting_verb_present", 0),
        ("mä oon ihan tyytyväinen", "spoken_present", 1),
        ("Olen tyytyväinen.", "spoken_present", 0),
        ("Hän sanoi: \u201dtule huomenna\u201d", "quotation_marks", 2),
        ("Äitini pääsi kotiin.", "family_present", 1),
        ("Sinä et kuunnellut.", "second_person_present", 1),
        ("Minua ei kuunneltu.", "first_person_present", 1),
        ("He eivät vastanneet.", "third_person_present", 1),
        ("Kun soitin, kukaan ei vastannut.", "että_kun_present", 1),
        ("Hoitaja, joka tuli, auttoi.", "relative_pronoun_present", 1),
        ("Hyvä.", "relative_pronoun_present", 0),
    ],
)
def test_surface_features_read_form(text, name, value):
    assert feature(text, name) == value


def test_surface_features_of_no_text():
    features = surface_features([])
    assert features.shape == (0, len(FEATURE_NAMES))
    assert surface_features([""]).shape == (1, len(FEATURE_NAMES))


SENTENCES = [
    "Lääkäri tutki jalan huolellisesti",
    "Odotin vastaanotolle kaksi tuntia",
    "Hoitaja toi lääkkeet aamulla",
    "Kotihoito kävi illalla",
    "Sain ajan ensi viikolle",
    "Neuvolassa punnittiin vauva",
    "Laboratoriossa otettiin verikokeet",
    "Fysioterapeutti näytti liikkeet",
]


def corpus_rows(shortcut: bool, size: int = 400) -> list[dict[str, str]]:
    """Texts of one to three sentences; the flag is set on the ones with quoted speech
    (`shortcut`) or at random, with the same quoted speech in half of all texts."""
    rng = random.Random(7)
    rows = []
    for number in range(size):
        text = ". ".join(rng.sample(SENTENCES, rng.randint(1, 3))) + "."
        quoted = number % 2 == 0
        if quoted:
            text += ' Hän sanoi: "huomenna uudestaan".'
        flagged = quoted if shortcut else rng.random() < 0.5
        row = {column: "0" for column in REQUIRED_COLUMNS}
        row.update(id=str(number), text=text, sentiment="neutraali", lang="fi", split="train")
        row[FLAG] = str(int(flagged))
        rows.append(row)
    return rows


def flag_auc(rows) -> float:
    return next(score.roc_auc for score in audit_shortcuts(rows) if score.label == FLAG)


def test_audit_finds_a_label_that_form_predicts():
    scores = audit_shortcuts(corpus_rows(shortcut=True))
    flag = next(score for score in scores if score.label == FLAG)
    assert flag.roc_auc > 0.95
    assert flag.leading[0] in {"quotation_marks +", "reporting_verb_present +", "reporting_verb_rate +"}
    assert shortcuts_over_limit(scores) == [flag]


def test_audit_passes_a_label_that_form_does_not_predict():
    assert flag_auc(corpus_rows(shortcut=False)) < 0.62


def test_boosting_finds_a_band_that_a_linear_model_misses():
    """Flagged when a comment has exactly two sentences: neither short nor long."""
    rng = random.Random(11)
    rows = []
    for number in range(600):
        sentences = rng.randint(1, 3)
        row = {column: "0" for column in REQUIRED_COLUMNS}
        row.update(id=str(number), text=". ".join(rng.sample(SENTENCES, sentences)) + ".")
        row[FLAG] = str(int(sentences == 2))
        rows.append(row)
    linear = audit_shortcuts(rows, "logistic", labels=[FLAG])[0].roc_auc
    boosted = audit_shortcuts(rows, "boosting", labels=[FLAG])[0].roc_auc
    assert linear < 0.75
    assert boosted > 0.95


def test_an_unknown_audit_model_is_an_error():
    with pytest.raises(ValueError, match="model must be one of logistic, boosting"):
        audit_shortcuts(corpus_rows(shortcut=True, size=40), "forest")


def test_labels_without_enough_examples_are_left_out():
    rows = corpus_rows(shortcut=True, size=40)
    labels = {score.label for score in audit_shortcuts(rows)}
    assert FLAG in labels
    assert "kohtelu" not in labels  # no positives at all


def write(rows, path):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=REQUIRED_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_command_fails_on_a_shortcut(tmp_path):
    path = write(corpus_rows(shortcut=True), tmp_path / "corpus.csv")
    result = CliRunner().invoke(cli, ["audit-shortcuts", str(path)])
    assert result.exit_code == 1
    assert "form alone predicts epaasiallinen_kohtelu above ROC AUC 0.7" in result.output


def test_command_passes_without_a_shortcut_and_takes_labels(tmp_path):
    path = write(corpus_rows(shortcut=False), tmp_path / "corpus.csv")
    result = CliRunner().invoke(cli, ["audit-shortcuts", str(path), "--label", FLAG])
    assert result.exit_code == 0, result.output
    assert "every audited label at or below ROC AUC 0.7" in result.output
    result = CliRunner().invoke(cli, ["audit-shortcuts", str(path), "--label", "kohtelu"])
    assert result.exit_code == 1
    assert "no such label with enough positives: kohtelu" in result.output


def test_command_says_when_no_rows_match(tmp_path):
    path = write(corpus_rows(shortcut=False), tmp_path / "corpus.csv")
    result = CliRunner().invoke(cli, ["audit-shortcuts", str(path), "--lang", "sv"])
    assert result.exit_code == 1
    assert "no rows with split=train and lang=sv" in result.output


@pytest.mark.parametrize("model", ["logistic", "boosting"])
def test_shipped_corpus_form_does_not_predict_flag_or_negative_sentiment(model):
    rows = [row for row in read_corpus(CORPUS) if row["split"] == "train" and row["lang"] == "fi"]
    scores = audit_shortcuts(rows, model, labels=AUDITED_LABELS)
    assert [score.label for score in scores] == list(AUDITED_LABELS)
    assert shortcuts_over_limit(scores, SHORTCUT_AUC_LIMIT) == []
