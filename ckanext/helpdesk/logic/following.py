"""What a signed-in user follows, and what changed on it since they last
looked, as SQLAlchemy expressions over Issue and `join_dataset()`.

A user follows the issues they reported, subscribed to or +1'd. An issue
is "updated since you last looked" when someone else has added to its
timeline, since the user last opened its page (or since it was reported,
when they never did), something the user may read: the comments and
events are filtered by visibility.py's rule, so an internal note, a hidden
comment or a moderation event never lights the marker of someone who may
not see it. Like the rule, these are correlated sub-selects that add no
query of their own to the statement they filter.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.expression import ColumnElement

from ckanext.helpdesk import visibility
from ckanext.helpdesk.model import Comment, Event, Issue, LastSeen, \
    Subscription, Vote


def followed_by(viewer: visibility.Viewer) -> ColumnElement[Any]:
    """True for the issues the viewer reported, subscribed to or +1'd."""
    if viewer.is_anonymous:
        return sa.false()
    # One IN over a union (each part read through its user index), not
    # three ORed conditions, which would scan every issue.
    return Issue.id.in_(sa.union(
        sa.select(Issue.id).where(Issue.reporter_id == viewer.user_id),
        sa.select(Subscription.issue_id).where(
            Subscription.user_id == viewer.user_id),
        sa.select(Vote.issue_id).where(Vote.user_id == viewer.user_id)))


def unread_by(viewer: visibility.Viewer) -> ColumnElement[Any]:
    """True for the issues the viewer follows on which something they may
    read happened, by someone else, since they last looked."""
    if viewer.is_anonymous:
        return sa.false()
    # Correlated to the issue of the outer statement explicitly: it sits
    # inside the EXISTS below, two levels down, where auto-correlation would
    # read every issue the viewer has seen.
    seen = sa.select(LastSeen.seen_at).where(
        LastSeen.issue_id == Issue.id,
        LastSeen.user_id == viewer.user_id).correlate(Issue).scalar_subquery()
    since = sa.func.coalesce(seen, Issue.created)
    comments = visibility.visible_comments(sa.select(Comment.id).where(
        Comment.issue_id == Issue.id, Comment.created > since,
        Comment.author_id.is_distinct_from(viewer.user_id)), viewer)
    events = visibility.visible_events(sa.select(Event.id).where(
        Event.issue_id == Issue.id, Event.created > since,
        Event.actor_id.is_distinct_from(viewer.user_id)), viewer)
    return sa.and_(followed_by(viewer),
                   sa.or_(comments.exists(), events.exists()))
