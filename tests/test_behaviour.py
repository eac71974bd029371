"""The shipped models on the behavioural suite (tests/behaviour/): capabilities with floors.

The floors are the scores the shipped models reach, rounded to leave room for noise
only: a retrained model that falls below one has lost a capability. The README's table
shows the scores themselves (`palauteluokitin scorecard`).
"""

from __future__ import annotations

import pytest

from palauteluokitin.classify.loaded_model import load_model
from palauteluokitin.labels import FLAG
from palauteluokitin.modeling.explain import is_content_lemma
from palauteluokitin.text.lemmatizers import shared_lemmatizer
from palauteluokitin.text.tokenize import tokenize
from palauteluokitin.training.scorecard import behaviour_scores, read_behaviour_suite

# (model, score, floor): "≤" scores are rates of mistakes, "≥" scores rates of success.
FLOORS = {
    "default": {
        "false_flag_rate": ("≤", 0.36),
        "flag_recall": ("≥", 0.98),
        "implicit_recall": ("≥", 0.97),
        "register_flip_rate": ("≤", 0.02),
        "sentiment_accuracy": ("≥", 0.85),
        "explicit_mistreatment_flag_accuracy": ("≥", 1.0),
        "negated_complaint_flag_accuracy": ("≥", 0.4),
        "service_failure_flag_accuracy": ("≥", 0.6),
    },
    "accurate": {
        "false_flag_rate": ("≤", 0.30),
        "flag_recall": ("≥", 0.98),
        "implicit_recall": ("≥", 0.97),
        "register_flip_rate": ("≤", 0.02),
        "sentiment_accuracy": ("≥", 0.86),
        "explicit_mistreatment_flag_accuracy": ("≥", 1.0),
        "negated_complaint_flag_accuracy": ("≥", 0.4),
        "service_failure_flag_accuracy": ("≥", 0.5),
    },
}


@pytest.fixture(scope="module")
def suite():
    return read_behaviour_suite()


@pytest.fixture(scope="module", params=sorted(FLOORS))
def scored(request, suite):
    model = load_model(request.param)
    return request.param, model, behaviour_scores(model.classifier, suite)


def test_suite_is_what_its_readme_says(suite):
    assert len(suite) >= 250
    assert suite["id"].is_unique
    counts = suite["capability"].value_counts()
    assert counts["implicit_mistreatment"] >= 45 and counts["register_invariance"] >= 120
    assert set(suite["lang"]) == {"fi", "sv", "en"}
    assert set(suite.loc[suite["capability"] == "implicit_mistreatment", FLAG]) == {1}


@pytest.mark.parametrize("score", sorted({name for floors in FLOORS.values() for name in floors}))
def test_floor(scored, score):
    name, _, scores = scored
    if score not in FLOORS[name]:
        pytest.fail(f"no floor for {score} of {name}")
    direction, floor = FLOORS[name][score]
    value = scores[score]
    assert value <= floor if direction == "≤" else value >= floor, (
        f"{name} {score} {value} {direction} {floor}"
    )


def test_flag_reasons_hold_content_words(scored, suite):
    """Every reason shown for a flag names something that happened: no reason made only of
    pronouns, conjunctions, particles, auxiliaries or reporting verbs."""
    _, model, _ = scored
    lemmatizer = shared_lemmatizer("lexicon")
    results = model.classify(suite["text"].tolist())
    reasons = [reason for result in results if result.flag for reason in result.flag_reasons]
    assert len(reasons) > 100
    empty = [
        reason
        for reason in reasons
        if not any(map(is_content_lemma, lemmatizer.lemmatize_tokens(tokenize(reason))))
    ]
    assert empty == []


# Words that say nothing of what happened, written as feedback writes them (spoken forms too).
FUNCTION_WORDS = set(
    "hän se sitä sen ne niitä ja et että ettei ku kun sa sä mä mua sua nii niin niinku sit sitten mut mutta "
    "vaa vaan joo juu ai no nyt toi noi tää nää tota kuulemma sano sanoi sanoin kertoi kysyi ei en eikä "
    "jos koska kuin han hon och att det jag he she and the that said".split()
)
SPOKEN_COMPLAINTS = [
    "ku mä kysyin hoitajalta et milloin pääsen kotiin se vaa tuhahti ja lähti",
    "hoitaja sano et mä oon ihan turha valittaja ja nauro päälle",
    "nii siis se lääkäri ei ees kattonu muhun päin ja puhu vaa mun äidille",
    "sit se sano et sa et saa soittaa enää tänne, ihan hirveetä kohtelua",
    "kuulemma meidän mummo oli jätetty koko yöks märkään vaippaan",
    "joo no se hoitaja huusi mulle käytävällä kaikkien kuullen",
]


def test_flag_reasons_are_never_only_function_words(scored, suite):
    """On the behavioural suite, the corpus's test split and spoken complaints, no reason
    shown for a flag is made only of pronouns, conjunctions, particles or reporting words."""
    from palauteluokitin.training.corpus import read_corpus
    from palauteluokitin.training.train import DEFAULT_CORPUS

    _, model, _ = scored
    texts = suite["text"].tolist() + SPOKEN_COMPLAINTS
    texts += [row["text"] for row in read_corpus(DEFAULT_CORPUS) if row["split"] == "test"]
    results = model.classify(texts)
    reasons = [reason for result in results if result.flag for reason in result.flag_reasons]
    assert len(reasons) > 500
    only_function_words = sorted(
        {reason for reason in reasons if set(tokenize(reason.lower())) <= FUNCTION_WORDS | set(".,!?;:")}
    )
    assert only_function_words == []
    spoken = results[len(suite) : len(suite) + len(SPOKEN_COMPLAINTS)]
    assert all(result.flag and result.flag_reasons for result in spoken)
