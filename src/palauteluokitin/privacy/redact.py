"""Find personal data in Finnish feedback text and replace it with typed placeholders.

    redact("Soitin hoitaja Annalle numeroon 040 123 4567.")
    # 'Soitin hoitaja [NIMI] numeroon [PUHELIN].'

Kinds: HETU (personal identity code), PUHELIN (phone number), EMAIL, TILINUMERO (IBAN),
OSOITE (street address), KAYTTAJA (an @mention: a social-media account) and NIMI (person
name). The default rule-based path is linear in
the length of the text; `ner=True` adds spaCy-fi's named-entity recogniser for names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from palauteluokitin.errors import BackendUnavailableError, RedactionInputError
from palauteluokitin.privacy.names import WORD, find_names, sentence_initial, word_info

KINDS = ("EMAIL", "HETU", "TILINUMERO", "PUHELIN", "OSOITE", "KAYTTAJA", "NIMI")  # on overlap, earlier wins
PLACEHOLDERS = tuple(f"[{kind}]" for kind in KINDS)

NER_PACKAGE = "spacy_fi_experimental_web_md"
NER_NOT_NEEDED = ["tok2vec", "tagger", "morphologizer", "parser", "attribute_ruler", "lemmatizer"]
NER_INSTALL_HINT = (
    "Name recognition with ner=True needs spaCy's Finnish model: run 'uv sync --extra spacy-fi' "
    "(or pip install 'palauteluokitin[spacy-fi]')."
)
NER_CHUNK = 100_000


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: its kind and the character span it occupies."""

    kind: str
    start: int
    end: int


# --- personal identity codes (henkilötunnus) ---------------------------------------------

HETU_CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
HETU_CENTURIES = {"+": 1800, **dict.fromkeys("-YXWVU", 1900), **dict.fromkeys("ABCDEF", 2000)}
# Patterns start with a plain character class and check what precedes after it: re scans
# for such a start quickly, while a leading look-behind is tried at every position.
_HETU = re.compile(r"\d\d\d\d\d\d[-+A-FU-Y]\d\d\d[0-9A-FHJ-NPR-Y]")
# The shape of a code, loosely: spaces around the century sign, any case, check character missing.
_HETU_LOOSE = re.compile(r"\d(?<![\w+-]\d)(\d\d\d\d\d)[ ]?[-+A-FU-Ya-fu-y][ ]?\d\d\d[0-9A-Ya-y]?(?!\w)")
_HETU_KEYWORD = re.compile(
    r"[hHsSpP](?<![^\W\d_].)(?i:etu|enkilötunnu|otu|ersonbeteckning)\w{0,6}[ \t]{0,3}(?:on|:|=)?[ \t]{0,3}"
    r"(\d{6}[^\s,;.]{0,5})(?!\w)"
)


def hetu_is_valid(code: str) -> bool:
    """A Finnish personal identity code with a real date, a known century sign (including
    the signs added in 2023) and the right check character: 131052-308T."""
    if len(code) != 11 or code[6] not in HETU_CENTURIES or not (code[:6] + code[7:10]).isdigit():
        return False
    try:
        date(HETU_CENTURIES[code[6]] + int(code[4:6]), int(code[2:4]), int(code[:2]))
    except ValueError:
        return False
    return HETU_CHECK_CHARACTERS[int(code[:6] + code[7:10]) % 31] == code[10]


def _plausible_date(digits: str) -> bool:
    return 1 <= int(digits[:2]) <= 31 and 1 <= int(digits[2:4]) <= 12


def find_hetus(text: str) -> list[Finding]:
    """Valid codes anywhere; code-shaped strings with a possible date (a typo of a code:
    wrong check character, spaces, lower case, no check character); a code after 'hetu'."""
    found = []
    match = _HETU.search(text)
    while match:  # a valid code may overlap an invalid one: search again from the next digit
        if hetu_is_valid(match.group()):
            found.append(Finding("HETU", *match.span()))
            match = _HETU.search(text, match.end())
        else:
            match = _HETU.search(text, match.start() + 1)
    found += [
        Finding("HETU", *m.span()) for m in _HETU_LOOSE.finditer(text) if _plausible_date(m.group()[:6])
    ]
    found += [Finding("HETU", *m.span(1)) for m in _HETU_KEYWORD.finditer(text)]
    return found


# --- phone numbers ------------------------------------------------------------------------

_PHONE = re.compile(
    r"[+(\d](?<![\w+].)(?:(?<=\+)[ ]?(?:\(\d{1,4}\)[ ]?)?\d|(?<=\()\d{1,4}\)[ ]?\d|(?<=\d))"
    r"(?:[ \-]?(?:\(0\)[ ]?)?\d){3,16}(?!\d)"
)
_PHONE_GROUP = re.compile(r"[ \-]")
_HETU_LIKE = re.compile(r"\d{6}[-+]\d{3}")
# Digits a number may have: with the leading 0 (an area code in brackets allows six: (09) 4711),
# or after the country code's + or 00.
DOMESTIC_DIGITS, BRACKETED_DIGITS, INTERNATIONAL_DIGITS = (7, 11), (6, 11), (8, 15)


def _phone_digits(candidate: str) -> tuple[int, tuple[int, int]]:
    """The number of digits in a phone candidate and the range allowed; (0, ...) for a
    number that cannot be a phone number (no leading 0 or +)."""
    if candidate.startswith(("+", "00")):
        digits = re.sub(r"\(0\)|\D", "", candidate).removeprefix("00")
        return len(digits), INTERNATIONAL_DIGITS
    digits = re.sub(r"\D", "", candidate)
    if not digits.startswith("0") or digits.startswith("00"):
        return 0, DOMESTIC_DIGITS
    return len(digits), BRACKETED_DIGITS if candidate.startswith("(") else DOMESTIC_DIGITS


def find_phones(text: str) -> list[Finding]:
    """Finnish and international phone numbers: 040 123 4567, +358 40 123 4567, (09) 123 456."""
    found = []
    match = _PHONE.search(text)
    while match:
        candidate, position = match.group(), match.end()
        count, (low, high) = _phone_digits(candidate)
        # Too many digits: drop trailing groups ("040 123 4567 12 kertaa" keeps the number)
        # and look at the dropped ones again.
        while count > high and _PHONE_GROUP.search(candidate):
            candidate = _PHONE_GROUP.split(candidate[::-1], maxsplit=1)[1][::-1].rstrip(" -")
            count, (low, high) = _phone_digits(candidate)
            position = match.start() + len(candidate)
        if count and low <= count <= high and not _HETU_LIKE.match(candidate):
            found.append(Finding("PUHELIN", match.start(), position))
        else:
            position = match.end()
        match = _PHONE.search(text, position)
    return found


# --- e-mail addresses ---------------------------------------------------------------------

_EMAIL_DOMAIN = re.compile(r"[\w-]{1,63}(?:\.[\w-]{1,63}){0,7}\.[^\W\d_]{2,24}")
EMAIL_LOCAL_CHARACTERS = frozenset("._%+-'")
MAX_EMAIL_LOCAL = 64


def find_emails(text: str) -> list[Finding]:
    """Addresses found from each '@' outwards, so a long run of letters costs nothing."""
    found = []
    at = text.find("@")
    while at != -1:
        start = at
        while start > 0 and at - start < MAX_EMAIL_LOCAL:
            character = text[start - 1]
            if not (character.isalnum() or character == "_" or character in EMAIL_LOCAL_CHARACTERS):
                break
            start -= 1
        while start < at and text[start] == ".":
            start += 1
        domain = _EMAIL_DOMAIN.match(text, at + 1) if start < at else None
        if domain:
            found.append(Finding("EMAIL", start, domain.end()))
        at = text.find("@", at + 1)
    return found


# --- bank accounts (IBAN) -----------------------------------------------------------------

_IBAN_FI = re.compile(r"[Ff][Ii](?<![A-Za-z0-9]..)[ ]?\d\d(?:[ ]?\d){14}(?!\d)")
_IBAN_OTHER = re.compile(
    r"[A-Z][A-Z](?<![A-Za-z0-9]..)\d\d(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?(?![A-Za-z0-9])"
)


def iban_is_valid(iban: str) -> bool:
    """The ISO 13616 mod-97 check of an IBAN (spaces ignored)."""
    compact = iban.replace(" ", "").upper()
    if not compact.isalnum():
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def find_ibans(text: str) -> list[Finding]:
    """Finnish IBANs by their shape (a mistyped check digit is still an account), other
    countries' IBANs when their check digits are right."""
    found = [Finding("TILINUMERO", *m.span()) for m in _IBAN_FI.finditer(text)]
    found += [
        Finding("TILINUMERO", *m.span()) for m in _IBAN_OTHER.finditer(text) if iban_is_valid(m.group())
    ]
    return found


# --- street addresses ---------------------------------------------------------------------

_SPACE_THEN_NUMBER = re.compile(r"[ ](?<=[^\W\d_].)[ ]?(?=\d)")  # "Kotikatu| 5": a word, spaces, a digit
_WORD_BEFORE = re.compile(r"(?<![^\W\d_-])[^\W\d_](?:[^\W\d_]|-){1,45}$")
STREET_WORDS = (
    "katu katua kadulla kadulle kadulta kadun tie tietä tiellä tielle tieltä tien kuja kujaa kujalla kujalle "
    "kujalta kujan polku polkua polulla polulle polulta polun väylä väylää väylällä väylälle väylältä väylän "
    "raitti raittia raitilla raitille raitilta raitin rinne rinnettä rinteellä rinteelle rinteeltä rinteen "
    "kaari kaarta kaarella kaarelle kaarelta kaaren aukio aukiota aukiolla aukiolle aukiolta aukion tori "
    "toria torilla torille torilta torin ranta rantaa rannalla rannalle rannalta rannan puistikko "
    "puistikolla puistikon kaarre kaarteella kaarteen esplanadi esplanadilla esplanadin bulevardi "
    "bulevardilla bulevardin gatan gata vägen väg gränd stigen backen"
).split()
_STREET_END = re.compile("(?:" + "|".join(STREET_WORDS) + ")$")
_LOWERCASE_STREET_END = re.compile(
    "(?:" + "|".join(w for w in STREET_WORDS if w[:3] in ("kat", "kad", "tie", "kuj")) + ")$"
)
# Compounds that end like a street but are not one: hoitopolku, elämänkaari.
NOT_STREETS = (
    "hoitopol",
    "palvelupol",
    "asiakaspol",
    "potilaspol",
    "kuntoutuspol",
    "elämänkaar",
    "hoitokaar",
)
_HOUSE_NUMBER = re.compile(
    r"\d{1,4}(?!\d)(?:-\d{1,4})?"
    r"(?:[ ]?[A-Za-z](?![^\W\d_])(?:[ ]\d{1,3}(?!\d))?|[ ](?:as\.?|asunto)[ ]?\d{1,3}(?!\d))?"
    r"(?:,?[ ]{1,2}\d{5}[ ][A-ZÅÄÖ][a-zåäö]{1,30})?"
)
_NOT_AN_ADDRESS_AFTER = re.compile(
    r"[ ]?(?:km|m|min|h|kpl|krt|kertaa|€|e|eur|euroa|%|prosenttia|vuotta|vuotias|tuntia|päivää|viikkoa)(?!\w)"
)


def find_addresses(text: str) -> list[Finding]:
    """Street addresses with a house number: Kotikatu 5 B 12, 00100 Helsinki."""
    found = []
    for match in _SPACE_THEN_NUMBER.finditer(text):
        word_match = _WORD_BEFORE.search(text, max(0, match.start() - 46), match.start())
        if word_match is None:
            continue
        word = word_match.group()
        street_end = _STREET_END if word[0].isupper() else _LOWERCASE_STREET_END
        street = street_end.search(word)
        if not street or street.start() < 2 or word.lower().startswith(NOT_STREETS):
            continue
        number = _HOUSE_NUMBER.match(text, match.end())
        if number is None or _NOT_AN_ADDRESS_AFTER.match(text, number.end()):
            continue
        found.append(Finding("OSOITE", word_match.start(), number.end()))
    return found


# --- names with spaCy-fi's recogniser -----------------------------------------------------


@cache
def _ner_pipeline():
    """spaCy-fi with only its named-entity recogniser, loaded once."""
    try:
        import spacy

        return spacy.load(NER_PACKAGE, exclude=NER_NOT_NEEDED)
    except (ImportError, OSError) as error:
        raise BackendUnavailableError(f"{NER_INSTALL_HINT} ({error})") from error


def _chunks(text: str):
    """(offset, piece) of text cut at a newline or space into pieces spaCy accepts."""
    offset = 0
    while offset < len(text):
        end = min(len(text), offset + NER_CHUNK)
        if end < len(text):
            cut = max(text.rfind("\n", offset, end), text.rfind(" ", offset, end))
            end = cut + 1 if cut > offset else end
        yield offset, text[offset:end]
        offset = end


def find_names_ner(text: str) -> list[Finding]:
    """PERSON entities from spaCy-fi, cut down to the capitalised words in them that may be
    names: no roles, signature words, diseases, organisations or places, and at the start
    of a sentence only known names that are not common words other than first names."""
    nlp = _ner_pipeline()
    found = []
    for offset, piece in _chunks(text):
        for entity in nlp(piece).ents:
            if entity.label_ != "PERSON":
                continue
            run: list[int] = []  # start and end of consecutive name words
            for token in entity:
                length = _ner_name_length(piece, token.idx, token.text)
                if length and run and token.idx - run[1] <= 1:
                    run[1] = token.idx + length
                elif length:
                    if run:
                        found.append(Finding("NIMI", offset + run[0], offset + run[1]))
                    run = [token.idx, token.idx + length]
            if run:
                found.append(Finding("NIMI", offset + run[0], offset + run[1]))
    return found


def _ner_name_length(text: str, start: int, word: str) -> int:
    """How much of a word in a PERSON entity is a name: all of it, the name in
    'Aili-täti', or nothing."""
    if not (WORD.fullmatch(word) and word[0].isupper()):
        return 0
    info = word_info(word)
    if word.isupper():  # shouting: only a known name
        return len(word) if info.lower_name else 0
    if info.hyphen_name:
        return info.hyphen_name
    if info.role or info.signature or info.evidence in ("excluded", "place"):
        return 0
    if sentence_initial(text, start) and (
        info.evidence not in ("first", "last") or info.common and info.evidence != "first"
    ):
        return 0
    return len(word)


# --- @mentions -----------------------------------------------------------------------------

# An account name after an @ that no word character or dot precedes (which would make it
# an e-mail address): "@MerjaNiilola", "@terveystalo". Any "@name" glued to it goes with it
# ("@a@b"), and a placeholder's "]" counts as a word character ("Ad@0" -> "[NIMI]@0"), so
# that redacting twice changes nothing.
_HANDLE = re.compile(r"@(?<![\w.\]]@)\w(?:[\w@.]*\w)?")


def find_handles(text: str) -> list[Finding]:
    return [Finding("KAYTTAJA", *match.span()) for match in _HANDLE.finditer(text)]


# --- all together -------------------------------------------------------------------------


def _merge(findings: list[Finding]) -> list[Finding]:
    """Sorted, non-overlapping findings: overlapping ones become one span of the kind that
    comes first in KINDS."""
    merged: list[Finding] = []
    for finding in sorted(findings, key=lambda f: (f.start, -f.end)):
        if merged and finding.start < merged[-1].end:
            last = merged[-1]
            kind = min(last.kind, finding.kind, key=KINDS.index)
            merged[-1] = Finding(kind, last.start, max(last.end, finding.end))
        else:
            merged.append(finding)
    return merged


def find_personal_data(text: str, ner: bool = False) -> list[Finding]:
    """Personal data in `text`, sorted and non-overlapping. `ner=True` also asks spaCy-fi's
    named-entity recogniser for person names (raises BackendUnavailableError if missing)."""
    if not isinstance(text, str):
        raise RedactionInputError(f"Expected the text to redact as a str, got {type(text).__name__}.")
    findings = [
        *find_hetus(text),
        *find_phones(text),
        *find_emails(text),
        *find_ibans(text),
        *find_addresses(text),
        *find_handles(text),
        *(Finding("NIMI", start, end) for start, end in find_names(text)),
    ]
    if ner:
        findings += find_names_ner(text)
    return _merge(findings)


def redact(text: str, ner: bool = False) -> str:
    """`text` with each piece of personal data replaced by its placeholder, such as [NIMI]."""
    pieces, position = [], 0
    for finding in find_personal_data(text, ner=ner):
        pieces += [text[position : finding.start], f"[{finding.kind}]"]
        position = finding.end
    pieces.append(text[position:])
    return "".join(pieces)


# --- evaluation ---------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\[(" + "|".join(KINDS) + r")\]")


def findings_from_redacted(text: str, redacted: str) -> list[Finding]:
    """The findings that turn `text` into `redacted`: the gold spans of a hand-redacted
    example. Raises ValueError if `redacted` is not `text` with spans replaced by
    placeholders, or if the spans are ambiguous (a placeholder could cover more or less)."""
    parts = _PLACEHOLDER.split(redacted)
    alignments = []
    for group in ("(.+?)", "(.+)"):  # the shortest and the longest first spans
        pattern = "".join(re.escape(part) if i % 2 == 0 else group for i, part in enumerate(parts))
        match = re.fullmatch(pattern, text, re.DOTALL)
        if match is None:
            raise ValueError("the redacted text is not the text with some spans replaced by placeholders")
        alignments.append([Finding(kind, *match.span(g)) for g, kind in enumerate(parts[1::2], start=1)])
    if alignments[0] != alignments[1]:
        raise ValueError("the placeholders in the redacted text could stand for different spans")
    return alignments[0]
