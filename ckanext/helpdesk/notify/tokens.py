"""Signed unsubscribe tokens: the link in every email is the credential,
so it works without signing in and cannot be forged or altered."""
import itsdangerous

import ckan.plugins.toolkit as tk

SALT = "ckanext-helpdesk-unsubscribe"


def _serializer():
    return itsdangerous.URLSafeSerializer(tk.config["SECRET_KEY"], salt=SALT)


def make(issue_id, user_id=None, email=None):
    """A token for one person (a user, or an address) and one issue."""
    who = {"u": user_id} if user_id else {"e": email}
    return _serializer().dumps({"i": issue_id, **who})


def read(token):
    """(issue id, user id, email) of a token; raises ValueError when it was
    not made by this portal."""
    try:
        data = _serializer().loads(token)
    except itsdangerous.BadData as error:
        raise ValueError("invalid unsubscribe token") from error
    return data["i"], data.get("u"), data.get("e")
