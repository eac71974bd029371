"""Import a classified export: flagged rows become cases, once per comment id.

A row becomes a case when `epaasiallinen_kohtelu` is 1; rows with a `problem` are
skipped and counted, answers without a comment apart from the others. A comment id
already in the database is left exactly as it is, so importing the same file (or a
newer export holding the same comments) never duplicates a case or loses a decision. A
known id arriving with another text is counted in `different_text`: ids that are not
unique across exports would otherwise hide a complaint, so the CLI warns about them.
Text and flag reasons are redacted before they reach the database; error messages name
rows and columns, never text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from palauteluokitin.errors import ImportFileError
from palauteluokitin.exports.columns import choose_columns
from palauteluokitin.exports.read import read_table
from palauteluokitin.labels import EMPTY_COMMENT, FLAG, OUTPUT_COLUMNS, RIGHTS_CATEGORIES, SENTIMENTS
from palauteluokitin.review import audit
from palauteluokitin.review.db import Case, review_days, transaction, utcnow
from palauteluokitin.review.figures import record_answers

TRUE, FALSE = ("1", "1.0", "true"), ("0", "0.0", "false")


@dataclass(frozen=True)
class ImportResult:
    rows: int
    new: int
    already_present: int
    skipped: int  # rows with a problem
    not_flagged: int
    different_text: int = 0  # already present under the same id, but with another text
    without_comment: int = 0  # answers with no comment (a score only): nothing to review
    answers: int = 0  # answers new to the figures of units and months (`figures.record_answers`)


def _flag(value: str, where: str) -> bool:
    value = value.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ImportFileError(f"{where}: {FLAG} is {value!r}; expected 0 or 1")


def _score(value: str, where: str, column: str, required: bool = True) -> float | None:
    if not value.strip() and not required:
        return None
    try:
        score = float(value.replace(",", "."))
    except ValueError:
        raise ImportFileError(f"{where}: {column} is {value!r}; expected a number from 0 to 1") from None
    if not 0.0 <= score <= 1.0:
        raise ImportFileError(f"{where}: {column} is {score}; expected a number from 0 to 1")
    return score


def case_from_row(
    row: dict, comment_id: str, text_column: str, unit_column: str | None, where: str, now, due
) -> Case:
    """A new case from one flagged row; text and reasons are redacted here."""
    from palauteluokitin.privacy.redact import redact

    categories = [label for label in RIGHTS_CATEGORIES if row[label].strip() in TRUE]
    scores = {
        label: _score(row[f"{label}_score"], where, f"{label}_score", False) for label in RIGHTS_CATEGORIES
    }
    sentiment = row["sentiment"].strip()
    if sentiment and sentiment not in SENTIMENTS:
        raise ImportFileError(f"{where}: sentiment is {sentiment!r}; expected one of {', '.join(SENTIMENTS)}")
    return Case(
        comment_id=comment_id,
        unit=row[unit_column].strip() if unit_column else "",
        text=redact(row[text_column]),
        flag_score=_score(row[f"{FLAG}_score"], where, f"{FLAG}_score"),
        flag_reasons=redact("; ".join(filter(None, (r.strip() for r in row["flag_reasons"].split(";"))))),
        categories=",".join(categories),
        category_scores=scores,
        sentiment=sentiment,
        sentiment_score=_score(row["sentiment_score"], where, "sentiment_score", False),
        lang=row["lang"].strip(),
        model_version=row["model_version"].strip(),
        imported_at=now,
        due_at=due,
        state="uusi",
    )


def import_frame(
    session: Session,
    frame: pd.DataFrame,
    *,
    unit_column: str | None = None,
    text_column: str | None = None,
    id_column: str | None = None,
    date_column: str | None = None,
    nps_column: str | None = None,
    now: datetime | None = None,
) -> ImportResult:
    """Add the flagged rows of a classified frame (all cells strings) as cases, and every
    answer to the figures of units and months (numbers only)."""
    from palauteluokitin.privacy.redact import redact

    missing = [column for column in OUTPUT_COLUMNS if column not in frame.columns]
    if missing:
        raise ImportFileError(
            f"not a classified file: missing column(s) {', '.join(missing)}; "
            "run `palauteluokitin classify` on the export first"
        )
    columns = choose_columns(
        frame, text=text_column, id=id_column, unit=unit_column, date=date_column, nps=nps_column
    )
    if columns.id is None:
        raise ImportFileError("no comment id column found; name it with --id-column")
    text_column, id_column, unit_column = columns.text, columns.id, columns.unit
    now = now or utcnow()
    due = now + timedelta(days=review_days(session))
    known = {comment_id: text for comment_id, text in session.execute(sa.select(Case.comment_id, Case.text))}
    new = present = different = skipped = not_flagged = without_comment = 0
    for number, row in enumerate(frame.to_dict(orient="records"), start=2):
        comment_id = str(row[id_column]).strip()
        where = f"row {number} (id {comment_id!r})" if comment_id else f"row {number}"
        if row["problem"].strip() == EMPTY_COMMENT:
            without_comment += 1
            continue
        if row["problem"].strip():
            skipped += 1
            continue
        if not _flag(row[FLAG], where):
            not_flagged += 1
            continue
        if not comment_id:
            raise ImportFileError(f"{where}: the id column {id_column!r} is empty")
        if comment_id in known:
            present += 1
            different += known[comment_id] != redact(row[text_column])
            continue
        case = case_from_row(row, comment_id, text_column, unit_column, where, now, due)
        session.add(case)
        known[comment_id] = case.text
        new += 1
    answers = record_answers(
        session,
        frame,
        id_column=id_column,
        unit_column=unit_column,
        date_column=columns.date,
        nps_column=columns.nps,
    )
    return ImportResult(len(frame), new, present, skipped, not_flagged, different, without_comment, answers)


def import_classified(
    db_url: str,
    path: Path,
    *,
    unit_column: str | None = None,
    text_column: str | None = None,
    id_column: str | None = None,
    date_column: str | None = None,
    nps_column: str | None = None,
    now: datetime | None = None,
) -> ImportResult:
    """Read a classified export and import it into the review database in one transaction
    (the database is checked first, so one not ready is refused before the file is read)."""
    with transaction(db_url) as session:
        frame = read_table(Path(path))
        result = import_frame(
            session,
            frame,
            unit_column=unit_column,
            text_column=text_column,
            id_column=id_column,
            date_column=date_column,
            nps_column=nps_column,
            now=now,
        )
        detail = (
            f"{Path(path).name}: {result.new} uutta, {result.already_present} jo tuotu, "
            f"{result.skipped} ohitettu, {result.different_text} samalla tunnisteella eri tekstillä, "
            f"{result.answers} uutta vastausta lukuihin"
        )
        audit.record(session, None, "import", detail=detail, username=audit.CLI_ACTOR)
    return result
