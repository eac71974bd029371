"""The public page "Mitä palautteesi sai aikaan" (Vad din respons ledde till): the figures of
every imported answer of the organisation or a unit over a period, and the completed
development actions whose public summary is marked ready.

`public_view` turns the database into plain, already formatted values (no Flask), which
the template `public.html` shows; the web app serves it at `/vaikutukset`, and
`render_public_page` makes a self-contained HTML file of it (the stylesheet inline, no
form). Nothing on the page is comment text, a case id or a user name, and every figure
based on fewer than `figures.MIN_CELL` answers is None, which the page shows as
"alle 5 vastausta / färre än 5 svar".
"""

from __future__ import annotations

import re
from datetime import date
from importlib import resources

import sqlalchemy as sa
from sqlalchemy.orm import Session

from palauteluokitin.exports.values import month_text, percent_text, signed_text
from palauteluokitin.labels import RIGHTS_CATEGORIES, SENTIMENTS
from palauteluokitin.review.actions import public_actions
from palauteluokitin.review.db import Answer
from palauteluokitin.review.figures import MIN_CELL, answer_units, figures, shift_month

PERIOD_MONTHS = 12
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
# Finnish and Swedish names of the rights categories and sentiments, for clients.
CATEGORY_NAMES = {
    "kohtelu": ("Kohtelu", "Bemötande"),
    "arvokkuus": ("Arvokkuus", "Värdighet"),
    "tiedonsaanti": ("Tiedonsaanti", "Tillgång till information"),
    "saumattomuus": ("Saumattomuus", "Sömlös vård"),
}
SENTIMENT_NAMES = {
    "positiivinen": ("Myönteinen", "Positiv"),
    "negatiivinen": ("Kielteinen", "Negativ"),
    "ristiriitainen": ("Ristiriitainen", "Blandad"),
    "neutraali": ("Neutraali", "Neutral"),
}


def count(value: int) -> str | None:
    return str(value) if value >= MIN_CELL else None


def default_period(session: Session) -> tuple[str | None, str | None]:
    """The last PERIOD_MONTHS months up to the latest month with answers; (None, None) when
    no answer has a date."""
    latest = session.scalar(sa.select(sa.func.max(Answer.month)).where(Answer.month != ""))
    if not latest:
        return None, None
    return shift_month(latest, -(PERIOD_MONTHS - 1)), latest


def public_view(
    session: Session, unit: str | None = None, start: str | None = None, end: str | None = None
) -> dict:
    """The public page's values for `unit` (None: the whole organisation) over the months
    start..end (YYYY-MM; a missing one from `default_period`). Figures are text, None where
    suppressed; `nps` is None where no answer has a score and {"value": None} where too few.
    ValueError for a unit without answers or a month not YYYY-MM."""
    unit = unit or None
    units = answer_units(session)
    if unit is not None and unit not in units:
        raise ValueError(f"no answers of the unit {unit!r}")
    for month in (start, end):
        if month and not _MONTH.fullmatch(month):
            raise ValueError(f"month {month!r}: expected YYYY-MM")
    default_start, default_end = default_period(session)
    start, end = start or default_start, end or default_end
    if start and end and start > end:
        start, end = end, start
    shown = figures(session, unit=unit, start=start, end=end)

    def share(label: str, counts: dict[str, int]) -> str | None:
        return percent_text(shown.share(counts.get(label, 0)))

    since = date(int(start[:4]), int(start[5:7]), 1) if start else None
    return {
        "unit": unit,
        "units": units,
        "start": start or "",
        "end": end or "",
        "period": f"{month_text(start) if start else '…'}–{month_text(end) if end else '…'}"
        if start or end
        else None,
        "min_cell": MIN_CELL,
        "answers": count(shown.answers),
        "comments": count(shown.comments),
        "categories": [
            {
                "fi": CATEGORY_NAMES[label][0],
                "sv": CATEGORY_NAMES[label][1],
                "share": share(label, shown.categories),
            }
            for label in RIGHTS_CATEGORIES
        ],
        "sentiments": [
            {
                "fi": SENTIMENT_NAMES[label][0],
                "sv": SENTIMENT_NAMES[label][1],
                "share": share(label, shown.sentiments),
            }
            for label in SENTIMENTS
        ],
        "nps": {"value": signed_text(shown.nps)} if shown.scores else None,
        "actions": [
            {
                "unit": action.unit,
                "month": f"{action.completed_on.month}/{action.completed_on.year}",
                "summary": action.public_summary,
                "categories": [
                    {"fi": CATEGORY_NAMES[label][0], "sv": CATEGORY_NAMES[label][1]}
                    for label in action.categories.split(",")
                    if label in CATEGORY_NAMES
                ],
            }
            for action in public_actions(session, unit=unit, start=since)
        ],
    }


def render_public_page(
    view: dict, *, stylesheet_href: str | None = None, form_action: str | None = None
) -> str:
    """The page of `view` as a complete HTML document: with `stylesheet_href` it links the
    stylesheet, else the stylesheet is inline (a self-contained file); the unit and period
    selector only with `form_action` (a static file cannot answer it)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    environment = Environment(
        loader=PackageLoader("palauteluokitin.review", "templates"),
        autoescape=select_autoescape(default=True),
    )
    css = None
    if stylesheet_href is None:
        css = (resources.files("palauteluokitin.review") / "static" / "review.css").read_text(
            encoding="utf-8"
        )
    return environment.get_template("public.html").render(
        view=view, stylesheet_href=stylesheet_href, inline_css=css, form_action=form_action
    )
