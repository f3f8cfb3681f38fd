"""The helpdesk plugin: a table of contents of what it plugs into CKAN.

Each blanket registers the public functions of one module:
actions (logic/action.py), auth functions (logic/auth.py), validators
(logic/validators.py), template helpers (helpers.py), blueprints (views/),
CLI commands (cli.py) and declared config options
(config_declaration.yaml).
"""
import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.helpdesk import cli, helpers, views
from ckanext.helpdesk.logic import action, auth, validators
from ckanext.helpdesk.notify import subscriptions


@tk.blanket.config_declarations
@tk.blanket.actions(action)
@tk.blanket.auth_functions(auth)
@tk.blanket.validators(validators)
@tk.blanket.helpers(helpers)
@tk.blanket.blueprints(views.get_blueprints)
@tk.blanket.cli(cli.get_commands)
class HelpdeskPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)
    p.implements(p.ISignal)

    # IConfigurer

    def update_config(self, config):
        tk.add_template_directory(config, "templates")
        tk.add_resource("assets", "helpdesk")

    # ISignal

    def get_signal_subscriptions(self):
        return subscriptions.get_subscriptions()
