"""Build the `lexicon` backend's SQLite file from the `voikko` backend.

Word forms: simplemma's Finnish forms and spacy-fi's vocabulary, kept where spacy-fi's
500,000-entry web frequency table lists them. Each form gets the voikko backend's
readings; a form Voikko does not know gets simplemma's lemma. Needs the native
libvoikko, voikko-fi and the spacy-fi extra:

    uv run --extra spacy-fi python -m palauteluokitin.text.lemmatizers.lexicon_build
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sqlite3
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from palauteluokitin.text.lemmatizers.lexicon_file import (
    LEXICON_PATH,
    RULE_MAX_SUFFIX,
    Reading,
    decode_readings,
    encode_readings,
)
from palauteluokitin.text.lemmatizers.voikko import VoikkoLemmatizer

SIMPLEMMA_CLASS = "simplemma"
RULE_MIN_COUNT, RULE_MIN_SHARE = 5, 0.6


def installed_version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def spacy_fi_vocabulary():
    """(strings, frequency table) of the spacy-fi package's vocabulary."""
    import spacy_fi_experimental_web_md
    from spacy.lookups import Lookups

    package = Path(spacy_fi_experimental_web_md.__file__).parent
    vocab = next(package.glob("fi_experimental_web_md-*/vocab"))
    lookups = Lookups()
    lookups.from_disk(vocab)
    strings = json.loads((vocab / "strings.json").read_text(encoding="utf-8"))
    return strings, lookups.get_table("lexeme_prob")


def candidate_forms() -> Iterator[tuple[str, str | None, float | None]]:
    """(lower-cased form, simplemma lemma or None, log probability on the web or None)."""
    from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

    strings, frequency = spacy_fi_vocabulary()
    simplemma_fi = DefaultDictionaryFactory().get_dictionary("fi")
    seen = set()
    for form, lemma in simplemma_fi.items():
        form = form.lower()
        if form not in seen and form.isalpha() and form in frequency:
            seen.add(form)
            yield form, lemma.lower(), frequency[form]
    for form in strings:
        form = form.lower()
        if form not in seen and form.isalpha():
            seen.add(form)
            yield form, None, frequency.get(form)


def suffix_rules(rows: list[tuple[str, str]]) -> list[tuple[str, int, str, str]]:
    """For each word ending, the lemma rewrite most forms with that ending take.

    A rewrite strips characters from the end and appends others (häkkisen -> häkkinen:
    strip 3, append "nen"). An ending is kept when one rewrite covers at least
    RULE_MIN_SHARE of its forms and RULE_MIN_COUNT forms or more.
    """
    counts: dict[str, Counter] = defaultdict(Counter)
    for form, encoded in rows:
        best = decode_readings(encoded)[0]
        lemma = best.lemma.lower()
        if best.word_class == SIMPLEMMA_CLASS or best.compound_parts:
            continue
        common = len(os.path.commonprefix([form, lemma]))
        if common < 2:
            continue
        rule = (len(form) - common, lemma[common:], best.word_class)
        for length in range(1, min(RULE_MAX_SUFFIX, len(form) - 2) + 1):
            counts[form[-length:]][rule] += 1
    rules = []
    for suffix, rule_counts in counts.items():
        (strip, append, word_class), top = rule_counts.most_common(1)[0]
        total = sum(rule_counts.values())
        if top >= RULE_MIN_COUNT and top / total >= RULE_MIN_SHARE:
            rules.append((suffix, strip, append, word_class))
    return sorted(rules)


def lemma_frequencies(form_lemmas: list[tuple[float, tuple[str, ...]]], rounds: int = 3) -> Counter:
    """How much of the text each lemma accounts for, from word-form frequencies.

    An ambiguous form's frequency is shared among its lemmas in proportion to how
    frequent each lemma is otherwise (expectation maximisation), so "pieni" goes to the
    adjective, not to the rare verb "pieniä" that has the same form.
    """
    mass: Counter = Counter()
    for frequency, lemmas in form_lemmas:
        for lemma in lemmas:
            mass[lemma] += frequency / len(lemmas)
    for _ in range(rounds):
        updated: Counter = Counter()
        for frequency, lemmas in form_lemmas:
            total = sum(mass[lemma] for lemma in lemmas)
            for lemma in lemmas:
                updated[lemma] += frequency * mass[lemma] / total
        mass = updated
    return mass


def build(path: Path, candidates: Iterable[tuple[str, str | None, float | None]] | None = None) -> dict:
    """Write the lexicon to `path` from `candidates` (default: `candidate_forms()`)."""
    voikko = VoikkoLemmatizer()
    voikko.check_available()
    started = time.perf_counter()
    rows, from_voikko, from_simplemma = [], 0, 0
    form_lemmas: list[tuple[float, tuple[str, ...]]] = []
    for form, simplemma_lemma, log_probability in candidates or candidate_forms():
        readings = voikko._analyse(form)
        if readings:
            from_voikko += 1
        elif simplemma_lemma:
            readings = (Reading(simplemma_lemma, SIMPLEMMA_CLASS, 0.0),)
            from_simplemma += 1
        else:
            continue
        rows.append((form, encode_readings(readings)))
        if log_probability is not None:
            form_lemmas.append((math.exp(log_probability), tuple({r.lemma.lower() for r in readings})))
    rows.sort()
    rules = suffix_rules(rows)
    lemma_mass = lemma_frequencies(form_lemmas)
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    with sqlite3.connect(tmp) as db:
        db.execute("CREATE TABLE lexicon (form TEXT PRIMARY KEY, readings TEXT NOT NULL) WITHOUT ROWID")
        db.executemany("INSERT INTO lexicon VALUES (?, ?)", rows)
        db.execute(
            "CREATE TABLE suffix_rules (suffix TEXT PRIMARY KEY, strip INTEGER NOT NULL, "
            "append TEXT NOT NULL, word_class TEXT NOT NULL) WITHOUT ROWID"
        )
        db.executemany("INSERT INTO suffix_rules VALUES (?, ?, ?, ?)", rules)
        db.execute(
            "CREATE TABLE lemma_frequency (lemma TEXT PRIMARY KEY, log_frequency REAL NOT NULL) WITHOUT ROWID"
        )
        db.executemany(
            "INSERT INTO lemma_frequency VALUES (?, ?)",
            sorted((lemma, round(math.log(mass), 2)) for lemma, mass in lemma_mass.items()),
        )
        info = {
            "forms": len(rows),
            "forms_from_voikko": from_voikko,
            "forms_from_simplemma": from_simplemma,
            "suffix_rules": len(rules),
            "lemmas_with_frequency": len(lemma_mass),
            "libvoikko_dictionary": voikko._voikko.listDicts()[0].description
            if voikko._voikko.listDicts()
            else "",
            "simplemma": version("simplemma"),
            "spacy_fi_experimental_web_md": installed_version("spacy-fi-experimental-web-md"),
            "seconds": round(time.perf_counter() - started, 1),
        }
        db.execute("CREATE TABLE info (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.executemany("INSERT INTO info VALUES (?, ?)", [(k, str(v)) for k, v in info.items()])
    with sqlite3.connect(tmp) as db:
        db.execute("VACUUM")
    os.replace(tmp, path)
    return info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=LEXICON_PATH)
    args = parser.parse_args()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    print(json.dumps(build(args.output), indent=2))


if __name__ == "__main__":
    main()
