"""The addresses mail comes in to, all at ckanext.helpdesk.mail.reply_domain
(unset: email is not taken in, and no email carries a reply address):

- a notification's reply address, ``helpdesk+<token>@<domain>``: the
  token is the notification's id and a signature (notify/tokens.py) of
  what the reply may be: a comment by that user on that issue, an
  internal note when the email told of one. Nothing is stored for it,
  and it fits the 64 characters of an address's local part;
- an organization's write-in address, ``helpdesk+org-<name>@<domain>``.

Tokens are lowercase base32: mail servers may change the case of an
address's local part.
"""
import base64
import binascii
import dataclasses
import datetime
import uuid

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.helpdesk.model import Comment, Notification, utcnow
from ckanext.helpdesk.notify import tokens

ORGANIZATION_PREFIX = "org-"
SIGNATURE_BYTES = 10
ID_CHARS = 26  # a UUID's 16 bytes in base32
TOKEN_CHARS = ID_CHARS + 16  # and the signature's 10


@dataclasses.dataclass(frozen=True)
class Target:
    """What an address names: kind "reply" with its token, or
    "organization" with the organization's name."""
    kind: str
    value: str


def domain():
    """The domain of the addresses, or None when mail is not taken in."""
    return (tk.config.get("ckanext.helpdesk.mail.reply_domain") or "").strip(
    ).lower() or None


def _local_part():
    return tk.config["ckanext.helpdesk.mail.local_part"].strip().lower()


def _address(suffix):
    return f"{_local_part()}+{suffix}@{domain()}"


def organization_address(organization_name):
    """The address writing to which opens an issue of the organization;
    None when mail is not taken in."""
    if domain() is None:
        return None
    return _address(ORGANIZATION_PREFIX + organization_name)


def reply_address(notification):
    """The Reply-To of a notification's email: replying to it comments on
    the issue as its recipient. None when mail is not taken in, or for an
    email that is not to a user about an issue (digests, addresses
    without an account)."""
    if domain() is None or not notification.user_id or (
            not notification.issue_id):
        return None
    signature = tokens.signature(_bound(notification), SIGNATURE_BYTES)
    return _address(_base32(uuid.UUID(notification.id).bytes)
                    + _base32(signature))


def internal(notification):
    """Whether a reply to the notification's email is an internal note:
    the email told of one (only the organization's people get those)."""
    if not notification.comment_id:
        return False
    comment = model.Session.get(Comment, notification.comment_id)
    return bool(comment and comment.internal)


def _bound(notification):
    """What the signature binds: the email, its recipient and issue, and
    whether a reply is an internal note."""
    return " ".join(["reply", notification.id, notification.user_id,
                     notification.issue_id,
                     "internal" if internal(notification) else "public"])


def target(recipient):
    """What an envelope recipient names at our domain, or None."""
    local, _at, at_domain = (recipient or "").strip().strip("<>"
                                                            ).rpartition("@")
    prefix = _local_part() + "+"
    local = local.lower()
    if domain() is None or at_domain.lower() != domain() or (
            not local.startswith(prefix)):
        return None
    suffix = local[len(prefix):]
    if suffix.startswith(ORGANIZATION_PREFIX):
        return Target("organization", suffix[len(ORGANIZATION_PREFIX):])
    return Target("reply", suffix)


def notification_of(token):
    """The notification a reply token was made for, or None for a token we
    did not make (or one whose notification is gone)."""
    if len(token) != TOKEN_CHARS:
        return None
    try:
        notification_id = str(uuid.UUID(bytes=_unbase32(token[:ID_CHARS])))
        signature = _unbase32(token[ID_CHARS:])
    except (binascii.Error, ValueError):
        return None
    notification = model.Session.get(Notification, notification_id)
    if notification is None or not notification.user_id or (
            not notification.issue_id):
        return None
    if not tokens.signed_by_us(_bound(notification), signature,
                               SIGNATURE_BYTES):
        return None
    return notification


def expired(notification):
    lifetime = datetime.timedelta(
        days=tk.config["ckanext.helpdesk.mail.reply_lifetime"])
    return (notification.sent_at or notification.created) + lifetime < (
        utcnow())


def _base32(data):
    return base64.b32encode(data).decode("ascii").rstrip("=").lower()


def _unbase32(text):
    return base64.b32decode(text.upper() + "=" * (-len(text) % 8))
