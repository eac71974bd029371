"""Issue 18 for `classify`: the Excel sheet read, the output refused before the model
loads, the progress it reports, typed Parquet and JSON Lines, and a tidy Excel output."""

from __future__ import annotations

import io
import json
import re

import pandas as pd
import pytest
from click.testing import CliRunner

from palauteluokitin.classify.batch import classify_file
from palauteluokitin.classify.loaded_model import load_model
from palauteluokitin.classify.progress import ProgressLine, format_progress
from palauteluokitin.cli import cli
from palauteluokitin.errors import ExportError, ExportReadError
from palauteluokitin.exports.read import open_export, read_table
from palauteluokitin.labels import FLAG, OUTPUT_COLUMNS, RIGHTS_CATEGORIES

COVER = ("Info", [["Raportti", "Asiakaspalaute 2026"], ["Luotu", "1.1.2027"]])
ANSWERS = (
    "Vastaukset",
    [["id", "avoin palaute", "nps"], [1, "Hoitaja oli tyly", 3], [2, "Kiitos hyvästä hoidosta", 10]],
)
MORE_ANSWERS = ("Vastaukset 2025", [["id", "palaute"], [7, "Jonotin tunnin"]])
OTHER_TEXT = ("Muut", [["id", "vastaus"], [9, "Lääkäri ei kuunnellut"]])
FIGURES = ("Luvut", [["yksikkö", "nps"], ["Päivystys", 9]])
QUESTION = ("Kysely", [["id", "Palaute (vapaa teksti)"], [4, "Jonotin tunnin"]])
NAMED_2 = ("2", [["id", "kommentti"], [5, "Hyvä"]])


@pytest.fixture(scope="module")
def model():
    return load_model("default")


def workbook(path, *sheets) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)


def test_a_cover_sheet_first_classifies_the_data_sheet(tmp_path, model):
    """`classify vienti.xlsx` classified the cover sheet's two metadata rows and exited 0."""
    workbook(tmp_path / "vienti.xlsx", COVER, ANSWERS)
    summary = classify_file(tmp_path / "vienti.xlsx", tmp_path / "out.csv", model=model)
    frame = read_table(tmp_path / "out.csv")
    assert frame[["id", "avoin palaute", "nps"]].values.tolist() == [
        ["1", "Hoitaja oli tyly", "3"],
        ["2", "Kiitos hyvästä hoidosta", "10"],
    ]
    assert summary.text_column == "avoin palaute"
    assert "Note: read sheet 'Vastaukset' (2 of 2), the only one with a comment column" in "\n".join(
        summary.lines()
    )


@pytest.mark.parametrize(
    ("sheets", "options", "chosen"),
    [
        ([COVER, ANSWERS], {}, "Vastaukset"),
        ([ANSWERS], {}, "Vastaukset"),
        ([COVER], {}, "Info"),  # the only sheet is read, whatever its columns
        ([COVER, ANSWERS], {"sheet": "Info"}, "Info"),
        ([COVER, ANSWERS], {"sheet": "vastaukset"}, "Vastaukset"),
        ([COVER, ANSWERS], {"sheet": "1"}, "Info"),
        ([COVER, ANSWERS], {"sheet": 2}, "Vastaukset"),
        ([COVER, ANSWERS, NAMED_2], {"sheet": "2"}, "2"),  # a sheet's name wins over its number
        ([ANSWERS, OTHER_TEXT], {"text_column": "vastaus"}, "Muut"),
        ([COVER, OTHER_TEXT, ANSWERS], {"text_column": "avoin palaute"}, "Vastaukset"),
        ([FIGURES, QUESTION], {}, "Kysely"),  # no known name: a name containing one
    ],
)
def test_the_sheet_read(tmp_path, sheets, options, chosen):
    workbook(tmp_path / "vienti.xlsx", *sheets)
    export = open_export(tmp_path / "vienti.xlsx", **options)
    assert export.sheet.name == chosen
    assert export.notes[-1].startswith(f"read sheet {chosen!r}")


@pytest.mark.parametrize(
    ("sheets", "options", "message"),
    [
        (
            [FIGURES, ("Tyhjä", [])],
            {},
            "vienti.xlsx: no sheet has a comment column (named like palaute, kommentti, comment…); "
            "choose one with --sheet NAME or --sheet NUMBER. Its sheets:\n"
            "  1 'Luvut': yksikkö, nps\n  2 'Tyhjä': (no header row)",
        ),
        ([COVER, QUESTION], {}, "2 sheets have a comment column"),  # a cover sheet's title is no answer
        (
            [COVER, ANSWERS, MORE_ANSWERS],
            {},
            "vienti.xlsx: 2 sheets have a comment column (named like palaute, kommentti, comment…); "
            "choose one with --sheet NAME or --sheet NUMBER. Its sheets:\n"
            "  1 'Info': Raportti, Asiakaspalaute 2026\n"
            "  2 'Vastaukset': id, avoin palaute, nps\n"
            "  3 'Vastaukset 2025': id, palaute",
        ),
        ([COVER, ANSWERS], {"text_column": "teksti"}, "no sheet has the column 'teksti'; choose one"),
        (
            [COVER, ANSWERS],
            {"sheet": "3"},
            "vienti.xlsx has no sheet '3' (--sheet); its sheets are: 1 'Info', ",
        ),
        ([COVER, ANSWERS], {"sheet": "Tulokset"}, "has no sheet 'Tulokset' (--sheet)"),
    ],
)
def test_no_sheet_or_several_is_an_error_listing_the_sheets(tmp_path, sheets, options, message):
    workbook(tmp_path / "vienti.xlsx", *sheets)
    with pytest.raises(ExportReadError) as raised:
        open_export(tmp_path / "vienti.xlsx", **options)
    assert message in str(raised.value)


def test_sheet_of_a_csv_is_an_error(tmp_path):
    (tmp_path / "vienti.csv").write_text("id;palaute\n1;Kiitos\n", encoding="utf-8")
    with pytest.raises(ExportReadError, match="not an Excel workbook"):
        open_export(tmp_path / "vienti.csv", sheet="1")


def test_cli_sheet_option_and_its_error(tmp_path):
    workbook(tmp_path / "vienti.xlsx", COVER, ANSWERS, MORE_ANSWERS)
    runner = CliRunner()
    refused = runner.invoke(cli, ["classify", str(tmp_path / "vienti.xlsx")])
    assert refused.exit_code == 1
    assert "2 sheets have a comment column" in refused.output and "Traceback" not in refused.output
    assert sorted(path.name for path in tmp_path.iterdir()) == ["vienti.xlsx"]
    chosen = runner.invoke(cli, ["classify", str(tmp_path / "vienti.xlsx"), "--sheet", "3"])
    assert chosen.exit_code == 0, chosen.output
    assert "Note: read sheet 'Vastaukset 2025' (3 of 3), as given with --sheet" in chosen.output
    assert read_table(tmp_path / "vienti.classified.csv")["id"].tolist() == ["7"]


# --- the output is refused before the model loads ---------------------------------------


@pytest.mark.parametrize(
    ("name", "arguments", "message"),
    [
        ("vienti.classified.csv", [], "vienti.classified.csv exists; pass --overwrite"),
        ("vienti.csv", ["--overwrite"], "vienti.csv is the input; write the output to another file"),
        ("puuttuva/tulos.csv", [], "puuttuva does not exist"),
        ("tulos.pdf", [], "cannot write .pdf"),
    ],
)
def test_the_output_is_refused_before_the_model_loads(tmp_path, name, arguments, message):
    """The refusal came after the model had loaded (4.5–7 s). With a model that does not
    exist, it is the output's error that is reported: the model was never looked for."""
    source = tmp_path / "vienti.csv"
    source.write_text("id;palaute\n1;Kiitos\n", encoding="utf-8")
    (tmp_path / "vienti.classified.csv").write_text("analyytikon työ\n", encoding="utf-8")
    output = ["-o", str(tmp_path / name)] if name != "vienti.classified.csv" else []
    result = CliRunner().invoke(cli, ["classify", str(source), *output, *arguments, "--model", "ei-ole"])
    assert result.exit_code == 1
    assert message in result.output
    assert "No model bundle" not in result.output
    assert (tmp_path / "vienti.classified.csv").read_text(encoding="utf-8") == "analyytikon työ\n"
    assert source.read_text(encoding="utf-8") == "id;palaute\n1;Kiitos\n"
    with pytest.raises(ExportError, match=re.escape(message)):
        classify_file(source, tmp_path / name, model="ei-ole", overwrite=bool(arguments))


# --- progress --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "rows", "total", "seconds", "line"),
    [
        ("reading vienti.csv", 0, None, 0.0, "Reading vienti.csv…"),
        ("counting rows", 0, None, 0.0, "Counting rows…"),
        ("loading model 'default'", 0, 50_000, 0.0, "Loading model 'default'…"),
        ("classifying", 0, 50_000, 0.0, "Classifying: 0 / 50,000 rows (0%)"),
        (
            "classifying",
            12_500,
            50_000,
            5.0,
            "Classifying: 12,500 / 50,000 rows (25%) · 2,500 rows/s · 0:00:15 left",
        ),
        (
            "classifying",
            2_000,
            1_000_000,
            0.6,
            "Classifying: 2,000 / 1,000,000 rows (0%) · 3,333 rows/s · 0:04:59 left",
        ),
        (
            "classifying",
            50_000,
            50_000,
            14.3,
            "Classifying: 50,000 / 50,000 rows (100%) · 3,497 rows/s · 0:00:00 left",
        ),
        ("classifying", 4_000, None, 2.0, "Classifying: 4,000 rows · 2,000 rows/s"),  # Excel: no total
    ],
)
def test_the_progress_line(stage, rows, total, seconds, line):
    assert format_progress(stage, rows, total, seconds) == line


def test_a_progress_line_is_redrawn_in_place_and_cleared():
    stream = io.StringIO()
    progress = ProgressLine(stream)
    progress("loading model 'default'", 0, 3)
    progress("classifying", 0, 3)
    progress("counting rows", 0, None)  # shorter: the rest of the longer line is blanked
    assert stream.getvalue() == (
        "\rLoading model 'default'…\rClassifying: 0 / 3 rows (0%)\rCounting rows…" + " " * 14
    )
    progress.close()
    assert stream.getvalue().endswith("\r" + " " * len("Counting rows…") + "\r")


def write_rows(path, rows: int) -> None:
    """`rows` answers, the third with an empty comment, in the format of `path`."""
    frame = pd.DataFrame(
        {"id": range(1, rows + 1), "palaute": ["" if n == 3 else f"Kiitos {n}" for n in range(1, rows + 1)]}
    )
    if path.suffix == ".csv":  # with a blank line, which is no row, and a comment over two lines
        frame.loc[0, "palaute"] = "Hoitaja oli tyly.\nToinen rivi."
        text = frame.to_csv(index=False, sep=";", lineterminator="\n")
        path.write_text(text.replace("\n2;", "\n\n2;"), encoding="utf-8")
    elif path.suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
        path.write_text(path.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    elif path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_excel(path, index=False)


@pytest.mark.parametrize(
    ("suffix", "counted"), [(".csv", True), (".jsonl", True), (".parquet", True), (".xlsx", False)]
)
def test_progress_hears_each_step_and_the_total(tmp_path, model, suffix, counted):
    write_rows(tmp_path / f"vienti{suffix}", 7)
    heard = []
    classify_file(
        tmp_path / f"vienti{suffix}",
        tmp_path / "out.csv",
        model=model,
        chunk_rows=3,
        progress=lambda *step: heard.append(step),
    )
    total = 7 if counted else None
    assert heard == [
        ("counting rows", 0, None),
        ("classifying", 0, total),
        ("classifying", 3, total),
        ("classifying", 6, total),
        ("classifying", 7, total),
    ]
    assert len(read_table(tmp_path / "out.csv")) == 7


def test_progress_says_the_model_is_loading_and_nothing_shows_off_a_terminal(tmp_path):
    write_rows(tmp_path / "vienti.csv", 2)
    heard = []
    classify_file(tmp_path / "vienti.csv", tmp_path / "out.csv", progress=lambda *step: heard.append(step))
    assert [stage for stage, _, _ in heard[:3]] == ["counting rows", "loading model 'default'", "classifying"]
    result = CliRunner().invoke(cli, ["classify", str(tmp_path / "vienti.csv")])  # stderr is no terminal
    assert result.exit_code == 0, result.output
    assert "\r" not in result.output and "Classifying" not in result.output and "Loading" not in result.output


# --- typed outputs -----------------------------------------------------------------------

TYPED_CSV = (
    "id;nps;koodi;keskiarvo;sekalainen;palaute\n"
    "1;7;007;4,5;1;Hoitaja oli tyly\n"
    "2;;8;3.25;x;\n"  # an empty comment: a problem row keeps its cells
    "3;10;9;;;Kiitos hyvästä hoidosta\n"
)


def test_parquet_and_jsonl_keep_numbers_as_numbers(tmp_path, model):
    """ids and NPS came out as strings in Parquet; "007" stays a code; a column with text
    stays text, every value kept."""
    import pyarrow.parquet as pq

    source = tmp_path / "vienti.csv"
    source.write_text(TYPED_CSV, encoding="utf-8")
    classify_file(source, tmp_path / "out.parquet", model=model, chunk_rows=2)
    schema = pq.read_schema(tmp_path / "out.parquet")
    types = {name: str(schema.field(name).type) for name in schema.names}
    assert {name: types[name] for name in ("id", "nps", "keskiarvo", "koodi", "sekalainen")} == {
        "id": "int64",
        "nps": "int64",
        "keskiarvo": "double",
        "koodi": "string",
        "sekalainen": "string",
    }
    assert {types[f"{label}_score"] for label in (*RIGHTS_CATEGORIES, FLAG, "sentiment")} == {"double"}
    assert {types[label] for label in (*RIGHTS_CATEGORIES, FLAG)} == {"int8"}
    frame = pd.read_parquet(tmp_path / "out.parquet")
    assert str(frame["nps"].dtype) == "Int64" and frame["nps"].tolist()[::2] == [7, 10]
    assert frame["nps"].isna().tolist() == [False, True, False]
    assert frame["keskiarvo"].tolist()[:2] == [4.5, 3.25] and pd.isna(frame["keskiarvo"][2])
    assert frame["koodi"].tolist() == ["007", "8", "9"] and frame["sekalainen"].tolist() == ["1", "x", ""]
    classify_file(source, tmp_path / "out.jsonl", model=model, chunk_rows=2)
    lines = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [[line[name] for name in ("id", "nps", "koodi", "keskiarvo", "sekalainen")] for line in lines] == [
        [1, 7, "007", 4.5, "1"],
        [2, None, "8", 3.25, "x"],
        [3, 10, "9", None, ""],
    ]
    assert lines[1]["problem"] == "empty comment" and lines[1]["kohtelu"] is None


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl"])
def test_a_later_chunk_with_text_keeps_the_column_text(tmp_path, model, suffix):
    source = tmp_path / "vienti.csv"
    source.write_text("numero;palaute\n1;Kiitos\n2;Kiitos\n3;Kiitos\nA-4;Kiitos\n", encoding="utf-8")
    classify_file(source, tmp_path / f"out{suffix}", model=model, chunk_rows=2)
    assert read_table(tmp_path / f"out{suffix}")["numero"].tolist() == ["1", "2", "3", "A-4"]
    if suffix == ".jsonl":
        first = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()[0])
        assert first["numero"] == "1"


def test_excel_numbers_become_parquet_numbers(tmp_path, model):
    import pyarrow.parquet as pq

    workbook(tmp_path / "vienti.xlsx", ANSWERS)
    classify_file(tmp_path / "vienti.xlsx", tmp_path / "out.parquet", model=model)
    schema = pq.read_schema(tmp_path / "out.parquet")
    assert (str(schema.field("id").type), str(schema.field("nps").type)) == ("int64", "int64")


@pytest.mark.parametrize("suffix", [".parquet", ".xlsx"])
def test_a_first_chunk_of_problems_only_keeps_the_output_types(tmp_path, model, suffix):
    """Parquet took each column's type from the first chunk: with every comment of it empty,
    the scores were of Arrow's null type and the next chunk failed with a traceback."""
    source = tmp_path / "vienti.csv"
    pd.DataFrame({"id": range(6), "palaute": ["", "", "", "Kiitos", "Hoitaja oli tyly", "Hyvä"]}).to_csv(
        source, index=False
    )
    classify_file(source, tmp_path / f"out{suffix}", model=model, chunk_rows=3)
    frame = read_table(tmp_path / f"out{suffix}")
    assert frame["problem"].tolist() == ["empty comment"] * 3 + [""] * 3
    assert (frame["sentiment"][3:] != "").all()
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        schema = pq.read_schema(tmp_path / "out.parquet")
        assert str(schema.field(f"{FLAG}_score").type) == "double"
        assert str(schema.field(FLAG).type) == "int8"


# --- a tidy Excel output ----------------------------------------------------------------


def test_excel_output_is_tidy(tmp_path, model):
    """The XLSX had no frozen header, no filter and default column widths."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    source = tmp_path / "vienti.csv"
    source.write_text(TYPED_CSV, encoding="utf-8")
    classify_file(source, tmp_path / "out.xlsx", model=model)
    sheet = load_workbook(tmp_path / "out.xlsx").active
    header = [cell.value for cell in sheet[1]]
    assert header == ["id", "nps", "koodi", "keskiarvo", "sekalainen", "palaute", *OUTPUT_COLUMNS]
    letter = {name: get_column_letter(position) for position, name in enumerate(header, 1)}
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(header))}4"
    widths = {name: sheet.column_dimensions[letter[name]].width for name in header}
    assert widths["palaute"] == 60
    assert {widths[name] for name in header if name.endswith("_score")} == {10}
    assert 8 <= widths["id"] <= 12 and widths["model_version"] > widths["id"]
    comment = sheet[f"{letter['palaute']}2"]
    assert comment.value == "Hoitaja oli tyly" and comment.alignment.wrap_text
    assert sheet[f"{letter['palaute']}1"].font.bold
    for name in ("kohtelu_score", f"{FLAG}_score", "sentiment_score"):
        cell = sheet[f"{letter[name]}2"]
        assert (cell.data_type, cell.number_format, type(cell.value)) == ("n", "0.000", float)
    label = sheet[f"{letter[FLAG]}2"]
    assert (label.data_type, type(label.value)) == ("n", int)
    assert sheet[f"{letter[FLAG]}3"].value is None, "a problem row has no label"
