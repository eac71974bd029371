"""Person names in Finnish feedback, found by rules: titles and roles, signatures, and
words the shipped lexicon (plus a short curated list) knows as first names or surnames.

A capitalised word inside a sentence is taken as a name when it, or its stem without a
case ending (Annalle -> Anna, Virtaselta -> Virtanen, Mikolle -> Mikko), is a known name.
At the start of a sentence only names that are not also common words count (Mikko, not
Toivo, Anna or Satu). After a role (hoitaja, lääkäri, äitini ...) or a signature (t.,
terveisin ...) any capitalised word that is not a place or an organisation counts.
"""

from __future__ import annotations

import re
from bisect import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

from palauteluokitin.lemmatizers.lexicon import decode_readings, open_lexicon

NAME_CLASSES = frozenset({"etunimi", "sukunimi"})
PLACE_CLASSES = frozenset({"paikannimi", "nimi"})
NON_COMMON_CLASSES = NAME_CLASSES | PLACE_CLASSES | {"lyhenne"}

# Common first names; Finnish ones are recognised even in lower case ("kiitos tiinalle").
FINNISH_FIRST_NAMES = """
aada aila aili aino anja anna anne anneli anni annikki anu arja aune aurora eeva eija eila elina elisa ella
elli elsa emilia emma enni erja essi eveliina hanna hannele heidi heli helena helmi helvi hilja hilkka iida
iina iiris ilona inkeri irja irma irmeli jaana jenni johanna jonna julia kaarina kaija kaisa kati katja katri
kerttu kirsi krista kristiina kyllikki laila laura lea leena leila liisa linnea lotta maarit maija maire mari
maria marika marja marjatta marjo marjut marketta merja mervi milla minna minttu mirja nelli noora oili oona
orvokki outi paula pia pihla pirjo pirkko päivi raija raili reija riikka riitta ritva ronja saara salla sanna
sari satu seija siiri silja sinikka sirkka sirkku sirpa sofia suvi taina tanja tarja terhi terttu tiina tuija
tuula tuulikki tytti ulla veera venla vilma virpi aarne aatu aki aleksi aleksanteri antero antti ari arto arvo
eero eetu eino elias emil erkki esa hannu harri heikki ilkka ismo jaakko jani janne jari jarmo jarno jesse
joel johannes jonne jorma jouko jouni juha juhani juho jukka jussi jyrki kai kalervo kalevi kalle kari kauko
keijo kimmo kristian kyösti lasse lauri leevi leo markku marko markus martti matias matti mauri mika mikael
mikko niilo niko oiva olavi oliver olli onni oskari ossi otto paavo pasi pauli pekka pentti pertti perttu
petri petteri raimo rainer rauno reijo reino risto sakari sami samuli santeri sauli seppo simo sulo taisto
tapani tapio tauno teemu tero timo toivo tommi toni topi tuomas tuomo unto urho urpo valtteri veikko veli vesa
ville voitto väinö yrjö
""".split()
# Swedish and other first names common in Finland.
OTHER_FIRST_NAMES = """
anders björn carl christer erik fredrik gunnar göran hans henrik johan karl lars magnus mats nils stig sven
ulf åke agneta astrid birgitta britt ebba gunilla ingrid inger karin kerstin margareta marianne sigrid solveig
åsa ulrika camilla christina mohammed muhammad mohamed ahmed ali hassan hussein omar fatima amina aisha abdi
yusuf ibrahim mustafa olga irina natalia tatjana svetlana sergei dmitri ivan elena anastasia
""".split()
SURNAMES = """
korhonen virtanen mäkinen nieminen mäkelä hämäläinen laine heikkinen koskinen järvinen lehtonen lehtinen
saarinen salminen heinonen niemi heikkilä kinnunen salonen turunen laitinen tuominen rantanen karjalainen
jokinen mattila savolainen lahtinen ahonen hiltunen leinonen hirvonen miettinen pitkänen aaltonen manninen
hakala väisänen koivisto anttila laaksonen lindholm lindroos nyman karppinen räsänen ojala leppänen
hakkarainen seppälä peltonen kärkkäinen mustonen rissanen vainio lindqvist lindberg johansson nyström sjöberg
andersson eriksson karlsson nurmi kettunen honkanen huttunen pelkonen toivonen nurminen ketola oksanen
partanen ikonen harju kokkonen vartiainen rautio lappalainen moilanen kauppinen tikkanen lampinen huhtala
valtonen backman halonen sundström kivelä kivinen vuorinen suominen pesonen forsman holmström blomqvist
wikström laakso heino jääskeläinen mikkonen markkanen koski mäki kivi aho rinne korpela ranta kangas suhonen
hyvönen tanskanen auvinen kiiskinen pulkkinen ruotsalainen kemppainen heiskanen kauppi pöllänen pakarinen
kukkonen niskanen meikäläinen
""".split()
# Capitalised words that look like names but name a disease, an organisation or a place.
NOT_NAMES = frozenset(
    """
alzheimer asperger parkinson crohn down huntington hodgkin sjögren bechterew meniere raynaud tourette
addison cushing basedow graves hashimoto lyme kela hus hyks tays tyks oys kys ksks omaolo kanta
mehiläinen terveystalo pihlajalinna attendo esperi mainio aava diacor synlab apotti meilahti jorvi
peijas tehy jhl posti google facebook whatsapp teams pfizer moderna suomi ruotsi venäjä jumala luoja
wilma august
""".split()
)
# Roles that take a compound front (sairaanhoitaja, terveyskeskuslääkäri) and any ending.
ROLE_STEMS = (
    "lääkär hoitaj kätilö terapeut psykolog neurolog gynekolog kardiolog radiolog urolog onkolog "
    "psykiatr geriatr kirurg ortoped työntekijä ohjaaja ohjaaji tohtor virkailij sihteer esimie "
    "esihenkilö johtaj päällik avustaj sosionom farmaseut proviisor kuraattor opettaj "
    "optikko optiko hammaslääkär diakon fyssar terkkar lekur hoitsu sossu tulkki tulki barnmorsk "
    "skötersk kurator vårdar arbetar assistent läkar"
).split()
# Kinship and address words: exact stem, then at most a case ending and a possessive suffix.
KIN_STEMS = (
    "tri dr prof dosentti rouva herra neiti äiti äidi isä poika poja tytär tyttäre vaimo mies miehe "
    "puoliso avopuoliso sisko sisar sisare veli velje mummo mummu mummi isoäiti isoäidi isoisä pappa "
    "ukki vaari mamma serkku serku täti setä sedä eno anoppi anopi appi ape miniä vävy lapsi lapse "
    "vauva potilas potilaa asiakas asiakkaa asukas asukkaa ystävä naapuri kaveri tuttava omainen "
    "omaise kummi lanko lango käly nimeltä nurse doctor läkare sjuksköterska skötare mr mrs ms herr fru"
).split()
TITLE_ABBREVIATIONS = frozenset({"tri", "dr", "prof", "mr", "mrs", "ms"})  # "tri. Virtanen"
_ROLE = re.compile("(?:" + "|".join(ROLE_STEMS) + ")[a-zåäö]{0,9}$")
_KIN = re.compile("(?:" + "|".join(KIN_STEMS) + ")[a-zåäö]{0,6}")
# Signature openers right before a name: "t. Liisa", "Ystävällisin terveisin Maija", "-Pirkko".
SIGNATURE_ABBREVIATIONS = frozenset({"t", "terv", "mvh", "br"})  # followed by '.', ':' or ','
SIGNATURE_WORDS = frozenset(
    "terveisin terkuin terkuilla terkut kiittäen kiitollisena hälsningar hälsning regards".split()
)
# Thanks right before a name in lower or upper case: "KIITOS NIINA", "kiitos leenalle".
THANKS_WORDS = frozenset("kiitos kiitokset kiitti tack thanks".split())
THANKS = 3
# Between two names of a list: "Petra, Jonas", "Tuija ja Irma".
JOINERS = frozenset({", ", ",", " ja ", " sekä ", " tai ", " och ", " and ", " & "})
MAX_JOINER = max(map(len, JOINERS))
_SIGNALS = {
    **dict.fromkeys(SIGNATURE_ABBREVIATIONS, 1),
    **dict.fromkeys(SIGNATURE_WORDS, 2),
    **dict.fromkeys(THANKS_WORDS, THANKS),
}
DASHES = "-–—"
# Case endings, clitics and possessives a name may carry.
ENDINGS = frozenset(
    """
    n a ä t na nä ssa ssä sta stä lla llä lta ltä lle ksi ine ineen han hen hin hon hun hyn hän hön
    an än on ön un yn en seen ille ilta iltä illa illä issa issä ista istä iksi ina in ia iä iin ien
    ja jä kin kaan kään ko kö lleni llekin nkin
    """.split()
)
MAX_ENDING = max(map(len, ENDINGS))
_CURATED_SURNAMES = frozenset(SURNAMES)
_FINNISH_FIRST = frozenset(name for name in FINNISH_FIRST_NAMES if len(name) >= 4)
# Lower-case words that are first names but also colloquial or Swedish words.
NOT_LOWERCASE_NAMES = frozenset(
    {"aino", "mika", "sami", "veli", "helmi", "oiva", "urho", "vesa", "otto", "ville"}
)
LOCATIVE_ENDINGS = ("ssa", "ssä", "sta", "stä", "lla", "llä", "lta", "ltä")
SWEDISH_SURNAME = re.compile("(?:ström|qvist|kvist|sson|gren|lund|blom|berg|holm|stedt|dahl)$")
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
VOWELS = frozenset("aeiouyäö")
SENTENCE_END = frozenset('.!?…:;\n"“”«»()[]•*')
MAX_NAME_TOKENS = 3
_NEXT_WORD = re.compile(r"[ \t]{1,3}([^\W\d_]+(?:['’-][^\W\d_]+)*)")


@cache
def _lexicon_names() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Lower-cased lemmas the lexicon lists as first names, surnames and place names."""
    first, last, place = {*FINNISH_FIRST_NAMES, *OTHER_FIRST_NAMES}, set(SURNAMES), set()
    query = "SELECT readings FROM lexicon WHERE readings LIKE '%nimi' || char(31) || '%'"
    for (encoded,) in open_lexicon()._db.execute(query):
        for reading in decode_readings(encoded):
            target = {"etunimi": first, "sukunimi": last, "paikannimi": place}.get(reading.word_class)
            if target is not None:
                target.add(reading.lemma.lower())
    return frozenset(first - NOT_NAMES), frozenset(last - NOT_NAMES), frozenset(place)


@lru_cache(maxsize=200_000)
def word_classes(word: str) -> frozenset[str]:
    """Voikko word classes of a lower-cased word form in the shipped lexicon."""
    return frozenset(r.word_class for r in open_lexicon().readings(word))


def _is_common_word(word: str) -> bool:
    return bool(word_classes(word) - NON_COMMON_CLASSES)


def _stems(word: str) -> Iterator[tuple[str, str]]:
    """(possible base form, ending taken off) of a lower-cased word: annalle -> (anna, lle)."""
    yield word, ""
    for length in range(min(MAX_ENDING, len(word) - 2), 0, -1):
        ending = word[-length:]
        if ending not in ENDINGS:
            continue
        stem = word[:-length]
        yield stem, ending
        if len(stem) >= 3 and stem[-2] in "kpt" and stem[-3] != stem[-2] and stem[-1] in VOWELS:
            yield stem[:-1] + stem[-2:], ending  # consonant gradation: miko -> mikko
        if stem.endswith("se"):
            yield stem[:-2] + "nen", ending  # virtase -> virtanen
        elif stem.endswith("s") and ending in ("ta", "tä"):
            yield stem[:-1] + "nen", ending  # virtasta -> virtanen


def _is_title_case(word: str) -> bool:
    return len(word) > 1 and word[0].isupper() and any(c.islower() for c in word[1:])


@lru_cache(maxsize=200_000)
def name_evidence(word: str) -> str:
    """How a word (original case) looks as a name: "first", "last", "shape" (a surname by
    its form), "place", "excluded", "common" or ""."""
    lower = word.lower()
    parts = word.split("-")
    if len(parts) > 1:  # Anna-Liisa, Korhonen-Virtanen; not Sulo-kodin or Pohjois-Karjala
        found = [name_evidence(part) if _is_title_case(part) else "common" for part in parts]
        if all(kind in ("first", "last", "shape", "") for kind in found):
            for kind in ("first", "last", "shape"):
                if kind in found:
                    return kind
        return "common" if "common" in found else ""
    first, last, place = _lexicon_names()
    classes = word_classes(lower)
    for stem, ending in _stems(lower):
        if stem in NOT_NAMES:
            return "excluded"
        if stem in first:
            return "first"
        if stem in _CURATED_SURNAMES:
            return "last"
        if stem in place and (not ending or ending in LOCATIVE_ENDINGS):
            return "place"
        if stem in last:
            return "last"
    if classes & NAME_CLASSES:
        return "first" if "etunimi" in classes else "last"
    if classes - NON_COMMON_CLASSES:
        return "common"
    if classes & PLACE_CLASSES:
        return "place"
    for stem, _ in _stems(lower):
        if len(stem) >= 6 and stem.endswith("nen") and stem[-4] in VOWELS and not _is_common_word(stem):
            return "shape"
    if len(lower) >= 6 and SWEDISH_SURNAME.search(lower):
        return "shape"
    return ""


@lru_cache(maxsize=100_000)
def is_role_word(word: str) -> bool:
    """A title, profession or relation that a name may follow: omahoitaja, lääkärille, äitini."""
    lower = word.lower()
    if lower in NOT_NAMES or len(lower) > 40:
        return False
    return bool(_KIN.fullmatch(lower) or _ROLE.search(lower))


@dataclass(frozen=True, slots=True)
class WordInfo:
    """What a word form can be in a name, worked out once per form."""

    role: bool = False
    title: bool = False  # capitalised: Anna, Virtaselta
    initial: bool = False  # one capital letter: the K of "Mikko K."
    evidence: str = ""  # name_evidence() of a capitalised word
    common: bool = False  # the lower-cased form is a common word
    lower_name: int = 0  # a lower-case name: 2 anywhere, 1 only after a role or signature
    first_name: bool = False  # an uninflected first name
    signature: int = 0  # 1 "t." "terv." (with a full stop, colon or comma), 2 "terveisin", 3 "kiitos"
    hyphen_name: int = 0  # length of the name in "Anna-hoitaja"

    @property
    def candidate(self) -> bool:
        """Could be (the start of) a name."""
        return self.title or self.initial or self.lower_name > 0 or self.hyphen_name > 0


_PLAIN = WordInfo()  # a word that can neither be nor announce a name
_word_infos: dict[str, WordInfo] = {}
WORD_CACHE_SIZE = 500_000


def word_info(word: str) -> WordInfo:
    """WordInfo of a word form, cached."""
    info = _word_infos.get(word)
    if info is None:
        if len(_word_infos) >= WORD_CACHE_SIZE:
            _word_infos.clear()
        info = _word_infos[word] = _classify(word)
    return info


def _classify(word: str) -> WordInfo:
    lower = word.lower()
    signature = _SIGNALS.get(lower, 0)
    if len(word) == 1:
        if not (word.isupper() or signature):
            return _PLAIN
        return WordInfo(initial=word.isupper(), signature=signature)
    if _is_title_case(word):
        hyphen_name = _name_before_hyphen_role(word)
        if hyphen_name:
            return WordInfo(title=True, hyphen_name=hyphen_name)
        if is_role_word(word):
            return WordInfo(role=True, title=True)
        return WordInfo(
            title=True,
            evidence=name_evidence(word),
            common=_is_common_word(lower),
            first_name=lower in _lexicon_names()[0],
            signature=signature,
        )
    role = is_role_word(word)
    lower_name = 0 if role or lower[:3] not in _name_prefixes() else _lower_case_name(lower)
    if not (role or lower_name or signature):
        return _PLAIN
    return WordInfo(role=role, lower_name=lower_name, signature=signature)


@cache
def _name_prefixes() -> frozenset[str]:
    first, last, _ = _lexicon_names()
    return frozenset(name[:3] for name in (*first, *last))


def _lower_case_name(lower: str) -> int:
    """2 for a Finnish first name that is no common word (kiitos tiinalle); 1 for a name that
    counts only after a role or signature (hoitaja fatima, lääkäri mäkinen); else 0."""
    first, last, _ = _lexicon_names()
    anywhere = lower not in NOT_LOWERCASE_NAMES and any(s in _FINNISH_FIRST for s, _ in _stems(lower))
    if not (anywhere or lower in first or lower in last):
        return 0
    common = _is_common_word(lower)
    if anywhere and not common:
        return 2
    if lower in _CURATED_SURNAMES or lower not in NOT_LOWERCASE_NAMES and not common:
        return 1
    return 0


def _name_before_hyphen_role(word: str) -> int:
    """Length of the name in a name-role compound such as 'Anna-hoitaja', else 0."""
    head, hyphen, tail = word.partition("-")
    if hyphen and is_role_word(tail) and name_evidence(head) in ("first", "last"):
        return len(head)
    return 0


Word = tuple[int, int, WordInfo]  # start, end, info


def find_names(text: str) -> list[tuple[int, int]]:
    """Character spans of person names in `text`, in order. One pass over the words; each
    word form is classified once, so the cost is linear in the text."""
    spans: list[tuple[int, int]] = []
    held: list[Word] = []  # sentence-opening names that are also common words: "Anna auttaa"
    before = latest = None  # the two previous words (None: a word that plays no part)
    done = 0  # end of the last span
    known = _word_infos.get
    for match in WORD.finditer(text):
        info = known(match.group()) or word_info(match.group())
        if info is _PLAIN:
            before = latest
            latest = None
            continue
        start, end = match.span()
        current = (start, end, info)
        if start >= done and info.candidate:
            previous = []
            if latest is not None and latest[0] >= done:
                previous = [latest] if before is None or before[0] < done else [before, latest]
            listed = bool(spans) and start - done <= MAX_JOINER and text[done:start] in JOINERS
            span = _name_at(text, current, previous, listed)
            if span:
                spans.append(span)
                done = span[1]
            elif info.first_name and info.common:
                held.append(current)
        before, latest = latest, current
    return _with_names_seen_elsewhere(text, spans, held)


def _with_names_seen_elsewhere(text: str, spans: list[tuple[int, int]], held: list[Word]):
    """A held word counts when it is joined to a name ("Tuija ja Irma hoitivat") or the same
    name was found elsewhere on its line ("Minä tykkään Annasta. Anna auttaa minua.").
    Lines are kept apart, so a file redacted whole gives what its lines give one by one."""
    if not held or not spans:
        return spans
    newlines = [match.start() for match in re.finditer("\n", text)]
    seen: dict[int, set[str]] = {}
    for start, end in spans:
        seen.setdefault(bisect(newlines, start), set()).update(s for s, _ in _stems(text[start:end].lower()))
    starts = {start for start, _ in spans}
    extra = []
    for start, end, _ in held:
        joined = any(end + len(joiner) in starts and text.startswith(joiner, end) for joiner in JOINERS)
        if joined or text[start:end].lower() in seen.get(bisect(newlines, start), ()):
            extra.append((start, end))
    return sorted(spans + extra) if extra else spans


def _name_at(text: str, word: Word, previous: list[Word], listed: bool) -> tuple[int, int] | None:
    start, end, info = word
    if info.hyphen_name:
        return start, start + info.hyphen_name
    if not _starts_name(text, word, previous[-1] if previous else None, listed):
        return None
    return _extend_back(text, word, previous), _extend_forward(text, word)


def _starts_name(text: str, word: Word, previous: Word | None, listed: bool) -> bool:
    """Whether the word starts a name; `listed`: it follows a name and a comma or 'ja'."""
    start, end, info = word
    if info.initial:  # an initial starts a name only right before one: "M. Virtanen"
        following = _initial_before(text, word)
        return following is not None and (
            following.evidence in ("first", "last", "shape")
            or following.evidence == ""
            and _triggered(text, start, previous)
        )
    if not info.title:
        if info.lower_name == 2:
            return True
        thanked = previous is not None and previous[2].signature == THANKS  # "KIITOS NIINA"
        return info.lower_name == 1 and (thanked or _triggered(text, start, previous))
    if info.role or info.signature or info.evidence in ("excluded", "place"):
        return False
    if previous is not None and previous[2].role and _triggered(text, start, previous):
        return True  # hoitaja Kallio
    if _triggered(text, start, previous) or listed and not sentence_initial(text, start):
        return info.evidence != "common"
    if sentence_initial(text, start):  # not Toivo, Satu, Anna: held in case they prove names
        return info.evidence in ("first", "last") and not info.common
    return info.evidence in ("first", "last", "shape")


def _initial_before(text: str, word: Word) -> WordInfo | None:
    """WordInfo of the capitalised word after an initial ('M. Virtanen'), or None if the
    word is no initial. 'T.' before a first name is a signature, not an initial."""
    start, end, info = word
    if not (info.initial and text.startswith(".", end)):
        return None
    following = _NEXT_WORD.match(text, end + 1)
    if following is None:
        return None
    following_info = word_info(following.group(1))
    if not following_info.title or text[start] == "T" and following_info.evidence == "first":
        return None
    return following_info


def _is_initial(text: str, word: Word) -> bool:
    start, end, info = word
    return info.initial and text.startswith(".", end)


def _triggered(text: str, start: int, previous: Word | None) -> bool:
    """The word at `start` follows a role (hoitaja Anna, tri. Virtanen) or opens a signature
    (t. Liisa, terveisin Maija, -Pirkko)."""
    if _after_dash(text, start):
        return True
    if previous is None:
        return False
    previous_start, previous_end, previous_info = previous
    gap = text[previous_end:start]
    if len(gap) > 4:
        return False
    bare = gap.strip()
    if previous_info.role:  # on the same line: "hoitaja Anna", "tri. Virtanen"
        if "\n" in gap or text[previous_start - 1 : previous_start] == "-":  # not "[NIMI]-täti"
            return False
        abbreviation = text[previous_start:previous_end].lower() in TITLE_ABBREVIATIONS
        return bare == "" and len(gap) <= 3 or bare == "." and abbreviation
    if previous_info.signature == 2:
        return bare in ("", ",", ":")
    return previous_info.signature == 1 and bare in (".", ":", ",", ".,")


def _after_dash(text: str, start: int) -> bool:
    """'-Pirkko', '– Pirkko': a dash that stands after a space or punctuation, not in a word."""
    dash = start - 2 if start >= 2 and text[start - 1] == " " else start - 1
    return dash >= 0 and text[dash] in DASHES and (dash == 0 or not text[dash - 1].isalnum())


def sentence_initial(text: str, start: int) -> bool:
    """Nothing but spaces between `start` and the start of the text or a sentence end."""
    position = start - 1
    while position >= 0 and text[position] in " \t":
        position -= 1
    return position < 0 or text[position] in SENTENCE_END


def _extend_back(text: str, word: Word, previous: list[Word]) -> int:
    """Start of the name whose first known word is `word`: a first name or an initial before it."""
    start, _, word_info_ = word
    # an initial goes with a surname (M. Virtanen); "T. Marjatta" is a signature
    initial_fits = word_info_.title and word_info_.evidence != "first"
    for candidate in reversed(previous):
        candidate_start, candidate_end, info = candidate
        gap = text[candidate_end:start]
        if initial_fits and _is_initial(text, candidate) and gap.startswith(".") and gap[1:] in (" ", "  "):
            start = candidate_start
        elif info.first_name and not info.role and gap in (" ", "  "):
            start = candidate_start
        else:
            break
    return start


def _extend_forward(text: str, word: Word) -> int:
    """End of the name starting with `word`: a surname, an initial ('Mikko K.')."""
    end = word[1] + 1 if _is_initial(text, word) else word[1]
    for _ in range(MAX_NAME_TOKENS - 1):
        following = _NEXT_WORD.match(text, end)
        if following is None:
            break
        next_start, next_end = following.span(1)
        info = word_info(following.group(1))
        if _is_initial(text, (next_start, next_end, info)):
            end = next_end + 1
        elif info.title and not info.role and info.evidence in ("first", "last", "shape", ""):
            end = next_end
        else:
            break
    return end
