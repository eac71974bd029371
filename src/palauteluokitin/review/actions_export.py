"""`review actions export`: every development action with its evidence and, for a
completed one, its effect (the negative share in its categories before and after)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from palauteluokitin.exports.write import write_csv_rows
from palauteluokitin.output_paths import check_output
from palauteluokitin.review.actions import DONE
from palauteluokitin.review.db import Action, database_files, transaction
from palauteluokitin.review.figures import Share, effect

EXPORT_COLUMNS = (
    "id", "unit", "title", "description", "categories", "owner", "status", "planned_on", "completed_on",
    "public_summary", "public_ready", "created_on", "evidence_start", "evidence_end", "evidence_comments",
    "evidence_negative", "evidence_total", "cases",
    *(f"{side}_{name}" for side in ("before", "after")
      for name in ("start", "end", "negative", "total", "share", "low", "high")),
)  # fmt: skip


def _share_cells(share: Share, period: tuple[str, str]) -> list:
    low, high = share.interval or ("", "")
    value = "" if share.value is None else f"{share.value:.3f}"
    bounds = [f"{bound:.3f}" if bound != "" else "" for bound in (low, high)]
    return [*period, share.negative, share.total, value, *bounds]


def action_row(session: Session, action: Action) -> dict:
    """One action as an export row; the effect columns are filled for completed actions
    (share and interval empty when fewer than MIN_CELL comments)."""
    evidence = action.evidence or {}
    period = evidence.get("period") or ["", ""]
    negative, total = evidence.get("negative_in_categories") or ["", ""]
    values = [
        action.id, action.unit, action.title, action.description, action.categories,
        action.owner.username if action.owner else "", action.status,
        action.planned_on.isoformat() if action.planned_on else "",
        action.completed_on.isoformat() if action.completed_on else "",
        action.public_summary, int(action.public_ready), action.created_at.date().isoformat(),
        *period, evidence.get("comments", ""), negative, total,
        " ".join(str(case) for case in evidence.get("cases", [])),
    ]  # fmt: skip
    if action.status == DONE and action.completed_on:
        result = effect(session, action.unit, action.categories.split(","), action.completed_on)
        values += _share_cells(result.before, result.before_period)
        values += _share_cells(result.after, result.after_period)
    else:
        values += [""] * 14
    return dict(zip(EXPORT_COLUMNS, values, strict=True))


def export_actions(db_url: str, out: Path, overwrite: bool = False) -> int:
    """Write every action with its effect figures as CSV `out`; return how many. `out`
    follows `output_paths.check_output` (never the database's own file, an existing file
    only with `overwrite`) and is written to a temporary file renamed at the end."""
    out = check_output(Path(out), overwrite=overwrite, inputs=database_files(db_url))
    with transaction(db_url) as session:
        rows = [
            action_row(session, action) for action in session.scalars(sa.select(Action).order_by(Action.id))
        ]
    write_csv_rows(out, EXPORT_COLUMNS, rows)
    return len(rows)
