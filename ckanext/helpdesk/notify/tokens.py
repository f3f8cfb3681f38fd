"""The tokens of the links in emails (unsubscribe, confirm an address):
random, so a link names no address, user or issue; the tables keep only
their SHA-256, looked up when the link is followed, so a copy of the
database holds no working link. They expire after
ckanext.helpdesk.notify.token_lifetime days."""
import datetime
import hashlib
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
