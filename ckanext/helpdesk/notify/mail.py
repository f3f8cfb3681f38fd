"""Rendering a notification into an email, and handing it to CKAN's mailer.

Bodies come from templates/helpdesk/emails/notification.{txt,html}
(confirm_address.{txt,html} for the confirmation of an anonymous address,
which carries no text a visitor wrote; digest.{txt,html} for the digests
of notify/digests.py); user text only ever reaches the
subject and the recipient's name after every line break is removed, so it
cannot add a header. Each email gets fresh opaque link tokens
(notify/tokens.py) when it is composed, and, when email is taken in, the
signed reply address of its recipient (mailin/addresses.py) as Reply-To.
"""
import contextlib
import dataclasses
import email.headerregistry
import email.policy
import re
import urllib.parse

import flask

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib import mailer

from ckanext.helpdesk.mailin import addresses
from ckanext.helpdesk.model import DIGEST_KINDS, Comment, Issue, reopens
from ckanext.helpdesk.notify import confirm, digests, recipients, tokens

_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")


@dataclasses.dataclass
class Email:
    subject: str
    body: str
    body_html: str
    headers: dict


class _OneLineHeader(email.headerregistry.UnstructuredHeader):
    """A header written as it is, on one line (RFC 5322 allows 998
    characters)."""

    def fold(self, *, policy):
        return f"{self.name}: {self}{policy.linesep}"


# Python's email package folds a URL longer than a line into RFC 2047
# encoded-words, which mail clients do not decode in List-Unsubscribe
# (RFC 2369): the messages CKAN's mailer builds (policy.default) keep it
# whole. The value never holds a line break (header_store_parse refuses).
email.policy.default.header_factory.map_to_type("list-unsubscribe",
                                                _OneLineHeader)
# The Message-ID, longer than a line, stays on one line too, as receivers
# de-duplicating by it see it.
email.policy.default.header_factory.map_to_type("message-id", _OneLineHeader)


def one_line(text, limit=200):
    """User text made safe for a header: no line breaks, bounded length."""
    text = " ".join(_LINE_BREAKS.sub(" ", text or "").split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def send(notification):
    """Send one notification; raises on any failure (the caller records
    it)."""
    if not _is_plain_address(notification.email):
        raise ValueError(f"not a usable address: {notification.email!r}")
    message = compose(notification)
    mailer.mail_recipient(one_line(notification.recipient_name, 100),
                          notification.email, message.subject, message.body,
                          body_html=message.body_html,
                          headers=message.headers)


def _is_plain_address(address):
    return bool(re.fullmatch(r"[^\s@<>,;\"]+@[^\s@<>,;\"]+", address or ""))


def compose(notification):
    """The email of a notification. Not committed: it stores the digest of
    the email's unsubscribe token (and confirmation token) on the rows."""
    if notification.kind in DIGEST_KINDS:
        return _compose_digest(notification)
    issue = model.Session.get(Issue, notification.issue_id)
    token, notification.token_hash = tokens.new()
    template = ("helpdesk/emails/confirm_address"
                if notification.kind == "confirm_address"
                else "helpdesk/emails/notification")
    # Subject and body are written in the locale of the context.
    with request_context():
        extra_vars = _template_vars(notification, issue, token)
        subject = _subject(notification, issue, extra_vars)
        body = tk.render(template + ".txt", extra_vars)
        body_html = tk.render(template + ".html", extra_vars)
    return Email(subject=one_line(subject, 250), body=body,
                 body_html=body_html, headers=_headers(notification, token))


def _headers(notification, token):
    # RFC 2369 and RFC 8058: mail clients may offer one-click unsubscribe,
    # POSTing to the one-click link.
    one_click_url = unsubscribe_url(token, one_click=True)
    headers = {"List-Unsubscribe": f"<{one_click_url}>",
               "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
               "Auto-Submitted": "auto-generated",
               "Message-ID": message_id(notification)}
    reply_to = addresses.reply_address(notification)
    if reply_to:
        headers["Reply-To"] = reply_to
    return headers


def _compose_digest(notification):
    """A digest or weekly summary, as its recipient may see it."""
    token, notification.token_hash = tokens.new()
    user = (model.User.get(notification.user_id) if notification.user_id
            else None)
    site_title = tk.config["ckan.site_title"]
    with request_context():
        extra_vars = dict(
            digests.template_vars(notification, user),
            recipient_name=one_line(notification.recipient_name, 100),
            site_title=site_title,
            unsubscribe_url=unsubscribe_url(token),
            preferences_url=tk.url_for("helpdesk_notify.preferences",
                                       _external=True))
        extra_vars["why"] = _why(notification.reason, site_title,
                                 extra_vars["organization_title"], None)
        subject = _digest_subject(extra_vars)
        body = tk.render("helpdesk/emails/digest.txt", extra_vars)
        body_html = tk.render("helpdesk/emails/digest.html", extra_vars)
    return Email(subject=one_line(subject, 250),
                 body=body, body_html=body_html,
                 headers=_headers(notification, token))


def _digest_subject(extra_vars):
    names = {"site": extra_vars["site_title"],
             "organization": extra_vars["organization_title"]}
    figures = extra_vars["figures"]
    if figures is not None:
        return tk._("[{site}] The help desk week of {organization}: "
                    "{opened} opened, {closed} closed").format(
            opened=figures["opened"], closed=figures["closed"], **names)
    count = sum(section.count for section in extra_vars["sections"])
    return tk.ungettext(
        "[{site}] Help desk digest of {organization}: {n} issue needs you",
        "[{site}] Help desk digest of {organization}: {n} issues need you",
        count).format(n=count, **names)


def message_id(notification):
    """The same Message-ID on every send of a notification: one resent
    after a crash between the SMTP server's acceptance and our commit
    carries it again, so receivers can drop the copy (RFC 5322, 3.6.4)."""
    host = urllib.parse.urlsplit(tk.config["ckan.site_url"]).hostname
    return f"<helpdesk-notification-{notification.id}@{host or 'localhost'}>"


def _subject_formats():
    # Built per call: tk._ translates into the current locale.
    return {
        "issue_created": tk._("[{site}] New issue #{number} on {place}: "
                              "{title}"),
        "confirmation": tk._("[{site}] Your issue #{number} was received: "
                             "{title}"),
        "comment": tk._("[{site}] New comment on #{number} ({place}): "
                        "{title}"),
        "internal_note": tk._("[{site}] Internal note on #{number} "
                              "({place}): {title}"),
        "changed": tk._("[{site}] Issue #{number} is now {status}: {title}"),
        "reopened": tk._("[{site}] Issue #{number} was reopened: {title}"),
        "updated": tk._("[{site}] Issue #{number} was updated: {title}"),
        "assigned": tk._("[{site}] Issue #{number} is assigned to you: "
                         "{title}"),
        "confirm_address": tk._("[{site}] Please confirm your email "
                                "address"),
    }


def status_label(status):
    return {
        "new": tk._("New"), "acknowledged": tk._("Acknowledged"),
        "in_progress": tk._("In progress"), "resolved": tk._("Resolved"),
        "wont_fix": tk._("Won't fix"), "duplicate": tk._("Duplicate"),
    }.get(status, status)


def _subject(notification, issue, extra_vars):
    """The subject names the change the notification recorded, not the
    issue's status when the email goes out (which may have moved on)."""
    return _subject_formats()[extra_vars["told_kind"]].format(
        site=tk.config["ckan.site_title"], number=issue.number,
        place=extra_vars["place"], title=issue.title,
        status=status_label(_recorded_status(notification)))


def _subject_kind(notification):
    """The notification's kind, a change told apart by what it recorded."""
    if notification.kind != "changed":
        return notification.kind
    status = (notification.changes or {}).get("status")
    if status is None:
        return "updated"  # the duplicate mark alone changed
    old, new = status
    return "reopened" if reopens(old, new) else "changed"


def _recorded_status(notification):
    status = (notification.changes or {}).get("status")
    return status[1] if status else None


def _template_vars(notification, issue, unsubscribe_token):
    dataset = (model.Package.get(issue.dataset_id) if issue.dataset_id
               else None)
    organization = model.Group.get(issue.organization_id)
    dataset_title = (dataset.title or dataset.name) if dataset else None
    organization_title = organization.display_name if organization else ""
    comment = (model.Session.get(Comment, notification.comment_id)
               if notification.comment_id else None)
    if comment is not None and comment.hidden:
        comment = None  # hidden by a moderator before the email went out
    actor = (model.User.get(notification.actor_id) if notification.actor_id
             else None)
    author = (actor.display_name if actor
              else comment.author_name if comment else None)
    site_title = tk.config["ckan.site_title"]
    place = dataset_title or organization_title
    marked_duplicate = bool(issue.duplicate_of_id) and (
        "duplicate_of_id" in (notification.changes or {}))
    kind = notification.kind
    told_kind = _subject_kind(notification)
    if kind == "comment" and comment is not None and comment.internal:
        # Told apart from a public comment before the email is opened.
        kind = told_kind = "internal_note"
    return {
        "kind": kind,
        # What the subject and the first sentence say happened.
        "told_kind": told_kind,
        "recipient_name": one_line(notification.recipient_name, 100),
        "lead": _lead(told_kind, place, author),
        "why": _why(notification.reason, site_title, organization_title,
                    dataset_title),
        "site_title": site_title,
        "site_url": tk.config["ckan.site_url"],
        "issue": issue,
        "dataset_title": dataset_title,
        "organization_title": organization_title,
        "place": place,
        "comment": comment,
        "status_change": _status_change(notification.changes or {}),
        "marked_duplicate": marked_duplicate,
        "duplicate_of": (_visible_original(notification, issue)
                         if marked_duplicate else None),
        "issue_url": issue_url(issue, dataset, organization),
        "unsubscribe_url": unsubscribe_url(unsubscribe_token),
        "confirm_url": _confirm_url(notification),
        # Replies by email (mailin/): the email carries a reply address.
        "reply_by_email": addresses.reply_address(notification) is not None,
        "internal_reply": addresses.internal(notification),
    }


def _lead(kind, place, actor_name):
    """The email's first sentence: what happened."""
    someone = actor_name or tk._("Someone")
    return {
        "issue_created": tk._("A new issue was reported on {place}:"),
        "confirmation": tk._("Thank you: your issue about {place} was "
                             "received. Follow it, and read the replies, at "
                             "the link below."),
        "comment": tk._("{actor} commented on an issue about {place}:"),
        "internal_note": tk._("{actor} wrote an internal note, for the "
                              "organization only, on an issue about "
                              "{place}:"),
        "changed": tk._("{actor} updated an issue about {place}:"),
        "reopened": tk._("{actor} reopened an issue about {place}:"),
        "updated": tk._("{actor} updated an issue about {place}:"),
        "assigned": tk._("{actor} assigned an issue about {place} to you:"),
        "confirm_address": tk._("This address was given when writing about "
                                "{place}. Confirm it to receive the replies "
                                "by email:"),
    }[kind].format(place=place, actor=someone)


def _why(reason, site, organization, dataset):
    """The email's last sentence: why the recipient gets it."""
    return {
        "admin": tk._("You receive this email because you are an "
                      "administrator of {organization} on {site}."),
        "editor": tk._("You receive this email because you are an editor "
                       "of {organization} on {site}."),
        "maintainer": tk._("You receive this email because you are the "
                           "maintainer of the dataset {dataset} on {site}."),
        "organization_email": tk._("You receive this email because this is "
                                   "the help desk address of {organization} "
                                   "on {site}."),
        "reporter": tk._("You receive this email because you reported this "
                         "issue on {site}."),
        "assignee": tk._("You receive this email because the issue is "
                         "assigned to you on {site}."),
        "subscriber": tk._("You receive this email because you follow this "
                           "issue on {site}."),
        "anonymous_address": tk._("You receive this email because this "
                                  "address was given on {site}. If it was "
                                  "not you, ignore it: you will receive no "
                                  "other."),
    }[reason].format(site=site, organization=organization, dataset=dataset)


def _status_change(changes):
    if "status" not in changes:
        return None
    old, new = changes["status"]
    return status_label(old), status_label(new)


def _visible_original(notification, issue):
    """The original of an issue marked a duplicate, when the recipient may
    see it now (else the email says "another issue")."""
    original = model.Session.get(Issue, issue.duplicate_of_id)
    recipient = recipients.of_notification(notification)
    if recipient is None or not recipients.may_see(original, recipient):
        return None
    return original


def issue_url(issue, dataset, organization):
    """The issue's page, as the UI's helper builds it."""
    return tk.h.helpdesk_issue_url({
        "dataset_id": issue.dataset_id,
        "dataset_name": dataset.name if dataset else None,
        "organization_name": organization.name if organization else None,
        "number": issue.number}, _external=True)


def unsubscribe_url(token, one_click=False):
    """The page with the unsubscribe button, or (one_click) the RFC 8058
    URL mail clients POST to."""
    endpoint = ("helpdesk_notify.unsubscribe_one_click" if one_click
                else "helpdesk_notify.unsubscribe")
    return tk.url_for(endpoint, token=token, _external=True)


def _confirm_url(notification):
    if notification.kind != "confirm_address":
        return None
    token = confirm.new_token(notification.issue_id, notification.email)
    return tk.url_for("helpdesk_notify.confirm_address", token=token,
                      _external=True)


def request_context():
    """tk.render and the actions need a Flask request context, which a
    background job (a forked RQ work horse) and inbound mail do not have.
    CKAN keeps one of its app for url_for outside requests; toolkit has no
    door to the app, so we borrow that app from ckan.config.middleware."""
    if flask.has_request_context():
        return contextlib.nullcontext()
    from ckan.config.middleware import _internal_test_request_context
    app = _internal_test_request_context.app
    return app.test_request_context(base_url=tk.config["ckan.site_url"])
