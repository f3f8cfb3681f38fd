"""Who may do what with an issue, cell by cell: {anonymous, signed-in
stranger, reporter, editor and admin of the owning organization, admin of
another organization, sysadmin} x {issue on a public, private or deleted
dataset; data request} x {show, search, counts, comment list, create,
update, comment, vote}. Refused cells name how: not found for what the
caller may not see, not authorized for what they see but may not do.

The issues are reported while their datasets are public, then the datasets
are made private or deleted: the issues follow their dataset's visibility.
One world (with the plugin loaded once, not per test) serves the whole
module; the writing cells only add rows the reading cells do not depend
on.
"""
import types

import pytest

import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.helpdesk.tests.helpers import call_as

ROLES = ("anonymous", "stranger", "reporter", "editor", "admin", "outsider",
         "sysadmin")
TARGETS = ("public", "private", "deleted", "request")
EVERYONE = set(ROLES)
MANAGERS = {"editor", "admin", "sysadmin"}
SEES = {"public": EVERYONE, "request": EVERYONE,
        "private": MANAGERS, "deleted": MANAGERS}


def allowed(action, role, target):
    sees = role in SEES[target]
    if action in ("show", "search", "counts", "comment_list"):
        return sees
    if action == "update":  # the title: its reporter and the managers
        return sees and role in MANAGERS | {"reporter"}
    # create, comment, vote: signed-in users (anonymous ones are not
    # allowed by default) who may see the dataset.
    return sees and role != "anonymous"


def refusal(action, role, target):
    """What a refused cell raises. An issue the caller may not see is not
    found, exactly as a missing one, and so is a dataset to report on (a
    field of the report, hence a ValidationError naming dataset_id); a
    refusal (NotAuthorized) is only for what the caller sees, or for
    visitors who must sign in whatever the issue."""
    if role == "anonymous" and action in ("create", "update", "comment",
                                          "vote"):
        return tk.NotAuthorized
    if role not in SEES[target]:
        return tk.ValidationError if action == "create" else \
            tk.ObjectNotFound
    return tk.NotAuthorized


@pytest.fixture(scope="module")
def matrix(reset_db, migrate_db_for):
    plugins.load_all()
    reset_db()
    migrate_db_for("helpdesk")
    users = {role: factories.User() for role in ROLES[1:] if role != "sysadmin"}
    users["sysadmin"] = factories.Sysadmin()
    users["anonymous"] = None
    org = factories.Organization(users=[
        {"name": users["editor"]["name"], "capacity": "editor"},
        {"name": users["admin"]["name"], "capacity": "admin"}])
    factories.Organization(users=[
        {"name": users["outsider"]["name"], "capacity": "admin"}])
    datasets = {target: factories.Dataset(owner_org=org["id"])
                for target in ("public", "private", "deleted")}
    issues = {target: call_as(users["reporter"], "helpdesk_issue_create",
                              dataset_id=dataset["id"], category="question",
                              title="Units?", description="Which units?")
              for target, dataset in datasets.items()}
    issues["request"] = call_as(users["reporter"], "helpdesk_issue_create",
                                organization_id=org["id"],
                                category="data-request", title="Bus stops",
                                description="Please")
    for issue in issues.values():
        call_as(users["reporter"], "helpdesk_comment_create",
                issue_id=issue["id"], body="Any news?")
    helpers.call_action("package_patch", id=datasets["private"]["id"],
                        private=True)
    helpers.call_action("package_delete", id=datasets["deleted"]["id"])
    yield types.SimpleNamespace(users=users, org=org, datasets=datasets,
                                issues=issues)
    plugins.unload_all()


def _show(world, user, issue, target):
    assert call_as(user, "helpdesk_issue_show", id=issue["id"])["id"] == \
        issue["id"]


def _search(world, user, issue, target):
    found = call_as(user, "helpdesk_issue_search", limit=1000)
    return issue["id"] in {result["id"] for result in found["results"]}


def _counts(world, user, issue, target):
    """Counts are per dataset: a data request is counted under none."""
    dataset_id = issue["dataset_id"] or world.org["id"]
    counts = call_as(user, "helpdesk_issue_counts", dataset_ids=[dataset_id])
    return counts[dataset_id]["total"] > 0


def _comment_list(world, user, issue, target):
    comments = call_as(user, "helpdesk_comment_list", issue_id=issue["id"])
    assert "Any news?" in [comment["body"] for comment in comments]


def _create(world, user, issue, target):
    where = ({"dataset_id": issue["dataset_id"]} if issue["dataset_id"]
             else {"organization_id": world.org["id"]})
    created = call_as(user, "helpdesk_issue_create", category="question",
                      title="Another", description="Which units?", **where)
    assert created["number"] > 1


def _update(world, user, issue, target):
    title = "Units? ({})".format(user["name"] if user else "anonymous")
    assert call_as(user, "helpdesk_issue_update", id=issue["id"],
                   title=title)["title"] == title


def _comment(world, user, issue, target):
    comment = call_as(user, "helpdesk_comment_create", issue_id=issue["id"],
                      body="Me too")
    assert comment["issue_id"] == issue["id"]


def _vote(world, user, issue, target):
    assert call_as(user, "helpdesk_issue_vote", id=issue["id"])["voted"]


ACTIONS = {"show": _show, "search": _search, "counts": _counts,
           "comment_list": _comment_list, "create": _create,
           "update": _update, "comment": _comment, "vote": _vote}
# Lists answer with what the caller may see rather than refusing.
FILTERING = ("search", "counts")


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("role", ROLES)
def test_auth_matrix(matrix, role, target, action):
    user = matrix.users[role]
    issue = matrix.issues[target]
    run = ACTIONS[action]
    expected = allowed(action, role, target)
    if action == "counts" and target == "request":
        expected = False
    if action in FILTERING:
        assert run(matrix, user, issue, target) is expected
    elif expected:
        run(matrix, user, issue, target)
    else:
        with pytest.raises(refusal(action, role, target)) as raised:
            run(matrix, user, issue, target)
        if raised.type is tk.ValidationError:
            assert raised.value.error_dict == {
                "dataset_id": ["Dataset not found"]}
