"""Forwarding: an issue goes, in a background job, to each Open311 route
that applies, once; failures are kept with their reason and retried with
back-off, and nothing is sent back where it came from."""
import datetime

import pytest
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.helpdesk.federation import forwarding
from ckanext.helpdesk.model import Forward, Issue
from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.federation.conftest import add_route
from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.views.conftest import Visitor


def forwards_of(issue_id):
    model.Session.expire_all()
    return model.Session.execute(sa.select(Forward).where(
        Forward.issue_id == issue_id)).scalars().all()


def test_an_issue_goes_to_its_organizations_route_and_is_delivered_once(
        federated, endpoint, run_jobs):
    add_route(federated, endpoint)
    issue = factories.Issue(user=federated.reporter,
                            dataset_id=federated.public["id"],
                            title="Wrong totals",
                            description="The totals are off.")
    [pending] = forwards_of(issue["id"])
    assert (pending.state, pending.attempts) == ("pending", 0)

    run_jobs()  # a real RQ worker runs the job enqueued after the commit

    [forward] = forwards_of(issue["id"])
    assert forward.state == "delivered"
    assert forward.remote_id == "4821"
    assert forward.remote_url == endpoint.url + "/page/4821"
    [sent] = endpoint.created.values()
    assert sent["service_code"] == "defect"
    assert sent["attribute[dataset]"] == federated.public["name"]
    assert sent["attribute[title]"] == "Wrong totals"
    assert "The totals are off." in sent["description"]
    assert sent["attribute[origin_key]"] == forward.id
    assert sent["attribute[origin]"].endswith("/open311/v2")
    # The reporter's own address stays on this portal.
    assert sent["email"] == tk.config["smtp.mail_from"]
    assert forwarding.send_pending(retry_now=True) == {
        "delivered": 0, "failed": 0}
    assert len(endpoint.created) == 1


def test_a_category_the_route_does_not_map_is_not_forwarded(
        federated, endpoint):
    add_route(federated, endpoint, {"question": "enquiry"})
    issue = factories.Issue(user=federated.reporter,
                            dataset_id=federated.public["id"])
    assert forwards_of(issue["id"]) == []


def test_the_issue_page_tells_managers_where_it_went_and_the_public_nothing(
        federated, endpoint, app):
    add_route(federated, endpoint)
    issue = factories.Issue(user=federated.reporter,
                            dataset_id=federated.public["id"])
    forwarding.send_pending()
    url = f"/dataset/{federated.public['name']}/issues/{issue['number']}"
    shown = Visitor(app).sign_in(federated.editor).get(url).body
    assert "Forwarded to City works's Open311 as request" in shown
    assert f'href="{endpoint.url}/page/4821"' in shown
    public = app.get(url).body
    assert "City works" not in public and "4821" not in public
    with pytest.raises(tk.NotAuthorized):
        call_as(federated.reporter, "helpdesk_forward_list", id=issue["id"])


def test_a_refused_forward_fails_at_once_with_the_other_sides_reason(
        federated, endpoint):
    add_route(federated, endpoint)
    endpoint.behaviour = "refuse"
    issue = factories.Issue(user=federated.reporter,
                            dataset_id=federated.public["id"])
    forwarding.send_pending()
    [forward] = forwards_of(issue["id"])
    assert forward.state == "failed"
    assert "400: service_code is not known" in forward.last_error
    assert call_as(federated.editor, "helpdesk_forward_list",
                   id=issue["id"])[0]["state"] == "failed"


@pytest.mark.ckan_config("ckanext.helpdesk.forward.retry_delay", 30)
def test_an_endpoint_that_is_down_is_retried_with_backoff_and_gets_it_once(
        federated, endpoint):
    add_route(federated, endpoint)
    endpoint.stop()
    issue = factories.Issue(user=federated.reporter,
                            dataset_id=federated.public["id"])
    before = datetime.datetime.now(datetime.timezone.utc)
    forwarding.send_pending()
    forwarding.send_pending(retry_now=True)
    [forward] = forwards_of(issue["id"])
    assert (forward.state, forward.attempts) == ("pending", 2)
    assert "unreachable" in forward.last_error
    # 30 s after the first failure, 60 s after the second.
    assert forward.next_attempt_at >= before + datetime.timedelta(seconds=60)
    assert forwarding.send_pending() == {"delivered": 0, "failed": 0}

    endpoint.start()  # back, on the same port
    assert forwarding.send_pending(retry_now=True) == {
        "delivered": 1, "failed": 0}
    assert forwarding.send_pending(retry_now=True) == {
        "delivered": 0, "failed": 0}
    assert len(endpoint.created) == 1
    assert forwards_of(issue["id"])[0].state == "delivered"


@pytest.mark.ckan_config("ckanext.helpdesk.forward.max_attempts", 2)
def test_a_forward_that_keeps_failing_is_given_up_and_listed_for_sysadmins(
        federated, endpoint, app):
    add_route(federated, endpoint)
    endpoint.stop()
    issue = factories.Issue(user=federated.reporter,
                            dataset_id=federated.public["id"],
                            title="Wrong totals")
    forwarding.send_pending()
    forwarding.send_pending(retry_now=True)
    [forward] = forwards_of(issue["id"])
    assert forward.state == "failed"
    page = Visitor(app).sign_in(federated.sysadmin).get(
        "/ckan-admin/helpdesk/forwards").body
    assert "Wrong totals" in page and "unreachable" in page
    assert Visitor(app).sign_in(federated.admin).get(
        "/ckan-admin/helpdesk/forwards").status_code == 403


@pytest.mark.ckan_config("ckanext.helpdesk.forward.timeout", 1)
def test_a_timeout_to_an_endpoint_that_cannot_deduplicate_is_not_resent(
        federated, endpoint):
    """The report may have arrived: sending it again could make two."""
    add_route(federated, endpoint)
    endpoint.behaviour = "slow"
    issue = factories.Issue(user=federated.reporter,
                            dataset_id=federated.public["id"])
    forwarding.send_pending()
    forwarding.send_pending(retry_now=True)
    [forward] = forwards_of(issue["id"])
    assert forward.state == "failed"
    assert "may have arrived" in forward.last_error
    assert len(endpoint.created) == 1


@pytest.mark.ckan_config("ckanext.helpdesk.forward.timeout", 1)
def test_a_timeout_to_a_help_desk_is_retried_and_makes_one_report(
        federated, helpdesk_endpoint):
    add_route(federated, helpdesk_endpoint)
    helpdesk_endpoint.behaviour = "slow"
    issue = factories.Issue(user=federated.reporter,
                            dataset_id=federated.public["id"])
    forwarding.send_pending()
    assert forwards_of(issue["id"])[0].state == "pending"
    helpdesk_endpoint.behaviour = "ok"
    forwarding.send_pending(retry_now=True)
    [forward] = forwards_of(issue["id"])
    assert forward.state == "delivered"
    assert forward.remote_id == "4821"
    assert len(helpdesk_endpoint.created) == 1
    assert helpdesk_endpoint.count("POST", "/requests.json") == 2


def test_a_private_datasets_issue_goes_to_its_own_organizations_routes(
        federated, endpoint):
    add_route(federated, endpoint)
    issue = factories.Issue(user=federated.editor,
                            dataset_id=federated.private["id"])
    forwarding.send_pending()
    assert [f.state for f in forwards_of(issue["id"])] == ["delivered"]


def test_an_issue_held_for_moderation_goes_once_it_is_shown(
        federated, endpoint):
    add_route(federated, endpoint)
    issue = factories.Issue(user=federated.reporter,
                            dataset_id=federated.public["id"])
    model.Session.execute(sa.delete(Forward))
    held = model.Session.get(Issue, issue["id"])
    held.hidden = True
    model.Session.commit()
    call_as(federated.editor, "helpdesk_issue_hide", id=issue["id"],
            hidden=False)
    forwarding.send_pending()
    assert [f.state for f in forwards_of(issue["id"])] == ["delivered"]


def test_the_operators_configured_route_applies_with_categories_as_codes(
        federated, endpoint, monkeypatch):
    monkeypatch.setitem(tk.config, "ckanext.helpdesk.forward.routes",
                        [f"{federated.org['name']}={endpoint.url}"])
    issue = factories.Issue(user=federated.reporter,
                            dataset_id=federated.public["id"])
    forwarding.send_pending()
    [forward] = forwards_of(issue["id"])
    assert (forward.route_kind, forward.state) == ("config", "delivered")
    assert endpoint.created["4821"]["service_code"] == "data-problem"


def test_a_sysadmin_sends_a_failed_forward_again_from_the_admin_page(
        federated, endpoint, app):
    add_route(federated, endpoint)
    endpoint.behaviour = "refuse"
    issue = factories.Issue(user=federated.reporter,
                            dataset_id=federated.public["id"])
    forwarding.send_pending()
    [failed] = forwards_of(issue["id"])
    assert failed.state == "failed"
    endpoint.behaviour = "ok"
    refused = Visitor(app).sign_in(federated.admin).post(
        "/ckan-admin/helpdesk/forwards", {"forward_id": failed.id})
    assert refused.status_code == 403
    sysadmin = Visitor(app).sign_in(federated.sysadmin)
    sysadmin.post("/ckan-admin/helpdesk/forwards",
                  {"forward_id": failed.id})
    [again] = forwards_of(issue["id"])
    assert (again.state, again.attempts) == ("pending", 0)
    forwarding.send_pending()
    assert forwards_of(issue["id"])[0].state == "delivered"
    assert "Every forward was delivered." in sysadmin.get(
        "/ckan-admin/helpdesk/forwards").body
