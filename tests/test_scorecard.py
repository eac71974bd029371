"""The scorecard and the retraining gate: what a model is judged by beyond its test split."""

from __future__ import annotations

import pandas as pd
import pytest

from palauteluokitin.training.auxiliary import xed_sentiment
from palauteluokitin.training.scorecard import (
    behaviour_scores,
    gate_regressions,
    precision_at_prevalence,
    read_behaviour_suite,
)

CHAMPION = {
    "realtext_dev": {"false_flag_rate": 0.10, "sentiment_accuracy": 0.60},
    "behaviour": {"false_flag_rate": 0.05, "flag_recall": 0.95, "register_flip_rate": 0.02},
    "test": {"epaasiallinen_kohtelu_recall": 0.96},
}


def changed(part: str, name: str, value: float) -> dict:
    return {key: {**values, name: value} if key == part else values for key, values in CHAMPION.items()}


@pytest.mark.parametrize(
    ("new", "worse"),
    [
        (CHAMPION, []),
        (changed("realtext_dev", "false_flag_rate", 0.105), []),  # within the tolerance
        (changed("realtext_dev", "false_flag_rate", 0.13), ["realtext_dev false_flag_rate"]),
        (changed("realtext_dev", "false_flag_rate", 0.02), []),  # better
        (changed("realtext_dev", "sentiment_accuracy", 0.55), ["realtext_dev sentiment_accuracy"]),
        (changed("behaviour", "flag_recall", 0.90), ["behaviour flag_recall"]),
        (changed("behaviour", "register_flip_rate", 0.05), ["behaviour register_flip_rate"]),
        (changed("test", "epaasiallinen_kohtelu_recall", 0.93), ["test epaasiallinen_kohtelu_recall"]),
    ],
)
def test_gate_finds_what_got_worse(new, worse):
    found = gate_regressions(new, CHAMPION)
    assert [" ".join(line.split()[:2]).rstrip(":") for line in found] == worse


@pytest.mark.parametrize(
    ("emotions", "sentiment"),
    [
        ({5}, "positiivinen"),
        ({8, 2}, "positiivinen"),
        ({1, 3}, "negatiivinen"),
        ({6}, "negatiivinen"),
        ({5, 1}, None),  # both kinds
        ({2, 7}, None),  # anticipation and surprise say neither
    ],
)
def test_xed_emotions_to_sentiment(emotions, sentiment):
    assert xed_sentiment(emotions) == sentiment


def test_precision_at_prevalence():
    assert precision_at_prevalence(1.0, 0.0) == 1.0
    assert precision_at_prevalence(0.95, 0.05, 0.03) == pytest.approx(0.0285 / (0.0285 + 0.0485), abs=1e-4)


class Always:
    """A classifier that gives every text the same flag and sentiment."""

    def __init__(self, flag: int, sentiment: str) -> None:
        self.flag, self.sentiment = flag, sentiment

    def predict(self, texts):
        return pd.DataFrame({"epaasiallinen_kohtelu": [self.flag] * len(texts), "sentiment": self.sentiment})


def test_behaviour_scores_of_a_constant_classifier():
    suite = read_behaviour_suite()
    never = behaviour_scores(Always(0, "positiivinen"), suite)
    always = behaviour_scores(Always(1, "negatiivinen"), suite)
    assert never["false_flag_rate"] == 0.0 and never["flag_recall"] == 0.0
    assert always["false_flag_rate"] == 1.0 and always["flag_recall"] == 1.0
    assert never["register_flip_rate"] == always["register_flip_rate"] == 0.0
    share_positive = (suite["sentiment"] == "positiivinen").sum() / (suite["sentiment"] != "").sum()
    assert never["sentiment_accuracy"] == pytest.approx(share_positive, abs=1e-4)
