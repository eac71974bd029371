"""The overwrite rule every writing command shares."""

from __future__ import annotations

import pytest

from palauteluokitin.errors import OutputError
from palauteluokitin.output_paths import check_output


@pytest.mark.parametrize(
    ("setup", "name", "options", "message"),
    [
        ("", "out.csv", {}, None),
        ("file", "out.csv", {}, "exists; pass --overwrite"),
        ("file", "out.csv", {"overwrite": True}, None),
        ("file", "out.csv", {"overwrite": True, "inputs": ["out.csv"]}, "is the input"),
        ("", "missing/out.csv", {}, "folder .*missing does not exist"),
        ("folder", "out", {}, "is a folder"),
        ("", "bundle", {"folder": True}, None),
        ("folder", "out", {"folder": True}, None),  # an empty folder
        ("full folder", "out", {"folder": True}, "exists and is not empty"),
        ("full folder", "out", {"folder": True, "overwrite": True}, None),
        ("file", "out.csv", {"folder": True, "overwrite": True}, "is a file"),
    ],
)
def test_check_output(tmp_path, setup, name, options, message):
    if setup == "file":
        (tmp_path / name).write_text("x", encoding="utf-8")
    elif setup:
        (tmp_path / name).mkdir()
        if setup == "full folder":
            (tmp_path / name / "model.json").write_text("{}", encoding="utf-8")
    inputs = [tmp_path / each for each in options.pop("inputs", [])]
    if message is None:
        assert check_output(tmp_path / name, inputs=inputs, **options) == tmp_path / name
    else:
        with pytest.raises(OutputError, match=message):
            check_output(tmp_path / name, inputs=inputs, **options)


def test_the_input_is_recognised_through_another_spelling(tmp_path, monkeypatch):
    (tmp_path / "vienti.csv").write_text("x", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OutputError, match="is the input"):
        check_output(tmp_path / "sub" / ".." / "vienti.csv", overwrite=True, inputs=["vienti.csv"])
