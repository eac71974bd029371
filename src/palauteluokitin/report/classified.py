"""The classified export as the analyst report reads it: its columns, validated rows and values.

`classified_rows(frame)` checks the label columns and keeps the classified rows;
`parse_date` and `parse_nps` (from `exports.values`) read the free-form values of the
date and NPS columns.
"""

from __future__ import annotations

import pandas as pd

from palauteluokitin.errors import ReportInputError
from palauteluokitin.exports.values import parse_date, parse_nps  # noqa: F401  (the report's readers)
from palauteluokitin.labels import EMPTY_COMMENT, FLAG, OUTPUT_COLUMNS, RIGHTS_CATEGORIES, SENTIMENTS

# The classify output columns the report reads (not lang and model_version).
REQUIRED_COLUMNS = tuple(name for name in OUTPUT_COLUMNS if name not in ("lang", "model_version"))


def is_blank(series: pd.Series) -> pd.Series:
    """True where a cell is missing, empty or a textual null ("nan", "None", "<NA>")."""
    return series.isna() | (series.astype(str).str.strip().isin(["", "nan", "None", "<NA>"]))


def classified_rows(frame: pd.DataFrame) -> tuple[pd.DataFrame, int, int]:
    """The rows that were classified, with numeric label columns; the count of answers
    without a comment; and the count of the other rows with a problem."""
    missing = [name for name in REQUIRED_COLUMNS if name not in frame.columns]
    if missing:
        raise ReportInputError(
            f"The file is not a classified export: missing column(s) {', '.join(missing)}. "
            "Run `palauteluokitin classify` on it first."
        )
    problem = ~is_blank(frame["problem"])
    rows = frame.loc[~problem].copy()
    if rows.empty:
        raise ReportInputError(f"None of the {len(frame)} rows was classified (every row has a problem).")
    for name in (*RIGHTS_CATEGORIES, FLAG):
        values = pd.to_numeric(rows[name], errors="coerce")
        _check(rows, name, values.isin([0, 1]), "0 or 1")
        rows[name] = values.astype(int)
    rows["sentiment"] = rows["sentiment"].astype(str).str.strip()
    _check(rows, "sentiment", rows["sentiment"].isin(SENTIMENTS), ", ".join(SENTIMENTS))
    for name in REQUIRED_COLUMNS:
        if name.endswith("_score"):
            rows[name] = pd.to_numeric(rows[name], errors="coerce").fillna(0.0)
    rows["flag_reasons"] = rows["flag_reasons"].where(~is_blank(rows["flag_reasons"]), "").astype(str)
    empty = frame["problem"].astype(str).str.strip() == EMPTY_COMMENT
    return rows, int(empty.sum()), int((problem & ~empty).sum())


def _check(rows: pd.DataFrame, name: str, ok: pd.Series, expected: str) -> None:
    if not ok.all():
        first = rows.index.get_loc(ok[~ok].index[0])
        raise ReportInputError(
            f"Column {name!r} must be {expected} on classified rows; {int((~ok).sum())} row(s) are not, "
            f"the first at data row {first + 1}."
        )
