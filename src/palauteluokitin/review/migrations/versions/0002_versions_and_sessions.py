"""Case versions (a decision made on an outdated reading is refused), per-user session
generations (logout, a new password or deactivation ends every session of the user),
and on SQLite a trigger that refuses an INSERT replacing an audit entry.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

APPEND_ONLY = "review audit log is append-only"


def upgrade() -> None:
    with op.batch_alter_table("review_cases") as table:
        table.add_column(sa.Column("version", sa.Integer, nullable=False, server_default="1"))
    with op.batch_alter_table("review_users") as table:
        table.add_column(sa.Column("session_generation", sa.Integer, nullable=False, server_default="0"))
    if op.get_bind().dialect.name == "sqlite":
        # INSERT OR REPLACE deletes the old row without firing the DELETE trigger
        # (SQLite runs no delete triggers for REPLACE unless recursive_triggers is on).
        op.execute(
            "CREATE TRIGGER review_audit_log_no_replace BEFORE INSERT ON review_audit_log "
            "WHEN EXISTS (SELECT 1 FROM review_audit_log WHERE id = NEW.id) "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER review_audit_log_no_replace")
    with op.batch_alter_table("review_users") as table:
        table.drop_column("session_generation")
    with op.batch_alter_table("review_cases") as table:
        table.drop_column("version")
