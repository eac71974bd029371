"""Peak memory and time of `palauteluokitin classify` on two hostile Excel workbooks.

    uv run --extra all python benchmarks/xlsx_bombs.py [--cell-mib 400] [--rows 20000]

- *huge cell*: a workbook of a few hundred KB whose one inline cell unzips to
  `--cell-mib` MiB of text (a zip bomb);
- *dimension*: a sheet declaring `<dimension ref="A1:XFD1048576">` (16,384 columns,
  a million rows) over `--rows` rows of two real columns.

Each is classified by a separate `palauteluokitin classify` process; the table gives its
exit status, wall time, peak resident memory (the largest of the process and its
children, from wait4) and the first line it printed on standard error.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml"
PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{SPREADSHEET}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SPREADSHEET}.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}"><Relationship Id="rId1" '
        f'Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><sheets>'
        '<sheet name="Palautteet" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}"><Relationship Id="rId1" '
        f'Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}
COMMENTS = ("Kiitos hyvästä hoidosta.", "Hoitaja oli tyly.", "Jonotin tunnin.")


def row(number: int, *cells: str) -> str:
    inline = (
        f'<c r="{chr(65 + column)}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
        for column, value in enumerate(cells)
    )
    return f'<row r="{number}">{"".join(inline)}</row>'


def write_workbook(path: Path, sheet_pieces) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for piece in sheet_pieces:
                sheet.write(piece.encode())


def huge_cell(mib: int):
    yield f'<worksheet xmlns="{MAIN}"><sheetData>' + row(1, "id", "palaute") + row(2, "1", COMMENTS[0])
    yield '<row r="3"><c r="A3" t="inlineStr"><is><t>2</t></is></c><c r="B3" t="inlineStr"><is><t>'
    block = "x" * (1 << 20)
    for _ in range(mib):
        yield block
    yield "</t></is></c></row>" + row(4, "3", COMMENTS[1]) + "</sheetData></worksheet>"


def declared_dimension(rows: int):
    yield f'<worksheet xmlns="{MAIN}"><dimension ref="A1:XFD1048576"/><sheetData>' + row(1, "id", "palaute")
    for number in range(2, rows + 2):
        yield row(number, str(number - 1), COMMENTS[number % 3])
    yield "</sheetData></worksheet>"


def classify(path: Path) -> tuple[int, float, float, str]:
    """Exit status, seconds, peak RSS in MB (of this process and the children it waited
    for), first line of standard error."""
    command = [sys.executable, "-m", "palauteluokitin", "classify", str(path), "-o", str(path) + ".csv"]
    errors = path.with_suffix(".stderr")
    with open(errors, "w", encoding="utf-8") as sink:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=sink)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    first = next((line for line in errors.read_text(encoding="utf-8").splitlines() if line.strip()), "")
    return process.returncode, seconds, usage.ru_maxrss / 1024, first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cell-mib", type=int, default=400)
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        cases = [
            ("huge cell", Path(folder) / "huge.xlsx", huge_cell(args.cell_mib)),
            ("dimension", Path(folder) / "dimension.xlsx", declared_dimension(args.rows)),
        ]
        print(f"{'workbook':<10} {'KB':>6} {'exit':>4} {'seconds':>8} {'peak MB':>8}  message")
        for name, path, pieces in cases:
            write_workbook(path, pieces)
            status, seconds, peak, message = classify(path)
            size = path.stat().st_size / 1024
            print(f"{name:<10} {size:>6.0f} {status:>4} {seconds:>8.1f} {peak:>8.0f}  {message[:100]}")


if __name__ == "__main__":
    main()
