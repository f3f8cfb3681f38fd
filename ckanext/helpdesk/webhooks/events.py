"""The help desk's signals become webhook deliveries.

Signals are sent inside the change's transaction, so the deliveries
written here commit or roll back with it; their jobs are enqueued after
the commit (if Redis is down then, `ckan helpdesk deliver-webhooks`
sends them). Only the webhooks of the organization that owns the issue
are told, and what each is told follows visibility.py's rule for a
visitor unless the webhook is internal:

- an issue a visitor may not see (a private dataset's, a hidden one)
  goes only to internal webhooks;
- internal notes and hidden comments, hiding and showing, and reporters'
  email addresses only to internal webhooks.

Events: ``issue_created``; ``issue_closed`` (an open issue's status
becomes a closed one); ``issue_changed`` (any other change, with the
reply posted alongside if any); ``issue_commented`` (a comment alone).
"""
import datetime
import json

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.model.types import make_uuid

from ckanext.helpdesk import after_commit, signals, visibility
from ckanext.helpdesk.logic.lookup import owning_org_id
from ckanext.helpdesk.model import (CLOSED_STATUSES, OPEN_STATUSES, Webhook,
                                    WebhookDelivery)
from ckanext.helpdesk.webhooks import delivery


# Changes only the organization's editors see on the timeline.
INTERNAL_CHANGES = ("hidden",)


def subscriptions():
    """{signal: [receivers]} for the plugin's ISignal."""
    return {
        signals.issue_created: [on_issue_created],
        signals.issue_changed: [on_issue_changed],
        signals.comment_created: [on_comment_created],
    }


def on_issue_created(sender, issue, actor=None, **kwargs):
    _emit("issue_created", issue, actor)


def on_comment_created(sender, issue, comment, actor=None, **kwargs):
    _emit("issue_commented", issue, actor, comment=comment)


def on_issue_changed(sender, issue, changes, actor=None, comment=None,
                     **kwargs):
    status = changes.get("status")
    if status and status[0] in OPEN_STATUSES and status[1] in CLOSED_STATUSES:
        event = "issue_closed"
    elif changes:
        event = "issue_changed"
    else:
        event = "issue_commented"
    _emit(event, issue, actor, changes=changes, comment=comment)


def _emit(event, issue, actor, changes=None, comment=None):
    webhooks = model.Session.scalars(sa.select(Webhook).where(
        Webhook.organization_id == owning_org_id(issue))).all()
    webhooks = [webhook for webhook in webhooks if event in webhook.events]
    if not webhooks:
        return
    public = visibility.is_visible(issue.id, visibility.Viewer())
    for webhook in webhooks:
        payload = _payload(event, issue, actor, changes or {}, comment,
                           webhook.internal, public)
        if payload is None:
            continue
        delivery_id = make_uuid()
        payload["id"] = delivery_id
        model.Session.add(WebhookDelivery(
            id=delivery_id, webhook_id=webhook.id, event=event,
            issue_id=issue.id, body=json.dumps(payload)))
        after_commit.enqueue(
            model.Session(), delivery.deliver, delivery_id,
            f"helpdesk webhook delivery {delivery_id}", "deliver-webhooks")


def _payload(event, issue, actor, changes, comment, internal, public):
    """The event as the webhook may see it; None when it may see none of
    it."""
    if not internal:
        if not public:
            return None
        changes = {field: change for field, change in changes.items()
                   if field not in INTERNAL_CHANGES}
        if comment is not None and (comment.internal or comment.hidden):
            comment = None
        if event == "issue_commented" and comment is None:
            return None
        if event == "issue_changed" and not changes and comment is None:
            return None
    return {
        "id": None,  # the delivery's, set by the caller
        "event": event,
        "created": _iso(datetime.datetime.now(datetime.timezone.utc)),
        "internal": internal,
        "organization": _organization(owning_org_id(issue)),
        "issue": _issue(issue, internal),
        "changes": {field: list(change) for field, change in changes.items()},
        "comment": comment and _comment(comment, internal),
        "actor": actor.name if actor else None,
    }


def _iso(moment):
    return moment and moment.astimezone(datetime.timezone.utc).isoformat()


def _organization(organization_id):
    organization = model.Group.get(organization_id)
    return {"id": organization.id, "name": organization.name,
            "title": organization.title}


def _issue(issue, internal):
    dataset = issue.dataset_id and model.Package.get(issue.dataset_id)
    organization = model.Group.get(issue.organization_id)
    reporter = issue.reporter_id and model.User.get(issue.reporter_id)
    record = {
        "id": issue.id, "number": issue.number,
        "url": tk.h.helpdesk_issue_url({
            "id": issue.id, "number": issue.number,
            "dataset_id": issue.dataset_id,
            "dataset_name": dataset and dataset.name,
            "organization_name": organization and organization.name,
        }, qualified=True),
        "title": issue.title, "description": issue.description,
        "category": issue.category, "status": issue.status,
        "dataset": dataset and {"id": dataset.id, "name": dataset.name,
                                "title": dataset.title},
        "resource_id": issue.resource_id,
        "reporter": reporter.name if reporter else issue.reporter_name,
        "created": _iso(issue.created), "updated": _iso(issue.updated),
        "resolved_at": _iso(issue.resolved_at),
    }
    if internal:
        record["hidden"] = issue.hidden
        record["reporter_email"] = (reporter.email if reporter
                                    else issue.reporter_email)
    return record


def _comment(comment, internal):
    author = comment.author_id and model.User.get(comment.author_id)
    record = {"id": comment.id, "body": comment.body,
              "author": author.name if author else comment.author_name,
              "created": _iso(comment.created)}
    if internal:
        record.update(internal=comment.internal, hidden=comment.hidden,
                      author_email=(author.email if author
                                    else comment.author_email))
    return record
