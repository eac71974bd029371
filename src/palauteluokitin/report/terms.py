"""The words and phrases most typical of a group of comments, for the analyst report."""

from __future__ import annotations

import math
from collections import Counter
from functools import lru_cache

import pandas as pd

# Lemmas kept although spaCy lists them as stop words: they carry meaning in care feedback.
KEEP_LEMMAS = {"hyvä", "hyvin", "apu", "aika", "kiitos", "heti", "hitaasti", "nopeasti", "nopea", "kauan"}
KEEP_LEMMAS |= {"vaikea", "tarve", "yhteys", "liian", "kukaan", "yhdessä", "eri", "pian", "uudelleen"}
MIN_TERM_DOCS = 3
TOP_TERMS = 8


@lru_cache(maxsize=1)
def _lexicon():
    from palauteluokitin.text.lemmatizers import get_lemmatizer

    return get_lemmatizer("lexicon")


def comment_terms(texts: pd.Series) -> list[set[str]]:
    """Content lemmas and lemma bigrams ("ei kuunnella") of each comment. Stop words,
    punctuation, numbers and capitalised words inside a sentence (likely names) are left out."""
    from spacy.lang.fi.stop_words import STOP_WORDS

    from palauteluokitin.text.tokenize import tokenize

    stop = (set(STOP_WORDS) | {"voida"}) - KEEP_LEMMAS
    lemmatizer = _lexicon()
    result = []
    for text in texts.astype(str):
        tokens = tokenize(text)
        lemmas = lemmatizer.lemmatize_tokens(tokens)
        content = [
            token.isalpha()
            and len(lemma) > 1
            and lemma not in stop
            and not (token.istitle() and index > 0 and tokens[index - 1] not in ".!?")
            for index, (token, lemma) in enumerate(zip(tokens, lemmas, strict=True))
        ]
        terms = {lemma for lemma, keep in zip(lemmas, content, strict=True) if keep}
        for i in range(1, len(tokens)):
            if content[i] and (content[i - 1] or lemmas[i - 1] == "ei"):
                terms.add(f"{lemmas[i - 1]} {lemmas[i]}")
        result.append(terms)
    return result


def typical_terms(term_sets: list[set[str]], in_group: pd.Series, top: int = TOP_TERMS) -> list:
    """The terms most typical of the group against the rest: log-odds ratio with an
    informative Dirichlet prior (Monroe et al. 2008), z-scored, counted once per comment."""
    inside, outside = Counter(), Counter()
    for terms, member in zip(term_sets, in_group, strict=True):
        (inside if member else outside).update(terms)
    n_in, n_out = sum(inside.values()), sum(outside.values())
    total = inside + outside
    prior_total = 0.1 * (n_in + n_out)
    min_docs = max(MIN_TERM_DOCS, math.ceil(0.01 * int(in_group.sum())))
    scored = []
    for term, y_in in inside.items():
        if y_in < min_docs:
            continue
        a = prior_total * total[term] / (n_in + n_out)
        y_out = outside[term]
        delta = math.log((y_in + a) / (n_in + prior_total - y_in - a))
        delta -= math.log((y_out + a) / (n_out + prior_total - y_out - a))
        z = delta / math.sqrt(1 / (y_in + a) + 1 / (y_out + a))
        if z > 1.96:
            scored.append((z, term, y_in))
    scored.sort(key=lambda item: (-item[0], item[1]))
    chosen: list[tuple[str, int]] = []
    for _, term, count in scored:
        # A word and a pair holding it, in nearly the same comments: keep only the pair.
        if any(term in other.split() and count <= 1.25 * c for other, c in chosen):
            continue
        same = [i for i, (other, c) in enumerate(chosen) if other in term.split() and c <= 1.25 * count]
        if same:
            chosen[same[0]] = (term, count)
        elif len(chosen) < top:
            chosen.append((term, count))
    return chosen
