"""Stream CoNLL-U: keep the gold tokenisation, fill the LEMMA column, change nothing else."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import TextIO

from palauteluokitin.errors import InputFormatError

COLUMNS = 10
ID, FORM, LEMMA = 0, 1, 2


class Sentence:
    """The lines of one sentence; `word_rows` are its syntactic words (integer ids)."""

    __slots__ = ("lines", "word_rows")

    def __init__(self) -> None:
        self.lines: list[str | list[str]] = []
        self.word_rows: list[list[str]] = []

    @property
    def forms(self) -> list[str]:
        return [row[FORM] for row in self.word_rows]

    def set_lemmas(self, lemmas: Sequence[str]) -> None:
        for row, lemma in zip(self.word_rows, lemmas, strict=True):
            row[LEMMA] = lemma

    def write(self, out: TextIO) -> None:
        for line in self.lines:
            out.write(line if isinstance(line, str) else "\t".join(line) + "\n")


def read_sentences(lines: Iterable[str], source: str = "<input>") -> Iterator[Sentence]:
    """Sentences of a CoNLL-U stream. Comments, multiword and empty-node lines pass through."""
    sentence = Sentence()
    number = 0
    for number, raw in enumerate(lines, start=1):
        line = raw if raw.endswith("\n") else raw + "\n"
        stripped = line.rstrip("\r\n")
        if not stripped.strip():
            sentence.lines.append(line)
            yield sentence
            sentence = Sentence()
            continue
        if stripped.startswith("#"):
            sentence.lines.append(line)
            continue
        row = stripped.split("\t")
        if len(row) != COLUMNS:
            raise InputFormatError(
                f"{source}, line {number}: expected {COLUMNS} tab-separated CoNLL-U columns, "
                f"found {len(row)}. Is this a CoNLL-U file? For plain text use --format text."
            )
        sentence.lines.append(row)
        token_id = row[ID]
        if token_id.isdigit():
            sentence.word_rows.append(row)
        elif not ("-" in token_id or "." in token_id):
            raise InputFormatError(f"{source}, line {number}: bad token id {token_id!r}.")
    if sentence.lines:
        yield sentence


def lemmatize_conllu(
    lines: Iterable[str],
    out: TextIO,
    lemmatize_sentences: Callable[[Iterable[Sequence[str]]], Iterable[list[str]]],
    source: str = "<input>",
    chunk_size: int = 512,
) -> int:
    """Write `lines` to `out` with every word's LEMMA filled; return the number of words."""
    sentences = read_sentences(lines, source)
    words = 0
    while chunk := list(islice(sentences, chunk_size)):
        with_words = [sentence for sentence in chunk if sentence.word_rows]
        lemma_lists = lemmatize_sentences([sentence.forms for sentence in with_words])
        for sentence, lemmas in zip(with_words, lemma_lists, strict=True):
            sentence.set_lemmas(lemmas)
            words += len(lemmas)
        for sentence in chunk:
            sentence.write(out)
    return words
