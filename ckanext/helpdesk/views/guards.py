"""What every help desk answer goes through, whatever the operator's CKAN
settings say: the CSRF check of each form POST, and cache headers that
keep an answer meant for one signed-in caller out of shared caches.

CKAN 2.10 and 2.11 exempt extensions from CSRF by default
(``ckan.csrf_protection.ignore_extensions = true``), and send
``Cache-Control: public`` for every answer not rendered from a template
for a signed-in user: feeds, redirects, Open311 and the Action API among
them, even when a cookie or an API token chose what they show.
"""
from __future__ import annotations

import flask
from werkzeug.exceptions import RequestEntityTooLarge

import ckan.plugins.toolkit as tk
from ckan.types import Response
# No toolkit door to CKAN's CSRFProtect, whose protect() is the check CKAN
# itself runs on its own forms.
from ckan.config.middleware.flask_app import csrf

from ckanext.helpdesk.open311.views import prefix as open311_prefix, \
    token_header


# The pages reached from an email's links: their token is the credential.
EMAIL_LINKS = ("helpdesk_notify.unsubscribe",
               "helpdesk_notify.unsubscribe_one_click",
               "helpdesk_notify.confirm_address")


def require_csrf_token() -> None:
    """A blueprint's before-request hook: every POST (PUT, PATCH, DELETE)
    needs a valid CSRF token, signed in or not (anonymous report forms
    too: their page puts the token in the visitor's session; CKAN's own
    check skips every request not signed in by the session cookie).
    Operators who turn CSRF off for all of CKAN (``WTF_CSRF_ENABLED``)
    turn it off here too. As in CKAN, a request sending an API token
    header is exempt: a cross-site form cannot send that header."""
    if (not flask.current_app.config["WTF_CSRF_ENABLED"]
            or flask.request.endpoint in EMAIL_LINKS
            or flask.request.headers.get(token_header())):
        return
    csrf.protect()


def keep_private_answers_private(response: Response) -> Response:
    """An app-wide after-request hook: help desk answers vary with who
    asks (cookie session or API token), so they say so; those to a caller
    with credentials are ``Cache-Control: private``.

    It sets the flags CKAN's own after-request hook turns into headers
    (``__no_cache__`` gives "private", ``__limit_cache_by_cookie__``
    "Vary: Cookie"); that hook was registered before the plugins'
    blueprints, and Flask runs the last registered first, so this one runs
    before it."""
    if not _is_help_desk_request():
        return response
    environ = flask.request.environ
    environ["__limit_cache_by_cookie__"] = True
    if _has_credentials():
        environ["__no_cache__"] = True
    response.vary.add("Cookie")
    response.vary.add(token_header())
    return response


def _is_help_desk_request() -> bool:
    request = flask.request
    if (request.blueprint or "").startswith("helpdesk"):
        return True
    if request.endpoint == "api.action":
        return (request.view_args or {}).get(
            "logic_function", "").startswith("helpdesk_")
    # Open311 answers some paths from a hook (doubled slashes, errors).
    base = open311_prefix()
    return request.path == base or request.path.startswith(base + "/")


def _has_credentials() -> bool:
    return bool(tk.current_user.is_authenticated
                or flask.request.headers.get(token_header())
                or _posted_api_key())


def _posted_api_key() -> str | None:
    """An Open311 client's api_key, posted in the form. A form too large
    to parse (refused by the view already) carries none this hook reads:
    parsing it again here would raise past the view's answer."""
    try:
        return flask.request.form.get("api_key")
    except RequestEntityTooLarge:
        return None

