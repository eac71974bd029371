"""Reviewers racing each other through two real `review serve` processes on one database
(SQLite and PostgreSQL): every raced case is taken and resolved exactly once, the loser
is told, and parallel wrong passwords cannot slip past the login limit."""

from __future__ import annotations

import html
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from palauteluokitin.review import auth
from palauteluokitin.review.cases import CHANGED_FI, OUTCOMES
from palauteluokitin.review.db import AuditEntry, Case
from palauteluokitin.review.importer import import_classified
from test_review_helpers import (
    PASSWORD,
    WebClient,
    add_users,
    csrf_of,
    database,
    served,
    session_on,
    write_classified,
)

UNIT = "Osasto 7"
CASES = 10
TAKEN, RESOLVED, ALREADY_RESOLVED = (
    "Otit tapauksen käsittelyyn.",
    "Tapaus ratkaistu.",
    "Tapaus on jo ratkaistu.",
)


@pytest.fixture(params=["sqlite", "postgresql"])
def two_servers(request, tmp_path):
    """A database with CASES open cases in one unit, served by two processes."""
    with database(request.param, tmp_path, request) as url:
        add_users(url, {"anna": ("reviewer", [UNIT]), "olli": ("reviewer", [UNIT]), "admin": ("admin", [])})
        rows = [
            (
                str(700 + n),
                f"Hoitaja oli tyly käynnillä {n}.",
                UNIT,
                1,
                0.9,
                "tyly",
                ("kohtelu",),
                "negatiivinen",
                "",
            )
            for n in range(CASES)
        ]
        import_classified(url, write_classified(tmp_path / "luokiteltu.csv", rows))
        with session_on(url) as session:
            ids = list(session.scalars(sa.select(Case.id).order_by(Case.id)))
        with (
            served(url, tmp_path / "a.log", "--threads", "8") as first,
            served(url, tmp_path / "b.log", "--threads", "8", "--proxy-count", "1") as second,
        ):
            yield url, first, second, ids


def flashes(page: str) -> list[str]:
    return [
        html.unescape(text) for text in re.findall(r'<p class="flash[^"]*" role="status">([^<]*)</p>', page)
    ]


def form_of(client: WebClient, case_id: int) -> dict:
    """What the case page gives a form: its CSRF token and the case version shown."""
    page = client.request(f"/cases/{case_id}")[1]
    return {"csrf_token": csrf_of(page), "versio": re.search(r'name="versio" value="(\d+)"', page).group(1)}


def race(*posts) -> list[str]:
    """Send the POSTs (client, path, data) at the same moment; each one's flash messages."""
    start = threading.Barrier(len(posts))

    def send(client, path, data):
        start.wait()
        status, page = client.request(path, data)
        assert status == 200
        return " ".join(flashes(page))

    with ThreadPoolExecutor(len(posts)) as pool:
        return list(pool.map(lambda post: send(*post), posts))


def test_raced_takes_and_resolutions_happen_once_and_the_loser_is_told(two_servers):
    url, first, second, ids = two_servers
    anna, olli, admin = WebClient(first), WebClient(second), WebClient(second)
    for client, name in ((anna, "anna"), (olli, "olli"), (admin, "admin")):
        assert client.login(name) == 200
    winners = {}
    for case_id in ids:
        # both open the case, then take it at once, each from the version they saw
        seen = {client: form_of(client, case_id) for client in (anna, olli)}
        told = race(*((client, f"/cases/{case_id}/take", seen[client]) for client in (anna, olli)))
        assert sorted(told) == sorted([TAKEN, CHANGED_FI]), told
        handler = anna if told[0] == TAKEN else olli
        # its handler and an admin resolve it at once (no version sent: the database decides)
        outcomes = {handler: "aiheellinen", admin: "aiheeton"}
        told = race(
            *(
                (
                    client,
                    f"/cases/{case_id}/resolve",
                    {"csrf_token": form_of(client, case_id)["csrf_token"], "outcome": outcome},
                )
                for client, outcome in outcomes.items()
            )
        )
        assert told.count(RESOLVED) == 1, told
        assert told[1 - told.index(RESOLVED)] in (CHANGED_FI, ALREADY_RESOLVED), told
        winners[case_id] = (
            "anna" if handler is anna else "olli",
            list(outcomes.values())[told.index(RESOLVED)],
        )
    with session_on(url) as session:
        for case_id, (handler, outcome) in winners.items():
            case = session.get(Case, case_id)
            assert (case.state, case.outcome, case.assignee.username) == ("ratkaistu", outcome, handler)
            history = session.scalars(
                sa.select(AuditEntry.action)
                .where(AuditEntry.case_id == case_id, AuditEntry.action.in_(["take", "resolve"]))
                .order_by(AuditEntry.id)
            ).all()
            assert history == ["take", "resolve"], (case_id, history)
            resolution = session.scalar(
                sa.select(AuditEntry.detail).where(
                    AuditEntry.case_id == case_id, AuditEntry.action == "resolve"
                )
            )
            assert resolution == OUTCOMES[outcome]


def test_parallel_wrong_passwords_get_only_the_allowed_tries(two_servers):
    """40 wrong passwords at once, half through each server: at most MAX_FAILURES are
    checked (401), the others refused (429); tries one at a time afterwards are checked
    only up to MAX_FAILURES in all, and then even the right password is refused."""
    url, first, second, _ = two_servers
    clients = [WebClient(first if n % 2 else second) for n in range(40)]
    tokens = [csrf_of(client.request("/login")[1]) for client in clients]
    start = threading.Barrier(len(clients))

    def try_login(client, token, password="väärä salasana"):
        return client.request("/login", {"username": "anna", "password": password, "csrf_token": token})[0]

    def at_once(client, token):
        start.wait()
        return try_login(client, token)

    with ThreadPoolExecutor(len(clients)) as pool:
        statuses = list(pool.map(at_once, clients, tokens))
    # each attempt is stored before it is counted: in a burst even all may be refused
    assert set(statuses) <= {401, 429} and statuses.count(401) <= auth.MAX_FAILURES
    statuses += [try_login(clients[0], tokens[0]) for _ in range(auth.MAX_FAILURES)]
    assert statuses.count(401) == auth.MAX_FAILURES
    assert try_login(clients[1], tokens[1], PASSWORD) == 429
    with session_on(url) as session:
        failed = session.scalar(sa.select(sa.func.count()).where(AuditEntry.action == "login_failed"))
    assert failed == auth.MAX_FAILURES
