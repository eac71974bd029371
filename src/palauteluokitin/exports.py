"""Feedback exports in and out: CSV/TSV/TXT, Excel, Parquet and JSON Lines, read in chunks.

Readers keep every row, in order. A row that cannot be read cleanly (undecodable bytes,
more fields than the header, a JSON line that is not an object) comes out with a
reason in `Chunk.problems`, never dropped. Writers write to a temporary file beside the
target and rename it when done, so a failed run never leaves half a file.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from palauteluokitin.errors import PalauteluokitinError

READ_FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".parquet": "parquet",
    ".jsonl": "jsonl",
}
WRITE_FORMATS = {".csv": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".parquet": "parquet", ".jsonl": "jsonl"}
CHUNK_ROWS = 2000
SNIFF_BYTES = 1 << 20
MAX_FIELD_CHARS = 64 << 20
DELIMITERS = ";,\t|"
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
EXCEL_MAX_CHARS = 32_767
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?\d+([.,]\d+)?([eE][+-]?\d+)?")
SURROGATE = re.compile("[\udc80-\udcff]")


class ExportError(PalauteluokitinError, ValueError):
    """An export that cannot be read or written at all (a bad row is a row problem instead)."""


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

    def chunks(self, rows: int = CHUNK_ROWS) -> Iterator[Chunk]:
        reader = {
            "csv": _csv_chunks,
            "xlsx": _xlsx_chunks,
            "parquet": _parquet_chunks,
            "jsonl": _jsonl_chunks,
        }
        yield from reader[self.kind](self, rows)


def _kind(path: Path, formats: dict[str, str], what: str) -> str:
    kind = formats.get(path.suffix.lower())
    if kind is None:
        raise ExportError(
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


def open_export(path: Path) -> Export:
    """Open an export for reading: check it exists, sniff its settings, read its header."""
    path = Path(path)
    kind = _kind(path, READ_FORMATS, "read")
    if not path.is_file():
        raise ExportError(f"{path} does not exist or is not a file.")
    try:
        opener = {"csv": _open_csv, "xlsx": _open_xlsx, "parquet": _open_parquet, "jsonl": _open_jsonl}
        return opener[kind](path)
    except ExportError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ExportError(f"{path.name} cannot be read as {kind}: {error}") from error


def read_table(path: Path) -> pd.DataFrame:
    """The whole export as one frame of strings (empty cells are '')."""
    export = open_export(path)
    frames = [chunk.frame for chunk in export.chunks()]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=export.columns)
    return frame.astype(object).where(frame.notna(), "").astype(str)


def _normalise(name: str) -> str:
    return re.sub(r"[\s_\-]+", " ", name.lower()).strip(" ?:.")


def detect_text_column(frame: pd.DataFrame) -> str:
    """The column with the free-text feedback: a known name, else the longest texts."""
    names = {_normalise(str(column)): column for column in frame.columns}
    for known in TEXT_COLUMN_NAMES:
        if known in names:
            return names[known]
    for normalised, column in names.items():
        if any(part in normalised for part in TEXT_COLUMN_PARTS):
            return column
    lengths = {}
    for column in frame.columns:
        values = frame[column].dropna().astype(str).head(1000)
        texts = values[values.str.contains(r"[^\W\d_]", regex=True)]
        if len(texts):
            lengths[column] = texts.str.len().mean() * len(texts) / max(len(values), 1)
    if not lengths:
        raise ExportError(
            f"No column holds text; columns are: {', '.join(map(str, frame.columns))}. "
            "Name the comment column with --text-column."
        )
    return max(lengths, key=lengths.get)


def detect_id_column(frame: pd.DataFrame) -> str | None:
    """A column of row identifiers by its name, or None."""
    names = {_normalise(str(column)): column for column in frame.columns}
    return next((names[known] for known in ID_COLUMN_NAMES if known in names), None)


# --- CSV ---------------------------------------------------------------------


def sniff_encoding(sample: bytes) -> str:
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is still UTF-8.
        if error.start < len(sample) - 3:
            return "cp1252"
    return "utf-8"


def sniff_delimiter(text: str, suffix: str) -> str:
    if suffix == ".tsv":
        return "\t"
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        header = lines[0]
        counts = {delimiter: header.count(delimiter) for delimiter in DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _text_stream(export: Export):
    return io.TextIOWrapper(
        open(export.path, "rb"), encoding=export.encoding, errors="surrogateescape", newline=""
    )


def _open_csv(path: Path) -> Export:
    with open(path, "rb") as handle:
        sample = handle.read(SNIFF_BYTES)
    if not sample.strip():
        raise ExportError(f"{path.name} is empty: there is not even a header row.")
    if b"\x00" in sample[:4096] and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        if sample[:4096].count(b"\x00") > len(sample[:4096]) // 4:
            raise ExportError(
                f"{path.name} looks binary (many NUL bytes), not a text export. If it is an Excel "
                "file, give it the .xlsx extension."
            )
    encoding = sniff_encoding(sample)
    text = sample.decode(encoding, errors="replace")
    export = Export(path, "csv", [], encoding=encoding, delimiter=sniff_delimiter(text, path.suffix.lower()))
    csv.field_size_limit(MAX_FIELD_CHARS)
    with _text_stream(export) as stream:
        header = next(csv.reader(stream, delimiter=export.delimiter), None)
    if not header or not any(cell.strip() for cell in header):
        raise ExportError(f"{path.name} has no header row.")
    export.columns, export.notes = unique_columns([_repair(cell) for cell in header])
    return export


def _repair(cell: str) -> str:
    """Bytes that were not valid in the file's encoding are re-read as cp1252: files that
    mix encodings (rows appended by different programs) come out readable."""
    if not SURROGATE.search(cell):
        return cell
    return cell.encode("utf-8", errors="surrogateescape").decode("cp1252", errors="replace")


def _csv_chunks(export: Export, rows: int) -> Iterator[Chunk]:
    width = len(export.columns)
    with _text_stream(export) as stream:
        reader = csv.reader(stream, delimiter=export.delimiter)
        next(reader, None)
        records, problems = [], []
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            problem = ""
            if len(record) > width:
                extra = len(record) - width
                record = [*record[: width - 1], export.delimiter.join(record[width - 1 :])]
                # An unquoted delimiter inside the last column's text: joining restores it.
                if export.text_column != export.columns[-1]:
                    problem = f"row has {extra} more field(s) than the header; joined into the last column"
            record = [_repair(cell) for cell in record] + [""] * (width - len(record))
            records.append(record)
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
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    return str(value)


def _open_xlsx(path: Path) -> Export:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many unrelated types for a broken file
        raise ExportError(f"{path.name} is not a readable Excel .xlsx file: {error}") from error
    try:
        sheet = book.worksheets[0]
        header = next(sheet.iter_rows(max_row=1, values_only=True), None)
    finally:
        book.close()
    if not header or not any(cell is not None and str(cell).strip() for cell in header):
        raise ExportError(f"{path.name}: the first sheet has no header row.")
    columns, notes = unique_columns(list(header))
    if len(book.sheetnames) > 1:
        notes.append(
            f"read the first sheet {book.sheetnames[0]!r}; {len(book.sheetnames) - 1} other(s) ignored"
        )
    return Export(path, "xlsx", columns, notes=notes)


def _xlsx_chunks(export: Export, rows: int) -> Iterator[Chunk]:
    from openpyxl import load_workbook

    book = load_workbook(export.path, read_only=True, data_only=True)
    width = len(export.columns)
    try:
        records = []
        for values in book.worksheets[0].iter_rows(min_row=2, values_only=True):
            record = [_cell_text(value) for value in values[:width]]
            if not any(cell.strip() for cell in record):
                continue
            records.append(record + [""] * (width - len(record)))
            if len(records) == rows:
                yield Chunk(pd.DataFrame(records, columns=export.columns, dtype=object), [""] * len(records))
                records = []
        if records:
            yield Chunk(pd.DataFrame(records, columns=export.columns, dtype=object), [""] * len(records))
    finally:
        book.close()


def _open_parquet(path: Path) -> Export:
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except Exception as error:  # pyarrow raises ArrowInvalid and OSError subclasses
        raise ExportError(f"{path.name} is not a readable Parquet file: {error}") from error
    columns, notes = unique_columns(schema.names)
    return Export(path, "parquet", columns, notes=notes)


def _parquet_chunks(export: Export, rows: int) -> Iterator[Chunk]:
    import pyarrow.parquet as pq

    for batch in pq.ParquetFile(export.path).iter_batches(batch_size=rows):
        frame = batch.to_pandas()
        frame.columns = export.columns
        yield Chunk(frame, [""] * len(frame))


def _open_jsonl(path: Path) -> Export:
    keys: dict[str, None] = {}
    with open(path, "rb") as handle:
        for line in handle:
            parsed = _json_object(line)
            if isinstance(parsed, dict):
                keys.update(dict.fromkeys(map(str, parsed)))
    if not keys:
        raise ExportError(f"{path.name} has no JSON object lines; expected one object per line.")
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
                yield Chunk(pd.DataFrame.from_records(records, columns=export.columns), problems)
                records, problems = [], []
    if records:
        yield Chunk(pd.DataFrame.from_records(records, columns=export.columns), problems)


# --- Writing -----------------------------------------------------------------


def neutralise_formula(value):
    """A cell a spreadsheet would run as a formula gets a leading apostrophe; numbers stay."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


class ExportWriter:
    """Writes chunks of one frame shape to a temporary file; `commit` renames it into place."""

    def __init__(self, path: Path, overwrite: bool = False) -> None:
        self.path = Path(path)
        self.kind = _kind(self.path, WRITE_FORMATS, "write")
        if self.path.exists() and not overwrite:
            raise ExportError(f"{self.path} exists; pass --overwrite to replace it.")
        if not self.path.parent.is_dir():
            raise ExportError(f"Cannot write {self.path}: folder {self.path.parent} does not exist.")
        handle, temporary = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".part", dir=self.path.parent
        )
        os.close(handle)
        self.temporary = Path(temporary)
        os.chmod(self.temporary, 0o666 & ~_umask())
        self._target = None

    def write(self, frame: pd.DataFrame) -> None:
        if self.kind in ("csv", "xlsx"):
            frame = frame.map(neutralise_formula)
        getattr(self, f"_write_{self.kind}")(frame)

    def _write_csv(self, frame: pd.DataFrame) -> None:
        delimiter = "\t" if self.path.suffix.lower() == ".tsv" else ","
        header = self._target is None
        if header:
            self._target = open(self.temporary, "w", encoding="utf-8", newline="")
        frame.to_csv(self._target, sep=delimiter, index=False, header=header, lineterminator="\n")

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
