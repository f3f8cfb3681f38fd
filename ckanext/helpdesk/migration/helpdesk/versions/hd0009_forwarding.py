"""Federation: the Open311 routes an organization's admins set
(helpdesk_forward_route), one durable row per issue forwarded to one
endpoint (helpdesk_forward: state, attempts, next attempt, remote id, last
error; unique per issue and endpoint, so an issue goes to an endpoint
once), the remote updates already applied (helpdesk_forward_update, unique
per forward and update id: `ckan helpdesk sync` applies each once), each
endpoint's last sync (helpdesk_forward_sync), and where an issue that
came in over Open311 came from (helpdesk_issue_origin: never forwarded
back there; the origin's own key makes a repeated POST answer the first
request's id).

Revision ID: hd0009_forwarding
Revises: hd0008_mail
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "hd0009_forwarding"
down_revision = "hd0008_mail"
branch_labels = None
depends_on = None


def _now():
    return sa.Column("created", sa.DateTime(timezone=True), nullable=False,
                     server_default=sa.func.now())


def _issue_fk(name="issue_id", primary_key=False):
    return sa.Column(name, sa.UnicodeText, sa.ForeignKey(
        "helpdesk_issue.id", ondelete="CASCADE"), nullable=False,
        primary_key=primary_key, index=not primary_key)


def upgrade():
    op.create_table(
        "helpdesk_forward_route",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("organization_id", sa.UnicodeText, nullable=False,
                  index=True),
        sa.Column("name", sa.UnicodeText, nullable=False),
        sa.Column("base_url", sa.UnicodeText, nullable=False),
        sa.Column("api_key", sa.UnicodeText),
        sa.Column("jurisdiction_id", sa.UnicodeText),
        sa.Column("service_codes", sa.JSON, nullable=False,
                  server_default="{}"),
        _now(),
        sa.UniqueConstraint("organization_id", "base_url"),
    )
    op.create_table(
        "helpdesk_forward",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        _issue_fk(),
        sa.Column("route_kind", sa.UnicodeText, nullable=False),
        sa.Column("route_id", sa.UnicodeText),
        sa.Column("endpoint_name", sa.UnicodeText, nullable=False),
        sa.Column("base_url", sa.UnicodeText, nullable=False),
        sa.Column("jurisdiction_id", sa.UnicodeText),
        sa.Column("service_code", sa.UnicodeText, nullable=False),
        sa.Column("remote_dataset", sa.UnicodeText),
        sa.Column("dedupes", sa.Boolean, nullable=False,
                  server_default=sa.false()),
        sa.Column("state", sa.UnicodeText, nullable=False,
                  server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False,
                  server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True),
                  nullable=False, server_default=sa.func.now()),
        sa.Column("last_error", sa.UnicodeText),
        sa.Column("remote_id", sa.UnicodeText),
        sa.Column("remote_token", sa.UnicodeText),
        sa.Column("remote_url", sa.UnicodeText),
        sa.Column("remote_status", sa.UnicodeText),
        sa.Column("remote_notes", sa.UnicodeText),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
        _now(),
        sa.UniqueConstraint("issue_id", "base_url"),
    )
    op.create_index("helpdesk_forward_due_idx", "helpdesk_forward",
                    ["next_attempt_at"],
                    postgresql_where=sa.text("state = 'pending'"))
    op.create_index("helpdesk_forward_remote_idx", "helpdesk_forward",
                    ["base_url", "remote_id"])
    op.create_table(
        "helpdesk_forward_update",
        sa.Column("forward_id", sa.UnicodeText, sa.ForeignKey(
            "helpdesk_forward.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("update_id", sa.UnicodeText, primary_key=True),
        _now(),
    )
    op.create_table(
        "helpdesk_forward_sync",
        sa.Column("base_url", sa.UnicodeText, primary_key=True),
        sa.Column("synced_until", sa.DateTime(timezone=True)),
        sa.Column("has_updates", sa.Boolean),
    )
    op.create_table(
        "helpdesk_issue_origin",
        _issue_fk(primary_key=True),
        sa.Column("origin_url", sa.UnicodeText, nullable=False),
        sa.Column("origin_key", sa.UnicodeText),
        _now(),
    )
    op.create_index("helpdesk_issue_origin_key_idx", "helpdesk_issue_origin",
                    ["origin_url", "origin_key"], unique=True,
                    postgresql_where=sa.text("origin_key IS NOT NULL"))


def downgrade():
    op.drop_table("helpdesk_issue_origin")
    op.drop_table("helpdesk_forward_sync")
    op.drop_table("helpdesk_forward_update")
    op.drop_table("helpdesk_forward")
    op.drop_table("helpdesk_forward_route")
