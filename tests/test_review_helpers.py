"""Shared helpers for the review tests (no tests here): classified files, databases on
SQLite and on a private PostgreSQL schema, users, logging in through the real form, and
`review serve` as a real process with an HTTP client for it."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from palauteluokitin.labels import FLAG, RIGHTS_CATEGORIES
from palauteluokitin.review import auth, db

PASSWORD = "oikein-hyva-salasana"
HETU, PHONE, EMAIL = "131052-308T", "040 123 4567", "maija.meikalainen@example.com"

# id, text, unit, flag, flag score, reasons, categories, sentiment, problem
ROWS = [
    (
        "101",
        f"Hoitaja oli tosi tyly ja huusi äidilleni käytävällä. Soittakaa minulle {PHONE} "
        f"tai {EMAIL}, henkilötunnus {HETU}.",
        "Kotihoito Itä",
        1,
        0.93,
        "tyly; huusi",
        ("kohtelu", "arvokkuus"),
        "negatiivinen",
        "",
    ),
    (
        "102",
        "Lääkäri naureskeli oireilleni ja sanoi että kuvittelen kaiken.",
        "Päivystys",
        1,
        0.81,
        "naureskeli; kuvittelen kaiken",
        ("kohtelu",),
        "negatiivinen",
        "",
    ),
    ("103", "Hyvää palvelua, kiitos!", "Päivystys", 0, 0.02, "", ("kohtelu",), "positiivinen", ""),
    ("104", "", "Päivystys", None, None, "", (), "", "empty text"),
    (
        "105",
        "Isä jätettiin koko aamuksi märkään vaippaan, vaikka hän soitti kelloa.",
        "Vuodeosasto 3",
        1,
        0.74,
        "jätettiin; märkään vaippaan",
        ("arvokkuus", "saumattomuus"),
        "negatiivinen",
        "",
    ),
]


def classified_frame(rows=ROWS, text_column: str = "palaute", unit_column: str = "yksikkö") -> pd.DataFrame:
    """A frame in the classified-file contract: input columns, then the classifier's."""
    records = []
    for comment_id, text, unit, flag, score, reasons, categories, sentiment, problem in rows:
        record = {"id": comment_id, text_column: text, unit_column: unit, "pvm": "2026-11-20"}
        empty = problem != ""
        for label in RIGHTS_CATEGORIES:
            record[label] = "" if empty else str(int(label in categories))
            record[f"{label}_score"] = "" if empty else ("0.88" if label in categories else "0.07")
        record["sentiment"] = sentiment
        record["sentiment_score"] = "" if empty else "0.9"
        record[FLAG] = "" if empty else str(flag)
        record[f"{FLAG}_score"] = "" if empty else str(score)
        record["flag_reasons"] = reasons
        record["lang"] = "" if empty else "fi"
        record["model_version"] = "baseline-2026-11-22"
        record["problem"] = problem
        records.append(record)
    return pd.DataFrame(records)


def write_classified(path: Path, rows=ROWS, **columns) -> Path:
    frame = classified_frame(rows, **columns)
    if path.suffix == ".xlsx":
        frame.to_excel(path, index=False)
    else:
        frame.to_csv(path, index=False, encoding="utf-8")
    return path


@contextmanager
def postgres_schema(base_url: str) -> Iterator[str]:
    """A URL whose connections use a fresh schema of their own; the schema is dropped after."""
    schema = f"review_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base_url)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


_template: dict[str, Path] = {}


def _sqlite_template(tmp_path_factory) -> Path:
    """One SQLite database migrated by `init_database`, copied for each test (faster than
    migrating each time; test_review_db migrates fresh databases itself)."""
    if "sqlite" not in _template:
        path = tmp_path_factory.mktemp("review-template") / "review.sqlite"
        db.init_database(str(path), days=7)
        _template["sqlite"] = path
    return _template["sqlite"]


@contextmanager
def database(kind: str, tmp_path: Path, request) -> Iterator[str]:
    """An initialised, empty review database: a SQLite file or a PostgreSQL schema."""
    if kind == "sqlite":
        target = tmp_path / "review.sqlite"
        shutil.copyfile(_sqlite_template(request.getfixturevalue("tmp_path_factory")), target)
        yield f"sqlite:///{target}"
        return
    with postgres_schema(request.getfixturevalue("postgres_url")) as url:
        db.init_database(url, days=7)
        yield url


@contextmanager
def session_on(url: str) -> Iterator[Session]:
    engine = db.make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session, session.begin():
            yield session
    finally:
        engine.dispose()


@cache
def password_hash() -> str:
    """The argon2 hash of PASSWORD, computed once: hashing costs ~0.3 s here by design."""
    return auth.hash_password(PASSWORD)


def add_users(url: str, users: dict[str, tuple[str, list[str]]]) -> None:
    """{username: (role, units)}, all with PASSWORD (`auth.create_user` is tested by the CLI
    and web tests; here the users are inserted with the same real hash)."""
    with session_on(url) as session:
        for username, (role, units) in users.items():
            user = db.User(username=username, password_hash=password_hash(), role=role, active=True)
            user.unit_rows = [db.UserUnit(unit=unit) for unit in units]
            session.add(user)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF field"
    return match.group(1)


def login(client, username: str, password: str = PASSWORD):
    """Log in through the real form; return the POST's response."""
    token = csrf_of(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"review serve exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise RuntimeError(f"review serve did not answer at {url} within {seconds} s")


@contextmanager
def served(url: str, log_path: Path, *options: str) -> Iterator[str]:
    """`palauteluokitin review serve` on a free port for the database at `url`; yields its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "palauteluokitin", "review", "serve", "--db", url, "--port", str(port)]
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [*command, *options], stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy()
        )
        try:
            wait_until_up(f"http://127.0.0.1:{port}/login", process)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(timeout=10)


class WebClient:
    """A cookie-keeping HTTP client for a served app; follows redirects like a browser."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")

    def login(self, username: str, password: str = PASSWORD) -> int:
        token = csrf_of(self.request("/login")[1])
        return self.request("/login", {"username": username, "password": password, "csrf_token": token})[0]
