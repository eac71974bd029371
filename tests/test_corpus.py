"""Annotated corpora: the validator finds each kind of problem, and the shipped corpus
passes every check with the counts the project promises."""

from __future__ import annotations

import csv
import hashlib

import pytest
from click.testing import CliRunner

from conftest import ROOT
from palauteluokitin.cli import cli
from palauteluokitin.errors import InputFormatError
from palauteluokitin.exports.write import neutralise_formula, restore_formula
from palauteluokitin.labels import FLAG, LABEL_COLUMNS
from palauteluokitin.training.corpus import (
    REQUIRED_COLUMNS,
    SHIPPED_CORPUS_REQUIREMENTS,
    CorpusRequirements,
    duplicate_openings,
    near_duplicates,
    read_corpus,
    uses_obvious_flag_words,
    validate_corpus,
    validate_pairs,
)

CORPUS = ROOT / "data" / "annotated" / "palaute.csv"


def row(row_id: str, text: str, **labels) -> dict[str, str]:
    base = {column: "0" for column in REQUIRED_COLUMNS}
    base.update(
        id=row_id,
        text=text,
        sentiment="neutraali",
        service="terveysasema",
        question="Vapaa palaute",
        lang="fi",
        split="train",
    )
    base.update({key: str(value) for key, value in labels.items()})
    return base


GOOD = [
    row("a", "Hoitaja oli ystävällinen ja kuunteli.", kohtelu=1, sentiment="positiivinen"),
    row("b", "Jonotin puhelimessa tunnin eikä kukaan vastannut.", saumattomuus=1, sentiment="negatiivinen"),
]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (row("", "teksti"), "empty id"),
        (row("c", "   "), "empty text"),
        (row("c", "teksti", kohtelu=2), "kohtelu='2', expected one of 0, 1"),
        (row("c", "teksti", sentiment="iloinen"), "sentiment='iloinen'"),
        (row("c", "teksti", lang="de"), "lang='de'"),
        (row("c", "teksti", split="valid"), "split='valid'"),
        (row("a", "toinen teksti samalla id:llä"), "id appears 2 times"),
    ],
)
def test_validator_reports_bad_rows_by_id(bad, message):
    problems = [str(p) for p in validate_corpus([*GOOD, bad])]
    assert any(message in p for p in problems), problems


def test_valid_rows_have_no_problems():
    assert validate_corpus(GOOD) == []


def test_shared_opening_is_reported():
    rows = [*GOOD, row("c", "Hoitaja oli ystävällinen ja auttoi paljon.")]
    assert [str(p) for p in duplicate_openings(rows)] == ["c: opens like a: 'hoitaja oli ystävällinen ja'"]


def test_near_duplicates_and_identical_short_texts_are_reported():
    rows = [
        row("a", "Odotin päivystyksessä seitsemän tuntia eikä kukaan kertonut mitään"),
        row("b", "Odotin päivystyksessä seitsemän tuntia eikä kukaan kertonut mitään!!"),
        row("c", "ok"),
        row("d", "OK"),
    ]
    problems = [str(p) for p in near_duplicates(rows)]
    assert any(p.startswith("b: near-duplicate of a") for p in problems)
    assert "d: same text as c" in problems


ORIGINAL = "Hoitaja tiuskaisi minulle yöllä käytävällä, kun kysyin kipulääkettä."
COUNTERPART = "Hoitaja vastasi minulle yöllä käytävällä heti, kun kysyin kipulääkettä."


def test_members_of_a_pair_may_repeat_each_other():
    rows = [row("a", ORIGINAL, pair="a", epaasiallinen_kohtelu=1), row("b", COUNTERPART, pair="a")]
    assert duplicate_openings(rows) == []
    assert near_duplicates(rows) == []
    assert validate_pairs(rows) == []


def test_comments_of_different_pairs_may_not():
    rows = [row("a", ORIGINAL, pair="a"), row("b", COUNTERPART, pair="a"), row("c", COUNTERPART + "!")]
    assert [str(p) for p in duplicate_openings(rows)] == ["c: opens like b: 'hoitaja vastasi minulle yöllä'"]
    assert any(str(p).startswith("c: near-duplicate of b") for p in near_duplicates(rows))


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [row("a", ORIGINAL, pair="a"), row("b", COUNTERPART, pair="a", split="dev")],
            "straddles splits: dev, train",
        ),
        (
            [row("a", ORIGINAL), row("b", COUNTERPART, pair="a")],
            "pair 'a': no comment with that id in the pair",
        ),
        ([row("b", COUNTERPART, pair="x")], "pair 'x': no comment with that id"),
        ([row("a", ORIGINAL, pair="a"), row("b", COUNTERPART)], "pair 'a' has only one comment"),
    ],
)
def test_broken_pairs_are_reported(rows, message):
    problems = [str(p) for p in validate_corpus(rows)]
    assert any(message in p for p in problems), problems


def test_identical_texts_are_reported_within_a_pair_too():
    rows = [row("a", ORIGINAL, pair="a"), row("b", ORIGINAL, pair="a")]
    assert "b: same text as a" in [str(p) for p in near_duplicates(rows)]


def test_minimum_counts_are_checked():
    needs = CorpusRequirements(category_positives=2, swedish_share=0.5)
    problems = [str(p) for p in validate_corpus(GOOD, needs)]
    assert "corpus: kohtelu: 1, needs at least 2" in problems
    assert "corpus: Swedish share 0.0%, needs 50%" in problems


@pytest.mark.parametrize(
    ("text", "obvious"),
    [
        ("Lääkäri oli todella tyly", True),
        ("hoitaja huusi mulle", True),
        ("Töykeää käytöstä", True),
        ("Ruoka jätettiin pöydälle ulottumattomiin", False),
        ("Kukaan ei vastannut kelloon", False),
    ],
)
def test_obvious_flag_words(text, obvious):
    assert uses_obvious_flag_words(text) is obvious


def test_missing_columns_are_named(tmp_path):
    path = tmp_path / "corpus.csv"
    path.write_text("id,text\n1,moi\n", encoding="utf-8")
    with pytest.raises(InputFormatError, match="missing column.*kohtelu"):
        read_corpus(path)


def test_shipped_corpus_passes_every_check():
    rows = read_corpus(CORPUS)
    assert validate_corpus(rows, SHIPPED_CORPUS_REQUIREMENTS) == []
    assert len(rows) >= 3000


# The 975 dev and test comments as the splits were fixed (id, text, labels, split): contrast
# counterparts may join their originals' splits, but these rows never change.
FIXED_DEV_TEST = (975, "884fab475f29f6d0c1253a2746d0021425f6341506694a9d5dc4bb5670adec17")
LABELLED = ("id", "text", *LABEL_COLUMNS, "split")


def test_dev_and_test_keep_their_comments():
    rows = read_corpus(CORPUS)
    by_id = {row["id"]: row for row in rows}
    fixed = sorted(
        (row for row in rows if row["split"] != "train" and not row["id"].startswith("k")),
        key=lambda row: row["id"],
    )
    lines = "\n".join("\t".join(row[column] for column in LABELLED) for row in fixed)
    digest = hashlib.sha256(lines.encode()).hexdigest()
    assert (len(fixed), digest) == FIXED_DEV_TEST
    added = [row for row in rows if row["split"] != "train" and row["id"].startswith("k")]
    assert added, "the contrast counterparts of dev and test originals"
    assert all(by_id[row["pair"]]["split"] == row["split"] for row in added)


def test_shipped_corpus_pairs_are_contrasts():
    """Every pair has its original and at least one counterpart, within one split, and
    most pairs differ in the flag."""
    rows = read_corpus(CORPUS)
    groups: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        if row["pair"]:
            groups.setdefault(row["pair"], []).append(row)
    assert validate_pairs(rows) == []
    added = [row for row in rows if row["id"].startswith("k")]
    assert len([row for row in added if row["split"] == "train"]) >= 1500
    assert all(row["pair"] for row in added)
    differ = sum(len({row[FLAG] for row in group}) == 2 for group in groups.values())
    assert differ / len(groups) > 0.7


def test_shipped_corpus_is_reproducible_from_the_drafts(tmp_path, monkeypatch):
    """build_corpus.py regenerates palaute.csv byte for byte."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_corpus", CORPUS.parent / "build_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = CORPUS.read_bytes()
    monkeypatch.setattr(module, "HERE", tmp_path)
    monkeypatch.setattr(module, "DRAFTS", CORPUS.parent / "drafts")
    module.build()
    assert (tmp_path / "palaute.csv").read_bytes() == expected


def test_validate_corpus_command(tmp_path):
    path = tmp_path / "corpus.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=REQUIRED_COLUMNS)
        writer.writeheader()
        writer.writerows([*GOOD, row("a", "sama id")])
    result = CliRunner().invoke(cli, ["validate-corpus", str(path)])
    assert result.exit_code == 1
    assert "problem: a: id appears 2 times" in result.output
    assert "Error: 2 problem(s)" in result.output


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("@sotekeskus", "'@sotekeskus"),
        ("\tsisennys", "'\tsisennys"),
        ("'=SUM(A1)", "''=SUM(A1)"),  # looks neutralised already: one more, so reading back is exact
        ("''@x", "'''@x"),
        ("-5", "-5"),
        ("'-5", "'-5"),
        ("-", "-"),  # an empty answer, no formula
        ("+", "+"),
        ("--", "'--"),
        ("'hei", "'hei"),
        ("Hoitaja oli tyly", "Hoitaja oli tyly"),
        ("", ""),
        ("'" * 10_000 + "=", "'" * 10_001 + "="),
    ],
)
def test_neutralised_formula_cells_read_back_exactly(cell, written):
    assert neutralise_formula(cell) == written
    assert restore_formula(written) == cell
