"""The lexicon backend: its file format, its guesses for unknown words, and that the
shipped file still agrees with the voikko backend it was built from."""

from __future__ import annotations

import random
import sqlite3

import pytest

from conftest import lemmatizer_or_skip
from palauteluokitin.errors import BackendUnavailableError
from palauteluokitin.text.lemmatizers import get_lemmatizer
from palauteluokitin.text.lemmatizers.lexicon import without_clitics_and_possessives
from palauteluokitin.text.lemmatizers.lexicon_build import build, lemma_frequencies, suffix_rules
from palauteluokitin.text.lemmatizers.lexicon_file import (
    LEXICON_PATH,
    Reading,
    decode_readings,
    encode_readings,
)


def test_readings_round_trip_through_encoding():
    readings = (
        Reading("terveyskeskuslääkäri", "nimisana", 2.5, False, ("terveys", "keskus", "lääkäri")),
        Reading("ei", "kieltosana", -1.0, True),
    )
    assert decode_readings(encode_readings(readings)) == readings


@pytest.mark.parametrize(
    ("word", "base"),
    [
        ("serkulleni", "serkulle"),
        ("kädessään", "kädessä"),
        ("huoneistoonne", "huoneistoon"),
        ("parhaanne", "parhaan"),
        ("seurakseni", "seuraksi"),
        ("saanhan", "saan"),
        ("autollaankin", "autolla"),
    ],
)
def test_clitics_and_possessives_come_off(word, base):
    assert base in without_clitics_and_possessives(word)


STEMS = ["häkki", "virta", "lahti", "koski", "mäki", "niemi"]


def test_suffix_rules_keep_only_confident_endings():
    rows = [(f"{stem}sen", encode_readings((Reading(f"{stem}nen", "nimisana", 1.0),))) for stem in STEMS]
    rows.append(("hakusen", encode_readings((Reading("hakuse", "nimisana", 1.0),))))
    rules = dict((suffix, (strip, append)) for suffix, strip, append, _ in suffix_rules(rows))
    assert rules["sen"] == (3, "nen")
    assert "usen" not in rules  # one form is too few to make a rule


def test_lemma_frequencies_give_ambiguous_forms_to_the_common_lemma():
    # "pieni" is both the adjective and a form of the rare verb "pieniä"
    forms = [(10.0, ("pieni", "pieniä")), (5.0, ("pieni",)), (5.0, ("pieni",)), (0.1, ("pieniä",))]
    mass = lemma_frequencies(forms)
    assert mass["pieni"] > 15 * mass["pieniä"]
    assert sum(mass.values()) == pytest.approx(20.1)


def test_built_lexicon_lemmatizes_its_forms_and_guesses_compounds(voikko, tmp_path):
    path = tmp_path / "lexicon.sqlite"
    candidates = [("hoitajalta", None, -10.0), ("lääkärille", None, -11.0), ("kulkijoita", "kulkija", None)]
    info = build(path, candidates)
    assert info["forms"] == 3
    lexicon = get_lemmatizer("lexicon", path=str(path))
    assert lexicon.lemmatize_tokens(["hoitajalta", "sairaalalääkärille"]) == ["hoitaja", "sairaalalääkäri"]
    assert lexicon.compound_parts("sairaalalääkärille") == ["sairaala", "lääkäri"]


def test_missing_lexicon_file_says_how_to_build_it(tmp_path):
    lexicon = get_lemmatizer("lexicon", path=str(tmp_path / "none.sqlite"))
    with pytest.raises(BackendUnavailableError, match="lexicon_build"):
        lexicon.check_available()


def test_shipped_lexicon_agrees_with_voikko_backend(voikko):
    """Fails when the rules change but the shipped file was not rebuilt."""
    with sqlite3.connect(f"file:{LEXICON_PATH}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT form, readings FROM lexicon").fetchall()
    sample = random.Random(7).sample(rows, 300)
    stale = [
        form
        for form, encoded in sample
        if decode_readings(encoded)[0].word_class != "simplemma"
        and encode_readings(voikko._analyse(form)) != encoded
    ]
    assert stale == []


@pytest.mark.parametrize("backend", ["voikko", "lexicon", "simplemma"])
def test_overlong_tokens_are_their_own_lemma(backend):
    tokens = ["A" * 1_000_000, "hoitajalta"]
    assert lemmatizer_or_skip(backend).lemmatize_tokens(tokens) == ["a" * 1_000_000, "hoitaja"]
