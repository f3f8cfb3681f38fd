"""Webhooks and Open311 updates: the URLs organizations have their issues'
events POSTed to, each event's delivery to each and every attempt at it;
and the updates Open311 clients POSTed, by their own update_id, so the
same update sent twice is one reply.

Revision ID: hd0010_webhooks
Revises: hd0009_forwarding
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "hd0010_webhooks"
down_revision = "hd0009_forwarding"
branch_labels = None
depends_on = None


def _created():
    return sa.Column("created", sa.DateTime(timezone=True), nullable=False,
                     server_default=sa.func.now())


def upgrade():
    op.create_table(
        "helpdesk_open311_update",
        sa.Column("user_id", sa.UnicodeText, primary_key=True),
        sa.Column("external_id", sa.UnicodeText, primary_key=True),
        sa.Column("issue_id", sa.UnicodeText,
                  sa.ForeignKey("helpdesk_issue.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("comment_id", sa.UnicodeText,
                  sa.ForeignKey("helpdesk_comment.id", ondelete="CASCADE")),
        _created(),
    )
    op.create_table(
        "helpdesk_webhook",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("organization_id", sa.UnicodeText, nullable=False,
                  index=True),
        sa.Column("url", sa.UnicodeText, nullable=False),
        sa.Column("events", sa.JSON, nullable=False),
        sa.Column("internal", sa.Boolean, nullable=False,
                  server_default=sa.false()),
        sa.Column("secret", sa.UnicodeText, nullable=False),
        sa.Column("creator_id", sa.UnicodeText),
        _created(),
        sa.Column("secret_rotated", sa.DateTime(timezone=True),
                  nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "helpdesk_webhook_delivery",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("webhook_id", sa.UnicodeText,
                  sa.ForeignKey("helpdesk_webhook.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("event", sa.UnicodeText, nullable=False),
        sa.Column("issue_id", sa.UnicodeText),
        sa.Column("body", sa.UnicodeText, nullable=False),
        sa.Column("status", sa.UnicodeText, nullable=False,
                  server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True),
                  nullable=False, server_default=sa.func.now()),
        _created(),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint("status IN ('pending', 'delivered', 'failed')",
                           name="helpdesk_webhook_delivery_status_check"),
    )
    op.create_index("helpdesk_webhook_delivery_due_idx",
                    "helpdesk_webhook_delivery", ["next_attempt_at"],
                    postgresql_where=sa.text("status = 'pending'"))
    op.create_table(
        "helpdesk_webhook_attempt",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("delivery_id", sa.UnicodeText,
                  sa.ForeignKey("helpdesk_webhook_delivery.id",
                                ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("attempted_at", sa.DateTime(timezone=True),
                  nullable=False, server_default=sa.func.now()),
        sa.Column("response_code", sa.Integer),
        sa.Column("error", sa.UnicodeText),
        sa.Column("duration_ms", sa.Integer),
    )


def downgrade():
    op.drop_table("helpdesk_webhook_attempt")
    op.drop_table("helpdesk_webhook_delivery")
    op.drop_table("helpdesk_webhook")
    op.drop_table("helpdesk_open311_update")
