"""Excel .xlsx exports read as a stream, with limits, so that a small hostile workbook cannot
make the reader hold gigabytes or run for minutes.

openpyxl reads the workbook's structure (its worksheets, the date styles, the 1904
calendar) and converts each cell's value; a sheet and its shared strings are parsed here
with expat, a block at a time, the strings only as far as the cells read need them. A
cell's text is counted as it arrives and kept only up to a limit; the sheet's declared
`<dimension>` is never read, so it cannot invent columns or hide rows. Before anything is
unzipped, every part's declared size and compression ratio are checked.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from xml.etree.ElementTree import TreeBuilder
from xml.parsers import expat

from palauteluokitin.errors import ExportReadError

MAX_RATIO = 100  # Apache POI's default: more than 100 times smaller zipped is a zip bomb
RATIO_GRACE_BYTES = 1 << 20  # a small part may compress better than that
MAX_PART_BYTES = 64 << 20  # a part openpyxl reads whole (workbook, styles, relationships)
MAX_SHEET_BYTES = 1 << 30  # the sheet read and its shared strings, unzipped, together
MAX_SHARED_STRINGS_BYTES = 256 << 20  # held in memory while the sheet is read
BLOCK_BYTES = 1 << 20
MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


class TooLong:
    """The value of a cell whose text is past the reader's limit; its text was not kept."""


TOO_LONG = TooLong()


class _Archive(zipfile.ZipFile):
    """The workbook's zip. A part other than the `streamed` ones is read whole (by openpyxl)
    and may unzip to at most MAX_PART_BYTES. (zipfile itself stops at a part's declared size
    and fails the CRC check of a part that would unzip to more.)"""

    streamed: frozenset[str] = frozenset()

    def open(self, name, mode="r", pwd=None, **options):
        info = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)
        if mode == "r" and info.filename not in self.streamed and info.file_size > MAX_PART_BYTES:
            raise ExportReadError(
                f"{Path(self.filename).name}: its part {info.filename} would unzip to "
                f"{_mib(info.file_size)}; the limit is {_mib(MAX_PART_BYTES)}."
            )
        return super().open(name, mode, pwd, **options)


@dataclass
class Sheet:
    """One worksheet of a workbook and what reading its cells needs."""

    path: Path
    name: str
    part: str
    strings_part: str | None
    epoch: datetime
    date_formats: set[int]
    timedelta_formats: set[int]


def worksheets(path: Path) -> list[Sheet]:
    """Check the workbook's parts and list its worksheets, in order (chart sheets are not
    worksheets); ExportReadError if the workbook cannot be read, has no worksheet, or is
    past a limit. `check_sizes` checks the one to be read."""
    from openpyxl.packaging.manifest import Manifest
    from openpyxl.reader.excel import _find_workbook_part
    from openpyxl.reader.workbook import WorkbookParser
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.xml.constants import ARC_CONTENT_TYPES, SHARED_STRINGS
    from openpyxl.xml.functions import fromstring

    try:
        with _Archive(path) as archive:
            _check_ratios(path, archive)
            package = Manifest.from_tree(fromstring(archive.read(ARC_CONTENT_TYPES)))
            workbook = WorkbookParser(archive, _find_workbook_part(package).PartName[1:], keep_links=False)
            workbook.parse()
            apply_stylesheet(archive, workbook.wb)
            strings = package.find(SHARED_STRINGS)
            sheets = [
                Sheet(
                    path,
                    sheet.name,
                    rel.target,
                    strings.PartName[1:] if strings is not None else None,
                    workbook.wb.epoch,
                    workbook.wb._date_formats,
                    workbook.wb._timedelta_formats,
                )
                for sheet, rel in workbook.find_sheets()
                if "chartsheet" not in rel.Type and rel.target in archive.NameToInfo
            ]
            if not sheets:
                raise ExportReadError(f"{path.name} has no worksheet.")
            check_sizes(sheets[0], archive, whole=False)
    except ExportReadError:
        raise
    except Exception as error:  # zipfile and openpyxl raise many unrelated types for a broken file
        raise ExportReadError(f"{path.name} is not a readable Excel .xlsx file: {error}") from error
    return sheets


def _mib(size: int) -> str:
    return f"{size / (1 << 20):,.0f} MiB" if size >= 1 << 20 else f"{size:,} bytes"


def _check_ratios(path: Path, archive: zipfile.ZipFile) -> None:
    for info in archive.infolist():
        if info.file_size > RATIO_GRACE_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ExportReadError(
                f"{path.name}: its part {info.filename} would unzip from {_mib(info.compress_size)} "
                f"to {_mib(info.file_size)}, more than {MAX_RATIO} times; refused as a zip bomb."
            )


def check_sizes(sheet: Sheet, archive: zipfile.ZipFile | None = None, whole: bool = True) -> None:
    """ExportReadError if the workbook's shared strings, or (`whole`) the sheet and its
    shared strings together, would unzip past their limit."""
    if archive is None:
        with zipfile.ZipFile(sheet.path) as archive:
            return check_sizes(sheet, archive, whole)
    streamed = [part for part in (sheet.part, sheet.strings_part) if part in archive.NameToInfo]
    strings = archive.getinfo(sheet.strings_part).file_size if sheet.strings_part in streamed else 0
    total = sum(archive.getinfo(part).file_size for part in streamed)
    limits = [("its shared strings", strings, MAX_SHARED_STRINGS_BYTES)]
    if whole:
        limits.append((f"sheet {sheet.name!r} and its shared strings", total, MAX_SHEET_BYTES))
    for what, size, limit in limits:
        if size > limit:
            raise ExportReadError(
                f"{sheet.path.name}: {what} would unzip to {_mib(size)}; the limit is {_mib(limit)}. "
                "Save the sheet as CSV (UTF-8) and classify that."
            )


class _CappedElements:
    """Expat handlers that build each `tag` element (a cell, a shared string) on its own,
    keeping at most `limit` characters of its text, and note where each `boundary` element
    (a row) starts. `done` collects ("start", attributes) and ("element", element, too_long)."""

    def __init__(self, tag: str, boundary: str | None, limit: int) -> None:
        self.tag, self.boundary, self.limit = tag, boundary, limit
        self.done: list[tuple] = []
        self.tree: TreeBuilder | None = None
        self.depth = self.characters = 0

    def start(self, name: str, attributes: dict) -> None:
        name = "{" + name if "}" in name else name
        if self.tree is not None:
            self.depth += 1
            self.tree.start(name, attributes)
        elif name == self.tag:
            self.tree, self.depth, self.characters = TreeBuilder(), 0, 0
            self.tree.start(name, attributes)
        elif name == self.boundary:
            self.done.append(("start", attributes))

    def end(self, name: str) -> None:
        if self.tree is None:
            return
        self.tree.end("{" + name if "}" in name else name)
        if self.depth:
            self.depth -= 1
            return
        self.done.append(("element", self.tree.close(), self.characters > self.limit))
        self.tree = None

    def data(self, text: str) -> None:
        if self.tree is not None:
            self.characters += len(text)
            if self.characters <= self.limit:
                self.tree.data(text)


def _parse(sheet: Sheet, part: str, handlers: _CappedElements) -> Iterator[tuple]:
    """The events of `handlers`, reading `part` a block at a time."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.StartElementHandler, parser.EndElementHandler = handlers.start, handlers.end
    parser.CharacterDataHandler = handlers.data
    parser.StartDoctypeDeclHandler = lambda *_: _refuse_doctype(sheet, part)
    try:
        with _Archive(sheet.path) as archive:
            archive.streamed = frozenset([part])
            with archive.open(part) as source:
                while block := source.read(BLOCK_BYTES):
                    parser.Parse(block, False)
                    done, handlers.done = handlers.done, []
                    yield from done
                parser.Parse(b"", True)
    except (expat.ExpatError, zipfile.BadZipFile, KeyError, OSError, EOFError) as error:
        raise ExportReadError(f"{sheet.path.name}: {part} cannot be read: {error}") from error
    yield from handlers.done


def _refuse_doctype(sheet: Sheet, part: str) -> None:
    """Excel writes no DTD; one could declare entities that expand without end."""
    raise ExportReadError(f"{sheet.path.name}: {part} declares a document type, which Excel never writes.")


class SharedStrings:
    """The workbook's shared strings, as a list of them that is parsed only as far as the
    cells read ask for (the header rows of several sheets need only the first few);
    TOO_LONG for one of more than `limit` characters."""

    def __init__(self, sheet: Sheet, limit: int) -> None:
        from openpyxl.cell.text import Text

        self._text = Text
        self._strings: list = []
        self._events = (
            _parse(sheet, sheet.strings_part, _CappedElements(f"{MAIN_NS}si", None, limit))
            if sheet.strings_part is not None
            else iter(())
        )

    def __getitem__(self, index: int):
        while len(self._strings) <= index:
            event = next(self._events, None)
            if event is None:
                break
            _, element, too_long = event
            self._strings.append(
                TOO_LONG if too_long else self._text.from_tree(element).content.replace("x005F_", "")
            )
        if not 0 <= index < len(self._strings):
            raise IndexError(f"there is no shared string {index}")
        return self._strings[index]


def sheet_rows(
    sheet: Sheet, limit: int, strings: SharedStrings | None = None
) -> Iterator[tuple[int, dict[int, object]]]:
    """(row number, {column number: value}) for each row of `sheet`, as openpyxl reads
    values (numbers, dates, formulas as their cached values); TOO_LONG for a cell of more
    than `limit` characters. `strings`: the workbook's, when several sheets are read."""
    from openpyxl.worksheet._reader import WorkSheetParser

    cells = WorkSheetParser(
        None,
        strings if strings is not None else SharedStrings(sheet, limit),
        data_only=True,
        epoch=sheet.epoch,
        date_formats=sheet.date_formats,
        timedelta_formats=sheet.timedelta_formats,
    )
    row: dict[int, object] | None = None
    try:
        for event in _parse(sheet, sheet.part, _CappedElements(f"{MAIN_NS}c", f"{MAIN_NS}row", limit)):
            if event[0] == "start":
                if row is not None:
                    yield cells.row_counter, row
                number = event[1].get("r")
                cells.row_counter = int(float(number)) if number else cells.row_counter + 1
                cells.col_counter, row = 0, {}
                continue
            _, element, too_long = event
            if too_long:
                del element[:]  # its text was cut short: only where it is counts
            cell = cells.parse_cell(element)
            if row is not None:
                row[cell["column"]] = TOO_LONG if too_long else cell["value"]
    except ExportReadError:  # from the shared strings, read as the cells ask for them
        raise
    except (ValueError, IndexError, TypeError) as error:
        raise ExportReadError(
            f"{sheet.path.name}: row {cells.row_counter} of sheet {sheet.name!r} cannot be read: {error}"
        ) from error
    if row is not None:
        yield cells.row_counter, row
