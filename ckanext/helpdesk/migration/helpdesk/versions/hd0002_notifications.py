"""Notifications: pending, sent and failed emails, and opt-outs.

Revision ID: hd0002
Revises: hd0001
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "hd0002"
down_revision = "hd0001"
branch_labels = None
depends_on = None


def _issue_fk(nullable):
    return sa.Column("issue_id", sa.UnicodeText,
                     sa.ForeignKey("helpdesk_issue.id", ondelete="CASCADE"),
                     nullable=nullable)


def _timestamp(name, nullable=False):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable,
                     server_default=None if nullable else sa.func.now())


def upgrade():
    op.create_table(
        "helpdesk_notification",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        _issue_fk(nullable=False),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("reason", sa.UnicodeText, nullable=False),
        sa.Column("user_id", sa.UnicodeText),
        sa.Column("email", sa.UnicodeText, nullable=False),
        sa.Column("recipient_name", sa.UnicodeText),
        sa.Column("actor_id", sa.UnicodeText),
        sa.Column("comment_id", sa.UnicodeText,
                  sa.ForeignKey("helpdesk_comment.id", ondelete="SET NULL")),
        sa.Column("changes", sa.JSON),
        sa.Column("status", sa.UnicodeText, nullable=False,
                  server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.UnicodeText),
        _timestamp("next_attempt_at"),
        _timestamp("created"),
        _timestamp("sent_at", nullable=True),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed')",
                           name="helpdesk_notification_status_check"),
    )
    # What `ckan helpdesk send-pending` reads: pending and due.
    op.create_index("helpdesk_notification_due_idx", "helpdesk_notification",
                    ["next_attempt_at"],
                    postgresql_where=sa.text("status = 'pending'"))
    op.create_index("helpdesk_notification_issue_idx",
                    "helpdesk_notification", ["issue_id"])
    op.create_index("helpdesk_notification_created_idx",
                    "helpdesk_notification", [sa.text("created DESC")])

    op.create_table(
        "helpdesk_notification_opt_out",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        _issue_fk(nullable=True),
        sa.Column("user_id", sa.UnicodeText),
        sa.Column("email", sa.UnicodeText),
        _timestamp("created"),
        sa.CheckConstraint("user_id IS NOT NULL OR email IS NOT NULL",
                           name="helpdesk_notification_opt_out_who_check"),
    )
    op.create_index("helpdesk_notification_opt_out_user_idx",
                    "helpdesk_notification_opt_out", ["user_id", "issue_id"])
    op.create_index("helpdesk_notification_opt_out_email_idx",
                    "helpdesk_notification_opt_out",
                    [sa.text("lower(email)"), "issue_id"])


def downgrade():
    op.drop_table("helpdesk_notification_opt_out")
    op.drop_table("helpdesk_notification")
