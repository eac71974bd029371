"""Batch classification: formats, encodings, delimiters, bad rows, the CLI contract, the API."""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from palauteluokitin.classify.batch import classify_file
from palauteluokitin.classify.loaded_model import OUTPUT_COLUMNS, load_model, text_problem
from palauteluokitin.cli import cli
from palauteluokitin.errors import BundleError, ExportError
from palauteluokitin.exports.read import read_table
from palauteluokitin.text.language import detect_language

COMMENTS = [
    "Hoitaja huusi minulle ja nauroi kivuilleni, tosi nöyryyttävää.",
    "Lääkäri oli ystävällinen ja selitti kaiken selkeästi.",
    "Jonotin puhelimessa tunnin; kukaan ei vastannut.",
    'Sanoin "kiitos", mutta aulassa oli kylmä.',
    "Personalen var vänlig och förklarade allt.",
]
HEADER = ["id", "pvm", "yksikkö", "avoin palaute"]


@pytest.fixture(scope="module")
def model():
    return load_model("default")


def rows() -> list[list[str]]:
    return [[str(100 + i), f"{i + 1}.3.2026", "Päivystys", text] for i, text in enumerate(COMMENTS)]


def write_csv(path, delimiter: str, encoding: str, newline: str = "\r\n") -> None:
    import csv

    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator=newline)
        writer.writerow(HEADER)
        writer.writerows(rows())


def expected_frame() -> pd.DataFrame:
    return pd.DataFrame(rows(), columns=HEADER)


def check_output(frame: pd.DataFrame) -> None:
    """Every input row and column unchanged and in order, then the output columns."""
    assert list(frame.columns) == [*HEADER, *OUTPUT_COLUMNS]
    pd.testing.assert_frame_equal(frame[HEADER].astype(str), expected_frame(), check_dtype=False)
    assert (frame["problem"] == "").all()
    assert set(frame["sentiment"]) <= {"positiivinen", "negatiivinen", "ristiriitainen", "neutraali"}
    assert frame["lang"].tolist() == ["fi", "fi", "fi", "fi", "sv"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize(
    ("suffix", "delimiter"), [(".csv", ";"), (".csv", ","), (".tsv", "\t"), (".txt", "|")]
)
def test_text_exports_in_any_encoding_and_delimiter(tmp_path, model, encoding, suffix, delimiter):
    source = tmp_path / f"vienti{suffix}"
    write_csv(source, delimiter, encoding)
    summary = classify_file(source, model=model)
    assert summary.output == tmp_path / "vienti.classified.csv"
    assert summary.text_column == "avoin palaute" and summary.text_column_detected
    assert summary.id_column == "id"
    check_output(read_table(summary.output))


@pytest.mark.parametrize("suffix", [".xlsx", ".parquet", ".jsonl"])
def test_binary_and_json_exports_round_trip(tmp_path, model, suffix):
    source = tmp_path / f"vienti{suffix}"
    frame = expected_frame()
    if suffix == ".xlsx":
        frame.to_excel(source, index=False)
    elif suffix == ".parquet":
        frame.to_parquet(source, index=False)
    else:
        frame.to_json(source, orient="records", lines=True, force_ascii=False)
    output = tmp_path / f"out{suffix}"
    classify_file(source, output, model=model)
    check_output(read_table(output))


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".xlsx", ".parquet", ".jsonl"])
def test_output_format_follows_the_extension(tmp_path, model, suffix):
    source = tmp_path / "vienti.csv"
    write_csv(source, ";", "cp1252")
    output = tmp_path / f"tulos{suffix}"
    classify_file(source, output, model=model)
    check_output(read_table(output))
    assert not list(tmp_path.glob(".*part")), "the temporary file is renamed into place"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", "empty comment"),
        ("   \t ", "empty comment"),
        (None, "empty comment"),
        (float("nan"), "empty comment"),
        (42, "not text: a number"),
        ("12345 - 678", "not text: digits and signs, no letters"),
        ("–", ""),
        ("...", ""),
        ("x" * 20_001, "too long: 20,001 characters"),
        ("\ufffd" * 40 + "abc", "undecodable"),
        ({"a": 1}, "not text: a dict value"),
        ("Hoitaja\x00 oli tyly", ""),
        ("👍", ""),
    ],
)
def test_values_that_are_not_comments_get_a_problem(value, problem):
    _, found = text_problem(value)
    assert found.startswith(problem) if problem else found == ""


def test_bad_rows_are_kept_in_order_with_their_problem(tmp_path, model):
    frame = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d", "e"],
            "palaute": ["Hoitaja oli tyly.", "", '=HYPERLINK("http://x","klikkaa")', "x" * 30_000, "Kiitos!"],
        }
    )
    source = tmp_path / "vienti.xlsx"
    frame.to_excel(source, index=False)
    classify_file(source, tmp_path / "out.csv", model=model)
    result = read_table(tmp_path / "out.csv")
    assert result["id"].tolist() == ["a", "b", "c", "d", "e"]
    assert result["problem"].tolist()[1] == "empty comment"
    assert result["problem"].tolist()[3].startswith("too long")
    assert result.loc[1, "kohtelu"] == "" and result.loc[1, "sentiment"] == ""
    assert result.loc[0, "problem"] == "" and result.loc[4, "problem"] == ""
    assert result.loc[3, "palaute"] == "x" * 30_000, "a bad row's cells are kept unchanged"


def test_formula_cells_are_neutralised_in_csv_and_excel(tmp_path, model):
    from openpyxl import load_workbook

    source = tmp_path / "vienti.csv"
    source.write_text('id;palaute\n1;=HYPERLINK("http://x","klikkaa")\n2;@SUM(A1)\n3;-5\n', encoding="utf-8")
    classify_file(source, tmp_path / "out.csv", model=model)
    cells = read_table(tmp_path / "out.csv")["palaute"].tolist()
    assert cells == ['\'=HYPERLINK("http://x","klikkaa")', "'@SUM(A1)", "-5"]
    classify_file(source, tmp_path / "out.xlsx", model=model)
    sheet = load_workbook(tmp_path / "out.xlsx").worksheets[0]
    assert sheet["B2"].value == '\'=HYPERLINK("http://x","klikkaa")'
    assert sheet["B2"].data_type == "s"


def test_flag_reasons_come_from_the_comment(model):
    result = model.classify(["Hoitaja huusi minulle ja nauroi kivuilleni, tosi nöyryyttävää."])[0]
    assert result.flag == 1
    assert result.flag_reasons
    for reason in result.flag_reasons:
        assert reason in "Hoitaja huusi minulle ja nauroi kivuilleni, tosi nöyryyttävää."
    assert model.classify(["Kiitos ystävällisestä ja selkeästä vastaanotosta."])[0].flag_reasons == ()


@pytest.mark.parametrize("text", ["–", "-", "...", "."])
def test_an_answer_left_empty_with_a_sign_is_a_neutral_remark(model, text):
    result = model.classify([text])[0]
    assert result.problem == ""
    assert (result.sentiment, result.flag) == ("neutraali", 0)
    assert not any(result.categories.values())


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hoitaja oli tosi mukava ja kuunteli", "fi"),
        ("mä oon ihan pihalla et mitä tapahtu", "fi"),
        ("ok", "fi"),
        ("Personalen var mycket trevlig men väntetiden var lång", "sv"),
        ("Tack för god vård", "sv"),
        ("The nurse was rude to my mother and ignored her", "en"),
        ("Der Arzt war sehr unfreundlich und hat mir nicht zugehört", "other"),
        ("Врач был очень грубым и не слушал меня вообще", "other"),
    ],
)
def test_language(text, language):
    assert detect_language(text) == language


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.text(max_size=80), st.none(), st.integers()), max_size=12))
def test_any_values_give_one_result_each_in_order(model, values):
    frame = pd.DataFrame({"id": range(len(values)), "text": pd.Series(values, dtype=object)})
    output = model.classify_frame(frame, text_column="text")
    assert output["id"].tolist() == list(range(len(values)))
    assert len(output) == len(values)
    classified = output["problem"] == ""
    assert output.loc[classified, "sentiment"].notna().all()
    assert output.loc[~classified, "sentiment"].isna().all()


@pytest.mark.parametrize("start_method", [None, "spawn"])
def test_jobs_give_the_same_output(tmp_path, model, start_method):
    source = tmp_path / "vienti.csv"
    frame = pd.DataFrame(
        {"id": range(60), "palaute": [COMMENTS[i % len(COMMENTS)] + f" {i}" for i in range(60)]}
    )
    frame.to_csv(source, index=False)
    collection = gc.get_threshold()
    classify_file(source, tmp_path / "one.csv", model=model, chunk_rows=7)
    classify_file(source, tmp_path / "two.csv", model=model, chunk_rows=7, jobs=2, start_method=start_method)
    pd.testing.assert_frame_equal(read_table(tmp_path / "one.csv"), read_table(tmp_path / "two.csv"))
    assert gc.get_threshold() == collection and gc.get_freeze_count() == 0  # as it was before


def test_models_directory_by_option_and_environment(tmp_path, monkeypatch):
    from palauteluokitin.modeling.bundle import models_directory

    shipped = models_directory() / "default"
    folder = tmp_path / "mallit"
    (folder / "oma").mkdir(parents=True)
    for path in shipped.iterdir():
        (folder / "oma" / path.name).write_bytes(path.read_bytes())
    source = tmp_path / "vienti.csv"
    write_csv(source, ";", "utf-8")
    with pytest.raises(BundleError, match="No model bundle at 'oma'"):
        load_model("oma")
    assert load_model("oma", models_dir=folder).metadata["name"] == "baseline"
    result = CliRunner().invoke(cli, ["classify", str(source), "--model", "oma", "--models-dir", str(folder)])
    assert result.exit_code == 0, result.output
    monkeypatch.setenv("PALAUTELUOKITIN_MODELS_DIR", str(folder))
    assert load_model("oma").version == load_model("default", models_dir=shipped.parent).version
    with pytest.raises(BundleError, match="outside"):
        load_model(str(shipped))  # the shipped folder is now outside the models directory


def test_api_equals_cli(tmp_path, model):
    source = tmp_path / "vienti.csv"
    write_csv(source, ";", "utf-8")
    result = CliRunner().invoke(cli, ["classify", str(source), "-o", str(tmp_path / "out.jsonl"), "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.output == ""
    lines = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    api = model.classify_frame(expected_frame())
    assert [line["sentiment"] for line in lines] == api["sentiment"].tolist()
    assert [line["kohtelu_score"] for line in lines] == api["kohtelu_score"].tolist()


def test_cli_summary_and_refusal_to_overwrite(tmp_path):
    source = tmp_path / "vienti.csv"
    write_csv(source, ";", "cp1252")
    runner = CliRunner()
    first = runner.invoke(cli, ["classify", str(source)])
    assert first.exit_code == 0, first.output
    assert "Text column: 'avoin palaute' (detected)" in first.output
    assert "Rows: 5;" in first.output and "rows/s" in first.output
    again = runner.invoke(cli, ["classify", str(source)])
    assert again.exit_code == 1
    assert "exists; pass --overwrite" in again.output
    assert runner.invoke(cli, ["classify", str(source), "--overwrite"]).exit_code == 0


@pytest.mark.parametrize(
    ("content", "arguments", "message"),
    [
        (
            "id;palaute\n1;hei\n",
            ["--text-column", "kommentti"],
            "no column 'kommentti' (--text-column); its columns are: id, palaute",
        ),
        ("id;palaute\n1;hei\n", ["--id-column", "numero"], "its columns are: id, palaute"),
        ("", [], "is empty"),
        (b"\x00\x01\x02\x00" * 300, [], "looks binary"),
    ],
)
def test_cli_errors_are_one_clear_message(tmp_path, content, arguments, message):
    source = tmp_path / "vienti.csv"
    if isinstance(content, bytes):
        source.write_bytes(content)
    else:
        source.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(cli, ["classify", str(source), *arguments])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "vienti.classified.csv").exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [("puuttuu.csv", "does not exist"), ("vienti.pdf", "cannot read .pdf"), ("kansio.csv", "not a file")],
)
def test_unreadable_inputs(tmp_path, name, message):
    (tmp_path / "kansio.csv").mkdir()
    (tmp_path / "vienti.pdf").write_bytes(b"%PDF-1.4")
    with pytest.raises(ExportError, match=message):
        classify_file(tmp_path / name, model="default")


@pytest.mark.parametrize(("most", "some"), [("utf-8", "cp1252"), ("cp1252", "utf-8")])
def test_mixed_encodings_are_repaired_per_cell(tmp_path, model, most, some):
    """Rows in the file's minority encoding: cp1252 rows in a UTF-8 file, and UTF-8 rows in
    a cp1252 file (those came out as "ystÃ¤vÃ¤llinen", with no row problem)."""
    rows = [f"{i};Hoitaja oli ystävällinen ja kärsivällinen\n".encode(most) for i in range(1, 4)]
    source = tmp_path / "vienti.csv"
    source.write_bytes(b"id;palaute\n" + b"".join(rows) + "4;Lääkäri oli töykeä – 5 €\n".encode(some))
    classify_file(source, tmp_path / "out.csv", model=model)
    frame = read_table(tmp_path / "out.csv")
    assert frame["palaute"].tolist() == ["Hoitaja oli ystävällinen ja kärsivällinen"] * 3 + [
        "Lääkäri oli töykeä – 5 €"
    ]
    assert (frame["problem"] == "").all()


def test_shipped_example_export_classifies(tmp_path, model):
    from conftest import ROOT

    source = read_table(ROOT / "examples" / "palautevienti.csv")
    summary = classify_file(ROOT / "examples" / "palautevienti.csv", tmp_path / "out.csv", model=model)
    frame = read_table(tmp_path / "out.csv")
    assert summary.rows == len(frame) == len(source)
    assert summary.text_column == "Avoin palaute"
    # answers with a score but no comment, as real forms allow, are counted apart, not as problems
    empty = source["Avoin palaute"].isna() | (source["Avoin palaute"].astype(str).str.strip() == "")
    assert 0 < summary.without_comment == empty.sum()
    assert summary.problems == 0
    assert (frame.loc[empty, "problem"] == "empty comment").all()
    assert f"without a comment: {empty.sum()}; problems: 0" in "\n".join(summary.lines())
    assert not any(line.startswith("Problem at") for line in summary.lines())
    assert 0 < summary.flagged < summary.rows


def test_redact_replaces_personal_data_in_the_output_only(tmp_path):
    source = tmp_path / "vienti.csv"
    comment = "Hoitaja Virtanen huusi minulle, hetu 131052-308T, soita 040 123 4567."
    source.write_text(f'id;palaute\n1;"{comment}"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["classify", str(source), "--redact", "--quiet"])
    assert result.exit_code == 0, result.output
    frame = read_table(tmp_path / "vienti.classified.csv")
    text = frame.loc[0, "palaute"]
    assert "131052-308T" not in text and "040 123 4567" not in text and "Virtanen" not in text
    assert "[HETU]" in text and "[PUHELIN]" in text and "[NIMI]" in text
    assert "Virtanen" not in frame.loc[0, "flag_reasons"]
    assert source.read_text(encoding="utf-8").count("131052-308T") == 1, "the input is left alone"


def test_default_model_on_the_independent_challenge_set(tmp_path, model):
    """The shipped model through `classify` on comments it was never trained or tuned on,
    scored against their gold labels (renamed `<label>_input` in the output)."""
    from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score

    from conftest import ROOT
    from palauteluokitin.labels import FLAG, RIGHTS_CATEGORIES

    summary = classify_file(ROOT / "data" / "challenge" / "challenge.csv", tmp_path / "out.csv", model=model)
    out = read_table(tmp_path / "out.csv")
    assert summary.problems == 0
    assert len(out) == 320
    gold = out[[f"{label}_input" for label in RIGHTS_CATEGORIES]].astype(int).to_numpy()
    predicted = out[list(RIGHTS_CATEGORIES)].astype(int).to_numpy()
    assert f1_score(gold, predicted, average="macro") >= 0.80
    assert accuracy_score(out["sentiment_input"], out["sentiment"]) >= 0.80
    flag_gold, flagged = out[f"{FLAG}_input"].astype(int), out[FLAG].astype(int)
    assert recall_score(flag_gold, flagged) >= 0.92
    assert precision_score(flag_gold, flagged) >= 0.60


def running(pid: int) -> bool:
    """The process exists and is not a zombie waiting for whoever adopted it to reap it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def worker_pids(parent: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{parent}/task").iterdir():
        children += [int(pid) for pid in (task / "children").read_text().split()]
    return children


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc to find the workers")
def test_workers_end_when_their_parent_is_killed(tmp_path):
    source = tmp_path / "vienti.csv"
    pd.DataFrame({"id": range(20_000), "palaute": [COMMENTS[i % 5] + f" {i}" for i in range(20_000)]}).to_csv(
        source, index=False
    )
    command = [sys.executable, "-m", "palauteluokitin", "classify", str(source), "--jobs", "2", "--quiet"]
    parent = subprocess.Popen(command)
    deadline = time.monotonic() + 60
    while len(workers := worker_pids(parent.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(workers) == 2, "the workers did not start"
    parent.kill()  # SIGKILL: the parent cannot stop them itself
    parent.wait()
    deadline = time.monotonic() + 10
    while any(running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    alive = [pid for pid in workers if running(pid)]
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    assert alive == []


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet", ".xlsx"])
def test_classifying_its_own_output_again_keeps_every_column_apart(tmp_path, model, suffix):
    """A third pass renamed kohtelu to kohtelu_input beside the kohtelu_input of the second:
    JSONL dropped one of them and Parquet refused to write."""
    source = tmp_path / "vienti.csv"
    pd.DataFrame({"id": [1, 2], "palaute": COMMENTS[:2]}).to_csv(source, index=False)
    for number in (1, 2):
        classify_file(source, tmp_path / f"pass{number}.csv", model=model, text_column="palaute")
        source = tmp_path / f"pass{number}.csv"
    classify_file(source, tmp_path / f"pass3{suffix}", model=model, text_column="palaute")
    output = read_table(tmp_path / f"pass3{suffix}")
    assert len(output) == 2 and output.columns.is_unique
    assert {"kohtelu", "kohtelu_input", "kohtelu_input2"} <= set(output.columns)
    assert len(output.columns) == 2 + 3 * len(OUTPUT_COLUMNS)


@pytest.mark.parametrize("umask", [0o022, 0o077], ids=["umask 022", "umask 077"])
@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet", ".jsonl"])
def test_the_temporary_file_is_private_until_it_is_renamed(tmp_path, suffix, umask):
    """The hidden .part file was created world-readable (0644) while the comments were written."""
    from palauteluokitin.exports.write import ExportWriter

    before = os.umask(umask)
    try:
        with ExportWriter(tmp_path / f"out{suffix}", text_columns=HEADER) as writer:  # ids: a second pass
            writer.write(expected_frame())
            writer.write(expected_frame())
            assert writer.temporary.stat().st_mode & 0o777 == 0o600
            writer.commit()
    finally:
        os.umask(before)
    assert (tmp_path / f"out{suffix}").stat().st_mode & 0o777 == 0o666 & ~umask
    assert [path.name for path in tmp_path.iterdir()] == [f"out{suffix}"]


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc to find the workers")
@pytest.mark.parametrize(("stop", "jobs"), [("SIGTERM", 1), ("SIGTERM", 2), ("SIGHUP", 2)])
def test_sigterm_and_sighup_remove_the_temporary_file(tmp_path, stop, jobs):
    """They left the hidden .part file behind (Ctrl-C did not). SIGKILL cannot be caught."""
    source = tmp_path / "vienti.csv"
    pd.DataFrame({"id": range(50_000), "palaute": [COMMENTS[i % 5] + f" {i}" for i in range(50_000)]}).to_csv(
        source, index=False
    )
    command = [sys.executable, "-m", "palauteluokitin", "classify", str(source), "--jobs", str(jobs)]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".*.part")) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    while jobs > 1 and len(worker_pids(process.pid)) < jobs and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "classifying ended before the signal"
    workers = worker_pids(process.pid)
    process.send_signal(getattr(signal, stop))
    _, errors = process.communicate(timeout=60)
    number = getattr(signal, stop)
    assert process.returncode == 128 + number
    assert errors.strip().splitlines()[-1] == f"Error: stopped by {stop}; no output written."
    assert [path.name for path in tmp_path.iterdir()] == ["vienti.csv"], "no .part file and no output"
    deadline = time.monotonic() + 10
    while any(running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(running(pid) for pid in workers)
