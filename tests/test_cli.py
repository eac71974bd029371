"""The command line: every command's help, lemmatisation in both formats, clear errors."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import ROOT
from palauteluokitin import __version__
from palauteluokitin.cli import cli


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
