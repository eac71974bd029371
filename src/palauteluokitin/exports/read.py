"""Reading feedback exports: CSV/TSV/TXT, Excel, Parquet and JSON Lines, in chunks.

Readers keep every row, in order. A row that cannot be read cleanly (undecodable bytes,
more fields than the header, a JSON line that is not an object) comes out with a
reason in `Chunk.problems`, never dropped. Sniffing and parsing delimited text is in
`delimited.py`, streaming Excel with its limits in `xlsx.py`; writing is in `write.py`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from palauteluokitin.errors import ExportError, ExportFormatError, ExportReadError
from palauteluokitin.exports.columns import named_text_column
from palauteluokitin.exports.delimited import (
    csv_records,
    repair,
    sniff_delimiter,
    sniff_encoding,
    text_stream,
)
from palauteluokitin.exports.xlsx import TOO_LONG, SharedStrings, Sheet, check_sizes, sheet_rows, worksheets

READ_FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".parquet": "parquet",
    ".jsonl": "jsonl",
}
CHUNK_ROWS = 2000
SNIFF_BYTES = 1 << 20
MAX_FIELD_CHARS = 64 << 20


@dataclass
class Chunk:
    frame: pd.DataFrame
    problems: list[str]


@dataclass
class Export:
    """An opened input export: its format, the settings sniffed from it, and its columns."""

    path: Path
    kind: str
    columns: list[str]
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)
    text_column: str | None = None
    sheet: Sheet | None = None  # the worksheet read, of an Excel workbook

    def chunks(self, rows: int = CHUNK_ROWS) -> Iterator[Chunk]:
        reader = {
            "csv": _csv_chunks,
            "xlsx": _xlsx_chunks,
            "parquet": _parquet_chunks,
            "jsonl": _jsonl_chunks,
        }
        yield from reader[self.kind](self, rows)

    def count_rows(self) -> int | None:
        """The number of rows `chunks` will give, where a quick pass can tell (Parquet's
        metadata, a pass over the records of CSV and the lines of JSONL; about 0.15 s for
        50,000 CSV rows); None for Excel, which would take as long to count as to read."""
        if self.kind == "parquet":
            import pyarrow.parquet as pq

            return pq.ParquetFile(self.path).metadata.num_rows
        if self.kind == "csv":
            records = csv_records(self.path, self.encoding, self.delimiter)
            return sum(1 for record, problem in records if problem or any(cell.strip() for cell in record))
        if self.kind == "jsonl":
            with open(self.path, "rb") as handle:
                return sum(1 for line in handle if line.strip())
        return None


def format_of(path: Path, formats: dict[str, str], what: str) -> str:
    kind = formats.get(path.suffix.lower())
    if kind is None:
        raise ExportFormatError(
            f"{path.name}: cannot {what} {path.suffix or 'files without an extension'}; "
            f"use one of {', '.join(formats)}."
        )
    return kind


def unique_columns(names: list) -> tuple[list[str], list[str]]:
    """Column names as strings, blanks named column_N, duplicates suffixed .2, .3…"""
    seen: dict[str, int] = {}
    result, notes = [], []
    for index, name in enumerate(names, start=1):
        text = "" if name is None else str(name).strip()
        if not text:
            text = f"column_{index}"
            notes.append(f"column {index} has no name; called it {text!r}")
        if text in seen:
            seen[text] += 1
            renamed = f"{text}.{seen[text]}"
            notes.append(f"column {text!r} appears more than once; the copy is called {renamed!r}")
            text = renamed
        seen.setdefault(text, 1)
        result.append(text)
    return result, notes


def open_export(path: Path, sheet: str | int | None = None, text_column: str | None = None) -> Export:
    """Open an export for reading: check it exists, sniff its settings, read its header.
    Of an Excel workbook, `sheet` (a name, else a 1-based number) is read; without it, the
    only sheet, else the one sheet with `text_column` (or with a column named like a
    comment column), see `choose_sheet`."""
    path = Path(path)
    kind = format_of(path, READ_FORMATS, "read")
    if not path.is_file():
        raise ExportReadError(f"{path} does not exist or is not a file.")
    if sheet is not None and kind != "xlsx":
        raise ExportReadError(f"{path.name} is not an Excel workbook: it has no sheets to choose (--sheet).")
    try:
        if kind == "xlsx":
            return _open_xlsx(path, sheet, text_column)
        opener = {"csv": _open_csv, "parquet": _open_parquet, "jsonl": _open_jsonl}
        return opener[kind](path)
    except ExportError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ExportReadError(f"{path.name} cannot be read as {kind}: {error}") from error


def read_table(path: Path) -> pd.DataFrame:
    """The whole export as one frame of strings (empty cells are '')."""
    export = open_export(path)
    frames = [chunk.frame for chunk in export.chunks()]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=export.columns)
    return frame.astype(object).where(frame.notna(), "").astype(str)


# --- CSV ---------------------------------------------------------------------


def _open_csv(path: Path) -> Export:
    with open(path, "rb") as handle:
        sample = handle.read(SNIFF_BYTES)
    if not sample.strip():
        raise ExportReadError(f"{path.name} is empty: there is not even a header row.")
    if b"\x00" in sample[:4096] and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        if sample[:4096].count(b"\x00") > len(sample[:4096]) // 4:
            raise ExportReadError(
                f"{path.name} looks binary (many NUL bytes), not a UTF-8 or cp1252 text export. "
                f"If it is UTF-16 text, convert it: iconv -f UTF-16 -t UTF-8 {path.name} > converted.csv; "
                "if it is an Excel file, give it the .xlsx extension."
            )
    encoding = sniff_encoding(sample)
    text = sample.decode(encoding, errors="replace")
    export = Export(path, "csv", [], encoding=encoding, delimiter=sniff_delimiter(text, path.suffix.lower()))
    csv.field_size_limit(MAX_FIELD_CHARS)
    with text_stream(export.path, export.encoding) as stream:
        header = next(csv.reader(stream, delimiter=export.delimiter), None)
    if not header or not any(cell.strip() for cell in header):
        raise ExportReadError(f"{path.name} has no header row.")
    export.columns, export.notes = unique_columns([repair(cell, encoding) for cell in header])
    return export


def _csv_chunks(export: Export, rows: int) -> Iterator[Chunk]:
    width = len(export.columns)
    records, problems = [], []
    for record, problem in csv_records(export.path, export.encoding, export.delimiter):
        if not problem and not any(cell.strip() for cell in record):
            continue
        if len(record) > width:
            extra = len(record) - width
            record = [*record[: width - 1], export.delimiter.join(record[width - 1 :])]
            # An unquoted delimiter inside the last column's text: joining restores it.
            if export.text_column != export.columns[-1]:
                problem = (
                    problem or f"row has {extra} more field(s) than the header; joined into the last column"
                )
        records.append([repair(cell, export.encoding) for cell in record] + [""] * (width - len(record)))
        problems.append(problem)
        if len(records) == rows:
            yield Chunk(pd.DataFrame(records, columns=export.columns, dtype=object), problems)
            records, problems = [], []
    if records:
        yield Chunk(pd.DataFrame(records, columns=export.columns, dtype=object), problems)


# --- Excel, Parquet, JSON Lines -----------------------------------------------


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if hasattr(value, "isoformat"):  # a date, a time
        return value.isoformat()
    return str(value)


def _header_columns(sheet: Sheet, header: dict[int, object]) -> tuple[list[str], list[str]]:
    """The columns named by a sheet's header row: its cells up to its last one with a name,
    whatever the sheet's <dimension> declares (A1:XFD1048576 made 16,384 columns)."""
    if any(value is TOO_LONG for value in header.values()):
        raise ExportReadError(
            f"{sheet.path.name}: a header cell of sheet {sheet.name!r} has more than "
            f"{MAX_FIELD_CHARS >> 20} MiB of text; not a header."
        )
    named = [column for column, value in header.items() if _cell_text(value).strip()]
    if not named:
        raise ExportReadError(f"{sheet.path.name}: sheet {sheet.name!r} has no header row.")
    return unique_columns([header.get(column) for column in range(1, max(named) + 1)])


def choose_sheet(path: Path, sheets: list[Sheet], columns: dict[str, list[str]], text_column: str | None):
    """(the sheet to read, why): of several, the one sheet whose columns (`columns`, by
    sheet name) include `text_column`; without it, the one with a column named as classify
    detects the comment column: a known name (palaute, avoin palaute, kommentti, vapaa
    sana, comment…), else, if no sheet has one, a name containing one (a cover sheet's
    "Asiakaspalaute 2026" does). ExportReadError listing every sheet with its columns
    when none or several do."""
    if text_column is not None:
        what, how = f"the column {text_column!r}", ""
        fits = [sheet for sheet in sheets if text_column in columns[sheet.name]]
    else:
        what, how = "a comment column", " (named like palaute, kommentti, comment…)"
        fits = [sheet for sheet in sheets if named_text_column(columns[sheet.name], parts=False)] or [
            sheet for sheet in sheets if named_text_column(columns[sheet.name])
        ]
    if len(fits) == 1:
        return fits[0], f"the only one with {what}"
    listed = "\n".join(
        f"  {number} {sheet.name!r}: {_listed(columns[sheet.name])}" for number, sheet in enumerate(sheets, 1)
    )
    found = "no sheet has" if not fits else f"{len(fits)} sheets have"
    raise ExportReadError(
        f"{path.name}: {found} {what}{how}; choose one with --sheet NAME or --sheet NUMBER. "
        f"Its sheets:\n{listed}"
    )


def _listed(columns: list[str], most: int = 12) -> str:
    if not columns:
        return "(no header row)"
    return ", ".join(columns[:most]) + (f", … ({len(columns)} columns)" if len(columns) > most else "")


def _given_sheet(path: Path, sheets: list[Sheet], wanted: str | int) -> Sheet:
    """The sheet named `wanted` (exactly, else ignoring case), else the `wanted`-th: a sheet
    named "2" is that sheet, not the second."""
    text = str(wanted).strip()
    for same in (lambda name: name == text, lambda name: name.casefold() == text.casefold()):
        found = [sheet for sheet in sheets if same(sheet.name)]
        if len(found) == 1:
            return found[0]
    if text.isdigit() and 1 <= int(text) <= len(sheets):
        return sheets[int(text) - 1]
    listed = ", ".join(f"{number} {sheet.name!r}" for number, sheet in enumerate(sheets, 1))
    raise ExportReadError(f"{path.name} has no sheet {text!r} (--sheet); its sheets are: {listed}.")


def _open_xlsx(path: Path, sheet: str | int | None, text_column: str | None) -> Export:
    sheets = worksheets(path)
    strings = SharedStrings(sheets[0], MAX_FIELD_CHARS)  # one workbook, one list of strings
    headers = {}
    if sheet is not None:
        chosen, why = _given_sheet(path, sheets, sheet), "as given with --sheet"
    elif len(sheets) == 1:
        chosen, why = sheets[0], "the workbook's only sheet"
    else:
        columns = {}
        for each in sheets:
            headers[each.name] = next(sheet_rows(each, MAX_FIELD_CHARS, strings), (0, {}))[1]
            try:
                columns[each.name] = _header_columns(each, headers[each.name])[0]
            except ExportReadError:
                columns[each.name] = []
        chosen, why = choose_sheet(path, sheets, columns, text_column)
    check_sizes(chosen)
    if chosen.name not in headers:
        headers[chosen.name] = next(sheet_rows(chosen, MAX_FIELD_CHARS, strings), (0, {}))[1]
    columns, notes = _header_columns(chosen, headers[chosen.name])
    others = [repr(each.name) for each in sheets if each is not chosen]
    place = f" ({sheets.index(chosen) + 1} of {len(sheets)})" if others else ""
    notes.append(
        f"read sheet {chosen.name!r}{place}, {why}" + (f"; not read: {', '.join(others)}" if others else "")
    )
    return Export(path, "xlsx", columns, notes=notes, sheet=chosen)


def _xlsx_chunks(export: Export, rows: int) -> Iterator[Chunk]:
    from openpyxl.utils import get_column_letter

    width = len(export.columns)
    records, problems = [], []
    lines = sheet_rows(export.sheet, MAX_FIELD_CHARS)
    next(lines, None)  # the header
    for number, cells in lines:
        values = [cells.get(column) for column in range(1, width + 1)]
        too_long = [
            f"{get_column_letter(column)}{number}"
            for column, value in enumerate(values, 1)
            if value is TOO_LONG
        ]
        # Cells right of the header's last named column have no column to go to.
        beyond = (
            [
                f"{get_column_letter(column)}{number}"
                for column, value in sorted(cells.items())
                if column > width and (value is TOO_LONG or _cell_text(value).strip())
            ]
            if cells and max(cells) > width
            else []
        )
        record = ["" if value is TOO_LONG else _cell_text(value) for value in values]
        if not too_long and not beyond and not any(cell.strip() for cell in record):
            continue
        records.append(record)
        problem = []
        if too_long:
            problem.append(
                f"cell {', '.join(too_long)}: more than {MAX_FIELD_CHARS >> 20} MiB of text; not read"
            )
        if beyond:
            problem.append(
                f"row has {len(beyond)} more cell(s) than the header, from {beyond[0]} on, "
                "right of its last named column; not read"
            )
        problems.append("; ".join(problem))
        if len(records) == rows:
            yield Chunk(pd.DataFrame(records, columns=export.columns, dtype=object), problems)
            records, problems = [], []
    if records:
        yield Chunk(pd.DataFrame(records, columns=export.columns, dtype=object), problems)


def _open_parquet(path: Path) -> Export:
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except Exception as error:  # pyarrow raises ArrowInvalid and OSError subclasses
        raise ExportReadError(f"{path.name} is not a readable Parquet file: {error}") from error
    columns, notes = unique_columns(schema.names)
    return Export(path, "parquet", columns, notes=notes)


def _parquet_chunks(export: Export, rows: int) -> Iterator[Chunk]:
    import pyarrow.parquet as pq

    for batch in pq.ParquetFile(export.path).iter_batches(batch_size=rows):
        frame = batch.to_pandas(types_mapper=_nullable_integer)
        frame.columns = export.columns
        yield Chunk(frame, [""] * len(frame))


def _nullable_integer(arrow_type):
    """pandas' nullable integer type for an Arrow integer column: with a missing value it
    would become floats, and ids 1, 2 would be written 1.0, 2.0."""
    import pyarrow as pa

    if not pa.types.is_integer(arrow_type):
        return None
    return pd.api.types.pandas_dtype(
        f"{'U' if pa.types.is_unsigned_integer(arrow_type) else ''}Int{arrow_type.bit_width}"
    )


def _open_jsonl(path: Path) -> Export:
    keys: dict[str, None] = {}
    with open(path, "rb") as handle:
        for line in handle:
            parsed = _json_object(line)
            if isinstance(parsed, dict):
                keys.update(dict.fromkeys(map(str, parsed)))
    if not keys:
        raise ExportReadError(f"{path.name} has no JSON object lines; expected one object per line.")
    return Export(path, "jsonl", list(keys))


def _json_object(line: bytes):
    try:
        return json.loads(line)
    except (ValueError, RecursionError):
        return None


def _json_cell(value):
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _jsonl_chunks(export: Export, rows: int) -> Iterator[Chunk]:
    records, problems = [], []
    with open(export.path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            parsed = _json_object(line)
            if isinstance(parsed, dict):
                records.append({str(key): _json_cell(value) for key, value in parsed.items()})
                problems.append("")
            else:
                records.append({})
                problems.append(f"line {number} is not a JSON object")
            if len(records) == rows:
                yield Chunk(_json_frame(records, export.columns), problems)
                records, problems = [], []
    if records:
        yield Chunk(_json_frame(records, export.columns), problems)


def _json_frame(records: list[dict], columns: list[str]) -> pd.DataFrame:
    """The records as pandas reads them, except that a column of JSON integers with gaps is
    pandas' nullable Int64: as floats, ids 1, 2 would be written 1.0, 2.0."""
    frame = pd.DataFrame.from_records(records, columns=columns)
    for column in frame.columns[frame.dtypes == "float64"]:
        values = [record.get(column) for record in records]
        present = [value for value in values if value is not None]
        if present and all(type(value) is int for value in present):
            frame[column] = pd.array(values, dtype="Int64")
    return frame
