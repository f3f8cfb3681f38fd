"""Defences of the forms visitors post without an account (report, data
request, comment) against bots: a honeypot field people never see, a
minimum fill time (the form carries the time it was shown, signed with the
site's secret), and CKAN's own reCAPTCHA when ckan.recaptcha.publickey and
privatekey are set. A refusal is neutral: it does not tell a bot which
defence caught it."""
from __future__ import annotations

import logging
import time
from typing import Optional

import itsdangerous

import ckan.plugins.toolkit as tk
from ckan.lib import captcha  # toolkit has no door to CKAN's reCAPTCHA

log = logging.getLogger(__name__)

# A field a bot fills and a person never sees (hidden by helpdesk.css).
HONEYPOT = "website"
# The signed moment the form was shown.
STARTED = "form_started"
SALT = "ckanext-helpdesk-form-started"


def _serializer():
    return itsdangerous.URLSafeTimedSerializer(tk.config["SECRET_KEY"],
                                               salt=SALT)


def started_token() -> str:
    """What the form carries in its STARTED field."""
    return _serializer().dumps("")


def captcha_key() -> Optional[str]:
    """The reCAPTCHA site key, when the operator set both of CKAN's keys."""
    if tk.config.get("ckan.recaptcha.privatekey"):
        return tk.config.get("ckan.recaptcha.publickey") or None
    return None


def refusal(form) -> Optional[str]:
    """None for a form a person may have filled in; else the neutral
    message the form is shown again with."""
    if form.get(HONEYPOT) or not _slow_enough(form.get(STARTED, "")) \
            or not _captcha_solved():
        return tk._("Your message could not be sent. Please check the form "
                    "and send it again.")
    return None


def _slow_enough(token):
    minimum = tk.config.get("ckanext.helpdesk.spam.min_fill_time") or 0
    try:
        _, shown_at = _serializer().loads(token, return_timestamp=True)
    except itsdangerous.BadData:
        return not minimum  # without a minimum the token is not needed
    return time.time() - shown_at.timestamp() >= int(minimum)


def _captcha_solved():
    if not captcha_key():
        return True
    try:
        captcha.check_recaptcha(tk.request)
    except Exception as error:  # noqa: BLE001 - refused or unreachable
        # Fails closed: a reCAPTCHA service that cannot be asked lets no
        # anonymous post through.
        log.info("reCAPTCHA check refused the form: %r", error)
        return False
    return True
