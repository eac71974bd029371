"""Person names in Finnish feedback, found by rules: titles and roles, signatures, and
words the shipped lexicon (plus a short curated list) knows as first names or surnames.

A capitalised word inside a sentence is taken as a name when it, or its stem without a
case ending (Annalle -> Anna, Virtaselta -> Virtanen, Mikolle -> Mikko), is a known name.
At the start of a sentence only names that are not also common words count (Mikko, not
Toivo, Anna or Satu). After a role (hoitaja, lääkäri, äitini ...) any capitalised word that
is not a place or an organisation counts, except a very common verb or function word that is
no known name (Hoitaja Oli tyly), unless a surname follows it or the role is a title (tri Oli).
After a signature (t., terveisin ...) any capitalised word that is not a common word counts.
"""

from __future__ import annotations

import re
from bisect import bisect

from palauteluokitin.privacy.name_words import (
    PLAIN,
    THANKS,
    TITLE_ABBREVIATIONS,
    WordInfo,
    stems,
    word_info,
)

# Between two names of a list: "Petra, Jonas", "Tuija ja Irma".
JOINERS = frozenset({", ", ",", " ja ", " sekä ", " tai ", " och ", " and ", " & "})
MAX_JOINER = max(map(len, JOINERS))
DASHES = "-–—"
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
SENTENCE_END = frozenset('.!?…:;\n"“”«»()[]•*')
MAX_NAME_TOKENS = 3
_NEXT_WORD = re.compile(r"[ \t]{1,3}([^\W\d_]+(?:['’-][^\W\d_]+)*)")


Word = tuple[int, int, WordInfo]  # start, end, info


def find_names(text: str) -> list[tuple[int, int]]:
    """Character spans of person names in `text`, in order. One pass over the words; each
    word form is classified once, so the cost is linear in the text."""
    spans: list[tuple[int, int]] = []
    held: list[Word] = []  # sentence-opening names that are also common words: "Anna auttaa"
    before = latest = None  # the two previous words (None: a word that plays no part)
    done = 0  # end of the last span
    for match in WORD.finditer(text):
        info = word_info(match.group())
        if info is PLAIN:
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
        seen.setdefault(bisect(newlines, start), set()).update(s for s, _ in stems(text[start:end].lower()))
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
        # hoitaja Kallio; but a verb or function word (Hoitaja Oli tyly) only before a surname
        # (Hoitaja Oli Virtanen) or after a title (tri Oli, hoitaja nimeltä Oli)
        return not info.function_word or previous[2].honorific or _surname_after(text, end)
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


def _surname_after(text: str, end: int) -> bool:
    """A surname or an initial follows the word ending at `end`: 'Oli Virtanen', 'Oli K.'."""
    following = _NEXT_WORD.match(text, end)
    if following is None:
        return False
    start, end = following.span(1)
    info = word_info(following.group(1))
    return _is_initial(text, (start, end, info)) or info.title and info.evidence in ("last", "shape")


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
