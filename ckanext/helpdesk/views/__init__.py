"""The help desk's blueprints."""
from ckanext.helpdesk.notify import views as notify_views
from ckanext.helpdesk.open311 import views as open311_views
from ckanext.helpdesk.views import dashboard, feeds, issues, moderation


def get_blueprints():
    # ui (issue 4): issue pages, queues, moderation, Atom feeds.
    return [issues.helpdesk, dashboard.queue, moderation.moderation,
            feeds.feeds,
            notify_views.notify,  # notify (issue 5): unsubscribe links
            *open311_views.blueprints()]  # open311 (issue 6)
