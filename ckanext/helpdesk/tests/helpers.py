"""How the tests call the help desk's actions: as a given user, with auth
checked as a page or the API would check it (CKAN's own
`ckan.tests.helpers.call_action` skips auth, which is what most of these
tests are about)."""
from ckan.tests import helpers


def call_as(user, action, /, **data):
    """Run the action `action` with `data` as `user`: a user dict, a user
    name, or None for an anonymous visitor. (Both are positional only: an
    action may take a `user` or an `action` of its own.)"""
    name = user["name"] if isinstance(user, dict) else user
    return helpers.call_action(
        action, context={"user": name or "", "ignore_auth": False}, **data)
