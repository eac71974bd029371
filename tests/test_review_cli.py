"""`palauteluokitin review …` through click's runner: the fresh-clone sequence (init,
add-user, import, export-annotations), user management, and one-line errors."""

from __future__ import annotations

import csv

import pytest
from click.testing import CliRunner

from palauteluokitin.cli import cli
from palauteluokitin.review import DB_ENV, PASSWORD_ENV
from palauteluokitin.review.cli import review
from test_review_helpers import PASSWORD, ROWS, classified_frame, write_classified


@pytest.fixture
def runner(tmp_path, monkeypatch):
    monkeypatch.delenv(DB_ENV, raising=False)
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    monkeypatch.delenv("PALAUTELUOKITIN_REVIEW_DAYS", raising=False)
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def run(runner, *args, ok=True, **kwargs):
    result = runner.invoke(cli, ["review", *args], **kwargs)
    assert (result.exit_code == 0) is ok, result.output
    return result


@pytest.mark.parametrize("command", [[], *([name] for name in review.commands)])
def test_every_review_command_has_help(runner, command):
    result = run(runner, *command, "-h")
    assert result.output.startswith("Usage: ")


def test_fresh_clone_sequence(runner, tmp_path):
    """init, import, add-user, re-import, export — on the default database file."""
    result = run(runner, "init", "--review-days", "5")
    default_db = tmp_path / "palauteluokitin-review.sqlite"
    assert result.output == (
        f"sqlite:///{default_db}: schema up to date, generated a new session secret, time limit 5 days.\n"
    )
    assert run(runner, "init").output.endswith("kept the session secret, time limit 5 days.\n")
    classified = write_classified(tmp_path / "luokiteltu.csv")
    expected = (
        "luokiteltu.csv: 5 rows, {new} new cases, {old} already present, "
        "1 not flagged, 0 without a comment, 1 skipped (problem); {answers} new answers in the figures.\n"
    )
    assert run(runner, "import", str(classified)).output == expected.format(new=3, old=0, answers=4)
    units = ["--unit", "Päivystys", "--unit", "Kotihoito Itä"]
    added = run(runner, "add-user", "anna", "--role", "reviewer", *units, env={PASSWORD_ENV: PASSWORD})
    assert added.output == "created reviewer anna; units: Kotihoito Itä, Päivystys\n"
    prompted = run(runner, "add-user", "admin", "--role", "admin", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert prompted.output.endswith("created admin admin; units: –\n")
    assert run(runner, "import", str(classified)).output == expected.format(new=0, old=3, answers=0)
    out = tmp_path / "annotaatiot.csv"
    assert run(runner, "export-annotations", str(out)).output == f"wrote 0 annotated rows to {out}\n"
    with open(out, encoding="utf-8") as handle:
        assert next(csv.reader(handle))[:3] == ["id", "text", "kohtelu"]
    refused = run(runner, "export-annotations", str(out), ok=False)
    assert refused.output == f"Error: {out} exists; pass --overwrite to replace it.\n"


def test_export_annotations_never_overwrites_the_database(runner, tmp_path):
    """One overwrite rule for every command that writes: the input (here the database's
    own file) is refused even with --overwrite."""
    run(runner, "init")
    database = tmp_path / "palauteluokitin-review.sqlite"
    before = database.read_bytes()
    refused = run(runner, "export-annotations", str(database), "--overwrite", ok=False)
    assert refused.output == f"Error: {database} is the input; write the output to another file.\n"
    assert database.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == [database.name]


def test_user_management(runner, tmp_path):
    run(runner, "init")
    run(runner, "import", str(write_classified(tmp_path / "luokiteltu.csv")))
    env = {PASSWORD_ENV: PASSWORD}
    run(runner, "add-user", "anna", "--role", "reviewer", "--unit", "Päivystys", env=env)
    duplicate = run(runner, "add-user", "anna", "--role", "admin", env=env, ok=False)
    assert duplicate.output == "Error: a user named 'anna' already exists\n"
    short = run(runner, "add-user", "olli", "--role", "reviewer", env={PASSWORD_ENV: "lyhyt"}, ok=False)
    assert short.output == "Error: the password must have at least 10 characters\n"
    changed = run(runner, "set-user", "anna", "--unit", "Vuodeosasto 3", "--inactive")
    assert changed.output == "anna: reviewer, inactive; units: Vuodeosasto 3\n"
    assert run(runner, "users").output.split() == ["anna", "reviewer", "inactive", "Vuodeosasto", "3"]
    assert (
        run(runner, "set-user", "anna", "--no-units", "--active").output
        == "anna: reviewer, active; units: –\n"
    )
    missing = run(runner, "set-user", "pekka", "--active", ok=False)
    assert missing.output == "Error: no user named 'pekka'\n"


WARD = "Sairaala, vuodeosastot"
WARD_ROW = ("201", "Hoitaja oli tyly.", WARD, 1, 0.9, "tyly", ("kohtelu",), "negatiivinen", "")
KNOWN = f"known units: 'Kotihoito Itä', 'Päivystys', {WARD!r}, 'Vuodeosasto 3'."
NEW_UNIT_HINT = " Pass --new-unit if it is a new unit whose comments are still to be imported.\n"
REFUSED = "Error: no case has the unit {} (did you mean {}?); " + KNOWN + NEW_UNIT_HINT

# command after init (and the import, if any), then the output: units no case has are
# refused with the known units and the closest one, unless --new-unit confirms them.
UNIT_CASES = [
    (
        ["add-user", "liisa", "--role", "reviewer", "--unit", "Sairaala, vuodeosasto"],
        REFUSED.format("'Sairaala, vuodeosasto'", repr(WARD)),
    ),
    (
        ["add-user", "liisa", "--role", "reviewer", "--unit", "päivystys", "--unit", "Neuvola"],
        "Error: no case has the units 'Neuvola', 'päivystys' (did you mean 'Päivystys'?); "
        f"{KNOWN}{NEW_UNIT_HINT}",
    ),
    (
        ["set-user", "anna", "--unit", "Päivystys", "--unit", "Vuodeosasto 33"],
        REFUSED.format("'Vuodeosasto 33'", "'Vuodeosasto 3'"),
    ),
    (
        ["add-user", "liisa", "--role", "reviewer", "--unit", WARD],
        f"created reviewer liisa; units: {WARD}\n",
    ),
    (
        ["add-user", "liisa", "--role", "reviewer", "--unit", "Neuvola", "--new-unit"],
        "created reviewer liisa; units: Neuvola\n",
    ),
    (
        ["set-user", "anna", "--unit", "Neuvola", "--new-unit"],
        "anna: reviewer, active; units: Neuvola\n",
    ),
    (
        ["set-user", "anna", "--unit", "Kotihoito Itä", "--unit", "Neuvola"],  # only new ones are checked
        "anna: reviewer, active; units: Kotihoito Itä, Neuvola\n",
    ),
]


@pytest.mark.parametrize(("command", "output"), UNIT_CASES)
def test_units_are_checked_against_the_units_of_cases(runner, tmp_path, command, output):
    """A typo of a unit was accepted, and that reviewer saw an empty queue with no hint."""
    run(runner, "init")
    run(runner, "import", str(write_classified(tmp_path / "luokiteltu.csv", [*ROWS, WARD_ROW])))
    env = {PASSWORD_ENV: PASSWORD}
    run(runner, "add-user", "anna", "--role", "reviewer", "--unit", "Neuvola", "--new-unit", env=env)
    result = run(runner, *command, env=env, ok=output.startswith(("created", "anna")))
    assert result.output == output


def test_units_before_the_first_import_need_new_unit(runner):
    run(runner, "init")
    env = {PASSWORD_ENV: PASSWORD}
    refused = run(runner, "add-user", "liisa", "--role", "reviewer", "--unit", WARD, env=env, ok=False)
    assert refused.output == (
        f"Error: no case has the unit {WARD!r}; no comments have been imported yet "
        f"(palauteluokitin review import).{NEW_UNIT_HINT}"
    )
    assert run(runner, "users").output == ""
    added = run(runner, "add-user", "liisa", "--role", "reviewer", "--unit", WARD, "--new-unit", env=env)
    assert added.output == f"created reviewer liisa; units: {WARD}\n"


def test_database_from_the_environment(runner, tmp_path):
    target = tmp_path / "muualla.sqlite"
    run(runner, "init", env={DB_ENV: str(target)})
    assert target.is_file()
    assert not (tmp_path / "palauteluokitin-review.sqlite").exists()
    run(runner, "add-user", "anna", "--role", "reviewer", env={DB_ENV: str(target), PASSWORD_ENV: PASSWORD})
    assert run(runner, "users", "--db", str(target)).output.startswith("anna")


@pytest.mark.parametrize(
    "command",
    [
        ["import", "luokiteltu.csv"],
        ["users"],
        ["add-user", "anna", "--role", "admin"],
        ["set-user", "anna", "--active"],
        ["export-annotations", "annotaatiot.csv"],
        ["serve", "--port", "0"],
    ],
    ids=lambda command: command[0],
)
def test_commands_before_init_say_what_to_do_and_create_nothing(runner, tmp_path, command):
    """`review import` on a database never initialised left a 0-byte 0644 file."""
    write_classified(tmp_path / "luokiteltu.csv")
    result = run(runner, *command, env={PASSWORD_ENV: PASSWORD}, ok=False)
    database = tmp_path / "palauteluokitin-review.sqlite"
    assert result.output == (
        f"Error: there is no review database at {database}; "
        "run `palauteluokitin review init` with the same --db first.\n"
    )
    assert sorted(path.name for path in tmp_path.iterdir()) == ["luokiteltu.csv"]


def test_import_of_an_unclassified_file_is_refused(runner, tmp_path):
    run(runner, "init")
    path = tmp_path / "raw.csv"
    classified_frame()[["id", "palaute", "yksikkö"]].to_csv(path, index=False)
    result = run(runner, "import", str(path), ok=False)
    assert result.output.startswith(
        "Error: not a classified file: missing column(s) kohtelu, kohtelu_score, "
    )
    assert result.output.endswith("run `palauteluokitin classify` on the export first\n")
    assert "Lääkäri" not in result.output


def test_import_warns_about_reused_ids(runner, tmp_path):
    run(runner, "init")
    run(runner, "import", str(write_classified(tmp_path / "first.csv")))
    reused = [("102", "Eri palaute: hoitaja tiuskaisi.", "Päivystys", 1, 0.9, "tiuskaisi",
               ("kohtelu",), "negatiivinen", "")]  # fmt: skip
    result = run(runner, "import", str(write_classified(tmp_path / "second.csv", reused)))
    assert result.stdout == (
        "second.csv: 1 rows, 0 new cases, 1 already present, 0 not flagged, 0 without a comment, "
        "0 skipped (problem); 0 new answers in the figures.\n"
    )
    assert result.stderr == (
        "Warning: 1 flagged row(s) have the id of an existing case but another text and were not imported; "
        "make the ids unique across exports (e.g. with --id-column).\n"
    )
