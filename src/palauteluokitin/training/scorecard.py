"""One model judged on every set the project trusts: the corpus's test split and its
contrast pairs, the independent challenge set, the real-text development set (tweets
nobody here wrote) and the behavioural suite (capabilities written for testing).

A gain on the test split alone is not a gain: the test split is written the way the
training data was. `scorecard` is what model cards, the README and the retraining gate
report.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score

from palauteluokitin.labels import FLAG, RIGHTS_CATEGORIES
from palauteluokitin.locations import project_path
from palauteluokitin.training.evaluation import contrast_pair_scores
from palauteluokitin.training.metrics import evaluate
from palauteluokitin.training.realtext import LABELS as REALTEXT_LABELS
from palauteluokitin.training.realtext import read_realtext_set

CHALLENGE = project_path("data/challenge/challenge.csv")
BEHAVIOUR_SUITE = project_path("tests/behaviour")
BEHAVIOUR_COLUMNS = ("id", "capability", "group", "lang", "text", "flag", "sentiment")
IMPLICIT = "implicit_mistreatment"
REGISTER = "register_invariance"


def read_behaviour_suite(folder: Path = BEHAVIOUR_SUITE) -> pd.DataFrame:
    """Every item of the behavioural suite (the CSV files of `folder`), in file order."""
    frames = []
    for path in sorted(Path(folder).glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            frame = pd.DataFrame(list(csv.DictReader(handle)))
        if tuple(frame.columns) != BEHAVIOUR_COLUMNS:
            raise ValueError(f"{path}: columns must be {', '.join(BEHAVIOUR_COLUMNS)}")
        frames.append(frame)
    if not frames:
        raise FileNotFoundError(f"No behavioural suite (*.csv) in {folder}")
    suite = pd.concat(frames, ignore_index=True)
    suite[FLAG] = suite.pop("flag").astype(int)
    return suite


def rounded(scores: dict) -> dict:
    return {key: round(value, 4) if isinstance(value, float) else value for key, value in scores.items()}


def behaviour_scores(classifier, suite: pd.DataFrame) -> dict[str, float]:
    """False flags on items without mistreatment, recall on flagged items (and on
    implicit mistreatment alone), sentiment accuracy where the suite states it, the
    share of register variants whose flag differs from their group's first (standard)
    form, and flag accuracy per capability."""
    decided = classifier.predict(suite["text"].tolist())
    flagged = decided[FLAG].to_numpy()
    truth = suite[FLAG].to_numpy()
    scores = {
        "items": len(suite),
        "false_flag_rate": float(flagged[truth == 0].mean()),
        "flag_recall": float(flagged[truth == 1].mean()),
    }
    implicit = (suite["capability"] == IMPLICIT).to_numpy()
    if implicit.any():
        scores["implicit_recall"] = float(flagged[implicit & (truth == 1)].mean())
    stated = (suite["sentiment"] != "").to_numpy()
    scores["sentiment_accuracy"] = float(
        (decided["sentiment"].to_numpy() == suite["sentiment"])[stated].mean()
    )
    grouped = suite.assign(predicted=flagged, key=suite["capability"] + ":" + suite["group"])
    grouped = grouped[(suite["group"] != "").to_numpy()]
    if len(grouped):
        first = grouped.groupby("key")["predicted"].transform("first")
        variants = grouped.groupby("key").cumcount() > 0
        scores["register_flip_rate"] = float((grouped["predicted"] != first)[variants].mean())
    for capability, rows in suite.assign(right=flagged == truth).groupby("capability", sort=True):
        scores[f"{capability}_flag_accuracy"] = float(rows["right"].mean())
    return rounded(scores)


def realtext_scores(classifier, rows: list[dict]) -> dict[str, float]:
    """On labelled real texts: the share of unflagged ones flagged, flag recall, sentiment
    accuracy and categories macro-F1."""
    part = pd.DataFrame(rows)
    decided = classifier.predict(part["text"].tolist())
    truth = part[FLAG].astype(int).to_numpy()
    flagged = decided[FLAG].to_numpy()
    categories = part[list(RIGHTS_CATEGORIES)].astype(int).to_numpy()
    scores = {
        "texts": len(part),
        "false_flag_rate": float(flagged[truth == 0].mean()),
        "flag_recall": float(flagged[truth == 1].mean()) if truth.any() else float("nan"),
        "sentiment_accuracy": float((decided["sentiment"].to_numpy() == part["sentiment"].to_numpy()).mean()),
        "categories_macro_f1": float(
            f1_score(
                categories, decided[list(RIGHTS_CATEGORIES)].to_numpy(), average="macro", zero_division=0
            )
        ),
    }
    return rounded(scores)


def labelled_split_scores(classifier, part: pd.DataFrame) -> dict[str, float]:
    """The training metrics on a labelled frame, with contrast-pair scores when it has pairs."""
    scores = classifier.predict_scores(part["text"].tolist())
    metrics = evaluate(classifier, part.reset_index(drop=True), scores)
    if "pair" in part:
        pairs = contrast_pair_scores(part.reset_index(drop=True), classifier.decide(scores))
        metrics |= {f"pairs_{key}": value for key, value in pairs.items()}
    return metrics


def scorecard(
    classifier,
    test: pd.DataFrame | None = None,
    challenge: pd.DataFrame | None = None,
    realtext: list[dict] | None = None,
    suite: pd.DataFrame | None = None,
) -> dict[str, dict]:
    """The model's scores on each set given (a set left out is not scored)."""
    card: dict[str, dict] = {}
    if test is not None:
        card["test"] = labelled_split_scores(classifier, test)
    if challenge is not None:
        card["challenge"] = labelled_split_scores(classifier, challenge)
    if realtext is not None:
        card["realtext_dev"] = realtext_scores(classifier, realtext)
    if suite is not None:
        card["behaviour"] = behaviour_scores(classifier, suite)
    return card


def precision_at_prevalence(recall: float, false_flag_rate: float, prevalence: float = 0.03) -> float:
    """The precision a flag with this recall and false-flag rate would have where a share
    `prevalence` of comments report mistreatment."""
    found = recall * prevalence
    false = false_flag_rate * (1 - prevalence)
    return float(np.round(found / (found + false), 4)) if found + false else float("nan")


def standard_sets(
    corpus: Path | None = None,
    challenge: Path = CHALLENGE,
    realtext_labels: Path = REALTEXT_LABELS,
    suite: Path | None = BEHAVIOUR_SUITE,
) -> dict:
    """The project's sets as `scorecard` arguments: the corpus's test split, the challenge
    set, the dev part of the real-text set (texts read from the shared folder) and the
    behavioural suite."""
    from palauteluokitin.training.train import DEFAULT_CORPUS, load_splits

    return {
        "test": load_splits(corpus or DEFAULT_CORPUS)["test"],
        "challenge": pd.read_csv(challenge, dtype=str, keep_default_na=False),
        "realtext": read_realtext_set(realtext_labels, split="dev"),
        "suite": read_behaviour_suite(suite) if suite is not None else None,
    }


# What a retrained model must not lose against the champion, beyond this tolerance:
# (set, score, +1 when higher is better, -1 when lower is better).
GATE = (
    ("realtext_dev", "false_flag_rate", -1),
    ("realtext_dev", "sentiment_accuracy", 1),
    ("behaviour", "false_flag_rate", -1),
    ("behaviour", "flag_recall", 1),
    ("behaviour", "register_flip_rate", -1),
    ("test", f"{FLAG}_recall", 1),
)
GATE_TOLERANCE = 0.01


def gate_regressions(new: dict, champion: dict, tolerance: float = GATE_TOLERANCE) -> list[str]:
    """The gate's scores on which `new` is worse than `champion` by more than `tolerance`,
    as readable lines (empty: no worse anywhere)."""
    worse = []
    for part, name, direction in GATE:
        if name in new.get(part, {}) and name in champion.get(part, {}):
            before, after = champion[part][name], new[part][name]
            if direction * (after - before) < -tolerance:
                worse.append(f"{part} {name}: {after:.3f} against the champion's {before:.3f}")
    return worse


def gate_table(new: dict, champion: dict) -> list[str]:
    """The gate's scores of both models, one line each, for the training command to print."""
    return [
        f"{part:13} {name:22} new {new.get(part, {}).get(name, float('nan')):.3f}  "
        f"champion {champion.get(part, {}).get(name, float('nan')):.3f}"
        for part, name, _ in GATE
    ]
