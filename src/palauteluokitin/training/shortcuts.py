"""Shortcut audit: can a label be predicted from how a comment is told, not what it says?

`surface_features` describes a comment only by its form: its length in words and
sentences, word length, personal pronouns, reporting verbs (sanoa, kysyä, kertoa), the
conjunctions että and kun, quotation marks, spoken-register markers, relative pronouns
and family words. None of them says what staff did. `audit_shortcuts` fits a model on
these features alone and reports the cross-validated ROC AUC per label: near 0.5 means
the form tells nothing about the label; far above it means a classifier can score well
by learning the writers' style instead of the content, and will fail on text told
differently.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from palauteluokitin.labels import FLAG, RIGHTS_CATEGORIES, SENTIMENTS

SHORTCUT_AUC_LIMIT = 0.70
# The labels whose shortcut the shipped corpus must keep under the limit.
AUDITED_LABELS = (FLAG, "sentiment=negatiivinen")

_TOKEN = re.compile(r"\w+|[\"“”„«»]")
_QUOTES = frozenset('"“”„«»')


def _words(*forms: str) -> frozenset[str]:
    return frozenset(" ".join(forms).split())


# Word forms of each group, lower case. Spoken forms count both as their group and as
# spoken register.
_GROUPS: dict[str, frozenset[str]] = {
    "first_person": _words(
        "minä minun minua minulle minulla minulta minut minussa minusta minuun",
        "me meidän meitä meille meillä meiltä meidät meissä meistä meihin",
        "mä mää mie mun mua mulle mulla multa musta muhun meiän meil meit",
    ),
    "second_person": _words(
        "sinä sinun sinua sinulle sinulla sinulta sinut sinussa sinusta sinuun",
        "te teidän teitä teille teillä teiltä teidät teissä teistä teihin",
        "sä sää sie sun sua sulle sulla sulta teiän teil",
    ),
    "third_person": _words(
        "hän hänen häntä hänelle hänellä häneltä hänet hänessä hänestä häneen",
        "he heidän heitä heille heillä heiltä heidät heissä heistä heihin",
    ),
    "että_kun": _words("että et ettei ettet etten kun ku kunnes"),
    "relative_pronoun": _words(
        "joka jonka jota jossa josta johon jolla jolta jolle jona",
        "jotka joiden joita joissa joista joihin joilla joilta joille joina",
    ),
    "spoken": _words(
        "mä mää sä sää mun sun mua sua mulle sulle mulla sulla oon oot ollu tää toi noi nää",
        "niinku nii sit sitte vaa kyl joo ihan tosi jotenki sillee semmonen tommonen",
        "mitää mikää ees vähä vaan et ku ois oisin",
    ),
}
# Word starts of each group, and word starts that look alike but are not in it.
_STEMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "reporting_verb": (("sano", "kysy", "kerto", "kerro"), ("sanom", "kerros", "kerroks")),
    "family": (
        tuple(
            "äiti äidi isä isi mumm vaari pappa isoäi isoisä vaimo mieh mies puoliso laps poika poja "
            "tytär tyttär omai sisko sisar veli velje vanhemp".split()
        ),
        (),
    ),
}
# Past participles of spoken Finnish (jaksanu, ollu, menny) and the clitic -ks (onks, miks).
_SPOKEN_ENDINGS = re.compile(r"\w+(?:nu|ny|llu|lly|ks)")
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")
FEATURE_NAMES = (
    "log_words",
    "log_characters_per_word",
    "log_sentences",
    "quotation_marks",
    *(f"{group}_{kind}" for group in (*_GROUPS, *_STEMS) for kind in ("present", "rate")),
    "spoken_ending_rate",
)


def surface_features(texts: Sequence[str]) -> np.ndarray:
    """One row of form-only features per text, in the order of FEATURE_NAMES."""
    rows = []
    for text in texts:
        tokens = _TOKEN.findall(text.lower())
        words = [token for token in tokens if token not in _QUOTES]
        n = max(len(words), 1)
        counts = {group: sum(word in forms for word in words) for group, forms in _GROUPS.items()}
        for group, (stems, excluded) in _STEMS.items():
            counts[group] = sum(word.startswith(stems) and not word.startswith(excluded) for word in words)
        row = [
            np.log1p(len(words)),
            np.log1p(sum(map(len, words)) / n),
            np.log1p(len(_SENTENCE_END.findall(text)) or 1),
            float(len(tokens) - len(words)),
        ]
        for group in (*_GROUPS, *_STEMS):
            row += [float(counts[group] > 0), counts[group] / n]
        row.append(sum(bool(_SPOKEN_ENDINGS.fullmatch(word)) for word in words) / n)
        rows.append(row)
    return np.asarray(rows, dtype=float).reshape(len(rows), len(FEATURE_NAMES))


def label_targets(rows: Sequence[dict[str, str]]) -> dict[str, np.ndarray]:
    """Each binary target of the scheme: the categories, each sentiment against the
    rest (`sentiment=negatiivinen`) and the flag."""
    targets = {label: [row[label] == "1" for row in rows] for label in (*RIGHTS_CATEGORIES, FLAG)}
    for sentiment in SENTIMENTS:
        targets[f"sentiment={sentiment}"] = [row["sentiment"] == sentiment for row in rows]
    return {name: np.asarray(values, dtype=int) for name, values in targets.items()}


@dataclass(frozen=True)
class ShortcutScore:
    """How well form alone predicts one label; `leading` names the features with the
    largest standardised weights, with the sign of their effect."""

    label: str
    positives: int
    roc_auc: float
    leading: tuple[str, ...]


AUDIT_MODELS = ("logistic", "boosting")


def _audit_model(kind: str):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if kind == "boosting":
        return HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, random_state=0)
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))


def audit_shortcuts(
    rows: Sequence[dict[str, str]],
    model: str = "logistic",
    labels: Sequence[str] | None = None,
    folds: int = 5,
    seed: int = 0,
) -> list[ShortcutScore]:
    """Cross-validated ROC AUC of a model on surface features (a logistic regression, or
    gradient-boosted trees, which also find bands and interactions such as "long and
    quoted"), per label (all, or `labels`) with at least `folds` positives and negatives.
    The leading features are the logistic regression's either way."""
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    if model not in AUDIT_MODELS:
        raise ValueError(f"model must be one of {', '.join(AUDIT_MODELS)}, not {model!r}")
    features = surface_features([row["text"] for row in rows])
    scores = []
    for label, y in label_targets(rows).items():
        if (labels is not None and label not in labels) or min(y.sum(), len(y) - y.sum()) < folds:
            continue
        cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
        predicted = cross_val_predict(_audit_model(model), features, y, cv=cv, method="predict_proba")[:, 1]
        weights = _audit_model("logistic").fit(features, y)[-1].coef_[0]
        leading = tuple(
            f"{FEATURE_NAMES[i]} {'+' if weights[i] > 0 else '-'}" for i in np.argsort(-abs(weights))[:3]
        )
        scores.append(ShortcutScore(label, int(y.sum()), float(roc_auc_score(y, predicted)), leading))
    return scores


def shortcuts_over_limit(
    scores: Sequence[ShortcutScore], limit: float = SHORTCUT_AUC_LIMIT, labels: Sequence[str] = AUDITED_LABELS
) -> list[ShortcutScore]:
    """The audited labels whose surface-feature ROC AUC is above `limit`."""
    return [score for score in scores if score.label in labels and score.roc_auc > limit]
