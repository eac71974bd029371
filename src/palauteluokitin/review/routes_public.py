"""The public page `/vaikutukset` ("Mitä palautteesi sai aikaan"), open without login:
figures of all answers and the completed actions' public summaries (see `public`)."""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request, url_for

from palauteluokitin.review.public import public_view

public = Blueprint("public", __name__)


@public.route("/vaikutukset")
def impact():
    try:
        view = public_view(
            g.db,
            unit=request.args.get("yksikko") or None,
            start=request.args.get("alku") or None,
            end=request.args.get("loppu") or None,
        )
    except ValueError:
        abort(404)  # a unit without answers or a month that is no month: no such page
    return render_template(
        "public.html",
        view=view,
        stylesheet_href=url_for("static", filename="review.css"),
        form_action=url_for("public.impact"),
    )
