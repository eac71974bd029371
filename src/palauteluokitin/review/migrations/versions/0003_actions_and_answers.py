"""Development actions of units, and every imported answer as numbers (unit, month,
labels, recommendation score; no text) for the figures of units without complaints.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_answers",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("unit", sa.String(200), nullable=False, index=True),
        sa.Column("month", sa.String(7), nullable=False, index=True),
        sa.Column("commented", sa.Boolean, nullable=False),
        sa.Column("kohtelu", sa.Integer, nullable=False),
        sa.Column("arvokkuus", sa.Integer, nullable=False),
        sa.Column("tiedonsaanti", sa.Integer, nullable=False),
        sa.Column("saumattomuus", sa.Integer, nullable=False),
        sa.Column("sentiment", sa.String(20), nullable=False),
        sa.Column("flag", sa.Integer, nullable=False),
        sa.Column("nps", sa.Integer),
    )
    op.create_table(
        "review_actions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit", sa.String(200), nullable=False, index=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("categories", sa.String(200), nullable=False),
        sa.Column("evidence", sa.JSON, nullable=False),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("review_users.id")),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("planned_on", sa.Date),
        sa.Column("completed_on", sa.Date),
        sa.Column("public_summary", sa.Text, nullable=False),
        sa.Column("public_ready", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("review_actions")
    op.drop_table("review_answers")
