"""The analyst report: numbers in the page, sections by available columns, escaping,
redaction, no URLs, the CLI, and the page rendered in a real headless Chromium."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from palauteluokitin.cli import cli
from palauteluokitin.errors import ColumnError, OutputError, ReportInputError
from palauteluokitin.exports.columns import Columns, choose_columns
from palauteluokitin.labels import FLAG, RIGHTS_CATEGORIES, SENTIMENTS
from palauteluokitin.report.actions import target_verdict
from palauteluokitin.report.build import build_report, net_promoter_score, write_report
from palauteluokitin.report.classified import (
    parse_date,
    parse_nps,
)
from palauteluokitin.report.terms import typical_terms
from palauteluokitin.review import cases
from palauteluokitin.review.actions import add_action, update_action
from palauteluokitin.review.db import Case, User
from palauteluokitin.review.figures import shift_month, wilson_interval
from palauteluokitin.review.importer import import_classified
from test_review_actions_cli import (
    OWNER,
    SMALL,
    SUMMARY,
    WARD,
    comment_ids,
    comment_texts,
    completion_month,
    write_answers,
)
from test_review_helpers import add_users, database, session_on

GENERATED = date(2026, 1, 15)
UNITS = ("Terveysasema Keskusta", "Kotihoito Pohjoinen", "Päivystys", "Suun terveydenhuolto & hammashoito")
PHRASES = {
    ("kohtelu", 1): [
        "Hoitaja oli todella ystävällinen ja kuunteli rauhassa.",
        "Lääkäri oli lämmin ja asiallinen.",
        "Henkilökunta kohteli minua ystävällisesti ja kunnioittavasti.",
    ],
    ("kohtelu", 0): [
        "Lääkäri oli tyly eikä kuunnellut minua ollenkaan.",
        "Hoitaja huusi minulle käytävällä.",
        "Vastaanotossa oli töykeä ja ylimielinen asenne.",
    ],
    ("arvokkuus", 1): [
        "Koin itseni ihmiseksi ja minua kunnioitettiin.",
        "Yksityisyyttäni kunnioitettiin pesujen aikana.",
    ],
    ("arvokkuus", 0): [
        "Äiti jätettiin makaamaan märkään vaippaan koko aamuksi.",
        "Puhuttiin ohitseni kuin en olisi ollut paikalla.",
        "Ovi jätettiin auki pesujen ajaksi, tosi nöyryyttävää.",
    ],
    ("tiedonsaanti", 1): [
        "Sain selkeät ohjeet ja tiedon tuloksista.",
        "Hoitosuunnitelma tehtiin yhdessä kanssani.",
    ],
    ("tiedonsaanti", 0): [
        "Kukaan ei kertonut tuloksista mitään.",
        "Lääkityksestä päätettiin kysymättä minulta.",
        "Tulkkia ei järjestetty vaikka pyysin.",
    ],
    ("saumattomuus", 1): [
        "Sain ajan heti ja jatkohoito järjestyi saumattomasti.",
        "Pääsin nopeasti vastaanotolle.",
    ],
    ("saumattomuus", 0): [
        "Jonotin puhelimessa tunnin ennen kuin pääsin läpi.",
        "Lähete hukkui ja jouduin odottamaan kuukausia.",
        "Joka kerta eri lääkäri, eikä kukaan tunne tilannettani.",
    ],
    ("muu", 1): ["Kiitos!", "Parkkipaikka löytyi helposti."],
    ("muu", 0): ["Parkkipaikkoja on liian vähän.", "Kahvi automaatissa oli kylmää."],
    ("neutraali", 0): ["Voisiko aulaan saada lisää tuoleja?", "Kävin laboratoriossa aamulla."],
}
DATE_FORMATS = ("{d}.{m}.{y}", "{d:02}.{m:02}.{y} 14:05", "{y}-{m:02}-{d:02}")
SCRIPT = "<script>alert('x')</script>"
HETU = "131052-308T"


def make_row(rng: random.Random, number: int) -> dict:
    """One classified comment: labels first, then a text that says what the labels say."""
    unit = rng.choices(UNITS, weights=(4, 3, 3, 1))[0]
    negativity = {"Päivystys": 0.6, "Kotihoito Pohjoinen": 0.45}.get(unit, 0.25)
    sentiment = rng.choices(SENTIMENTS, weights=(1 - negativity, negativity, 0.15, 0.1))[0]
    labels = {
        c: int(rng.random() < (0.45 if c in ("kohtelu", "saumattomuus") else 0.25)) for c in RIGHTS_CATEGORIES
    }
    if sentiment == "neutraali":
        labels = dict.fromkeys(RIGHTS_CATEGORIES, 0)
    chosen = [c for c in RIGHTS_CATEGORIES if labels[c]]
    if sentiment == "neutraali":
        parts = [rng.choice(PHRASES["neutraali", 0])]
    elif not chosen:
        parts = [rng.choice(PHRASES["muu", int(sentiment == "positiivinen")])]
    else:
        polarity = {"positiivinen": [1], "negatiivinen": [0], "ristiriitainen": [1, 0]}[sentiment]
        parts = [rng.choice(PHRASES[c, polarity[i % len(polarity)]]) for i, c in enumerate(chosen)]
    flag = int(
        sentiment != "positiivinen"
        and any(p in PHRASES["kohtelu", 0] + PHRASES["arvokkuus", 0] for p in parts)
    )
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    nps = {"positiivinen": (8, 10), "negatiivinen": (0, 6), "ristiriitainen": (5, 8), "neutraali": (6, 9)}[
        sentiment
    ]
    row = {
        "id": f"p{number:04}",
        "pvm": rng.choice(DATE_FORMATS).format(d=day, m=month, y=2025),
        "yksikkö": unit,
        "palaute": " ".join(parts),
        "nps": str(rng.randint(*nps)),
    }
    for c in RIGHTS_CATEGORIES:
        row[c] = str(labels[c])
        row[f"{c}_score"] = f"{rng.uniform(0.55, 0.95) if labels[c] else rng.uniform(0.01, 0.4):.3f}"
    row.update(sentiment=sentiment, sentiment_score=f"{rng.uniform(0.5, 0.99):.3f}")
    reasons = "tyly; huusi" if flag and "tyly" in row["palaute"] + "huusi" else "nöyryyttävää" if flag else ""
    row.update({FLAG: str(flag), f"{FLAG}_score": f"{rng.uniform(0.5, 0.9) if flag else 0.05:.3f}"})
    row.update(flag_reasons=reasons, lang="fi", model_version="baseline-test", problem="")
    return row


def realistic_frame(rows: int = 360) -> pd.DataFrame:
    """A few hundred classified comments: four units, twelve months, NPS, a few problem rows,
    one comment with markup and one with a henkilötunnus as the surest kohtelu examples."""
    rng = random.Random(8)
    records = [make_row(rng, number) for number in range(1, rows + 1)]
    records[10].update(
        palaute=f"Hoitaja oli ystävällinen {SCRIPT} ja kuunteli.", kohtelu="1", kohtelu_score="0.999"
    )
    records[11].update(
        palaute=f"Lääkäri kysyi henkilötunnukseni {HETU} käytävällä muiden kuullen ja oli tyly.",
        kohtelu="1",
        kohtelu_score="0.998",
    )
    for index in (20, 21, 22):
        blanks = {
            name: "" for name in records[index] if name not in ("id", "pvm", "yksikkö", "palaute", "nps")
        }
        problem = "empty comment" if index < 22 else "not text: a number"
        records[index].update(blanks, problem=problem, palaute="" if index < 22 else "42")
    records[30]["pvm"] = "ensi viikolla"
    return pd.DataFrame(records)


class Tables(HTMLParser):
    """The text of every cell of every table with an id: {id: [[cell, …], …]}."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id"):
            self._table = self.tables.setdefault(dict(attrs)["id"], [])
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("td", "th") and self._table is not None:
            self._table[-1].append("")

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._table and self._table[-1]:
            self._table[-1][-1] += data.strip()


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return realistic_frame()


@pytest.fixture(scope="module")
def html(frame) -> str:
    return build_report(frame, source_name="palaute_luokiteltu.csv", generated=GENERATED)


def classified(frame: pd.DataFrame) -> pd.DataFrame:
    rows = frame.loc[frame["problem"] == ""].copy()
    for name in (*RIGHTS_CATEGORIES, FLAG):
        rows[name] = rows[name].astype(int)
    return rows


def test_report_headline_counts_exclude_problem_rows(frame, html):
    kpis = html.split('id="luvut"')[1].split("</ul>")[0]
    assert "Rivejä aineistossa<strong>360</strong>" in kpis
    assert "Luokiteltuja kommentteja<strong>357</strong>" in kpis
    assert "Vastauksia ilman kommenttia<strong>2</strong>" in kpis
    assert "Luokittelematta jääneitä<strong>1</strong>" in kpis
    flagged = int(classified(frame)[FLAG].sum())
    assert f"liputuksia<strong>{flagged}</strong>" in kpis


def test_report_category_and_sentiment_shares(frame, html):
    rows = classified(frame)
    tables = Tables(html).tables
    categories = {row[0]: row[1:] for row in tables["oikeusluokat"][1:]}
    count = int(rows["kohtelu"].sum())
    assert categories["Kohtelu"] == [str(count), f"{round(100 * count / 357)}\u00a0%"]
    sentiments = {row[0]: row[1] for row in tables["tunteet"][1:]}
    assert sentiments["Negatiivinen"] == str((rows["sentiment"] == "negatiivinen").sum())


def test_report_unit_table_counts_and_negative_shares(frame, html):
    rows = classified(frame)
    table = {row[0]: row[1:] for row in Tables(html).tables["yksikkotaulu"][1:]}
    assert set(table) == set(UNITS)
    for unit in UNITS:
        group = rows.loc[rows["yksikkö"] == unit]
        assert table[unit][0] == str(len(group))
        in_saumattomuus = group.loc[group["saumattomuus"] == 1]
        negative = (in_saumattomuus["sentiment"] == "negatiivinen").sum()
        share = round(100 * negative / len(in_saumattomuus))
        assert table[unit][4] == f"{share}\u00a0% ({len(in_saumattomuus)})"
        assert table[unit][5] == str(group[FLAG].sum())


def test_report_development_targets_are_the_most_negative_categories(frame, html):
    rows = classified(frame)
    table = {row[0]: row[2] for row in Tables(html).tables["kehittamistaulu"][1:]}
    päivystys = rows.loc[(rows["yksikkö"] == "Päivystys") & (rows["sentiment"] == "negatiivinen")]
    worst = max(RIGHTS_CATEGORIES, key=lambda c: päivystys[c].sum())
    assert table["Päivystys"].startswith(f"{worst.capitalize()}: {päivystys[worst].sum()} (")


def test_report_monthly_table_has_twelve_months_and_counts_bad_dates(frame, html):
    months = Tables(html).tables["kuukaudet"][1:]
    assert [row[0] for row in months] == [f"{m}/2025" for m in range(1, 13)]
    assert sum(int(row[1]) for row in months) == 357 - 1
    assert "1 kommentin päivämäärää ei voitu tulkita" in html


def test_report_monthly_trend_skips_empty_decades_after_a_stray_date(frame):
    stray = frame.copy()
    stray.loc[0, "pvm"] = "1.1.1900"
    months = Tables(build_report(stray, generated=GENERATED)).tables["kuukaudet"][1:]
    assert [row[0] for row in months] == ["1/1900", *(f"{m}/2025" for m in range(1, 13))]


def test_report_tiny_frame_nps_by_hand():
    rng = random.Random(1)
    frame = pd.DataFrame([make_row(rng, number) for number in range(7)])
    frame["yksikkö"] = ["A", "A", "A", "B", "B", "B", "B"]
    frame["nps"] = ["10", "10", "3", "9", "7", "", "11"]
    html = build_report(frame, generated=GENERATED)
    # overall: 3 promoters, 1 detractor of 5 valid = +40; A: (2-1)/3 = +33; B: (1-0)/2 = +50
    units = {row[0]: row[-1] for row in Tables(html).tables["yksikkotaulu"][1:]}
    assert units == {"A": "+33", "B": "+50"}
    assert "NPS<strong>+40</strong>" in html
    assert "Vastauksia 5; 2 kommentilta puuttui kelvollinen arvo" in html


SECTION_COLUMNS = [
    # dropped column, table that disappears, note that replaces it
    ("pvm", "kuukaudet", "Päivämääräsaraketta ei löytynyt"),
    ("yksikkö", "yksikkotaulu", "Yksikkösaraketta ei löytynyt"),
    ("nps", "nps-luvut", "Suositteluasteikon (0–10) saraketta ei löytynyt"),
]


@pytest.mark.parametrize(("dropped", "section", "note"), SECTION_COLUMNS)
def test_report_drops_a_section_with_a_note_when_its_column_is_missing(frame, html, dropped, section, note):
    assert f'id="{section}"' in html and note not in html
    reduced = build_report(frame.drop(columns=[dropped]), generated=GENERATED)
    assert f'id="{section}"' not in reduced
    assert note in reduced


COLUMN_NAMES = [
    # (unit, date, nps) column names as exports name them
    ("toimipiste", "vastauspäivä", "Suositteluindeksi"),
    ("Unit", "Date", "Kuinka todennäköisesti suosittelisit palvelua ystävällesi?"),
    ("palvelu", "päivämäärä", "NPS"),
]


@pytest.mark.parametrize(("unit", "when", "nps"), COLUMN_NAMES)
def test_choose_columns_detects_common_names(frame, unit, when, nps):
    renamed = frame.rename(columns={"yksikkö": unit, "pvm": when, "nps": nps})
    assert choose_columns(renamed) == Columns(text="palaute", id="id", unit=unit, date=when, nps=nps)


def test_report_explicit_columns_override_detection(frame):
    renamed = frame.rename(columns={"yksikkö": "tiimi", "pvm": "saapunut", "nps": "arvosana"})
    html = build_report(renamed, unit_column="tiimi", date_column="saapunut", nps_column="arvosana")
    used = html.split('id="sarakkeet"')[1].split("</dl>")[0]
    for name in ("palaute", "id", "tiimi", "saapunut", "arvosana"):
        assert f"<dd>{name}</dd>" in used
    assert 'id="yksikkotaulu"' in html and 'id="kuukaudet"' in html and 'id="nps-luvut"' in html
    with pytest.raises(ColumnError, match="no column 'osasto'"):
        build_report(frame, unit_column="osasto")


@pytest.mark.parametrize("missing", [["sentiment"], ["kohtelu_score", "problem"], [FLAG]])
def test_report_refuses_a_file_without_classified_columns(frame, missing):
    with pytest.raises(ReportInputError) as caught:
        build_report(frame.drop(columns=missing))
    message = str(caught.value)
    assert all(name in message for name in missing)
    assert "palauteluokitin classify" in message


def test_report_refuses_bad_label_values_naming_the_row(frame):
    bad = frame.copy()
    bad.loc[5, "sentiment"] = "iloinen"
    with pytest.raises(ReportInputError, match="'sentiment'.*data row 6"):
        build_report(bad)


def test_report_escapes_markup_and_references_no_url(html):
    assert SCRIPT not in html and "<script" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "Suun terveydenhuolto &amp; hammashoito" in html
    assert "http" not in html.lower() and "src=" not in html and "url(" not in html.replace("url(#c", "")


def test_report_redacts_representative_comments(html):
    examples = html.split('id="esimerkit"')[1].split("</section>")[0]
    assert "Lääkäri kysyi henkilötunnukseni" in examples
    assert HETU not in html


def test_report_typical_words_come_from_lemmas(html):
    words = html.split('id="sanat"')[1].split("</section>")[0]
    saumattomuus = words.split("<strong>Saumattomuus</strong>")[1].split("</ol>")[0]
    assert "jonottaa" in saumattomuus or "lähete" in saumattomuus
    negative = words.split("<strong>Negatiivinen</strong>")[1].split("</ol>")[0]
    assert "tyly" in negative


def test_typical_terms_need_several_comments_and_a_contrast():
    term_sets = (
        [{"jono", "puhelin"}] * 20 + [{"ystävällinen", "jono"}] * 20 + [{"harvinainen", "puhelin"}] * 2
    )
    in_group = pd.Series([True] * 20 + [False] * 20 + [True] * 2)
    # "jono" is as common outside as inside, "harvinainen" too rare, "ystävällinen" only outside
    assert typical_terms(term_sets, in_group) == [("puhelin", 22)]


DATES = [
    ("1.3.2026", datetime(2026, 3, 1)),
    ("01.03.2026 14:05", datetime(2026, 3, 1, 14, 5)),
    ("1.3.26", datetime(2026, 3, 1)),
    ("1.3.2026 klo 9.30", datetime(2026, 3, 1, 9, 30)),
    ("2026-03-01", datetime(2026, 3, 1)),
    ("2026-03-01T14:05:00+02:00", datetime(2026, 3, 1, 14, 5)),
    ("31.2.2026", None),
    ("maaliskuussa", None),
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), DATES)
def test_parse_date_finnish_and_iso(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("9", 9), ("10.0", 10), ("0", 0), ("10 - erittäin todennäköisesti", 10), ("11", None)],
)
def test_parse_nps(text, expected):
    assert parse_nps(text) == expected


def test_net_promoter_score():
    assert net_promoter_score(pd.Series([10, 9, 8, 7, 6, 0], dtype="Float64")) == pytest.approx(0.0)
    assert net_promoter_score(pd.Series([10, 10, 3, None], dtype="Float64")) == pytest.approx(100 / 3)
    assert net_promoter_score(pd.Series([], dtype="Float64")) is None


def test_report_shows_review_states_of_flagged_comments(frame):
    flagged_ids = classified(frame).query(f"{FLAG} == 1")["id"].tolist()
    statuses = pd.DataFrame(
        {
            "comment_id": flagged_ids[:3],
            "unit": ["x"] * 3,
            "state": ["uusi", "ratkaistu", "uusi"],
            "outcome": [None, "aiheellinen — toimenpiteet", None],
            "due": [datetime(2026, 1, 10), datetime(2026, 1, 20), datetime(2026, 2, 1)],
            "overdue": [True, False, False],
        }
    )
    html = build_report(frame, review_statuses=statuses, generated=GENERATED)
    states = dict(Tables(html).tables["tarkistustilat"][1:])
    assert states == {"ei tarkistusjonossa": str(len(flagged_ids) - 3), "uusi": "2", "ratkaistu": "1"}
    assert "1 liputuksen tarkistus on myöhässä" in html
    overdue = [row for row in Tables(html).tables["liputustaulu"] if row[0] == flagged_ids[0]]
    assert overdue[0][-3:] == ["uusi", "", "10.1.2026 (myöhässä)"]
    resolved = [row for row in Tables(html).tables["liputustaulu"] if row[0] == flagged_ids[1]]
    assert resolved[0][-3:] == ["ratkaistu", "aiheellinen — toimenpiteet", "20.1.2026"]


def test_report_without_review_database_says_how_to_add_states(html):
    assert 'id="tarkistustilat"' not in html and "valinnalla --review-db" in html


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_cli_report_reads_review_states_from_the_database(kind, tmp_path, request, frame, classified_csv):
    flagged_ids = classified(frame).query(f"{FLAG} == 1")["id"].tolist()
    out = tmp_path / "raportti.html"
    with database(kind, tmp_path, request) as url:
        assert import_classified(url, classified_csv, now=datetime(2026, 1, 1)).new == len(flagged_ids)
        add_users(url, {"admin": ("admin", [])})
        with session_on(url) as session:
            user = session.scalars(sa.select(User)).one()
            case = session.scalars(sa.select(Case).where(Case.comment_id == flagged_ids[0])).one()
            cases.take(session, user, case)
            cases.resolve(session, user, case, "aiheeton")
        result = CliRunner().invoke(cli, ["report", str(classified_csv), "-o", str(out), "--review-db", url])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    states = dict(Tables(page).tables["tarkistustilat"][1:])
    assert states == {"uusi": str(len(flagged_ids) - 1), "ratkaistu": "1"}
    assert f"{len(flagged_ids) - 1} liputuksen tarkistus on myöhässä" in page
    resolved = [row for row in Tables(page).tables["liputustaulu"] if row[0] == flagged_ids[0]]
    assert resolved[0][-3:] == ["ratkaistu", "aiheeton hälytys", "8.1.2026"]


@pytest.fixture
def classified_csv(tmp_path, frame) -> Path:
    path = tmp_path / "palaute_luokiteltu.csv"
    frame.to_csv(path, index=False, sep=";", encoding="utf-8")
    return path


def test_cli_report_writes_the_page(tmp_path, classified_csv):
    out = tmp_path / "raportti.html"
    result = CliRunner().invoke(cli, ["report", str(classified_csv), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == WROTE.format(path=out)
    assert "<h1>Palauteraportti</h1>" in out.read_text(encoding="utf-8")


def test_cli_report_on_an_unclassified_file_is_one_clear_error(tmp_path):
    path = tmp_path / "raaka.csv"
    pd.DataFrame({"id": ["1"], "palaute": ["Hyvä palvelu."]}).to_csv(path, index=False)
    result = CliRunner().invoke(cli, ["report", str(path), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: The file is not a classified export: missing column(s) kohtelu,")
    assert [path.name for path in tmp_path.iterdir()] == ["raaka.csv"], "no report, no temporary file"


def test_write_report_reads_xlsx_like_csv(tmp_path, frame):
    path = tmp_path / "palaute.xlsx"
    frame.to_excel(path, index=False)
    written = write_report(path, tmp_path / "r.html")
    assert (written.comments, written.without_comment, written.problems) == (357, 2, 1)
    assert "Luokiteltuja kommentteja<strong>357</strong>" in written.path.read_text(encoding="utf-8")


# what -o names, the options, and the answer; every refusal leaves the file byte for byte
# as it was, and no command leaves a temporary file.
INPUT = "Error: {path} is the input; write the output to another file.\n"
WROTE = "Wrote {path}: 357 comments reported, 2 answers without a comment, 1 rows could not be classified.\n"
REPORT_OUTPUTS = [
    ("the input", [], INPUT),
    ("the input", ["--overwrite"], INPUT),
    ("the review database", ["--overwrite"], INPUT),
    ("an earlier report", [], "Error: {path} exists; pass --overwrite to replace it.\n"),
    ("an earlier report", ["--overwrite"], WROTE),
]


@pytest.mark.parametrize(("target", "options", "answer"), REPORT_OUTPUTS)
def test_report_never_overwrites_its_input_and_an_existing_file_only_when_asked(
    tmp_path, request, classified_csv, target, options, answer
):
    """`report lk.csv -o lk.csv` replaced the classified export with HTML, exit 0."""
    with database("sqlite", tmp_path, request) as url:
        paths = {
            "the input": classified_csv,
            "the review database": tmp_path / "review.sqlite",
            "an earlier report": tmp_path / "raportti.html",
        }
        path = paths[target]
        if target == "an earlier report":
            path.write_text("<p>an earlier report</p>", encoding="utf-8")
        before = {each: each.read_bytes() for each in tmp_path.iterdir()}
        command = ["report", str(classified_csv), "-o", str(path), "--review-db", url, *options]
        result = CliRunner().invoke(cli, command)
    assert result.output == answer.format(path=path)
    assert result.exit_code == (0 if answer.startswith("Wrote") else 1)
    after = {each: each.read_bytes() for each in tmp_path.iterdir()}
    assert after.keys() == before.keys(), "no temporary file is left"
    changed = [each.name for each in after if after[each] != before[each]]
    assert changed == (["raportti.html"] if result.exit_code == 0 else [])
    if result.exit_code == 0:
        assert "<h1>Palauteraportti</h1>" in path.read_text(encoding="utf-8")


def test_report_refuses_an_existing_output_before_reading_anything(tmp_path):
    """The refusal came only after the export was read and the page was built."""
    unreadable = tmp_path / "vienti.csv"
    unreadable.write_bytes(b"\xff\xfe not a classified export")
    out = tmp_path / "raportti.html"
    out.write_text("before", encoding="utf-8")
    with pytest.raises(OutputError, match="exists; pass --overwrite"):
        write_report(unreadable, out)
    assert out.read_text(encoding="utf-8") == "before"


@pytest.mark.parametrize("stop", ["SIGTERM", "SIGHUP"])
def test_a_report_stopped_by_a_signal_leaves_no_file(tmp_path, classified_csv, stop):
    """Only `classify` cleaned up on SIGTERM and SIGHUP (a closed SSH session). The report
    keeps its page in a hidden .part file from its start, so the signal is sent as soon as
    that file appears, while the export is read and the page built."""
    out = tmp_path / "raportti.html"
    command = [sys.executable, "-m", "palauteluokitin", "report", str(classified_csv), "-o", str(out)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".raportti.html.*.part")) and process.poll() is None:
        assert time.monotonic() < deadline, "no temporary file appeared"
        time.sleep(0.01)
    assert process.poll() is None, "the report was written before the signal"
    number = getattr(signal, stop)
    process.send_signal(number)
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 128 + number
    assert errors.strip().splitlines()[-1] == f"Error: stopped by {stop}; no output written."
    assert [path.name for path in tmp_path.iterdir()] == [classified_csv.name], "no .part file, no report"


def test_report_renders_in_chromium(browser, html, tmp_path, screenshot_dir):
    path = tmp_path / "raportti.html"
    path.write_text(html, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    errors, requests = [], []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    headings = page.locator("h2")
    assert headings.count() == 9
    for index in range(headings.count()):
        assert headings.nth(index).is_visible()
    charts = page.locator("svg.chart")
    assert charts.count() == 5
    for index in range(charts.count()):
        box = charts.nth(index).bounding_box()
        assert box["width"] > 500 and box["height"] > 100
    assert errors == []
    assert requests == [path.as_uri()]
    shot = screenshot_dir / "report.png"
    page.screenshot(path=str(shot), clip={"x": 0, "y": 0, "width": 1280, "height": 2000}, full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pdf = page.pdf(format="A4")
    assert pdf[:4] == b"%PDF"
    page.close()


ADMIN = "pekka.paakayttaja"
NOT_READY = "Perehdytimme uudet työntekijät, tiivistelmä odottaa tarkistusta."


def actions_database(url: str, tmp_path: Path, today: date) -> Path:
    """The export of test_review_actions_cli imported (Osasto 5: 23 comments, Pieni yksikkö:
    3), and actions: Osasto 5 completed with its public summary ready and one dropped; Pieni
    yksikkö completed with a summary not ready and one planned. Returns the export."""
    classified = write_answers(tmp_path / "lk.csv", today)
    import_classified(url, classified)
    add_users(url, {OWNER: ("manager", [WARD]), ADMIN: ("admin", [])})
    done = date.fromisoformat(f"{completion_month(today)}-15")
    with session_on(url) as session:
        owner = session.scalars(sa.select(User).where(User.username == OWNER)).one()
        ward = add_action(
            session,
            owner,
            unit=WARD,
            title="Kohtaamiskoulutus",
            categories=["kohtelu"],
            public_summary=SUMMARY,
        )
        update_action(session, owner, ward, status="toteutettu", completed_on=done)
        update_action(session, owner, ward, public_ready=True)
        small = add_action(
            session, None, unit=SMALL, title="Perehdytys", categories=["kohtelu"], public_summary=NOT_READY
        )
        update_action(session, None, small, status="toteutettu", completed_on=done)
        add_action(session, None, unit=SMALL, title="Arvokas kohtaaminen", categories=["arvokkuus"])
        dropped = add_action(session, owner, unit=WARD, title="Jonot", categories=["saumattomuus"])
        update_action(session, owner, dropped, status="luovuttu")
    return classified


def month_label(month: str) -> str:
    return f"{int(month[5:7])}/{month[:4]}"


def share_text(negative: int, total: int) -> str:
    low, high = wilson_interval(negative, total)
    percent = round(100 * negative / total)
    return (
        f"{percent}\u00a0% ({negative}/{total}; luottamusväli {round(low * 100)}–{round(high * 100)}\u00a0%)"
    )


@pytest.mark.parametrize(
    ("count", "verdict"),
    [(0, "alle tavoitteen"), (1, "tavoite täyttyy"), (5, "tavoite täyttyy"), (6, "yli tavoitteen")],
)
def test_target_verdict(count, verdict):
    assert target_verdict(count) == verdict


def test_report_without_a_database_has_no_actions_section(html):
    assert 'id="toimenpiteet"' not in html


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_report_shows_actions_per_unit_against_the_target_and_their_effect(kind, tmp_path, request):
    today = date.today()
    out = tmp_path / "raportti.html"
    with database(kind, tmp_path, request) as url:
        classified_file = actions_database(url, tmp_path, today)
        result = CliRunner().invoke(cli, ["report", str(classified_file), "-o", str(out), "--review-db", url])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "<h2>Kehittämistoimenpiteet</h2>" in page
    tables = Tables(page).tables
    assert tables["toimenpidetavoite"] == [
        [
            "Yksikkö",
            "Toimenpiteitä 12 kk",
            "Tavoite 1–5",
            "Suunniteltu",
            "Käynnissä",
            "Toteutettu",
            "Luovuttu",
        ],
        [WARD, "1", "tavoite täyttyy", "0", "0", "1", "1"],
        [SMALL, "2", "tavoite täyttyy", "1", "0", "1", "0"],
    ]
    # Osasto 5: saumattomuus 4 of 5 negative, its action dropped; kohtelu (8 of 18) has an
    # action; Pieni yksikkö has too few comments for any category
    assert tables["ilman-toimenpidetta"][1:] == [[WARD, "Saumattomuus", share_text(4, 5)]]
    done = completion_month(today)
    before = f"{month_label(shift_month(done, -6))}–{month_label(shift_month(done, -1))}: "
    after = f"{month_label(shift_month(done, 1))}–{month_label(shift_month(done, 6))}: "
    completed = f"15.{int(done[5:7])}.{done[:4]}"
    ward = tables["toimenpiteet-1"]
    assert ward[0] == [
        "Nro",
        "Toimenpide",
        "Oikeusluokat",
        "Tila",
        "Suunniteltu",
        "Toteutettu",
        "Ennen",
        "Jälkeen",
    ]
    assert ward[1:] == [
        ["1", "Kohtaamiskoulutus", "Kohtelu", "toteutettu", "", completed,
         before + share_text(6, 10), after + share_text(2, 8)],
        ["4", "Jonot", "Saumattomuus", "luovuttu", "", "", "", ""],
    ]  # fmt: skip
    assert tables["toimenpiteet-2"][1:] == [
        ["2", "Perehdytys", "Kohtelu", "toteutettu", "", completed,
         before + "liian vähän vastauksia (3)", after + "liian vähän vastauksia (0)"],
        ["3", "Arvokas kohtaaminen", "Arvokkuus", "suunniteltu", "", "", "", ""],
    ]  # fmt: skip


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_public_page_has_ready_summaries_and_no_text_ids_or_names(kind, tmp_path, request):
    today = date.today()
    out, small = tmp_path / "vaikutukset.html", tmp_path / "pieni.html"
    with database(kind, tmp_path, request) as url:
        actions_database(url, tmp_path, today)
        result = CliRunner().invoke(cli, ["report", "--public", "--review-db", url, "-o", str(out)])
        command = ["report", "--public", "--review-db", url, "-o", str(small), "--unit", SMALL]
        small_result = CliRunner().invoke(cli, command)
    assert result.exit_code == 0, result.output
    latest = shift_month(completion_month(today), 1)
    period = f"{month_label(shift_month(latest, -11))}–{month_label(latest)}"
    assert result.output == (
        f"Wrote {out}: the public page of the organisation, months {period}, 1 completed actions.\n"
    )
    assert small_result.output == (
        f"Wrote {small}: the public page of {SMALL}, months {period}, 0 completed actions.\n"
    )
    page, small_page = out.read_text(encoding="utf-8"), small.read_text(encoding="utf-8")
    assert "Mitä palautteesi sai aikaan" in page and "Vad din respons ledde till" in page
    assert SUMMARY in page and NOT_READY not in page and NOT_READY not in small_page
    assert "<dd>26</dd>" in page
    assert "alle 5 vastausta" in small_page and "<dd>3</dd>" not in small_page
    for text in (*comment_texts(today), *comment_ids(today), OWNER, ADMIN, "tyly"):
        assert text not in page and text not in small_page
    for either in (page, small_page):
        lowered = either.lower()
        assert "<script" not in lowered and "http" not in lowered and "<form" not in lowered
        assert "src=" not in lowered and "href" not in lowered and "url(" not in lowered


PUBLIC_OUTPUTS = [
    ("an earlier page", [], "Error: {path} exists; pass --overwrite to replace it.\n"),
    ("an earlier page", ["--overwrite"], "Wrote {path}: "),
    ("the review database", ["--overwrite"], INPUT),
]


@pytest.mark.parametrize(("target", "options", "answer"), PUBLIC_OUTPUTS)
def test_public_page_follows_the_overwrite_rule(tmp_path, request, target, options, answer):
    with database("sqlite", tmp_path, request) as url:
        path = tmp_path / ("review.sqlite" if target == "the review database" else "vaikutukset.html")
        if target == "an earlier page":
            path.write_text("<p>an earlier page</p>", encoding="utf-8")
        before = {each: each.read_bytes() for each in tmp_path.iterdir()}
        result = CliRunner().invoke(
            cli, ["report", "--public", "--review-db", url, "-o", str(path), *options]
        )
    assert result.output.startswith(answer.format(path=path))
    assert result.exit_code == (0 if answer.startswith("Wrote") else 1)
    after = {each: each.read_bytes() for each in tmp_path.iterdir()}
    assert after.keys() == before.keys(), "no temporary file is left"
    changed = [each.name for each in after if after[each] != before[each]]
    assert changed == (["vaikutukset.html"] if result.exit_code == 0 else [])


# options after `report`, the exit status, the end of the answer; nothing is written
REPORT_OPTIONS = [
    (["-o", "{out}"], 2, "give CLASSIFIED_FILE for the analyst report, or --public for the public page."),
    (["{file}", "--public", "--review-db", "{url}", "-o", "{out}"], 2,
     "give CLASSIFIED_FILE (the analyst report) or --public (the public page), not both."),
    (["--public", "-o", "{out}"], 2, "--public needs --review-db."),
    (["--public", "--review-db", "{url}", "-o", "{out}", "--unit-column", "tiimi"], 2,
     "--unit-column, --date-column, --nps-column and --text-column are for CLASSIFIED_FILE, not --public."),
    (["{file}", "-o", "{out}", "--unit", WARD], 2, "--unit, --start and --end go with --public."),
    (["--public", "--review-db", "{url}", "-o", "{out}", "--start", "2026-13"], 2,
     "Invalid value for '--start': '2026-13' is not a month YYYY-MM."),
    (["--public", "--review-db", "{url}", "-o", "{out}", "--unit", "Osasto 6"], 1,
     "no answers of the unit 'Osasto 6'"),
]  # fmt: skip


@pytest.mark.parametrize(("options", "status", "message"), REPORT_OPTIONS)
def test_report_wants_either_a_classified_file_or_public(tmp_path, request, options, status, message):
    with database("sqlite", tmp_path, request) as url:
        classified_file = write_answers(tmp_path / "lk.csv", date.today())
        import_classified(url, classified_file)
        before = sorted(tmp_path.iterdir())
        values = {"file": str(classified_file), "url": url, "out": str(tmp_path / "sivu.html")}
        result = CliRunner().invoke(cli, ["report", *(option.format(**values) for option in options)])
    assert result.exit_code == status
    assert result.output.endswith(f"Error: {message}\n")
    assert sorted(tmp_path.iterdir()) == before
