"""Hostile exports: every file gives per-row problems or one clear error, never a traceback."""

from __future__ import annotations

import datetime
import json
import os
import random
import re
import zipfile

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from palauteluokitin.classify.batch import classify_file
from palauteluokitin.classify.loaded_model import load_model
from palauteluokitin.cli import cli
from palauteluokitin.errors import ExportError
from palauteluokitin.exports.read import open_export, read_table


@pytest.fixture(scope="module")
def model():
    return load_model("default")


def classify(tmp_path, model, name: str, content: bytes | str) -> pd.DataFrame:
    source = tmp_path / name
    if isinstance(content, bytes):
        source.write_bytes(content)
    else:
        source.write_text(content, encoding="utf-8")
    classify_file(source, tmp_path / "out.csv", model=model)
    return read_table(tmp_path / "out.csv")


def test_nul_bytes_inside_cells_are_classified(tmp_path, model):
    frame = classify(tmp_path, model, "a.csv", "id;palaute\n1;Hoitaja\x00 oli tyly\n2;Kiitos\x00\n")
    assert frame["id"].tolist() == ["1", "2"]
    assert (frame["problem"] == "").all()


def test_a_ten_megabyte_cell_is_a_row_problem(tmp_path, model):
    huge = "sana " * 2_000_000
    frame = classify(tmp_path, model, "a.csv", f'id;palaute\n1;"{huge}"\n2;Hoitaja oli ystävällinen\n')
    assert frame["id"].tolist() == ["1", "2"]
    assert frame.loc[0, "problem"].startswith("too long: 9,999,999 characters")
    assert frame.loc[1, "problem"] == ""


def test_a_million_character_line_without_delimiters(tmp_path, model):
    frame = classify(tmp_path, model, "a.csv", "palaute\n" + "x" * 1_000_000 + "\nKiitos hyvästä hoidosta\n")
    assert len(frame) == 2
    assert frame.loc[0, "problem"].startswith("too long")


def test_an_unbalanced_quote_does_not_swallow_the_following_rows(tmp_path, model):
    frame = classify(
        tmp_path, model, "a.csv", 'id;palaute\n1;"Hoitaja oli tyly\n2;Kiitos\n3;Jonotin tunnin\n'
    )
    assert frame["id"].tolist() == ["1", "2", "3"]
    assert all("unbalanced quote" in problem for problem in frame["problem"])


def test_a_quoted_multi_line_comment_stays_one_row(tmp_path, model):
    frame = classify(
        tmp_path, model, "a.csv", 'id;palaute\n1;"Hoitaja oli tyly.\nToinen rivi ""lainaus"""\n2;Kiitos\n'
    )
    assert frame["id"].tolist() == ["1", "2"]
    assert frame.loc[0, "palaute"] == 'Hoitaja oli tyly.\nToinen rivi "lainaus"'
    assert (frame["problem"] == "").all()


def test_ragged_rows_are_padded_or_reported(tmp_path, model):
    frame = classify(
        tmp_path, model, "a.csv", "id;palaute;yksikkö\n1;Kiitos\n2;Tyly hoitaja;Päivystys;extra\n"
    )
    assert frame["id"].tolist() == ["1", "2"]
    assert frame.loc[0, "yksikkö"] == "" and frame.loc[0, "problem"] == ""
    assert "more field(s) than the header" in frame.loc[1, "problem"]


def test_duplicate_column_names_are_kept_apart(tmp_path, model):
    frame = classify(tmp_path, model, "a.csv", "id;palaute;palaute\n1;Kiitos;Hoitaja oli tyly\n")
    assert list(frame.columns[:3]) == ["id", "palaute", "palaute.2"]


def test_header_only_gives_a_header_only_output(tmp_path, model):
    frame = classify(tmp_path, model, "a.csv", "id;palaute\n")
    assert len(frame) == 0
    assert "epaasiallinen_kohtelu" in frame.columns


def test_excel_with_several_sheets_and_formulas(tmp_path, model):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Palautteet"
    sheet.append(["id", "palaute", "pisteet"])
    sheet.append([1, "Hoitaja oli tyly", "=1+1"])
    sheet.append([2, '=CONCAT("a","b")', 5])
    book.create_sheet("Muu").append(["ei", "tätä"])
    book.save(tmp_path / "a.xlsx")
    summary = classify_file(tmp_path / "a.xlsx", tmp_path / "out.csv", model=model)
    frame = read_table(tmp_path / "out.csv")
    assert frame["id"].tolist() == ["1", "2"]
    assert frame.loc[1, "problem"] == "empty comment", "a formula without a computed value is no comment"
    assert "read sheet 'Palautteet' (1 of 2), the only one with a comment column" in summary.notes[-1]
    assert summary.notes[-1].endswith("not read: 'Muu'")


def test_jsonl_with_bad_and_deeply_nested_lines(tmp_path, model):
    nested = "[" * 100_000 + "]" * 100_000
    lines = [
        json.dumps({"id": 1, "text": "Kiitos"}),
        "not json",
        nested,
        "[1, 2]",
        json.dumps({"id": 5, "text": "Tyly"}),
    ]
    frame = classify(tmp_path, model, "a.jsonl", "\n".join(lines) + "\n")
    assert len(frame) == 5
    assert frame["problem"].tolist()[1:4] == [f"line {n} is not a JSON object" for n in (2, 3, 4)]
    assert frame.loc[0, "problem"] == "" and frame.loc[4, "problem"] == ""


def test_jsonl_whose_values_change_type_is_one_clear_error_for_parquet(tmp_path, model):
    """Ids 1, 2 and then "x3" ended in an ArrowInvalid traceback; JSON Lines output keeps them."""
    lines = [json.dumps({"id": n, "palaute": "Kiitos"}) for n in (1, 2)] + ['{"id": "x3", "palaute": "Hyvä"}']
    (tmp_path / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ExportError, match="a column's values change type between rows"):
        classify_file(tmp_path / "a.jsonl", tmp_path / "out.parquet", model=model, chunk_rows=2)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.jsonl"]
    classify_file(tmp_path / "a.jsonl", tmp_path / "out.jsonl", model=model, chunk_rows=2)
    assert read_table(tmp_path / "out.jsonl")["id"].tolist() == ["1", "2", "x3"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.csv", b"", "is empty"),
        ("a.csv", b"\n\n  \n", "is empty"),
        ("a.csv", "id;palaute\n1;hei\n".encode("utf-16-le"), "iconv -f UTF-16"),
        ("a.xlsx", b"PK\x03\x04 not really a zip", "not a readable Excel"),
        ("a.parquet", b"PAR1 broken", "not a readable Parquet"),
        ("a.jsonl", b"[1, 2]\nnot json\n", "no JSON object lines"),
    ],
)
def test_unreadable_files_give_one_clear_cli_error(tmp_path, name, content, message):
    source = tmp_path / name
    source.write_bytes(content)
    result = CliRunner().invoke(cli, ["classify", str(source)])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert [path.name for path in tmp_path.iterdir()] == [name], "no output or temporary file is left"


def test_random_bytes_never_crash_the_reader(tmp_path):
    generator = random.Random(7)
    for attempt in range(30):
        path = tmp_path / f"r{attempt}.csv"
        path.write_bytes(bytes(generator.randrange(256) for _ in range(generator.randrange(1, 3000))))
        try:
            export = open_export(path)
        except ExportError:
            continue
        for chunk in export.chunks(100):
            assert len(chunk.frame) == len(chunk.problems)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.lists(
            st.text(
                alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\r"), max_size=30
            ),
            min_size=2,
            max_size=2,
        ),
        min_size=1,
        max_size=15,
    )
)
def test_any_csv_written_by_pandas_reads_back_row_for_row(tmp_path, rows):
    frame = pd.DataFrame(rows, columns=["id", "palaute"])
    frame["id"] = [f"r{i}" for i in range(len(frame))]
    path = tmp_path / "fuzz.csv"
    frame.to_csv(path, index=False, sep=";")
    back = read_table(path)
    expected = frame[frame.apply(lambda row: any(str(cell).strip() for cell in row), axis=1)]
    assert back["id"].tolist() == expected["id"].tolist()
    os.remove(path)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (
            "cr.jsonl",
            '{"id":1,"palaute":"Hoitaja oli tyly\\r=cmd|\' /C calc\'!A0"}\n{"id":2,"palaute":"Kiitos"}\n',
        ),
        ("cr.csv", "id,palaute\n1,\"Hoitaja oli tyly\r=cmd|' /C calc'!A0\"\n2,Kiitos\n"),
        ("lf.csv", "id,palaute\n1,\"Hoitaja oli tyly\n=cmd|' /C calc'!A0\"\n2,Kiitos\n"),
    ],
)
def test_a_line_break_inside_a_comment_stays_inside_its_row(tmp_path, model, name, content):
    """A bare carriage return went out unquoted and split the row; the half after it began
    with a live formula."""
    frame = classify(tmp_path, model, name, content)
    assert frame["id"].astype(str).tolist() == ["1", "2"]
    assert frame["palaute"][0].startswith("Hoitaja oli tyly") and frame["palaute"][0].endswith("!A0")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_formula_in_a_header_cell_is_written_inert(tmp_path, model, suffix):
    source = tmp_path / "vienti.csv"
    source.write_text('id;"=HYPERLINK(""http://evil.example"")";palaute\n1;x;Kiitos\n', encoding="utf-8")
    classify_file(source, tmp_path / f"out{suffix}", model=model, text_column="palaute")
    if suffix == ".csv":
        header = (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()[0]
        assert "'=HYPERLINK" in header and ",=HYPERLINK" not in header
    else:
        from openpyxl import load_workbook

        sheet = load_workbook(tmp_path / "out.xlsx").active
        assert sheet["B1"].value == '\'=HYPERLINK("http://evil.example")'


def test_a_field_past_the_size_limit_is_a_row_problem(tmp_path, model, monkeypatch):
    """A field over the limit (64 MiB; 1 MiB here) ended in a csv.Error traceback and no output."""
    from palauteluokitin.exports import read

    monkeypatch.setattr(read, "MAX_FIELD_CHARS", 1 << 20)
    huge = "x" * (2 << 20)
    rows = f'1,Kiitos\n2,"{huge}"\n3,{huge}\n4,Hoitaja oli tyly\n{huge},5\n6,Kiitos\n'
    frame = classify(tmp_path, model, "a.csv", f"id,palaute\n{rows}")
    assert frame["id"].tolist() == ["1", "2", "3", "4", "", "6"]  # the huge first field: its row stays
    assert frame["problem"].tolist() == [
        "",
        "line 3: a field of more than 1 MiB; not read",
        "line 4: a field of more than 1 MiB; not read",
        "",
        "line 6: a field of more than 1 MiB; not read",
        "",
    ]


def test_an_unclosed_quote_before_the_size_limit_loses_no_line(tmp_path, model, monkeypatch):
    from palauteluokitin.exports import read

    monkeypatch.setattr(read, "MAX_FIELD_CHARS", 1 << 20)
    lines = [f"{number},Kommentti numero {number}" for number in range(3, 60_000)]
    frame = classify(
        tmp_path, model, "a.csv", 'id,palaute\n1,Kiitos\n2,"ei loppua\n' + "\n".join(lines) + "\n"
    )
    assert len(frame) == 60_000 - 1
    assert frame["id"].tolist()[:3] == ["1", "2", "3"] and frame["id"].tolist()[-1] == "59999"
    assert "unbalanced quote" in frame["problem"][1]


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
XLSX_PARTS = {
    "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>',
    "xl/workbook.xml": f'<workbook xmlns="{MAIN}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Palautteet" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/></Relationships>',
}


def write_xlsx(path, rows: list[list], dimension: str = "A1:B1", strings: list[str] = ()) -> None:
    """A workbook written by hand, as an attacker would, deflated. A cell is a string ("#N":
    shared string N) or an iterator of the pieces of one huge string, never whole in memory."""

    def cell(column: int, row: int, value) -> str:
        place = f'r="{chr(65 + column)}{row}"'
        if isinstance(value, str) and value.startswith("#"):
            return f'<c {place} t="s"><v>{value[1:]}</v></c>'
        return f'<c {place} t="inlineStr"><is><t>{value}</t></is></c>'

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in XLSX_PARTS.items():
            archive.writestr(name, text)
        sst = "".join(f"<si><t>{text}</t></si>" for text in strings)
        archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}" count="{len(strings)}">{sst}</sst>')
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'<worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/><sheetData>'.encode())
            for number, values in enumerate(rows, start=1):
                sheet.write(f'<row r="{number}">'.encode())
                for column, value in enumerate(values):
                    if isinstance(value, str):
                        sheet.write(cell(column, number, value).encode())
                    else:  # pieces of a huge inline string
                        start, end = cell(column, number, "\0").split("\0")
                        sheet.write(start.encode())
                        for piece in value:
                            sheet.write(piece.encode())
                        sheet.write(end.encode())
                sheet.write(b"</row>")
            sheet.write(b"</sheetData></worksheet>")


@pytest.mark.parametrize(
    ("rows", "strings"),
    [
        (
            [["id", "palaute"], ["1", "Kiitos"], ["2", ("x" * (1 << 20) for _ in range(400))], ["3", "Tyly"]],
            [],
        ),
        ([["id", "palaute"], ["1", "Kiitos"], ["2", "#0"], ["3", "Tyly"]], ["x" * (64 << 20)]),
    ],
    ids=["inline cell", "shared string"],
)
def test_an_xlsx_bomb_is_refused_before_it_is_unzipped(tmp_path, rows, strings):
    """A 400 KB workbook whose one cell unzipped to 400 MB took 4.55 GB of memory."""
    write_xlsx(tmp_path / "pommi.xlsx", rows, strings=strings)
    result = CliRunner().invoke(cli, ["classify", str(tmp_path / "pommi.xlsx")])
    assert result.exit_code == 1
    assert "more than 100 times; refused as a zip bomb" in result.output
    assert "Traceback" not in result.output
    assert [path.name for path in tmp_path.iterdir()] == ["pommi.xlsx"]


@pytest.mark.parametrize("where", ["inline", "shared"])
def test_an_xlsx_cell_past_the_size_limit_is_a_row_problem(tmp_path, model, monkeypatch, where):
    """The same limit as a CSV field (64 MiB; 1 MiB here): the row keeps its other cells."""
    from palauteluokitin.exports import read

    monkeypatch.setattr(read, "MAX_FIELD_CHARS", 1 << 20)
    generator = random.Random(17)
    huge = "".join(generator.choices("abcdefghijklmnopqrstuvwxyzäö ", k=(1 << 20) + 1))  # not a zip bomb
    cell = "#1" if where == "shared" else huge
    rows = [["id", "palaute", "yksikkö"], ["1", "Kiitos", "A"], ["2", cell, "B"], ["3", "#0", "C"]]
    write_xlsx(tmp_path / "a.xlsx", rows, strings=["Hoitaja oli tyly", huge])
    classify_file(tmp_path / "a.xlsx", tmp_path / "out.csv", model=model)
    frame = read_table(tmp_path / "out.csv")
    assert frame[["id", "palaute", "yksikkö"]].values.tolist() == [
        ["1", "Kiitos", "A"],
        ["2", "", "B"],
        ["3", "Hoitaja oli tyly", "C"],
    ]
    assert frame["problem"].tolist() == ["", "cell B3: more than 1 MiB of text; not read", ""]


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (["2", "Hoitaja oli tyly", "huom", "x"], "row has 2 more cell(s) than the header, from C3 on"),
        (["2", "Hoitaja oli tyly", "", "x"], "row has 1 more cell(s) than the header, from D3 on"),
        (["", "", "", "vain tässä"], "row has 1 more cell(s) than the header, from D3 on"),
        (["2", "Hoitaja oli tyly", "", " "], ""),  # blank cells are no data
    ],
)
def test_xlsx_cells_right_of_the_header_are_a_row_problem(tmp_path, model, row, problem):
    """They were dropped without a word; a CSV row's extra fields were a problem already."""
    write_xlsx(tmp_path / "a.xlsx", [["id", "palaute"], ["1", "Kiitos"], row, ["3", "Jonotin tunnin"]])
    classify_file(tmp_path / "a.xlsx", tmp_path / "out.csv", model=model)
    frame = read_table(tmp_path / "out.csv")
    assert frame[["id", "palaute"]].values.tolist() == [["1", "Kiitos"], row[:2], ["3", "Jonotin tunnin"]]
    assert frame["problem"][0] == frame["problem"][2] == ""
    if problem:
        assert frame["problem"][1] == f"{problem}, right of its last named column; not read"
    else:
        assert frame["problem"][1] == ""


@pytest.mark.parametrize("dimension", ["A1:XFD1048576", "A1:B2"])
def test_an_xlsx_sheet_is_read_by_its_cells_not_its_declared_dimension(tmp_path, model, dimension):
    """A1:XFD1048576 made 16,384 columns (20,000 rows ran 208 s at 1.5 GB); A1:B2 hid every
    row after the second."""
    rows = [["id", "palaute"], ["1", "Kiitos"], ["2", "Hoitaja oli tyly"], ["3", "Jonotin tunnin"]]
    write_xlsx(tmp_path / "a.xlsx", rows, dimension=dimension)
    classify_file(tmp_path / "a.xlsx", tmp_path / "out.csv", model=model)
    frame = read_table(tmp_path / "out.csv")
    assert list(frame.columns[:3]) == ["id", "palaute", "kohtelu"]
    assert frame["id"].tolist() == ["1", "2", "3"]


@pytest.mark.parametrize(
    ("limit", "strings", "message"),
    [
        ("MAX_SHEET_BYTES", [], "sheet 'Palautteet' and its shared strings would unzip to"),
        ("MAX_SHARED_STRINGS_BYTES", ["Kiitos " * 200], "its shared strings would unzip to"),
        ("MAX_PART_BYTES", [], "its part [Content_Types].xml would unzip to"),
    ],
)
def test_an_xlsx_past_a_size_limit_is_refused_with_the_limit(tmp_path, monkeypatch, limit, strings, message):
    from palauteluokitin.exports import xlsx

    monkeypatch.setattr(xlsx, limit, 500)
    write_xlsx(
        tmp_path / "a.xlsx",
        [["id", "palaute"], *[[str(n), "Kiitos " * 20] for n in range(20)]],
        strings=strings,
    )
    with pytest.raises(ExportError, match=f"{re.escape(message)} .*; the limit is 500 bytes"):
        open_export(tmp_path / "a.xlsx")


def write_ids(path) -> None:
    """Ids 1, (missing), 3 and a score 7, 8, (missing) in the format of `path`."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = {
        "id": [1, None, 3],
        "pisteet": [7, 8, None],
        "palaute": ["Kiitos", "Hoitaja oli tyly", "Jonotin"],
    }
    if path.suffix == ".parquet":  # as pyarrow or Spark write it, without pandas' own metadata
        pq.write_table(pa.table(columns), path)
    elif path.suffix == ".jsonl":  # a missing id as a key left out, a missing score as null
        lines = [
            '{"id": 1, "pisteet": 7, "palaute": "Kiitos"}',
            '{"pisteet": 8, "palaute": "Hoitaja oli tyly"}',
        ]
        path.write_text("\n".join([*lines, '{"id": 3, "pisteet": null, "palaute": "Jonotin"}']) + "\n")
    elif path.suffix == ".csv":
        path.write_text("id;pisteet;palaute\n1;7;Kiitos\n;8;Hoitaja oli tyly\n3;;Jonotin\n", encoding="utf-8")
    else:
        pd.DataFrame(columns).astype({"id": "Int64", "pisteet": "Int64"}).to_excel(path, index=False)


@pytest.mark.parametrize("output", [".csv", ".jsonl", ".parquet", ".xlsx"])
@pytest.mark.parametrize("source", [".csv", ".xlsx", ".parquet", ".jsonl"])
def test_whole_number_ids_with_gaps_stay_whole(tmp_path, model, source, output):
    """Ids 1, 2 with a missing one were written 1.0, 2.0 (pandas made the column floats)."""
    write_ids(tmp_path / f"vienti{source}")
    classify_file(tmp_path / f"vienti{source}", tmp_path / f"out{output}", model=model)
    frame = read_table(tmp_path / f"out{output}")
    assert frame["id"].tolist() == ["1", "", "3"]
    assert frame["pisteet"].tolist() == ["7", "8", ""]
    if output == ".parquet" and source in (".parquet", ".jsonl"):
        import pyarrow.parquet as pq

        schema = pq.read_schema(tmp_path / "out.parquet")
        assert str(schema.field("id").type) == str(schema.field("pisteet").type) == "int64", (
            "numbers stay numbers"
        )


def test_an_xlsx_time_of_day_cell_is_read(tmp_path):
    """A time cell (no date) ended in a TypeError traceback."""
    from openpyxl import Workbook

    book = Workbook()
    for row in [
        ["id", "aika", "palaute"],
        [None, datetime.time(10, 5), "Kiitos"],
        [2, None, "Hoitaja oli tyly"],
    ]:
        book.active.append(row)
    book.save(tmp_path / "a.xlsx")
    frame = read_table(tmp_path / "a.xlsx")
    assert frame.values.tolist() == [["", "10:05:00", "Kiitos"], ["2", "", "Hoitaja oli tyly"]]
