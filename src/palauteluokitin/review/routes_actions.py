"""Kehittämistoimenpiteet: the development actions of the user's units, a form to add one,
and an action's page with its evidence, its effect and the forms that move it on.

Who: everyone logged in reads the actions of their units (admins all); admins and the
unit's managers add and change them (others get 403, an action of another unit is 404);
only an admin or the action's owner marks its public summary ready (`actions.update_action`).
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from palauteluokitin.errors import ActionError, ReviewError
from palauteluokitin.exports.values import date_text, month_text
from palauteluokitin.labels import RIGHTS_CATEGORIES
from palauteluokitin.review import actions as rules
from palauteluokitin.review.cases import commit
from palauteluokitin.review.db import utcnow
from palauteluokitin.review.figures import Share, effect
from palauteluokitin.review.web_session import client_ip

actions = Blueprint("actions", __name__)


@actions.app_template_filter("paiva")
def finnish_date(value: date | None) -> str:
    return date_text(value) if value else "–"


def date_from_form(field: str) -> date | None:
    text = request.form.get(field, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ActionError(f"{field} {text!r} is not a date", fi="Päivämäärä ei kelpaa.") from None


def manages_any() -> bool:
    return g.user.is_admin or (g.user.role == "manager" and bool(g.user.units))


def action_or_404(action_id: int):
    try:
        return rules.get_action(g.db, g.user, action_id)
    except ActionError:
        abort(404)


@actions.route("/toimenpiteet")
def action_list():
    shown = rules.actions_of(g.db, g.user)
    today = utcnow().date()
    units = sorted(rules.known_units(g.db) | {a.unit for a in shown}) if g.user.is_admin else g.user.units
    targets = [
        (unit, len(rules.actions_in_year([action for action in shown if action.unit == unit], today)))
        for unit in units
    ]
    return render_template(
        "actions.html", shown=shown, targets=targets, target=rules.TARGET, can_add=manages_any()
    )


@actions.route("/toimenpiteet/uusi", methods=["GET", "POST"])
def new_action():
    if not manages_any():
        abort(403)
    units = sorted(unit for unit in rules.known_units(g.db) if rules.can_manage(g.user, unit))
    form = {"categories": []}
    if request.method == "POST":
        form = {
            name: request.form.get(name, "")
            for name in ("unit", "title", "description", "planned_on", "owner", "public_summary")
        }
        form["categories"] = request.form.getlist("categories")
        try:
            action = rules.add_action(
                g.db,
                g.user,
                unit=form["unit"],
                title=form["title"],
                categories=form["categories"],
                description=form["description"],
                owner=form["owner"].strip() or None,
                planned_on=date_from_form("planned_on"),
                public_summary=form["public_summary"],
                ip=client_ip(),
            )
            g.db.commit()
        except ReviewError as error:
            g.db.rollback()
            flash(error.fi, "virhe")
        else:
            flash("Toimenpide lisätty.")
            return redirect(url_for("actions.action_page", action_id=action.id), 303)
    return render_template("actions_new.html", units=units, categories=RIGHTS_CATEGORIES, form=form)


@actions.route("/toimenpiteet/<id:action_id>")
def action_page(action_id: int):
    action = action_or_404(action_id)
    categories = [label for label in action.categories.split(",") if label]
    negative, total = action.evidence.get("negative_in_categories", [0, 0])
    done = action.status == rules.DONE and action.completed_on is not None
    return render_template(
        "actions_page.html",
        action=action,
        categories=categories,
        evidence=action.evidence,
        evidence_share=Share(negative, total),
        effect=effect(g.db, action.unit, categories, action.completed_on) if done else None,
        can_manage=rules.can_manage(g.user, action.unit),
        can_mark_ready=g.user.is_admin or (action.owner is not None and action.owner.id == g.user.id),
        month=month_text,
        next_statuses=[status for status in rules.STATUSES if status in rules.NEXT_STATUSES[action.status]],
    )


def change(action_id: int, success: str, changes):
    """Change a visible action of a unit the user manages as `changes()` says (the fields of
    `actions.update_action`), as of the version the form was made from (field `versio`),
    commit it, and go back to the action's page."""
    action = action_or_404(action_id)
    if not rules.can_manage(g.user, action.unit):
        abort(403)
    try:
        changed = rules.update_action(
            g.db, g.user, action, seen_version=request.form.get("versio"), ip=client_ip(), **changes()
        )
        commit(g.db, fi=rules.CHANGED_FI)
    except ReviewError as error:
        g.db.rollback()
        flash(error.fi, "virhe")
    else:
        flash(success if changed else "Mitään ei muuttunut.")
    return redirect(url_for("actions.action_page", action_id=action_id)), 303


@actions.route("/toimenpiteet/<id:action_id>/tila", methods=["POST"])
def move(action_id: int):
    return change(
        action_id,
        "Tila vaihdettu.",
        lambda: {
            "status": request.form.get("status", ""),
            "completed_on": date_from_form("completed_on"),
        },
    )


@actions.route("/toimenpiteet/<id:action_id>/tiivistelma", methods=["POST"])
def summary(action_id: int):
    return change(
        action_id,
        "Julkinen tiivistelmä tallennettu.",
        lambda: {"public_summary": request.form.get("public_summary", "")},
    )


@actions.route("/toimenpiteet/<id:action_id>/julkaisu", methods=["POST"])
def ready(action_id: int):
    ready = request.form.get("ready") == "1"
    return change(
        action_id,
        "Tiivistelmä hyväksytty julkaistavaksi." if ready else "Tiivistelmä poistettu julkaisusta.",
        lambda: {"public_ready": ready},
    )
