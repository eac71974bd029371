"""What every route reads of the request and the session: the client's address, the CSRF
token, and whether the session still belongs to its user."""

from __future__ import annotations

import secrets

from flask import request, session

CSRF_FIELD = "csrf_token"


def start_session(user, now: float) -> None:
    """A fresh session for `user`, logged in at `now` (seconds since the epoch)."""
    session.clear()
    session.permanent = True
    session["user_id"] = user.id
    session["generation"] = user.session_generation
    session["login_at"] = int(now)
    session[CSRF_FIELD] = secrets.token_urlsafe(32)


def session_is_current(user, hours: int, now: float) -> bool:
    """The session was made for the user's current session generation, within `hours`."""
    login_at = session.get("login_at")
    return (
        session.get("generation") == user.session_generation
        and isinstance(login_at, int)
        and 0 <= now - login_at < hours * 3600
    )


def csrf_token() -> str:
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


def client_ip() -> str:
    return (request.remote_addr or "")[:64]
