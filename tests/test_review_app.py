"""The review web app through Flask's test client: the access-control table, CSRF,
cookies, login throttling, the reviewer's actions, admin pages and the audit log."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from palauteluokitin.errors import LoginThrottledError
from palauteluokitin.review import auth
from palauteluokitin.review.app import create_app, dispose
from palauteluokitin.review.db import AuditEntry, Case, LoginAttempt, User, make_engine, utcnow
from palauteluokitin.review.importer import import_classified
from palauteluokitin.review.routes_auth import safe_next
from test_review_helpers import (
    PASSWORD,
    ROWS,
    add_users,
    csrf_of,
    database,
    login,
    session_on,
    write_classified,
)

USERS = {
    "admin": ("admin", []),
    "anna": ("reviewer", ["Päivystys"]),
    "olli": ("reviewer", ["Kotihoito Itä", "Vuodeosasto 3"]),
}
COMMENT_WORDS = ("tyly", "naureskeli", "vaippaan", "Hoitaja oli")


def build_site(kind: str, tmp_path, request, rows=ROWS):
    """A database with users and imported cases, and an app on it."""
    context = database(kind, tmp_path, request)
    url = context.__enter__()
    request.addfinalizer(lambda: context.__exit__(None, None, None))
    add_users(url, USERS)
    import_classified(url, write_classified(tmp_path / "luokiteltu.csv", rows))
    app = create_app(url)
    request.addfinalizer(lambda: dispose(app))
    with session_on(url) as session:
        ids = dict(session.execute(sa.select(Case.comment_id, Case.id)).all())
    return url, app, ids


@pytest.fixture(scope="module")
def shared(request, tmp_path_factory):
    """One site for the read-mostly access table, with a logged-in client per role."""
    url, app, ids = build_site("sqlite", tmp_path_factory.mktemp("site"), request)
    clients = {"anon": app.test_client()}
    for who, username in (("reviewer", "anna"), ("admin", "admin")):
        clients[who] = app.test_client()
        assert login(clients[who], username).status_code == 302
    return url, clients, ids


@pytest.fixture(params=["sqlite", "postgresql"])
def any_site(request, tmp_path):
    return build_site(request.param, tmp_path, request)


@pytest.fixture
def sqlite_site(request, tmp_path):
    return build_site("sqlite", tmp_path, request)


def case_state(url: str, comment_id: str) -> Case:
    with session_on(url) as session:
        return session.scalar(sa.select(Case).where(Case.comment_id == comment_id))


# who, method, path ({c101} = the case of comment 101), CSRF token sent, status, redirect target
ACCESS = [
    ("anon", "GET", "/", False, 302, "/login?next=/"),
    ("anon", "GET", "/cases/{c102}", False, 302, "/login?next=/cases/"),
    ("anon", "GET", "/cases/999", False, 302, "/login"),
    ("anon", "GET", "/no-such-page", False, 302, "/login"),
    ("anon", "GET", "/admin/users", False, 302, "/login"),
    ("anon", "GET", "/admin/audit", False, 302, "/login"),
    ("anon", "POST", "/cases/{c102}/take", False, 302, "/login"),
    ("anon", "POST", "/cases/{c102}/resolve", False, 302, "/login"),
    ("anon", "POST", "/admin/users", False, 302, "/login"),
    ("anon", "GET", "/login", False, 200, None),
    ("anon", "GET", "/static/review.css", False, 200, None),
    ("reviewer", "GET", "/", True, 200, None),
    ("reviewer", "GET", "/cases/{c102}", True, 200, None),
    ("reviewer", "GET", "/cases/{c101}", True, 404, None),
    ("reviewer", "GET", "/cases/{c105}", True, 404, None),
    ("reviewer", "GET", "/cases/999", True, 404, None),
    ("reviewer", "POST", "/cases/{c101}/take", True, 404, None),
    ("reviewer", "POST", "/cases/{c101}/note", True, 404, None),
    ("reviewer", "POST", "/cases/{c101}/resolve", True, 404, None),
    ("reviewer", "POST", "/cases/{c101}/labels", True, 404, None),
    ("reviewer", "GET", "/admin/users", True, 403, None),
    ("reviewer", "GET", "/admin/users/1", True, 403, None),
    ("reviewer", "POST", "/admin/users", True, 403, None),
    ("reviewer", "POST", "/admin/users/1", True, 403, None),
    ("reviewer", "GET", "/admin/audit", True, 403, None),
    ("reviewer", "POST", "/cases/{c102}/take", False, 400, None),
    ("reviewer", "POST", "/logout", False, 400, None),
    ("admin", "GET", "/cases/{c101}", True, 200, None),
    ("admin", "GET", "/cases/{c105}", True, 200, None),
    ("admin", "GET", "/admin/users", True, 200, None),
    ("admin", "GET", "/admin/audit", True, 200, None),
    ("admin", "POST", "/admin/users", False, 400, None),
    ("admin", "POST", "/cases/{c101}/note", False, 400, None),
    # ids past 64 bits overflowed the database driver: a 500
    ("admin", "GET", "/cases/99999999999999999999", True, 404, None),
    ("admin", "POST", "/cases/99999999999999999999/take", True, 404, None),
    ("admin", "GET", "/admin/users/99999999999999999999", True, 404, None),
]


@pytest.mark.parametrize(("who", "method", "path", "with_csrf", "status", "location"), ACCESS)
def test_access_control(shared, who, method, path, with_csrf, status, location):
    url, clients, ids = shared
    client = clients[who]
    path = path.format_map({f"c{key}": value for key, value in ids.items()})
    data = {}
    if with_csrf:
        data["csrf_token"] = csrf_of(client.get("/").get_data(as_text=True))
    response = client.open(path, method=method, data=data)
    body = response.get_data(as_text=True)
    response.close()
    assert response.status_code == status
    if location:
        assert response.headers["Location"].startswith(location)
    if who == "anon" or status in (400, 403, 404):
        assert not any(word in body for word in COMMENT_WORDS)
    assert case_state(url, "101").state == "uusi"  # nothing here changes a case


def test_error_pages_are_finnish(shared):
    _, clients, ids = shared
    assert "Sivua ei löydy" in clients["reviewer"].get(f"/cases/{ids['101']}").get_data(as_text=True)
    assert "Ei käyttöoikeutta" in clients["reviewer"].get("/admin/users").get_data(as_text=True)
    rejected = clients["reviewer"].post(f"/cases/{ids['102']}/take", data={"csrf_token": "väärä"})
    assert rejected.status_code == 400
    assert "Lomakkeen tarkistus epäonnistui" in rejected.get_data(as_text=True)


def test_reviewer_queue_shows_only_their_units(shared):
    _, clients, _ = shared
    page = clients["reviewer"].get("/").get_data(as_text=True)
    assert "naureskeli" in page and "Käsittelyjono" in page
    assert "tyly" not in page and "vaippaan" not in page
    admin_page = clients["admin"].get("/?yksikko=Vuodeosasto+3").get_data(as_text=True)
    assert "vaippaan" in admin_page and "naureskeli" not in admin_page


def test_every_response_carries_security_headers(shared):
    _, clients, _ = shared
    for response in (clients["anon"].get("/login"), clients["reviewer"].get("/")):
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("secure_cookies", "base_url", "secure"),
    [
        (False, "http://localhost", False),
        (False, "https://localhost", True),
        (True, "http://localhost", True),
    ],
)
def test_session_cookie_flags(sqlite_site, secure_cookies, base_url, secure):
    """The login page already sets the session cookie (it holds the CSRF token)."""
    url, _, _ = sqlite_site
    app = create_app(url, secure_cookies=secure_cookies)
    try:
        cookie = app.test_client().get("/login", base_url=base_url).headers["Set-Cookie"]
        assert cookie.startswith("palauteluokitin_review=")
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert ("Secure" in cookie) is secure
    finally:
        dispose(app)


def test_login_renews_the_session_and_its_csrf_token(sqlite_site):
    _, app, _ = sqlite_site
    client = app.test_client()
    before = csrf_of(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": "anna", "password": PASSWORD, "csrf_token": before})
    assert response.status_code == 302 and "HttpOnly" in response.headers["Set-Cookie"]
    after = csrf_of(client.get("/").get_data(as_text=True))
    assert after != before


COOKIE = "palauteluokitin_review"


def log_out(client):
    return client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})


def copied_cookie(app, client):
    """A second browser holding a copy of the client's session cookie."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    return thief


NEW_PASSWORD = "uusi-hyva-salasana"
ENDINGS = {
    "logout": lambda url, client: log_out(client),
    "new-password": lambda url, client: auth.update_user(url, "anna", password=NEW_PASSWORD),
    "deactivated-then-activated": lambda url, client: (
        auth.update_user(url, "anna", active=False),
        auth.update_user(url, "anna", active=True),
    ),
}


@pytest.mark.parametrize("ending", ENDINGS)
def test_a_copied_cookie_dies_with_the_session(sqlite_site, ending):
    url, app, ids = sqlite_site
    client = app.test_client()
    login(client, "anna")
    thief = copied_cookie(app, client)
    assert thief.get(f"/cases/{ids['102']}").status_code == 200
    ENDINGS[ending](url, client)
    for browser in (thief, client):
        response = browser.get(f"/cases/{ids['102']}")
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    fresh = app.test_client()
    assert login(fresh, "anna", NEW_PASSWORD if ending == "new-password" else PASSWORD).status_code == 302
    assert fresh.get(f"/cases/{ids['102']}").status_code == 200


def test_logging_in_again_does_not_revive_an_ended_cookie(sqlite_site):
    url, app, ids = sqlite_site
    client = app.test_client()
    login(client, "anna")
    old = copied_cookie(app, client)
    log_out(client)
    assert login(client, "anna").status_code == 302
    assert client.get(f"/cases/{ids['102']}").status_code == 200
    assert old.get(f"/cases/{ids['102']}").status_code == 302


@pytest.mark.parametrize(("hours_ago", "status"), [(1, 200), (7.9, 200), (8.1, 302), (100, 302), (-1, 302)])
def test_a_session_lasts_at_most_its_hours_from_login(sqlite_site, hours_ago, status):
    """However often it is used: every request re-issues the cookie, but not the login time."""
    _, app, ids = sqlite_site
    client = app.test_client()
    login(client, "anna")
    with client.session_transaction() as stored:
        stored["login_at"] = int(time.time() - hours_ago * 3600)
    assert client.get(f"/cases/{ids['102']}").status_code == status


def test_an_admin_changing_their_own_password_stays_logged_in(sqlite_site):
    url, app, _ = sqlite_site
    client = app.test_client()
    login(client, "admin")
    with session_on(url) as session:
        admin_id = session.scalar(sa.select(User.id).where(User.username == "admin"))
    page = client.get(f"/admin/users/{admin_id}").text
    form = {
        "csrf_token": csrf_of(page),
        "role": "admin",
        "active": "1",
        "units": "",
        "password": "toinen-salasana-1",
    }
    assert client.post(f"/admin/users/{admin_id}", data=form).status_code == 303
    assert client.get(f"/admin/users/{admin_id}").status_code == 200


@pytest.mark.parametrize(
    ("proxy_count", "headers", "locked_for", "open_for"),
    [
        # behind one proxy: the lockout is the attacking client's, not everyone's behind the proxy
        (1, {"X-Forwarded-For": "203.0.113.5"}, {"X-Forwarded-For": "203.0.113.5"},
         {"X-Forwarded-For": "198.51.100.9"}),
        # an appended hop the client could forge is not trusted beyond the proxy count
        (1, {"X-Forwarded-For": "1.2.3.4, 203.0.113.5"}, {"X-Forwarded-For": "9.9.9.9, 203.0.113.5"},
         {"X-Forwarded-For": "203.0.113.5, 198.51.100.9"}),
        # no proxy trusted: a client cannot dodge the lockout by inventing addresses
        (0, {"X-Forwarded-For": "203.0.113.5"}, {"X-Forwarded-For": "198.51.100.9"}, None),
    ],
)  # fmt: skip
def test_login_lockout_behind_a_reverse_proxy(sqlite_site, proxy_count, headers, locked_for, open_for):
    url, _, _ = sqlite_site
    app = create_app(url, proxy_count=proxy_count)
    try:
        attacker = app.test_client()
        token = csrf_of(attacker.get("/login").text)
        wrong = {"username": "anna", "password": "väärä salasana", "csrf_token": token}
        for _ in range(auth.MAX_FAILURES):
            assert attacker.post("/login", data=wrong, headers=headers).status_code == 401
        right = dict(wrong, password=PASSWORD)
        assert attacker.post("/login", data=right, headers=locked_for).status_code == 429
        if open_for is not None:
            assert attacker.post("/login", data=right, headers=open_for).status_code == 302
        with session_on(url) as session:
            addresses = set(
                session.scalars(sa.select(AuditEntry.ip).where(AuditEntry.action == "login_failed"))
            )
        assert addresses == ({"203.0.113.5"} if proxy_count else {"127.0.0.1"})
    finally:
        dispose(app)


def test_queue_pages_and_their_audit(request, tmp_path):
    rows = [
        (
            str(900 + n),
            f"Hoitaja oli tyly {n}.",
            "Päivystys",
            1,
            0.5 + n / 200,
            "tyly",
            ("kohtelu",),
            "negatiivinen",
            "",
        )
        for n in range(60)
    ]
    url, app, ids = build_site("sqlite", tmp_path, request, rows)
    client = app.test_client()
    login(client, "anna")
    first = client.get("/").text
    assert "60 tapausta" in first and "sivu 1 / 2" in first and "sivu=2" in first
    assert first.count('class="snippet"') == 50
    assert "Hoitaja oli tyly 59." in first  # the highest flag score comes first
    last = client.get("/?sivu=2").text
    assert last.count('class="snippet"') == 10 and "sivu 2 / 2" in last and "Hoitaja oli tyly 0." in last
    for page in ("99999999999999999999999", "0", "-1", "x"):
        assert client.get(f"/?sivu={page}").status_code == 200
    with session_on(url) as session:
        shown = session.scalars(
            sa.select(AuditEntry.detail).where(AuditEntry.action == "queue_view").order_by(AuditEntry.id)
        ).all()
    assert shown[0] == "sivu 1: " + ", ".join(re.findall(r'href="/cases/(\d+)"', first))
    assert set(re.findall(r'href="/cases/(\d+)"', first)) == {str(ids[str(900 + n)]) for n in range(10, 60)}
    assert shown[1].startswith("sivu 2: ") and len(shown[1].split(", ")) == 10


@pytest.mark.parametrize("page", ["99999999999999999999999", "18446744073709551616"])
def test_audit_page_number_past_64_bits_is_not_an_error(shared, page):
    _, clients, _ = shared
    assert clients["admin"].get(f"/admin/audit?sivu={page}").status_code == 200


def test_login_without_csrf_is_rejected(sqlite_site):
    _, app, _ = sqlite_site
    client = app.test_client()
    client.get("/login")
    assert client.post("/login", data={"username": "anna", "password": PASSWORD}).status_code == 400
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/cases/1", "/cases/1"),
        ("/?tila=uusi", "/?tila=uusi"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("/\t/evil.example", "/"),
        ("/\n/x", "/"),
        ("/\r\n//evil.example", "/"),
        ("/ /evil.example", "/"),
        ("/\x00/evil.example", "/"),
        ("", "/"),
    ],
)
def test_login_redirects_only_within_the_site(sqlite_site, target, expected):
    _, app, _ = sqlite_site
    with app.test_request_context("/login"):
        assert safe_next(target) == expected


def test_login_follows_next_within_the_site(sqlite_site):
    _, app, _ = sqlite_site
    client = app.test_client()
    redirected = client.get("/cases/1")
    assert redirected.headers["Location"] == "/login?next=/cases/1"
    token = csrf_of(client.get(redirected.headers["Location"]).get_data(as_text=True))
    data = {"username": "anna", "password": PASSWORD, "csrf_token": token, "next": "/cases/1"}
    assert client.post("/login", data=data).headers["Location"] == "/cases/1"


def test_wrong_password_and_rate_limit(sqlite_site):
    url, app, _ = sqlite_site
    client = app.test_client()
    for _ in range(auth.MAX_FAILURES):
        response = login(client, "anna", "väärä salasana")
        assert response.status_code == 401
        assert "Väärä käyttäjätunnus tai salasana" in response.get_data(as_text=True)
    throttled = login(client, "anna")  # the right password, but locked out
    assert throttled.status_code == 429
    assert "Liian monta" in throttled.get_data(as_text=True)
    other_address = app.test_client()
    other_address.environ_base["REMOTE_ADDR"] = "10.0.0.7"
    assert login(other_address, "anna").status_code == 302
    assert login(client, "olli").status_code == 302  # the limit is per username and address
    with session_on(url) as session:
        failed = session.scalars(
            sa.select(AuditEntry.username).where(AuditEntry.action == "login_failed")
        ).all()
    assert failed == ["anna"] * auth.MAX_FAILURES


def test_rate_limit_window_and_reset_on_success(sqlite_site):
    """The lockout lasts the window and counts failures since the last success."""
    url, _, _ = sqlite_site
    start, ip = utcnow() - timedelta(hours=1), "10.1.1.1"

    def fail(minute: int) -> None:
        session.add(
            LoginAttempt(username="anna", ip=ip, at=start + timedelta(minutes=minute), succeeded=False)
        )

    engine = make_engine(url)  # authenticate commits each attempt: a session without an outer transaction
    with Session(engine, expire_on_commit=False) as session:
        for minute in range(auth.MAX_FAILURES):
            fail(minute)
        session.flush()
        with pytest.raises(LoginThrottledError):
            auth.authenticate(session, "anna", PASSWORD, ip, start + timedelta(minutes=10))
        assert (
            auth.authenticate(session, "anna", PASSWORD, ip, start + timedelta(minutes=20)).username == "anna"
        )
        for minute in range(21, 21 + auth.MAX_FAILURES - 1):
            fail(minute)
        session.flush()
        assert (
            auth.recent_failures(session, "anna", ip, start + timedelta(minutes=30)) == auth.MAX_FAILURES - 1
        )
        fail(30)
        session.flush()
        with pytest.raises(LoginThrottledError):
            auth.authenticate(session, "anna", PASSWORD, ip, start + timedelta(minutes=31))
        assert auth.recent_failures(session, "anna", ip, start + timedelta(minutes=50)) == 0
    engine.dispose()


def test_reviewer_takes_notes_corrects_and_resolves(any_site):
    url, app, ids = any_site
    client = app.test_client()
    login(client, "anna")
    case_id = ids["102"]
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "<mark>naureskeli</mark>" in page and "<mark>kuvittelen kaiken</mark>" in page
    token = csrf_of(page)
    resolve_early = client.post(
        f"/cases/{case_id}/resolve", data={"csrf_token": token, "outcome": "aiheellinen"}
    )
    assert resolve_early.status_code == 303
    assert "Ota tapaus ensin käsittelyyn" in client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert client.post(f"/cases/{case_id}/take", data={"csrf_token": token}).status_code == 303
    assert (case_state(url, "102").state, case_state(url, "102").assignee.username) == (
        "käsittelyssä",
        "anna",
    )
    client.post(f"/cases/{case_id}/note", data={"csrf_token": token, "text": "Soitin asiakkaalle."})
    labels = {
        "csrf_token": token,
        "categories": ["kohtelu", "arvokkuus"],
        "sentiment": "negatiivinen",
        "flag": "1",
    }
    client.post(f"/cases/{case_id}/labels", data=labels)
    client.post(f"/cases/{case_id}/resolve", data={"csrf_token": token, "outcome": "muistutusohjeet"})
    case = case_state(url, "102")
    assert (case.state, case.outcome, case.corrected_categories, case.corrected_flag) == (
        "ratkaistu",
        "muistutusohjeet",
        "kohtelu,arvokkuus",
        1,
    )
    assert [note.text for note in case.notes] == ["Soitin asiakkaalle."]
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "muistutusohjeet annettu" in page and "Soitin asiakkaalle." in page
    with session_on(url) as session:
        entries = session.scalars(
            sa.select(AuditEntry).where(AuditEntry.case_id == case_id).order_by(AuditEntry.id)
        )
        trail = [(entry.username, entry.action) for entry in entries]
        details = " ".join(entry.detail for entry in session.scalars(sa.select(AuditEntry)))
    assert trail == [
        ("anna", "view"),
        ("anna", "view"),
        ("anna", "take"),
        ("anna", "note"),
        ("anna", "correct"),
        ("anna", "resolve"),
        ("anna", "view"),
    ]
    assert not any(word in details for word in (*COMMENT_WORDS, "Soitin"))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get(f"/cases/{case_id}").status_code == 302


def test_comment_html_is_escaped(request, tmp_path):
    rows = [("201", "Hoitaja oli tyly <script>alert(1)</script> & huusi.", "Päivystys", 1, 0.9, "tyly",
             ("kohtelu",), "negatiivinen", "")]  # fmt: skip
    _, app, ids = build_site("sqlite", tmp_path, request, rows)
    client = app.test_client()
    login(client, "anna")
    page = client.get(f"/cases/{ids['201']}").get_data(as_text=True)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; huusi." in page
    assert "<mark>tyly</mark>" in page


def test_admin_manages_users_through_the_web(sqlite_site):
    url, app, ids = sqlite_site
    admin = app.test_client()
    login(admin, "admin")
    token = csrf_of(admin.get("/admin/users").get_data(as_text=True))
    new = {
        "csrf_token": token,
        "username": "pia",
        "password": "lyhyt",
        "role": "reviewer",
        "units": "Päivystys",
    }
    assert "vähintään 10 merkkiä" in admin.post("/admin/users", data=new, follow_redirects=True).get_data(
        True
    )
    new["password"] = PASSWORD
    assert admin.post("/admin/users", data=new).status_code == 303
    with session_on(url) as session:
        pia = session.scalar(sa.select(User).where(User.username == "pia"))
        assert (pia.role, pia.units, pia.active) == ("reviewer", ["Päivystys"], True)
    pia_client = app.test_client()
    assert login(pia_client, "pia").status_code == 302
    assert pia_client.get(f"/cases/{ids['105']}").status_code == 404
    change = {"csrf_token": token, "role": "reviewer", "units": "Päivystys\nVuodeosasto 3", "active": "1"}
    admin.post(f"/admin/users/{pia.id}", data=change)
    assert pia_client.get(f"/cases/{ids['105']}").status_code == 200
    admin.post(f"/admin/users/{pia.id}", data={**change, "active": ""})  # deactivate
    assert pia_client.get("/").status_code == 302  # the open session ends at once
    assert login(pia_client, "pia").status_code == 401
    with session_on(url) as session:
        own = session.scalar(sa.select(User.id).where(User.username == "admin"))
    refused = admin.post(
        f"/admin/users/{own}", data={"csrf_token": token, "role": "admin"}, follow_redirects=True
    )
    assert "Et voi poistaa omaa käyttöoikeuttasi" in refused.get_data(as_text=True)
    audit_page = admin.get("/admin/audit?kayttaja=admin").get_data(as_text=True)
    assert "loi käyttäjän" in audit_page and "muutti käyttäjää" in audit_page
    with session_on(url) as session:
        actions = session.scalars(sa.select(AuditEntry.action).where(AuditEntry.username == "admin")).all()
    assert actions.count("user_update") == 2 and actions.count("user_create") == 1


TYPO_FI = (
    "Yksiköllä ”Vuodeosasto3” (tarkoititko ”Vuodeosasto 3”?) ei ole yhtään tapausta. Tunnetut yksiköt: "
    "”Kotihoito Itä”, ”Päivystys”, ”Vuodeosasto 3”. Jos yksikkö on uusi eikä sen palautteita ole vielä "
    "tuotu, valitse ”Uusi yksikkö”."
)

# the units typed (one a line), the "Uusi yksikkö" box, and the units the user has after
# the form is sent (None: refused with TYPO_FI, the typed units kept in the form).
UNIT_FORMS = [
    ("Vuodeosasto3", "", None),
    ("Päivystys\nVuodeosasto3", "", None),
    ("Vuodeosasto3", "1", ["Vuodeosasto3"]),
    ("Vuodeosasto 3\n Päivystys ", "", ["Päivystys", "Vuodeosasto 3"]),
    ("Sairaala, vuodeosastot", "1", ["Sairaala, vuodeosastot"]),  # a comma is part of the name
]


@pytest.mark.parametrize("page", ["new user", "edit user"])
@pytest.mark.parametrize(("typed", "new_units", "units"), UNIT_FORMS)
def test_admin_forms_check_units_against_the_units_of_cases(sqlite_site, page, typed, new_units, units):
    """A unit no case has (a typo) was accepted, and the reviewer saw an empty queue."""
    url, app, _ = sqlite_site
    admin = app.test_client()
    login(admin, "admin")
    token = csrf_of(admin.get("/admin/users").get_data(as_text=True))
    form = {"csrf_token": token, "role": "reviewer", "units": typed, "new_units": new_units, "active": "1"}
    if page == "new user":
        response = admin.post("/admin/users", data={**form, "username": "pia", "password": PASSWORD})
    else:
        with session_on(url) as session:
            anna = session.scalar(sa.select(User.id).where(User.username == "anna"))
        response = admin.post(f"/admin/users/{anna}", data=form)
    username = "pia" if page == "new user" else "anna"
    with session_on(url) as session:
        user = session.scalar(sa.select(User).where(User.username == username))
        now = user.units if user else None
    if units is None:
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and TYPO_FI in html.replace("\n", " ")
        assert f'name="units" rows="{2 if page == "new user" else 3}">{typed}</textarea>' in html
        assert now == (None if page == "new user" else ["Päivystys"])
    else:
        assert response.status_code == 303
        assert now == units


# a reviewer's units (None: an admin), and the note on their queue page
QUEUE_NOTES = [
    (["Päivystys"], None),
    (None, None),
    (["Neuvola"], "Yksikölläsi ”Neuvola” ei ole yhtään tapausta."),
    (["Päivystys", "Neuvola", "Sairaala, vuodeosasto"],
     "Yksiköilläsi ”Neuvola”, ”Sairaala, vuodeosasto” ei ole yhtään tapausta."),
    ([], "Sinulle ei ole määritetty yksiköitä, joten jonossasi ei ole tapauksia."),
]  # fmt: skip


@pytest.mark.parametrize(("units", "note"), QUEUE_NOTES)
def test_the_queue_says_which_of_a_reviewers_units_have_no_cases(sqlite_site, units, note):
    """A reviewer whose unit no case has saw an empty queue with no hint."""
    url, app, _ = sqlite_site
    add_users(url, {"pia": ("admin", []) if units is None else ("reviewer", units)})
    client = app.test_client()
    login(client, "pia")
    page = " ".join(client.get("/").get_data(as_text=True).split())
    assert ("ei ole yhtään tapausta" in page or "ei ole määritetty yksiköitä" in page) is (note is not None)
    if note:
        assert note in page
