"""Writing classified exports: CSV/TSV, Excel, Parquet, JSON Lines, one chunk at a time.

A writer writes to a temporary file beside the target, readable by its owner only, and
renames it when done, so a failed run never leaves half a file. In CSV and Excel output,
cells a spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

import pandas as pd

from palauteluokitin.errors import OutputError
from palauteluokitin.exports.read import format_of

WRITE_FORMATS = {".csv": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".parquet": "parquet", ".jsonl": "jsonl"}
EXCEL_MAX_CHARS = 32_767
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# RFC 4180's line end. The csv module quotes a field only for the characters of its line
# end: with "\n" alone, a field holding a bare carriage return went out unquoted and
# split its row in two for every reader.
CSV_LINE_END = "\r\n"
NUMBER = re.compile(r"[+-]?\d+([.,]\d+)?([eE][+-]?\d+)?")


def _formula_like(value: str) -> bool:
    """Starts like a formula once any leading apostrophes are set aside, and is no number."""
    bare = value.lstrip("'")
    return bare.startswith(FORMULA_START) and not NUMBER.fullmatch(bare)


def neutralise_formula(value):
    """A cell a spreadsheet would run as a formula gets a leading apostrophe; numbers stay.
    A cell that only looks neutralised ('=x) gets one too, so `restore_formula` is exact."""
    if isinstance(value, str) and _formula_like(value):
        return "'" + value
    return value


def restore_formula(value: str) -> str:
    """The cell `neutralise_formula` was given: for files read back as data (the corpus)."""
    if value.startswith("'") and _formula_like(value):
        return value[1:]
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """`neutralise_formula` of every cell; only text columns can hold a formula."""
    changed = {}
    for column, values in frame.select_dtypes(include=["object", "string"]).items():
        if any(isinstance(value, str) and _formula_like(value) for value in values):
            changed[column] = values.map(neutralise_formula)
    return frame.assign(**changed) if changed else frame


class ExportWriter:
    """Writes chunks of one frame shape to a temporary file; `commit` renames it into place."""

    def __init__(self, path: Path, overwrite: bool = False) -> None:
        self.path = Path(path)
        self.kind = format_of(self.path, WRITE_FORMATS, "write")
        if self.path.exists() and not overwrite:
            raise OutputError(f"{self.path} exists; pass --overwrite to replace it.")
        if not self.path.parent.is_dir():
            raise OutputError(f"Cannot write {self.path}: folder {self.path.parent} does not exist.")
        handle, temporary = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".part", dir=self.path.parent
        )
        os.close(handle)
        self.temporary = Path(temporary)  # mkstemp makes it 0600: only the finished file may be read
        self._target = None

    def write(self, frame: pd.DataFrame) -> None:
        if self.kind in ("csv", "xlsx"):
            frame = neutralise_formulas(frame).rename(columns=neutralise_formula)
        getattr(self, f"_write_{self.kind}")(frame)

    def _write_csv(self, frame: pd.DataFrame) -> None:
        delimiter = "\t" if self.path.suffix.lower() == ".tsv" else ","
        header = self._target is None
        if header:
            self._target = open(self.temporary, "w", encoding="utf-8", newline="")
        frame.to_csv(self._target, sep=delimiter, index=False, header=header, lineterminator=CSV_LINE_END)

    def _write_xlsx(self, frame: pd.DataFrame) -> None:
        if self._target is None:
            from openpyxl import Workbook

            self._target = Workbook(write_only=True)
            self._sheet = self._target.create_sheet("palaute")
            self._sheet.append(list(map(str, frame.columns)))
        for row in frame.itertuples(index=False):
            self._sheet.append([_excel_value(value) for value in row])

    def _write_parquet(self, frame: pd.DataFrame) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._target is None:
            self._schema = pa.Schema.from_pandas(frame, preserve_index=False)
            self._target = pq.ParquetWriter(self.temporary, self._schema)
        table = pa.Table.from_pandas(frame, schema=self._schema, preserve_index=False, safe=False)
        self._target.write_table(table)

    def _write_jsonl(self, frame: pd.DataFrame) -> None:
        if self._target is None:
            self._target = open(self.temporary, "w", encoding="utf-8")
        for record in frame.to_dict(orient="records"):
            clean = {str(key): None if _missing(value) else value for key, value in record.items()}
            self._target.write(json.dumps(clean, ensure_ascii=False, default=str) + "\n")

    def _close_target(self) -> None:
        if self.kind == "xlsx" and self._target is not None:
            self._target.save(self.temporary)
        elif self._target is not None:
            self._target.close()
        self._target = None

    def commit(self, empty_frame: pd.DataFrame | None = None) -> Path:
        """Finish the file and move it into place. `empty_frame` gives the header when no
        chunk was written (a header-only input)."""
        if self._target is None and empty_frame is not None:
            self.write(empty_frame)
        self._close_target()
        os.chmod(self.temporary, 0o666 & ~_umask())
        os.replace(self.temporary, self.path)
        return self.path

    def abort(self) -> None:
        try:
            self._close_target()
        finally:
            self.temporary.unlink(missing_ok=True)

    def __enter__(self) -> ExportWriter:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if self.temporary.exists():
            self.abort()


def _excel_value(value):
    """Excel cannot hold control characters or more than 32,767 characters in a cell."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if _missing(value):
        return None
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
        return value if len(value) <= EXCEL_MAX_CHARS else value[: EXCEL_MAX_CHARS - 1] + "…"
    return value


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
