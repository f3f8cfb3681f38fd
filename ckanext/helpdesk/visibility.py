"""The one rule of who may see which issues, as SQLAlchemy expressions.

Every read (show, search, counts, comments, Open311, pages, feeds) goes
through `visible_issues()`, so a leak can only come from here:

- sysadmins (and internal calls with ``ignore_auth``) see everything;
- an issue on a dataset is visible when its dataset is: public active
  datasets to everyone, private ones to the members of the owning
  organization (and the dataset's collaborators, when CKAN allows them),
  draft and deleted ones to its editors and admins;
- data requests (no dataset) are visible to everyone, organizations being
  public;
- hidden issues only to the editors and admins of the organization;
- on an issue's timeline, moderation (hiding and showing the issue or its
  comments) only to them too.
- abuse reports about an issue to the organization's admins.

The membership tests are uncorrelated sub-selects of CKAN's member table,
so the rule adds no query of its own to the statement it filters.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Iterable

import sqlalchemy as sa
from sqlalchemy.sql.expression import ColumnElement, Select

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context

from ckanext.helpdesk.model import Comment, Event, Issue

MANAGER_CAPACITIES = ("editor", "admin")
MEMBER_CAPACITIES = ("member", "editor", "admin")
# Timeline events of moderation: they name hidden content (a hidden
# comment's id, an internal note's) and the moderator.
MODERATION_EVENTS = ("hidden", "comment_hidden", "comment_shown")
# Who moderates the abuse reports about an organization's issues.
MODERATOR_CAPACITIES = ("admin",)


@dataclasses.dataclass(frozen=True)
class Viewer:
    """Who is looking: a user id (None when anonymous) and whether every
    issue is visible to them."""
    user_id: str | None = None
    sees_everything: bool = False

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None


def signed_in_user(context: Context) -> model.User | None:
    """The caller of an action as a model.User, or None when anonymous.
    CKAN's Action API passes flask-login's current_user as auth_user_obj,
    which for a visitor is an AnonymousUser, not None."""
    user = context.get("auth_user_obj")
    if isinstance(user, model.User):
        return user
    return model.User.get(context["user"]) if context.get("user") else None


def viewer_from_context(context: Context) -> Viewer:
    """The viewer of an action's context. ``ignore_auth`` marks trusted
    internal calls."""
    user = signed_in_user(context)
    user_id = user.id if user else None
    everything = bool(context.get("ignore_auth")
                      or (user is not None and user.sysadmin))
    return Viewer(user_id, everything)


def organizations_of(
    viewer: Viewer, capacities: tuple[str, ...] = MEMBER_CAPACITIES
) -> Select:
    """A sub-select of the ids of the organizations where the viewer holds
    one of the capacities."""
    member = model.member_table
    return sa.select(member.c.group_id).where(
        member.c.table_name == "user",
        member.c.table_id == viewer.user_id,
        member.c.state == "active",
        member.c.capacity.in_(capacities))


def owning_organization() -> ColumnElement[Any]:
    """The organization that owns an issue: its dataset's current owner
    (datasets can move) or, for data requests and purged datasets, the
    organization recorded on the issue. Needs `join_dataset()`."""
    return sa.func.coalesce(model.Package.owner_org, Issue.organization_id)


def can_manage(viewer: Viewer) -> ColumnElement[Any]:
    """True for the rows the viewer manages (editor/admin, sysadmin)."""
    return _owned_by_organizations_of(viewer, MANAGER_CAPACITIES)


def can_moderate(viewer: Viewer) -> ColumnElement[Any]:
    """True for the rows whose abuse reports the viewer moderates (the
    owning organization's admins, sysadmins)."""
    return _owned_by_organizations_of(viewer, MODERATOR_CAPACITIES)


def _owned_by_organizations_of(
    viewer: Viewer, capacities: tuple[str, ...]
) -> ColumnElement[Any]:
    if viewer.sees_everything:
        return sa.true()
    if viewer.is_anonymous:
        return sa.false()
    return owning_organization().in_(organizations_of(viewer, capacities))


def is_member(viewer: Viewer) -> ColumnElement[Any]:
    """True for the rows whose organization counts the viewer as a member
    of any capacity (or sysadmin): who may read internal notes."""
    if viewer.sees_everything:
        return sa.true()
    if viewer.is_anonymous:
        return sa.false()
    return owning_organization().in_(organizations_of(viewer))


def join_dataset(statement: Select,
                 dataset_ids: Iterable[str] | None = None) -> Select:
    """Outer-join the issue's dataset, which the rule reads; `dataset_ids`
    names the datasets of a statement limited to those (PostgreSQL does
    not carry a list of ids across an outer join: without it, it reads
    every dataset into a hash to join a few)."""
    on = model.Package.id == Issue.dataset_id
    if dataset_ids is not None:
        on = sa.and_(on, model.Package.id.in_(dataset_ids))
    return statement.outerjoin(model.Package, on)


def dataset_filter(viewer: Viewer) -> ColumnElement[Any]:
    """The WHERE clause, over model.Package, of the datasets the viewer may
    see: public active ones, active ones of their organizations, and any of
    the organizations they edit or administer."""
    if viewer.sees_everything:
        return sa.true()
    package = model.Package
    active = package.state == "active"
    public = sa.and_(active, package.private.is_(False))
    if viewer.is_anonymous:
        return public
    readers = package.owner_org.in_(organizations_of(viewer))
    if tk.asbool(tk.config.get("ckan.auth.allow_dataset_collaborators")):
        readers = sa.or_(readers, package.id.in_(collaborations_of(viewer)))
    return sa.or_(
        public,
        sa.and_(active, readers),
        package.owner_org.in_(organizations_of(viewer, MANAGER_CAPACITIES)))


def collaborations_of(viewer: Viewer) -> Select:
    """A sub-select of the ids of the datasets the viewer collaborates on
    (CKAN's ckan.auth.allow_dataset_collaborators)."""
    collaborator = model.package_member_table
    return sa.select(collaborator.c.package_id).where(
        collaborator.c.user_id == viewer.user_id)


def shown_to_readers() -> ColumnElement[Any]:
    """The WHERE clause, over Issue, of the issues every reader of their
    dataset sees: those not hidden. Who reads the dataset is the dataset's
    own rule (`dataset_filter()`, or CKAN's search index for datasets)."""
    return Issue.hidden.is_(False)


def visible_filter(viewer: Viewer) -> ColumnElement[Any]:
    """The WHERE clause of the rule, over Issue and `join_dataset()`."""
    if viewer.sees_everything:
        return sa.true()
    # Managers see their organization's issues, also those of purged
    # datasets (no dataset row left to test).
    managed = can_manage(viewer)
    return sa.and_(
        sa.or_(shown_to_readers(), managed),
        sa.or_(Issue.dataset_id.is_(None), dataset_filter(viewer), managed))


def can_see_dataset(dataset_id: str, viewer: Viewer) -> bool:
    statement = sa.select(model.Package.id).where(
        model.Package.id == dataset_id, dataset_filter(viewer))
    return model.Session.execute(statement).first() is not None


def visible_issues(statement: Select, viewer: Viewer,
                   dataset_ids: Iterable[str] | None = None) -> Select:
    """`statement` (a select from Issue) limited to what the viewer may
    see; `dataset_ids` as for `join_dataset()`."""
    return join_dataset(statement, dataset_ids).where(visible_filter(viewer))


def is_visible(issue_id: str, viewer: Viewer) -> bool:
    statement = visible_issues(
        sa.select(Issue.id).select_from(Issue), viewer
    ).where(Issue.id == issue_id)
    return model.Session.execute(statement).first() is not None


def manages(issue_id: str, viewer: Viewer) -> bool:
    """Whether the viewer manages the (visible) issue."""
    return _holds_for(issue_id, can_manage(viewer))


def moderates(issue_id: str, viewer: Viewer) -> bool:
    """Whether the viewer moderates the abuse reports about the issue."""
    return _holds_for(issue_id, can_moderate(viewer))


def _holds_for(issue_id: str, clause: ColumnElement[Any]) -> bool:
    statement = join_dataset(
        sa.select(clause).select_from(Issue)).where(Issue.id == issue_id)
    return bool(model.Session.execute(statement).scalar())


def moderates_any(viewer: Viewer) -> bool:
    """Whether the viewer moderates some organization's reports."""
    if viewer.sees_everything or viewer.is_anonymous:
        return viewer.sees_everything
    statement = sa.select(sa.exists(
        organizations_of(viewer, MODERATOR_CAPACITIES)))
    return bool(model.Session.execute(statement).scalar())


def holds(viewer: Viewer, organization_id: str,
          capacities: tuple[str, ...] = MEMBER_CAPACITIES) -> bool:
    """Whether the viewer holds one of the capacities in the organization
    (sysadmins hold them all)."""
    if viewer.sees_everything or viewer.is_anonymous:
        return viewer.sees_everything
    statement = sa.select(sa.literal(organization_id).in_(
        organizations_of(viewer, capacities)))
    return bool(model.Session.execute(statement).scalar())


def visible_comments(statement: Select, viewer: Viewer) -> Select:
    """`statement` (a select from Comment joined to its Issue and
    `join_dataset()`) limited to the comments the viewer may read:
    internal notes for the organization's members, hidden comments for
    its managers."""
    if viewer.sees_everything:
        return statement
    return statement.where(
        sa.or_(Comment.internal.is_(False), is_member(viewer)),
        sa.or_(Comment.hidden.is_(False), can_manage(viewer)))


def visible_events(statement: Select, viewer: Viewer) -> Select:
    """`statement` (a select from Event joined to its Issue and
    `join_dataset()`) limited to the timeline events the viewer may read:
    moderation events for the organization's managers only."""
    if viewer.sees_everything:
        return statement
    return statement.where(sa.or_(Event.kind.not_in(MODERATION_EVENTS),
                                  can_manage(viewer)))
