"""Lemmatise streams of plain text or CoNLL-U with any backend."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from palauteluokitin.text.conllu import lemmatize_conllu
from palauteluokitin.text.lemmatizers import Lemmatizer
from palauteluokitin.text.tokenize import tokenize

# A words/s figure is printed only from at least this much work: from a few words it says
# more about the clock and the first calls than about the backend's speed.
MIN_RATE_SECONDS = 0.5
MIN_RATE_WORDS = 1_000


def timing(words: int, seconds: float) -> str:
    """`words` lemmatised in `seconds`, with the rate when there was enough work to measure one."""
    took = f"{seconds:.2f} s" if seconds >= 0.1 else f"{seconds * 1000:.1f} ms"
    line = f"{words:,} word{'' if words == 1 else 's'} in {took}"
    if seconds >= MIN_RATE_SECONDS and words >= MIN_RATE_WORDS:
        line += f" ({words / seconds:,.0f} words/s)"
    return line


def lemmatize_text(text: str, lemmatizer: Lemmatizer) -> list[str]:
    """Lemmas of the tokens of one text, tokenised by spaCy's Finnish tokenizer."""
    return lemmatizer.lemmatize_tokens(tokenize(text))


def lemmatize_text_stream(
    lines: Iterable[str], out: TextIO, lemmatizer: Lemmatizer, source: str = "<input>"
) -> int:
    """Write the lemmas of each input line as one space-separated line; return word count."""
    words = 0
    for line in lines:
        lemmas = lemmatize_text(line.rstrip("\r\n"), lemmatizer)
        out.write(" ".join(lemmas) + "\n")
        words += len(lemmas)
    return words


def lemmatize_conllu_stream(
    lines: Iterable[str], out: TextIO, lemmatizer: Lemmatizer, source: str = "<input>"
) -> int:
    """Fill the LEMMA column of a CoNLL-U stream; return the number of words."""
    return lemmatize_conllu(lines, out, lemmatizer.lemmatize_sentences, source=source)
