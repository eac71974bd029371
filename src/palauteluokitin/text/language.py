"""Which language a comment is in: fi, sv, en, or other.

py3langid's shipped model (BSD, no download) ranks 97 languages; the best of the
three we classify wins unless another language is confidently ahead on a text long
enough to judge, because short Finnish comments easily look Estonian or Hungarian.
"""

from __future__ import annotations

import re
from functools import cache

SUPPORTED = ("fi", "sv", "en")
OTHER = "other"
MIN_LETTERS_FOR_OTHER = 25
OTHER_CONFIDENCE = 0.95
SAMPLE_CHARS = 300  # the language of a long comment shows in its opening; time stays bounded
LETTER = re.compile(r"[^\W\d_]")
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

    return LanguageIdentifier.from_modelpath(py3langid.langid.MODEL_DIR / MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str:
    """fi, sv, en or other; texts too short to tell are taken as Finnish."""
    letters = len(LETTER.findall(text[:SAMPLE_CHARS]))
    if letters < 3:
        return "fi"
    words = set(WORD.findall(text[:SAMPLE_CHARS].lower()))
    if len(words & FINNISH_MARKERS) >= 2 and not words & FOREIGN_MARKERS:
        return "fi"  # the common case, decided without the n-gram model
    ranked = _identifier().rank(text[:SAMPLE_CHARS])
    best, confidence = ranked[0]
    if best not in SUPPORTED and letters >= MIN_LETTERS_FOR_OTHER and confidence >= OTHER_CONFIDENCE:
        return OTHER
    return next(language for language, _ in ranked if language in SUPPORTED)
