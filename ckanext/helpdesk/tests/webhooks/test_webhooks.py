"""Webhooks: an organization's admins add URLs; the help desk POSTs its
issues' events there as JSON signed the documented way, from background
jobs, retrying with the log of each attempt, telling each webhook only
what it may know."""
import inspect
import json
import pathlib

import pytest

import ckan.plugins.toolkit as tk

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.webhooks import delivery, signature
from ckanext.helpdesk.webhooks.signature import HEADER, verify_signature

pytestmark = pytest.mark.usefixtures("with_plugins")


def add_webhook(world, url, user="admin", **fields):
    return call_as(getattr(world, user), "helpdesk_webhook_create",
                   organization_id=world.org["id"], url=url, **fields)


def deliveries(world, user="admin"):
    [webhook] = call_as(getattr(world, user), "helpdesk_webhook_list",
                        organization_id=world.org["id"])
    return webhook["deliveries"]


# -- signatures ---------------------------------------------------------------

def test_a_delivery_by_a_real_worker_verifies_with_the_documented_code(
        org_world, receiver, run_jobs):
    webhook = add_webhook(org_world, receiver.url())
    issue = factories.Issue(user=org_world.reporter,
                            dataset_id=org_world.public["id"],
                            title="Wrong stop")
    run_jobs()
    [request] = receiver.received
    assert request.headers["X-Helpdesk-Event"] == "issue_created"
    assert request.payload["event"] == "issue_created"
    assert request.payload["issue"]["id"] == issue["id"]
    assert request.payload["id"] == request.headers["X-Helpdesk-Delivery"]
    header = request.headers[HEADER]
    assert verify_signature(webhook["secret"], header, request.body)
    # A tampered body, another secret, an old delivery replayed: refused.
    tampered = request.body.replace(b"Wrong stop", b"Right stop")
    assert not verify_signature(webhook["secret"], header, tampered)
    assert not verify_signature("whsec_guess", header, request.body)
    sent_at = int(header.split(",")[0][2:])
    assert not verify_signature(webhook["secret"], header, request.body,
                                now=sent_at + 301)
    assert verify_signature(webhook["secret"], header, request.body,
                            now=sent_at + 299)
    [logged] = deliveries(org_world)
    assert logged["status"] == "delivered"
    assert [a["response_code"] for a in logged["attempt_log"]] == [200]


def test_a_rotated_secret_signs_what_follows_and_the_old_one_fails(
        org_world, receiver):
    webhook = add_webhook(org_world, receiver.url())
    rotated = call_as(org_world.admin, "helpdesk_webhook_rotate_secret",
                      id=webhook["id"])
    assert rotated["secret"] != webhook["secret"]
    factories.Issue(user=org_world.reporter, dataset_id=org_world.public["id"])
    delivery.deliver_due()
    [request] = receiver.received
    assert verify_signature(rotated["secret"], request.headers[HEADER],
                            request.body)
    assert not verify_signature(webhook["secret"], request.headers[HEADER],
                                request.body)


# -- retries ------------------------------------------------------------------

def test_with_the_receiver_down_attempts_are_logged_then_one_delivery(
        org_world, down_receiver, run_jobs):
    add_webhook(org_world, down_receiver.url())
    factories.Issue(user=org_world.reporter, dataset_id=org_world.public["id"])
    run_jobs()  # the job enqueued with the report: the port is closed
    delivery.deliver_due(retry_now=True)
    [logged] = deliveries(org_world)
    assert (logged["status"], logged["attempts"]) == ("pending", 2)
    assert [a["response_code"] for a in logged["attempt_log"]] == [None,
                                                                   None]
    assert all("ConnectionError" in a["error"]
               for a in logged["attempt_log"])
    # The next retry waits 5 minutes: nothing is due yet.
    assert delivery.deliver_due() == {"delivered": 0, "pending": 0,
                                      "failed": 0}
    down_receiver.start()
    assert delivery.deliver_due(retry_now=True)["delivered"] == 1
    assert delivery.deliver_due(retry_now=True)["delivered"] == 0
    assert len(down_receiver.received) == 1
    [logged] = deliveries(org_world)
    assert logged["status"] == "delivered"
    assert [a["response_code"] for a in logged["attempt_log"]] == [
        None, None, 200]


def test_cron_retries_what_is_due_with_deliver_webhooks(
        org_world, receiver, ckan_cli):
    add_webhook(org_world, receiver.url())
    factories.Issue(user=org_world.reporter, dataset_id=org_world.public["id"])
    done = ckan_cli("helpdesk", "deliver-webhooks", "--retry-now")
    assert done.returncode == 0, done.stderr
    assert "1 delivered, 0 to retry, 0 given up" in done.stdout
    assert len(receiver.received) == 1


def test_an_error_answer_is_retried_and_given_up_after_the_last_attempt(
        org_world, receiver):
    receiver.status = 500
    add_webhook(org_world, receiver.url())
    factories.Issue(user=org_world.reporter, dataset_id=org_world.public["id"])
    for _ in range(delivery.MAX_ATTEMPTS + 2):
        delivery.deliver_due(retry_now=True)
    assert len(receiver.received) == delivery.MAX_ATTEMPTS
    [logged] = deliveries(org_world)
    assert logged["status"] == "failed"
    assert {a["error"] for a in logged["attempt_log"]} == {"HTTP 500"}


# -- what each webhook is told -----------------------------------------------

def test_a_public_webhook_hears_only_what_visitors_see(org_world, receiver):
    add_webhook(org_world, receiver.url("/public"))
    add_webhook(org_world, receiver.url("/internal"), internal=True)
    public = factories.Issue(user=org_world.reporter,
                             dataset_id=org_world.public["id"],
                             title="Public issue")
    call_as(org_world.editor, "helpdesk_comment_create", issue_id=public["id"],
            body="Ask the GIS team.", internal=True)
    call_as(org_world.editor, "helpdesk_comment_create", issue_id=public["id"],
            body="We are on it.")
    factories.Issue(user=org_world.editor, title="Private issue",
                    dataset_id=org_world.private["id"])
    hidden = factories.Issue(user=org_world.reporter, title="Spam issue",
                             dataset_id=org_world.public["id"])
    call_as(org_world.editor, "helpdesk_issue_hide", id=hidden["id"])
    delivery.deliver_due()
    assert receiver.events("/public") == [
        ("issue_created", "Public issue"),
        ("issue_commented", "Public issue"),
        ("issue_created", "Spam issue")]
    assert sorted(receiver.events("/internal")) == sorted([
        ("issue_created", "Public issue"),
        ("issue_commented", "Public issue"),
        ("issue_commented", "Public issue"),
        ("issue_created", "Private issue"),
        ("issue_created", "Spam issue"),
        ("issue_changed", "Spam issue")])
    public_bodies = b"".join(request.body for request in receiver.received
                             if request.path == "/public")
    for secret in (b"Ask the GIS team", b"Private issue",
                   org_world.reporter["email"].encode(), b"reporter_email",
                   b'"hidden"'):
        assert secret not in public_bodies
    internal = [request.payload for request in receiver.received
                if request.path == "/internal"]
    assert any(payload["comment"] and payload["comment"]["internal"]
               for payload in internal)
    assert internal[0]["issue"]["reporter_email"] == \
        org_world.reporter["email"]


def test_another_organizations_webhook_hears_nothing_of_this_one(
        org_world, receiver):
    call_as(org_world.other_admin, "helpdesk_webhook_create",
            organization_id=org_world.other_org["id"], url=receiver.url())
    factories.Issue(user=org_world.reporter, dataset_id=org_world.public["id"])
    factories.Issue(user=org_world.editor, dataset_id=org_world.private["id"])
    delivery.deliver_due()
    assert receiver.received == []


def test_each_event_goes_to_the_webhooks_that_asked_for_it(
        org_world, receiver):
    add_webhook(org_world, receiver.url("/closed"), events=["issue_closed"])
    add_webhook(org_world, receiver.url("/all"))
    issue = factories.Issue(user=org_world.reporter,
                            dataset_id=org_world.public["id"])
    call_as(org_world.editor, "helpdesk_issue_update", id=issue["id"],
            status="in_progress")
    call_as(org_world.reporter, "helpdesk_comment_create",
            issue_id=issue["id"], body="Thanks.")
    call_as(org_world.editor, "helpdesk_issue_update", id=issue["id"],
            status="resolved", comment="Moved the stop.")
    delivery.deliver_due()
    assert [event for event, _ in receiver.events("/all")] == [
        "issue_created", "issue_changed", "issue_commented", "issue_closed"]
    [closed] = [request.payload for request in receiver.received
                if request.path == "/closed"]
    assert closed["changes"]["status"] == ["in_progress", "resolved"]
    assert closed["comment"]["body"] == "Moved the stop."
    assert closed["issue"]["url"].endswith(
        f"/dataset/{org_world.public['name']}/issues/{issue['number']}")


# -- actions ------------------------------------------------------------------

@pytest.mark.parametrize("user", ["editor", "member", "reporter",
                                  "other_admin"])
def test_only_the_organizations_admins_manage_its_webhooks(org_world, user):
    webhook = add_webhook(org_world, "https://example.org/hook")
    with pytest.raises(tk.NotAuthorized):
        add_webhook(org_world, "https://example.org/hook", user=user)
    for action in ("helpdesk_webhook_delete",
                   "helpdesk_webhook_rotate_secret"):
        with pytest.raises(tk.NotAuthorized):
            call_as(getattr(org_world, user), action, id=webhook["id"])
    with pytest.raises(tk.NotAuthorized):
        call_as(getattr(org_world, user), "helpdesk_webhook_list",
                organization_id=org_world.org["id"])


def test_the_secret_is_given_once_and_never_listed(org_world):
    webhook = add_webhook(org_world, "https://example.org/hook",
                          events="issue_closed,issue_created")
    assert webhook["secret"].startswith("whsec_")
    assert webhook["events"] == ["issue_created", "issue_closed"]
    [listed] = call_as(org_world.admin, "helpdesk_webhook_list",
                       organization_id=org_world.org["id"])
    assert "secret" not in listed
    assert webhook["secret"] not in json.dumps(listed)
    call_as(org_world.admin, "helpdesk_webhook_delete", id=webhook["id"])
    assert call_as(org_world.admin, "helpdesk_webhook_list",
                   organization_id=org_world.org["id"]) == []


@pytest.mark.parametrize("fields, field", [
    ({"url": "ftp://example.org/hook"}, "url"),
    ({"url": "https://"}, "url"),
    ({"url": "https://user:pw@example.org/"}, "url"),
    ({"url": ""}, "url"),
    ({"url": "https://example.org", "events": ["issue_deleted"]}, "events"),
    ({"url": "https://example.org", "events": []}, "events"),
    ({"url": "https://example.org", "internal": "maybe"}, "internal"),
])
def test_bad_values_are_refused_naming_the_field(org_world, fields, field):
    with pytest.raises(tk.ValidationError) as refused:
        call_as(org_world.admin, "helpdesk_webhook_create",
                organization_id=org_world.org["id"], **fields)
    assert list(refused.value.error_dict) == [field]


@pytest.mark.ckan_config(
    "ckanext.helpdesk.webhooks.allow_private_addresses", "false")
@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8080/hook", "http://localhost/hook",
    "http://10.1.2.3/hook", "http://169.254.169.254/latest/meta-data",
    "http://[::1]/hook"])
def test_private_and_local_addresses_are_refused_by_default(org_world, url):
    with pytest.raises(tk.ValidationError) as refused:
        add_webhook(org_world, url)
    assert "private or local address" in refused.value.error_dict["url"][0]


@pytest.mark.ckan_config(
    "ckanext.helpdesk.webhooks.allow_private_addresses", "false")
def test_a_delivery_to_an_address_that_became_private_is_refused(
        org_world, receiver):
    """A webhook whose host resolves to a private address by the time of
    the delivery (added while they were allowed) is not called."""
    tk.config["ckanext.helpdesk.webhooks.allow_private_addresses"] = True
    add_webhook(org_world, receiver.url())
    tk.config["ckanext.helpdesk.webhooks.allow_private_addresses"] = False
    factories.Issue(user=org_world.reporter, dataset_id=org_world.public["id"])
    delivery.deliver_due()
    assert receiver.received == []
    [logged] = deliveries(org_world)
    assert "private or local address" in logged["attempt_log"][0]["error"]



def test_the_readme_shows_the_verification_code_the_tests_use():
    """Receivers copy README's code: it is signature.py's, verbatim."""
    readme = (pathlib.Path(signature.__file__).parents[3]
              / "README.rst").read_text()
    for function in (signature.sign, signature.verify_signature):
        source = inspect.getsource(function)
        indented = "\n".join("    " + line if line else line
                             for line in source.splitlines())
        assert indented in readme, function.__name__
