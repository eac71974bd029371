"""Reviewers' decisions as annotated rows in the corpus format, for retraining.

A case is exported when it is resolved or a reviewer corrected its labels. Labels are
the reviewer's corrections where there are any, else the model's predictions; the
flag is the corrected flag (resolving as "aiheeton hälytys" sets it to 0), else 1 for
a case resolved as well-founded. Rows carry the redacted text, `id` = `review-<comment
id>`, `writer` = `review`, `split` = `train`, so they can be appended to
`data/annotated/palaute.csv`-style files and checked with `validate-corpus`. Cells a
spreadsheet would run as a formula get a leading apostrophe, which reading the file as a
corpus takes off again.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from palauteluokitin.exports.write import write_csv_rows
from palauteluokitin.labels import FLAG, RIGHTS_CATEGORIES
from palauteluokitin.output_paths import check_output
from palauteluokitin.review.cases import RESOLVED
from palauteluokitin.review.db import Case, database_files, transaction
from palauteluokitin.training.corpus import CORPUS_COLUMNS


def annotation_row(case: Case) -> dict[str, str] | None:
    """The corpus row for a case with a reviewer decision, else None."""
    corrected = case.corrected_categories is not None
    if case.state != RESOLVED and not corrected and case.corrected_flag is None:
        return None
    categories = (case.corrected_categories if corrected else case.categories).split(",")
    flag = case.corrected_flag if case.corrected_flag is not None else 1
    return {
        "id": f"review-{case.comment_id}",
        "text": case.text,
        **{label: "1" if label in categories else "0" for label in RIGHTS_CATEGORIES},
        "sentiment": case.corrected_sentiment or case.sentiment,
        FLAG: str(flag),
        "service": case.unit,
        "question": "",
        "lang": case.lang,
        "split": "train",
        "writer": "review",
        "register": "",
        "hard_case": "",
        "annotators": "1",
        "pair": "",
    }


def export_annotations(db_url: str, out: Path, corrected_only: bool = False, overwrite: bool = False) -> int:
    """Write the annotated rows to CSV `out`; return how many. `corrected_only` keeps
    only cases whose labels a reviewer set, leaving out the model's own predictions.
    `out` follows `output_paths.check_output` (never the database's own file, an existing
    file only with `overwrite`) and is written to a temporary file renamed at the end."""
    out = check_output(Path(out), overwrite=overwrite, inputs=database_files(db_url))
    query = sa.select(Case).order_by(Case.id)
    if corrected_only:
        query = query.where(Case.corrected_categories.is_not(None))
    with transaction(db_url) as session:
        rows = [row for case in session.scalars(query) if (row := annotation_row(case))]
    write_csv_rows(out, CORPUS_COLUMNS, rows)
    return len(rows)
