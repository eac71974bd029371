"""Development actions (kehittämistoimenpiteet): what a unit decided to change because of
its feedback, the evidence behind it, its progress and a summary for clients.

Statuses: `suunniteltu` → `käynnissä` → `toteutettu`, or `luovuttu` from either of the
first two. Who: admins manage every unit's actions; a unit manager (role `manager`,
esihenkilö) manages the actions of their units; reviewers read their units' actions.
The public summary is stored redacted, like the title and description, and is shown on
the public page only when the action is completed and an admin or the action's owner
has marked it ready. Every change is written to the audit log (ids and fields, never
text); a change made on an outdated reading of the action is refused (its version).
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from palauteluokitin.errors import ActionError
from palauteluokitin.exports.values import month_key
from palauteluokitin.labels import RIGHTS_CATEGORIES
from palauteluokitin.review import audit
from palauteluokitin.review.cases import check_version
from palauteluokitin.review.db import Action, Answer, Case, User, utcnow
from palauteluokitin.review.figures import figures, negative_share, shift_month

PLANNED, ONGOING, DONE, DROPPED = "suunniteltu", "käynnissä", "toteutettu", "luovuttu"
STATUSES = (PLANNED, ONGOING, DONE, DROPPED)
NEXT_STATUSES = {PLANNED: {ONGOING, DONE, DROPPED}, ONGOING: {DONE, DROPPED}, DONE: set(), DROPPED: set()}
TARGET = (1, 5)  # actions a unit is expected to make a year
EVIDENCE_MONTHS = 12
MAX_TITLE_CHARS, MAX_TEXT_CHARS = 200, 5000
CHANGED_FI = (
    "Joku muu muutti toimenpidettä sillä välin, eikä muutostasi tallennettu. "
    "Tarkista tilanne ja yritä uudelleen."
)


def can_manage(user: User | None, unit: str) -> bool:
    """None is the command line, which the operator runs."""
    return user is None or user.is_admin or (user.role == "manager" and unit in user.units)


def can_read(user: User, unit: str) -> bool:
    return user.is_admin or unit in user.units


def known_units(session: Session) -> set[str]:
    cases = sa.select(Case.unit).distinct()
    answers = sa.select(Answer.unit).distinct()
    return {unit for unit in session.scalars(sa.union(cases, answers)) if unit}


def _categories(categories) -> str:
    unknown = sorted(set(categories) - set(RIGHTS_CATEGORIES))
    if unknown or not categories:
        raise ActionError(
            f"categories {', '.join(unknown) or '(none)'}: choose from {', '.join(RIGHTS_CATEGORIES)}",
            fi="Valitse vähintään yksi oikeusluokka.",
        )
    return ",".join(label for label in RIGHTS_CATEGORIES if label in categories)


def _text(value: str, limit: int, what: str, fi: str) -> str:
    from palauteluokitin.privacy.redact import redact

    value = value.strip()
    if len(value) > limit:
        raise ActionError(f"the {what} can have at most {limit} characters", fi=fi)
    return redact(value)


def evidence(session: Session, unit: str, categories: list[str], today: date, case_ids=()) -> dict:
    """The unit's figures in the action's categories over the last EVIDENCE_MONTHS months."""
    end = month_key(today)
    start = shift_month(end, -(EVIDENCE_MONTHS - 1))
    unit_figures = figures(session, unit=unit, start=start, end=end)
    share = negative_share(session, unit, categories, start, end)
    return {
        "period": [start, end],
        "comments": unit_figures.comments,
        "categories": {label: unit_figures.categories.get(label, 0) for label in categories},
        "negative_in_categories": [share.negative, share.total],
        "cases": sorted(set(case_ids)),
    }


def _owner(session: Session, username: str | None) -> User | None:
    if not username:
        return None
    owner = session.scalar(sa.select(User).where(User.username == username))
    if owner is None:
        raise ActionError(f"no user named {username!r}", fi="Omistajaa ei löydy.")
    return owner


def add_action(
    session: Session,
    user: User | None,
    *,
    unit: str,
    title: str,
    categories,
    description: str = "",
    owner: str | None = None,
    planned_on: date | None = None,
    public_summary: str = "",
    case_ids=(),
    today: date | None = None,
    ip: str = "",
) -> Action:
    """A new planned action of `unit`, with its evidence; `user` None is the command line."""
    unit = unit.strip()
    if unit not in known_units(session):
        raise ActionError(f"no imported answer or case has the unit {unit!r}", fi="Tuntematon yksikkö.")
    if not can_manage(user, unit):
        raise ActionError(
            f"{user.username} does not manage {unit!r}", fi="Et hallinnoi tämän yksikön toimia."
        )
    title = _text(title, MAX_TITLE_CHARS, "title", "Otsikko on liian pitkä.")
    if not title:
        raise ActionError("an action needs a title", fi="Anna toimenpiteelle otsikko.")
    chosen = _categories(categories)
    today = today or utcnow().date()
    now = utcnow()
    action = Action(
        unit=unit,
        title=title,
        description=_text(description, MAX_TEXT_CHARS, "description", "Kuvaus on liian pitkä."),
        categories=chosen,
        evidence=evidence(session, unit, chosen.split(","), today, case_ids),
        owner=_owner(session, owner) if owner else user,
        status=PLANNED,
        planned_on=planned_on,
        public_summary=_text(public_summary, MAX_TEXT_CHARS, "public summary", "Tiivistelmä on liian pitkä."),
        public_ready=False,
        created_at=now,
        updated_at=now,
    )
    session.add(action)
    session.flush()
    audit.record(
        session, user, "action_create", detail=f"toimenpide {action.id}: {unit}; luokat {chosen}", ip=ip,
        username=None if user else audit.CLI_ACTOR,
    )  # fmt: skip
    return action


def update_action(
    session: Session,
    user: User | None,
    action: Action,
    *,
    status: str | None = None,
    completed_on: date | None = None,
    public_summary: str | None = None,
    public_ready: bool | None = None,
    seen_version=None,
    ip: str = "",
) -> list[str]:
    """Move the action on, or change its public summary or whether it is ready to show;
    return what changed (Finnish, for the audit log)."""
    if not can_manage(user, action.unit):
        raise ActionError(
            f"{user.username} does not manage {action.unit!r}", fi="Et hallinnoi tämän yksikön toimia."
        )
    check_version(action, seen_version, fi=CHANGED_FI)
    changes = []
    if status is not None and status != action.status:
        if status not in NEXT_STATUSES.get(action.status, set()):
            raise ActionError(
                f"an action {action.status} cannot become {status}", fi="Tilaa ei voi vaihtaa näin."
            )
        action.status = status
        changes.append(f"tila {status}")
        if status == DONE:
            action.completed_on = completed_on or utcnow().date()
            changes.append(f"toteutettu {action.completed_on.isoformat()}")
    if public_summary is not None:
        action.public_summary = _text(
            public_summary, MAX_TEXT_CHARS, "public summary", "Tiivistelmä on liian pitkä."
        )
        changes.append("julkinen tiivistelmä muutettu")
        if action.public_ready and public_ready is None:
            action.public_ready = False  # a changed text is checked again before it is shown
            changes.append("ei julkaistavissa")
    if public_ready is not None and public_ready != action.public_ready:
        if user is not None and not user.is_admin and (action.owner is None or action.owner.id != user.id):
            raise ActionError(
                "only an admin or the action's owner marks its public summary ready",
                fi="Vain pääkäyttäjä tai toimenpiteen omistaja voi hyväksyä tiivistelmän julkaistavaksi.",
            )
        if public_ready and not action.public_summary:
            raise ActionError("there is no public summary to show", fi="Julkinen tiivistelmä puuttuu.")
        action.public_ready = public_ready
        changes.append("julkaistavissa" if public_ready else "ei julkaistavissa")
    if changes:
        action.updated_at = utcnow()
        audit.record(
            session, user, "action_update", detail=f"toimenpide {action.id}: {'; '.join(changes)}", ip=ip,
            username=None if user else audit.CLI_ACTOR,
        )  # fmt: skip
    return changes


def actions_of(session: Session, user: User | None = None, *, unit: str | None = None) -> list[Action]:
    """The actions `user` may read (None: all), newest first."""
    query = sa.select(Action).order_by(Action.created_at.desc(), Action.id.desc())
    if unit:
        query = query.where(Action.unit == unit)
    actions = list(session.scalars(query))
    return [action for action in actions if user is None or can_read(user, action.unit)]


def get_action(session: Session, user: User | None, action_id: int) -> Action:
    action = session.get(Action, action_id)
    if action is None or (user is not None and not can_read(user, action.unit)):
        raise ActionError(f"no action {action_id}", fi="Toimenpidettä ei löydy.")
    return action


def public_actions(session: Session, unit: str | None = None, start: date | None = None) -> list[Action]:
    """Completed actions whose public summary is marked ready, newest first."""
    query = sa.select(Action).where(Action.status == DONE, Action.public_ready, Action.public_summary != "")
    if unit is not None:
        query = query.where(Action.unit == unit)
    if start is not None:
        query = query.where(Action.completed_on >= start)
    return list(session.scalars(query.order_by(Action.completed_on.desc(), Action.id.desc())))


def actions_in_year(actions: list[Action], today: date) -> list[Action]:
    """The actions made in the year up to `today` (not dropped), for the 1–5 target."""
    since = today - timedelta(days=365)
    return [action for action in actions if action.status != DROPPED and action.created_at.date() >= since]
