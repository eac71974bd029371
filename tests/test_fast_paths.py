"""The fast paths of classification give exactly what the slow reference gives: spaCy's
tokenizer on the whole text, scikit-learn's TF-IDF transform, py3langid's `rank`, and
choosing each token's reading without the per-token memory."""

from __future__ import annotations

import csv
import functools
import re

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from palauteluokitin.classify.loaded_model import load_model
from palauteluokitin.text import language
from palauteluokitin.text.lemmatizers import get_lemmatizer, readings
from palauteluokitin.text.tokenize import finnish_tokenizer, tokenize
from palauteluokitin.training.train import DEFAULT_CORPUS as CORPUS_PATH

TRICKY = [
    "( :)kiitos",
    "[ :)4www.x",
    "(kiitos :)",
    "Hoitaja oli tyly:( ja kiireinen :-)",
    "esim.hoitaja, n:o 5, klo 8.30–9",
    "Ettei kukaan kuullut, miksei ETTEI ettet",
    "http://esimerkki.fi/palaute?id=3 ja www.kela.fi.",
    "Sanoi\u00a0\u2028\t'no'  ''kiitos''",
    "@anna_k #hoitajat!! 😀😀",
    "",
    "   ",
]
PIECES = [
    "(",
    ")",
    ":)",
    ":D",
    "(:",
    ":-)",
    "esim.",
    "klo",
    "n:o",
    "www.",
    "http://",
    "''",
    "'",
    "-",
    "…",
    "😀",
]
FRAGMENTS = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(alphabet="aäökltHTs0189 .,:;!?()[]-'\"\n\t/@#", max_size=6)),
    max_size=15,
).map("".join)


def corpus_texts(count: int) -> list[str]:
    with open(CORPUS_PATH, encoding="utf-8", newline="") as handle:
        return [row["text"] for row, _ in zip(csv.DictReader(handle), range(count), strict=False)]


def spacy_tokens(text: str) -> list[str]:
    return [token.text for token in finnish_tokenizer()(text) if not token.is_space]


@pytest.mark.parametrize("text", TRICKY)
def test_tokenize_splits_as_spacy_does_on_the_whole_text(text):
    assert tokenize(text) == spacy_tokens(text)


@settings(max_examples=500, deadline=None)
@given(FRAGMENTS)
def test_tokenize_splits_any_text_as_spacy_does(text):
    assert tokenize(text) == spacy_tokens(text)


@pytest.mark.parametrize("name", ["default", "accurate"])
def test_served_features_equal_scikit_learn_transform(name):
    model = load_model(name)
    features = model.classifier.features_  # the estimator the serving file was compiled from
    texts = corpus_texts(600 if name == "default" else 60) + TRICKY + ["x" * 300, "hoitaja HOITAJA", "@a @a"]
    matrix = model.compiled.features.analyse(texts).matrix
    _, lemmas = features._lemmas(texts)
    reference = sp.hstack(
        [
            features.word_vectorizer_.transform([" ".join(terms) for terms in lemmas]),
            features.char_vectorizer_.transform(texts),
            *([matrix[:, features.n_word_features_ + len(features.char_vectorizer_.vocabulary_) :]]),
        ]
    ).tocsr()
    assert matrix.shape == reference.shape
    assert np.array_equal(matrix.indptr, reference.indptr)
    assert np.array_equal(matrix.indices, reference.indices)
    assert np.array_equal(matrix.data, reference.data)  # bit for bit, not approximately


@functools.cache
def packed_identifier():
    """py3langid's identifier loaded its own way, from the compressed model in the package."""
    import py3langid
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_modelpath(py3langid.langid.MODEL_DIR / MODEL_FILE, norm_probs=True)


def reference_language(text: str) -> str:
    """detect_language as it was, one `rank` call per text of py3langid's own identifier."""
    sample = text[: language.SAMPLE_CHARS]
    letters = len(re.findall(r"[^\W\d_]", sample))
    if letters < 3:
        return "fi"
    words = set(language.WORD.findall(sample.lower()))
    if len(words & language.FINNISH_MARKERS) >= 2 and not words & language.FOREIGN_MARKERS:
        return "fi"
    ranked = packed_identifier().rank(sample)
    best, confidence = ranked[0]
    if best not in language.SUPPORTED and letters >= language.MIN_LETTERS_FOR_OTHER and confidence >= 0.95:
        return language.OTHER
    return next(name for name, _ in ranked if name in language.SUPPORTED)


FOREIGN = [
    "Personalen var vänlig och förklarade allt.",
    "The nurse was rude and nobody listened to me.",
    "Väga hea teenindus, aitäh kõigile töötajatele!",
    "Sehr freundliches Personal, vielen Dank für alles.",
    "Kiitos",
    "ok",
    "😀😀",
    "HYVÄÄ PALVELUA",
    "Hoitaja oli ihana 😊 tack så mycket",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöå ÄÖÅ.,!?é€😀中", max_size=80), max_size=20))
def test_detect_languages_equals_one_rank_per_text(texts):
    assert language.detect_languages(texts) == [reference_language(text) for text in texts]


def test_detect_languages_equals_one_rank_per_text_on_feedback():
    texts = corpus_texts(1500) + FOREIGN + [" ".join(FOREIGN)]
    found = language.detect_languages(texts)
    assert found == [reference_language(text) for text in texts]
    assert {"fi", "sv", "en"} <= set(found)


def test_the_language_model_is_unpacked_once_into_the_cache(tmp_path, monkeypatch):
    import py3langid

    packed = py3langid.langid.MODEL_DIR / py3langid.langid.MODEL_FILE
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    unpacked = language._unpacked_model(packed)
    assert unpacked.parent == tmp_path / "palauteluokitin" and unpacked.stat().st_size > packed.stat().st_size
    modified = unpacked.stat().st_mtime_ns
    assert language._unpacked_model(packed) == unpacked and unpacked.stat().st_mtime_ns == modified
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))  # not a folder: nothing to write into
    assert language._unpacked_model(packed) is None


def reference_lemmas(lemmatizer, tokens: list[str]) -> list[str]:
    """ReadingLemmatizer.lemmatize_tokens as it was, every token looked up every time."""
    options = [
        ()
        if readings.is_punct_or_number(token)
        else lemmatizer.readings(token.lower(), readings._may_be_name(token, index))
        for index, token in enumerate(tokens)
    ]
    lemmas = []
    for index, (token, found) in enumerate(zip(tokens, options, strict=True)):
        if not found:
            lemmas.append(token if readings.is_punct_or_number(token) else token.lower())
        else:
            lemmas.append(readings.choose_reading(token.lower(), found, options, index, tokens).lemma.lower())
    return lemmas


@pytest.mark.parametrize("backend", ["lexicon", "voikko"])
def test_remembered_readings_choose_the_same_lemmas(backend, request):
    lemmatizer = request.getfixturevalue(backend)
    texts = (
        corpus_texts(800)
        + TRICKY
        + ["Anna ei ollut paikalla. Et sinä voi.", "Annalla oli Anna-niminen koira"]
    )
    for text in texts:
        tokens = tokenize(text)
        assert lemmatizer.lemmatize_tokens(tokens) == reference_lemmas(lemmatizer, tokens), text[:40]


@pytest.mark.parametrize("name", ["default", "accurate"])
def test_served_heads_give_scikit_learn_probabilities(name):
    model = load_model(name)
    classifier = model.classifier  # the estimator the serving file was compiled from
    matrix = classifier.features_.transform(corpus_texts(300) + TRICKY)
    scores = model.compiled.scores(matrix)
    for label, head in classifier.heads_.items():
        assert np.array_equal(scores[label].to_numpy(), head.predict_proba(matrix)[:, 1]), label
    sentiment = classifier.sentiment_head_.predict_proba(matrix)
    for index, value in enumerate(classifier.sentiment_head_.classes_):
        assert np.array_equal(scores[f"sentiment={value}"].to_numpy(), sentiment[:, index]), value


def test_remembered_words_stay_bounded_and_change_no_answer(monkeypatch):
    """Over millions of rows the per-word memories are emptied at their limits (spaCy's
    tokenizer, which keeps every string it sees, is made afresh)."""
    from palauteluokitin.text import tokenize as tokenize_module

    lexicon = get_lemmatizer("lexicon")  # its own memories, not the ones other tests filled
    monkeypatch.setattr(tokenize_module, "MAX_VOCABULARY", len(finnish_tokenizer().vocab) + 50)
    monkeypatch.setattr(readings, "MAX_REMEMBERED_TOKENS", 30)
    tokenize_module._piece_tokens.cache_clear()
    first_tokenizer = finnish_tokenizer()
    for text in [*corpus_texts(200), "Puh. 040-123 4567, klo 8.30, 12,5 %; https://x.fi/a?b=1"]:
        tokens = tokenize(text)
        assert tokens == spacy_tokens(text)
        assert lexicon.lemmatize_tokens(tokens) == reference_lemmas(lexicon, tokens)
        assert len(lexicon._tokens) <= 31 and len(lexicon._readings) <= 31
    assert finnish_tokenizer() is not first_tokenizer
