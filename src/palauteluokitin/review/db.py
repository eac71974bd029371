"""The review database: tables, the engine for a URL, migrations and settings.

The database is named by a SQLAlchemy URL (`--db` or `PALAUTELUOKITIN_DB`); a plain
path means a SQLite file, and `postgresql://` URLs use psycopg 3. Without either, the
database is `palauteluokitin-review.sqlite` in the working directory: it holds
sensitive data, so it lives where the operator can see, back up and delete it, not in
a hidden per-user folder. The schema is created and upgraded only by Alembic
migrations shipped inside this package (`review init`), so an installed wheel can
migrate its own database. Times are stored as naive UTC.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from palauteluokitin.errors import DatabaseNotReadyError, ReviewError
from palauteluokitin.review import DAYS_ENV, DB_ENV, DEFAULT_DB_FILE

DEFAULT_REVIEW_DAYS = 7
VERSION_TABLE = "review_alembic_version"
MIGRATIONS = "palauteluokitin.review:migrations"
SECRET_KEY, REVIEW_DAYS = "secret_key", "review_days"


def utcnow() -> datetime:
    """The current time as naive UTC, the form every timestamp is stored in."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Setting(Base):
    __tablename__ = "review_settings"
    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[str] = mapped_column(sa.Text)


class User(Base):
    __tablename__ = "review_users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(20))
    active: Mapped[bool] = mapped_column(default=True)
    session_generation: Mapped[int] = mapped_column(default=0)  # a session of another one is dead
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    unit_rows: Mapped[list[UserUnit]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def units(self) -> list[str]:
        return sorted(row.unit for row in self.unit_rows)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class UserUnit(Base):
    __tablename__ = "review_user_units"
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("review_users.id"), primary_key=True)
    unit: Mapped[str] = mapped_column(sa.String(200), primary_key=True)


class Case(Base):
    __tablename__ = "review_cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[str] = mapped_column(sa.String(200), unique=True)
    unit: Mapped[str] = mapped_column(sa.String(200), default="", index=True)
    text: Mapped[str] = mapped_column(sa.Text)  # redacted
    flag_score: Mapped[float]
    flag_reasons: Mapped[str] = mapped_column(sa.Text, default="")  # redacted, "; "-joined
    categories: Mapped[str] = mapped_column(sa.String(200), default="")  # predicted, ","-joined
    category_scores: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    sentiment: Mapped[str] = mapped_column(sa.String(20), default="")
    sentiment_score: Mapped[float | None]
    lang: Mapped[str] = mapped_column(sa.String(10), default="")
    model_version: Mapped[str] = mapped_column(sa.String(200), default="")
    imported_at: Mapped[datetime]
    due_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(sa.String(20), default="uusi", index=True)
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("review_users.id"))
    outcome: Mapped[str | None] = mapped_column(sa.String(40))
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("review_users.id"))
    corrected_categories: Mapped[str | None] = mapped_column(sa.String(200))
    corrected_sentiment: Mapped[str | None] = mapped_column(sa.String(20))
    corrected_flag: Mapped[int | None]
    corrected_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("review_users.id"))
    corrected_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="joined")
    notes: Mapped[list[Note]] = relationship(order_by="Note.id", lazy="selectin")
    # Every UPDATE of a case says `WHERE version = <the version read>` and raises the
    # version, so of two decisions made on the same reading only the first is saved.
    __mapper_args__ = {"version_id_col": version}


class Note(Base):
    __tablename__ = "review_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("review_cases.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("review_users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    text: Mapped[str] = mapped_column(sa.Text)  # redacted
    author: Mapped[User] = relationship(lazy="joined")


class AuditEntry(Base):
    """One line of the append-only audit log; database triggers refuse UPDATE and DELETE."""

    __tablename__ = "review_audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None]
    username: Mapped[str] = mapped_column(sa.String(100), default="")
    action: Mapped[str] = mapped_column(sa.String(40))
    case_id: Mapped[int | None] = mapped_column(index=True)
    detail: Mapped[str] = mapped_column(sa.Text, default="")
    ip: Mapped[str] = mapped_column(sa.String(64), default="")


class Answer(Base):
    """One imported answer as numbers only, for the figures of units and months: no text and
    no comment id (`key` is a keyed hash of it, so re-imports count each answer once)."""

    __tablename__ = "review_answers"
    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    unit: Mapped[str] = mapped_column(sa.String(200), default="", index=True)
    month: Mapped[str] = mapped_column(sa.String(7), default="", index=True)  # YYYY-MM, "" unknown
    commented: Mapped[bool] = mapped_column(default=True)  # False: a score without a comment
    kohtelu: Mapped[int] = mapped_column(default=0)
    arvokkuus: Mapped[int] = mapped_column(default=0)
    tiedonsaanti: Mapped[int] = mapped_column(default=0)
    saumattomuus: Mapped[int] = mapped_column(default=0)
    sentiment: Mapped[str] = mapped_column(sa.String(20), default="")
    flag: Mapped[int] = mapped_column(default=0)
    nps: Mapped[int | None]


class Action(Base):
    """A development action (kehittämistoimenpide) of a unit, with the evidence behind it."""

    __tablename__ = "review_actions"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit: Mapped[str] = mapped_column(sa.String(200), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))  # redacted
    description: Mapped[str] = mapped_column(sa.Text, default="")  # redacted
    categories: Mapped[str] = mapped_column(sa.String(200), default="")  # ","-joined
    evidence: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # the unit's figures, linked cases
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("review_users.id"))
    status: Mapped[str] = mapped_column(sa.String(20), default="suunniteltu", index=True)
    planned_on: Mapped[date | None]
    completed_on: Mapped[date | None]
    public_summary: Mapped[str] = mapped_column(sa.Text, default="")  # redacted
    public_ready: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    owner: Mapped[User | None] = relationship(lazy="joined")
    __mapper_args__ = {"version_id_col": version}


class LoginAttempt(Base):
    __tablename__ = "review_login_attempts"
    __table_args__ = (sa.Index("ix_review_login_attempts_key", "username", "ip", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(100))
    ip: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    succeeded: Mapped[bool]


def default_db_url() -> str:
    """`PALAUTELUOKITIN_DB`, else the SQLite file in the working directory."""
    return os.environ.get(DB_ENV) or DEFAULT_DB_FILE


def normalise_url(url: str) -> str:
    """A SQLAlchemy URL for a URL or a plain path (a SQLite file)."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def database_files(url: str) -> list[Path]:
    """The file of a SQLite database URL or path; none for any other database (for the
    outputs that must never be written over it)."""
    try:
        parsed = make_url(normalise_url(url))
    except sa.exc.ArgumentError:
        return []
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return []
    return [Path(parsed.database)]


def make_engine(url: str) -> Engine:
    """An engine for the database at `url`; SQLite gets foreign keys and a busy timeout.
    Statement parameters (which hold redacted comment text) never appear in errors or logs."""
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError as error:
        raise ReviewError(f"not a database URL: {url!r} (e.g. sqlite:///review.sqlite)") from error
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True, hide_parameters=True)
    if not parsed.database:
        raise ReviewError("an in-memory SQLite database cannot be shared; give a file path")
    engine = sa.create_engine(
        url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True
    )

    @sa.event.listens_for(engine, "connect")
    def _sqlite_pragmas(connection, _record):
        cursor = connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def _alembic_config(connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config(None)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def upgrade(engine: Engine) -> None:
    """Apply every migration the database does not have yet."""
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "head")


def ensure_current(engine: Engine) -> None:
    """Raise DatabaseNotReadyError unless the schema is at the newest migration. A SQLite
    file that does not exist is refused before connecting, which would create it empty."""
    if engine.url.get_backend_name() == "sqlite" and not Path(engine.url.database).exists():
        raise DatabaseNotReadyError(
            f"there is no review database at {engine.url.database}; "
            "run `palauteluokitin review init` with the same --db first."
        )
    try:
        current = current_revision(engine)
    except sa.exc.OperationalError as error:
        raise DatabaseNotReadyError(
            f"cannot open the review database {engine.url.render_as_string(hide_password=True)}: {error.orig}"
        ) from error
    if current != head_revision():
        state = "has no review schema" if current is None else f"is at schema {current}"
        raise DatabaseNotReadyError(
            f"the review database {engine.url.render_as_string(hide_password=True)} {state}; "
            "run `palauteluokitin review init` with the same --db first."
        )


@contextmanager
def transaction(url: str) -> Iterator[Session]:
    """A session on a migrated database, committed at the end unless an error escapes."""
    engine = make_engine(url)
    try:
        ensure_current(engine)
        with Session(engine) as session, session.begin():
            yield session
    finally:
        engine.dispose()


def get_setting(session: Session, key: str) -> str | None:
    row = session.get(Setting, key)
    return row.value if row else None


def set_setting(session: Session, key: str, value: str) -> None:
    session.merge(Setting(key=key, value=value))


def review_days(session: Session) -> int:
    """The time limit for a case in days: the stored setting, else the default."""
    stored = get_setting(session, REVIEW_DAYS)
    return int(stored) if stored else DEFAULT_REVIEW_DAYS


def days_from_env() -> int | None:
    value = os.environ.get(DAYS_ENV)
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise ReviewError(f"{DAYS_ENV}={value!r}: give a whole number of days, at least 1")
    return int(value)


def _create_private_sqlite_file(engine: Engine) -> None:
    """A new SQLite database file is readable by its owner only: it holds sensitive data."""
    if engine.url.get_backend_name() == "sqlite" and not Path(engine.url.database).exists():
        os.close(os.open(engine.url.database, os.O_CREAT | os.O_WRONLY, 0o600))


@dataclass(frozen=True)
class InitResult:
    url: str
    created_secret: bool
    review_days: int


def init_database(url: str, days: int | None = None) -> InitResult:
    """Create or upgrade the schema, generate the session secret once, and store the
    time limit (`days`, else `PALAUTELUOKITIN_REVIEW_DAYS`, else the stored or default 7)."""
    days = days if days is not None else days_from_env()
    if days is not None and days < 1:
        raise ReviewError(f"the time limit must be at least 1 day, not {days}")
    engine = make_engine(url)
    _create_private_sqlite_file(engine)
    try:
        upgrade(engine)
        with Session(engine) as session, session.begin():
            created = get_setting(session, SECRET_KEY) is None
            if created:
                set_setting(session, SECRET_KEY, secrets.token_hex(32))
            if days is not None:
                set_setting(session, REVIEW_DAYS, str(days))
            limit = review_days(session)
        return InitResult(engine.url.render_as_string(hide_password=True), created, limit)
    finally:
        engine.dispose()
