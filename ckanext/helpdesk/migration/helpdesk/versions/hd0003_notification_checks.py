"""Notifications checked again when they are sent: the skipped status and
its reason, opaque unsubscribe tokens, and the confirmation of anonymous
addresses.

Revision ID: hd0003_notification_checks
Revises: hd0002
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "hd0003_notification_checks"
down_revision = "hd0002"
branch_labels = None
depends_on = None

STATUS_CHECK = "helpdesk_notification_status_check"


def upgrade():
    op.drop_constraint(STATUS_CHECK, "helpdesk_notification", type_="check")
    op.create_check_constraint(
        STATUS_CHECK, "helpdesk_notification",
        "status IN ('pending', 'sent', 'failed', 'skipped')")
    op.add_column("helpdesk_notification",
                  sa.Column("skip_reason", sa.UnicodeText))
    op.add_column("helpdesk_notification",
                  sa.Column("token_hash", sa.UnicodeText, unique=True))

    op.create_table(
        "helpdesk_email_confirmation",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("issue_id", sa.UnicodeText,
                  sa.ForeignKey("helpdesk_issue.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("email", sa.UnicodeText, nullable=False),
        sa.Column("token_hash", sa.UnicodeText, unique=True),
        sa.Column("token_created", sa.DateTime(timezone=True)),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("confirmed_at", sa.DateTime(timezone=True)),
    )
    # One per address and issue, whatever the case of the address: the
    # INSERT ... ON CONFLICT of concurrent reports relies on it.
    op.create_index("helpdesk_email_confirmation_address_idx",
                    "helpdesk_email_confirmation",
                    ["issue_id", sa.text("lower(email)")], unique=True)
    # What the send-time check reads: the confirmation emails an address
    # got lately.
    op.create_index("helpdesk_notification_confirm_address_idx",
                    "helpdesk_notification",
                    [sa.text("lower(email)"), "sent_at"],
                    postgresql_where=sa.text("kind = 'confirm_address'"))


def downgrade():
    op.drop_index("helpdesk_notification_confirm_address_idx",
                  "helpdesk_notification")
    op.drop_table("helpdesk_email_confirmation")
    op.execute("DELETE FROM helpdesk_notification WHERE status = 'skipped'")
    op.drop_column("helpdesk_notification", "token_hash")
    op.drop_column("helpdesk_notification", "skip_reason")
    op.drop_constraint(STATUS_CHECK, "helpdesk_notification", type_="check")
    op.create_check_constraint(
        STATUS_CHECK, "helpdesk_notification",
        "status IN ('pending', 'sent', 'failed')")
