"""Lists cost a constant number of SQL statements, whatever their length."""
import contextlib

import pytest
import sqlalchemy as sa

import ckan.model as model
from ckan.tests import factories

from ckanext.helpdesk.tests.helpers import call_as

ISSUES = 100


@contextlib.contextmanager
def counting_statements():
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(model.meta.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(model.meta.engine, "before_cursor_execute", count)


@pytest.fixture
def busy_dataset(clean_db):
    """100 issues with everything an issue dict names: assignee, resource,
    a closing reply, votes and subscriptions."""
    editor = factories.User()
    org = factories.Organization(users=[{"name": editor["name"],
                                         "capacity": "editor"}])
    dataset = factories.Dataset(owner_org=org["id"], private=True)
    resource = factories.Resource(package_id=dataset["id"])
    for number in range(ISSUES):
        issue = call_as(editor, "helpdesk_issue_create",
                        dataset_id=dataset["id"], resource_id=resource["id"],
                        category="data-problem", title=f"Problem {number}",
                        description="Off.")
        if number % 3 == 0:
            call_as(editor, "helpdesk_issue_update", id=issue["id"],
                    status="resolved", assignee=editor["name"], comment="Done")
            call_as(editor, "helpdesk_issue_vote", id=issue["id"])
            call_as(editor, "helpdesk_issue_subscribe", id=issue["id"])
    return editor, dataset


def _statements_of_search(user, dataset, limit):
    model.Session.remove()
    with counting_statements() as statements:
        found = call_as(user, "helpdesk_issue_search",
                        dataset_id=dataset["id"], limit=limit)
    assert len(found["results"]) == limit
    assert found["count"] == ISSUES
    return statements


@pytest.mark.usefixtures("with_plugins")
def test_search_runs_the_same_few_statements_for_10_or_100_results(
        busy_dataset):
    editor, dataset = busy_dataset
    for_10 = _statements_of_search(editor, dataset, 10)
    for_100 = _statements_of_search(editor, dataset, 100)
    assert len(for_100) == len(for_10)
    # CKAN's check_access reads the caller's user row twice (auth_user_obj,
    # then authz.is_sysadmin); ours are the page and the facets (which
    # carry the total).
    assert len(for_100) <= 4, "\n".join(s[:200] for s in for_100)


@pytest.mark.usefixtures("with_plugins")
def test_counts_of_a_page_of_datasets_is_one_statement(busy_dataset):
    editor, dataset = busy_dataset
    other_ids = [factories.Dataset(owner_org=dataset["owner_org"])["id"]
                 for _ in range(19)]
    model.Session.remove()
    with counting_statements() as statements:
        counts = call_as(editor, "helpdesk_issue_counts",
                         dataset_ids=[dataset["id"], *other_ids])
    assert counts[dataset["id"]] == {"open": 66, "total": ISSUES}
    assert all(counts[dataset_id]["total"] == 0 for dataset_id in other_ids)
    # The caller's user row (twice, by CKAN's check_access) and the
    # grouped count.
    assert len(statements) <= 3, "\n".join(s[:200] for s in statements)
