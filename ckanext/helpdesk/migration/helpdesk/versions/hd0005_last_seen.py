"""Last seen: when each signed-in user last looked at each issue, for
"updated since you last looked" and the unread marker; and the indexes
that find what a user follows (their subscriptions and votes).

Revision ID: hd0005_last_seen
Revises: hd0004_open311_tokens
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "hd0005_last_seen"
down_revision = "hd0004_open311_tokens"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "helpdesk_last_seen",
        sa.Column("user_id", sa.UnicodeText, primary_key=True),
        sa.Column("issue_id", sa.UnicodeText,
                  sa.ForeignKey("helpdesk_issue.id", ondelete="CASCADE"),
                  primary_key=True, index=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )
    op.create_index("helpdesk_subscription_follower_idx",
                    "helpdesk_subscription", ["user_id"])
    op.create_index("helpdesk_vote_user_idx", "helpdesk_vote", ["user_id"])


def downgrade():
    op.drop_index("helpdesk_vote_user_idx", "helpdesk_vote")
    op.drop_index("helpdesk_subscription_follower_idx",
                  "helpdesk_subscription")
    op.drop_table("helpdesk_last_seen")
