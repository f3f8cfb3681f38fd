"""What every help desk answer goes through, whatever the operator's CKAN
settings say: the CSRF check of each form POST.

CKAN 2.10 and 2.11 exempt extensions from CSRF by default
(``ckan.csrf_protection.ignore_extensions = true``).
"""
import flask

# No toolkit door to CKAN's CSRFProtect, whose protect() is the check CKAN
# itself runs on its own forms.
from ckan.config.middleware.flask_app import csrf


def require_csrf_token():
    """A blueprint's before-request hook: every POST (PUT, PATCH, DELETE)
    needs a valid CSRF token, signed in or not (anonymous report forms
    too: their page puts the token in the visitor's session).

    Left out: views exempted one by one with ``csrf.exempt`` (the
    one-click unsubscribe of RFC 8058, posted by mail clients), and
    operators who turn CSRF off for all of CKAN (``WTF_CSRF_ENABLED``)."""
    if not flask.current_app.config["WTF_CSRF_ENABLED"]:
        return
    view = flask.current_app.view_functions.get(flask.request.endpoint)
    # The set CKAN's own check reads (Flask-WTF keeps it by dotted name).
    if view and f"{view.__module__}.{view.__name__}" in csrf._exempt_views:
        return
    csrf.protect()

