"""The default label scheme (../shared/LABELS.md): names used by data, models and reports."""

from __future__ import annotations

RIGHTS_CATEGORIES = ("kohtelu", "arvokkuus", "tiedonsaanti", "saumattomuus")
SENTIMENTS = ("positiivinen", "negatiivinen", "ristiriitainen", "neutraali")
FLAG = "epaasiallinen_kohtelu"
# The `problem` of an answer left without a comment (a score only): normal in real forms,
# so it is counted apart from the rows that could not be read or classified.
EMPTY_COMMENT = "empty comment"
# Every label column of an annotated file, in the corpus's order.
LABEL_COLUMNS = (*RIGHTS_CATEGORIES, "sentiment", FLAG)
LANGUAGES = ("fi", "sv", "en")
SPLITS = ("train", "dev", "test")

# The columns `palauteluokitin classify` adds to an export, in order.
OUTPUT_COLUMNS = (
    *(name for label in RIGHTS_CATEGORIES for name in (label, f"{label}_score")),
    "sentiment",
    "sentiment_score",
    FLAG,
    f"{FLAG}_score",
    "flag_reasons",
    "lang",
    "model_version",
    "problem",
)
# How they are typed in every output (pandas dtypes; the rest are text): 0/1 labels as
# small integers and scores as floats, even where every value is missing.
SCORE_COLUMNS = tuple(column for column in OUTPUT_COLUMNS if column.endswith("_score"))
OUTPUT_DTYPES = {
    **{label: "Int8" for label in (*RIGHTS_CATEGORIES, FLAG)},
    **dict.fromkeys(SCORE_COLUMNS, "float64"),
}

# Words whose presence makes a mistreatment complaint "obvious"; the corpus must also
# hold flagged comments without any of them (stems, matched at word starts).
OBVIOUS_FLAG_STEMS = (
    "tyly",
    "töykeä",
    "töykei",
    "huus",
    "huuta",
    "huud",
    "nöyryyt",
    "epäasiallis",
    "ylimielis",
    "loukkaa",
    "loukkaav",
    "rasist",
)
