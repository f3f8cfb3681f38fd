"""The tokens of the links in emails (unsubscribe, confirm an address):
random, so a link names no address, user or issue; the tables keep only
their SHA-256, looked up when the link is followed, so a copy of the
database holds no working link. They expire after
ckanext.helpdesk.notify.token_lifetime days.

Where a token must fit where nothing can be stored beside it (the reply
address of an email, whose local part holds at most 64 characters), it is
signed instead: an HMAC of what it binds, keyed with CKAN's SECRET_KEY."""
import datetime
import hashlib
import hmac
import secrets

import ckan.plugins.toolkit as tk

from ckanext.helpdesk.model import utcnow


def new():
    """(a fresh token for the link, its digest to store)."""
    token = secrets.token_urlsafe(32)
    return token, digest(token)


def digest(token):
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def expired(made_at):
    """Whether a token made at `made_at` is past its lifetime."""
    lifetime = datetime.timedelta(
        days=tk.config["ckanext.helpdesk.notify.token_lifetime"])
    return made_at is None or made_at + lifetime < utcnow()


def signature(message, length=10):
    """The first `length` bytes of the HMAC-SHA256 of `message` under
    CKAN's secret: what no one without the secret can make."""
    key = tk.config["SECRET_KEY"].encode("utf-8")
    return hmac.new(key, message.encode("utf-8"),
                    hashlib.sha256).digest()[:length]


def signed_by_us(message, claimed, length=10):
    """Whether `claimed` (bytes) is the signature of `message`, compared in
    constant time."""
    return hmac.compare_digest(signature(message, length), claimed)
