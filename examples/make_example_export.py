"""Builds examples/palautevienti.csv: a feedback-system export as Finnish Excel writes it
(semicolon-separated, cp1252, CRLF) from comments of the annotated corpus's test split.

    uv run python examples/make_example_export.py
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent / "data" / "annotated" / "palaute.csv"
UNITS = {
    "terveysasema": "Terveysasema Keskusta",
    "vastaanotto": "Terveysasema Keskusta",
    "päivystys": "Yhteispäivystys",
    "ensihoito": "Yhteispäivystys",
    "osasto": "Sairaala, vuodeosastot",
    "poliklinikka": "Sairaala, poliklinikat",
    "neuvola": "Perhekeskus",
    "lastensuojelu": "Perhekeskus",
    "kotihoito": "Kotihoito ja asumispalvelut",
    "palveluasuminen": "Kotihoito ja asumispalvelut",
    "sosiaali": "Aikuissosiaalityö",
    "mielenterveys": "Mielenterveys- ja päihdepalvelut",
    "päihde": "Mielenterveys- ja päihdepalvelut",
}
OTHER_UNIT = "Muut palvelut"
NPS_BY_SENTIMENT = {
    "positiivinen": (8, 10),
    "neutraali": (5, 9),
    "ristiriitainen": (4, 8),
    "negatiivinen": (0, 6),
}


def unit_for(service: str) -> str:
    return next((unit for key, unit in UNITS.items() if key in service), OTHER_UNIT)


def main() -> None:
    rng = random.Random(2026)
    corpus = pd.read_csv(CORPUS, dtype=str, keep_default_na=False)
    rows = corpus[corpus["split"] == "test"].sample(n=300, random_state=7)
    start = date(2025, 12, 1)
    records = []
    for number, row in enumerate(rows.itertuples(), start=1001):
        try:
            row.text.encode("cp1252")
        except UnicodeEncodeError:
            continue
        low, high = NPS_BY_SENTIMENT[row.sentiment]
        day = start + timedelta(days=rng.randrange(365))
        time_of_day = f"{rng.randrange(7, 22)}:{rng.randrange(60):02d}"
        records.append(
            {
                "Vastaus ID": number,
                "Vastauspäivä": f"{day.day}.{day.month}.{day.year} {time_of_day}",
                "Yksikkö": unit_for(row.service),
                "Kuinka todennäköisesti suosittelisit palvelua läheisellesi? (0-10)": rng.randint(low, high),
                "Avoin palaute": row.text,
            }
        )
    records.sort(key=lambda record: record["Vastaus ID"])
    with open(HERE / "palautevienti.csv", "w", encoding="cp1252", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(records[0]), delimiter=";", lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(records)
    print(f"wrote {len(records)} rows to {HERE / 'palautevienti.csv'}")


if __name__ == "__main__":
    main()
