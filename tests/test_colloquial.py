"""Spelling variants tried for words a dictionary does not know."""

from __future__ import annotations

import pytest

from palauteluokitin.text.lemmatizers.colloquial import restore_umlauts, spelling_variants, squeeze_repeats


@pytest.mark.parametrize(
    ("word", "expected_first"),
    [("mä", "minä"), ("oon", "olen"), ("ollu", "ollut"), ("onks", "onko"), ("tää", "tämä")],
)
def test_spoken_forms_map_to_standard_spelling(word, expected_first):
    assert next(spelling_variants(word)) == expected_first


@pytest.mark.parametrize(
    ("word", "variant"),
    [
        ("jaksanu", "jaksanut"),
        ("voisiks", "voisiko"),
        ("ihanaaaa", "ihanaa"),
        ("ihanaaaa", "ihana"),
        ("kaynti", "käynti"),
        ("paivystyksessa", "päivystyksessä"),
        ("olis", "olisi"),
    ],
)
def test_variants_include_standard_spelling(word, variant):
    assert variant in list(spelling_variants(word))


def test_harmonic_umlaut_variants_come_first():
    assert next(restore_umlauts("kaynti")) == "käynti"
    assert next(restore_umlauts("hyva")) == "hyvä"


@pytest.mark.parametrize("word", ["hoitaja", "kiitos", "a"])
def test_no_repeat_variants_without_runs(word):
    assert list(squeeze_repeats(word)) == []


def test_variants_never_repeat_or_return_the_word():
    variants = list(spelling_variants("kiitoooos"))
    assert len(variants) == len(set(variants))
    assert "kiitoooos" not in variants


def test_long_word_with_many_vowels_is_bounded():
    word = "aoaoaoaoaoaoaoao"
    assert list(restore_umlauts(word)) == []


def test_variant_order_does_not_depend_on_string_hashing():
    """Each process hashes strings with its own seed; the variants must come out the same."""
    import os
    import subprocess
    import sys

    code = (
        "from palauteluokitin.text.lemmatizers.colloquial import spelling_variants; "
        "print(list(spelling_variants('selittaa')))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in (1, 2, 3, 4)
    }
    assert len(outputs) == 1
