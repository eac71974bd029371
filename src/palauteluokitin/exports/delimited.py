"""Delimited text exports at the text level: encoding, delimiter, records.

Sniffs a CSV/TSV/TXT file's encoding and delimiter, repairs cells whose bytes are in
another encoding, and reads records so that an unbalanced quote costs only its own lines.
`read.py` turns these records into columns and chunks.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

DELIMITERS = ";,\t|"
SURROGATE = re.compile("[\udc80-\udcff]")


def sniff_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM) unless more bytes are invalid UTF-8 than valid non-ASCII
    UTF-8 characters: then cp1252, as Finnish Excel writes. In a file that also holds some
    rows in the other encoding, those cells are repaired one by one (`repair`)."""
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    text = sample.decode("utf-8", errors="surrogateescape")
    invalid = len(SURROGATE.findall(text[:-3])) if len(text) > 3 else 0
    valid = sum(1 for character in text if "\x7f" < character and not "\udc80" <= character <= "\udcff")
    return "cp1252" if invalid > valid else "utf-8"


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


def text_stream(path: Path, encoding: str):
    return io.TextIOWrapper(open(path, "rb"), encoding=encoding, errors="surrogateescape", newline="")


def repair(cell: str, encoding: str) -> str:
    """A cell of a file that mixes encodings (rows appended by different programs), read
    again in the other one: in a UTF-8 file, bytes that are not valid UTF-8 as cp1252; in a
    cp1252 file, a cell whose bytes are valid UTF-8 with non-ASCII characters as UTF-8
    (read as cp1252, "ystävällinen" was "ystÃ¤vÃ¤llinen")."""
    if encoding == "cp1252":
        if cell.isascii():
            return cell
        try:
            return cell.encode("cp1252", errors="surrogateescape").decode("utf-8")
        except UnicodeError:
            return SURROGATE.sub("\ufffd", cell)  # the five bytes cp1252 leaves undefined
    if not SURROGATE.search(cell):
        return cell
    return cell.encode("utf-8", errors="surrogateescape").decode("cp1252", errors="replace")


class _LineRecorder:
    """Feeds lines to csv.reader and remembers the lines of the record being read."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.lines: list[str] = []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self.stream)
        self.lines.append(line)
        return line

    def take(self) -> list[str]:
        lines, self.lines = self.lines, []
        return lines


OPENING_CHARS = 100_000


def csv_records(path: Path, encoding: str, delimiter: str) -> Iterator[tuple[list[str], str]]:
    """(fields, problem) per row. A quote that is never closed would swallow every
    following line into one cell; such a record is split back into its lines, read
    without quote handling, each with a problem."""
    with text_stream(path, encoding) as stream:
        lines = _LineRecorder(stream)
        reader = csv.reader(lines, delimiter=delimiter)
        next(reader, None)
        first_line = len(lines.take()) + 1
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error:  # a field past csv.field_size_limit(): the reader starts afresh after it
                raw = lines.take()
                if "".join(raw).count('"') % 2 == 0:
                    # The fields before the huge one (the id, say) are kept; it and the rest are not.
                    opening = next(csv.reader([raw[0][:OPENING_CHARS]], delimiter=delimiter), [""])
                    limit = csv.field_size_limit() >> 20
                    yield (
                        opening[:-1] or [""],
                        f"line {first_line}: a field of more than {limit} MiB; not read",
                    )
                    first_line += len(raw)
                    continue
                record = None  # an unclosed quote swallowed the lines: read them one by one, as below
            else:
                raw = lines.take()
            if record is None or len(raw) > 1 and "".join(raw).count('"') % 2 == 1:
                for offset, line in enumerate(raw):
                    if not line.strip():
                        continue  # a blank line is no row, quoted or not
                    fields = next(
                        csv.reader([line.rstrip("\r\n")], delimiter=delimiter, quoting=csv.QUOTE_NONE),
                        [],
                    )
                    yield fields, f"line {first_line + offset}: unbalanced quote; read without quote handling"
            else:
                yield record, ""
            first_line += len(raw)
