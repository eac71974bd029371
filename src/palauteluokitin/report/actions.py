"""Development actions (kehittämistoimenpiteet) outside the review app: the analyst report's
section of them, every action with its effect figures as CSV (`review actions export`), and
the public page "Mitä palautteesi sai aikaan" (`review.public`, the web app's `/vaikutukset`)
as one static HTML file (`report --public`).

Figures come from the review database's answers (`review.figures`), never from comment
text. The report's section takes each unit's most negative categories from the answers of
the last 12 months in the database, not from the export the report is made of: actions
are counted by year against the 1–5 target, and the database holds every imported export.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from palauteluokitin.errors import PalauteluokitinError, ReportInputError
from palauteluokitin.exports.values import date_text, month_key, month_text
from palauteluokitin.labels import RIGHTS_CATEGORIES
from palauteluokitin.output_paths import check_output
from palauteluokitin.report.formats import CATEGORY_NAMES, fi_percent, html_file
from palauteluokitin.review.actions import (
    DONE,
    DROPPED,
    EVIDENCE_MONTHS,
    STATUSES,
    TARGET,
    actions_in_year,
    actions_of,
)
from palauteluokitin.review.db import Action, database_files, transaction
from palauteluokitin.review.figures import Share, answer_units, effect, negative_share, shift_month

MOST_NEGATIVE = 2  # categories per unit, as in the report's "Kehittämiskohteet"


def share_text(share: Share) -> str:
    """The share as "40 % (4/10; luottamusväli 17–69 %)", or why there is no figure."""
    if not share.shown:
        return f"liian vähän vastauksia ({share.total})"
    low, high = share.interval
    interval = f"{round(low * 100)}–{round(high * 100)}\u00a0%"
    return f"{fi_percent(share.value)} ({share.negative}/{share.total}; luottamusväli {interval})"


def target_verdict(count: int) -> str:
    low, high = TARGET
    return "alle tavoitteen" if count < low else "yli tavoitteen" if count > high else "tavoite täyttyy"


def covers(action: Action, today: date) -> bool:
    """An action that answers its categories now: planned or ongoing, or completed in the last 12 months."""
    if action.status == DROPPED:
        return False
    if action.status != DONE or action.completed_on is None:
        return True
    return month_key(action.completed_on) > shift_month(month_key(today), -EVIDENCE_MONTHS)


def most_negative(session: Session, unit: str, start: str, end: str) -> list[tuple[str, Share]]:
    """The unit's categories with the highest negative share (at least MIN_CELL comments, some negative)."""
    shares = [(label, negative_share(session, unit, [label], start, end)) for label in RIGHTS_CATEGORIES]
    shown = [(label, share) for label, share in shares if share.shown and share.negative]
    return sorted(shown, key=lambda item: (-item[1].value, -item[1].negative))[:MOST_NEGATIVE]


def actions_section(session: Session, today: date) -> dict | None:
    """The report's "Kehittämistoimenpiteet": per unit its actions against the target, the most
    negative categories without an action, and completed actions' before/after figures;
    None when the database has neither answers nor actions."""
    actions = sorted(actions_of(session), key=lambda action: action.id)
    units = sorted(set(answer_units(session)) | {action.unit for action in actions})
    if not units:
        return None
    end = month_key(today)
    start = shift_month(end, -(EVIDENCE_MONTHS - 1))
    targets, uncovered, blocks = [], [], []
    for unit in units:
        own = [action for action in actions if action.unit == unit]
        in_year = len(actions_in_year(own, today))
        targets.append(
            (unit, in_year, target_verdict(in_year), [sum(a.status == s for a in own) for s in STATUSES])
        )
        covered = {label for action in own if covers(action, today) for label in action.categories.split(",")}
        for label, share in most_negative(session, unit, start, end):
            if label not in covered:
                uncovered.append((unit, CATEGORY_NAMES[label], share_text(share)))
        rows = []
        for action in own:
            row = {
                "id": action.id,
                "title": action.title,
                "categories": ", ".join(CATEGORY_NAMES[label] for label in action.categories.split(",")),
                "status": action.status,
                "planned": date_text(action.planned_on) if action.planned_on else "",
                "completed": date_text(action.completed_on) if action.completed_on else "",
                "before": "",
                "after": "",
            }
            if action.status == DONE and action.completed_on:
                result = effect(session, unit, action.categories.split(","), action.completed_on)
                for side, share, (first, last) in (
                    ("before", result.before, result.before_period),
                    ("after", result.after, result.after_period),
                ):
                    row[side] = f"{month_text(first)}–{month_text(last)}: {share_text(share)}"
            rows.append(row)
        blocks.append((unit, rows))
    return {
        "period": f"{month_text(start)}–{month_text(end)}",
        "target": f"{TARGET[0]}–{TARGET[1]}",
        "statuses": STATUSES,
        "targets": targets,
        "uncovered": uncovered,
        "units": blocks,
    }


def read_actions_section(db_url: str, today: date) -> dict | None:
    """`actions_section` of the database at `db_url` (refused unless it is initialised and current)."""
    with transaction(db_url) as session:
        return actions_section(session, today)


def write_public_page(
    db_url: str,
    out: Path,
    *,
    unit: str | None = None,
    start: str | None = None,
    end: str | None = None,
    overwrite: bool = False,
) -> dict:
    """Write the public page of `unit` (None: the organisation) over months start..end as one
    self-contained HTML file (`review.public`: the page `/vaikutukset` shows, its stylesheet
    inline, no form, no script, no URL); return the page's values. `out` follows
    `output_paths.check_output` and is renamed into place when written."""
    from palauteluokitin.review.public import public_view, render_public_page

    out = check_output(Path(out), overwrite=overwrite, inputs=database_files(db_url))
    with html_file(out) as target:
        with transaction(db_url) as session:
            try:
                view = public_view(session, unit=unit, start=start, end=end)
            except ValueError as error:  # an unknown unit, a month not YYYY-MM
                if isinstance(error, PalauteluokitinError):
                    raise
                raise ReportInputError(str(error)) from error
        target.write(render_public_page(view))
    return view
