"""End to end: `palauteluokitin review serve` as a real process on a free port, driven
by headless Chromium: log in, open the queue, take a case, note, resolve, log out; a
manager adds a development action, completes it and approves its public summary, which an
anonymous reader then finds on the public page. Saves the README's screenshots of the
queue, a case page, an action and the public page (into docs/screenshots only with
PALAUTELUOKITIN_UPDATE_SCREENSHOTS=1; see conftest.screenshot_dir)."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from palauteluokitin.labels import RIGHTS_CATEGORIES
from palauteluokitin.review.db import Action, Case, utcnow
from palauteluokitin.review.figures import shift_month
from palauteluokitin.review.importer import import_classified
from test_review_helpers import (
    PASSWORD,
    add_users,
    classified_frame,
    database,
    served,
    session_on,
    write_classified,
)

VIEWPORT = {"width": 1280, "height": 800}
REVIEWER_UNITS = ["Kotihoito Itä", "Kotihoito Länsi", "Päivystys", "Vuodeosasto 3"]

# (days since import, row) — synthetic comments, several units, some overdue.
BATCHES = [
    (12, [("3001", "Vastaanottovirkailija oli ylimielinen ja sanoi, että turha tulla valittamaan.",
           "Terveysasema Keskusta", 1, 0.86, "ylimielinen", ("kohtelu",), "negatiivinen", "")]),
    (10, [("3002", "Hoitaja oli todella tyly äidilleni ja tiuskaisi, ettei hänellä ole aikaa kuunnella "
           "vanhuksen valituksia. Äiti itki puhelimessa koko illan.", "Kotihoito Itä", 1, 0.94,
           "tyly; tiuskaisi", ("kohtelu", "arvokkuus"), "negatiivinen", "")]),
    (9, [("3003", "Lääkäri naureskeli oireilleni ja sanoi hoitajalle kuuluvalla äänellä, että taas yksi "
          "luulotautinen. Nöyryyttävää.", "Päivystys", 1, 0.91, "naureskeli; luulotautinen; nöyryyttävää",
          ("kohtelu", "arvokkuus"), "negatiivinen", "")]),
    (8, [("3004", "Isä jätettiin koko aamuksi märkään vaippaan, vaikka hän soitti kelloa monta kertaa.",
          "Vuodeosasto 3", 1, 0.83, "märkään vaippaan", ("arvokkuus", "saumattomuus"), "negatiivinen", "")]),
    (3, [("3005", "Minua ei kuunneltu ollenkaan ja hoitaja huusi, kun en heti ymmärtänyt lääkeohjetta. "
          "Soittakaa minulle 040 765 4321.", "Kotihoito Länsi", 1, 0.88, "huusi; ei kuunneltu",
          ("kohtelu", "tiedonsaanti"), "negatiivinen", ""),
         ("3006", "Kiitos nopeasta avusta, kaikki sujui hyvin.", "Päivystys", 0, 0.03, "", ("kohtelu",),
          "positiivinen", "")]),
    (1, [("3007", "Vastaanotolla puhuttiin ohitseni omaiselleni kuin en olisi ollut paikalla. Tuntui "
          "alentavalta.", "Päivystys", 1, 0.71, "puhuttiin ohitseni; alentavalta", ("kohtelu", "arvokkuus"),
          "negatiivinen", "")]),
    (0, [("3008", "Käynti kesti viisi minuuttia eikä kukaan kysynyt, onko isä syönyt.", "Kotihoito Itä", 1,
          0.58, "kukaan kysynyt", ("arvokkuus", "saumattomuus"), "negatiivinen", ""),
         ("3009", "Hoitajat olivat ystävällisiä, mutta yöllä yksi heistä tiuskaisi äidilleni ja "
          "sammutti valot kesken kaiken.", "Vuodeosasto 3", 1, 0.64, "tiuskaisi", ("kohtelu",),
          "ristiriitainen", "")]),
]  # fmt: skip


@pytest.fixture
def server(request, tmp_path):
    """A database with realistic cases, served by `palauteluokitin review serve`."""
    with database("sqlite", tmp_path, request) as url:
        add_users(url, {"liisa.asiavastaava": ("reviewer", REVIEWER_UNITS)})
        now = utcnow()
        for number, (days, rows) in enumerate(BATCHES):
            path = write_classified(tmp_path / f"erä{number}.csv", rows)
            import_classified(url, path, now=now - timedelta(days=days, hours=2))
        with served(url, tmp_path / "serve.log") as base:
            yield url, base


def test_reviewer_flow_in_a_real_browser(server, browser, screenshot_dir):
    url, base = server
    context = browser.new_context(viewport=VIEWPORT, locale="fi-FI", base_url=base)
    page = context.new_page()
    try:
        page.goto("/")
        assert page.url == f"{base}/login?next=/"
        assert page.locator("h1").inner_text() == "Kirjaudu sisään"
        assert "tyly" not in page.content()
        page.fill("input[name=username]", "liisa.asiavastaava")
        page.fill("input[name=password]", PASSWORD)
        page.click("button:has-text('Kirjaudu')")
        page.wait_for_selector("h1:has-text('Käsittelyjono')")
        rows = page.locator("table.queue tbody tr")
        assert rows.count() == 7  # Terveysasema Keskusta is not one of her units
        assert page.locator("tr.overdue").count() == 3
        assert "ylimielinen" not in page.content()
        page.screenshot(path=str(screenshot_dir / "review-queue.png"))

        first = rows.first.locator("td.snippet a")
        assert first.inner_text().startswith("Lääkäri naureskeli")  # three reasons: the highest priority
        first.click()
        page.wait_for_selector("blockquote.comment-text")
        assert page.locator("blockquote mark").all_inner_texts() == [
            "naureskeli",
            "luulotautinen",
            "Nöyryyttävää",
        ]
        page.click("button:has-text('Ota käsittelyyn')")
        page.wait_for_selector("text=Otit tapauksen käsittelyyn.")
        page.fill(
            "textarea[name=text]", "Soitettu päivystyksen osastonhoitajalle, asia käsitellään tiimissä."
        )
        page.click("button:has-text('Tallenna muistiinpano')")
        page.wait_for_selector("text=Muistiinpano tallennettu.")
        page.select_option("select[name=outcome]", "aiheellinen")
        page.screenshot(path=str(screenshot_dir / "review-case.png"))
        page.click("button:has-text('Ratkaise')")
        page.wait_for_selector("text=Tapaus ratkaistu.")
        assert "aiheellinen — toimenpiteet" in page.locator("dl").inner_text()

        page.click("a:has-text('Jono')")
        assert page.locator("table.queue tbody tr").count() == 6
        page.click("button:has-text('Kirjaudu ulos')")
        page.wait_for_selector("text=Olet kirjautunut ulos.")
        page.goto("/")
        assert page.url.startswith(f"{base}/login")
    finally:
        context.close()
    with session_on(url) as session:
        case = session.scalar(sa.select(Case).where(Case.comment_id == "3003"))
        assert (case.state, case.outcome, case.assignee.username) == (
            "ratkaistu",
            "aiheellinen",
            "liisa.asiavastaava",
        )
        assert [note.text for note in case.notes] == [
            "Soitettu päivystyksen osastonhoitajalle, asia käsitellään tiimissä."
        ]
    for name in ("review-queue.png", "review-case.png"):
        assert (screenshot_dir / name).stat().st_size > 10_000


ANSWER_UNITS = ["Kotihoito Itä", "Kotihoito Länsi", "Päivystys", "Terveysasema Keskusta", "Vuodeosasto 3"]
SUMMARY = (
    "Päivystyksen hoitajat ja lääkärit kävivät vuorovaikutuskoulutuksen, ja odotustilaan tuli "
    "näyttö, joka kertoo arvioidun odotusajan. Kerromme nyt jokaiselle potilaalle, mitä seuraavaksi tapahtuu."
)


def answer_export(path, seed: int = 19):
    """A year of answers (12/2025–11/2026) of five units with dates and 0–10 scores, none
    flagged; in Päivystys the negative comments on treatment halve from June on."""
    rng = random.Random(seed)
    rows, dates, scores = [], [], []
    for month in (shift_month("2025-12", n) for n in range(12)):
        for unit in ANSWER_UNITS:
            for n in range(3 if unit == "Kotihoito Länsi" and month < "2026-11" else 0, 6):
                negative = rng.random() < (0.55 if unit == "Päivystys" and month < "2026-06" else 0.2)
                categories = tuple(label for label in RIGHTS_CATEGORIES if rng.random() < 0.35) or (
                    "kohtelu",
                )
                sentiment = (
                    "negatiivinen" if negative else rng.choice(["positiivinen", "positiivinen", "neutraali"])
                )
                comment_id = f"{month}-{ANSWER_UNITS.index(unit)}-{n}"
                rows.append(
                    (comment_id, f"Palaute {comment_id}", unit, 0, 0.05, "", categories, sentiment, "")
                )
                dates.append(f"{month}-{n + 10}")
                scores.append(str(rng.randint(0, 6) if negative else rng.randint(7, 10)))
    frame = classified_frame(rows)
    frame["pvm"], frame["nps"] = dates, scores
    frame.to_csv(path, index=False, encoding="utf-8")
    return path


@pytest.fixture
def actions_server(request, tmp_path):
    """A database with a year of answers and a manager of Päivystys, served."""
    with database("sqlite", tmp_path, request) as url:
        add_users(url, {"maija.esihenkilo": ("manager", ["Päivystys", "Kotihoito Itä"])})
        import_classified(url, answer_export(tmp_path / "vastaukset.csv"))
        with served(url, tmp_path / "serve.log") as base:
            yield url, base


def test_action_to_public_page_in_a_real_browser(actions_server, browser, screenshot_dir):
    url, base = actions_server
    context = browser.new_context(viewport=VIEWPORT, locale="fi-FI", base_url=base)
    page = context.new_page()
    try:
        page.goto("/login")
        page.fill("input[name=username]", "maija.esihenkilo")
        page.fill("input[name=password]", PASSWORD)
        page.click("button:has-text('Kirjaudu')")
        page.click("a:has-text('Kehittämistoimenpiteet')")
        page.wait_for_selector("h1:has-text('Kehittämistoimenpiteet')")
        assert "tavoite ei vielä täyty" in page.content()
        page.click("a:has-text('Uusi toimenpide')")
        assert page.locator("select[name=unit] option").all_inner_texts() == ["Kotihoito Itä", "Päivystys"]
        page.select_option("select[name=unit]", "Päivystys")
        page.fill("input[name=title]", "Vuorovaikutuskoulutus ja odotusajan näyttö")
        page.fill("textarea[name=description]", "Koulutus koko henkilökunnalle, näyttö odotustilaan.")
        page.check("input[name=categories][value=kohtelu]")
        page.check("input[name=categories][value=tiedonsaanti]")
        page.fill("input[name=planned_on]", "2026-05-31")
        page.fill("textarea[name=public_summary]", SUMMARY)
        page.click("button:has-text('Lisää toimenpide')")
        page.wait_for_selector("text=Toimenpide lisätty.")

        page.select_option("select[name=status]", "toteutettu")
        page.fill("input[name=completed_on]", "2026-05-29")
        page.click("button:has-text('Vaihda tila')")
        page.wait_for_selector("text=Tila vaihdettu.")
        page.click("button:has-text('Hyväksy julkaistavaksi')")
        page.wait_for_selector("text=Tiivistelmä hyväksytty julkaistavaksi.")
        effect = page.locator("table.effect").inner_text()
        assert "11/2025–4/2026" in effect and "6/2026–11/2026" in effect
        assert "kielteisiä" in effect and "luottamusväli" in effect
        page.screenshot(path=str(screenshot_dir / "actions.png"), full_page=True)
    finally:
        context.close()

    anonymous = browser.new_context(viewport=VIEWPORT, locale="fi-FI", base_url=base)
    page = anonymous.new_page()
    try:
        page.goto("/vaikutukset")
        assert page.url == f"{base}/vaikutukset"  # no login
        page.wait_for_selector("h1:has-text('Mitä palautteesi sai aikaan')")
        assert page.locator("p.summary").all_inner_texts() == [SUMMARY]
        assert "12/2025–11/2026" in page.content()
        assert "Vuorovaikutuskoulutus" not in page.content() and "maija" not in page.content()
        page.screenshot(path=str(screenshot_dir / "public.png"), full_page=True)
        page.select_option("select[name=yksikko]", "Kotihoito Itä")
        page.click("button:has-text('Näytä')")
        page.wait_for_selector("h2:has-text('Kotihoito Itä')")
        assert page.locator("p.summary").count() == 0
        assert page.locator("span.suppressed").count() == 0  # 72 answers: nothing to hide
    finally:
        anonymous.close()
    with session_on(url) as session:
        action = session.scalar(sa.select(Action))
        assert (action.status, action.completed_on, action.public_ready, action.owner.username) == (
            "toteutettu",
            date(2026, 5, 29),
            True,
            "maija.esihenkilo",
        )
    for name in ("actions.png", "public.png"):
        assert (screenshot_dir / name).stat().st_size > 10_000
