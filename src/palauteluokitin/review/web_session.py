"""What every route reads of the request and the session: the client's address and the CSRF token."""

from __future__ import annotations

import secrets

from flask import request, session

CSRF_FIELD = "csrf_token"


def csrf_token() -> str:
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


def client_ip() -> str:
    return (request.remote_addr or "")[:64]
