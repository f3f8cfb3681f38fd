"""Inbound mail: the messages taken in by email (a reply that became a
comment, a write-in that became an issue), unique by Message-ID so a
message delivered twice is taken once; and the messages refused or
ignored, with the reason, for the sysadmins' page.

Revision ID: hd0008_mail
Revises: hd0007_imported
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "hd0008_mail"
down_revision = "hd0007_imported"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "helpdesk_mail_message",
        sa.Column("message_id", sa.UnicodeText, primary_key=True),
        sa.Column("sender", sa.UnicodeText, nullable=False),
        sa.Column("recipient", sa.UnicodeText, nullable=False),
        sa.Column("issue_id", sa.UnicodeText,
                  sa.ForeignKey("helpdesk_issue.id", ondelete="CASCADE"),
                  index=True),
        sa.Column("comment_id", sa.UnicodeText,
                  sa.ForeignKey("helpdesk_comment.id", ondelete="SET NULL")),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )
    op.create_table(
        "helpdesk_mail_refusal",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now(), index=True),
        sa.Column("sender", sa.UnicodeText),
        sa.Column("recipient", sa.UnicodeText),
        sa.Column("reason", sa.UnicodeText, nullable=False),
        sa.Column("detail", sa.UnicodeText),
        sa.Column("message_id", sa.UnicodeText),
    )


def downgrade():
    op.drop_table("helpdesk_mail_refusal")
    op.drop_table("helpdesk_mail_message")
