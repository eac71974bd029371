"""The personal-data redactor: the case table, identity-code checks, properties, long inputs."""

from __future__ import annotations

import csv
import logging
import sys
from collections import Counter
from datetime import date

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import palauteluokitin.privacy.redact as redact_module
from conftest import REQUIRED, ROOT
from palauteluokitin.errors import BackendUnavailableError, PalauteluokitinError, RedactionInputError
from palauteluokitin.privacy.redact import (
    HETU_CENTURIES,
    HETU_CHECK_CHARACTERS,
    KINDS,
    PLACEHOLDERS,
    Finding,
    find_personal_data,
    findings_from_redacted,
    hetu_is_valid,
    iban_is_valid,
    redact,
)

CASES_PATH = ROOT / "tests" / "assets" / "redaction_cases.tsv"
with CASES_PATH.open(encoding="utf-8", newline="") as _handle:
    CASES = list(csv.DictReader(_handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def _case_param(case: dict[str, str]):
    marks = [pytest.mark.xfail(strict=True, reason=case["known"])] if case["known"] else []
    return pytest.param(case["text"], case["expected"], id=case["id"], marks=marks)


@pytest.mark.parametrize(("text", "expected"), [_case_param(case) for case in CASES])
def test_redact_case_table(text, expected):
    assert redact(text) == expected


def test_redact_case_table_is_large_and_varied():
    assert len(CASES) >= 200
    assert len({case["id"] for case in CASES}) == len(CASES)
    kinds = Counter(f.kind for case in CASES for f in findings_from_redacted(case["text"], case["expected"]))
    assert set(kinds) == set(KINDS)
    negatives = [case for case in CASES if case["text"] == case["expected"]]
    assert len(negatives) >= 60  # tricky negatives: dates, times, rooms, euros, diseases, places


def _per_kind_counts() -> dict[str, Counter]:
    counts = {kind: Counter() for kind in KINDS}
    for case in CASES:
        gold = set(findings_from_redacted(case["text"], case["expected"]))
        found = set(find_personal_data(case["text"]))
        for finding in found | gold:
            counts[finding.kind][
                "tp" if finding in found and finding in gold else "fp" if finding in found else "fn"
            ] += 1
    return counts


# (kind, minimum recall, minimum precision) over the whole table, exact spans
QUALITY_FLOORS = [
    ("HETU", 0.98, 0.95),
    ("PUHELIN", 0.98, 0.95),
    ("EMAIL", 0.98, 0.95),
    ("NIMI", 0.85, 0.95),
    ("OSOITE", 0.90, 0.95),
    ("TILINUMERO", 0.95, 0.95),
    ("KAYTTAJA", 0.98, 0.95),
]


@pytest.mark.parametrize(("kind", "min_recall", "min_precision"), QUALITY_FLOORS)
def test_redact_quality_on_case_table(kind, min_recall, min_precision):
    count = _per_kind_counts()[kind]
    recall = count["tp"] / (count["tp"] + count["fn"])
    precision = count["tp"] / (count["tp"] + count["fp"])
    assert recall >= min_recall and precision >= min_precision, (kind, recall, precision)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a name that is also a common word counts when the line names the same person elsewhere
        ("Minä tykkään Annasta. Anna auttaa minua.", "Minä tykkään [NIMI]. [NIMI] auttaa minua."),
        (
            "Kiitos Annalle.\nAnna palautetta -nappi ei toimi.",
            "Kiitos [NIMI].\nAnna palautetta -nappi ei toimi.",
        ),
        # or is joined to a name; a list of names goes on after a known one
        ("Satu ja Mikko auttoivat.", "[NIMI] ja [NIMI] auttoivat."),
        ("Tack till Petra, Jonas och alla andra.", "Tack till [NIMI], [NIMI] och alla andra."),
        # thanks before a name in capitals
        ("KIITOS NIINA, PARAS HOITAJA!", "KIITOS [NIMI], PARAS HOITAJA!"),
        # a role ending a sentence does not make the next sentence's first word a name
        ("Olen lasten äiti. Sitä ei kysytty.", "Olen lasten äiti. Sitä ei kysytty."),
        ("Soitin lääkärille\nKela ei vastannut.", "Soitin lääkärille\nKela ei vastannut."),
        ("Hoito tri. Virtaselta oli hyvää.", "Hoito tri. [NIMI] oli hyvää."),
        ("Hoitaja Mikko-Petteri Korhonen-Virtanen auttoi.", "Hoitaja [NIMI] auttoi."),
        (
            "Sulo-kodin ja Pohjois-Karjalan väki oli ystävällistä.",
            "Sulo-kodin ja Pohjois-Karjalan väki oli ystävällistä.",
        ),
    ],
)
def test_redact_name_rules(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # after a role, a capitalised form of a very common verb or function word is that word
        ("Hoitaja Oli todella tyly", "Hoitaja Oli todella tyly"),
        ("Hoitaja Oli Todella Tyly.", "Hoitaja Oli Todella Tyly."),
        ("Lääkäri On aina kiireinen.", "Lääkäri On aina kiireinen."),
        ("Hoitaja Ei vastannut soittoihin.", "Hoitaja Ei vastannut soittoihin."),
        ("Äitini Sai väärän lääkkeen.", "Äitini Sai väärän lääkkeen."),
        ("Lääkäri Tuli paikalle vasta illalla.", "Lääkäri Tuli paikalle vasta illalla."),
        ("Hoitaja Meni kahville kesken kaiken.", "Hoitaja Meni kahville kesken kaiken."),
        ("Lääkäri Sanoi ettei mitään voi tehdä.", "Lääkäri Sanoi ettei mitään voi tehdä."),
        ("Soitin hoitajalle Kun mitään ei kuulunut.", "Soitin hoitajalle Kun mitään ei kuulunut."),
        ("Hoitajat Kuin robotteja, ei empatiaa.", "Hoitajat Kuin robotteja, ei empatiaa."),
        ("Lääkäri Olin varannut ajan kuukausi sitten.", "Lääkäri Olin varannut ajan kuukausi sitten."),
        ("Hoitaja Kertoi tuloksista.", "Hoitaja Kertoi tuloksista."),
        ("Isäni Hän ei enää jaksa.", "Isäni Hän ei enää jaksa."),
        # the same word is a name when a surname follows it or a title or 'nimeltä' announces it
        ("Lääkäri Oli Mäkinen oli ystävällinen", "Lääkäri [NIMI] oli ystävällinen"),
        ("Hoitaja Oli Virtanen auttoi meitä.", "Hoitaja [NIMI] auttoi meitä."),
        ("Sairaanhoitaja Sai Korhonen hoiti isää.", "Sairaanhoitaja [NIMI] hoiti isää."),
        ("Lääkäri Oli Lindström soitti.", "Lääkäri [NIMI] soitti."),
        ("Vastaanotolla tri. Oli kertoi tuloksista.", "Vastaanotolla tri. [NIMI] kertoi tuloksista."),
        ("Hoitaja nimeltä Oli auttoi meitä.", "Hoitaja nimeltä [NIMI] auttoi meitä."),
        ("Kiitos hoitaja Oli Nieminen!", "Kiitos hoitaja [NIMI]!"),
        # known names, rare verb forms and nouns after a role stay names
        ("Hoitaja Anna auttoi.", "Hoitaja [NIMI] auttoi."),
        ("Isäni Toivo jäi odottamaan.", "Isäni [NIMI] jäi odottamaan."),
        ("Hoitaja Tuuli oli ihana.", "Hoitaja [NIMI] oli ihana."),  # tuuli: also 'it was windy'
        ("Hoitaja Usko jaksoi kuunnella.", "Hoitaja [NIMI] jaksoi kuunnella."),
        ("Hoitaja Uskon kanssa sovittiin.", "Hoitaja [NIMI] kanssa sovittiin."),  # uskon: 'I believe'
        ("Lääkäri Ellen Nyman soitti.", "Lääkäri [NIMI] soitti."),
        ("Hammaslääkäri Kallio on paras.", "Hammaslääkäri [NIMI] on paras."),
        ("Hoitaja Oli Anna, joka auttoi.", "Hoitaja Oli [NIMI], joka auttoi."),
        # in lower case nothing changes
        ("Hoitaja oli todella tyly", "Hoitaja oli todella tyly"),
        ("lääkäri oli mäkinen", "lääkäri oli mäkinen"),
    ],
)
def test_redact_common_verb_after_role(text, expected):
    assert redact(text) == expected


# Frequent verb and function-word forms of feedback (olla, saada, tulla, mennä, sanoa ...), each
# capitalised after a role: none of them is a name there. Not here: aina (also the name Aina, so
# a name after a role) and kaikki (the lexicon files it as a noun, as it does kallio).
COMMON_FORMS = """
oli olin olit olimme olivat olisi olisin ole olen olet on ovat oltiin ollut ei en et emme eivät sai saa
saan saatiin saanut tuli tulee tulin tulivat meni menin menee sanoi sanoin sanoo kysyi kysyin kertoi
kävi otti antoi piti pitää jäi lähti pääsi voi voisi voin pitäisi täytyi tiesi näki laittoi
kun kuin että jos mutta vaikka koska joten ja tai sekä eli
hän he se ne tämä tuo minä sinä me te joka mikä kukaan
heti vielä jo nyt myös vain siis ehkä sitten taas kanssa
""".split()


@pytest.mark.parametrize("form", COMMON_FORMS)
def test_redact_keeps_capitalised_common_forms_after_a_role(form):
    for role in ("Hoitaja", "Lääkäri", "Äitini"):
        text = f"{role} {form.capitalize()} todella tyly."
        assert redact(text) == text


# --- personal identity codes ---------------------------------------------------------------

VALID_HETUS = [
    "131052-308T",  # the example in DVV's documentation
    "280248-147T",
    "311299-9551",
    "010101+456D",  # born in the 1800s
    "150605A278S",
    "290200A160F",  # 29 February 2000, a leap day
    "290296W012F",  # 29 February 1996
    "070785Y4022",  # the century signs added in 2023
    "121266X789W",
    "050543V6400",
    "180921U227L",
    "240312B331N",
    "010123C011R",
    "151115D876N",
    "090909E0909",
    "300624F512W",
]
INVALID_HETUS = [
    "131052-308U",  # wrong check character
    "131052-308t",  # lower-case check character
    "131052G308T",  # no such century sign
    "131052Z308T",
    "290201A160F",  # 29 February 2001 does not exist
    "310490-123A",  # 31 April
    "321299-1234",  # day 32
    "011399-1234",  # month 13
    "131052-30T",  # too short
    "131052-3O8T",  # a letter O for a zero
    "",
]


@pytest.mark.parametrize("code", VALID_HETUS)
def test_hetu_is_valid_accepts_real_codes(code):
    assert hetu_is_valid(code)
    assert redact(f"Tunnukseni on {code}.") == "Tunnukseni on [HETU]."


@pytest.mark.parametrize("code", INVALID_HETUS)
def test_hetu_is_valid_rejects_bad_codes(code):
    assert not hetu_is_valid(code)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a plausible typo of a code (possible date, code shape) is still redacted
        ("Koodi 131052-308U kirjoitettu väärin.", "Koodi [HETU] kirjoitettu väärin."),
        ("Koodi 131052-308t pienellä.", "Koodi [HETU] pienellä."),
        ("Koodi 131052 - 308T välilyönneillä.", "Koodi [HETU] välilyönneillä."),
        ("Koodi 131052-308 ilman tarkistetta.", "Koodi [HETU] ilman tarkistetta."),
        ("hetu: 131052308T", "hetu: [HETU]"),  # after the word hetu, any code-like string
        # an impossible date is a case or reference number, not a code
        ("Diaarinumero 321299-1234.", "Diaarinumero 321299-1234."),
        ("Viite 011399-1234.", "Viite 011399-1234."),
        ("Syntynyt 13.10.1952.", "Syntynyt 13.10.1952."),
        ("Päivämäärä 131052 lomakkeessa.", "Päivämäärä 131052 lomakkeessa."),
    ],
)
def test_redact_hetu_typos_and_lookalikes(text, expected):
    assert redact(text) == expected


def test_hetu_check_character_table():
    assert len(HETU_CHECK_CHARACTERS) == 31
    assert not set("GIOQZ") & set(HETU_CHECK_CHARACTERS)
    assert set(HETU_CENTURIES) == set("+-YXWVUABCDEF")


# --- other detectors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("iban", "valid"),
    [
        ("FI21 1234 5600 0007 85", True),
        ("FI2112345600000785", True),
        ("SE45 5000 0000 0583 9825 7466", True),
        ("GB82 WEST 1234 5698 7654 32", True),
        ("FI21 1234 5600 0007 86", False),
        ("GB82 WEST 1234 5698 7654 33", False),
    ],
)
def test_iban_is_valid(iban, valid):
    assert iban_is_valid(iban) is valid


@pytest.mark.parametrize(
    "text",
    [
        "Puhelin 040 123 4567 ja sähköposti anna@example.fi, hetu 131052-308T.",
        "Hoitaja Anna ja lääkäri Virtanen; Kotikatu 5 B 12, 00100 Helsinki; FI21 1234 5600 0007 85.",
        "",
        "Ei henkilötietoja lainkaan.",
    ],
)
def test_find_personal_data_agrees_with_redact(text):
    findings = find_personal_data(text)
    assert findings == sorted(findings, key=lambda f: f.start)
    rebuilt = findings_from_redacted(text, redact(text))
    assert rebuilt == findings


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kiitos @terveystalo!", "Kiitos [KAYTTAJA]!"),
        ("@anna@mastodon.social kertoi", "[EMAIL] kertoi"),  # a fediverse account is an address
        ("@0@0", "[KAYTTAJA]"),
        ("anna@example.fi", "[EMAIL]"),
    ],
)
def test_a_mention_is_redacted_whole(text, expected):
    assert redact(text) == expected
    assert redact(expected) == expected


def test_findings_from_redacted_rejects_a_different_text():
    with pytest.raises(ValueError, match="not the text"):
        findings_from_redacted("Hoitaja Anna oli kiva.", "Hoitaja [NIMI] oli tyly.")


def test_findings_from_redacted_rejects_ambiguous_spans():
    with pytest.raises(ValueError, match="different spans"):
        findings_from_redacted("Anna, Liisa, Mikko", "[NIMI], [NIMI]")


def test_redact_rejects_non_text():
    with pytest.raises(RedactionInputError, match="got bytes") as raised:
        redact(b"Hoitaja Anna")
    assert isinstance(raised.value, PalauteluokitinError)


def test_redact_logs_nothing(caplog):
    caplog.set_level(logging.DEBUG)
    redact("Hoitaja Anna Virtanen, puh. 040 123 4567, hetu 131052-308T.")
    assert caplog.records == []


# --- idempotence and placeholders ----------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_redact_twice_is_redact_once(case):
    once = redact(case["text"])
    assert redact(once) == once


@pytest.mark.parametrize(
    "text",
    [
        " ".join(PLACEHOLDERS),
        "hoitaja [NIMI] soitti numerosta [PUHELIN]",
        "t. [NIMI]",
        "[NIMI]-hoitaja, [OSOITE], [HETU], [EMAIL], [TILINUMERO]",
        "Lääkäri [NIMI] [NIMI]",
    ],
)
def test_placeholders_are_not_redacted_again(text):
    assert find_personal_data(text) == []


# --- properties ----------------------------------------------------------------------------

any_text = st.text(max_size=300)
# Finnish-looking text with the characters personal data is made of.
feedback_text = st.text(
    alphabet=st.sampled_from(list("aeiouyäökltnsrmhvpjdAEKLMSTHV0123456789 .,-+@:()\n")), max_size=200
)


@st.composite
def valid_hetus(draw) -> str:
    sign = draw(st.sampled_from(sorted(HETU_CENTURIES)))
    century = HETU_CENTURIES[sign]
    born = draw(st.dates(min_value=date(century, 1, 1), max_value=date(century + 99, 12, 31)))
    number = draw(st.integers(min_value=2, max_value=999))
    digits = f"{born:%d%m}{born.year % 100:02d}"
    return f"{digits}{sign}{number:03d}{HETU_CHECK_CHARACTERS[int(f'{digits}{number:03d}') % 31]}"


emails = st.builds(
    "{}@{}.{}".format,
    st.from_regex(r"[a-z0-9]([a-z0-9._-]{0,20}[a-z0-9])?", fullmatch=True),
    st.from_regex(r"[a-z0-9]([a-z0-9-]{0,15}[a-z0-9])?", fullmatch=True),
    st.sampled_from(["fi", "com", "net", "org", "se"]),
)


@settings(deadline=None)  # the first example loads the lexicon
@given(any_text)
def test_redact_never_raises_and_spans_are_sound(text):
    findings = find_personal_data(text)
    for first, second in zip(findings, findings[1:], strict=False):
        assert first.end <= second.start
    assert all(0 <= f.start < f.end <= len(text) and f.kind in KINDS for f in findings)
    assert isinstance(redact(text), str)


@settings(deadline=None)
@given(valid_hetus())
def test_generated_hetus_are_valid(code):
    assert hetu_is_valid(code)


@settings(deadline=None)
@given(any_text, valid_hetus(), any_text)
def test_redact_removes_every_valid_hetu(before, code, after):
    assert code not in redact(before + code + after)


@settings(deadline=None)
@given(feedback_text, valid_hetus(), feedback_text)
def test_redact_removes_every_valid_hetu_in_feedback_like_text(before, code, after):
    assert code not in redact(before + code + after)


@settings(deadline=None)
@given(any_text, emails, any_text)
def test_redact_removes_every_email(before, email, after):
    assert email not in redact(before + email + after)


@settings(max_examples=200, deadline=None)
@given(feedback_text)
@example("-Ad@0")  # a name glued to an @: its placeholder's "]" must not start a handle
def test_redact_is_idempotent(text):
    once = redact(text)
    assert redact(once) == once


# --- long inputs: the result is right, and it finishes (timings are in the benchmark) ---------


def test_redact_ten_megabytes_matches_line_by_line():
    """A whole file gives what its lines give one by one (no rule here spans a newline)."""
    lines = [case["text"] for case in CASES]
    expected_lines = [redact(line) for line in lines]
    block, expected_block = "\n".join(lines) + "\n", "\n".join(expected_lines) + "\n"
    repeats = 10_000_000 // len(block.encode()) + 1
    result = redact(block * repeats)
    assert len((block * repeats).encode()) >= 10_000_000
    assert result == expected_block * repeats


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Soitin hoitaja Annalle numeroon 040 123 4567 ja kirjoitin osoitteeseen anna@example.fi. "
            * 11_400,
            "Soitin hoitaja [NIMI] numeroon [PUHELIN] ja kirjoitin osoitteeseen [EMAIL]. " * 11_400,
        ),
        ("a" * 1_000_000 + " matti@example.fi", "a" * 1_000_000 + " [EMAIL]"),
        ("0" * 1_000_000, "0" * 1_000_000),
        ("@" * 1_000_000, "@" * 1_000_000),
        ("A" * 1_000_000, "A" * 1_000_000),
        ("Kiitos Annalle. " * 62_500, "Kiitos [NIMI]. " * 62_500),
        ("010190-" * 142_858, "010190-" * 142_858),
        ("x " * 500_000 + "131052-308T", "x " * 500_000 + "[HETU]"),
        ("Kotikatu 5 " * 90_910, "[OSOITE] " * 90_910),
        (" " * 1_000_000 + "t. Mikko", " " * 1_000_000 + "t. [NIMI]"),
    ],
    ids=[
        "feedback",
        "letters-then-email",
        "zeros",
        "at-signs",
        "capitals",
        "names",
        "hetu-prefixes",
        "late-hetu",
        "addresses",
        "spaces-then-signature",
    ],
)
def test_redact_million_character_lines(text, expected):
    assert len(text) >= 1_000_000
    assert redact(text) == expected


# --- spaCy-fi named-entity recognition -----------------------------------------------------


def ner_or_skip() -> None:
    """Load spaCy-fi's recogniser; skip where it is not installed, fail instead where the
    environment requires the spacy-fi backend (CI), as conftest.lemmatizer_or_skip does.
    Loading only the recogniser spares the seconds the full lemmatiser pipeline takes."""
    try:
        redact_module._ner_pipeline()
    except BackendUnavailableError as error:
        if "spacy-fi" in REQUIRED:
            pytest.fail(f"required backend 'spacy-fi' is unavailable: {error}")
        pytest.skip(f"spaCy-fi's recogniser is unavailable here: {error}")


def test_redact_with_ner_finds_names_the_rules_miss():
    ner_or_skip()
    text = "Sari kertoi tuloksista selkeästi."
    assert redact(text) == text
    assert redact(text, ner=True) == "[NIMI] kertoi tuloksista selkeästi."


@pytest.mark.parametrize("case", CASES[::8], ids=[case["id"] for case in CASES[::8]])
def test_redact_with_ner_keeps_every_rule_finding(case):
    ner_or_skip()
    with_ner = find_personal_data(case["text"], ner=True)
    for finding in find_personal_data(case["text"]):
        assert any(f.start <= finding.start and finding.end <= f.end for f in with_ner)


def test_redact_with_ner_splits_long_text(monkeypatch):
    ner_or_skip()
    monkeypatch.setattr(redact_module, "NER_CHUNK", 200)  # spaCy sees the text in short pieces
    text = "Kiitos hoitajille. " * 40 + "Hoitaja Anna oli ihana. " + "Kiitos hoitajille. " * 40
    assert (
        redact(text, ner=True)
        == "Kiitos hoitajille. " * 40 + "Hoitaja [NIMI] oli ihana. " + "Kiitos hoitajille. " * 40
    )


def test_redact_with_ner_needs_spacy_fi(monkeypatch):
    monkeypatch.setitem(sys.modules, redact_module.NER_PACKAGE, None)  # an import that fails
    redact_module._ner_pipeline.cache_clear()
    try:
        with pytest.raises(BackendUnavailableError, match="uv sync --extra spacy-fi"):
            redact("Hoitaja Anna", ner=True)
    finally:
        redact_module._ner_pipeline.cache_clear()
    assert Finding("NIMI", 8, 12) in find_personal_data("Hoitaja Anna")
