"""A small world for the logic tests: an organization with an editor, an
admin and a member, another organization with its admin, a public and a
private dataset."""
import types

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories


def call(action_name, user=None, **data_dict):
    """Run an action as `user` (a user dict, or None for anonymous), with
    auth checked as in a web request."""
    context = {"user": user["name"] if user else "", "ignore_auth": False}
    return tk.get_action(action_name)(context, data_dict)


@pytest.fixture
def world(clean_db):
    sysadmin = factories.Sysadmin()
    editor, admin, member = (factories.User() for _ in range(3))
    reporter, stranger, outsider = (factories.User() for _ in range(3))
    org = factories.Organization(users=[
        {"name": editor["name"], "capacity": "editor"},
        {"name": admin["name"], "capacity": "admin"},
        {"name": member["name"], "capacity": "member"},
    ])
    other_org = factories.Organization(users=[
        {"name": outsider["name"], "capacity": "admin"}])
    public = factories.Dataset(owner_org=org["id"])
    private = factories.Dataset(owner_org=org["id"], private=True)
    return types.SimpleNamespace(
        sysadmin=sysadmin, editor=editor, admin=admin, member=member,
        reporter=reporter, stranger=stranger, outsider=outsider, org=org,
        other_org=other_org, public=public, private=private)


def report(world, dataset=None, user="reporter", **extra):
    """An issue reported by `user` on `dataset` (a data request to the
    organization when None)."""
    target = ({"dataset_id": dataset["id"]} if dataset
              else {"organization_id": world.org["id"]})
    data = dict(target, category="data-problem", title="Wrong totals",
                description="The totals in 2021 do not add up.")
    data.update(extra)
    return call("helpdesk_issue_create", getattr(world, user), **data)
