"""Admin pages: users (create, deactivate, set units, reset password) and the audit log."""

from __future__ import annotations

import time

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from palauteluokitin.errors import UserError
from palauteluokitin.review import audit
from palauteluokitin.review import auth as accounts
from palauteluokitin.review.db import User
from palauteluokitin.review.web_session import client_ip, start_session

admin = Blueprint("admin", __name__)
PAGE_SIZE = 100


@admin.before_request
def admins_only():
    if g.user is None or not g.user.is_admin:
        abort(403)


def units_from_form() -> list[str]:
    """One unit a line: unit names have commas in them ("Sairaala, vuodeosastot")."""
    return accounts.clean_units(request.form.get("units", "").splitlines())


def new_units_from_form() -> bool:
    """The admin confirmed units that no case has yet."""
    return request.form.get("new_units") == "1"


@admin.route("/users", methods=["GET", "POST"])
def users():
    form = {}
    if request.method == "POST":
        form = {
            "username": request.form.get("username", "").strip(),
            "role": request.form.get("role", ""),
            "units": request.form.get("units", ""),
        }
        try:
            user = accounts.create_user(
                g.db,
                form["username"],
                request.form.get("password", ""),
                form["role"],
                units_from_form(),
                new_units_from_form(),
            )
        except UserError as error:
            g.db.rollback()
            flash(error.fi, "virhe")
        else:
            detail = f"{user.username} ({user.role}; yksiköt: {', '.join(user.units) or '–'})"
            audit.record(g.db, g.user, "user_create", detail=detail, ip=client_ip())
            g.db.commit()
            flash(f"Käyttäjä {user.username} luotu.")
            return redirect(url_for("admin.users"), 303)
    everyone = g.db.query(User).order_by(User.username).all()
    return render_template("admin/users.html", users=everyone, roles=accounts.ROLES, form=form)


@admin.route("/users/<id:user_id>", methods=["GET", "POST"])
def user_page(user_id: int):
    user = g.db.get(User, user_id)
    if user is None:
        abort(404)
    if request.method == "POST":
        try:
            changes = _apply_user_form(user)
        except UserError as error:
            g.db.rollback()
            flash(error.fi, "virhe")  # the form again with what was typed, to correct it
            units = request.form.get("units", "")
            return render_template("admin/user.html", account=user, roles=accounts.ROLES, units=units)
        audit.record(
            g.db, g.user, "user_update", detail=f"{user.username}: {'; '.join(changes)}", ip=client_ip()
        )
        g.db.commit()
        if user.id == g.user.id:  # a new own password ended this session too: renew it
            start_session(user, time.time())
        flash(f"Käyttäjän {user.username} tiedot tallennettu.")
        return redirect(url_for("admin.user_page", user_id=user_id), 303)
    units = "\n".join(user.units)
    return render_template("admin/user.html", account=user, roles=accounts.ROLES, units=units)


def _apply_user_form(user: User) -> list[str]:
    role = request.form.get("role", user.role)
    if role not in accounts.ROLES:
        raise UserError(f"role {role!r}: choose one of {', '.join(accounts.ROLES)}", fi="Valitse rooli.")
    active = request.form.get("active") == "1"
    if user.id == g.user.id and (not active or role != "admin"):
        raise UserError(
            "you cannot deactivate yourself or remove your own admin role",
            fi="Et voi poistaa omaa käyttöoikeuttasi tai pääkäyttäjän rooliasi.",
        )
    accounts.set_units(user, units_from_form(), new_units_from_form())
    user.role = role
    accounts.set_active(user, active)
    changes = [
        f"rooli {role}",
        "aktiivinen" if active else "poistettu käytöstä",
        f"yksiköt: {', '.join(user.units) or '–'}",
    ]
    password = request.form.get("password", "")
    if password:
        accounts.set_password(user, password)
        changes.append("salasana vaihdettu")
    return changes


@admin.route("/audit")
def audit_log():
    username = request.args.get("kayttaja", "").strip()
    case_text = request.args.get("tapaus", "").strip()
    case_id = int(case_text) if case_text.isdigit() else None
    page_text = request.args.get("sivu", "1")
    page = max(int(page_text), 1) if page_text.isdigit() and len(page_text) < 10 else 1
    rows, total = audit.entries(
        g.db, username=username, case_id=case_id, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    audit.record(g.db, g.user, "audit_view", ip=client_ip())
    g.db.commit()
    return render_template(
        "admin/audit.html",
        rows=rows,
        total=total,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        username=username,
        case_id=case_text,
        actions=audit.ACTIONS,
    )
