"""A small world for the logic tests: an organization with an editor, an
admin and a member, another organization with its admin, a public and a
private dataset."""
import types

import pytest

from ckan.tests import factories


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
