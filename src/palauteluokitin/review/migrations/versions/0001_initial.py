"""The review schema: settings, users and their units, cases, notes, the append-only
audit log (triggers refuse UPDATE and DELETE), and login attempts.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

APPEND_ONLY = "review audit log is append-only"


def upgrade() -> None:
    op.create_table(
        "review_settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "review_users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(100), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "review_user_units",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("review_users.id"), primary_key=True),
        sa.Column("unit", sa.String(200), primary_key=True),
    )
    op.create_table(
        "review_cases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("comment_id", sa.String(200), nullable=False, unique=True),
        sa.Column("unit", sa.String(200), nullable=False, index=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("flag_score", sa.Float, nullable=False),
        sa.Column("flag_reasons", sa.Text, nullable=False),
        sa.Column("categories", sa.String(200), nullable=False),
        sa.Column("category_scores", sa.JSON, nullable=False),
        sa.Column("sentiment", sa.String(20), nullable=False),
        sa.Column("sentiment_score", sa.Float),
        sa.Column("lang", sa.String(10), nullable=False),
        sa.Column("model_version", sa.String(200), nullable=False),
        sa.Column("imported_at", sa.DateTime, nullable=False),
        sa.Column("due_at", sa.DateTime, nullable=False),
        sa.Column("state", sa.String(20), nullable=False, index=True),
        sa.Column("assignee_id", sa.Integer, sa.ForeignKey("review_users.id")),
        sa.Column("outcome", sa.String(40)),
        sa.Column("resolved_at", sa.DateTime),
        sa.Column("resolved_by_id", sa.Integer, sa.ForeignKey("review_users.id")),
        sa.Column("corrected_categories", sa.String(200)),
        sa.Column("corrected_sentiment", sa.String(20)),
        sa.Column("corrected_flag", sa.Integer),
        sa.Column("corrected_by_id", sa.Integer, sa.ForeignKey("review_users.id")),
        sa.Column("corrected_at", sa.DateTime),
    )
    op.create_table(
        "review_notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("review_cases.id"), nullable=False, index=True),
        sa.Column("author_id", sa.Integer, sa.ForeignKey("review_users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_table(
        "review_audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False, index=True),
        sa.Column("user_id", sa.Integer),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("case_id", sa.Integer, index=True),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
    )
    op.create_table(
        "review_login_attempts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("succeeded", sa.Boolean, nullable=False),
    )
    op.create_index("ix_review_login_attempts_key", "review_login_attempts", ["username", "ip", "at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION review_audit_log_refuse() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER review_audit_log_append_only BEFORE UPDATE OR DELETE ON review_audit_log "
            "FOR EACH ROW EXECUTE FUNCTION review_audit_log_refuse()"
        )
        op.execute(
            "CREATE TRIGGER review_audit_log_no_truncate BEFORE TRUNCATE ON review_audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION review_audit_log_refuse()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER review_audit_log_no_{event.lower()} BEFORE {event} ON review_audit_log "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER review_audit_log_no_truncate ON review_audit_log")
        op.execute("DROP TRIGGER review_audit_log_append_only ON review_audit_log")
        op.execute("DROP FUNCTION review_audit_log_refuse()")
    for table in (
        "review_login_attempts",
        "review_audit_log",
        "review_notes",
        "review_cases",
        "review_user_units",
        "review_users",
        "review_settings",
    ):
        op.drop_table(table)
