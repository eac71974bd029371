"""Cases: who may see them, their states, priority and due dates, and the decisions.

States: `uusi` → `käsittelyssä` (a reviewer took it) → `ratkaistu` (with an outcome).
A case can be taken over by another reviewer while it is being handled; only its
handler (or an admin) resolves it. Notes and label corrections are allowed in every
state. Every decision is written to the audit log in the same transaction.

Concurrent reviewers: a decision names the case version its maker saw
(`check_version`), and the database saves a change only if the case still has the
version it was read at (`Case.version`, checked in `commit`). Of two decisions made on
the same reading, the second is refused with CaseChangedError, so no decision silently
overwrites another. Notes only add rows and need no version.

Due date: the import time plus the database's time limit (`review init --review-days`,
default 7 days). A case is overdue when it is not resolved and its due date has passed.

Priority, a number from 0 to 100 (higher first; equal priorities oldest first)::

    priority = 50 · flag_score                      # the classifier's confidence, 0–50
             + 10 · min(number of flag reasons, 3)  # how many words raised it, 0–30
             + 20 · min(age / time limit, 1)        # how much of its time it has used, 0–20

so a confident flag with several reasons comes first, and an old case climbs until it
is due; every overdue case has the full 20 age points.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from palauteluokitin.errors import (
    CaseChangedError,
    CaseNotFoundError,
    InvalidDecisionError,
    InvalidTransitionError,
)
from palauteluokitin.labels import RIGHTS_CATEGORIES, SENTIMENTS
from palauteluokitin.review import audit
from palauteluokitin.review.db import Case, Note, User, UserUnit, utcnow

NEW, IN_PROGRESS, RESOLVED = "uusi", "käsittelyssä", "ratkaistu"
STATES = (NEW, IN_PROGRESS, RESOLVED)
OPEN = "avoimet"
STATE_FILTERS = (OPEN, NEW, IN_PROGRESS, RESOLVED, "kaikki")
OUTCOMES = {
    "aiheellinen": "aiheellinen — toimenpiteet",
    "ohjattu": "ohjattu potilas-/sosiaaliasiavastaavalle",
    "muistutusohjeet": "muistutusohjeet annettu",
    "aiheeton": "aiheeton hälytys",
}
FALSE_ALARM = "aiheeton"
MAX_NOTE_CHARS = 5000
PAGE_SIZE = 50
CHANGED_FI = (
    "Joku muu muutti tapausta sillä välin, eikä muutostasi tallennettu. Tarkista tilanne ja yritä uudelleen."
)


def split_reasons(reasons: str) -> list[str]:
    return [reason.strip() for reason in reasons.split(";") if reason.strip()]


def priority(case: Case, now: datetime) -> int:
    """The case's priority, 0–100 (formula in the module docstring)."""
    limit = max((case.due_at - case.imported_at).total_seconds(), 1.0)
    age = max((now - case.imported_at).total_seconds(), 0.0)
    score = min(max(case.flag_score, 0.0), 1.0)
    reasons = min(len(split_reasons(case.flag_reasons)), 3)
    return round(50 * score + 10 * reasons + 20 * min(age / limit, 1.0))


def is_overdue(case: Case, now: datetime) -> bool:
    return case.state != RESOLVED and now > case.due_at


def visible(query: sa.Select, user: User) -> sa.Select:
    """Restrict a query over Case to the cases `user` may see: admins all, reviewers their units."""
    if user.is_admin:
        return query
    return query.where(Case.unit.in_(sa.select(UserUnit.unit).where(UserUnit.user_id == user.id)))


def get_case(session: Session, user: User, case_id: int) -> Case:
    """The case, if it exists and `user` may see it; else CaseNotFoundError (the web answers 404)."""
    case = session.scalar(visible(sa.select(Case).where(Case.id == case_id), user))
    if case is None:
        raise CaseNotFoundError(f"no case {case_id} visible to {user.username}", fi="Tapausta ei löydy.")
    return case


@dataclass(frozen=True)
class QueueRow:
    case: Case
    priority: int
    overdue: bool


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int  # cases matching the filters, on every page
    page: int
    pages: int


def queue(
    session: Session,
    user: User,
    *,
    unit: str = "",
    state: str = OPEN,
    overdue_only: bool = False,
    page: int = 1,
    page_size: int = PAGE_SIZE,
    now: datetime | None = None,
) -> QueuePage:
    """One page of the cases `user` may see, filtered, highest priority first, then oldest
    first. The order is computed from a few columns of every matching case; only the
    page's cases are loaded whole. A page past the last is the last."""
    now = now or utcnow()
    columns = (Case.id, Case.flag_score, Case.flag_reasons, Case.imported_at, Case.due_at, Case.state)
    query = visible(sa.select(*columns), user)
    if unit:
        query = query.where(Case.unit == unit)
    if state == OPEN:
        query = query.where(Case.state != RESOLVED)
    elif state in STATES:
        query = query.where(Case.state == state)
    if overdue_only:
        query = query.where((Case.state != RESOLVED) & (Case.due_at < now))
    found = session.execute(query)
    keys = [(priority(row, now), row.imported_at, row.id, is_overdue(row, now)) for row in found]
    ranked = sorted(keys, key=lambda key: (-key[0], key[1], key[2]))
    pages = max((len(ranked) + page_size - 1) // page_size, 1)
    page = min(max(page, 1), pages)
    shown = ranked[(page - 1) * page_size : page * page_size]
    ids = [case_id for _, _, case_id, _ in shown]
    loaded = {case.id: case for case in session.scalars(sa.select(Case).where(Case.id.in_(ids)))}
    rows = [QueueRow(loaded[case_id], rank, overdue) for rank, _, case_id, overdue in shown]
    return QueuePage(rows, len(ranked), page, pages)


def visible_units(session: Session, user: User) -> list[str]:
    query = visible(sa.select(Case.unit).distinct(), user)
    return sorted(unit for unit in session.scalars(query))


def check_version(record, seen: int | str | None, fi: str = CHANGED_FI) -> None:
    """Refuse a decision made on another version of a case (or another versioned record:
    an action) than the one it has now; `seen` is the version the user's page showed
    (None: the caller read it just now); `fi` says so to the user."""
    if seen is not None and str(seen) != str(record.version):
        raise CaseChangedError(
            f"{type(record).__name__.lower()} {record.id} is at version {record.version}, not {seen}", fi=fi
        )


def commit(session: Session, fi: str = CHANGED_FI) -> None:
    """Commit the decisions; CaseChangedError (after a rollback) if another process changed
    one of their records after it was read."""
    try:
        session.commit()
    except StaleDataError as error:
        session.rollback()
        raise CaseChangedError(f"a record changed while being decided: {error}", fi=fi) from error


def handled_by(case: Case, user: User) -> bool:
    return case.assignee is not None and case.assignee.id == user.id


def take(session: Session, user: User, case: Case, ip: str = "") -> None:
    """Assign the case to `user` (uusi or käsittelyssä → käsittelyssä)."""
    if case.state == RESOLVED:
        raise InvalidTransitionError(f"case {case.id} is already resolved", fi="Tapaus on jo ratkaistu.")
    if case.state == IN_PROGRESS and handled_by(case, user):
        return
    previous = case.assignee.username if case.assignee else ""
    case.state, case.assignee = IN_PROGRESS, user
    detail = f"{previous} → {user.username}" if previous and previous != user.username else ""
    audit.record(session, user, "take", case_id=case.id, detail=detail, ip=ip)


def add_note(session: Session, user: User, case: Case, text: str, ip: str = "") -> Note:
    """A note on the case, stored redacted."""
    from palauteluokitin.privacy.redact import redact

    text = text.strip()
    if not text:
        raise InvalidDecisionError("a note cannot be empty", fi="Muistiinpano on tyhjä.")
    if len(text) > MAX_NOTE_CHARS:
        raise InvalidDecisionError(
            f"a note can have at most {MAX_NOTE_CHARS} characters",
            fi=f"Muistiinpano on liian pitkä (enintään {MAX_NOTE_CHARS} merkkiä).",
        )
    note = Note(case_id=case.id, author_id=user.id, created_at=utcnow(), text=redact(text))
    session.add(note)
    session.flush()
    audit.record(session, user, "note", case_id=case.id, detail=f"muistiinpano {note.id}", ip=ip)
    return note


def resolve(session: Session, user: User, case: Case, outcome: str, ip: str = "") -> None:
    """käsittelyssä → ratkaistu with an outcome; "aiheeton" also corrects the flag to 0."""
    if outcome not in OUTCOMES:
        raise InvalidDecisionError(
            f"outcome {outcome!r}: choose one of {', '.join(OUTCOMES)}", fi="Valitse ratkaisu."
        )
    if case.state != IN_PROGRESS:
        message = "Tapaus on jo ratkaistu." if case.state == RESOLVED else "Ota tapaus ensin käsittelyyn."
        raise InvalidTransitionError(f"case {case.id} is {case.state}, not {IN_PROGRESS}", fi=message)
    if not handled_by(case, user) and not user.is_admin:
        raise InvalidTransitionError(
            f"case {case.id} is handled by another reviewer",
            fi="Tapaus on toisen käsittelijän; ota se ensin itsellesi.",
        )
    now = utcnow()
    case.state, case.outcome, case.resolved_at, case.resolved_by_id = RESOLVED, outcome, now, user.id
    if outcome == FALSE_ALARM:
        case.corrected_flag, case.corrected_by_id, case.corrected_at = 0, user.id, now
    audit.record(session, user, "resolve", case_id=case.id, detail=OUTCOMES[outcome], ip=ip)


def correct_labels(
    session: Session,
    user: User,
    case: Case,
    categories: list[str],
    sentiment: str,
    flag: int,
    ip: str = "",
) -> None:
    """Store the reviewer's categories, sentiment and flag for retraining."""
    unknown = sorted(set(categories) - set(RIGHTS_CATEGORIES))
    if unknown:
        raise InvalidDecisionError(f"unknown categories {', '.join(unknown)}", fi="Tuntematon luokka.")
    if sentiment not in SENTIMENTS:
        raise InvalidDecisionError(f"unknown sentiment {sentiment!r}", fi="Valitse sävy.")
    if flag not in (0, 1):
        raise InvalidDecisionError(f"flag must be 0 or 1, not {flag!r}", fi="Valitse epäasiallinen kohtelu.")
    ordered = [label for label in RIGHTS_CATEGORIES if label in categories]
    case.corrected_categories = ",".join(ordered)
    case.corrected_sentiment, case.corrected_flag = sentiment, flag
    case.corrected_by_id, case.corrected_at = user.id, utcnow()
    detail = f"luokat: {', '.join(ordered) or '–'}; sävy: {sentiment}; epäasiallinen kohtelu: {flag}"
    audit.record(session, user, "correct", case_id=case.id, detail=detail, ip=ip)


def record_view(session: Session, user: User, case: Case, ip: str = "") -> None:
    audit.record(session, user, "view", case_id=case.id, ip=ip)
