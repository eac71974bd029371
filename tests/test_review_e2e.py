"""End to end: `palauteluokitin review serve` as a real process on a free port, driven
by headless Chromium: log in, open the queue, take a case, note, resolve, log out.
Saves the README's screenshots of the queue and a case page (into docs/screenshots only
with PALAUTELUOKITIN_UPDATE_SCREENSHOTS=1; see conftest.screenshot_dir)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from palauteluokitin.review.db import Case, utcnow
from palauteluokitin.review.importer import import_classified
from test_review_helpers import PASSWORD, add_users, database, served, session_on, write_classified

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
