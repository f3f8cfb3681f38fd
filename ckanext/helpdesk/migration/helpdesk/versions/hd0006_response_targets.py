"""Response targets and digests: each organization's help desk settings
(its response target in working days); the daily digest and weekly
summary as notifications of an organization rather than of one issue,
one per user, organization, kind and day (the unique index is what makes
`ckan helpdesk remind` send once however often and on however many nodes
it runs); and who opted out of them.

Revision ID: hd0006_response_targets
Revises: hd0005_last_seen
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "hd0006_response_targets"
down_revision = "hd0005_last_seen"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "helpdesk_organization_settings",
        sa.Column("organization_id", sa.UnicodeText, primary_key=True),
        sa.Column("response_target_days", sa.Integer),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )
    op.alter_column("helpdesk_notification", "issue_id", nullable=True)
    op.add_column("helpdesk_notification",
                  sa.Column("organization_id", sa.UnicodeText))
    op.add_column("helpdesk_notification",
                  sa.Column("digest_day", sa.Date))
    op.create_index(
        "helpdesk_notification_digest_idx", "helpdesk_notification",
        ["kind", "user_id", "organization_id", "digest_day"], unique=True,
        postgresql_where=sa.text("digest_day IS NOT NULL"))
    op.create_table(
        "helpdesk_digest_opt_out",
        sa.Column("user_id", sa.UnicodeText, primary_key=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )


def downgrade():
    op.drop_table("helpdesk_digest_opt_out")
    op.drop_index("helpdesk_notification_digest_idx",
                  "helpdesk_notification")
    # Digests name no issue: they go with the columns that describe them.
    op.execute("DELETE FROM helpdesk_notification WHERE issue_id IS NULL")
    op.drop_column("helpdesk_notification", "digest_day")
    op.drop_column("helpdesk_notification", "organization_id")
    op.alter_column("helpdesk_notification", "issue_id", nullable=False)
    op.drop_table("helpdesk_organization_settings")
