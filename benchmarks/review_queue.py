"""Response time and size of the review queue page with many open cases.

    uv run --extra all python benchmarks/review_queue.py [--cases 600 5000] [--requests 30]

Each run makes a fresh SQLite review database with that many open cases (synthetic
comments of 300 characters, 10 units, imported over the past 10 days), logs an admin in
through the real form, and times `GET /` (the first page of the queue) and
`GET /?sivu=<last>` through Flask's test client: median and 95th percentile over the
requests after one warm-up, and the size of the page.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from palauteluokitin.review import auth
from palauteluokitin.review.app import create_app, dispose
from palauteluokitin.review.db import Case, User, init_database, make_engine, utcnow

PASSWORD = "benchmark-password"
TEXT = ("Hoitaja oli tyly ja puhui minulle alentavasti, enkä saanut tietoa hoidostani. " * 4)[:300]


def build(path: Path, cases: int) -> str:
    url = f"sqlite:///{path}"
    init_database(url, days=7)
    engine = make_engine(url)
    now = utcnow()
    with Session(engine) as session, session.begin():
        session.add(User(username="admin", password_hash=auth.hash_password(PASSWORD), role="admin"))
        for number in range(cases):
            imported = now - timedelta(minutes=number * 10_080 // max(cases, 1) * 2)
            session.add(
                Case(
                    comment_id=str(number),
                    unit=f"Yksikkö {number % 10}",
                    text=TEXT,
                    flag_score=(number % 97) / 97,
                    flag_reasons="tyly; alentavasti",
                    categories="kohtelu",
                    category_scores={"kohtelu": 0.9},
                    sentiment="negatiivinen",
                    sentiment_score=0.9,
                    imported_at=imported,
                    due_at=imported + timedelta(days=7),
                )
            )
    engine.dispose()
    return url


def timed(client, path: str, requests: int) -> tuple[list[float], int]:
    client.get(path)
    seconds, size = [], 0
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(path)
        seconds.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
        size = len(response.data)
    return seconds, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, nargs="+", default=[600, 5000])
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    print(f"{'cases':>6} {'page':>10} {'p50 ms':>8} {'p95 ms':>8} {'KB':>7}")
    for cases in args.cases:
        with tempfile.TemporaryDirectory() as folder:
            app = create_app(build(Path(folder) / "review.sqlite", cases))
            client = app.test_client()
            token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
            client.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token})
            last = re.findall(r"sivu=(\d+)", client.get("/").text)
            pages = [("/", "first")] + ([(f"/?sivu={max(map(int, last))}", "last")] if last else [])
            for path, name in pages:
                seconds, size = timed(client, path, args.requests)
                p50 = statistics.median(seconds) * 1000
                p95 = statistics.quantiles(seconds, n=20)[-1] * 1000
                print(f"{cases:>6} {name:>10} {p50:>8.1f} {p95:>8.1f} {size / 1024:>7.0f}")
            dispose(app)


if __name__ == "__main__":
    main()
