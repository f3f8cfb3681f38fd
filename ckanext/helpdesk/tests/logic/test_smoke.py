import pytest

from ckanext.helpdesk.tests.logic.conftest import call, report


@pytest.mark.usefixtures("with_plugins")
def test_create_show_update_search(world):
    issue = report(world, world.public)
    assert issue["number"] == 1
    assert issue["dataset_name"] == world.public["name"]
    shown = call("helpdesk_issue_show", None, dataset_id=world.public["name"],
                 number=1)
    assert shown["id"] == issue["id"]
    assert "reporter_email" not in shown
    updated = call("helpdesk_issue_update", world.editor, id=issue["id"],
                   status="resolved", comment="Fixed", assignee=world.member["name"])
    assert updated["resolved_at"] and updated["closing_comment"]["body"] == "Fixed"
    assert updated["assignee"] == world.member["name"]
    found = call("helpdesk_issue_search", None, q="totals")
    assert found["count"] == 1, found
    assert found["facets"]["status"] == {"resolved": 1}
    counts = call("helpdesk_issue_counts", None, dataset_ids=[world.public["id"]])
    assert counts == {world.public["id"]: {"open": 0, "total": 1}}
    comments = call("helpdesk_comment_list", None, issue_id=issue["id"])
    assert [c["body"] for c in comments] == ["Fixed"]
    events = call("helpdesk_event_list", None, issue_id=issue["id"])
    assert {e["kind"] for e in events} == {"status", "assignee"}
    assert call("helpdesk_issue_vote", world.stranger, id=issue["id"]) == {"vote_count": 1, "voted": True}
    assert call("helpdesk_issue_subscribe", world.stranger, id=issue["id"]) == {"subscribed": True}
    assert call("helpdesk_issue_show", world.stranger, id=issue["id"])["voted"] is True
    assert len(call("helpdesk_assignee_list", world.editor, organization_id=world.org["name"])) == 3
    assert [c["code"] for c in call("helpdesk_category_list")] == ["data-problem", "improvement", "question", "data-request"]
