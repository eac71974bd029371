"""The queue and the case page, with the reviewer's actions."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from palauteluokitin.errors import CaseNotFoundError, ReviewError
from palauteluokitin.labels import RIGHTS_CATEGORIES, SENTIMENTS
from palauteluokitin.review import audit
from palauteluokitin.review import cases as case_rules
from palauteluokitin.review.db import utcnow
from palauteluokitin.review.highlight import highlight
from palauteluokitin.review.web_session import client_ip

cases = Blueprint("cases", __name__)
SNIPPET_CHARS = 140


def snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1].rstrip() + "…"


def case_or_404(case_id: int):
    try:
        return case_rules.get_case(g.db, g.user, case_id)
    except CaseNotFoundError:
        abort(404)


@cases.route("/")
def queue():
    unit = request.args.get("yksikko", "")
    state = request.args.get("tila", case_rules.OPEN)
    if state not in case_rules.STATE_FILTERS:
        state = case_rules.OPEN
    overdue_only = request.args.get("myohassa") == "1"
    page_text = request.args.get("sivu", "1")
    page = int(page_text) if page_text.isdigit() and len(page_text) < 10 else 1
    shown = case_rules.queue(g.db, g.user, unit=unit, state=state, overdue_only=overdue_only, page=page)
    if shown.rows:
        listed = ", ".join(str(row.case.id) for row in shown.rows)
        audit.record(g.db, g.user, "queue_view", detail=f"sivu {shown.page}: {listed}", ip=client_ip())
        g.db.commit()
    units = case_rules.visible_units(g.db, g.user)
    return render_template(
        "queue.html",
        shown=shown,
        units=units,
        units_without_cases=[] if g.user.is_admin else [name for name in g.user.units if name not in units],
        unit=unit,
        state=state,
        states=case_rules.STATE_FILTERS,
        overdue_only=overdue_only,
        snippet=snippet,
        split_reasons=case_rules.split_reasons,
    )


@cases.route("/cases/<id:case_id>")
def case_page(case_id: int):
    case = case_or_404(case_id)
    case_rules.record_view(g.db, g.user, case, ip=client_ip())
    g.db.commit()
    now = utcnow()
    reasons = case_rules.split_reasons(case.flag_reasons)
    corrected = case.corrected_categories is not None
    return render_template(
        "case.html",
        case=case,
        text=highlight(case.text, reasons),
        reasons=reasons,
        priority=case_rules.priority(case, now),
        overdue=case_rules.is_overdue(case, now),
        predicted=[label for label in case.categories.split(",") if label],
        current_categories=(case.corrected_categories if corrected else case.categories).split(","),
        current_sentiment=case.corrected_sentiment or case.sentiment,
        current_flag=1 if case.corrected_flag is None else case.corrected_flag,
        history=audit.case_history(g.db, case.id),
        categories=RIGHTS_CATEGORIES,
        sentiments=SENTIMENTS,
    )


def act(case_id: int, action, success: str):
    """Run one decision on a visible case, as of the version the form was made from
    (field `versio`), commit it, and go back to the case page."""
    case = case_or_404(case_id)
    try:
        case_rules.check_version(case, request.form.get("versio"))
        action(case)
        case_rules.commit(g.db)
    except ReviewError as error:
        g.db.rollback()
        flash(error.fi, "virhe")
        return redirect(url_for("cases.case_page", case_id=case_id)), 303
    flash(success)
    return redirect(url_for("cases.case_page", case_id=case_id)), 303


@cases.route("/cases/<id:case_id>/take", methods=["POST"])
def take(case_id: int):
    return act(
        case_id,
        lambda case: case_rules.take(g.db, g.user, case, ip=client_ip()),
        "Otit tapauksen käsittelyyn.",
    )


@cases.route("/cases/<id:case_id>/note", methods=["POST"])
def note(case_id: int):
    text = request.form.get("text", "")
    return act(
        case_id,
        lambda case: case_rules.add_note(g.db, g.user, case, text, ip=client_ip()),
        "Muistiinpano tallennettu.",
    )


@cases.route("/cases/<id:case_id>/resolve", methods=["POST"])
def resolve(case_id: int):
    outcome = request.form.get("outcome", "")
    return act(
        case_id,
        lambda case: case_rules.resolve(g.db, g.user, case, outcome, ip=client_ip()),
        "Tapaus ratkaistu.",
    )


@cases.route("/cases/<id:case_id>/labels", methods=["POST"])
def labels(case_id: int):
    categories = request.form.getlist("categories")
    sentiment = request.form.get("sentiment", "")
    flag_value = request.form.get("flag", "")
    flag = int(flag_value) if flag_value in ("0", "1") else -1
    return act(
        case_id,
        lambda case: case_rules.correct_labels(
            g.db, g.user, case, categories, sentiment, flag, ip=client_ip()
        ),
        "Luokat korjattu.",
    )
