"""Every backend behind one spaCy Doc API, with spaCy's Finnish token boundaries."""

from __future__ import annotations

import pytest

from palauteluokitin.text.tokenize import make_nlp, tokenize


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Hoitaja oli tyly!", ["Hoitaja", "oli", "tyly", "!"]),
        ("mä oon ihan ok :)", ["mä", "oon", "ihan", "ok", ":)"]),
        (
            "Soitin klo 8.00 numeroon 040 123 4567.",
            ["Soitin", "klo", "8.00", "numeroon", "040", "123", "4567", "."],
        ),
    ],
)
def test_tokenize_splits_like_spacy_finnish(text, tokens):
    assert tokenize(text) == tokens


def test_voikko_pipeline_sets_lemmas_and_compound_parts(voikko):
    doc = make_nlp("voikko")("Terveyskeskuslääkärit kuuntelivat.")
    assert [token.lemma_ for token in doc] == ["terveyskeskuslääkäri", "kuunnella", "."]
    assert doc[0]._.compound_parts == ["terveys", "keskus", "lääkäri"]
    assert doc[1]._.compound_parts is None


def test_simplemma_pipeline_sets_lemmas(simplemma_lemmatizer):
    doc = make_nlp("simplemma")("Hoitajat kuuntelivat.")
    assert [token.lemma_ for token in doc] == ["hoitaja", "kuunnella", "."]
