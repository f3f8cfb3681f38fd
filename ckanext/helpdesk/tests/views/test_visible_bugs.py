"""What visitors saw go wrong: an empty description accepted though marked
required, the data-request form titled "Report an issue", and timeline
lines naming an event by its code."""
import html
import re

import pytest

import ckan.plugins.toolkit as tk

from ckanext.helpdesk.tests import factories
from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.views.conftest import (
    field_error, issue_url, make_user)

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _title_tag(page):
    return html.unescape(re.search(r"<title>(.*?)</title>", page,
                                   re.S).group(1).strip())


@pytest.mark.parametrize("description", ["", "   "])
def test_a_report_without_a_description_is_shown_again_with_the_error(
        visitor, portal, description):
    visitor.sign_in(portal["reporter"])
    url = f"/dataset/{portal['dataset']['name']}/issues/new"

    response = visitor.post(url, {"category": "data-problem",
                                  "title": "Totals do not add up",
                                  "description": description})

    page = response.body
    assert "your report was sent" not in page
    assert field_error(page, "field-description")
    assert 'value="Totals do not add up"' in page
    listing = visitor.get(f"/dataset/{portal['dataset']['name']}/issues")
    assert "Totals do not add up" not in listing.body


def test_the_data_request_form_is_titled_request_data_in_the_browser(
        visitor, portal):
    visitor.sign_in(portal["reporter"])

    request_form = visitor.get(
        f"/organization/{portal['org']['name']}/issues/request").body
    report_form = visitor.get(
        f"/dataset/{portal['dataset']['name']}/issues/new").body

    assert _title_tag(request_form).startswith("Request data")
    assert "Report an issue" not in _title_tag(request_form)
    assert _title_tag(report_form).startswith("Report an issue")


@pytest.fixture
def moderated(portal):
    """An issue whose comment the editor hid and showed again, and hid a
    second one; the issue itself hidden and shown."""
    issue = factories.Issue(user=portal["reporter"],
                            dataset_id=portal["dataset"]["id"])
    context = {"user": portal["editor"]["name"]}
    comments = [call_as(portal["reporter"], "helpdesk_comment_create",
                        issue_id=issue["id"], body=body)
                for body in ("First word", "Rude word")]
    hide = tk.get_action("helpdesk_comment_hide")
    hide(dict(context), {"id": comments[0]["id"], "hidden": True})
    hide(dict(context), {"id": comments[0]["id"], "hidden": False})
    hide(dict(context), {"id": comments[1]["id"], "hidden": True})
    hide_issue = tk.get_action("helpdesk_issue_hide")
    hide_issue(dict(context), {"id": issue["id"], "hidden": True})
    hide_issue(dict(context), {"id": issue["id"], "hidden": False})
    return issue


def _timeline_lines(page):
    """The timeline's event lines, without their time."""
    lines = re.findall(r'<li class="helpdesk-event[^"]*">(.*?)</li>', page,
                       re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", re.sub(
        r"<time.*?</time>", "", line, flags=re.S)).split())
        for line in lines]


def test_every_timeline_event_reads_as_a_sentence_for_the_publisher(
        visitor, portal, moderated):
    visitor.sign_in(portal["editor"])

    lines = _timeline_lines(visitor.get(issue_url(moderated)).body)

    editor = portal["editor"]["name"]
    assert lines == [
        f"{editor} hid a comment",
        f"{editor} showed a hidden comment again",
        f"{editor} hid a comment",
        f"{editor} hid it",
        f"{editor} showed it again"]
    for line in lines:
        assert "comment_" not in line and "changed the" not in line


@pytest.mark.parametrize("who", ["anonymous", "reporter", "member"])
def test_moderation_events_never_reach_the_public_timeline(
        visitor, portal, moderated, who):
    if who == "member":
        member = make_user()
        tk.get_action("organization_member_create")(
            {"ignore_auth": True}, {"id": portal["org"]["id"],
                                    "username": member["name"],
                                    "role": "member"})
        visitor.sign_in(member)
    elif who == "reporter":
        visitor.sign_in(portal["reporter"])

    page = visitor.get(issue_url(moderated)).body

    assert _timeline_lines(page) == []
    assert "Rude word" not in page
    assert "First word" in page
