"""What puts a post in front of a moderator without one asking: a new
account's first post held back (ckanext.helpdesk.moderation.hold_first_post)
and an issue or comment reported as abusive by enough distinct people
(ckanext.helpdesk.moderation.hide_after_reports). Both leave open abuse
reports, so the moderation queue is the one place where a moderator shows
or hides them."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.expression import ColumnElement

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.helpdesk import visibility
from ckanext.helpdesk.catalogue import N_
from ckanext.helpdesk.model import AbuseReport, Comment, Issue

# The reason of the report that holds a first post (the queue shows it,
# translated).
FIRST_POST = N_("First post of a new account, held until a moderator shows "
                "it.")


def holds_first_post(actor: model.User | None,
                     organization_id: str) -> bool:
    """Whether a post by `actor` to the organization is held: an account
    none of whose issues or comments has been shown yet, and who is no
    member of the organization (staff answer their own issues)."""
    if actor is None or actor.sysadmin or not tk.asbool(
            tk.config.get("ckanext.helpdesk.moderation.hold_first_post")):
        return False
    if visibility.holds(visibility.Viewer(actor.id), organization_id):
        return False
    shown = sa.union_all(
        sa.select(Issue.id).where(Issue.reporter_id == actor.id,
                                  Issue.hidden.is_(False)),
        sa.select(Comment.id).where(Comment.author_id == actor.id,
                                    Comment.hidden.is_(False)),
    ).limit(1)
    return model.Session.execute(shown).first() is None


def hold(issue_id: str, comment_id: str | None = None) -> None:
    """Queue a held post for the moderators of its organization."""
    model.Session.add(AbuseReport(issue_id=issue_id, comment_id=comment_id,
                                  reason=FIRST_POST))


def reported_enough(issue_id: str, comment_id: str | None) -> bool:
    """Whether the open reports about the issue (or one of its comments)
    come from as many distinct people as hide it pending moderation."""
    threshold = tk.config.get("ckanext.helpdesk.moderation.hide_after_reports")
    if not threshold:
        return False
    statement = sa.select(
        sa.func.count(sa.distinct(AbuseReport.reporter_id))
    ).where(*same_target(issue_id, comment_id),
            AbuseReport.resolved_at.is_(None))
    return model.Session.execute(statement).scalar() >= int(threshold)


def same_target(issue_id: str, comment_id: str | None
                ) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """The conditions of the reports about the same issue or comment."""
    return (AbuseReport.issue_id == issue_id,
            AbuseReport.comment_id == comment_id if comment_id
            else AbuseReport.comment_id.is_(None))
