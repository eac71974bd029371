"""Hostile exports: every file gives per-row problems or one clear error, never a traceback."""

from __future__ import annotations

import json
import os
import random

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
    assert any("other(s) ignored" in note for note in summary.notes)


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
    frame = classify(
        tmp_path, model, "a.csv", f'id,palaute\n1,Kiitos\n2,"{huge}"\n3,{huge}\n4,Hoitaja oli tyly\n'
    )
    assert frame["id"].tolist() == ["1", "2", "3", "4"]
    assert frame["problem"].tolist() == [
        "",
        "line 3: a field of more than 1 MiB; not read",
        "line 4: a field of more than 1 MiB; not read",
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
