"""Spelling variants for feedback as people type it: spoken forms, lost umlauts, typos.

A backend asks `spelling_variants(word)` for the standard spellings to try, in order,
and takes the first one its dictionary knows. Nothing here needs a dictionary.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

# Spoken Finnish forms whose standard spelling is not reachable by a regular rule.
SPOKEN_FORMS: dict[str, str] = {
    # personal pronouns
    "mä": "minä",
    "mää": "minä",
    "mie": "minä",
    "sä": "sinä",
    "sää": "sinä",
    "sie": "sinä",
    "mun": "minun",
    "sun": "sinun",
    "mulla": "minulla",
    "sulla": "sinulla",
    "mulle": "minulle",
    "sulle": "sinulle",
    "multa": "minulta",
    "sulta": "sinulta",
    "mua": "minua",
    "sua": "sinua",
    "muakin": "minuakin",
    "mut": "mutta",
    "mussa": "minussa",
    "sussa": "sinussa",
    "musta": "minusta",
    "susta": "sinusta",
    "meiän": "meidän",
    "teiän": "teidän",
    "heiän": "heidän",
    "hää": "hän",
    "hänt": "häntä",
    # demonstratives
    "tää": "tämä",
    "toi": "tuo",
    "nää": "nämä",
    "noi": "nuo",
    "tän": "tämän",
    "ton": "tuon",
    "tost": "tosta",
    "täst": "tästä",
    "siit": "siitä",
    "siel": "siellä",
    "tääl": "täällä",
    "tossa": "tuossa",
    "tosta": "tuosta",
    "tohon": "tuohon",
    "niinku": "niinkuin",
    # olla and other frequent verbs
    "oon": "olen",
    "oot": "olet",
    "oo": "ole",
    "ollaa": "ollaan",
    "ollu": "ollut",
    "olis": "olisi",
    "ois": "olisi",
    "oisin": "olisin",
    "tuu": "tule",
    "tuun": "tulen",
    "tuut": "tulet",
    "meen": "menen",
    "meet": "menet",
    "mee": "mene",
    "paa": "pane",
    "tiiä": "tiedä",
    "tiiän": "tiedän",
    "tiiätkö": "tiedätkö",
    "voiks": "voiko",
    "pitäis": "pitäisi",
    "vois": "voisi",
    "sais": "saisi",
    "tarttis": "tarvitsisi",
    "tarttee": "tarvitsee",
    "kattoo": "katsoo",
    "kattoi": "katsoi",
    "kattomaan": "katsomaan",
    "kato": "katso",
    "sano": "sanoi",
    "kysy": "kysyi",
    # particles and adverbs
    "ku": "kun",
    "kans": "kanssa",
    "sit": "sitten",
    "sitte": "sitten",
    "nii": "niin",
    "vaa": "vain",
    "mitää": "mitään",
    "mikää": "mikään",
    "kukaa": "kukaan",
    "ees": "edes",
    "kauheen": "kauhean",
    "hirveen": "hirveän",
    "kiitti": "kiitos",
    "miks": "miksi",
    "mites": "miten",
    "mihi": "mihin",
    "siihe": "siihen",
    "tähä": "tähän",
    "missää": "missään",
    "kyl": "kyllä",
    "takas": "takaisin",
    "takasin": "takaisin",
    "ett": "että",
    "ni": "niin",
}

# Spoken endings and clitics with a regular standard spelling: (pattern, replacement).
SPOKEN_ENDINGS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"(.{2,}[lnrs])(u|y)$", r"\1\2t"),  # ollu, jaksanu, tullu, menny -> ollut ...
        (r"(.{2,})ks$", r"\1ko"),  # onks, voisiks -> onko, voisiko
        (r"(.{2,})kaa$", r"\1kaan"),  # kukaa -> kukaan
        (r"(.{2,})kää$", r"\1kään"),
        (r"(.{2,})is$", r"\1isi"),  # olis, menis -> olisi, menisi
        (r"(.{2,})st$", r"\1sta"),  # täst, siit -> tästä (umlaut fixed later)
        (r"(.{2,}[aeiouyäö])$", r"\1n"),  # lost final n: mihi, siihe, tähä
        (r"(.{2,})ee$", r"\1ea"),  # hirvee -> hirveä (umlaut fixed later)
    )
)

_REPEATS = re.compile(r"(.)\1{2,}")
_FRONT = set("äöy")
_BACK = set("aou")
_UMLAUT_PAIRS = {"a": "ä", "o": "ö"}
_MAX_UMLAUT_SLOTS = 6
MAX_VARIANT_LENGTH = 40  # Finnish words this long are compounds, not spoken forms


def squeeze_repeats(word: str) -> Iterator[str]:
    """Forms with runs of three or more equal letters cut to two, then to one."""
    if not _REPEATS.search(word):
        return
    yield _REPEATS.sub(r"\1\1", word)
    yield _REPEATS.sub(r"\1", word)


def restore_umlauts(word: str) -> Iterator[str]:
    """Forms with a→ä and o→ö put back, for text typed on keyboards without them.

    Forms obeying vowel harmony come first: "kaynti" gives "käynti" before "kaynti".
    """
    if "ä" in word or "ö" in word:  # typed on a keyboard that has umlauts
        return
    slots = [i for i, char in enumerate(word) if char in _UMLAUT_PAIRS]
    if not slots or len(slots) > _MAX_UMLAUT_SLOTS:
        return
    variants = []
    for choice in itertools.product((False, True), repeat=len(slots)):
        if not any(choice):
            continue
        chars = list(word)
        for slot, swap in zip(slots, choice, strict=True):
            if swap:
                chars[slot] = _UMLAUT_PAIRS[chars[slot]]
        variant = "".join(chars)
        letters = set(variant)
        harmonic = not (letters & _FRONT and letters & _BACK)
        variants.append((not harmonic, -sum(choice), variant))
    for _, _, variant in sorted(variants):
        yield variant


def spelling_variants(word: str) -> Iterator[str]:
    """Standard spellings to try for a lower-cased word, most likely first (not the word)."""
    if len(word) > MAX_VARIANT_LENGTH:
        return
    seen = {word: None}  # a dict, not a set: the order of variants must not depend on hashing

    def fresh(candidates):
        for candidate in candidates:
            if candidate not in seen:
                seen[candidate] = None
                yield candidate

    spoken = SPOKEN_FORMS.get(word)
    if spoken and " " not in spoken:
        yield from fresh([spoken])
    squeezed = list(squeeze_repeats(word))
    yield from fresh(squeezed)
    bases = [word, *squeezed]
    for base in bases:
        yield from fresh(
            pattern.sub(replacement, base) for pattern, replacement in SPOKEN_ENDINGS if pattern.search(base)
        )
    for base in list(seen):
        yield from fresh(restore_umlauts(base))
