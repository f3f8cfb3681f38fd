"""The helpdesk plugin: a table of contents of what it plugs into CKAN.

Each blanket registers the public functions of one module:
actions (logic/action.py, notify/actions.py and webhooks/actions.py),
auth functions (logic/auth.py, notify/auth.py and webhooks/auth.py), validators
(logic/validators.py), template helpers (helpers.py), blueprints (views/),
CLI commands (cli.py) and declared config options
(config_declaration.yaml). CKAN's DefaultTranslation finds the
translations in i18n/ (domain ckanext-helpdesk). The dataset search
reads each dataset's open issue count from CKAN's search index
(search_index.py).
"""
import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from ckanext.helpdesk import (activity, cli, helpers, readiness,
                               search_index, signals, views)
from ckanext.helpdesk.federation import actions as federation_actions
from ckanext.helpdesk.federation import auth as federation_auth
from ckanext.helpdesk.federation import forwarding
from ckanext.helpdesk.logic import action, auth, dataset_moves, validators
from ckanext.helpdesk.notify import actions as notify_actions
from ckanext.helpdesk.notify import auth as notify_auth
from ckanext.helpdesk.notify import subscriptions
from ckanext.helpdesk.webhooks import actions as webhook_actions
from ckanext.helpdesk.webhooks import auth as webhook_auth
from ckanext.helpdesk.webhooks import events as webhook_events


def _exported(*modules):
    """{name: function} of the __all__ of each module."""
    return {name: getattr(module, name)
            for module in modules for name in module.__all__}


@tk.blanket.config_declarations
@tk.blanket.actions(lambda: _exported(action, notify_actions,
                                      federation_actions, webhook_actions))
@tk.blanket.auth_functions(lambda: _exported(auth, notify_auth,
                                             federation_auth, webhook_auth))
@tk.blanket.validators(validators)
@tk.blanket.helpers(helpers)
@tk.blanket.blueprints(views.get_blueprints)
@tk.blanket.cli(cli.get_commands)
class HelpdeskPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.ISignal)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IFacets, inherit=True)

    # IConfigurer

    def update_config(self, config):
        tk.add_template_directory(config, "templates")
        tk.add_resource("assets", "helpdesk")

    # ISignal

    def get_signal_subscriptions(self):
        subscribed = subscriptions.get_subscriptions()
        for more in (activity.subscriptions(), forwarding.subscriptions(),
                     webhook_events.subscriptions()):
            for signal, receivers in more.items():
                subscribed[signal] = subscribed.get(signal, []) + receivers
        # What visitors are shown of a dataset follows its issues: the
        # cached counts and latest issues, and the count in the index.
        for signal in (signals.issue_created, signals.issue_changed,
                       signals.issue_deleted):
            subscribed[signal] = subscribed.get(signal, []) + [
                helpers.forget_for_visitors, search_index.reindex_later]
        return subscribed

    # IPackageController

    # Before `ckan db upgrade -p helpdesk` CKAN's own dataset editing must
    # keep working: the hooks wait for the tables.

    def after_dataset_update(self, context, pkg_dict):
        if not readiness.tables_ready():
            return
        dataset_moves.follow_owner(pkg_dict["id"], pkg_dict.get("owner_org"))
        activity.retract_dataset_unless_public(pkg_dict["id"])

    def after_dataset_delete(self, context, pkg_dict):
        if not readiness.tables_ready():
            return
        activity.retract_dataset(pkg_dict["id"])

    def before_dataset_index(self, pkg_dict):
        if not readiness.tables_ready():
            return pkg_dict
        return search_index.with_open_issues(pkg_dict)

    def before_dataset_search(self, search_params):
        return search_index.with_padded_counts(search_params)

    def after_dataset_search(self, search_results, search_params):
        return search_index.with_facet_labels(search_results)

    # IFacets

    def dataset_facets(self, facets_dict, package_type):
        return search_index.with_facet(facets_dict)
