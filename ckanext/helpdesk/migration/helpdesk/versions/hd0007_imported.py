"""Imported rows: which row of another tracker (ckanext-issues) became
which help desk row, so an import run again adds only what is new.

Revision ID: hd0007_imported
Revises: hd0006_response_targets
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "hd0007_imported"
down_revision = "hd0006_response_targets"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "helpdesk_imported",
        sa.Column("source", sa.UnicodeText, primary_key=True),
        sa.Column("kind", sa.UnicodeText, primary_key=True),
        sa.Column("source_id", sa.UnicodeText, primary_key=True),
        sa.Column("target_id", sa.UnicodeText, nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )


def downgrade():
    op.drop_table("helpdesk_imported")
