"""Importing classified files: flagged rows become cases once, decisions survive a
re-import, text is stored redacted, bad files are refused clearly; priority, due
dates, the report's status view and the annotation export."""

from __future__ import annotations

import csv
from datetime import timedelta

import pytest
import sqlalchemy as sa

from conftest import ROOT
from palauteluokitin.errors import (
    ColumnError,
    ImportFileError,
    InvalidDecisionError,
    InvalidTransitionError,
    OutputError,
    ReviewError,
)
from palauteluokitin.labels import FLAG
from palauteluokitin.review import cases as case_rules
from palauteluokitin.review.annotations import CORPUS_COLUMNS, export_annotations
from palauteluokitin.review.db import AuditEntry, Case, User, make_engine, utcnow
from palauteluokitin.review.importer import import_classified
from palauteluokitin.review.store import STATUS_COLUMNS, case_statuses
from palauteluokitin.training.corpus import read_corpus, validate_rows
from test_review_helpers import (
    EMAIL,
    HETU,
    PHONE,
    ROWS,
    add_users,
    classified_frame,
    database,
    session_on,
    write_classified,
)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request, tmp_path):
    with database(request.param, tmp_path, request) as url:
        yield url


@pytest.fixture
def sqlite_db(request, tmp_path):
    with database("sqlite", tmp_path, request) as url:
        yield url


@pytest.fixture
def classified(tmp_path):
    return write_classified(tmp_path / "luokiteltu.csv")


def cases_by_comment(url: str) -> dict[str, Case]:
    with session_on(url) as session:
        return {case.comment_id: case for case in session.scalars(sa.select(Case))}


def test_flagged_rows_become_cases_with_their_predictions(any_db, classified):
    result = import_classified(any_db, classified)
    assert (result.rows, result.new, result.already_present, result.skipped, result.not_flagged) == (
        5,
        3,
        0,
        1,
        1,
    )
    stored = cases_by_comment(any_db)
    assert sorted(stored) == ["101", "102", "105"]
    case = stored["105"]
    assert case.unit == "Vuodeosasto 3"
    assert case.flag_score == pytest.approx(0.74)
    assert case.flag_reasons == "jätettiin; märkään vaippaan"
    assert case.categories == "arvokkuus,saumattomuus"
    assert case.category_scores["arvokkuus"] == pytest.approx(0.88)
    assert (case.sentiment, case.lang, case.model_version, case.state) == (
        "negatiivinen",
        "fi",
        "baseline-2026-11-22",
        "uusi",
    )
    assert case.due_at - case.imported_at == timedelta(days=7)


def test_reimport_never_duplicates_a_case_or_loses_a_decision(any_db, classified):
    add_users(any_db, {"anna": ("reviewer", ["Päivystys"])})
    import_classified(any_db, classified)
    with session_on(any_db) as session:
        anna = session.scalar(sa.select(User).where(User.username == "anna"))
        case = session.scalar(sa.select(Case).where(Case.comment_id == "102"))
        case_rules.take(session, anna, case)
        case_rules.add_note(session, anna, case, "Soitettu yksikön esihenkilölle.")
        case_rules.resolve(session, anna, case, "aiheellinen")
    again = import_classified(any_db, classified)
    assert (again.new, again.already_present, again.skipped) == (0, 3, 1)
    stored = cases_by_comment(any_db)
    assert len(stored) == 3
    assert (stored["102"].state, stored["102"].outcome) == ("ratkaistu", "aiheellinen")
    with session_on(any_db) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Case)) == 3
        assert len(session.get(Case, stored["102"].id).notes) == 1
        imports = session.scalars(sa.select(AuditEntry.detail).where(AuditEntry.action == "import")).all()
    assert imports == [
        "luokiteltu.csv: 3 uutta, 0 jo tuotu, 1 ohitettu, 0 samalla tunnisteella eri tekstillä, "
        "4 uutta vastausta lukuihin",
        "luokiteltu.csv: 0 uutta, 3 jo tuotu, 1 ohitettu, 0 samalla tunnisteella eri tekstillä, "
        "0 uutta vastausta lukuihin",
    ]


def test_new_rows_of_a_later_export_are_added(any_db, tmp_path, classified):
    import_classified(any_db, classified)
    later = [*ROWS, ("106", "Minua nöyryytettiin pesujen aikana.", "Kotihoito Itä", 1, 0.66, "nöyryytettiin",
                     ("arvokkuus",), "negatiivinen", "")]  # fmt: skip
    result = import_classified(any_db, write_classified(tmp_path / "later.csv", later))
    assert (result.new, result.already_present) == (1, 3)
    assert sorted(cases_by_comment(any_db)) == ["101", "102", "105", "106"]


def test_a_known_id_with_another_text_is_counted_not_imported(tmp_path, request, classified):
    """Ids reused across exports would hide a complaint: the import says so."""
    other = [("102", "Toinen palaute: hoitaja tiuskaisi.", "Päivystys", 1, 0.9, "tiuskaisi",
              ("kohtelu",), "negatiivinen", "")]  # fmt: skip
    with database("sqlite", tmp_path, request) as url:
        import_classified(url, classified)
        result = import_classified(url, write_classified(tmp_path / "other.csv", other))
        assert (result.new, result.already_present, result.different_text) == (0, 1, 1)
        assert cases_by_comment(url)["102"].text.startswith("Lääkäri naureskeli")


def test_comment_text_is_stored_redacted(any_db, classified):
    """Query the database directly: no henkilötunnus, phone number or email survives."""
    import_classified(any_db, classified)
    engine = make_engine(any_db)
    try:
        with engine.connect() as connection:
            text = connection.execute(
                sa.text("SELECT text FROM review_cases WHERE comment_id = '101'")
            ).scalar()
            everything = " ".join(
                str(value)
                for table in ("review_cases", "review_audit_log")
                for row in connection.execute(sa.text(f"SELECT * FROM {table}"))
                for value in row
            )
    finally:
        engine.dispose()
    assert "[HETU]" in text and "[PUHELIN]" in text and "[EMAIL]" in text
    assert text.startswith("Hoitaja oli tosi tyly ja huusi")
    for secret in (HETU, PHONE, EMAIL, "131052"):
        assert secret not in everything


def test_notes_are_stored_redacted(any_db, classified):
    add_users(any_db, {"anna": ("reviewer", ["Kotihoito Itä"])})
    import_classified(any_db, classified)
    with session_on(any_db) as session:
        anna = session.scalar(sa.select(User).where(User.username == "anna"))
        case = session.scalar(sa.select(Case).where(Case.comment_id == "101"))
        note = case_rules.add_note(session, anna, case, f"Asiakas pyysi soittoa numeroon {PHONE}.")
    assert note.text == "Asiakas pyysi soittoa numeroon [PUHELIN]."


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_other_column_names_and_formats(tmp_path, request, suffix):
    with database("sqlite", tmp_path, request) as url:
        path = write_classified(
            tmp_path / f"export{suffix}", text_column="avoin palaute", unit_column="toimipiste"
        )
        assert import_classified(url, path).new == 3
        assert cases_by_comment(url)["102"].unit == "Päivystys"


def test_unit_column_option_overrides_detection(tmp_path, request):
    frame = classified_frame()
    frame["tiimi"] = ["Tiimi A", "Tiimi B", "Tiimi B", "Tiimi B", "Tiimi C"]
    path = tmp_path / "tiimit.csv"
    frame.to_csv(path, index=False)
    with database("sqlite", tmp_path, request) as url:
        import_classified(url, path, unit_column="tiimi")
        assert {key: case.unit for key, case in cases_by_comment(url).items()} == {
            "101": "Tiimi A",
            "102": "Tiimi B",
            "105": "Tiimi C",
        }


@pytest.mark.parametrize("unit_column", ["osasto", "Toimipiste", "palveluyksikkö"])
def test_the_review_queue_and_the_report_find_the_same_unit_column(tmp_path, request, unit_column):
    from palauteluokitin.report.build import build_report

    frame = classified_frame(unit_column=unit_column)
    path = tmp_path / "osastot.csv"
    frame.to_csv(path, index=False)
    with database("sqlite", tmp_path, request) as url:
        import_classified(url, path)
        units = {case.unit for case in cases_by_comment(url).values()}
    flagged = frame.loc[frame[FLAG] == "1", unit_column]
    assert units == set(flagged) and "" not in units
    html = build_report(frame)
    assert 'id="yksikkotaulu"' in html
    table = html.split('id="yksikkotaulu"')[1].split("</table>")[0]
    assert all(unit in table for unit in ("Kotihoito Itä", "Päivystys", "Vuodeosasto 3"))


def test_without_a_unit_column_cases_have_no_unit(tmp_path, request):
    path = tmp_path / "no_unit.csv"
    classified_frame().drop(columns=["yksikkö"]).to_csv(path, index=False)
    with database("sqlite", tmp_path, request) as url:
        import_classified(url, path)
        assert {case.unit for case in cases_by_comment(url).values()} == {""}


BAD_FILES = [
    (
        lambda f: f.drop(columns=["flag_reasons", "model_version"]),
        {},
        "missing column(s) flag_reasons, model_version",
    ),
    (lambda f: f.drop(columns=["id"]), {}, "no comment id column found; name it with --id-column"),
    (lambda f: f, {"id_column": "tunnus"}, "no column 'tunnus' (--id-column)"),
    (lambda f: f, {"unit_column": "tiimi"}, "no column 'tiimi' (--unit-column)"),
    (lambda f: f.assign(epaasiallinen_kohtelu=["1", "kyllä", "0", "", "1"]), {}, "row 3 (id '102'): "),
    (
        lambda f: f.assign(epaasiallinen_kohtelu_score=["0.9", "1.7", "0", "", "1"]),
        {},
        "expected a number from 0",
    ),
    (
        lambda f: f.assign(sentiment=["vihainen", "", "", "", ""]),
        {},
        "row 2 (id '101'): sentiment is 'vihainen'",
    ),
]


@pytest.mark.parametrize(("change", "options", "message"), BAD_FILES)
def test_bad_files_are_refused_with_a_clear_message(tmp_path, request, change, options, message):
    path = tmp_path / "bad.csv"
    change(classified_frame()).to_csv(path, index=False)
    with database("sqlite", tmp_path, request) as url:
        with pytest.raises((ImportFileError, ColumnError)) as error:
            import_classified(url, path, **options)
        assert message in str(error.value)
        assert "tyly" not in str(error.value) and "Lääkäri" not in str(error.value)
        assert cases_by_comment(url) == {}  # all or nothing


def test_import_into_an_uninitialised_database_says_to_run_init(tmp_path, classified):
    """It left a 0-byte, world-readable none.sqlite behind."""
    with pytest.raises(ReviewError, match="review init"):
        import_classified(str(tmp_path / "none.sqlite"), classified)
    assert not (tmp_path / "none.sqlite").exists()


PRIORITY_CASES = [
    # flag score, reasons, age in days (limit 7), expected priority
    (1.0, "a; b; c", 0, 80),
    (1.0, "a; b; c; d", 7, 100),
    (1.0, "a; b; c", 30, 100),
    (0.5, "tyly", 0, 35),
    (0.5, "tyly", 3.5, 45),
    (0.0, "", 0, 0),
]


@pytest.mark.parametrize(("score", "reasons", "age", "expected"), PRIORITY_CASES)
def test_priority_formula(score, reasons, age, expected):
    imported = utcnow() - timedelta(days=age)
    case = Case(
        flag_score=score, flag_reasons=reasons, imported_at=imported, due_at=imported + timedelta(days=7)
    )
    assert case_rules.priority(case, utcnow()) == expected


def test_answers_without_a_comment_are_counted_apart_from_problems(sqlite_db, tmp_path):
    rows = [
        *ROWS[:3],
        ("106", "", "Päivystys", None, None, "", (), "", "empty comment"),
        ("107", "", "Päivystys", None, None, "", (), "", "empty comment"),
    ]
    result = import_classified(sqlite_db, write_classified(tmp_path / "vastaukset.csv", rows))
    assert (result.rows, result.new, result.not_flagged, result.without_comment, result.skipped) == (
        5,
        2,
        1,
        2,
        0,
    )


def test_queue_order_filters_and_overdue(any_db, classified):
    add_users(any_db, {"admin": ("admin", []), "anna": ("reviewer", ["Päivystys", "Vuodeosasto 3"])})
    now = utcnow()
    import_classified(any_db, classified, now=now - timedelta(days=10))  # 101, 102, 105: overdue
    with session_on(any_db) as session:
        admin = session.scalar(sa.select(User).where(User.username == "admin"))
        anna = session.scalar(sa.select(User).where(User.username == "anna"))

        def ids(user, **filters) -> list[str]:
            filters.setdefault("now", now)
            return [row.case.comment_id for row in case_rules.queue(session, user, **filters).rows]

        assert ids(admin) == ["101", "102", "105"]  # 0.93 and 2 reasons, then 0.81, then 0.74
        assert all(row.overdue for row in case_rules.queue(session, admin, now=now).rows)
        assert ids(anna) == ["102", "105"]
        assert ids(anna, unit="Päivystys") == ["102"]
        case = case_rules.get_case(
            session, anna, session.scalar(sa.select(Case.id).where(Case.comment_id == "105"))
        )
        case_rules.take(session, anna, case)
        case_rules.resolve(session, anna, case, "muistutusohjeet")
        assert ids(anna) == ["102"]
        resolved = case_rules.queue(session, anna, state="ratkaistu", now=now).rows
        assert [(r.case.comment_id, r.overdue) for r in resolved] == [("105", False)]
        assert ids(anna, overdue_only=True, now=now - timedelta(days=9)) == []


@pytest.mark.parametrize(
    ("page", "page_size", "expected_page", "expected"),
    [
        (1, 2, 1, ["101", "102"]),
        (2, 2, 2, ["105"]),
        (3, 2, 2, ["105"]),  # past the last page: the last page
        (0, 2, 1, ["101", "102"]),
        (1, 50, 1, ["101", "102", "105"]),
    ],
)
def test_queue_pages_keep_the_order(sqlite_db, classified, page, page_size, expected_page, expected):
    add_users(sqlite_db, {"admin": ("admin", [])})
    import_classified(sqlite_db, classified)
    with session_on(sqlite_db) as session:
        admin = session.scalar(sa.select(User).where(User.username == "admin"))
        shown = case_rules.queue(session, admin, page=page, page_size=page_size)
    assert [row.case.comment_id for row in shown.rows] == expected
    assert (shown.page, shown.pages, shown.total) == (expected_page, 3 // page_size + (3 % page_size > 0), 3)


def test_state_machine_refuses_wrong_transitions(any_db, classified):
    add_users(any_db, {"anna": ("reviewer", ["Päivystys"]), "olli": ("reviewer", ["Päivystys"])})
    import_classified(any_db, classified)
    with session_on(any_db) as session:
        anna, olli = (
            session.scalar(sa.select(User).where(User.username == name)) for name in ("anna", "olli")
        )
        case = session.scalar(sa.select(Case).where(Case.comment_id == "102"))
        with pytest.raises(InvalidTransitionError, match="not käsittelyssä"):
            case_rules.resolve(session, anna, case, "aiheeton")
        case_rules.take(session, anna, case)
        with pytest.raises(InvalidTransitionError, match="another reviewer"):
            case_rules.resolve(session, olli, case, "aiheeton")
        with pytest.raises(InvalidDecisionError, match="outcome 'hylätty'"):
            case_rules.resolve(session, anna, case, "hylätty")
        case_rules.take(session, olli, case)  # a takeover is allowed and audited
        case_rules.resolve(session, olli, case, "aiheeton")
        assert (case.state, case.corrected_flag) == ("ratkaistu", 0)
        with pytest.raises(InvalidTransitionError, match="already resolved"):
            case_rules.take(session, anna, case)
        with pytest.raises(InvalidDecisionError, match="unknown categories"):
            case_rules.correct_labels(session, anna, case, ["ystävällisyys"], "negatiivinen", 0)
        history = [
            (entry.username, entry.action, entry.detail)
            for entry in case_rules.audit.case_history(session, case.id)
        ]
    assert history == [
        ("anna", "take", ""),
        ("olli", "take", "anna → olli"),
        ("olli", "resolve", "aiheeton hälytys"),
    ]


def test_case_statuses_for_the_report(any_db, classified):
    add_users(any_db, {"anna": ("reviewer", ["Päivystys"])})
    import_classified(any_db, classified, now=utcnow() - timedelta(days=8))
    with session_on(any_db) as session:
        anna = session.scalar(sa.select(User).where(User.username == "anna"))
        case = session.scalar(sa.select(Case).where(Case.comment_id == "102"))
        case_rules.take(session, anna, case)
        case_rules.resolve(session, anna, case, "ohjattu")
    frame = case_statuses(any_db)
    assert list(frame.columns) == list(STATUS_COLUMNS)
    rows = {row.comment_id: row for row in frame.itertuples()}
    assert (rows["102"].state, rows["102"].outcome, rows["102"].overdue) == (
        "ratkaistu",
        "ohjattu potilas-/sosiaaliasiavastaavalle",
        False,
    )
    assert (rows["101"].unit, rows["101"].state, rows["101"].outcome, rows["101"].overdue) == (
        "Kotihoito Itä",
        "uusi",
        "",
        True,
    )
    assert str(frame["due"].dtype).startswith("datetime64")


def test_export_annotations_in_the_corpus_format(any_db, classified, tmp_path):
    add_users(any_db, {"anna": ("reviewer", ["Päivystys", "Kotihoito Itä", "Vuodeosasto 3"])})
    import_classified(any_db, classified)
    with session_on(any_db) as session:
        anna = session.scalar(sa.select(User).where(User.username == "anna"))
        by_id = {case.comment_id: case for case in session.scalars(sa.select(Case))}
        case_rules.take(session, anna, by_id["102"])
        case_rules.resolve(session, anna, by_id["102"], "aiheeton")  # false alarm → flag 0
        case_rules.take(session, anna, by_id["101"])
        case_rules.resolve(session, anna, by_id["101"], "aiheellinen")  # confirmed → flag 1
        case_rules.correct_labels(session, anna, by_id["105"], ["arvokkuus"], "negatiivinen", 1)  # still open
    out = tmp_path / "annotations.csv"
    assert export_annotations(any_db, out) == 3
    with open(ROOT / "data" / "annotated" / "palaute.csv", encoding="utf-8") as handle:
        assert tuple(next(csv.reader(handle))) == CORPUS_COLUMNS
    with open(out, encoding="utf-8", newline="") as handle:
        rows = {row["id"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {"review-101", "review-102", "review-105"}
    assert rows["review-102"]["epaasiallinen_kohtelu"] == "0"
    assert rows["review-101"]["epaasiallinen_kohtelu"] == "1"
    assert "[HETU]" in rows["review-101"]["text"] and HETU not in rows["review-101"]["text"]
    assert (rows["review-105"]["arvokkuus"], rows["review-105"]["saumattomuus"]) == ("1", "0")
    assert rows["review-101"]["kohtelu"] == "1"  # the model's prediction, no correction
    assert validate_rows(list(rows.values())) == []
    assert export_annotations(any_db, out, corrected_only=True, overwrite=True) == 1
    with pytest.raises(OutputError, match="--overwrite"):
        export_annotations(any_db, out)


def test_export_annotations_keeps_a_line_break_inside_its_row(any_db, classified, tmp_path):
    """A bare carriage return in a comment went out unquoted and split the row."""
    add_users(any_db, {"anna": ("reviewer", ["Kotihoito Itä"])})
    import_classified(any_db, classified)
    with session_on(any_db) as session:
        anna = session.scalar(sa.select(User).where(User.username == "anna"))
        case = session.scalar(sa.select(Case).where(Case.comment_id == "101"))
        case.text = "Hoitaja oli tyly\r=cmd|' /C calc'!A0"
        case_rules.take(session, anna, case)
        case_rules.resolve(session, anna, case, "aiheellinen")
    out = tmp_path / "annotations.csv"
    assert export_annotations(any_db, out) == 1
    with open(out, encoding="utf-8", newline="") as handle:
        rows = {row["id"]: row for row in csv.DictReader(handle)}
    assert rows["review-101"]["text"] == "Hoitaja oli tyly\r=cmd|' /C calc'!A0"
    assert validate_rows(list(rows.values())) == []


@pytest.mark.parametrize(
    ("text", "unit", "written_text", "written_unit"),
    [
        ('=HYPERLINK("http://x")', "+Päivystys", '\'=HYPERLINK("http://x")', "'+Päivystys"),
        ("@sotekeskus tyly hoitaja", "-", "'@sotekeskus tyly hoitaja", "-"),  # a lone "-" is no formula
        ("'=jo suojattu", "Päivystys", "''=jo suojattu", "Päivystys"),
        ("-5 tähteä, tyly hoitaja", "'Osasto", "'-5 tähteä, tyly hoitaja", "'Osasto"),
    ],
)
def test_export_annotations_writes_formulas_inert_and_the_corpus_reads_them_back(
    sqlite_db, classified, tmp_path, text, unit, written_text, written_unit
):
    add_users(sqlite_db, {"admin": ("admin", [])})
    import_classified(sqlite_db, classified)
    with session_on(sqlite_db) as session:
        admin = session.scalar(sa.select(User).where(User.username == "admin"))
        case = session.scalar(sa.select(Case).where(Case.comment_id == "101"))
        case.text, case.unit = text, unit
        case_rules.take(session, admin, case)
        case_rules.resolve(session, admin, case, "aiheellinen")
    out = tmp_path / "annotations.csv"
    assert export_annotations(sqlite_db, out) == 1
    with open(out, encoding="utf-8", newline="") as handle:
        written = next(csv.DictReader(handle))
    assert (written["text"], written["service"]) == (written_text, written_unit)
    (read,) = read_corpus(out)
    assert (read["text"], read["service"]) == (text, unit)
