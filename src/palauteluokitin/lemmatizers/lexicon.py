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
from functools import cached_property, lru_cache
from pathlib import Path

from palauteluokitin.errors import BackendUnavailableError
from palauteluokitin.lemmatizers.readings import Reading, ReadingLemmatizer

LEXICON_PATH = Path(__file__).parent / "data" / "fi_lexicon.sqlite"
READING_SEPARATOR, FIELD_SEPARATOR, PART_SEPARATOR = "\x1e", "\x1f", "+"
RULE_MAX_SUFFIX = 7
MIN_STEM = 3


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
                "'python -m palauteluokitin.lemmatizers.lexicon_build' (needs libvoikko)."
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

    def lemma_log_frequencies(self) -> dict[str, float]:
        return dict(self._db.execute("SELECT lemma, log_frequency FROM lemma_frequency"))


@lru_cache(maxsize=4)
def open_lexicon(path: Path = LEXICON_PATH) -> LexiconFile:
    return LexiconFile(path)


class LexiconLemmatizer(ReadingLemmatizer):
    name = "lexicon"

    def __init__(self, path: str | None = None) -> None:
        super().__init__()
        self.path = path

    @cached_property
    def _lexicon(self) -> LexiconFile:
        return open_lexicon(Path(self.path) if self.path else LEXICON_PATH)

    def check_available(self) -> None:
        self._lexicon  # noqa: B018 - opening is the check

    def _analyse(self, word: str) -> tuple[Reading, ...]:
        """Readings of a listed form, or of the form without its clitic and possessive."""
        for form in (word, *without_clitics_and_possessives(word)):
            found = self._lexicon.readings(form)
            if found:
                return found
        return ()

    def _guess(self, word: str, may_be_name: bool) -> tuple[Reading, ...]:
        return self._guess_unknown(word, may_be_name)


CLITICS = ("kaan", "kään", "kin", "han", "hän", "pa", "pä", "ko", "kö", "s")
POSSESSIVES = ("nsa", "nsä", "mme", "nne", "ni", "si")
THIRD_PERSON = r"([aeiouyäö])\1n"  # kädessään, maultaan: vowel lengthened + n
_THIRD_PERSON = re.compile(THIRD_PERSON + "$")
_STRIPPABLE = re.compile("(?:" + "|".join((*CLITICS, *POSSESSIVES, THIRD_PERSON)) + ")$")


def without_clitics_and_possessives(word: str):
    """The word with a clitic, a possessive suffix or both taken off: serkulleni -> serkulle."""
    if not _STRIPPABLE.search(word):
        return []
    bases = [word]
    for clitic in CLITICS:
        if word.endswith(clitic) and len(word) - len(clitic) >= MIN_STEM:
            bases.append(word[: -len(clitic)])
            break
    for base in list(bases):
        for possessive in POSSESSIVES:
            if base.endswith(possessive) and len(base) - len(possessive) >= MIN_STEM:
                stem = base[: -len(possessive)]
                bases.append(stem)
                if stem.endswith("kse"):  # translative: seurakseni -> seuraksi
                    bases.append(stem[:-1] + "i")
                else:  # genitive and illative lose their n: parhaanne -> parhaan
                    bases.append(stem + "n")
        if _THIRD_PERSON.search(base) and len(base) > MIN_STEM + 2:
            bases.append(base[:-2])
    return bases[1:]
