"""The command line: every command's help, lemmatisation in both formats, clear errors."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading

import pytest
from click.testing import CliRunner

from conftest import ROOT
from palauteluokitin import __version__
from palauteluokitin.cli import cli
from palauteluokitin.text.lemmatize import timing


@pytest.fixture
def runner():
    return CliRunner()


def test_version(runner):
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"palauteluokitin, version {__version__}\n"


@pytest.mark.parametrize("command", [[], ["lemmatize"], ["backends"]])
def test_every_command_has_help(runner, command):
    result = runner.invoke(cli, [*command, "-h"])
    assert result.exit_code == 0
    assert result.output.startswith("Usage: ")


def test_every_command_is_documented_in_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"palauteluokitin {name}" in readme, name


# Files the README's commands write into a clone beside those named by its `-o FILE`:
# the classify default, the review database (and SQLite's side files), MLflow's local
# store, and the hidden temporary file a SIGKILL leaves.
WALKTHROUGH_OUTPUTS = [
    "examples/palautevienti.classified.csv",
    "palauteluokitin-review.sqlite",
    "palauteluokitin-review.sqlite-journal",
    "mlflow/mlflow.db",
    "mlflow/artifacts/1/model.pkl.gz",
    "mlartifacts/1/model.pkl.gz",
    "examples/.palautevienti.classified.csv.k2j3h4.part",
]


@pytest.mark.skipif(
    shutil.which("git") is None or not (ROOT / ".git").exists(), reason="needs git and a clone"
)
def test_the_readmes_walkthrough_outputs_are_git_ignored():
    """luokiteltu.csv and raportti.html of the README's walkthrough showed up in `git status`."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    paths = sorted({*re.findall(r"-o (\S+\.\w+)", readme), *WALKTHROUGH_OUTPUTS})
    assert {"luokiteltu.csv", "raportti.html"} <= set(paths)
    checked = subprocess.run(
        ["git", "check-ignore", "--no-index", *paths], cwd=ROOT, capture_output=True, text=True
    )
    assert sorted(checked.stdout.split()) == paths


def test_module_entry_point_runs():
    result = subprocess.run(
        [sys.executable, "-m", "palauteluokitin", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == f"palauteluokitin, version {__version__}"


def test_lemmatize_text_prints_one_line_of_lemmas_per_input_line(runner, lexicon):
    result = runner.invoke(
        cli, ["lemmatize", "-"], input="Hoitajat olivat ystävällisiä.\n\nmä oon tyytyväinen\n"
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["hoitaja olla ystävällinen .", "", "minä olla tyytyväinen"]


def test_lemmatize_example_text_with_default_backend(runner, example_text, lexicon):
    result = runner.invoke(cli, ["lemmatize", str(example_text)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == len(example_text.read_text(encoding="utf-8").splitlines())
    assert lines[0].startswith("hoitaja olla todella ystävällinen")


def test_lemmatize_conllu_keeps_tokens_and_fills_lemmas(runner, voikko):
    conllu = "# text = Hoitajalta\n1\tHoitajalta\t_\tNOUN\t_\t_\t0\troot\t_\t_\n\n"
    result = runner.invoke(cli, ["lemmatize", "--format", "conllu", "--backend", "voikko", "-"], input=conllu)
    assert result.exit_code == 0, result.output
    assert result.output == conllu.replace("\tHoitajalta\t_\t", "\tHoitajalta\thoitaja\t")


def test_lemmatize_stats_time_loading_apart_and_give_no_rate_for_four_words(runner, lexicon):
    """On four words --stats said "3 words/s": the time was mostly loading."""
    result = runner.invoke(cli, ["lemmatize", "--stats", "-"], input="Hoitajat olivat ystävällisiä.\n")
    assert result.exit_code == 0, result.output
    assert result.stdout == "hoitaja olla ystävällinen .\n"
    assert re.fullmatch(r"lexicon loaded in \d+\.\d\d s; 4 words in \d+\.\d+ m?s\n", result.stderr)


TIMINGS = [
    # words, seconds of lemmatising (loading apart), what --stats says of them
    (4, 0.0004, "4 words in 0.4 ms"),
    (1, 0.05, "1 word in 50.0 ms"),
    (21_070, 0.82, "21,070 words in 0.82 s (25,695 words/s)"),
    (900, 2.0, "900 words in 2.00 s"),  # too few words for a rate
    (50_000, 0.4, "50,000 words in 0.40 s"),  # too short a time for a rate
]


@pytest.mark.parametrize(("words", "seconds", "line"), TIMINGS)
def test_a_rate_is_given_only_from_enough_work(words, seconds, line):
    assert timing(words, seconds) == line


@pytest.mark.parametrize("stop", ["SIGTERM", "SIGHUP"])
def test_every_command_stops_cleanly_on_sigterm_and_sighup(stop):
    """The clean stop (exit status 128 + the signal, one line on stderr) was classify's
    alone; the `cli` group gives it to every command. `lemmatize -` waiting for its next
    line is a command caught in the middle of its work without any waiting on a clock."""
    command = [sys.executable, "-m", "palauteluokitin", "lemmatize", "-"]
    environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )
    watchdog = threading.Timer(60, process.kill)  # never hang the test run
    watchdog.start()
    try:
        process.stdin.write("Hoitajat\n")
        process.stdin.flush()
        assert process.stdout.readline() == "hoitaja\n"  # running, and waiting for more input
        number = getattr(signal, stop)
        process.send_signal(number)
        _, errors = process.communicate(timeout=60)
    finally:
        watchdog.cancel()
    assert process.returncode == 128 + number
    assert errors == f"Error: stopped by {stop}; no output written.\n"


def test_malformed_conllu_is_one_clear_error(runner):
    result = runner.invoke(cli, ["lemmatize", "--format", "conllu", "-"], input="just text\n")
    assert result.exit_code == 1
    assert result.output.startswith("Error: <stdin>, line 1: expected 10 tab-separated")
    assert "Traceback" not in result.output


def test_unavailable_backend_is_one_clear_error(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("STANZA_RESOURCES_DIR", str(tmp_path))
    result = runner.invoke(cli, ["lemmatize", "--backend", "stanza", "-"], input="hoitaja\n")
    assert result.exit_code == 1
    assert re.search(r"Error: Stanza's Finnish models were not found in .*", result.output)


def test_unknown_backend_lists_choices(runner):
    result = runner.invoke(cli, ["lemmatize", "--backend", "omorfi", "-"], input="x\n")
    assert result.exit_code == 2
    assert "'simplemma', 'spacy-fi', 'stanza', 'voikko'" in result.output


def test_missing_file_is_reported(runner, tmp_path):
    result = runner.invoke(cli, ["lemmatize", str(tmp_path / "nope.txt")])
    assert result.exit_code == 2
    assert "No such file or directory" in result.output


def test_non_utf8_input_says_how_to_convert(runner, tmp_path):
    path = tmp_path / "cp1252.txt"
    path.write_bytes("Hoitaja oli ystävällinen\n".encode("cp1252"))
    result = runner.invoke(cli, ["lemmatize", str(path)])
    assert result.exit_code == 1
    assert "is not UTF-8" in result.output
    assert "iconv -f cp1252 -t utf-8" in result.output


def test_readme_python_example_gives_the_shown_results(voikko, lexicon):
    """Each expression in README's Python block that is followed by a `# result` line
    evaluates to that result."""
    import ast

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("```python\n", 1)[1].split("```", 1)[0].splitlines()
    namespace: dict = {}
    checked = 0
    for line, following in zip(block, [*block[1:], ""], strict=True):
        if not line.strip() or line.startswith("#"):
            continue
        if following.startswith("# "):
            assert eval(line, namespace) == ast.literal_eval(following[2:]), line
            checked += 1
        else:
            exec(line, namespace)
    assert checked == 2
