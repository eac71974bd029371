"""`palauteluokitin review …`: thin click wrappers over the review library."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import click

from palauteluokitin.review import DAYS_ENV, DB_ENV, DEFAULT_DB_FILE, PASSWORD_ENV

db_option = click.option(
    "--db",
    "db_url",
    envvar=DB_ENV,
    default=DEFAULT_DB_FILE,
    show_default=True,
    help=f"Database URL (sqlite:///FILE, postgresql://USER:PASSWORD@HOST/DB) or a SQLite file path; "
    f"env {DB_ENV}.",
)

new_unit_option = click.option(
    "--new-unit",
    is_flag=True,
    help="Accept --unit values that no case has yet (a unit whose comments are still to be imported); "
    "without it such a unit is refused, with the closest known unit suggested.",
)


def _password(confirm: bool = True) -> str:
    return os.environ.get(PASSWORD_ENV) or click.prompt(
        "Password", hide_input=True, confirmation_prompt=confirm
    )


@click.group("review")
def review() -> None:
    """The reviewer triage queue for flagged mistreatment complaints."""


@review.command("init")
@db_option
@click.option(
    "--review-days",
    type=click.IntRange(min=1),
    help=f"Days a reviewer has for a case (due date = import time + this); env {DAYS_ENV}; "
    "kept from the last init, default 7.",
)
def init_cli(db_url: str, review_days: int | None) -> None:
    """Create or upgrade the review database and generate its session secret."""
    from palauteluokitin.review.db import init_database

    result = init_database(db_url, review_days)
    secret = "generated a new session secret" if result.created_secret else "kept the session secret"
    click.echo(f"{result.url}: schema up to date, {secret}, time limit {result.review_days} days.")


@review.command("add-user")
@db_option
@click.argument("username")
@click.option("--role", type=click.Choice(["reviewer", "manager", "admin"]), required=True)
@click.option("--unit", "units", multiple=True, help="A unit whose cases the user sees; repeat for more.")
@new_unit_option
def add_user_cli(db_url: str, username: str, role: str, units: tuple[str, ...], new_unit: bool) -> None:
    """Create a user; the password comes from a prompt or PALAUTELUOKITIN_PASSWORD."""
    from palauteluokitin.review.auth import add_user

    account = add_user(db_url, username, _password(), role, units, new_units=new_unit)
    click.echo(f"created {account.role} {account.username}; units: {', '.join(account.units) or '–'}")


@review.command("set-user")
@db_option
@click.argument("username")
@click.option("--unit", "units", multiple=True, help="Replace the user's units with these; repeat for more.")
@click.option("--no-units", is_flag=True, help="Remove all of the user's units.")
@new_unit_option
@click.option("--role", type=click.Choice(["reviewer", "manager", "admin"]))
@click.option("--active/--inactive", default=None, help="Let the user log in, or deactivate them.")
@click.option(
    "--password", "new_password", is_flag=True, help=f"Set a new password (prompt or {PASSWORD_ENV})."
)
def set_user_cli(db_url, username, units, no_units, new_unit, role, active, new_password) -> None:
    """Change a user's units, role, active state or password."""
    from palauteluokitin.review.auth import update_user

    account = update_user(
        db_url,
        username,
        units=[] if no_units else (units or None),
        active=active,
        role=role,
        password=_password() if new_password else None,
        new_units=new_unit,
    )
    state = "active" if account.active else "inactive"
    click.echo(f"{account.username}: {account.role}, {state}; units: {', '.join(account.units) or '–'}")


@review.command("users")
@db_option
def users_cli(db_url: str) -> None:
    """List the users, their roles, units and whether they can log in."""
    from palauteluokitin.review.auth import list_users

    for account in list_users(db_url):
        state = "active" if account.active else "inactive"
        click.echo(f"{account.username:20} {account.role:8} {state:8} {', '.join(account.units) or '–'}")


@review.command("import")
@db_option
@click.argument("classified_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--unit-column", help="Column naming the unit; default: yksikkö, unit or toimipiste if present."
)
@click.option("--text-column", help="Column with the comment text; default: detected.")
@click.option("--id-column", help="Column with the comment id; default: detected.")
@click.option("--date-column", help="Column with the answer date; default: detected (pvm, date…).")
@click.option("--nps-column", help="Column with the 0–10 recommendation score; default: detected.")
def import_cli(
    db_url, classified_file: Path, unit_column, text_column, id_column, date_column, nps_column
) -> None:
    """Make a case of every flagged row of a classified export, and keep every answer as
    numbers for the figures of units and months (re-imports add only new ids)."""
    from palauteluokitin.review.importer import import_classified

    result = import_classified(
        db_url,
        classified_file,
        unit_column=unit_column,
        text_column=text_column,
        id_column=id_column,
        date_column=date_column,
        nps_column=nps_column,
    )
    click.echo(
        f"{classified_file.name}: {result.rows} rows, {result.new} new cases, "
        f"{result.already_present} already present, {result.not_flagged} not flagged, "
        f"{result.without_comment} without a comment, {result.skipped} skipped (problem); "
        f"{result.answers} new answers in the figures."
    )
    if result.different_text:
        click.echo(
            f"Warning: {result.different_text} flagged row(s) have the id of an existing case but another "
            "text and were not imported; make the ids unique across exports (e.g. with --id-column).",
            err=True,
        )


@review.command("export-annotations")
@db_option
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--corrected-only", is_flag=True, help="Only cases whose labels a reviewer corrected.")
@click.option("--overwrite", is_flag=True, help="Replace OUT if it exists.")
def export_annotations_cli(db_url: str, out: Path, corrected_only: bool, overwrite: bool) -> None:
    """Write reviewers' decisions and label corrections as corpus-format CSV rows."""
    from palauteluokitin.review.annotations import export_annotations

    count = export_annotations(db_url, out, corrected_only=corrected_only, overwrite=overwrite)
    click.echo(f"wrote {count} annotated rows to {out}")


@review.command("serve")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="0: any free port."
)
@click.option("--threads", default=4, show_default=True, type=click.IntRange(min=1), help="Worker threads.")
@click.option(
    "--secure-cookies",
    is_flag=True,
    help="Always mark the session cookie Secure (behind an HTTPS proxy); HTTPS requests get it anyway.",
)
@click.option(
    "--proxy-count",
    default=0,
    show_default=True,
    type=click.IntRange(0, 5),
    help="Reverse proxies in front of the app whose X-Forwarded-For/-Proto to trust; "
    "without it every client behind a proxy has the proxy's address (login throttling).",
)
def serve_cli(
    db_url: str, host: str, port: int, threads: int, secure_cookies: bool, proxy_count: int
) -> None:
    """Run the review web app with the waitress WSGI server."""
    from waitress import create_server

    from palauteluokitin.review.app import create_app, dispose

    app = create_app(db_url, secure_cookies=secure_cookies, proxy_count=proxy_count)
    for name in ("SIGTERM", "SIGHUP"):  # how a server is stopped, not an interrupted write: no message
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    server = create_server(app, host=host, port=port, threads=threads, ident="palauteluokitin")
    click.echo(f"serving the review queue on http://{host}:{server.effective_port}/ (Ctrl+C stops)")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        dispose(app)


STATUS_NAMES = ("suunniteltu", "käynnissä", "toteutettu", "luovuttu")  # review.actions.STATUSES
iso_date = click.DateTime(["%Y-%m-%d"])


@review.group("actions")
def actions_group() -> None:
    """Development actions (kehittämistoimenpiteet) of units: add, list, update, export."""


def _day(value):
    return value.date() if value is not None else None


def _evidence_line(evidence: dict) -> str:
    start, end = evidence["period"]
    negative, total = evidence["negative_in_categories"]
    counts = ", ".join(f"{label} {count}" for label, count in evidence["categories"].items())
    cases = ", ".join(str(case) for case in evidence["cases"]) or "–"
    return (
        f"evidence {start}..{end}: {evidence['comments']} comments; {counts}; "
        f"{negative} of {total} negative in these categories; cases: {cases}"
    )


@actions_group.command("add")
@db_option
@click.option(
    "--unit", required=True, help="The unit whose action it is (a unit of imported answers or cases)."
)
@click.option("--title", required=True, help="A short title (redacted when stored).")
@click.option(
    "--categories",
    required=True,
    help="The rights categories it addresses, comma-separated: kohtelu,arvokkuus,tiedonsaanti,saumattomuus.",
)
@click.option("--description", default="", help="What will be done (redacted when stored).")
@click.option("--owner", help="Username of the action's owner; default: none.")
@click.option("--planned", type=iso_date, help="Planned date, YYYY-MM-DD.")
@click.option(
    "--public-summary", default="", help="A summary for clients (redacted; shown when marked ready)."
)
@click.option(
    "--case", "case_ids", type=int, multiple=True, help="A case of the unit behind it; repeat for more."
)
def actions_add_cli(db_url, unit, title, categories, description, owner, planned, public_summary, case_ids):
    """Add a planned action with the unit's figures in its categories over the last 12 months as evidence."""
    from palauteluokitin.errors import ActionError
    from palauteluokitin.review.actions import add_action
    from palauteluokitin.review.db import Case, transaction

    with transaction(db_url) as session:
        for case_id in case_ids:
            case = session.get(Case, case_id)
            if case is None or case.unit != unit.strip():
                raise ActionError(f"no case {case_id} of the unit {unit.strip()!r}")
        action = add_action(
            session,
            None,
            unit=unit,
            title=title,
            categories=[label.strip() for label in categories.split(",") if label.strip()],
            description=description,
            owner=owner,
            planned_on=_day(planned),
            public_summary=public_summary,
            case_ids=case_ids,
        )
        click.echo(f"added action {action.id} ({action.status}) of {action.unit}: {action.categories}")
        click.echo(_evidence_line(action.evidence))


@actions_group.command("list")
@db_option
@click.option("--unit", help="Only this unit's actions.")
@click.option("--status", type=click.Choice(STATUS_NAMES), help="Only actions in this status.")
def actions_list_cli(db_url: str, unit: str | None, status: str | None) -> None:
    """List the actions, newest first: id, unit, status, categories, owner, dates, public summary ready."""
    from palauteluokitin.review.actions import actions_of
    from palauteluokitin.review.db import transaction

    header = ("id", "unit", "status", "categories", "owner", "planned", "completed", "ready")
    rows = [header]
    with transaction(db_url) as session:
        for action in actions_of(session, unit=unit):
            if status and action.status != status:
                continue
            rows.append(
                (
                    str(action.id),
                    action.unit,
                    action.status,
                    action.categories,
                    action.owner.username if action.owner else "–",
                    action.planned_on.isoformat() if action.planned_on else "–",
                    action.completed_on.isoformat() if action.completed_on else "–",
                    "yes" if action.public_ready else "no",
                )
            )
    widths = [max(len(row[index]) for row in rows) for index in range(len(header))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


@actions_group.command("update")
@db_option
@click.argument("action_id", type=int)
@click.option("--status", type=click.Choice(STATUS_NAMES), help="Move the action on.")
@click.option("--completed", type=iso_date, help="Completion date with --status toteutettu; default today.")
@click.option(
    "--public-summary", help="Replace the public summary (a changed summary must be marked ready again)."
)
@click.option(
    "--ready/--not-ready", default=None, help="Mark the public summary ready to show, or withdraw it."
)
def actions_update_cli(db_url, action_id, status, completed, public_summary, ready) -> None:
    """Change an action's status, completion date, public summary or whether the summary is shown."""
    from palauteluokitin.review.actions import get_action, update_action
    from palauteluokitin.review.db import transaction

    if completed is not None and status != "toteutettu":
        raise click.ClickException("--completed goes with --status toteutettu")
    with transaction(db_url) as session:
        action = get_action(session, None, action_id)
        changes = update_action(
            session,
            None,
            action,
            status=status,
            completed_on=_day(completed),
            public_summary=public_summary,
            public_ready=ready,
        )
        click.echo(f"action {action.id}: {'; '.join(changes) or 'no change'}")


@actions_group.command("export")
@db_option
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--overwrite", is_flag=True, help="Replace OUT if it exists.")
def actions_export_cli(db_url: str, out: Path, overwrite: bool) -> None:
    """Write every action as a CSV row, with the effect figures of completed ones (the share of negative
    comments in its categories in the unit, 6 months before and after the month it was completed)."""
    from palauteluokitin.review.actions_export import export_actions

    count = export_actions(db_url, out, overwrite=overwrite)
    click.echo(f"wrote {count} actions to {out}")
