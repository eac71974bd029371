"""Voikko: the voikko-fi morphological dictionary through the native libvoikko library.

Voikko returns every analysis of a word out of context. This backend turns each
analysis into a Universal Dependencies style lemma (participles to the verb, -sti
adverbs kept, plural personal pronouns to the singular) and picks one with
cheap rules: a prior per analysis and a few context rules over neighbouring words.
"""

from __future__ import annotations

import ctypes.util
import re
from functools import cached_property

from palauteluokitin.errors import BackendUnavailableError
from palauteluokitin.text.lemmatizers.lexicon_file import Reading
from palauteluokitin.text.lemmatizers.readings import IMPERATIVE_PENALTY, ReadingLemmatizer

VOIKKO_INSTALL_HINT = (
    "The 'voikko' backend needs the native libvoikko library and the Finnish dictionary: "
    "on Debian/Ubuntu run 'apt-get install libvoikko1 voikko-fi', then try again. "
    "Backends that need no system packages: 'lexicon' (the default) and 'simplemma'."
)

# UD (TDT) lemmatises plural personal pronouns to the singular.
PRONOUN_LEMMAS = {"me": "minä", "te": "sinä", "he": "hän", "ne": "se", "nämä": "tämä", "nuo": "tuo"}

# Adverbs and adpositions that are also inflected forms of another word; UD keeps
# them as their own lemma when they are used as adverbs or adpositions.
LEXICALISED_ADVERBS = frozenset(
    """paljon esimerkiksi lopulta lisää lisäksi usein tosin jopa miksi sinne siksi
    samalla kerran kaikkein sijaan takaisin välillä suhteen ohella alle sisään kotona
    esille täynnä täysin kokonaan varmaan mennessä näin noin ainakin varsinkin kovin
    puolesta vastaan kanssa jälkeen lähellä kautta ilman mukaan yhdessä
    heti silloin tällöin joskus aina yhtä vähän hyvin liian vielä enää myöhemmin
    aiemmin aikaisemmin edelleen jälleen kuitenkin lähes melkein ensin viimein
    paikalla paikalle poikki ympäri alas ylös ulos pois eteen taakse mukana mukaan
    vuoksi takia jäljessä sisällä ulkona edessä takana päällä alla yllä luona
    todella tänne sinne tuonne täältä sieltä tuolta edellä nykyisin totta myöhässä
    ajoissa ajallaan kesken""".split()
)

# Lemmas that win ties: the most frequent words of Finnish text.
FREQUENT_LEMMAS = frozenset(
    "olla ei se tämä tuo joka mikä kuka hän minä sinä tulla saada voida tehdä mennä "
    "pitää sanoa antaa ottaa käydä nähdä kertoa alkaa jäädä vuosi kerta aika muu "
    "oma uusi hyvä paljon jokin joku kaikki moni asia työ päivä ihminen lapsi "
    "hoitaja lääkäri hoito aika kun niin vain myös jo sitten nyt".split()
)

# Word classes whose forms are uninflected: the surface form is the lemma.
UNINFLECTED = frozenset({"seikkasana", "suhdesana", "sidesana", "huudahdussana"})

CLASS_PRIOR = {
    "asemosana": 3.0,
    "kieltosana": 3.0,
    "teonsana": 1.5,
    "sidesana": 2.0,
    "suhdesana": 1.8,
    "seikkasana": 1.8,
    "huudahdussana": 1.0,
    "nimisana": 1.0,
    "laatusana": 1.0,
    "nimisana_laatusana": 1.0,
    "lukusana": 1.0,
    "etunimi": 0.2,
    "sukunimi": 0.2,
    "paikannimi": 0.4,
    "nimi": 0.2,
    "lyhenne": 0.0,
    "etuliite": -1.0,
}
RARE_CASE_PENALTY = {"keinonto": 1.5, "vajanto": 1.0, "seuranto": 1.0, "kohdanto": 1.0}
RARE_MOOD_PENALTY = {"potential": 1.5, "MAINEN-infinitive": 1.0, "imperative": IMPERATIVE_PENALTY}
COMPOUND_PART_PENALTY = 1.2
POSSESSIVE_PENALTY = 1.0
MAX_TYPO_LENGTH = 40
# Participles lemmatise to their verb (tehty -> tehdä, koskeva -> koskea) unless derived
# further (tyytyväinen) or negative (tekemätön), which UD keeps as adjectives.
VERB_PARTICIPLES = frozenset({"present_active", "present_passive", "past_active", "past_passive", "agent"})
PARTICIPLE_ENDINGS = ("va", "vä", "ut", "yt", "tu", "ty", "ma", "mä")
ADVERB_SCORE = 7.0

_VERB_BASE = re.compile(r"\[Lt\](?:\[I[^\]]*\])*\[Xp\]([^\[]+)\[X\]")
_WORDBASE = re.compile(r"\+([^+(]*)\(([^)]*)\)")
_CLITICS = re.compile(r"(kin|kaan|kään|han|hän|pa|pä|ko|kö|s)$")


# Words that Voikko reads only as a form of another word: spoken "et" is also "että",
# "sillä" is also the conjunction "because" (chosen by context in readings.py).
HOMOGRAPHS = {"et": Reading("että", "sidesana", 0.0), "sillä": Reading("sillä", "sidesana", 0.0)}


def require_native_libvoikko(hint: str) -> None:
    """Raise BackendUnavailableError(hint) unless the native libvoikko loads. Checked
    before any libvoikko.Voikko is made: its constructor leaves a broken object behind
    when the library is missing."""
    name = ctypes.util.find_library("voikko")
    try:
        ctypes.CDLL(name or "libvoikko.so.1")
    except OSError as error:
        raise BackendUnavailableError(f"{hint} ({error})") from error


def reading_from_analysis(
    word: str, analysis: dict[str, str], lexical: frozenset[str] = frozenset()
) -> Reading:
    """UD-style lemma and prior score of one libvoikko analysis of `word`. `lexical` holds
    base forms that are words of their own (elämä), which stay as they are."""
    word_class = analysis.get("CLASS", "")
    fst = analysis.get("FSTOUTPUT", "")
    lemma = analysis.get("BASEFORM", word)
    if analysis.get("SIJAMUOTO") == "kerrontosti":
        lemma = _strip_clitic(word, analysis)
    elif (
        analysis.get("PARTICIPLE") in VERB_PARTICIPLES
        and lemma.endswith(PARTICIPLE_ENDINGS)
        and fst.startswith("[Lt]")
        and "[Bc]" not in fst
        and lemma not in lexical
    ):
        verb = _VERB_BASE.match(fst)
        if verb:
            lemma = verb.group(1)
    elif analysis.get("MOOD") == "MINEN-infinitive":
        stem = max(word.rfind("mis"), word.rfind("min"))
        if stem > 0:
            lemma = word[:stem] + "minen"
    if word_class == "asemosana":
        lemma = PRONOUN_LEMMAS.get(lemma, lemma)
    parts = fst.count("[Bc]")
    score = CLASS_PRIOR.get(word_class, 0.0)
    score -= RARE_CASE_PENALTY.get(analysis.get("SIJAMUOTO", ""), 0.0)
    if word_class == "asemosana" and analysis.get("SIJAMUOTO") == "olento":
        score -= 2.0  # "sinä" is the pronoun, hardly ever the essive of "se"
    score -= RARE_MOOD_PENALTY.get(analysis.get("MOOD", ""), 0.0)
    if analysis.get("POSSESSIVE"):  # tilanne is a noun, not tila + your
        score -= POSSESSIVE_PENALTY
    score -= COMPOUND_PART_PENALTY * parts
    if lemma.lower() in FREQUENT_LEMMAS:
        score += 1.0
    if word_class in UNINFLECTED and lemma.lower() == word:
        score += 0.5
    # The connegative (en tiedä) has the form of the 2nd person singular imperative.
    connegative = analysis.get("MOOD") == "imperative" and analysis.get("PERSON") == "2"
    return Reading(
        lemma=lemma,
        word_class=word_class,
        score=score,
        connegative=connegative,
        compound_parts=tuple(_compound_parts(analysis)),
    )


def _strip_clitic(word: str, analysis: dict[str, str]) -> str:
    if analysis.get("FOCUS") or analysis.get("KYSYMYSLIITE"):
        return _CLITICS.sub("", word)
    return word


def _compound_parts(analysis: dict[str, str]) -> list[str]:
    """Lexical parts of a compound: terveyskeskuslääkäri -> terveys, keskus, lääkäri."""
    if "[Bc]" not in analysis.get("FSTOUTPUT", ""):
        return []
    parts: list[str] = []
    surface = ""
    for part_surface, base in _WORDBASE.findall(analysis.get("WORDBASES", "")):
        if base.startswith("+") and parts:  # a derivational suffix: terve + ys -> terveys
            surface += part_surface
            parts[-1] = surface
        else:
            surface = part_surface
            parts.append(base)
    return parts


class VoikkoLemmatizer(ReadingLemmatizer):
    """Voikko analyses disambiguated by priors and context rules."""

    name = "voikko"

    @cached_property
    def _voikko(self):
        require_native_libvoikko(VOIKKO_INSTALL_HINT)
        import libvoikko

        try:
            return libvoikko.Voikko("fi")
        except (OSError, libvoikko.VoikkoException) as error:
            raise BackendUnavailableError(f"{VOIKKO_INSTALL_HINT} ({error})") from error

    def check_available(self) -> None:
        """Raise BackendUnavailableError unless the library and dictionary load."""
        self._voikko  # noqa: B018 - loading is the check

    def _analyse(self, word: str) -> tuple[Reading, ...]:
        analyses = self._voikko.analyze(word)
        lexical = frozenset(a.get("BASEFORM", "") for a in analyses if not a.get("PARTICIPLE"))
        readings = {}
        for analysis in analyses:
            reading = reading_from_analysis(word, analysis, lexical)
            best = readings.get(reading.lemma.lower())
            if best is None or reading.score > best.score:
                readings[reading.lemma.lower()] = reading
        homograph = HOMOGRAPHS.get(word)
        if homograph:
            readings.setdefault(homograph.lemma, homograph)
        if word in LEXICALISED_ADVERBS and analyses:
            readings[word] = Reading(word, "seikkasana", ADVERB_SCORE)
        return tuple(sorted(readings.values(), key=lambda r: -r.score))

    def _guess(self, word: str, may_be_name: bool) -> tuple[Reading, ...]:
        """A typo one edit from a word Voikko's speller suggests, else a guess from parts."""
        if not may_be_name and 5 <= len(word) <= MAX_TYPO_LENGTH and word.isalpha():
            for suggestion in self._voikko.suggest(word)[:3]:
                suggestion = suggestion.lower()
                if suggestion.isalpha() and _one_edit_apart(word, suggestion):
                    return self._analyse(suggestion)
        return self._guess_unknown(word, may_be_name)


def _one_edit_apart(a: str, b: str) -> bool:
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return len(diffs) == 1 or (
            len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]]
        )
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))
