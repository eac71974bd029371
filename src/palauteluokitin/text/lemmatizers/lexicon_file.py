"""The shipped lexicon file and what it stores: each word form's readings (`Reading`),
lemma rewrite rules for word endings, and lemma frequencies. Read-only SQLite."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from palauteluokitin.errors import BackendUnavailableError

LEXICON_PATH = Path(__file__).parent / "data" / "fi_lexicon.sqlite"
READING_SEPARATOR, FIELD_SEPARATOR, PART_SEPARATOR = "\x1e", "\x1f", "+"
RULE_MAX_SUFFIX = 7


@dataclass(frozen=True, slots=True)
class Reading:
    """One analysis of a word, with its UD-style lemma and an out-of-context score."""

    lemma: str
    word_class: str
    score: float
    connegative: bool = False
    compound_parts: tuple[str, ...] = ()


def encode_readings(readings: tuple[Reading, ...]) -> str:
    return READING_SEPARATOR.join(
        FIELD_SEPARATOR.join(
            (
                r.lemma,
                r.word_class,
                f"{r.score:g}",
                "1" if r.connegative else "",
                PART_SEPARATOR.join(r.compound_parts),
            )
        )
        for r in readings
    )


def decode_readings(text: str) -> tuple[Reading, ...]:
    readings = []
    for chunk in text.split(READING_SEPARATOR):
        lemma, word_class, score, connegative, parts = chunk.split(FIELD_SEPARATOR)
        readings.append(
            Reading(
                lemma,
                word_class,
                float(score),
                connegative == "1",
                tuple(filter(None, parts.split(PART_SEPARATOR))),
            )
        )
    return tuple(readings)


class LexiconFile:
    """The lexicon SQLite file: word forms' readings, ending rules, lemma frequencies."""

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise BackendUnavailableError(
                f"The lexicon {path} is missing. Build it with "
                "'python -m palauteluokitin.text.lemmatizers.lexicon_build' (needs libvoikko)."
            )
        self.path = path
        self._db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)

    def readings(self, form: str) -> tuple[Reading, ...]:
        row = self._db.execute("SELECT readings FROM lexicon WHERE form = ?", (form,)).fetchone()
        return decode_readings(row[0]) if row else ()

    def suffix_rule(self, word: str, min_strip: int = 0) -> tuple[Reading, ...]:
        """The lemma rewrite of the word's longest listed ending: häkkisen -> häkkinen.
        A rewrite stripping fewer than `min_strip` characters is not used."""
        for length in range(min(RULE_MAX_SUFFIX, len(word) - 2), 0, -1):
            row = self._db.execute(
                "SELECT strip, append, word_class FROM suffix_rules WHERE suffix = ?", (word[-length:],)
            ).fetchone()
            if row:
                strip, append, word_class = row
                if strip < min_strip:
                    return ()
                return (Reading(word[: len(word) - strip] + append, word_class, 0.0),)
        return ()

    def readings_of_class_ending(self, ending: str) -> Iterator[tuple[Reading, ...]]:
        """The readings of every form with a reading whose word class ends in `ending`
        ("nimi": first names, surnames, place names)."""
        query = "SELECT readings FROM lexicon WHERE readings LIKE '%' || ? || ? || '%'"
        for (encoded,) in self._db.execute(query, (ending, FIELD_SEPARATOR)):
            yield decode_readings(encoded)

    def lemma_log_frequencies(self) -> dict[str, float]:
        return dict(self._db.execute("SELECT lemma, log_frequency FROM lemma_frequency"))


@lru_cache(maxsize=4)
def open_lexicon(path: Path = LEXICON_PATH) -> LexiconFile:
    return LexiconFile(path)
