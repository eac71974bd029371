"""Which language a comment is in: fi, sv, en, or other.

py3langid's shipped model (BSD, no download) ranks 97 languages; the best of the
three we classify wins unless another language is confidently ahead on a text long
enough to judge, because short Finnish comments easily look Estonian or Hungarian.
`detect_languages` gives the same answers for a batch: py3langid walks its byte automaton
one byte at a time in Python, here every text of the batch takes each step together.
"""

from __future__ import annotations

import lzma
import math
import os
import re
import shutil
import tempfile
from collections import Counter
from functools import cache
from importlib.metadata import version
from pathlib import Path

import numpy as np

SUPPORTED = ("fi", "sv", "en")
OTHER = "other"
MIN_LETTERS_FOR_OTHER = 25
OTHER_CONFIDENCE = 0.95
SAMPLE_CHARS = 300  # the language of a long comment shows in its opening; time stays bounded
NOT_LETTER = re.compile(r"[\W\d_]+")
WORD = re.compile(r"[^\W\d_]+")
# Words frequent in Finnish feedback and not words of Swedish, English or Estonian.
FINNISH_MARKERS = frozenset(
    "että mutta kun niin myös vain kiitos hyvä hyvin todella erittäin minä minua minulle minulla "
    "mä mulle mulla hoitaja hoitajat lääkäri lääkärin olin olisi ollut olivat oltiin ole ollu "
    "kanssa koska jälkeen aina paljon liian kaikki mitään kukaan eikä sain saanut tuli hoito hoitoa".split()
)
FOREIGN_MARKERS = frozenset(
    "och att det är jag inte med för som var på till the and was were is are not very with my "
    "they this that have had".split()
)


@cache
def _identifier():
    import py3langid
    from py3langid.langid import MODEL_FILE, LanguageIdentifier
    from py3langid.modelio import _to_array

    packed = py3langid.langid.MODEL_DIR / MODEL_FILE
    unpacked = _unpacked_model(packed)
    if unpacked is None:
        return LanguageIdentifier.from_modelpath(packed, norm_probs=True)
    with np.load(unpacked, allow_pickle=False) as data:  # as py3langid's load_model reads it
        return LanguageIdentifier(
            data["ptc"],
            data["pc"],
            data["classes"].tolist(),
            _to_array(data["nextmove"]),
            data["out_feat"].tolist(),
            norm_probs=True,
            tk_row=_to_array(data["nextmove_row"]),
        )


def _unpacked_model(packed: Path) -> Path | None:
    """py3langid's model decompressed once into the user's cache folder (decompressing it
    took 0.4 s at every start); None where that folder cannot be written."""
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "palauteluokitin"
    target = folder / f"py3langid-{version('py3langid')}-{packed.stat().st_size}.npz"
    if target.is_file():
        return target
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with lzma.open(packed) as source, tempfile.NamedTemporaryFile(dir=folder, delete=False) as part:
            shutil.copyfileobj(source, part, 1 << 20)
        os.replace(part.name, target)
    except OSError:
        return None
    return target


def detect_language(text: str) -> str:
    """fi, sv, en or other; texts too short to tell are taken as Finnish."""
    return detect_languages([text])[0]


def detect_languages(texts: list[str]) -> list[str]:
    """`detect_language` of each text."""
    languages: list[str | None] = []
    undecided: list[int] = []
    letters: list[int] = []
    for text in texts:
        sample = text[:SAMPLE_CHARS]
        count = len(NOT_LETTER.sub("", sample))  # the letters, counted without a list of them
        words = set(WORD.findall(sample.lower())) if count >= 3 else set()
        if count < 3 or len(words & FINNISH_MARKERS) >= 2 and not words & FOREIGN_MARKERS:
            languages.append("fi")  # too short to tell, or decided without the n-gram model
        else:
            languages.append(None)
            undecided.append(len(languages) - 1)
            letters.append(count)
    for index, count, (best, confidence, supported) in zip(
        undecided, letters, _best_languages([texts[index][:SAMPLE_CHARS] for index in undecided]), strict=True
    ):
        if best not in SUPPORTED and count >= MIN_LETTERS_FOR_OTHER and confidence >= OTHER_CONFIDENCE:
            languages[index] = OTHER
        else:
            languages[index] = supported
    return languages


@cache
def _model() -> tuple:
    """py3langid's automaton as arrays, and per language label its score column and
    whether it is one we classify."""
    identifier = _identifier()
    labels = list(dict.fromkeys(identifier.nb_classes))
    return (
        np.frombuffer(identifier.tk_nextmove, dtype=identifier.tk_nextmove.typecode),  # a view of 40 MB
        np.asarray(identifier._rowbase, dtype=np.int64),
        np.asarray(identifier.tk_output, dtype=np.int64),
        labels,
        np.array([identifier.nb_classes.index(label) for label in labels]),
        np.array([index for index, label in enumerate(labels) if label in SUPPORTED]),
    )


def _best_languages(samples: list[str]) -> list[tuple[str, float, str]]:
    """Per sample, what py3langid's `rank` puts first (language, probability) and the first
    of the languages we classify, computed by its own scoring from the same feature counts;
    its byte automaton is walked for all samples at once instead of one byte at a time."""
    if not samples:
        return []
    identifier = _identifier()
    nextmove, rowbase, output, labels, label_columns, supported = _model()
    encoded = [identifier._encode(sample) for sample in samples]
    lengths = np.array([len(data) for data in encoded])
    order = np.argsort(-lengths, kind="stable")  # the samples still walking are a prefix
    codes = np.zeros((len(samples), max(int(lengths.max()), 1)), dtype=np.uint8)
    for row, index in enumerate(order):
        codes[row, : lengths[index]] = np.frombuffer(encoded[index], dtype=np.uint8)
    walking = np.searchsorted(-lengths[order], -np.arange(codes.shape[1]), side="left")
    states = np.zeros(len(samples), dtype=np.int64)
    features = np.full(codes.shape, -1, dtype=np.int32)
    for step, alive in enumerate(walking):
        states[:alive] = nextmove[rowbase[states[:alive]] + codes[:alive, step]]
        features[:alive, step] = output[states[:alive]]
    best: list = [None] * len(samples)
    for row, index in enumerate(order):
        found = features[row, : lengths[index]]
        scores = _probabilities(identifier, Counter(found[found >= 0].tolist()), int(lengths[index]))
        merged = scores[label_columns]  # rank's one score per label, in label order
        first = int(merged.argmax())  # rank's sort is stable: the first of equal scores
        best[index] = (labels[first], float(merged[first]), labels[supported[merged[supported].argmax()]])
    return best


def _probabilities(identifier, visits: Counter, n_bytes: int) -> np.ndarray:
    """py3langid's `_decide` (normalised probabilities) from a text's feature counts."""
    if visits:
        scores = identifier._sparse_score(visits, identifier.nb_ptc)
    else:
        scores = np.full(len(identifier.nb_classes), 0.0, dtype=np.float32)
    scores *= 1.0 / math.sqrt(n_bytes or 1)
    np.exp(scores - scores.max(), out=scores)
    scores /= scores.sum()
    for first, duplicate in identifier._alias_pairs:
        scores[first] += scores[duplicate]
        scores[duplicate] = 0.0
    return scores
