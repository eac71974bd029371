"""Lemmatise streams of plain text or CoNLL-U with any backend."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from palauteluokitin.text.conllu import lemmatize_conllu
from palauteluokitin.text.lemmatizers import Lemmatizer
from palauteluokitin.text.tokenize import tokenize


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
