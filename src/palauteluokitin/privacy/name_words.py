"""What a word form can be in a person name: known names, roles, signatures, case endings."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

from palauteluokitin.text.lemmatizers.lexicon_file import Reading, open_lexicon

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
# Titles and 'nimeltä' announce a name even before a word that is usually a verb: "tri Oli".
HONORIFICS = frozenset(
    "tri dr prof tohtori dosentti rouva herra neiti neidi nimeltä mr mrs ms herr fru".split()
)
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
_SIGNALS = {
    **dict.fromkeys(SIGNATURE_ABBREVIATIONS, 1),
    **dict.fromkeys(SIGNATURE_WORDS, 2),
    **dict.fromkeys(THANKS_WORDS, THANKS),
}
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
# Verbs and function words. Right after a role a capitalised form whose likeliest reading is
# one of these, of a very common lemma, is that word ("Hoitaja Oli tyly": olla), not a name.
FUNCTION_CLASSES = frozenset(
    {"teonsana", "kieltosana", "sidesana", "asemosana", "seikkasana", "suhdesana", "huudahdussana"}
)
# Natural log of a lemma's relative frequency in the lexicon: about its 1,000 commonest lemmas
# (olla -3.4, sanoa -7.2, kysyä -8.6; not tuulla -11.9, whose past tense is the name Tuuli), and
# about its 110 commonest, for a form that is also a plausible noun (tuli: tulla -5.9, not kulta:
# kuka -9.1).
COMMON_LEMMA_LOG_FREQUENCY = -9.5
VERY_COMMON_LEMMA_LOG_FREQUENCY = -7.5
SWEDISH_SURNAME = re.compile("(?:ström|qvist|kvist|sson|gren|lund|blom|berg|holm|stedt|dahl)$")
VOWELS = frozenset("aeiouyäö")


@cache
def _lexicon_names() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Lower-cased lemmas the lexicon lists as first names, surnames and place names."""
    first, last, place = {*FINNISH_FIRST_NAMES, *OTHER_FIRST_NAMES}, set(SURNAMES), set()
    for readings in open_lexicon().readings_of_class_ending("nimi"):
        for reading in readings:
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


@cache
def _lemma_log_frequencies() -> dict[str, float]:
    return open_lexicon().lemma_log_frequencies()


def _is_verb_or_function_reading(reading: Reading) -> bool:
    """A verb or function word; also a participle the lexicon files as an adjective
    (ollut, saanut: lemma olla, saada)."""
    if reading.word_class in FUNCTION_CLASSES:
        return True
    return reading.word_class == "laatusana" and any(
        r.word_class == "teonsana" and r.lemma == reading.lemma
        for r in open_lexicon().readings(reading.lemma)
    )


def is_common_function_form(word: str) -> bool:
    """Whether a lower-cased word form is most likely a very common verb or function word: oli,
    sai, tuli, kun, hän, ollut. Not usko or kallio (a noun is as likely), not tuuli (tuulla is
    rare), not uskon (a noun, maybe a name, is the runner-up, and uskoa is not common enough)."""
    readings = open_lexicon().readings(word)
    function = [r for r in readings if _is_verb_or_function_reading(r)]
    if not function:
        return False
    rival = max((r.score for r in readings if r not in function), default=-math.inf)
    if max(r.score for r in function) <= rival:
        return False
    frequency = max(_lemma_log_frequencies().get(r.lemma, -math.inf) for r in function)
    return frequency >= (VERY_COMMON_LEMMA_LOG_FREQUENCY if rival > 0 else COMMON_LEMMA_LOG_FREQUENCY)


def stems(word: str) -> Iterator[tuple[str, str]]:
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
    for stem, ending in stems(lower):
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
    for stem, _ in stems(lower):
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
    honorific: bool = False  # a role that is a title or 'nimeltä': tri, rouva (see HONORIFICS)
    title: bool = False  # capitalised: Anna, Virtaselta
    initial: bool = False  # one capital letter: the K of "Mikko K."
    evidence: str = ""  # name_evidence() of a capitalised word
    common: bool = False  # the lower-cased form is a common word
    function_word: bool = False  # no known name, most likely a very common verb or function word: Oli
    lower_name: int = 0  # a lower-case name: 2 anywhere, 1 only after a role or signature
    first_name: bool = False  # an uninflected first name
    signature: int = 0  # 1 "t." "terv." (with a full stop, colon or comma), 2 "terveisin", 3 "kiitos"
    hyphen_name: int = 0  # length of the name in "Anna-hoitaja"

    @property
    def candidate(self) -> bool:
        """Could be (the start of) a name."""
        return self.title or self.initial or self.lower_name > 0 or self.hyphen_name > 0


PLAIN = WordInfo()  # a word that can neither be nor announce a name


@lru_cache(maxsize=500_000)
def word_info(word: str) -> WordInfo:
    """WordInfo of a word form, cached."""
    lower = word.lower()
    signature = _SIGNALS.get(lower, 0)
    if len(word) == 1:
        if not (word.isupper() or signature):
            return PLAIN
        return WordInfo(initial=word.isupper(), signature=signature)
    if _is_title_case(word):
        hyphen_name = _name_before_hyphen_role(word)
        if hyphen_name:
            return WordInfo(title=True, hyphen_name=hyphen_name)
        if is_role_word(word):
            return WordInfo(role=True, honorific=_is_honorific(lower), title=True)
        evidence = name_evidence(word)
        return WordInfo(
            title=True,
            evidence=evidence,
            common=_is_common_word(lower),
            function_word=evidence == "common" and is_common_function_form(lower),
            first_name=lower in _lexicon_names()[0],
            signature=signature,
        )
    role = is_role_word(word)
    lower_name = 0 if role or lower[:3] not in _name_prefixes() else _lower_case_name(lower)
    if not (role or lower_name or signature):
        return PLAIN
    return WordInfo(
        role=role, honorific=role and _is_honorific(lower), lower_name=lower_name, signature=signature
    )


def _is_honorific(lower: str) -> bool:
    """tri, rouvalle, nimeltä: a title, in any case."""
    return any(stem in HONORIFICS for stem, _ in stems(lower))


@cache
def _name_prefixes() -> frozenset[str]:
    first, last, _ = _lexicon_names()
    return frozenset(name[:3] for name in (*first, *last))


def _lower_case_name(lower: str) -> int:
    """2 for a Finnish first name that is no common word (kiitos tiinalle); 1 for a name that
    counts only after a role or signature (hoitaja fatima, lääkäri mäkinen); else 0."""
    first, last, _ = _lexicon_names()
    anywhere = lower not in NOT_LOWERCASE_NAMES and any(s in _FINNISH_FIRST for s, _ in stems(lower))
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
