"""The help desk's blueprints."""
from ckanext.helpdesk.notify import views as notify_views
from ckanext.helpdesk.open311 import views as open311_views
from ckanext.helpdesk.views import dashboard, feeds, guards, issues, \
    moderation, stats

# Every blueprint with forms checks their CSRF token itself, whatever
# ckan.csrf_protection.ignore_extensions says. Not Open311: its writes
# never trust the session cookie, so a forged cross-site POST is anonymous.
# Nor the email links (guards.EMAIL_LINKS): the link's own token is the
# credential, and with it alone the one-click URL (RFC 8058) does the same.
FORMS = (issues.helpdesk, dashboard.queue, moderation.moderation,
         notify_views.notify)
for _blueprint in FORMS:
    _blueprint.before_request(guards.require_csrf_token)
issues.helpdesk.after_app_request(guards.keep_private_answers_private)


def get_blueprints():
    # Issue pages, queues, moderation, Atom feeds, the email links
    # (unsubscribe, confirm an address), the statistics and the Open311 API.
    return [issues.helpdesk, dashboard.queue, moderation.moderation,
            feeds.feeds, stats.stats, notify_views.notify,
            *open311_views.blueprints()]
