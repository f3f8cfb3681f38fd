"""Actions of the webhooks: an organization's admins (and sysadmins) add,
list and delete its webhooks and rotate their secrets.

plugin.py registers the names in `__all__` beside the core's actions, and
those of webhooks/auth.py beside the core's auth functions. A webhook's
secret is answered only by the action that makes it (create, rotate).
"""
from __future__ import annotations

import datetime
import secrets
from typing import Any, Iterable

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict, Schema

from ckanext.helpdesk.logic import validators as v
from ckanext.helpdesk.logic.lookup import organization_from
from ckanext.helpdesk.model import (WEBHOOK_EVENTS, Webhook, WebhookAttempt,
                                    WebhookDelivery, utcnow)
from ckanext.helpdesk.visibility import signed_in_user
from ckanext.helpdesk.webhooks import addresses

__all__ = ["helpdesk_webhook_create", "helpdesk_webhook_list",
           "helpdesk_webhook_delete", "helpdesk_webhook_rotate_secret"]

# The latest deliveries each webhook lists, with their attempts.
LOGGED_DELIVERIES = 20
SECRET_BYTES = 32


# -- schemas ------------------------------------------------------------------

def _url(value: Any) -> str:
    if not isinstance(value, str) or len(value) > addresses.URL_LENGTH:
        raise tk.Invalid(tk._("Must be a URL of at most {0} characters")
                         .format(addresses.URL_LENGTH))
    try:
        addresses.check(value.strip())
    except addresses.Refused as refused:
        raise tk.Invalid(str(refused)) from None
    return value.strip()


def _events(value: Any) -> list[str]:
    """A list of event names (or one name, or comma-separated names)."""
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list) or not value:
        raise tk.Invalid(tk._("Choose at least one event"))
    if any(event not in WEBHOOK_EVENTS for event in value):
        raise tk.Invalid(tk._("Choose among {0}").format(
            ", ".join(WEBHOOK_EVENTS)))
    return [event for event in WEBHOOK_EVENTS if event in value]


def webhook_create_schema() -> Schema:
    get = tk.get_validator
    return {
        "url": [get("not_empty"), _url],
        "events": [get("default")(list(WEBHOOK_EVENTS)), _events],
        "internal": [get("default")(False), v.helpdesk_boolean],
    }


def webhook_reference_schema() -> Schema:
    get = tk.get_validator
    return {"id": [get("not_empty"), get("unicode_safe"),
                   v.helpdesk_stop_on_error(v.helpdesk_identifier)]}


def _validate(data_dict: DataDict, schema: Schema,
              context: Context) -> DataDict:
    data, errors = tk.navl_validate(data_dict, schema, context)
    if errors:
        raise tk.ValidationError(errors)
    return data


def webhook_from(context: Context, data_dict: DataDict) -> Webhook:
    """The webhook `data_dict["id"]`, kept in the context so the auth
    function and the action look it up once."""
    webhook_id = _validate(data_dict, webhook_reference_schema(),
                           context)["id"]
    if context.get("helpdesk_webhook") is None:
        context["helpdesk_webhook"] = model.Session.get(Webhook, webhook_id)
    if context["helpdesk_webhook"] is None:
        raise tk.ObjectNotFound(tk._("Webhook not found"))
    return context["helpdesk_webhook"]


# -- actions ------------------------------------------------------------------

def helpdesk_webhook_create(context: Context,
                            data_dict: DataDict) -> dict[str, Any]:
    """Add a webhook to an organization: the help desk POSTs the events of
    its issues to the URL, signed with the webhook's secret (see README,
    "Webhooks"). The organization's admins may call it.

    :param organization_id: the organization's id or name
    :type organization_id: string
    :param url: where to POST: an http:// or https:// URL (of a public
        address unless ckanext.helpdesk.webhooks.allow_private_addresses)
    :type url: string
    :param events: among ``issue_created``, ``issue_changed``,
        ``issue_commented`` and ``issue_closed`` (optional, default all)
    :type events: list of strings
    :param internal: also send what only the organization's editors see:
        private datasets' and hidden issues, internal notes, reporters'
        email addresses (optional, default ``false``)
    :type internal: bool

    :returns: the webhook, as ``helpdesk_webhook_list`` lists it, with its
        ``secret``: the only time it is given out
    :rtype: dictionary
    """
    tk.check_access("helpdesk_webhook_create", context, data_dict)
    organization = organization_from(context, data_dict)
    data = _validate(data_dict, webhook_create_schema(), context)
    actor = signed_in_user(context)
    webhook = Webhook(organization_id=organization.id, url=data["url"],
                      events=data["events"], internal=data["internal"],
                      secret=_new_secret(), creator_id=actor and actor.id)
    model.Session.add(webhook)
    model.Session.commit()
    return dict(_webhook_dict(webhook, []), secret=webhook.secret)


@tk.side_effect_free
def helpdesk_webhook_list(context: Context,
                          data_dict: DataDict) -> list[dict[str, Any]]:
    """An organization's webhooks, each with the log of its latest 20
    deliveries and every attempt at them. The organization's admins may
    call it.

    :param organization_id: the organization's id or name
    :type organization_id: string

    :returns: the webhooks, oldest first: ``id``, ``url``, ``events``,
        ``internal``, ``created``, ``secret_rotated`` and ``deliveries``
        (newest first: ``id``, ``event``, ``issue_id``, ``status``
        (``pending``, ``delivered`` or ``failed``), ``attempts``,
        ``next_attempt_at``, ``created``, ``delivered_at`` and
        ``attempt_log``: ``attempted_at``, ``response_code``, ``error``,
        ``duration_ms``); never the secrets
    :rtype: list of dictionaries
    """
    tk.check_access("helpdesk_webhook_list", context, data_dict)
    organization = organization_from(context, data_dict)
    webhooks = model.Session.scalars(sa.select(Webhook).where(
        Webhook.organization_id == organization.id
    ).order_by(Webhook.created, Webhook.id)).all()
    deliveries = _latest_deliveries([webhook.id for webhook in webhooks])
    return [_webhook_dict(webhook, deliveries.get(webhook.id, []))
            for webhook in webhooks]


def helpdesk_webhook_delete(context: Context, data_dict: DataDict) -> None:
    """Delete a webhook with its delivery log; what it had still to
    deliver is not sent. The organization's admins may call it.

    :param id: the webhook's id
    :type id: string

    :returns: nothing (``null`` over the Action API)
    :rtype: None
    """
    tk.check_access("helpdesk_webhook_delete", context, data_dict)
    model.Session.delete(webhook_from(context, data_dict))
    model.Session.commit()


def helpdesk_webhook_rotate_secret(context: Context,
                                   data_dict: DataDict) -> dict[str, Any]:
    """Give a webhook a new secret: the old one signs nothing from now on,
    deliveries still to be retried included. The organization's admins may
    call it.

    :param id: the webhook's id
    :type id: string

    :returns: the webhook, as ``helpdesk_webhook_list`` lists it, with its
        new ``secret``: the only time it is given out
    :rtype: dictionary
    """
    tk.check_access("helpdesk_webhook_rotate_secret", context, data_dict)
    webhook = webhook_from(context, data_dict)
    webhook.secret = _new_secret()
    webhook.secret_rotated = utcnow()
    model.Session.commit()
    return dict(_webhook_dict(webhook, []), secret=webhook.secret)


# -- reading ------------------------------------------------------------------

def _new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(SECRET_BYTES)


def _iso(moment: datetime.datetime | None) -> str | None:
    return moment and moment.isoformat()


def _latest_deliveries(
    webhook_ids: Iterable[str]
) -> dict[str, list[dict[str, Any]]]:
    """{webhook id: [delivery dicts]}: the latest of each, in two
    statements whatever the number of webhooks."""
    if not webhook_ids:
        return {}
    rank = sa.func.row_number().over(
        partition_by=WebhookDelivery.webhook_id,
        order_by=(WebhookDelivery.created.desc(), WebhookDelivery.id)
    ).label("rank")
    ranked = sa.select(WebhookDelivery.id, rank).where(
        WebhookDelivery.webhook_id.in_(webhook_ids)).subquery()
    deliveries = model.Session.scalars(sa.select(WebhookDelivery).join(
        ranked, ranked.c.id == WebhookDelivery.id
    ).where(ranked.c.rank <= LOGGED_DELIVERIES).order_by(
        WebhookDelivery.created.desc(), WebhookDelivery.id)).all()
    attempts: dict[str, list[dict[str, Any]]] = {}
    for attempt in model.Session.scalars(sa.select(WebhookAttempt).where(
            WebhookAttempt.delivery_id.in_([d.id for d in deliveries])
    ).order_by(WebhookAttempt.attempted_at)):
        attempts.setdefault(attempt.delivery_id, []).append({
            "attempted_at": _iso(attempt.attempted_at),
            "response_code": attempt.response_code,
            "error": attempt.error, "duration_ms": attempt.duration_ms})
    by_webhook: dict[str, list[dict[str, Any]]] = {}
    for delivery in deliveries:
        by_webhook.setdefault(delivery.webhook_id, []).append({
            "id": delivery.id, "event": delivery.event,
            "issue_id": delivery.issue_id, "status": delivery.status,
            "attempts": delivery.attempts,
            "next_attempt_at": _iso(delivery.next_attempt_at),
            "created": _iso(delivery.created),
            "delivered_at": _iso(delivery.delivered_at),
            "attempt_log": attempts.get(delivery.id, [])})
    return by_webhook


def _webhook_dict(webhook: Webhook,
                  deliveries: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": webhook.id, "organization_id": webhook.organization_id,
            "url": webhook.url, "events": list(webhook.events),
            "internal": webhook.internal, "created": _iso(webhook.created),
            "secret_rotated": _iso(webhook.secret_rotated),
            "deliveries": deliveries}
