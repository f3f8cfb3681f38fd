"""An organization's own help desk addresses, set by its admins on its
settings page beside its response target.

Revision ID: hd0011_organization_emails
Revises: hd0010_webhooks
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "hd0011_organization_emails"
down_revision = "hd0010_webhooks"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("helpdesk_organization_settings",
                  sa.Column("notify_emails", sa.JSON))


def downgrade():
    op.drop_column("helpdesk_organization_settings", "notify_emails")
