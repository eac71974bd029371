"""lexicon: the voikko backend's readings of frequent Finnish word forms, precompiled.

Pure Python and fast: a shipped SQLite file maps ~half a million word forms to the
readings the `voikko` backend gives them (so the same context rules choose among
them); forms Voikko does not know carry simplemma's lemma. Unknown compounds are
lemmatised by their longest known tail (bloggaajabrunssilla -> bloggaaja + brunssi).
Rebuild the file with `python -m palauteluokitin.text.lemmatizers.lexicon_build`.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

from palauteluokitin.text.lemmatizers.lexicon_file import LEXICON_PATH, LexiconFile, Reading, open_lexicon
from palauteluokitin.text.lemmatizers.readings import ReadingLemmatizer

MIN_STEM = 3


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
