"""`ckan helpdesk sync`: the other side's answers come back, batched per
endpoint (never one request per issue), each applied once, as replies
and status changes by a user named for the endpoint."""
import datetime

import pytest
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.helpdesk.federation import forwarding, sync
from ckanext.helpdesk.model import Comment, ForwardSync, Issue
from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.federation.conftest import add_route
from ckanext.helpdesk.tests.helpers import call_as


def forwarded(world, endpoint, count=1):
    add_route(world, endpoint)
    issues = [factories.Issue(user=world.reporter,
                              dataset_id=world.public["id"],
                              title=f"Wrong totals {n}")
              for n in range(count)]
    assert forwarding.send_pending()["delivered"] == count
    return issues


def comments_of(issue_id):
    model.Session.expire_all()
    return model.Session.execute(sa.select(Comment).where(
        Comment.issue_id == issue_id).order_by(Comment.created)
    ).scalars().all()


def status_of(issue_id):
    model.Session.expire_all()
    return model.Session.get(Issue, issue_id).status


@pytest.mark.ckan_config("ckanext.helpdesk.forward.sync_batch", 2)
def test_sync_asks_for_the_requests_in_batches_not_one_call_per_issue(
        federated, endpoint):
    forwarded(federated, endpoint, 5)
    endpoint.calls.clear()
    totals = sync.sync()
    # One servicerequestupdates.json probe (404 here), then 5 ids in
    # batches of 2.
    assert endpoint.count("GET", "/servicerequestupdates.json") == 1
    assert endpoint.count("GET", "/requests.json") == 3
    asked = [call[2]["service_request_id"] for call in endpoint.calls
             if call[1].endswith("/requests.json")]
    assert sorted(i for ids in asked for i in ids.split(",")) == [
        "4821", "4822", "4823", "4824", "4825"]
    assert totals == {"endpoints": 1, "calls": 4, "applied": 0}
    endpoint.calls.clear()
    sync.sync()  # the endpoint is known not to serve updates now
    assert endpoint.count("GET", "/servicerequestupdates.json") == 0
    assert endpoint.count("GET", "/requests.json") == 3


def test_a_closed_request_resolves_the_issue_once_with_its_note_as_a_reply(
        federated, endpoint, mail, run_jobs):
    [issue] = forwarded(federated, endpoint)
    run_jobs()
    mail.clear()
    endpoint.records["4821"] = {"status": "closed",
                                "status_notes": "Fixed in the March data.",
                                "updated_datetime": "2026-12-03T10:00:00Z"}
    assert sync.sync()["applied"] == 1
    assert sync.sync()["applied"] == 0
    assert status_of(issue["id"]) == "resolved"
    [reply] = comments_of(issue["id"])
    assert reply.body == "Fixed in the March data."
    author = model.User.get(reply.author_id)
    assert author.fullname == "City works"
    events = call_as(federated.editor, "helpdesk_event_list",
                     issue_id=issue["id"])
    assert any(event.get("new_value") == "resolved" for event in events)
    run_jobs()
    told = {recipient for recipients, _ in mail.wait_for(1)
            for recipient in recipients}
    assert federated.reporter["email"] in told
    assert author.email not in told
    # A closed request is not asked for again.
    endpoint.calls.clear()
    sync.sync()
    assert endpoint.count("GET", "/requests.json") == 0


def test_a_note_without_a_status_change_becomes_a_reply_and_reopening_works(
        federated, endpoint):
    [issue] = forwarded(federated, endpoint)
    endpoint.records["4821"] = {"status": "open",
                                "status_notes": "We are looking into it."}
    sync.sync()
    assert status_of(issue["id"]) == "new"
    assert [c.body for c in comments_of(issue["id"])] == [
        "We are looking into it."]
    call_as(federated.editor, "helpdesk_issue_update", id=issue["id"],
            status="resolved")
    endpoint.records["4821"] = {"status": "open",
                                "status_notes": "Still wrong, reopened."}
    sync.sync()
    assert status_of(issue["id"]) == "new"


def test_where_the_endpoint_serves_updates_they_are_used_and_applied_once(
        federated, helpdesk_endpoint):
    [issue] = forwarded(federated, helpdesk_endpoint)
    now = datetime.datetime.now(datetime.timezone.utc)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    helpdesk_endpoint.update_list[:] = [
        {"update_id": "u1", "service_request_id": "4821", "status": "open",
         "updated_datetime": stamp, "description": "Thanks, on it."},
        {"update_id": "u2", "service_request_id": "4821",
         "status": "closed", "updated_datetime": stamp,
         "description": "Corrected."},
        {"update_id": "u3", "service_request_id": "9999",
         "status": "closed", "updated_datetime": stamp,
         "description": "Not ours."}]
    helpdesk_endpoint.calls.clear()
    later = now + datetime.timedelta(seconds=5)
    assert sync.sync(now=later)["applied"] == 2
    assert helpdesk_endpoint.count("GET", "/requests.json") == 0
    assert status_of(issue["id"]) == "resolved"
    assert [c.body for c in comments_of(issue["id"])] == [
        "Thanks, on it.", "Corrected."]
    # The same window again (a sync that did not record its end): nothing
    # is applied twice.
    model.Session.get(ForwardSync, helpdesk_endpoint.url).synced_until = \
        now - datetime.timedelta(minutes=1)
    model.Session.commit()
    assert sync.sync(now=later)["applied"] == 0
    assert len(comments_of(issue["id"])) == 2


def test_an_endpoint_that_is_down_is_left_for_the_next_sync(
        federated, endpoint, helpdesk_endpoint):
    forwarded(federated, endpoint)
    endpoint.stop()
    assert sync.sync() == {"endpoints": 0, "calls": 0, "applied": 0}
    assert tk.config["ckanext.helpdesk.forward.sync_batch"] == 50
