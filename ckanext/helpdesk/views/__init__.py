"""The help desk's blueprints."""
from __future__ import annotations

from flask import Blueprint

from ckanext.helpdesk import readiness
from ckanext.helpdesk.federation import views as federation_views
from ckanext.helpdesk.notify import views as notify_views
from ckanext.helpdesk.open311 import views as open311_views
from ckanext.helpdesk.views import dashboard, exports, feeds, guards, \
    issues, moderation, settings, stats, webhooks

# Every blueprint with forms checks their CSRF token itself, whatever
# ckan.csrf_protection.ignore_extensions says. Not Open311: its writes
# never trust the session cookie, so a forged cross-site POST is anonymous.
# Nor the email links (guards.EMAIL_LINKS): the link's own token is the
# credential, and with it alone the one-click URL (RFC 8058) does the same.
FORMS = (issues.helpdesk, dashboard.queue, moderation.moderation,
         notify_views.notify, settings.settings, federation_views.forward,
         webhooks.webhooks)
for _blueprint in FORMS:
    _blueprint.before_request(guards.require_csrf_token)
issues.helpdesk.after_app_request(guards.keep_private_answers_private)


def get_blueprints() -> list[Blueprint]:
    # Issue pages, queues, moderation, Atom feeds, CSV and JSON exports,
    # the statistics, the email links (unsubscribe, confirm an address),
    # organizations' help desk settings (and webhooks) and the Open311 API.
    blueprints = [issues.helpdesk, dashboard.queue, moderation.moderation,
                  feeds.feeds, exports.exports, stats.stats,
                  notify_views.notify, settings.settings,
                  federation_views.forward, webhooks.webhooks,
                  *open311_views.blueprints()]
    for blueprint in blueprints:
        # First of the blueprint's hooks, so nothing reads a missing
        # table before it (the app may be made more than once).
        hooks = blueprint.before_request_funcs.setdefault(None, [])
        if readiness.refuse_until_ready not in hooks:
            hooks.insert(0, readiness.refuse_until_ready)
    return blueprints
