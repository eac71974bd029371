"""`palauteluokitin review actions …` through click's runner: add → update → list → export
on SQLite and PostgreSQL, and every refusal as one line and exit status 1."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from palauteluokitin.cli import cli
from palauteluokitin.review.actions import STATUSES
from palauteluokitin.review.cli import STATUS_NAMES, actions_group
from palauteluokitin.review.db import Case
from palauteluokitin.review.figures import shift_month, wilson_interval
from test_review_helpers import add_users, classified_frame, database, session_on

WARD, SMALL = "Osasto 5", "Pieni yksikkö"
OWNER = "maija.esihenkilo"
SUMMARY = "Kerroimme jokaiselle potilaalle hoidon suunnitelman kirjallisesti."


def completion_month(today: date) -> str:
    """The month the test actions are completed: three months back, so that the month after
    it has answers and is over."""
    return shift_month(f"{today.year:04d}-{today.month:02d}", -3)


def answer_rows(today: date) -> list[tuple]:
    """(row, date) of a classified export around `completion_month`. Osasto 5: kohtelu 6 of
    10 negative two months before, 2 of 8 one month after, and saumattomuus 4 of 5
    negative (no action); Pieni yksikkö: 3 comments only."""
    done = completion_month(today)
    before, after = f"{shift_month(done, -2)}-10", f"{shift_month(done, 1)}-20"
    rows = []

    def add(unit, when, count, categories, sentiment, flagged=0):
        for _ in range(count):
            number = len(rows) + 1
            manner = "tyly" if sentiment == "negatiivinen" else "ystävällinen"
            text = f"Palaute numero {number}: hoitaja oli {manner}."
            score, reasons = (0.9, "tyly") if flagged else (0.05, "")
            row = (f"ID-{number:04d}", text, unit, flagged, score, reasons, categories, sentiment, "")
            rows.append((row, when))

    add(WARD, before, 1, ("kohtelu",), "negatiivinen", flagged=1)
    add(WARD, before, 5, ("kohtelu",), "negatiivinen")
    add(WARD, before, 4, ("kohtelu",), "positiivinen")
    add(WARD, after, 2, ("kohtelu",), "negatiivinen")
    add(WARD, after, 6, ("kohtelu",), "positiivinen")
    add(WARD, after, 4, ("saumattomuus",), "negatiivinen")
    add(WARD, after, 1, ("saumattomuus",), "positiivinen")
    add(SMALL, before, 1, ("kohtelu",), "negatiivinen", flagged=1)
    add(SMALL, before, 2, ("kohtelu",), "negatiivinen")
    return rows


def write_answers(path: Path, today: date) -> Path:
    rows = answer_rows(today)
    frame = classified_frame([row for row, _ in rows])
    frame["pvm"] = [when for _, when in rows]
    frame.to_csv(path, index=False, encoding="utf-8")
    return path


def comment_texts(today: date) -> list[str]:
    return [row[1] for row, _ in answer_rows(today)]


def comment_ids(today: date) -> list[str]:
    return [row[0] for row, _ in answer_rows(today)]


def case_of(url: str, unit: str) -> int:
    with session_on(url) as session:
        return session.scalar(sa.select(Case.id).where(Case.unit == unit))


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    with database(request.param, tmp_path, request) as url:
        yield url


def run(url, *args, ok=True):
    result = CliRunner().invoke(cli, ["review", "actions", *args, "--db", url])
    assert (result.exit_code == 0) is ok, result.output
    return result.output


def test_statuses_are_the_librarys():
    assert STATUS_NAMES == STATUSES


@pytest.mark.parametrize("command", [[], *([name] for name in actions_group.commands)])
def test_every_actions_command_has_help(command):
    result = CliRunner().invoke(cli, ["review", "actions", *command, "-h"])
    assert result.exit_code == 0 and result.output.startswith("Usage: ")


def test_add_update_list_export(url, tmp_path):
    today = date.today()
    imported = CliRunner().invoke(cli, ["review", "import", str(write_answers(tmp_path / "lk.csv", today)),
                                        "--db", url])  # fmt: skip
    assert imported.output.endswith("; 26 new answers in the figures.\n"), imported.output
    add_users(url, {OWNER: ("manager", [WARD])})
    case = case_of(url, WARD)
    added = run(url, "add", "--unit", WARD, "--title", "Kohtaamiskoulutus", "--categories",
                "tiedonsaanti,kohtelu", "--owner", OWNER, "--planned", "2026-03-01",
                "--public-summary", SUMMARY, "--case", str(case))  # fmt: skip
    month = f"{today.year:04d}-{today.month:02d}"
    assert added == (
        f"added action 1 (suunniteltu) of {WARD}: kohtelu,tiedonsaanti\n"
        f"evidence {shift_month(month, -11)}..{month}: 23 comments; kohtelu 18, tiedonsaanti 0; "
        f"8 of 18 negative in these categories; cases: {case}\n"
    )
    formula = run(url, "add", "--unit", SMALL, "--title", "=1+1 perehdytys", "--categories", "arvokkuus")
    assert formula.startswith(f"added action 2 (suunniteltu) of {SMALL}: arvokkuus\n")
    completed = f"{completion_month(today)}-15"
    assert run(url, "update", "1", "--status", "toteutettu", "--completed", completed) == (
        f"action 1: tila toteutettu; toteutettu {completed}\n"
    )
    assert run(url, "update", "1", "--ready") == "action 1: julkaistavissa\n"
    assert run(url, "update", "1", "--ready") == "action 1: no change\n"
    assert run(url, "update", "2", "--status", "luovuttu") == "action 2: tila luovuttu\n"
    listed = [line.split("  ") for line in run(url, "list").splitlines()]
    assert [[cell.strip() for cell in line if cell.strip()] for line in listed] == [
        ["id", "unit", "status", "categories", "owner", "planned", "completed", "ready"],
        ["2", SMALL, "luovuttu", "arvokkuus", "–", "–", "–", "no"],
        ["1", WARD, "toteutettu", "kohtelu,tiedonsaanti", OWNER, "2026-03-01", completed, "yes"],
    ]
    assert run(url, "list", "--unit", WARD, "--status", "luovuttu") == (
        "id  unit  status  categories  owner  planned  completed  ready\n"
    )
    assert len(run(url, "list", "--status", "toteutettu").splitlines()) == 2

    out = tmp_path / "toimenpiteet.csv"
    assert run(url, "export", str(out)) == f"wrote 2 actions to {out}\n"
    raw = out.read_bytes()
    assert raw.count(b"\r\n") == 3 and b"\n" not in raw.replace(b"\r\n", b"")
    with open(out, encoding="utf-8", newline="") as handle:
        rows = {row["id"]: row for row in csv.DictReader(handle)}
    ward, small = rows["1"], rows["2"]
    assert small["title"] == "'=1+1 perehdytys", "a formula is neutralised"
    assert small["before_total"] == "" and small["status"] == "luovuttu"
    assert ward["owner"] == OWNER and ward["public_summary"] == SUMMARY and ward["public_ready"] == "1"
    assert (ward["evidence_negative"], ward["evidence_total"], ward["cases"]) == ("8", "18", str(case))
    done = completion_month(today)
    low, high = wilson_interval(6, 10)
    names = ("start", "end", "negative", "total", "share", "low", "high")
    assert [ward[f"before_{name}"] for name in names] == [
        shift_month(done, -6), shift_month(done, -1), "6", "10", "0.600", f"{low:.3f}", f"{high:.3f}"
    ]  # fmt: skip
    assert [ward[f"after_{name}"] for name in ("start", "end", "negative", "total", "share")] == [
        shift_month(done, 1), shift_month(done, 6), "2", "8", "0.250"
    ]  # fmt: skip
    refused = run(url, "export", str(out), ok=False)
    assert refused == f"Error: {out} exists; pass --overwrite to replace it.\n"
    assert out.read_bytes() == raw
    assert run(url, "export", str(out), "--overwrite") == f"wrote 2 actions to {out}\n"


def test_suppressed_effect_is_exported_as_counts_without_a_share(tmp_path, request):
    today = date.today()
    with database("sqlite", tmp_path, request) as url:
        CliRunner().invoke(
            cli, ["review", "import", str(write_answers(tmp_path / "lk.csv", today)), "--db", url]
        )
        run(url, "add", "--unit", SMALL, "--title", "Perehdytys", "--categories", "kohtelu")
        run(url, "update", "1", "--status", "toteutettu", "--completed", f"{completion_month(today)}-01")
        out = tmp_path / "toimenpiteet.csv"
        run(url, "export", str(out))
    with open(out, encoding="utf-8", newline="") as handle:
        (row,) = csv.DictReader(handle)
    assert [row[f"before_{name}"] for name in ("negative", "total", "share", "low", "high")] == [
        "3", "3", "", "", ""
    ]  # fmt: skip
    assert [row[f"after_{name}"] for name in ("negative", "total", "share")] == ["0", "0", ""]


ADD = ["add", "--unit", WARD, "--title", "Kohtaamiskoulutus", "--categories", "kohtelu"]
# commands run first, the refused command, its one-line answer
REFUSALS = [
    ([], ["add", "--unit", "Osasto 6", "--title", "T", "--categories", "kohtelu"],
     "no imported answer or case has the unit 'Osasto 6'"),
    ([], [*ADD[:-1], "kohtelu,ruoka"],
     "categories ruoka: choose from kohtelu, arvokkuus, tiedonsaanti, saumattomuus"),
    ([], [*ADD[:-1], ","], "categories (none): choose from kohtelu, arvokkuus, tiedonsaanti, saumattomuus"),
    ([], [*ADD, "--owner", "pekka"], "no user named 'pekka'"),
    ([], [*ADD, "--case", "99"], f"no case 99 of the unit {WARD!r}"),
    ([], ["add", "--unit", WARD, "--title", " ", "--categories", "kohtelu"], "an action needs a title"),
    ([ADD], ["update", "1", "--ready"], "there is no public summary to show"),
    ([ADD, ["update", "1", "--status", "toteutettu"]], ["update", "1", "--status", "käynnissä"],
     "an action toteutettu cannot become käynnissä"),
    ([ADD, ["update", "1", "--status", "luovuttu"]], ["update", "1", "--status", "toteutettu"],
     "an action luovuttu cannot become toteutettu"),
    ([ADD], ["update", "1", "--completed", "2026-01-01"], "--completed goes with --status toteutettu"),
    ([], ["update", "9", "--status", "käynnissä"], "no action 9"),
]  # fmt: skip


@pytest.mark.parametrize(("before", "command", "message"), REFUSALS)
def test_refusals_are_one_line_and_change_nothing(tmp_path, request, before, command, message):
    with database("sqlite", tmp_path, request) as url:
        CliRunner().invoke(cli, ["review", "import", str(write_answers(tmp_path / "lk.csv", date.today())),
                                 "--db", url])  # fmt: skip
        for earlier in before:
            run(url, *earlier)
        listed = run(url, "list")
        assert run(url, *command, ok=False) == f"Error: {message}\n"
        assert run(url, "list") == listed
