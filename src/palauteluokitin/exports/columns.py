"""Which column of an export is which: the comment text, the row id, the unit, the date and
the recommendation score (NPS), by their common Finnish, Swedish and English names.
One place for classify, the review importer, evaluation and the report alike."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from palauteluokitin.errors import ColumnError

TEXT_COLUMN_NAMES = (
    "avoin palaute",
    "vapaa palaute",
    "palaute",
    "kommentti",
    "kommentit",
    "vapaa sana",
    "avoin vastaus",
    "vastaus",
    "text",
    "comment",
    "comments",
    "feedback",
    "response",
    "öppen respons",
    "kommentar",
)
TEXT_COLUMN_PARTS = (
    "palaute",
    "kommentti",
    "comment",
    "feedback",
    "text",
    "kommentar",
    "vapaa sana",
    "avoin",
)
ID_COLUMN_NAMES = (
    "id",
    "vastaus id",
    "vastausid",
    "vastausnumero",
    "response id",
    "respondent id",
    "tunniste",
    "nro",
)
UNIT_COLUMN_NAMES = ("yksikkö", "yksikko", "toimipiste", "toimipaikka", "palvelu", "palveluyksikkö", "unit")
UNIT_COLUMN_NAMES += ("osasto", "palvelualue", "service", "department")
DATE_COLUMN_NAMES = ("pvm", "päivämäärä", "paivamaara", "vastauspäivä", "vastauspvm", "vastausaika", "date")
DATE_COLUMN_NAMES += ("aika", "päiväys", "timestamp", "submitted", "created")
NPS_COLUMN_NAMES = ("nps", "suositteluindeksi", "suosittelu", "suositteluhalukkuus", "recommend")
NPS_COLUMN_PREFIXES = (
    "kuinka todennäköisesti",
    "kuinka todennäköistä",
    "how likely",
    "likelihood to recommend",
)


def _normalise(name: str) -> str:
    return re.sub(r"[\s_\-]+", " ", name.lower()).strip(" ?:.")


def named_text_column(columns, parts: bool = True) -> str | None:
    """The column whose name says it holds the free-text feedback: a known name, else
    (with `parts`) one containing palaute, kommentti, comment…; None if there is none."""
    names = {_normalise(str(column)): column for column in columns}
    for known in TEXT_COLUMN_NAMES:
        if known in names:
            return names[known]
    if not parts:
        return None
    return next(
        (column for normal, column in names.items() if any(part in normal for part in TEXT_COLUMN_PARTS)),
        None,
    )


def detect_text_column(frame: pd.DataFrame) -> str:
    """The column with the free-text feedback: a known name, else the longest texts."""
    named = named_text_column(frame.columns)
    if named is not None:
        return named
    lengths = {}
    for column in frame.columns:
        values = frame[column].dropna().astype(str).head(1000)
        texts = values[values.str.contains(r"[^\W\d_]", regex=True)]
        if len(texts):
            lengths[column] = texts.str.len().mean() * len(texts) / max(len(values), 1)
    if not lengths:
        raise ColumnError(
            f"No column holds text; columns are: {', '.join(map(str, frame.columns))}. "
            "Name the comment column with --text-column."
        )
    return max(lengths, key=lengths.get)


def find_column(frame: pd.DataFrame, names: tuple[str, ...], prefixes: tuple[str, ...] = ()) -> str | None:
    """The first column whose normalised name is one of `names`, else the first that
    starts with one of `prefixes`; None if there is none."""
    by_name = {_normalise(str(column)): column for column in frame.columns}
    found = next((by_name[name] for name in names if name in by_name), None)
    if found is None and prefixes:
        found = next((column for normal, column in by_name.items() if normal.startswith(prefixes)), None)
    return found


def detect_id_column(frame: pd.DataFrame) -> str | None:
    """A column of row identifiers by its name, or None."""
    return find_column(frame, ID_COLUMN_NAMES)


def detect_unit_column(frame: pd.DataFrame) -> str | None:
    """The column naming the unit (yksikkö, toimipiste, osasto, palvelu…), or None."""
    return find_column(frame, UNIT_COLUMN_NAMES)


def detect_date_column(frame: pd.DataFrame) -> str | None:
    """The column with the answer's date (pvm, päivämäärä, vastausaika, date…), or None."""
    return find_column(frame, DATE_COLUMN_NAMES)


def detect_nps_column(frame: pd.DataFrame) -> str | None:
    """The column with the 0–10 recommendation score (NPS, suositteluindeksi, "Kuinka
    todennäköisesti suosittelisit…"), or None."""
    return find_column(frame, NPS_COLUMN_NAMES, NPS_COLUMN_PREFIXES)


@dataclass(frozen=True)
class Columns:
    """The roles of an export's columns; None where the export has no such column."""

    text: str
    id: str | None = None
    unit: str | None = None
    date: str | None = None
    nps: str | None = None


DETECTORS = {
    "text": detect_text_column,
    "id": detect_id_column,
    "unit": detect_unit_column,
    "date": detect_date_column,
    "nps": detect_nps_column,
}


def given_column(columns, name: str | None, option: str) -> str | None:
    """`name` if the export has that column (None stays None); else a ColumnError naming the option."""
    if name is not None and name not in columns:
        listed = ", ".join(map(str, columns))
        raise ColumnError(f"The export has no column {name!r} ({option}); its columns are: {listed}.")
    return name


def choose_columns(frame: pd.DataFrame, **given: str | None) -> Columns:
    """The columns named in `given` (text=, id=, unit=, date=, nps=), checked to exist;
    the others detected by name (the text column also by its content)."""
    unknown = set(given) - set(DETECTORS)
    if unknown:
        raise TypeError(f"unknown column role(s): {', '.join(sorted(unknown))}")
    chosen = {}
    for role, detect in DETECTORS.items():
        name = given_column(frame.columns, given.get(role), f"--{role}-column")
        chosen[role] = name if name is not None else detect(frame)
    return Columns(**chosen)
