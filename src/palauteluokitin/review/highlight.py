"""Mark the words that raised a flag in a comment, safely escaped for HTML.

A reason is found at a word start as written (case-insensitive, any whitespace between
its words) and marked to the end of the word it ends in (*tyly* marks *tylysti*); a
one-word reason not found so is matched by its stem, so an inflected form in the text
(*nöyryyttävää* for the reason *nöyryyttää*) is still marked.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

MIN_STEM = 4


def _pattern(reason: str) -> re.Pattern:
    words = [re.escape(word) for word in reason.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"\w*", re.IGNORECASE)


def _stem_pattern(reason: str) -> re.Pattern | None:
    if " " in reason or len(reason) < MIN_STEM + 1:
        return None
    stem = reason[: max(MIN_STEM, len(reason) - 3)]
    return re.compile(rf"(?<!\w){re.escape(stem)}\w*", re.IGNORECASE)


def reason_spans(text: str, reasons: list[str]) -> list[tuple[int, int]]:
    """Merged, sorted (start, end) spans of the reasons in the text."""
    spans = []
    for reason in filter(None, (reason.strip() for reason in reasons)):
        found = [match.span() for match in _pattern(reason).finditer(text)]
        if not found and (stem := _stem_pattern(reason)):
            found = [match.span() for match in stem.finditer(text)]
        spans.extend(span for span in found if span[1] > span[0])
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, reasons: list[str]) -> Markup:
    """The text, HTML-escaped, with each reason wrapped in <mark>."""
    parts, position = [], 0
    for start, end in reason_spans(text, reasons):
        parts.append(escape(text[position:start]))
        parts.append(Markup("<mark>") + escape(text[start:end]) + Markup("</mark>"))
        position = end
    parts.append(escape(text[position:]))
    return Markup("").join(parts)
