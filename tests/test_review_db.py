"""The review database: migrations on a fresh database, settings kept across inits,
the append-only audit log, URLs, and a clear error before `review init`."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from palauteluokitin.errors import DatabaseNotReadyError, ReviewError
from palauteluokitin.review import db
from test_review_helpers import database, session_on

TABLES = {
    "review_settings",
    "review_users",
    "review_user_units",
    "review_cases",
    "review_notes",
    "review_audit_log",
    "review_login_attempts",
    "review_answers",
    "review_actions",
    db.VERSION_TABLE,
}


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request, tmp_path):
    with database(request.param, tmp_path, request) as url:
        yield url


def test_migrations_create_every_table_on_a_fresh_database(any_db):
    engine = db.make_engine(any_db)
    try:
        assert TABLES <= set(sa.inspect(engine).get_table_names())
        assert db.current_revision(engine) == db.head_revision()
        db.ensure_current(engine)
        db.upgrade(engine)  # a second upgrade is a no-op
        assert db.current_revision(engine) == db.head_revision()
    finally:
        engine.dispose()


def test_orm_tables_match_the_migrated_schema(any_db):
    """The models and the migration describe the same columns."""
    engine = db.make_engine(any_db)
    try:
        inspector = sa.inspect(engine)
        for table in db.Base.metadata.sorted_tables:
            migrated = {column["name"] for column in inspector.get_columns(table.name)}
            assert migrated == set(table.columns.keys()), table.name
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "statement", ["UPDATE review_audit_log SET action = 'x'", "DELETE FROM review_audit_log"]
)
def test_audit_log_refuses_update_and_delete(any_db, statement):
    with session_on(any_db) as session:
        session.add(db.AuditEntry(username="anna", action="view", case_id=1, detail="", ip=""))
    engine = db.make_engine(any_db)
    try:
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(sa.text(statement))
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT action FROM review_audit_log")).scalars().all() == [
                "view"
            ]
    finally:
        engine.dispose()


REPLACING = {
    "sqlite": [
        "INSERT OR REPLACE INTO review_audit_log (id, at, username, action, detail, ip) "
        "VALUES (:id, '2026-01-01', 'x', 'x', '', '')",
        "REPLACE INTO review_audit_log (id, at, username, action, detail, ip) "
        "VALUES (:id, '2026-01-01', 'x', 'x', '', '')",
    ],
    "postgresql": [],
}
UPSERT = (
    "INSERT INTO review_audit_log (id, at, username, action, detail, ip) "
    "VALUES (:id, '2026-01-01', 'x', 'x', '', '') ON CONFLICT (id) DO UPDATE SET action = 'x'"
)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_audit_log_refuses_an_insert_that_replaces_an_entry(kind, tmp_path, request):
    with database(kind, tmp_path, request) as url:
        with session_on(url) as session:
            entry = db.AuditEntry(username="anna", action="view", case_id=1, detail="", ip="")
            session.add(entry)
            session.flush()
            entry_id = entry.id
        engine = db.make_engine(url)
        try:
            for statement in [*REPLACING[kind], UPSERT]:
                with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as connection:
                    connection.execute(sa.text(statement), {"id": entry_id})
            with engine.connect() as connection:
                rows = connection.execute(sa.text("SELECT id, username, action FROM review_audit_log")).all()
            assert [tuple(row) for row in rows] == [(entry_id, "anna", "view")]
        finally:
            engine.dispose()


def test_upgrading_a_0001_database_keeps_its_cases_and_users(tmp_path):
    """A database made before case versions and session generations gets both, with
    every case at version 1 and every session of the old kind ended."""
    from alembic import command

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = db.make_engine(url)
    try:
        with engine.begin() as connection:
            command.upgrade(db._alembic_config(connection), "0001")
            connection.execute(
                sa.text(
                    "INSERT INTO review_users (id, username, password_hash, role, active, created_at) "
                    "VALUES (1, 'anna', 'x', 'reviewer', 1, '2026-11-01')"
                )
            )
            connection.execute(
                sa.text(
                    "INSERT INTO review_cases (id, comment_id, unit, text, flag_score, flag_reasons, "
                    "categories, category_scores, sentiment, lang, model_version, imported_at, due_at, "
                    "state) VALUES "
                    "(1, 'c1', 'Päivystys', 'teksti', 0.9, '', 'kohtelu', '{}', 'negatiivinen', 'fi', 'm', "
                    "'2026-11-01', '2026-11-08', 'uusi')"
                )
            )
        assert db.current_revision(engine) == "0001"
        db.upgrade(engine)
        assert db.current_revision(engine) == db.head_revision()
        with Session(engine) as session:
            assert session.get(db.Case, 1).version == 1
            assert session.get(db.User, 1).session_generation == 0
    finally:
        engine.dispose()


def test_init_keeps_the_secret_and_stores_the_time_limit(tmp_path, monkeypatch):
    monkeypatch.delenv(db.DAYS_ENV, raising=False)
    url = str(tmp_path / "review.sqlite")
    first = db.init_database(url)
    assert first.created_secret and first.review_days == db.DEFAULT_REVIEW_DAYS
    with session_on(url) as session:
        secret = db.get_setting(session, db.SECRET_KEY)
    assert len(secret) == 64
    second = db.init_database(url, days=3)
    assert not second.created_secret and second.review_days == 3
    monkeypatch.setenv(db.DAYS_ENV, "10")
    assert db.init_database(url).review_days == 10
    monkeypatch.delenv(db.DAYS_ENV)
    assert db.init_database(url).review_days == 10  # kept from the last init
    with session_on(url) as session:
        assert db.get_setting(session, db.SECRET_KEY) == secret


def test_a_new_sqlite_file_is_private(tmp_path):
    path = tmp_path / "review.sqlite"
    db.init_database(str(path))
    assert path.stat().st_mode & 0o777 == 0o600


def test_two_databases_get_different_secrets(tmp_path):
    secrets = []
    for name in ("a.sqlite", "b.sqlite"):
        db.init_database(str(tmp_path / name))
        with session_on(str(tmp_path / name)) as session:
            secrets.append(db.get_setting(session, db.SECRET_KEY))
    assert secrets[0] != secrets[1]


@pytest.mark.parametrize("value", ["0", "seven", "-1"])
def test_bad_time_limit_from_the_environment_is_refused(tmp_path, monkeypatch, value):
    monkeypatch.setenv(db.DAYS_ENV, value)
    with pytest.raises(ReviewError, match=db.DAYS_ENV):
        db.init_database(str(tmp_path / "review.sqlite"))


def test_uninitialised_database_says_to_run_init(tmp_path):
    engine = db.make_engine(str(tmp_path / "empty.sqlite"))
    try:
        with pytest.raises(DatabaseNotReadyError, match="review init"):
            db.ensure_current(engine)
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@localhost/review", "postgresql+psycopg://u:p@localhost/review"),
        ("postgres://u:p@localhost/review", "postgresql+psycopg://u:p@localhost/review"),
        ("postgresql+psycopg://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("sqlite:///data/review.sqlite", "sqlite:///data/review.sqlite"),
    ],
)
def test_database_urls_are_normalised(given, expected):
    assert db.normalise_url(given) == expected


def test_a_plain_path_is_a_sqlite_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert db.normalise_url("review.sqlite") == f"sqlite:///{tmp_path / 'review.sqlite'}"


def test_default_database_is_in_the_working_directory(monkeypatch):
    monkeypatch.delenv(db.DB_ENV, raising=False)
    assert db.default_db_url() == "palauteluokitin-review.sqlite"
    monkeypatch.setenv(db.DB_ENV, "postgresql://u:p@h/db")
    assert db.default_db_url() == "postgresql://u:p@h/db"


def test_in_memory_sqlite_is_refused():
    with pytest.raises(ReviewError, match="in-memory"):
        db.make_engine("sqlite://")


def test_database_errors_never_show_statement_parameters(tmp_path):
    """Parameters hold (redacted) comment text; they stay out of error messages and logs."""
    url = str(tmp_path / "review.sqlite")
    db.init_database(url)
    engine = db.make_engine(url)
    try:
        with pytest.raises(sa.exc.IntegrityError) as error, engine.begin() as connection:
            statement = sa.text("INSERT INTO review_settings (key, value) VALUES (:key, :value)")
            connection.execute(statement, {"key": db.SECRET_KEY, "value": "Hoitaja oli tyly"})
    finally:
        engine.dispose()
    assert "tyly" not in str(error.value)
    assert "parameters hidden" in str(error.value)
