"""The append-only audit log: who did what to which case, and when.

Entries are only ever added (`record`); the migration installs database triggers
that refuse UPDATE and DELETE. Details name actions, outcomes and labels, never
comment or note text.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from palauteluokitin.review.db import AuditEntry, User, utcnow

ACTIONS = {
    "login": "kirjautui sisään",
    "login_failed": "epäonnistunut kirjautuminen",
    "logout": "kirjautui ulos",
    "queue_view": "avasi jonon",
    "view": "avasi tapauksen",
    "take": "otti käsittelyyn",
    "note": "lisäsi muistiinpanon",
    "resolve": "ratkaisi",
    "correct": "korjasi luokat",
    "import": "tuonti",
    "user_create": "loi käyttäjän",
    "user_update": "muutti käyttäjää",
    "audit_view": "avasi tapahtumalokin",
    "action_create": "lisäsi kehittämistoimenpiteen",
    "action_update": "muutti kehittämistoimenpidettä",
}
CLI_ACTOR = "(komentorivi)"
DECISIONS = ("take", "note", "resolve", "correct")


def record(
    session: Session,
    user: User | None,
    action: str,
    *,
    case_id: int | None = None,
    detail: str = "",
    ip: str = "",
    username: str | None = None,
) -> AuditEntry:
    """Append one entry; `username` names the actor when there is no user (a failed login, the CLI)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = AuditEntry(
        at=utcnow(),
        user_id=user.id if user else None,
        username=user.username if user else (username or ""),
        action=action,
        case_id=case_id,
        detail=detail,
        ip=ip,
    )
    session.add(entry)
    return entry


def case_history(session: Session, case_id: int, decisions_only: bool = True) -> list[AuditEntry]:
    query = sa.select(AuditEntry).where(AuditEntry.case_id == case_id)
    if decisions_only:
        query = query.where(AuditEntry.action.in_(DECISIONS))
    return list(session.scalars(query.order_by(AuditEntry.id)))


def entries(
    session: Session, *, username: str = "", case_id: int | None = None, limit: int = 200, offset: int = 0
) -> tuple[list[AuditEntry], int]:
    """A page of entries, newest first, and how many match in all."""
    query = sa.select(AuditEntry)
    if username:
        query = query.where(AuditEntry.username == username)
    if case_id is not None:
        query = query.where(AuditEntry.case_id == case_id)
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    page = session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit).offset(offset))
    return list(page), total
