"""Open311 tokens: the opaque token a client gets for a report held for
moderation, stored only as its SHA-256.

Revision ID: hd0004_open311_tokens
Revises: hd0003_notification_checks
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "hd0004_open311_tokens"
down_revision = "hd0003_notification_checks"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "helpdesk_open311_token",
        sa.Column("token_hash", sa.UnicodeText, primary_key=True),
        sa.Column("issue_id", sa.UnicodeText,
                  sa.ForeignKey("helpdesk_issue.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )


def downgrade():
    op.drop_table("helpdesk_open311_token")
