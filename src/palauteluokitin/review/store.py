"""Read-only views of the review database for other parts of the project (the report)."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from palauteluokitin.review.cases import OUTCOMES, RESOLVED
from palauteluokitin.review.db import Case, ensure_current, make_engine, utcnow

STATUS_COLUMNS = ("comment_id", "unit", "state", "outcome", "due", "overdue")


def case_statuses(db_url: str) -> pd.DataFrame:
    """One row per case: comment_id, unit, state (uusi/käsittelyssä/ratkaistu), outcome
    (as the reviewer chose it, e.g. "aiheeton hälytys"; empty until resolved), due (naive UTC timestamp) and
    overdue (bool). No comment text."""
    engine = make_engine(db_url)
    try:
        ensure_current(engine)
        now = utcnow()
        query = sa.select(Case.comment_id, Case.unit, Case.state, Case.outcome, Case.due_at).order_by(Case.id)
        with Session(engine) as session:
            rows = [
                (
                    comment_id,
                    unit,
                    state,
                    OUTCOMES.get(outcome, outcome or ""),
                    due,
                    state != RESOLVED and now > due,
                )
                for comment_id, unit, state, outcome, due in session.execute(query)
            ]
    finally:
        engine.dispose()
    frame = pd.DataFrame(rows, columns=list(STATUS_COLUMNS))
    frame["due"] = pd.to_datetime(frame["due"])
    frame["overdue"] = frame["overdue"].astype(bool)
    return frame
