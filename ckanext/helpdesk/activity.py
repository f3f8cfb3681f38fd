"""Help desk events in CKAN's activity streams, when CKAN's `activity`
plugin is enabled: an issue reported, its status changed, an issue
resolved, data requested. They are written with CKAN's own
``activity_create`` action, on the dataset (or, for a data request, the
organization), so they appear in the dataset's and organization's streams,
the actor's, and the dashboards of those who follow them.

CKAN's streams filter by permission labels only the activities whose type
ends in "package", and none of them knows the help desk's rule. So only
what everyone may see is written, as visibility.py decides for an
anonymous viewer: nothing about an issue on a private, draft or deleted
dataset, a hidden issue or a comment (internal notes included), and
nothing by an anonymous reporter (an activity needs a user). What stops
being public is taken back: a hidden or deleted issue's activities, those
of a dataset made private or deleted. An issue shown again (a first post a
moderator let through) gets its "reported" activity then.

Without the plugin every function here returns at once.
"""
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.helpdesk import signals, visibility

REPORTED = "helpdesk issue reported"
DATA_REQUESTED = "helpdesk data requested"
STATUS_CHANGED = "helpdesk status changed"
RESOLVED = "helpdesk issue resolved"
ACTIVITY_TYPES = (REPORTED, DATA_REQUESTED, STATUS_CHANGED, RESOLVED)
# CKAN's bulk actions on an organization's datasets that make them
# private or deleted without package_update.
BULK_HIDING_ACTIONS = ("bulk_update_private", "bulk_update_delete")
# Those after which a dataset is gone.
PURGING_ACTIONS = ("dataset_purge", "organization_purge")


def enabled():
    return p.plugin_loaded("activity")


# -- signal subscribers ------------------------------------------------------

def on_issue_created(sender, issue, actor=None, **kwargs):
    if enabled() and actor is not None:
        _record(issue, REPORTED if issue.dataset_id else DATA_REQUESTED,
                actor.id)


def on_issue_changed(sender, issue, changes, actor=None, **kwargs):
    if not enabled():
        return
    hidden = changes.get("hidden")
    if hidden and hidden[1]:
        retract_issue(issue.id)
        return
    if hidden and issue.reporter_id:
        # Shown (again): reported now, as far as the public knows.
        _record(issue, REPORTED if issue.dataset_id else DATA_REQUESTED,
                issue.reporter_id)
    if "status" in changes and actor is not None:
        old, new = changes["status"]
        _record(issue, RESOLVED if new == "resolved" else STATUS_CHANGED,
                actor.id, old_status=old)


def on_issue_deleted(sender, issue, **kwargs):
    if enabled():
        retract_issue(issue.id)


def on_bulk_update(sender, data_dict=None, **kwargs):
    """CKAN's action_succeeded for the bulk actions, sent after their
    commit: their datasets are no longer public."""
    if enabled():
        for dataset_id in (data_dict or {}).get("datasets", []):
            retract_dataset_unless_public(dataset_id)
        model.repo.commit()


def on_purge(sender, **kwargs):
    """CKAN's action_succeeded for the purges, sent after their commit:
    the activities of what no longer exists are taken back (the actor's
    stream would keep them)."""
    if enabled():
        activity = _activities()
        model.Session.execute(activity.delete().where(
            activity.c.activity_type.in_(ACTIVITY_TYPES),
            activity.c.object_id.not_in(sa.select(model.Package.id)),
            activity.c.object_id.not_in(sa.select(model.Group.id))))
        model.repo.commit()


def subscriptions():
    """{signal: [receivers]} for the plugin's ISignal."""
    return {
        signals.issue_created: [on_issue_created],
        signals.issue_changed: [on_issue_changed],
        signals.issue_deleted: [on_issue_deleted],
        tk.signals.action_succeeded: [
            {"sender": action, "receiver": on_bulk_update}
            for action in BULK_HIDING_ACTIONS] + [
            {"sender": action, "receiver": on_purge}
            for action in PURGING_ACTIONS],
    }


# -- writing -----------------------------------------------------------------

def _record(issue, activity_type, user_id, old_status=None):
    """Write the activity, in the transaction of the change, if everyone
    may see the issue."""
    if not visibility.is_visible(issue.id, visibility.Viewer()):
        return
    data = {"issue": {"id": issue.id, "number": issue.number,
                      "title": issue.title, "status": issue.status,
                      "old_status": old_status}}
    if issue.dataset_id:
        dataset = model.Package.get(issue.dataset_id)
        object_id = dataset.id
        data["package"] = {"id": dataset.id, "name": dataset.name,
                           "title": dataset.title, "type": dataset.type}
    else:
        organization = model.Group.get(issue.organization_id)
        object_id = organization.id
        data["group"] = {"id": organization.id, "name": organization.name,
                         "title": organization.title,
                         "type": organization.type}
    tk.get_action("activity_create")(
        {"ignore_auth": True, "defer_commit": True, "model": model,
         "session": model.Session, "schema": _activity_schema()},
        {"user_id": user_id, "object_id": object_id,
         "activity_type": activity_type, "data": data,
         # Everyone may see it (CKAN 2.11 keeps labels; 2.10 drops them).
         "permission_labels": ["public"]})


def _activity_schema():
    """CKAN's schema of activity_create accepts only CKAN's own activity
    types; the help desk's name their object the same way."""
    ignore_missing = tk.get_validator("ignore_missing")
    not_empty = tk.get_validator("not_empty")
    return {
        "user_id": [not_empty, tk.get_validator("unicode_safe")],
        "object_id": [not_empty, tk.get_validator("unicode_safe")],
        "activity_type": [not_empty, tk.get_validator("one_of")(
            list(ACTIVITY_TYPES))],
        "data": [ignore_missing],
        "permission_labels": [ignore_missing],
    }


# -- taking back -------------------------------------------------------------

def _activities():
    """CKAN's activity table. CKAN has no action that deletes activities,
    so taking one back reaches into ckanext.activity's model (imported
    here: it is there only with the plugin)."""
    from ckanext.activity.model import Activity
    return Activity.__table__


def retract_issue(issue_id):
    activity = _activities()
    model.Session.execute(activity.delete().where(
        activity.c.activity_type.in_(ACTIVITY_TYPES),
        sa.cast(activity.c.data, JSONB)["issue"]["id"].astext == issue_id))


def retract_dataset_unless_public(dataset_ref):
    """Take back the activities of the dataset's issues (dataset by id or
    name) if the dataset is no longer public (private, draft or
    deleted)."""
    if not enabled():
        return
    dataset = model.Package.get(dataset_ref)
    if dataset is not None and not visibility.can_see_dataset(
            dataset.id, visibility.Viewer()):
        retract_dataset(dataset.id)


def retract_dataset(dataset_ref):
    """Take back the activities of the dataset's issues (a dataset being
    deleted: package_delete tells its plugins before it changes the
    state)."""
    dataset = model.Package.get(dataset_ref)
    if not enabled() or dataset is None:
        return
    activity = _activities()
    model.Session.execute(activity.delete().where(
        activity.c.object_id == dataset.id,
        activity.c.activity_type.in_(ACTIVITY_TYPES)))
