"""lexicon: the voikko backend's readings of frequent Finnish word forms, precompiled.

Pure Python and fast: a shipped SQLite file maps ~half a million word forms to the
readings the `voikko` backend gives them (so the same context rules choose among
them); forms Voikko does not know carry simplemma's lemma. Unknown compounds are
lemmatised by their longest known tail (bloggaajabrunssilla -> bloggaaja + brunssi).
Rebuild the file with `python -m palauteluokitin.lemmatizers.lexicon_build`.
"""

from __future__ import annotations

import re
import sqlite3
from functools import cached_property
from pathlib import Path

from palauteluokitin.errors import BackendUnavailableError
from palauteluokitin.lemmatizers.readings import Reading, ReadingLemmatizer

LEXICON_PATH = Path(__file__).parent / "data" / "fi_lexicon.sqlite"
READING_SEPARATOR, FIELD_SEPARATOR, PART_SEPARATOR = "\x1e", "\x1f", "+"
MIN_TAIL, MIN_HEAD = 4, 3
RULE_MAX_SUFFIX = 7
TAIL_CLASSES = frozenset({"nimisana", "laatusana", "nimisana_laatusana", "teonsana"})


def encode_readings(readings: tuple[Reading, ...]) -> str:
    return READING_SEPARATOR.join(
        FIELD_SEPARATOR.join(
            (r.lemma, r.word_class, f"{r.score:g}", "1" if r.connegative else "", PART_SEPARATOR.join(r.compound_parts))
        )
        for r in readings
    )


def decode_readings(text: str) -> tuple[Reading, ...]:
    readings = []
    for chunk in text.split(READING_SEPARATOR):
        lemma, word_class, score, connegative, parts = chunk.split(FIELD_SEPARATOR)
        readings.append(
            Reading(lemma, word_class, float(score), connegative == "1", tuple(filter(None, parts.split(PART_SEPARATOR))))
        )
    return tuple(readings)


class LexiconLemmatizer(ReadingLemmatizer):
    name = "lexicon"

    def __init__(self, path: str | None = None) -> None:
        super().__init__()
        self.path = path

    @cached_property
    def _db(self) -> sqlite3.Connection:
        path = Path(self.path) if self.path else LEXICON_PATH
        if not path.is_file():
            raise BackendUnavailableError(
                f"The lexicon {path} is missing. Build it with "
                "'python -m palauteluokitin.lemmatizers.lexicon_build' (needs libvoikko)."
            )
        return sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)

    def check_available(self) -> None:
        self._db  # noqa: B018 - opening is the check

    def _lookup(self, word: str) -> tuple[Reading, ...]:
        row = self._db.execute("SELECT readings FROM lexicon WHERE form = ?", (word,)).fetchone()
        return decode_readings(row[0]) if row else ()

    def _analyse(self, word: str) -> tuple[Reading, ...]:
        """Readings of a listed form, or of the form without its clitic and possessive."""
        found = self._lookup(word)
        if found:
            return found
        for base in without_clitics_and_possessives(word):
            found = self._lookup(base)
            if found:
                return found
        return ()

    def _guess(self, word: str, may_be_name: bool) -> tuple[Reading, ...]:
        """A hyphenated word or an unknown compound takes the readings of its last part."""
        head, sep, tail = word.rpartition("-")
        if sep and head and tail:
            return _prefixed(head + sep, self.readings(tail), hyphenated=True)
        head, sep, _ = word.partition(":")  # EU:n, x:n: an abbreviation with a case ending
        if sep and head:
            return (Reading(head, "lyhenne", 0.0),)
        if not word.isalpha():
            return ()
        for start in range(MIN_HEAD, len(word) - MIN_TAIL + 1):
            tail_readings = [r for r in self._analyse(word[start:]) if r.word_class in TAIL_CLASSES]
            if tail_readings:
                return _prefixed(word[:start], tuple(tail_readings))
        return self._suffix_rule(word)

    def _suffix_rule(self, word: str) -> tuple[Reading, ...]:
        """The lemma rewrite of the longest listed ending: häkkisen -> häkkinen."""
        for length in range(min(RULE_MAX_SUFFIX, len(word) - 2), 0, -1):
            row = self._db.execute(
                "SELECT strip, append, word_class FROM suffix_rules WHERE suffix = ?", (word[-length:],)
            ).fetchone()
            if row:
                strip, append, word_class = row
                return (Reading(word[: len(word) - strip] + append, word_class, 0.0),)
        return ()


CLITICS = ("kaan", "kään", "kin", "han", "hän", "pa", "pä", "ko", "kö", "s")
POSSESSIVES = ("nsa", "nsä", "mme", "nne", "ni", "si")
_THIRD_PERSON = re.compile(r"([aeiouyäö])\1n$")  # kädessään, maultaan: vowel lengthened + n


def without_clitics_and_possessives(word: str):
    """The word with a clitic, a possessive suffix or both taken off: serkulleni -> serkulle."""
    bases = [word]
    for clitic in CLITICS:
        if word.endswith(clitic) and len(word) - len(clitic) >= MIN_HEAD:
            bases.append(word[: -len(clitic)])
            break
    for base in list(bases):
        for possessive in POSSESSIVES:
            if base.endswith(possessive) and len(base) - len(possessive) >= MIN_HEAD:
                stem = base[: -len(possessive)]
                bases.append(stem)
                if stem.endswith("kse"):  # translative: seurakseni -> seuraksi
                    bases.append(stem[:-1] + "i")
                else:  # genitive and illative lose their n: parhaanne -> parhaan
                    bases.append(stem + "n")
        if _THIRD_PERSON.search(base) and len(base) > MIN_HEAD + 2:
            bases.append(base[:-2])
    return bases[1:]


def _prefixed(head: str, readings: tuple[Reading, ...], hyphenated: bool = False) -> tuple[Reading, ...]:
    """Readings of a compound's last part with the head put in front of each lemma."""
    joined = []
    for r in readings:
        lemma = r.lemma.lower()
        parts = r.compound_parts or (lemma,)
        head_part = head.rstrip("-")
        joined.append(Reading(head + lemma, r.word_class, r.score, r.connegative, (head_part, *parts)))
    return tuple(joined)
