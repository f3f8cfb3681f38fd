"""Who is told about what.

Each rule returns `Recipient`s; `finalize()` then drops the author of the
change, whoever may not see the issue, whoever opted out, and duplicates.
The same tests run again when the email is sent (notify/checks.py), on the
`Recipient` of the notification (`of_notification()`).
"""
from __future__ import annotations

import dataclasses
from typing import Iterable, Optional

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.helpdesk import visibility
from ckanext.helpdesk.model import (NotificationOptOut, OrganizationSettings,
                                    Subscription, reopens)
from ckanext.helpdesk.notify import confirm, optout

PUBLISHER_CAPACITIES = ("admin", "editor")
# The organization's own channels: they see all of its issues and notes.
PUBLISHER_REASONS = PUBLISHER_CAPACITIES + ("maintainer",
                                           "organization_email")


@dataclasses.dataclass(frozen=True)
class Recipient:
    email: str
    reason: str
    user_id: Optional[str] = None
    name: Optional[str] = None
    sysadmin: bool = False


def _user_recipient(user, reason):
    return Recipient(user.email, reason, user.id, user.display_name,
                     user.sysadmin)


def _active_users(user_ids):
    ids = [user_id for user_id in user_ids if user_id]
    if not ids:
        return []
    return model.Session.execute(sa.select(model.User).where(
        model.User.id.in_(ids), model.User.state == "active",
        model.User.email.isnot(None), model.User.email != "")
    ).scalars().all()


def _dataset(issue):
    return model.Package.get(issue.dataset_id) if issue.dataset_id else None


def owning_organization_id(issue):
    """The dataset's current owner (datasets move between organizations),
    or the organization recorded on the issue for data requests."""
    dataset = _dataset(issue)
    return (dataset.owner_org if dataset and dataset.owner_org
            else issue.organization_id)


def _organization_members(organization_id, capacities):
    member = model.Member
    users = model.Session.execute(sa.select(model.User, member.capacity).join(
        member, member.table_id == model.User.id).where(
        member.group_id == organization_id, member.table_name == "user",
        member.state == "active", member.capacity.in_(capacities),
        model.User.state == "active", model.User.email.isnot(None),
        model.User.email != "").order_by(model.User.name))
    return [_user_recipient(user, capacity) for user, capacity in users]


def _maintainer(issue):
    dataset = _dataset(issue)
    if dataset is None or not dataset.maintainer_email:
        return []
    return [Recipient(dataset.maintainer_email, "maintainer",
                      name=dataset.maintainer)]


def organization_emails():
    """{organization name: address} from the config option."""
    pairs = tk.config["ckanext.helpdesk.notify.organization_emails"]
    return dict(pair.split("=", 1) for pair in pairs if "=" in pair)


def own_addresses(organization_id: str) -> list[str]:
    """The help desk addresses the organization's admins gave on its
    settings page."""
    return model.Session.execute(sa.select(
        OrganizationSettings.notify_emails).where(
        OrganizationSettings.organization_id == organization_id
    )).scalar() or []


def _organization_email(organization_id, configured=True):
    """The organization's own addresses (from its settings page) and, with
    `configured`, the operator's one (notify.organization_emails)."""
    organization = model.Group.get(organization_id)
    if organization is None:
        return []
    addresses = own_addresses(organization_id)
    fixed = organization_emails().get(organization.name)
    if configured and fixed and fixed.lower() not in (
            address.lower() for address in addresses):
        addresses = addresses + [fixed]
    return [Recipient(address, "organization_email",
                      name=organization.display_name)
            for address in addresses]


def publishers(issue):
    """Who answers for the issue's organization, as the operator chose."""
    wanted = tk.config["ckanext.helpdesk.notify.publisher_recipients"]
    organization_id = owning_organization_id(issue)
    capacities = [c for c in wanted if c in PUBLISHER_CAPACITIES]
    found = _organization_members(organization_id, capacities)
    if "maintainer" in wanted:
        found += _maintainer(issue)
    # The addresses its admins gave are told whatever the operator chose:
    # giving them is asking to be told.
    found += _organization_email(
        organization_id, configured="organization_email" in wanted)
    # A choice that names nobody here must not leave the issue unheard.
    return found or _organization_members(organization_id, ["admin"])


def reporter(issue):
    if issue.reporter_id:
        return [_user_recipient(user, "reporter")
                for user in _active_users([issue.reporter_id])]
    if issue.reporter_email and confirm.is_confirmed(issue.id,
                                                     issue.reporter_email):
        return [Recipient(issue.reporter_email, "reporter",
                          name=issue.reporter_name)]
    return []


def subscribers(issue):
    rows = model.Session.execute(sa.select(Subscription).where(
        Subscription.issue_id == issue.id).order_by(Subscription.created)
    ).scalars().all()
    users = _active_users([row.user_id for row in rows])
    anonymous = [Recipient(row.email, "subscriber")
                 for row in rows if not row.user_id and row.email]
    return [_user_recipient(user, "subscriber") for user in users] + anonymous


def assignee(issue):
    return [_user_recipient(user, "assignee")
            for user in _active_users([issue.assignee_id])]


# -- the rules --------------------------------------------------------------

def _as(kind, recipients):
    return [(kind, recipient) for recipient in recipients]


def for_new_issue(issue):
    return _as("issue_created", publishers(issue)) + _as(
        "confirmation", reporter(issue))


def for_comment(issue, comment):
    """Publishers, and the reporter and subscribers unless the comment is
    an internal note."""
    told = _as("comment", publishers(issue))
    if not comment.internal:
        told += _as("comment", reporter(issue) + subscribers(issue))
    return told


def for_change(issue, changes, comment=None):
    told = []
    if changes.get("assignee_id") and issue.assignee_id:
        told += _as("assigned", assignee(issue))
    if "status" in changes and reopens(*changes["status"]):
        # Work thought done comes back: to its assignee, or to the
        # publishers when nobody is assigned, so it is not left unheard.
        told += _as("changed", assignee(issue) or publishers(issue))
    if "status" in changes or "duplicate_of_id" in changes:
        told += _as("changed", reporter(issue) + subscribers(issue))
    elif comment is not None:
        told += for_comment(issue, comment)
    return told


# -- filtering --------------------------------------------------------------

def _is_author(recipient, actor_id, actor_email):
    if actor_id:
        return recipient.user_id == actor_id
    return bool(actor_email) and recipient.email.lower() == actor_email.lower()


def holds_channel(issue, recipient):
    """Whether the publisher channel that names the recipient (editor or
    admin of the owning organization, the dataset's maintainer address,
    the organization's help desk address) still does."""
    organization_id = owning_organization_id(issue)
    address = recipient.email.lower()
    if recipient.reason in PUBLISHER_CAPACITIES:
        viewer = visibility.Viewer(recipient.user_id, recipient.sysadmin)
        return visibility.holds(viewer, organization_id,
                                visibility.MANAGER_CAPACITIES)
    if recipient.reason == "maintainer":
        return any(found.email.lower() == address
                   for found in _maintainer(issue))
    if recipient.reason == "organization_email":
        return any(found.email.lower() == address
                   for found in _organization_email(organization_id))
    return False


def may_see(issue, recipient):
    """Publisher channels see their own issues (while the channel names
    them); everyone else by the one visibility rule."""
    if recipient.reason in PUBLISHER_REASONS and holds_channel(issue,
                                                               recipient):
        return True
    viewer = visibility.Viewer(recipient.user_id, recipient.sysadmin)
    return visibility.is_visible(issue.id, viewer)


def of_notification(notification):
    """The recipient of a written notification as they are now; None when
    the user was deleted since."""
    if not notification.user_id:
        return Recipient(notification.email, notification.reason,
                         name=notification.recipient_name)
    users = _active_users([notification.user_id])
    if not users:
        return None
    return Recipient(notification.email, notification.reason, users[0].id,
                     notification.recipient_name, users[0].sysadmin)


def opted_out(issue, recipient):
    """Whether the recipient wants no (more) email about the issue: opted
    out, or unsubscribed when told as a subscriber."""
    if recipient.reason == "subscriber" and not _subscribed(issue,
                                                            recipient):
        return True
    return _opted_out(recipient, issue, _opt_outs(issue, [recipient]))


def _subscribed(issue, recipient):
    return model.Session.execute(sa.select(Subscription.id).where(
        Subscription.issue_id == issue.id,
        optout.of_person(Subscription, recipient.user_id, recipient.email)
    ).limit(1)).first() is not None


def _opt_outs(issue, recipients):
    """{(user id or lower-case email, issue id or None)} of those who
    opted out of this issue or of all help desk email."""
    user_ids = [r.user_id for r in recipients if r.user_id]
    emails = [r.email.lower() for r in recipients if not r.user_id]
    rows = model.Session.execute(sa.select(NotificationOptOut).where(
        sa.or_(NotificationOptOut.issue_id == issue.id,
               NotificationOptOut.issue_id.is_(None)),
        sa.or_(NotificationOptOut.user_id.in_(user_ids),
               sa.func.lower(NotificationOptOut.email).in_(emails)))
    ).scalars()
    return {(row.user_id or row.email.lower(), row.issue_id) for row in rows}


def _opted_out(recipient, issue, opt_outs):
    who = recipient.user_id or recipient.email.lower()
    if (who, None) in opt_outs:
        return True
    # Subscribing again after unsubscribing (the link also removes the
    # subscription) wins over the old per-issue opt-out.
    return recipient.reason != "subscriber" and (who, issue.id) in opt_outs


def finalize(issue, candidates: Iterable[tuple[str, Recipient]],
             actor_id=None, actor_email=None):
    """The (kind, recipient) pairs that are really sent: one per address,
    the first rule that names it winning."""
    # The reporter's confirmation is the one email about their own act.
    candidates = [(kind, r) for kind, r in candidates
                  if kind == "confirmation"
                  or not _is_author(r, actor_id, actor_email)]
    opt_outs = _opt_outs(issue, [r for _kind, r in candidates])
    seen, chosen = set(), []
    for kind, recipient in candidates:
        address = recipient.email.lower()
        if address in seen or _opted_out(recipient, issue, opt_outs):
            continue
        if may_see(issue, recipient):
            seen.add(address)
            chosen.append((kind, recipient))
    return chosen
