"""Finnish lemmatisation cases as feedback is typed: inflection, spoken forms, sloppiness."""

from __future__ import annotations

import pickle

import pytest

from conftest import lemmatizer_or_skip
from palauteluokitin.errors import UnknownBackendError
from palauteluokitin.text.lemmatizers import get_lemmatizer

# (token, expected lemma): standard inflection
INFLECTION_CASES = [
    ("hoitajalta", "hoitaja"),
    ("hoitajien", "hoitaja"),
    ("hoitajaa", "hoitaja"),
    ("lääkärit", "lääkäri"),
    ("päivystyksessä", "päivystys"),
    ("odotin", "odottaa"),
    ("kävin", "käydä"),
    ("kerrottiin", "kertoa"),
    ("ystävällisesti", "ystävällisesti"),
    ("tehty", "tehdä"),
    ("ollut", "olla"),
    ("toimeentulotukea", "toimeentulotuki"),
    ("vastaanotolla", "vastaanotto"),
    ("kotihoidon", "kotihoito"),
    ("heidän", "hän"),
    ("meille", "minä"),
    ("Helsingissä", "helsinki"),
]

# spoken Finnish, clitics, lost umlauts, caps, repeated letters, typos
COLLOQUIAL_CASES = [
    ("mä", "minä"),
    ("sä", "sinä"),
    ("mun", "minä"),
    ("sun", "sinä"),
    ("oon", "olla"),
    ("oot", "olla"),
    ("ollu", "olla"),
    ("jaksanu", "jaksaa"),
    ("soittanu", "soittaa"),
    ("onks", "olla"),
    ("tää", "tämä"),
    ("hoitajakin", "hoitaja"),
    ("lääkärikään", "lääkäri"),
    ("kaynti", "käynti"),
    ("hyva", "hyvä"),
    ("paivystyksessa", "päivystys"),
    ("HOITAJALTA", "hoitaja"),
    ("KIITOS", "kiitos"),
    ("ihanaaaa", "ihana"),
    ("kiitoooos", "kiitos"),
    ("takas", "takaisin"),
    ("serkulleni", "serkku"),
    ("kädessään", "käsi"),
    ("saanhan", "saada"),
    ("16-vuotiaita", "16-vuotias"),
    ("asiakasmaksulaskusta", "asiakasmaksulasku"),
]

# typos one edit from a known word: Voikko's speller finds them
TYPO_CASES = [
    ("hoitjalta", "hoitaja"),
    ("lääkäärit", "lääkäri"),
    ("vastaanotolal", "vastaanotto"),
    ("sairaanhoitajs", "sairaanhoitaja"),
    ("kohtelisaasti", "kohteliaasti"),
]

# sentences where the context picks the reading
CONTEXT_CASES = [
    (["en", "tuo", "papereita"], ["ei", "tuoda", "paperi"]),
    (["hän", "tuli", "myöhässä"], ["hän", "tulla", "myöhässä"]),
    (["mä", "sanoin", "et", "se", "on", "väärin"], ["minä", "sanoa", "että", "se", "olla", "väärin"]),
    (["et", "tiedä", "mitään"], ["ei", "tietää", "mikään"]),
    (["ei", "oo", "kiva"], ["ei", "olla", "kiva"]),
]


@pytest.mark.parametrize("backend", ["voikko", "lexicon"])
@pytest.mark.parametrize(("token", "lemma"), INFLECTION_CASES + COLLOQUIAL_CASES)
def test_lemmatizes_feedback_words(backend, token, lemma):
    assert lemmatizer_or_skip(backend).lemmatize_tokens([token]) == [lemma]


@pytest.mark.parametrize(("token", "lemma"), TYPO_CASES)
def test_voikko_corrects_typos(voikko, token, lemma):
    assert voikko.lemmatize_tokens([token]) == [lemma]


@pytest.mark.parametrize("backend", ["voikko", "lexicon"])
@pytest.mark.parametrize(("tokens", "lemmas"), CONTEXT_CASES)
def test_context_rules(backend, tokens, lemmas):
    assert lemmatizer_or_skip(backend).lemmatize_tokens(tokens) == lemmas


@pytest.mark.parametrize("backend", ["voikko", "lexicon"])
@pytest.mark.parametrize(
    ("tokens", "lemmas"),
    [
        (["Kävin", "Häkkisen", "luona"], ["käydä", "häkkinen", "luona"]),
        (["EU:n", "ohjeet"], ["eu", "ohje"]),
    ],
)
def test_names_are_not_corrected_as_typos(backend, tokens, lemmas):
    assert lemmatizer_or_skip(backend).lemmatize_tokens(tokens) == lemmas


@pytest.mark.parametrize("backend", ["voikko", "lexicon"])
@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("terveyskeskuslääkäri", ["terveys", "keskus", "lääkäri"]),
        ("kotihoidon", ["koti", "hoito"]),
        ("hoitaja", []),
    ],
)
def test_compound_parts(backend, word, parts):
    assert lemmatizer_or_skip(backend).compound_parts(word) == parts


@pytest.mark.parametrize(
    ("token", "lemma"),
    [
        ("hoitajalta", "hoitaja"),
        ("lääkärit", "lääkäri"),
        ("mä", "minä"),
        ("kaynti", "käynti"),
        ("ihanaaaa", "ihana"),
        ("HOITAJALTA", "hoitaja"),
    ],
)
def test_simplemma_lemmatizes_feedback_words(simplemma_lemmatizer, token, lemma):
    assert simplemma_lemmatizer.lemmatize_tokens([token]) == [lemma]


@pytest.mark.parametrize("backend", ["simplemma", "voikko", "lexicon"])
@pytest.mark.parametrize("token", [".", "!!", "112", "12.5.2024", "–", ":)"])
def test_punctuation_and_numbers_are_their_own_lemma(backend, token):
    assert lemmatizer_or_skip(backend).lemmatize_tokens([token]) == [token]


@pytest.mark.parametrize("backend", ["simplemma", "voikko", "lexicon"])
def test_lemmatizer_pickles_without_native_handles(backend):
    lemmatizer = lemmatizer_or_skip(backend)
    lemmatizer.lemmatize_tokens(["hoitajalta"])
    restored = pickle.loads(pickle.dumps(lemmatizer))
    assert restored.__dict__.keys() == get_lemmatizer(backend).__dict__.keys()
    assert len(pickle.dumps(lemmatizer)) < 2_000
    assert restored.lemmatize_tokens(["hoitajalta"]) == ["hoitaja"]


def test_cache_returns_same_lemma_and_is_filled(simplemma_lemmatizer):
    first = simplemma_lemmatizer.lemmatize_tokens(["hoitajille", "hoitajille"])
    assert first == ["hoitaja", "hoitaja"]
    assert simplemma_lemmatizer._word_cache["hoitajille"] == "hoitaja"


def test_unknown_backend_names_the_choices():
    with pytest.raises(
        UnknownBackendError, match="choose one of: lexicon, simplemma, spacy-fi, stanza, voikko"
    ):
        get_lemmatizer("omorfi")


def test_stanza_without_models_says_how_to_get_them(tmp_path):
    from palauteluokitin.errors import BackendUnavailableError

    lemmatizer = get_lemmatizer("stanza", resources_dir=str(tmp_path / "none"))
    with pytest.raises(BackendUnavailableError, match=r"stanza\.download\('fi'") as error:
        lemmatizer.lemmatize_tokens(["hoitaja"])
    assert "STANZA_RESOURCES_DIR" in str(error.value)


def test_spacy_fi_lemmatizes_sentence(spacy_fi):
    lemmas = spacy_fi.lemmatize_tokens(["Hoitajat", "kertoivat", "tuloksista", "."])
    assert lemmas == ["hoitaja", "kertoa", "tulos", "."]
