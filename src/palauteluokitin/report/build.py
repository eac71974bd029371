"""Analyst report: a classified export summarised as one self-contained, printable HTML page.

`build_report(frame)` returns the page as a string; `write_report(path_in, path_out)` reads a
classified export (see `palauteluokitin.exports.read`) and writes the page. The page is in Finnish,
has its charts inline as SVG and references no URL. Comment text is never logged; the few
comments shown are redacted and shortened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from palauteluokitin.exports.columns import Columns, choose_columns
from palauteluokitin.exports.read import read_table
from palauteluokitin.exports.values import date_text, net_promoter_score
from palauteluokitin.labels import FLAG, RIGHTS_CATEGORIES, SENTIMENTS
from palauteluokitin.output_paths import check_output
from palauteluokitin.report import charts
from palauteluokitin.report.classified import (
    classified_rows,
    is_blank,
    parse_date,
    parse_nps,
)
from palauteluokitin.report.formats import CATEGORY_NAMES, fi_percent, fi_signed, html_file
from palauteluokitin.report.terms import comment_terms, typical_terms

RIGHTS = {
    "kohtelu": "oikeus hyvään kohteluun",
    "arvokkuus": "oikeus arvokkuuden tunteeseen",
    "tiedonsaanti": "itsemääräämis- ja tiedonsaantioikeus",
    "saumattomuus": "oikeus tarpeita vastaaviin palveluihin saumattomasti",
}
SENTIMENT_NAMES = {s: s.capitalize() for s in SENTIMENTS}
NO_UNIT = "(ei yksikköä)"
MAX_FLAGGED_ROWS = 100
EXAMPLES_PER_CATEGORY = 3
EXCERPT_CHARS = 300
MAX_MONTHS = 60


def shorten(text: str, limit: int = EXCERPT_CHARS) -> str:
    """Text cut at a word boundary to about `limit` characters, with an ellipsis when cut."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + " …"


def _month_label(period: pd.Period) -> str:
    return f"{period.month}/{period.year}"


def summary_section(rows: pd.DataFrame) -> dict:
    n = len(rows)
    categories = [(CATEGORY_NAMES[c], int(rows[c].sum()), rows[c].mean()) for c in RIGHTS_CATEGORIES]
    uncategorised = int((rows[list(RIGHTS_CATEGORIES)].sum(axis=1) == 0).sum())
    counts = rows["sentiment"].value_counts()
    sentiments = [(SENTIMENT_NAMES[s], int(counts.get(s, 0)), counts.get(s, 0) / n) for s in SENTIMENTS]
    langs = rows["lang"].astype(str).value_counts() if "lang" in rows else pd.Series(dtype=int)
    chart = charts.share_bar_chart(
        {name: share for name, _, share in categories},
        "Oikeusluokkien osuudet kaikista luokitelluista kommenteista",
        charts.CATEGORY_COLOURS,
    )
    return {
        "categories": categories,
        "uncategorised": (uncategorised, uncategorised / n),
        "sentiments": sentiments,
        "languages": [(lang, int(count), count / n) for lang, count in langs.items()],
        "chart": chart,
    }


def sentiment_by_category_section(rows: pd.DataFrame) -> dict:
    table = {"Kaikki palaute": rows["sentiment"].value_counts().to_dict()}
    for category in RIGHTS_CATEGORIES:
        table[CATEGORY_NAMES[category]] = rows.loc[rows[category] == 1, "sentiment"].value_counts().to_dict()
    lines = []
    for name, counts in table.items():
        total = sum(counts.values())
        cells = [(counts.get(s, 0), counts.get(s, 0) / total if total else None) for s in SENTIMENTS]
        lines.append((name, total, cells))
    chart = charts.sentiment_by_category_chart(table, "Tunnejakauma oikeusluokittain")
    return {"rows": lines, "chart": chart}


def monthly_section(rows: pd.DataFrame, date_column: str, nps: pd.Series | None) -> dict | None:
    dates = rows[date_column].map({value: parse_date(value) for value in rows[date_column].unique()})
    unparsed = int(dates.isna().sum())
    dated = rows.loc[dates.notna()].assign(_month=pd.to_datetime(dates[dates.notna()]).dt.to_period("M"))
    if dated.empty:
        return {"unparsed": unparsed, "rows": [], "charts": []}
    months = pd.period_range(dated["_month"].min(), dated["_month"].max(), freq="M")
    if len(months) > MAX_MONTHS:  # a few stray dates far away: show only the months with data
        months = pd.PeriodIndex(sorted(dated["_month"].unique()), freq="M")[-MAX_MONTHS:]
    labels = [_month_label(m) for m in months]
    groups = {month: group for month, group in dated.groupby("_month")}
    empty = dated.iloc[0:0]
    table, by_sentiment, by_category, nps_line = [], {s: [] for s in SENTIMENTS}, {}, []
    for month, label in zip(months, labels, strict=True):
        group = groups.get(month, empty)
        counts = group["sentiment"].value_counts()
        for s in SENTIMENTS:
            by_sentiment[s].append(int(counts.get(s, 0)))
        cat_counts = [int(group[c].sum()) for c in RIGHTS_CATEGORIES]
        for category, count in zip(RIGHTS_CATEGORIES, cat_counts, strict=True):
            by_category.setdefault(CATEGORY_NAMES[category], []).append(count)
        month_nps = net_promoter_score(nps.loc[group.index]) if nps is not None else None
        nps_line.append(month_nps)
        negative = counts.get("negatiivinen", 0) / len(group) if len(group) else None
        table.append((label, len(group), fi_percent(negative), cat_counts, fi_signed(month_nps)))
    chart_list = [
        charts.monthly_sentiment_chart(labels, by_sentiment, "Kommentit kuukausittain tunteen mukaan"),
        charts.monthly_lines_chart(labels, by_category, "Oikeusluokat kuukausittain", "kommentteja"),
    ]
    nps_chart = None
    if nps is not None and any(v is not None for v in nps_line):
        nps_chart = charts.monthly_lines_chart(
            labels, {"NPS": nps_line}, "Suositteluindeksi (NPS) kuukausittain", "NPS"
        )
    return {"unparsed": unparsed, "rows": table, "charts": chart_list, "nps_chart": nps_chart}


def unit_section(rows: pd.DataFrame, unit_column: str, nps: pd.Series | None) -> dict:
    units = rows[unit_column].where(~is_blank(rows[unit_column]), NO_UNIT).astype(str).str.strip()
    table, development = [], []
    for unit in units.value_counts().index:
        group = rows.loc[units == unit]
        negative = group["sentiment"] == "negatiivinen"
        cells, negatives = [], []
        for category in RIGHTS_CATEGORIES:
            in_category = group[category] == 1
            count, neg = int(in_category.sum()), int((in_category & negative).sum())
            cells.append((fi_percent(neg / count if count else None), count, neg / count if count else 0))
            negatives.append((neg, CATEGORY_NAMES[category], fi_percent(neg / count if count else None)))
        unit_nps = net_promoter_score(nps.loc[group.index]) if nps is not None else None
        table.append((unit, len(group), cells, int(group[FLAG].sum()), fi_signed(unit_nps)))
        top = [item for item in sorted(negatives, key=lambda item: -item[0]) if item[0] > 0][:2]
        development.append((unit, len(group), top))
    return {"rows": table, "development": development}


def nps_section(nps: pd.Series) -> dict:
    valid = nps.dropna()
    return {
        "value": fi_signed(net_promoter_score(nps)),
        "n": len(valid),
        "missing": int(nps.isna().sum()),
        "promoters": (int((valid >= 9).sum()), (valid >= 9).mean()),
        "passives": (int(valid.between(7, 8).sum()), valid.between(7, 8).mean()),
        "detractors": (int((valid <= 6).sum()), (valid <= 6).mean()),
    }


def terms_section(rows: pd.DataFrame, text_column: str) -> dict:
    """Typical terms of each category and sentiment, from the Finnish comments only."""
    if "lang" in rows:
        rows = rows.loc[rows["lang"].astype(str).str.strip().isin(["fi", ""])]
    term_sets = comment_terms(rows[text_column].fillna(""))
    return {
        "comments": len(rows),
        "categories": [
            (CATEGORY_NAMES[c], typical_terms(term_sets, rows[c] == 1)) for c in RIGHTS_CATEGORIES
        ],
        "sentiments": [
            (SENTIMENT_NAMES[s], typical_terms(term_sets, rows["sentiment"] == s)) for s in SENTIMENTS
        ],
    }


def examples_section(rows: pd.DataFrame, columns: Columns) -> list:
    from palauteluokitin.privacy.redact import redact

    sections = []
    for category in RIGHTS_CATEGORIES:
        best = rows.loc[rows[category] == 1].sort_values(f"{category}_score", ascending=False, kind="stable")
        best = best.loc[~best[columns.text].astype(str).duplicated()].head(EXAMPLES_PER_CATEGORY)
        items = [
            {
                "text": shorten(redact(str(row[columns.text]))),
                "score": f"{row[f'{category}_score']:.2f}".replace(".", ","),
                "sentiment": row["sentiment"],
                "unit": str(row[columns.unit]) if columns.unit else None,
            }
            for _, row in best.iterrows()
        ]
        sections.append((CATEGORY_NAMES[category], items))
    return sections


def _cell(value) -> str:
    """A review-database value as text: dates as 1.3.2026, missing as empty."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return date_text(value) if isinstance(value, date | datetime) else str(value)


def flagged_section(rows: pd.DataFrame, columns: Columns, statuses: pd.DataFrame | None) -> dict:
    from palauteluokitin.privacy.redact import redact

    flagged = rows.loc[rows[FLAG] == 1].sort_values(f"{FLAG}_score", ascending=False, kind="stable")
    review = statuses is not None and columns.id is not None
    if review:
        cases = statuses.assign(comment_id=statuses["comment_id"].astype(str)).drop_duplicates("comment_id")
        cases = cases.set_index("comment_id").reindex(flagged[columns.id].astype(str))
        cases["state"] = cases["state"].map(_cell).replace("", "ei tarkistusjonossa")
        cases["overdue"] = cases["overdue"].eq(True)
    items = []
    for position, (_, row) in enumerate(flagged.head(MAX_FLAGGED_ROWS).iterrows()):
        item = {
            "id": str(row[columns.id]) if columns.id else "",
            "unit": str(row[columns.unit]) if columns.unit else "",
            "date": _cell(parse_date(row[columns.date]) or row[columns.date]) if columns.date else "",
            "score": f"{row[f'{FLAG}_score']:.2f}".replace(".", ","),
            "reasons": redact(row["flag_reasons"]),
        }
        if review:
            case = cases.iloc[position]
            item.update(
                state=case["state"],
                outcome=_cell(case["outcome"]),
                due=_cell(case["due"]),
            )
            item["overdue"] = bool(case["overdue"])
        items.append(item)
    states = list(cases["state"].value_counts().items()) if review else []
    overdue = int(cases["overdue"].sum()) if review else 0
    return {"count": len(flagged), "rows": items, "review": review, "states": states, "overdue": overdue}


def build_report(
    frame: pd.DataFrame,
    *,
    unit_column: str | None = None,
    date_column: str | None = None,
    nps_column: str | None = None,
    text_column: str | None = None,
    review_statuses: pd.DataFrame | None = None,
    actions: dict | None = None,
    source_name: str = "",
    generated: date | None = None,
) -> str:
    """The report of a classified frame as one HTML page (Finnish, charts inline, no URLs);
    `actions`: the section of development actions (`report.actions.actions_section`)."""
    rows, without_comment, problems = classified_rows(frame)
    columns = choose_columns(frame, text=text_column, unit=unit_column, date=date_column, nps=nps_column)
    notes = []
    nps = None
    if columns.nps:
        nps = rows[columns.nps].map(parse_nps).astype("Float64")
        if nps.notna().sum() == 0:
            notes.append(f"Sarakkeessa {columns.nps} ei ole 0–10-arvoja, joten NPS-osio jätettiin pois.")
            columns.nps, nps = None, None
    monthly = monthly_section(rows, columns.date, nps) if columns.date else None
    if monthly is not None and not monthly["rows"]:
        notes.append(f"Sarakkeen {columns.date} päivämääriä ei voitu tulkita, joten kuukausikehitys puuttuu.")
    units = unit_section(rows, columns.unit, nps) if columns.unit else None
    if review_statuses is not None and columns.id is None:
        notes.append("Tunnistesaraketta ei löytynyt, joten tarkistustiloja ei voitu yhdistää kommentteihin.")
    from jinja2 import Environment, PackageLoader, select_autoescape

    environment = Environment(
        loader=PackageLoader("palauteluokitin.report", "templates"),
        autoescape=select_autoescape(default=True),
    )
    model_versions = sorted(set(rows["model_version"].astype(str))) if "model_version" in rows else []
    return environment.get_template("report.html").render(
        source_name=source_name,
        generated=date_text(generated or date.today()),
        total=len(frame),
        classified=len(rows),
        without_comment=without_comment,
        problems=problems,
        model_versions=model_versions,
        columns=columns,
        notes=notes,
        summary=summary_section(rows),
        by_category=sentiment_by_category_section(rows),
        sentiments=[SENTIMENT_NAMES[s] for s in SENTIMENTS],
        category_names=[CATEGORY_NAMES[c] for c in RIGHTS_CATEGORIES],
        rights=[(CATEGORY_NAMES[c], RIGHTS[c]) for c in RIGHTS_CATEGORIES],
        monthly=monthly,
        units=units,
        nps=nps_section(nps) if nps is not None else None,
        terms=terms_section(rows, columns.text),
        examples=examples_section(rows, columns),
        flagged=flagged_section(rows, columns, review_statuses),
        review_given=review_statuses is not None,
        actions=actions,
        fi_percent=fi_percent,
    )


@dataclass
class WrittenReport:
    """Where a report was written and how many rows it covers."""

    path: Path
    comments: int
    without_comment: int
    problems: int


def write_report(
    path_in: Path,
    path_out: Path,
    *,
    overwrite: bool = False,
    unit_column: str | None = None,
    date_column: str | None = None,
    nps_column: str | None = None,
    text_column: str | None = None,
    review_db: str | None = None,
) -> WrittenReport:
    """Read a classified export (any format `exports.read.read_table` reads) and write its report.

    `path_out` follows the rule of every command that writes (`output_paths.check_output`),
    checked before anything is read: never the input or the review database's file, an
    existing file only with `overwrite`. The page goes to a hidden temporary file beside it,
    made first (an unwritable folder is refused at once) and renamed into place at the end,
    so an error, Ctrl-C or a stop signal leaves no file."""
    path_in, path_out = Path(path_in), Path(path_out)
    inputs = [path_in]
    if review_db:
        from palauteluokitin.review.db import database_files

        inputs += database_files(review_db)
    check_output(path_out, overwrite=overwrite, inputs=inputs)
    with html_file(path_out) as target:
        statuses = actions = None
        today = date.today()
        if review_db:  # before the export is read: a database not ready is refused at once
            from palauteluokitin.report.actions import read_actions_section
            from palauteluokitin.review.store import case_statuses

            statuses = case_statuses(review_db)
            actions = read_actions_section(review_db, today)
        frame = read_table(path_in)
        rows, without_comment, problems = classified_rows(frame)
        html = build_report(
            frame,
            unit_column=unit_column,
            date_column=date_column,
            nps_column=nps_column,
            text_column=text_column,
            review_statuses=statuses,
            actions=actions,
            source_name=path_in.name,
            generated=today,
        )
        target.write(html)
    return WrittenReport(path_out, len(rows), without_comment, problems)
