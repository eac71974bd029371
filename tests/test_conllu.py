"""CoNLL-U in, CoNLL-U out: gold tokens kept, LEMMA filled, every other byte unchanged."""

from __future__ import annotations

import io

import pytest

from palauteluokitin.errors import InputFormatError
from palauteluokitin.text.conllu import lemmatize_conllu, read_sentences

SAMPLE = (
    "# sent_id = 1\n"
    "# text = Hoitajat eivät kuunnelleet.\n"
    "1\tHoitajat\t_\tNOUN\tN\tCase=Nom|Number=Plur\t3\tnsubj\t3:nsubj\t_\n"
    "2-3\teivätkä\t_\t_\t_\t_\t_\t_\t_\t_\n"
    "2\teivät\t_\tAUX\tV\tPolarity=Neg\t3\taux\t3:aux\t_\n"
    "3\tkä\t_\tCCONJ\tC\t_\t0\troot\t0:root\tSpaceAfter=No\n"
    "3.1\tx\t_\t_\t_\t_\t_\t_\t_\t_\n"
    "4\t.\t_\tPUNCT\tPunct\t_\t3\tpunct\t3:punct\t_\n"
    "\n"
    "# sent_id = 2\n"
    "1\tKiitos\t_\tNOUN\tN\t_\t0\troot\t0:root\t_\n"
    "\n"
)


def upper_lemmas(sentences):
    return [[form.upper() for form in forms] for forms in sentences]


def test_only_lemma_column_of_words_changes():
    out = io.StringIO()
    words = lemmatize_conllu(io.StringIO(SAMPLE), out, upper_lemmas)
    assert words == 5
    before, after = SAMPLE.splitlines(), out.getvalue().splitlines()
    assert len(before) == len(after)
    for old, new in zip(before, after, strict=True):
        old_cols, new_cols = old.split("\t"), new.split("\t")
        if len(old_cols) == 10 and old_cols[0].isdigit():
            assert new_cols[2] == old_cols[1].upper()
            assert new_cols[:2] + new_cols[3:] == old_cols[:2] + old_cols[3:]
        else:
            assert new == old


def test_sentences_keep_multiword_and_empty_node_lines_out_of_words():
    sentences = list(read_sentences(io.StringIO(SAMPLE)))
    assert [s.forms for s in sentences] == [["Hoitajat", "eivät", "kä", "."], ["Kiitos"]]


def test_file_without_final_newline_is_read():
    text = "1\tKiitos\t_\tNOUN\tN\t_\t0\troot\t0:root\t_"
    out = io.StringIO()
    assert lemmatize_conllu(io.StringIO(text), out, upper_lemmas) == 1
    assert out.getvalue().split("\t")[2] == "KIITOS"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Hoitaja oli kiva\n", "line 1: expected 10 tab-separated CoNLL-U columns, found 1"),
        ("1\ta\t_\t_\t_\t_\t_\t_\t_\t_\nx\tb\t_\t_\t_\t_\t_\t_\t_\t_\n", "line 2: bad token id 'x'"),
    ],
)
def test_malformed_input_names_the_line(text, message):
    with pytest.raises(InputFormatError, match=message):
        lemmatize_conllu(io.StringIO(text), io.StringIO(), upper_lemmas)
