"""Login and logout pages."""

from __future__ import annotations

import time

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for

from palauteluokitin.errors import LoginThrottledError
from palauteluokitin.review import audit
from palauteluokitin.review.auth import authenticate, end_sessions
from palauteluokitin.review.web_session import client_ip, start_session

auth = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """Only a path on this site: never another host (`//evil`, `https://…`). Browsers drop
    tabs and line breaks from a URL, so `/<tab>/evil` would become `//evil`: a target with
    whitespace or a control character is refused too."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and target.isprintable()
        and not any(character.isspace() for character in target)
    ):
        return target
    return url_for("cases.queue")


@auth.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        if g.user is not None:
            return redirect(url_for("cases.queue"))
        return render_template("login.html", next=request.args.get("next", ""))
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    target = request.form.get("next", "")
    try:
        user = authenticate(g.db, username, password, client_ip())
    except LoginThrottledError:
        g.db.commit()
        message = "Liian monta epäonnistunutta kirjautumista. Yritä uudelleen 15 minuutin kuluttua."
        return render_template("login.html", error=message, next=target, username=username), 429
    if user is None:
        audit.record(g.db, None, "login_failed", username=username[:100], ip=client_ip())
        g.db.commit()
        message = "Väärä käyttäjätunnus tai salasana."
        return render_template("login.html", error=message, next=target, username=username), 401
    audit.record(g.db, user, "login", ip=client_ip())
    g.db.commit()
    start_session(user, time.time())
    return redirect(safe_next(target))


@auth.route("/logout", methods=["POST"])
def logout():
    """End the session here and in every other browser of the user (a copied cookie too)."""
    end_sessions(g.user)
    audit.record(g.db, g.user, "logout", ip=client_ip())
    g.db.commit()
    session.clear()
    flash("Olet kirjautunut ulos.")
    return redirect(url_for("auth.login"))
