"""Issue numbers under concurrent creation: 50 processes, each with its own
database connection, report an issue on one dataset at the same moment."""
import multiprocessing

import pytest
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.helpdesk.model import Issue

REPORTERS = 50


def _report(user_name, dataset_id, start, results):
    """In a forked process: drop the parent's connections, wait for the
    others, then report."""
    model.Session.remove()
    model.meta.engine.dispose(close=False)
    start.wait()
    try:
        issue = tk.get_action("helpdesk_issue_create")(
            {"user": user_name, "ignore_auth": False},
            {"dataset_id": dataset_id, "category": "question",
             "title": f"Question from {user_name}",
             "description": "Which units?"})
        results.put(issue["number"])
    except Exception as error:  # reported to the parent, which fails
        results.put(repr(error))


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_50_simultaneous_reports_get_50_distinct_numbers():
    user = factories.User()
    dataset = factories.Dataset(owner_org=factories.Organization()["id"])
    model.Session.remove()
    context = multiprocessing.get_context("fork")
    start = context.Barrier(REPORTERS)
    results = context.Queue()
    processes = [context.Process(target=_report, args=(
        user["name"], dataset["id"], start, results))
        for _ in range(REPORTERS)]
    for process in processes:
        process.start()
    numbers = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(30)

    assert sorted(numbers) == list(range(1, REPORTERS + 1))
    stored = model.Session.execute(sa.select(Issue.number).where(
        Issue.dataset_id == dataset["id"])).scalars().all()
    assert sorted(stored) == list(range(1, REPORTERS + 1))
