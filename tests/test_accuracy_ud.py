"""Lemma accuracy on a held-out UD treebank must not regress (the full table is the benchmark)."""

from __future__ import annotations

import io

import pytest

from palauteluokitin.text.conllu import lemmatize_conllu

MINIMUM_ACCURACY = {"voikko": 0.92, "simplemma": 0.90}


def accuracy(gold_text: str, predicted_text: str) -> float:
    correct = total = 0
    for gold, pred in zip(gold_text.splitlines(), predicted_text.splitlines(), strict=True):
        gold_cols = gold.split("\t")
        if len(gold_cols) == 10 and gold_cols[0].isdigit():
            total += 1
            correct += pred.split("\t")[2].lower() == gold_cols[2].replace("#", "").lower()
    return correct / total


@pytest.mark.parametrize("backend", sorted(MINIMUM_ACCURACY))
def test_lemma_accuracy_on_tdt_test(backend, ud_file):
    from conftest import lemmatizer_or_skip

    lemmatizer = lemmatizer_or_skip(backend)
    gold = ud_file("fi_tdt-ud-test.conllu").read_text(encoding="utf-8")
    out = io.StringIO()
    lemmatize_conllu(io.StringIO(gold), out, lemmatizer.lemmatize_sentences)
    assert accuracy(gold, out.getvalue()) >= MINIMUM_ACCURACY[backend]
