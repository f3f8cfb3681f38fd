"""The receiving side of forwarding, on our own Open311 POST: a report
forwarded by another help desk remembers where it came from, is never
forwarded back there, and a retry of the same report (same origin and
origin_key) answers the first request's id instead of making another."""
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.helpdesk.model import Forward, Issue, IssueOrigin
from ckanext.helpdesk.tests.federation.conftest import add_route

ORIGIN = "https://aggregator.example.org/open311/v2"


def post(app, world, **extra):
    token = tk.get_action("api_token_create")(
        {"ignore_auth": True},
        {"user": world.reporter["name"], "name": "forwarder"})["token"]
    form = {"api_key": token, "service_code": "data-problem",
            "attribute[dataset]": world.public["name"],
            "description": "The totals are off."}
    form.update(extra)
    return app.post("/open311/v2/requests.json", data=form)


def issue_count():
    model.Session.expire_all()
    return model.Session.execute(
        sa.select(sa.func.count()).select_from(Issue)).scalar()


def test_a_retried_forward_answers_the_first_request_and_makes_one_issue(
        app, federated):
    first = post(app, federated, **{"attribute[origin]": ORIGIN,
                                    "attribute[origin_key]": "fwd-1"})
    again = post(app, federated, **{"attribute[origin]": ORIGIN,
                                    "attribute[origin_key]": "fwd-1"})
    assert first.status_code == again.status_code == 200
    assert first.json[0]["service_request_id"] == \
        again.json[0]["service_request_id"]
    assert issue_count() == 1
    other = post(app, federated, **{"attribute[origin]": ORIGIN,
                                    "attribute[origin_key]": "fwd-2"})
    assert other.json[0]["service_request_id"] != \
        first.json[0]["service_request_id"]
    assert issue_count() == 2
    origin = model.Session.get(IssueOrigin,
                               first.json[0]["service_request_id"])
    assert (origin.origin_url, origin.origin_key) == (ORIGIN, "fwd-1")


def test_an_issue_received_from_a_portal_is_never_forwarded_back_to_it(
        app, federated, endpoint):
    add_route(federated, endpoint)
    received = post(app, federated, **{"attribute[origin]": endpoint.url,
                                       "attribute[origin_key]": "k"})
    from_elsewhere = post(app, federated, **{"attribute[origin]": ORIGIN})
    model.Session.expire_all()
    forwarded = model.Session.execute(
        sa.select(Forward.issue_id)).scalars().all()
    assert forwarded == [from_elsewhere.json[0]["service_request_id"]]
    assert received.json[0]["service_request_id"] not in forwarded


def test_origin_fields_beyond_their_limits_are_refused_naming_them(
        app, federated):
    long_origin = post(app, federated, **{
        "attribute[origin]": "https://x.example.org/" + "a" * 600})
    assert long_origin.status_code == 400
    assert "attribute[origin] is limited to 500" in long_origin.body
    key_alone = post(app, federated, **{"attribute[origin_key]": "k"})
    assert key_alone.status_code == 400
    assert "attribute[origin_key] needs attribute[origin]" in key_alone.body
    assert issue_count() == 0
