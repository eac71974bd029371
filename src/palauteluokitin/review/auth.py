"""Reviewer accounts: argon2 password hashes, roles and units, login throttling.

Roles: `reviewer` sees the cases of their units; `admin` sees every case and manages
users. A login is refused, even with the right password, after `MAX_FAILURES` failed
attempts for the same username from the same address within `WINDOW`. The attempts are
stored in the database, so the limit holds across server processes, and each attempt is
stored before it is counted, so parallel attempts cannot all slip under the limit.

A user's sessions end together: logging out, a new password and deactivation raise the
user's `session_generation`, and a session made for an older one is no longer accepted.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session, object_session

from palauteluokitin.errors import LoginThrottledError, UserError
from palauteluokitin.review import audit
from palauteluokitin.review.db import Case, LoginAttempt, User, UserUnit, transaction, utcnow

ROLES = ("reviewer", "manager", "admin")  # manager: a unit manager (esihenkilö)
MIN_PASSWORD_LENGTH = 10
MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
_USERNAME = re.compile(r"^[A-Za-z0-9._@-]{2,100}$")
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a real password, only for equal timing")
MAX_LISTED_UNITS = 20  # in the message refusing an unknown unit


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(
            f"the password must have at least {MIN_PASSWORD_LENGTH} characters",
            fi=f"Salasanassa on oltava vähintään {MIN_PASSWORD_LENGTH} merkkiä.",
        )
    return _hasher.hash(password)


def clean_units(units: Iterable[str]) -> list[str]:
    return sorted({unit.strip() for unit in units if unit.strip()})


def known_units(session: Session) -> list[str]:
    """The units the cases have: what a reviewer's units are matched against."""
    return sorted(unit for unit in session.scalars(sa.select(Case.unit).distinct()) if unit)


def check_units(session: Session, units: Iterable[str], new_units: bool = False) -> None:
    """Refuse units that no case has, naming the known units and the closest one: a typo
    would leave the reviewer an empty queue. `new_units` accepts them (a unit whose comments
    are still to be imported)."""
    units = clean_units(units)
    if new_units or not units:
        return
    known = known_units(session)
    unknown = [unit for unit in units if unit not in known]
    if not unknown:
        return
    folded = {unit.casefold(): unit for unit in known}
    en, fi = [], []
    for unit in unknown:
        closest = difflib.get_close_matches(unit.casefold(), folded, n=1)
        en.append(f"{unit!r}" + (f" (did you mean {folded[closest[0]]!r}?)" if closest else ""))
        fi.append(f"”{unit}”" + (f" (tarkoititko ”{folded[closest[0]]}”?)" if closest else ""))
    listed = known[:MAX_LISTED_UNITS]
    more = len(known) - len(listed)
    if known:
        known_en = "known units: " + ", ".join(map(repr, listed)) + (f" and {more} more" if more else "")
        known_fi = "Tunnetut yksiköt: " + ", ".join(f"”{unit}”" for unit in listed)
        known_fi += f" ja {more} muuta." if more else "."
    else:
        known_en = "no comments have been imported yet (palauteluokitin review import)"
        known_fi = "Palautteita ei ole vielä tuotu."
    one = len(unknown) == 1
    raise UserError(
        f"no case has the unit{'' if one else 's'} {', '.join(en)}; {known_en}. "
        "Pass --new-unit if it is a new unit whose comments are still to be imported.",
        fi=f"{'Yksiköllä' if one else 'Yksiköillä'} {', '.join(fi)} ei ole yhtään tapausta. {known_fi} "
        "Jos yksikkö on uusi eikä sen palautteita ole vielä tuotu, valitse ”Uusi yksikkö”.",
    )


def get_user(session: Session, username: str) -> User:
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise UserError(f"no user named {username!r}", fi="Käyttäjää ei ole.")
    return user


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    units: Iterable[str] = (),
    new_units: bool = False,
) -> User:
    """Add an active user; usernames are letters, digits and . _ @ -. Units must be units
    of cases unless `new_units` (see `check_units`)."""
    if not _USERNAME.match(username):
        raise UserError(
            f"username {username!r}: use 2–100 letters, digits or . _ @ -",
            fi="Käyttäjätunnuksessa saa olla 2–100 kirjainta, numeroa tai merkkejä . _ @ -.",
        )
    if role not in ROLES:
        raise UserError(f"role {role!r}: choose one of {', '.join(ROLES)}", fi="Valitse rooli.")
    if session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        raise UserError(f"a user named {username!r} already exists", fi="Käyttäjätunnus on jo käytössä.")
    units = clean_units(units)
    check_units(session, units, new_units)
    user = User(username=username, password_hash=hash_password(password), role=role, active=True)
    user.unit_rows = [UserUnit(unit=unit) for unit in units]
    session.add(user)
    session.flush()
    return user


def set_units(user: User, units: Iterable[str], new_units: bool = False) -> None:
    """Replace the user's units; units the user did not have must be units of cases unless
    `new_units` (see `check_units`)."""
    wanted = clean_units(units)
    check_units(object_session(user), [unit for unit in wanted if unit not in user.units], new_units)
    user.unit_rows = [row for row in user.unit_rows if row.unit in wanted] + [
        UserUnit(unit=unit) for unit in wanted if unit not in user.units
    ]


def end_sessions(user: User) -> None:
    """Make every session of the user invalid (in every browser and server process)."""
    user.session_generation = (user.session_generation or 0) + 1


def set_active(user: User, active: bool) -> None:
    if user.active and not active:
        end_sessions(user)
    user.active = active


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    end_sessions(user)


def recent_failures(session: Session, username: str, ip: str, now: datetime) -> int:
    """Failed logins for username+ip within the window, since the last success."""
    key = (LoginAttempt.username == username) & (LoginAttempt.ip == ip) & (LoginAttempt.at > now - WINDOW)
    last_success = session.scalar(sa.select(sa.func.max(LoginAttempt.at)).where(key & LoginAttempt.succeeded))
    failures = sa.select(sa.func.count()).where(key & ~LoginAttempt.succeeded)
    if last_success is not None:
        failures = failures.where(LoginAttempt.at > last_success)
    return session.scalar(failures) or 0


def authenticate(
    session: Session, username: str, password: str, ip: str, now: datetime | None = None
) -> User | None:
    """The active user with this username and password, else None. Raises
    LoginThrottledError while username and address are locked out.

    The attempt is committed as a failure before the failures are counted, so of any
    number of parallel attempts at most `MAX_FAILURES` get their password checked; it
    becomes a success if the password is right, and a refused attempt is removed again,
    so retrying while locked out does not lengthen the lockout."""
    now = now or utcnow()
    username = username.strip()[:100]
    attempt = LoginAttempt(username=username, ip=ip, at=now, succeeded=False)
    session.add(attempt)
    session.commit()
    if recent_failures(session, username, ip, now) > MAX_FAILURES:
        session.delete(attempt)
        session.commit()
        raise LoginThrottledError(
            f"too many failed logins for {username!r}; try again in {WINDOW.seconds // 60} minutes"
        )
    user = session.scalar(sa.select(User).where(User.username == username))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
        ok = user is not None and user.active
    except (VerificationError, InvalidHashError):
        ok = False
    attempt.succeeded = ok
    if ok and _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user if ok else None


CLI_ACTOR = audit.CLI_ACTOR


@dataclass(frozen=True)
class Account:
    """A user as the CLI lists it (no password hash)."""

    username: str
    role: str
    units: tuple[str, ...]
    active: bool


def _account(user: User) -> Account:
    return Account(user.username, user.role, tuple(user.units), user.active)


def add_user(
    db_url: str,
    username: str,
    password: str,
    role: str,
    units: Iterable[str] = (),
    new_units: bool = False,
) -> Account:
    """Create a user in the database at `db_url` (audited as done from the command line)."""
    with transaction(db_url) as session:
        user = create_user(session, username, password, role, units, new_units)
        detail = f"{user.username} ({user.role}; yksiköt: {', '.join(user.units) or '–'})"
        audit.record(session, None, "user_create", detail=detail, username=CLI_ACTOR)
        return _account(user)


def update_user(
    db_url: str,
    username: str,
    *,
    units: Iterable[str] | None = None,
    active: bool | None = None,
    role: str | None = None,
    password: str | None = None,
    new_units: bool = False,
) -> Account:
    """Change a user's units, active state, role or password; None leaves a field as it is."""
    with transaction(db_url) as session:
        user = get_user(session, username)
        changes = []
        if units is not None:
            set_units(user, units, new_units)
            changes.append(f"yksiköt: {', '.join(user.units) or '–'}")
        if active is not None:
            set_active(user, active)
            changes.append("aktiivinen" if active else "poistettu käytöstä")
        if role is not None:
            if role not in ROLES:
                raise UserError(f"role {role!r}: choose one of {', '.join(ROLES)}", fi="Valitse rooli.")
            user.role = role
            changes.append(f"rooli {role}")
        if password is not None:
            set_password(user, password)
            changes.append("salasana vaihdettu")
        audit.record(
            session, None, "user_update", detail=f"{username}: {'; '.join(changes)}", username=CLI_ACTOR
        )
        return _account(user)


def list_users(db_url: str) -> list[Account]:
    with transaction(db_url) as session:
        return [_account(user) for user in session.scalars(sa.select(User).order_by(User.username))]
