"""The development actions' web pages and the public page `/vaikutukset` through Flask's
test client: who may read and change actions, CSRF and versions, the evidence and the
effect on an action's page, and a public page with no comment text, case id or user name
and with small cells suppressed."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from palauteluokitin.review import actions as rules
from palauteluokitin.review.app import create_app, dispose
from palauteluokitin.review.db import Action, AuditEntry, Case, User
from palauteluokitin.review.figures import wilson_interval
from palauteluokitin.review.importer import import_classified
from palauteluokitin.review.public import public_view, render_public_page
from test_review_helpers import ROWS, add_users, classified_frame, csrf_of, database, login, session_on

USERS = {
    "paakayttaja": ("admin", []),
    "esihenkilo.paivi": ("manager", ["Päivystys"]),
    "esihenkilo.ville": ("manager", ["Vuodeosasto 3"]),
    "tarkastaja.tuula": ("reviewer", ["Päivystys"]),
}


def row(comment_id, text, unit, categories, sentiment):
    return (comment_id, text, unit, 0, 0.05, "", categories, sentiment, "")


# (row, answer date, 0–10 score): ROWS on 2026-11-20, Kotihoito Itä with 3 answers in all,
# and Päivystys with 6 kohtelu comments in June (4 negative) and 6 in October (1 negative).
EXTRA = (
    [(row(f"20{n}", f"Kotihoidon kesäpalaute {n}: käynnit myöhästelivät.", "Kotihoito Itä",
          ("saumattomuus",), "negatiivinen"), f"2026-07-0{n}", "4") for n in (1, 2)]
    + [(row(f"30{n}", f"Kesäkuun päivystyskokemus {n}: hoitaja oli kärsimätön.", "Päivystys", ("kohtelu",),
            "negatiivinen" if n < 4 else "positiivinen"), f"2026-06-1{n}", str(n + 4)) for n in range(6)]
    + [(row(f"40{n}", f"Lokakuun päivystyskokemus {n}: ystävällinen vastaanotto.", "Päivystys", ("kohtelu",),
            "negatiivinen" if n == 0 else "positiivinen"), f"2026-10-1{n}", "10") for n in range(6)]
)  # fmt: skip
TEXTS = [text for _, text, *_ in ROWS if text] + [answer[1] for answer, _, _ in EXTRA]
COMMENT_IDS = [answer[0] for answer in ROWS] + [answer[0] for answer, _, _ in EXTRA]


def write_export(path):
    """ROWS and EXTRA as a classified CSV with answer dates (pvm) and scores (nps)."""
    frame = classified_frame([*ROWS, *(answer for answer, _, _ in EXTRA)])
    frame["nps"] = ["9", "3", "", "8", "10"] + [score for _, _, score in EXTRA]
    frame.loc[len(ROWS) :, "pvm"] = [when for _, when, _ in EXTRA]
    frame.to_csv(path, index=False, encoding="utf-8")
    return path


def build_site(kind: str, tmp_path, request):
    """A database with users, the imported export and an app on it."""
    context = database(kind, tmp_path, request)
    url = context.__enter__()
    request.addfinalizer(lambda: context.__exit__(None, None, None))
    add_users(url, USERS)
    import_classified(url, write_export(tmp_path / "luokiteltu.csv"))
    app = create_app(url)
    request.addfinalizer(lambda: dispose(app))
    return url, app


def add(url: str, username: str | None = "paakayttaja", **fields) -> int:
    """An action added through the data layer (as `username`; None: the command line)."""
    fields = {"unit": "Päivystys", "title": "Kohtelukoulutus", "categories": ["kohtelu"], **fields}
    with session_on(url) as session:
        user = session.scalar(sa.select(User).where(User.username == username)) if username else None
        return rules.add_action(session, user, **fields).id


def update(url: str, action_id: int, **changes) -> None:
    with session_on(url) as session:
        rules.update_action(session, None, session.get(Action, action_id), **changes)


def action_of(url: str, action_id: int) -> Action:
    with session_on(url) as session:
        return session.get(Action, action_id)


def client_of(app, username: str | None):
    client = app.test_client()
    if username:
        assert login(client, username).status_code == 302
    return client


def token_of(client) -> str:
    return csrf_of(client.get("/toimenpiteet").get_data(as_text=True))


@pytest.fixture(scope="module")
def shared(request, tmp_path_factory):
    """One site for the access table: an action of Päivystys, a client per user."""
    url, app = build_site("sqlite", tmp_path_factory.mktemp("site"), request)
    action_id = add(url, public_summary="Koulutimme henkilökunnan.")
    clients = {who: client_of(app, who if who != "anon" else None) for who in ["anon", *USERS]}
    return url, clients, action_id


@pytest.fixture(params=["sqlite", "postgresql"])
def any_site(request, tmp_path):
    return build_site(request.param, tmp_path, request)


@pytest.fixture
def sqlite_site(request, tmp_path):
    return build_site("sqlite", tmp_path, request)


# who, method, path ({a} = the action of Päivystys), CSRF token sent, status, redirect target
ACCESS = [
    ("anon", "GET", "/toimenpiteet", False, 302, "/login?next=/toimenpiteet"),
    ("anon", "GET", "/toimenpiteet/uusi", False, 302, "/login?next=/toimenpiteet/uusi"),
    ("anon", "GET", "/toimenpiteet/{a}", False, 302, "/login?next=/toimenpiteet/"),
    ("anon", "POST", "/toimenpiteet/uusi", False, 302, "/login"),
    ("anon", "POST", "/toimenpiteet/{a}/tila", False, 302, "/login"),
    ("anon", "POST", "/toimenpiteet/{a}/julkaisu", False, 302, "/login"),
    ("anon", "GET", "/vaikutukset", False, 200, None),
    ("anon", "GET", "/vaikutukset?yksikko=P%C3%A4ivystys&alku=2026-01&loppu=2026-12", False, 200, None),
    ("anon", "GET", "/vaikutukset?yksikko=Ei+ole", False, 404, None),
    ("anon", "GET", "/vaikutukset?alku=kesakuu", False, 404, None),
    # a reviewer reads the actions of their units and changes none
    ("tarkastaja.tuula", "GET", "/toimenpiteet", True, 200, None),
    ("tarkastaja.tuula", "GET", "/toimenpiteet/{a}", True, 200, None),
    ("tarkastaja.tuula", "GET", "/toimenpiteet/uusi", True, 403, None),
    ("tarkastaja.tuula", "POST", "/toimenpiteet/uusi", True, 403, None),
    ("tarkastaja.tuula", "POST", "/toimenpiteet/{a}/tila", True, 403, None),
    ("tarkastaja.tuula", "POST", "/toimenpiteet/{a}/tiivistelma", True, 403, None),
    ("tarkastaja.tuula", "POST", "/toimenpiteet/{a}/julkaisu", True, 403, None),
    # the manager of another unit does not see the action
    ("esihenkilo.ville", "GET", "/toimenpiteet/{a}", True, 404, None),
    ("esihenkilo.ville", "POST", "/toimenpiteet/{a}/tila", True, 404, None),
    ("esihenkilo.ville", "POST", "/toimenpiteet/{a}/julkaisu", True, 404, None),
    ("esihenkilo.ville", "GET", "/toimenpiteet/uusi", True, 200, None),
    ("esihenkilo.paivi", "GET", "/toimenpiteet/uusi", True, 200, None),
    ("esihenkilo.paivi", "GET", "/toimenpiteet/{a}", True, 200, None),
    ("paakayttaja", "GET", "/toimenpiteet/{a}", True, 200, None),
    ("paakayttaja", "GET", "/toimenpiteet/999", True, 404, None),
    ("paakayttaja", "GET", "/toimenpiteet/99999999999999999999", True, 404, None),
    ("paakayttaja", "POST", "/toimenpiteet/999/tila", True, 404, None),
    # every POST needs the session's CSRF token
    ("esihenkilo.paivi", "POST", "/toimenpiteet/uusi", False, 400, None),
    ("esihenkilo.paivi", "POST", "/toimenpiteet/{a}/tila", False, 400, None),
    ("esihenkilo.paivi", "POST", "/toimenpiteet/{a}/tiivistelma", False, 400, None),
    ("paakayttaja", "POST", "/toimenpiteet/{a}/julkaisu", False, 400, None),
]


@pytest.mark.parametrize(("who", "method", "path", "with_csrf", "status", "location"), ACCESS)
def test_access_control(shared, who, method, path, with_csrf, status, location):
    url, clients, action_id = shared
    client = clients[who]
    data = {"status": "käynnissä", "ready": "1", "public_summary": "Muutettu.", "unit": "Päivystys"}
    data |= {"title": "Uusi", "categories": "kohtelu"}
    if with_csrf:
        data["csrf_token"] = token_of(client)
    response = client.open(path.format(a=action_id), method=method, data=data)
    response.close()
    assert response.status_code == status
    if location:
        assert response.headers["Location"].startswith(location)
    action = action_of(url, action_id)
    assert (action.status, action.public_ready, action.version) == ("suunniteltu", False, 1)
    with session_on(url) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Action)) == 1


def test_list_shows_the_units_actions_against_the_target(shared):
    url, clients, action_id = shared
    page = clients["tarkastaja.tuula"].get("/toimenpiteet").get_data(as_text=True)
    assert "Kehittämistoimenpiteet</a>" in page  # the nav link
    assert "tavoite 1–5 vuodessa" in page
    assert re.search(r"<td>Päivystys</td><td>1</td>", page)
    assert f'href="/toimenpiteet/{action_id}"' in page and "Kohtelukoulutus" in page
    assert "Uusi toimenpide" not in page  # a reviewer adds none
    other = clients["esihenkilo.ville"].get("/toimenpiteet").get_data(as_text=True)
    assert "Kohtelukoulutus" not in other
    assert re.search(r"<td>Vuodeosasto 3</td><td>0 <span class=\"target-low\">", other)
    assert "Uusi toimenpide" in other
    admin = clients["paakayttaja"].get("/toimenpiteet").get_data(as_text=True)
    for unit in ("Kotihoito Itä", "Päivystys", "Vuodeosasto 3"):
        assert f"<td>{unit}</td>" in admin


def test_the_form_offers_only_the_managers_units(shared):
    _, clients, _ = shared
    page = clients["esihenkilo.paivi"].get("/toimenpiteet/uusi").get_data(as_text=True)
    assert re.findall(r'<option value="([^"]*)"', page) == ["Päivystys"]
    page = clients["paakayttaja"].get("/toimenpiteet/uusi").get_data(as_text=True)
    assert re.findall(r'<option value="([^"]*)"', page) == ["Kotihoito Itä", "Päivystys", "Vuodeosasto 3"]


def test_reviewer_sees_no_change_forms(shared):
    _, clients, action_id = shared
    page = clients["tarkastaja.tuula"].get(f"/toimenpiteet/{action_id}").get_data(as_text=True)
    assert "Kohtelukoulutus" in page
    assert '<form method="post" action="/toimenpiteet/' not in page


def test_manager_adds_an_action_and_completes_it(any_site):
    url, app = any_site
    client = client_of(app, "esihenkilo.paivi")
    form = {
        "csrf_token": token_of(client),
        "unit": "Päivystys",
        "title": "Vuorovaikutuskoulutus päivystykseen",
        "description": "Koko henkilökunta koulutetaan kevään aikana.",
        "categories": ["kohtelu", "arvokkuus"],
        "planned_on": "2026-08-01",
        "owner": "",
        "public_summary": "Päivystyksen henkilökunta koulutettiin kohtaamaan potilaat kiireettä.",
    }
    response = client.post("/toimenpiteet/uusi", data=form)
    assert response.status_code == 303
    action_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/toimenpiteet/{action_id}").get_data(as_text=True)
    assert "Toimenpide lisätty." in page and "Vuorovaikutuskoulutus päivystykseen" in page
    assert "1.8.2026" in page and "esihenkilo.paivi" in page
    evidence = action_of(url, action_id).evidence  # the last 12 months up to today
    negative, total = evidence["negative_in_categories"]
    start, end = (f"{int(month[5:])}/{month[:4]}" for month in evidence["period"])
    assert f"{start}–{end}" in page and f"<dd>{evidence['comments']}</dd>" in page
    assert f"{negative}/{total} kielteisiä" in page if total >= 5 else "liian vähän vastauksia" in page
    assert "Vaikutus" not in page  # not completed yet
    assert '<option value="käynnissä">' in page and '<option value="suunniteltu">' not in page
    token = csrf_of(page)

    moved = client.post(
        f"/toimenpiteet/{action_id}/tila",
        data={"csrf_token": token, "versio": "1", "status": "toteutettu", "completed_on": "2026-08-15"},
    )
    assert moved.status_code == 303
    page = client.get(f"/toimenpiteet/{action_id}").get_data(as_text=True)
    assert "Tila vaihdettu." in page and "15.8.2026" in page
    # before: February–July (June: 4 of 6 negative); after: September–February (October 1 of 6,
    # November 102 and 103 on kohtelu, 102 negative)
    low, high = wilson_interval(4, 6)
    interval = f"95&nbsp;%:n luottamusväli {round(low * 100)}&nbsp;%–{round(high * 100)}&nbsp;%"
    assert f"4/6 kielteisiä (67&nbsp;%; {interval})" in page
    assert "2/8 kielteisiä" in page
    assert "2/2026–7/2026" in page and "9/2026–2/2027" in page
    assert "Vaihda tila" not in page  # a completed action moves no more

    ready = client.post(
        f"/toimenpiteet/{action_id}/julkaisu", data={"csrf_token": token, "versio": "2", "ready": "1"}
    )
    assert ready.status_code == 303
    assert "Tiivistelmä hyväksytty julkaistavaksi." in client.get(f"/toimenpiteet/{action_id}").get_data(
        as_text=True
    )
    action = action_of(url, action_id)
    assert (action.status, action.completed_on, action.public_ready, action.owner.username) == (
        "toteutettu",
        date(2026, 8, 15),
        True,
        "esihenkilo.paivi",
    )
    assert action.categories == "kohtelu,arvokkuus"
    public = app.test_client().get("/vaikutukset").get_data(as_text=True)
    assert "Päivystyksen henkilökunta koulutettiin kohtaamaan potilaat kiireettä." in public
    with session_on(url) as session:
        entries = session.scalars(sa.select(AuditEntry).where(AuditEntry.action.like("action_%"))).all()
        assert [(entry.action, entry.username) for entry in entries] == [
            ("action_create", "esihenkilo.paivi"),
            ("action_update", "esihenkilo.paivi"),
            ("action_update", "esihenkilo.paivi"),
        ]


# form of the POST (versio 1 unless given), the flash it gives; the action stays as it was
REFUSALS = [
    ("tila", {"status": "suunniteltu"}, "Mitään ei muuttunut."),
    ("tila", {"status": "valmis"}, "Tilaa ei voi vaihtaa näin."),
    ("tila", {"status": "toteutettu", "completed_on": "15.8.2026"}, "Päivämäärä ei kelpaa."),
    ("tila", {"status": "käynnissä", "versio": "0"}, "Joku muu muutti toimenpidettä sillä välin"),
    ("tiivistelma", {"public_summary": "x" * 5001}, "Tiivistelmä on liian pitkä."),
    # the manager of the unit, not the action's owner (the admin who added it)
    ("julkaisu", {"ready": "1"}, "Vain pääkäyttäjä tai toimenpiteen omistaja voi hyväksyä"),
]


@pytest.mark.parametrize(("path", "form", "message"), REFUSALS)
def test_refused_changes_are_flashed_in_finnish(sqlite_site, path, form, message):
    url, app = sqlite_site
    action_id = add(url, public_summary="Koulutimme henkilökunnan.")
    client = client_of(app, "esihenkilo.paivi")
    response = client.post(
        f"/toimenpiteet/{action_id}/{path}", data={"csrf_token": token_of(client), "versio": "1", **form}
    )
    assert response.status_code == 303
    assert message in client.get(f"/toimenpiteet/{action_id}").get_data(as_text=True)
    action = action_of(url, action_id)
    assert (action.status, action.public_ready, action.version) == ("suunniteltu", False, 1)


def test_ready_button_only_for_an_admin_or_the_owner(sqlite_site):
    url, app = sqlite_site
    action_id = add(url, public_summary="Koulutimme henkilökunnan.")
    page = client_of(app, "esihenkilo.paivi").get(f"/toimenpiteet/{action_id}").get_data(as_text=True)
    assert "Tallenna tiivistelmä" in page and "Hyväksy julkaistavaksi" not in page
    page = client_of(app, "paakayttaja").get(f"/toimenpiteet/{action_id}").get_data(as_text=True)
    assert "Hyväksy julkaistavaksi" in page
    owned = add(url, "esihenkilo.paivi", public_summary="Lisäsimme opasteet.")
    page = client_of(app, "esihenkilo.paivi").get(f"/toimenpiteet/{owned}").get_data(as_text=True)
    assert "Hyväksy julkaistavaksi" in page


def test_manager_cannot_add_an_action_for_another_unit(sqlite_site):
    url, app = sqlite_site
    client = client_of(app, "esihenkilo.ville")
    form = {"csrf_token": token_of(client), "unit": "Päivystys", "title": "Oma", "categories": "kohtelu"}
    response = client.post("/toimenpiteet/uusi", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Et hallinnoi tämän yksikön toimia." in page
    assert 'value="Oma"' in page  # the form again with what was typed
    with session_on(url) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Action)) == 0


SUMMARIES = {
    "shown": "Päivystyksen odotustilaan tuli opasteet ja tieto jonotusajasta.",
    "not ready": "Vuodeosaston kotiutusohje uusittiin.",
    "not completed": "Kotihoidon käyntiajat kerrotaan ennalta.",
    "changed after ready": "Tämä teksti on muutettu hyväksynnän jälkeen.",
}


def make_public_actions(url: str) -> None:
    """One action of each kind of SUMMARIES; only the first may be shown."""
    shown = add(url, title="Sisäinen otsikko odotustilasta", public_summary=SUMMARIES["shown"])
    update(url, shown, status="toteutettu", completed_on=date(2026, 9, 1), public_ready=True)
    hidden = add(url, unit="Vuodeosasto 3", title="Kotiutus", public_summary=SUMMARIES["not ready"])
    update(url, hidden, status="toteutettu", completed_on=date(2026, 9, 1))
    ongoing = add(url, unit="Kotihoito Itä", title="Käyntiajat", public_summary=SUMMARIES["not completed"])
    update(url, ongoing, status="käynnissä", public_ready=True)
    changed = add(url, title="Muutettu", public_summary="Alkuperäinen.")
    update(url, changed, status="toteutettu", completed_on=date(2026, 9, 1), public_ready=True)
    update(url, changed, public_summary=SUMMARIES["changed after ready"])


def test_public_page_shows_figures_and_ready_summaries_only(any_site):
    url, app = any_site
    make_public_actions(url)
    response = app.test_client().get("/vaikutukset")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Mitä palautteesi sai aikaan" in page and "Vad din respons ledde till" in page
    assert "Set-Cookie" not in response.headers  # an anonymous reader gets no session
    assert "script-src" not in response.headers["Content-Security-Policy"]
    assert "<script" not in page
    assert SUMMARIES["shown"] in page
    for kind in ("not ready", "not completed", "changed after ready"):
        assert SUMMARIES[kind] not in page, kind
    assert "Sisäinen otsikko" not in page  # titles are internal
    for text in TEXTS:
        assert text not in page
        assert text[:25] not in page
    for comment_id in COMMENT_IDS:
        assert not re.search(rf"\b{comment_id}\b", page), comment_id
    with session_on(url) as session:
        case_ids = session.scalars(sa.select(Case.id)).all()
    assert case_ids and "/cases/" not in page and "Tapaus" not in page
    for username in USERS:
        assert username not in page
    # the last 12 months up to the latest answer (11/2026): 18 answers (104 has a problem);
    # scores 9, 3, 10, 4, 4, 4…9, 10×6: 9 promoters and 6 detractors of 17
    assert "12/2025–11/2026" in page
    assert re.search(r"<dt>Vastauksia .*?</dt><dd>18</dd>", page)
    assert re.search(r"<dt>Kirjallisia palautteita .*?</dt><dd>18</dd>", page)
    assert re.search(r"Suositteluindeksi .*?</dt><dd>\+18</dd>", page)
    # kohtelu: 101, 102, 103 and the 12 of Päivystys of 18 comments
    assert re.search(r"Kohtelu <span[^>]*>Bemötande</span></th><td>83\xa0%</td>", page)
    assert re.search(r"Kielteinen <span[^>]*>Negativ</span></th><td>56\xa0%</td>", page)
    assert 'Päivystys · toteutettu / <span lang="sv">genomförd</span> 9/2026' in page
    assert re.findall(r'<option value="([^"]*)"', page) == ["", "Kotihoito Itä", "Päivystys", "Vuodeosasto 3"]


def test_public_page_of_a_unit_with_three_answers_is_suppressed(any_site):
    url, app = any_site
    page = app.test_client().get("/vaikutukset?yksikko=Kotihoito+It%C3%A4").get_data(as_text=True)
    assert '<option value="Kotihoito Itä" selected>' in page
    assert "%" not in page  # no share, and no count of its 3 answers either
    assert not re.search(r"<dd>\d+</dd>", page)
    figures = 2 + 4 + 4 + 1  # answers, comments, categories, sentiments, NPS
    suppressed = '<span class="suppressed">alle 5 vastausta <span class="sv" lang="sv">färre än 5 svar</span>'
    assert page.count(suppressed) == figures


def test_public_page_period_and_unit(sqlite_site):
    url, app = sqlite_site
    make_public_actions(url)
    client = app.test_client()
    june = client.get("/vaikutukset?yksikko=P%C3%A4ivystys&alku=2026-06&loppu=2026-06").get_data(as_text=True)
    assert "6/2026–6/2026" in june and re.search(r"<dt>Vastauksia .*?</dt><dd>6</dd>", june)
    assert re.search(r"Kielteinen <span[^>]*>Negativ</span></th><td>67\xa0%</td>", june)
    assert SUMMARIES["shown"] in june  # completed after the period began
    later = client.get("/vaikutukset?alku=2026-10&loppu=2026-11").get_data(as_text=True)
    assert SUMMARIES["shown"] not in later and "ei ole vielä julkaistuja toimenpiteitä" in later
    other = client.get("/vaikutukset?yksikko=Vuodeosasto+3").get_data(as_text=True)
    assert SUMMARIES["shown"] not in other


def test_public_page_renders_standalone(sqlite_site):
    url, _ = sqlite_site
    make_public_actions(url)
    with session_on(url) as session:
        view = public_view(session, unit="Päivystys")
    html = render_public_page(view)
    assert html.startswith("<!doctype html>") and "<style>" in html and ".public-grid" in html
    assert "<link" not in html and "<form" not in html and "<script" not in html
    assert SUMMARIES["shown"] in html and "Päivystys" in html
    assert not any(text in html for text in TEXTS)


def test_public_page_of_an_empty_database(request, tmp_path):
    with database("sqlite", tmp_path, request) as url:
        app = create_app(url)
        try:
            page = app.test_client().get("/vaikutukset").get_data(as_text=True)
        finally:
            dispose(app)
    assert "Koko aineisto" in page and '<dd><span class="suppressed">alle 5 vastausta' in page
    assert "ei ole vielä julkaistuja toimenpiteitä" in page and "NPS" not in page
